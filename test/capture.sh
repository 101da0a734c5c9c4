#!/bin/bash
# capture.sh - scripts/capture.sh on loopback: every pair in BIN_DIR runs under tshark, and
# the verification summary (tshark's own TLS/DTLS dissectors, not our logs) is asserted:
# 'A' padding visible for tcp/udp and hidden for tls/dtls, CertificateRequest and a
# non-empty client Certificate for tls (TLS 1.3 decrypted with the key log, and TLS 1.2 in
# the clear) and dtls, HelloVerifyRequest for dtls. Also that the checks do fail on the
# wrong capture (a tcp pcap checked as tls, a TLS 1.3 pcap without its key log).
#   test/capture.sh BIN_DIR
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CAP=$ROOT/scripts/capture.sh

if ! "$ROOT/scripts/deps.sh" capture >"$TMP/deps.log" 2>&1; then
	not_ok "scripts/deps.sh capture installs tshark" "$(tail -n 3 "$TMP/deps.log")"
	summary
	exit 1
fi
mapfile -t pairs < <(cd "$ROOT" && LIB_ROOT=$ROOT sh -c '. scripts/lib.sh; lib_pairs "$1"' sh "$BIN")
echo "# pairs in $BIN: ${pairs[*]}"
gen_certs ec256 "$TMP/certs"

has() { case " ${pairs[*]} " in *" $1 "*) return 0 ;; esac; return 1; }

# capture NAME ARGS...: runs capture.sh into $TMP/NAME; sets CRC and COUT.
capture() {
	local name=$1
	shift
	COUT=$TMP/$name.out
	CRC=0
	timeout -k 5 300 "$CAP" -B "$BIN" -C "$TMP/certs" -d "$TMP/$name" -n 3 -s 64,1K "$@" \
		>"$COUT" 2>"$TMP/$name.err" </dev/null || CRC=$?
}

# port_of OUT PROTO: the server port capture.sh captured for PROTO.
port_of() {
	sed -n "s/^capture $2: [^ ]* port \([0-9]*\) .*/\1/p" "$1"
}

capture all
ALL=$COUT
check_rc "capture.sh over every pair (${pairs[*]}) passes its checks" "$CRC" 0 "$ALL"
for p in "${pairs[@]}"; do
	check "$p: pcap written next to the results" test -s "$TMP/all/$p.pcap"
	check "$p: the client's results are beside it" test -s "$TMP/all/$p.json"
	check_grep "$p: the client ran (every message acked)" "$TMP/all/$p.txt" "^result proto=$p .* lost=0 end=acked"
	# The capture was running before the client and until after it: the start and end
	# probes are both in the pcap, the start one before the first packet of the server port.
	check "$p: start and end probes captured" grep -aq "ackbench-capture-start-" "$TMP/all/$p.pcap"
	check "$p: ... the end one too" grep -aq "ackbench-capture-end-" "$TMP/all/$p.pcap"
done
for p in tcp udp; do
	has "$p" || continue
	check_grep "$p: 'A' padding visible" "$ALL" "^ok $p padding-visible: 'A' padding in [1-9][0-9]* "
done
if has tls; then
	check_grep "tls: padding hidden" "$ALL" "^ok tls padding-hidden: no 'A' padding"
	check_grep "tls 1.3: CertificateRequest seen through the key log" "$ALL" \
		"^ok tls cert-request: server sent CertificateRequest \(type 13\) in [1-9][0-9]* packets \(TLS 1\.3, decrypted with $TMP/all/tls.keylog\)"
	check_grep "tls 1.3: non-empty client Certificate seen through the key log" "$ALL" \
		"^ok tls client-certificate: client sent a non-empty Certificate \(type 11\) in [1-9][0-9]* packets \(TLS 1\.3, decrypted"
	port=$(port_of "$ALL" tls)
	"$CAP" -r "$TMP/all/tls.pcap" -P tls -p "$port" >"$TMP/nokey.out" 2>&1 && rc=0 || rc=$?
	check_rc "tls 1.3 without the key log: the checks fail" "$rc" 1 "$TMP/nokey.out"
	check_grep "tls 1.3 without the key log: no CertificateRequest visible" "$TMP/nokey.out" \
		"^FAILED tls cert-request: .*TLS 1\.3"

	capture tls12 -P tls -- --tls 1.2
	check_rc "tls 1.2 capture passes its checks" "$CRC" 0 "$COUT"
	check_grep "tls 1.2: CertificateRequest in the clear" "$COUT" \
		"^ok tls cert-request: .*\(TLS 1\.2, in the clear\)"
	check_grep "tls 1.2: non-empty client Certificate in the clear" "$COUT" \
		"^ok tls client-certificate: .*\(TLS 1\.2, in the clear\)"
	check_grep "tls 1.2: padding hidden" "$COUT" "^ok tls padding-hidden: "
else
	echo "# skip tls checks: no tls_client/tls_server in $BIN"
fi
if has dtls; then
	check_grep "dtls: HelloVerifyRequest sent" "$ALL" "^ok dtls hello-verify: server sent HelloVerifyRequest \(type 3\) in [1-9]"
	check_grep "dtls: CertificateRequest sent" "$ALL" "^ok dtls cert-request: .*DTLS 1\.2"
	check_grep "dtls: non-empty client Certificate" "$ALL" "^ok dtls client-certificate: "
	check_grep "dtls: padding hidden" "$ALL" "^ok dtls padding-hidden: no 'A' padding"
else
	echo "# skip dtls checks: no dtls_client/dtls_server in $BIN"
fi

# The checks can fail: a plain capture checked as its secure counterpart, and the other
# way round.
for pair in tcp:tls udp:dtls; do
	plain=${pair%%:*}
	sec=${pair##*:}
	has "$plain" || continue
	port=$(port_of "$TMP/all.out" "$plain")
	"$CAP" -r "$TMP/all/$plain.pcap" -P "$sec" -p "$port" >"$TMP/wrong-$sec.out" 2>&1 && rc=0 || rc=$?
	check_rc "$plain pcap checked as $sec: fails" "$rc" 1 "$TMP/wrong-$sec.out"
	check_grep "$plain pcap checked as $sec: padding is visible" "$TMP/wrong-$sec.out" \
		"^FAILED $sec padding-hidden: 'A' padding visible"
	check_grep "$plain pcap checked as $sec: no CertificateRequest" "$TMP/wrong-$sec.out" \
		"^FAILED $sec cert-request: "
	if has "$sec"; then
		port=$(port_of "$TMP/all.out" "$sec")
		"$CAP" -r "$TMP/all/$sec.pcap" -P "$plain" -p "$port" >"$TMP/wrong-$plain.out" 2>&1 && rc=0 || rc=$?
		check_grep "$sec pcap checked as $plain: no padding visible" "$TMP/wrong-$plain.out" \
			"^FAILED $plain padding-visible: "
	fi
done
summary
