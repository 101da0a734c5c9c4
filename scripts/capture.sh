#!/bin/bash
# capture.sh - capture the packets of client runs with tshark, keep the pcap next to the
# results, and verify with tshark's own dissectors what went over the wire.
set -eu

LIB_PROG="capture"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: $0 [-P PROTOS] [-a ADDR] [-L] [-n N] [-s SIZES] [-i IFACE] [-d DIR] [-B BINDIR]
          [-C CERTDIR] [-p BASE] [-- CLIENT_ARGS]
       $0 -r PCAP -P PROTO -p PORT [-k KEYLOG]      (verify an existing capture)
For each protocol: captures (tshark) the traffic on its port for the duration of one
client run, writes DIR/PROTO.pcap beside the client's results (DIR/PROTO.{txt,csv,json}),
then checks the capture with tshark's dissectors (tshark is told the port carries TLS
or DTLS: -d tcp.port==P,tls / -d udp.port==P,dtls):
  tls   the server sent a CertificateRequest (handshake type 13) and the client a
        non-empty Certificate (type 11). TLS 1.3 encrypts both: the client writes its
        session secrets (--keylog DIR/tls.keylog) and tshark decrypts with them
        (-o tls.keylog_file:...); the summary says so.
  dtls  the server sent a HelloVerifyRequest (type 3, the cookie exchange), a
        CertificateRequest, and the client a non-empty Certificate
  tcp, udp   the messages' 'A' padding is visible in the packets to the server;
  tls, dtls  it is not (only encrypted application data records)
The capture's start and stop are certain: datagrams to ADDR's discard port (9, RFC 863)
are sent until the pcap holds one before the client starts and one after it ended
(FAILED ... capture: ... when not within 20 s, or when dumpcap dropped packets).
Prints one line per check, "ok PROTO CHECK: ..." or "FAILED PROTO CHECK: ...".
  -P PROTOS  comma list (default: every pair in BINDIR)
  -a ADDR    server address (127.0.0.1). A loopback address: the server is started here
             (port 0) and the capture is on lo. Otherwise the server must already run
             there (run-all.sh -s) on its port from BASE, unless -L
  -L         start the server here, bound to ADDR (an address of this host)
  -n N       timed messages per size (5); -s SIZES: sizes (64,1K)
  -i IFACE   capture interface (default: lo for loopback, else the route to ADDR)
  -d DIR     results directory (results/capture-<UTC time>)
  -B BINDIR, -C CERTDIR, -p BASE   programs, certificates, first port (as run-all.sh)
  -r PCAP    only verify PCAP (with -P PROTO -p PORT, and -k KEYLOG for TLS 1.3)
Needs tshark (scripts/deps.sh capture) and root (or the wireshark group) to capture.
Exit status: 0 every check passed, 1 some failed, 2 usage error.
USAGE
}

protos=""
addr=127.0.0.1
local_srv=""
count=5
sizes=64,1K
iface=""
dir=""
bin=$LIB_ROOT/build/native/bin
certs=$LIB_ROOT/certs
base=5001
pcap_in=""
keylog_in=""
cmdline="$0 $*"
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts P:a:Ln:s:i:d:B:C:p:r:k:h opt; do
	case "$opt" in
	P) protos=$OPTARG ;;
	a) addr=$OPTARG ;;
	L) local_srv=1 ;;
	n) count=$OPTARG ;;
	s) sizes=$OPTARG ;;
	i) iface=$OPTARG ;;
	d) dir=$OPTARG ;;
	B) bin=$OPTARG ;;
	C) certs=$OPTARG ;;
	p) base=$OPTARG ;;
	r) pcap_in=$OPTARG ;;
	k) keylog_in=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
usage_error() {
	log "$*"
	exit 2
}
lib_is_count "$count" || usage_error "-n: '$count' is not a positive number"
{ lib_is_count "$base" && [ "$base" -le 65535 ]; } || usage_error "-p: '$base' is not a port"
for t in tshark dumpcap; do
	command -v "$t" >/dev/null || usage_error "$t not found (scripts/deps.sh capture)"
done

FAILS=0
# result OK|FAILED PROTO CHECK TEXT: one summary line.
result() {
	echo "$1 $2 $3: $4"
	[ "$1" = ok ] || FAILS=$((FAILS + 1))
}

# padded PCAP: the destination port of every packet whose raw bytes hold the 'A' padding.
padded() {
	tshark -n -r "$1" -Y 'frame contains "AAAAAAAAAAAAAAAA"' -T fields \
		-e tcp.dstport -e udp.dstport 2>/dev/null | tr -d '\t ' || true
}

# dissect PROTO PCAP PORT KEYLOG: one line per packet of PCAP from tshark's dissectors,
# "src dst types certlens rectypes versions hello_version" (lists comma-joined, '-' when
# empty), with PORT decoded as PROTO (tls or dtls).
dissect() {
	local p=$1 pcap=$2 port=$3 keylog=$4
	local -a d=() f=(-e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport)
	case "$p" in
	tls) d=(-d "tcp.port==$port,tls") ;;
	dtls) d=(-d "udp.port==$port,dtls") ;;
	esac
	[ -z "$keylog" ] || d+=(-o "tls.keylog_file:$keylog")
	case "$p" in
	tls | dtls)
		f+=(-e "$p.handshake.type" -e "$p.handshake.certificate_length"
			-e "$p.record.content_type" -e "$p.handshake.extensions.supported_version"
			-e "$p.handshake.version")
		;;
	esac
	tshark -n -r "$pcap" "${d[@]}" -T fields -E separator=/t -E occurrence=a -E aggregator=, \
		"${f[@]}" 2>/dev/null | awk -F '\t' '{
			src = $1 $3; dst = $2 $4
			for (i = 5; i <= 9; i++) if ($i == "") $i = "-"
			print src, dst, $5, $6, $7, $8, $9 }'
}

# awk helpers: has(LIST, V) when the comma list holds V, anypos(LIST) when one is > 0.
AWK_LIB='function has(list, v,   n, a, i) { n = split(list, a, ","); for (i = 1; i <= n; i++) if (a[i] == v) return 1; return 0 }
function anypos(list,   n, a, i) { n = split(list, a, ","); for (i = 1; i <= n; i++) if (a[i] + 0 > 0) return 1; return 0 }'

# count PACKETS AWK_CONDITION: packets (from dissect) for which the condition holds; the
# fields are src dst types certlens rectypes versions hello_versions, port in P.
count() {
	printf '%s\n' "$1" | awk -v P="$PORT" "$AWK_LIB"'
		{ src = $1; dst = $2; types = $3; certlens = $4; rectypes = $5 } '"$2"' { n++ }
		END { print n + 0 }'
}

# verify PROTO PCAP PORT KEYLOG: the checks of the protocol, one line each.
verify() {
	local p=$1 pcap=$2 keylog=$4 pk total n how ver pad PADDED
	PORT=$3
	pk=$(dissect "$p" "$pcap" "$PORT" "$keylog")
	PADDED=$(padded "$pcap")
	total=$(count "$pk" 'src == P || dst == P')
	if [ "$total" = 0 ]; then
		result FAILED "$p" packets "no packet to or from port $PORT in $pcap"
		return 0
	fi
	pad=$(printf '%s\n' "$PADDED" | grep -cx "$PORT" || true)
	case "$p" in
	tcp | udp)
		if [ "$pad" -gt 0 ]; then
			result ok "$p" padding-visible "'A' padding in $pad of $total packets to port $PORT"
		else
			result FAILED "$p" padding-visible "no 'A' padding in the $total packets of port $PORT"
		fi
		;;
	tls | dtls)
		if [ -z "$PADDED" ]; then
			n=$(count "$pk" 'has(rectypes, 23)')
			result ok "$p" padding-hidden "no 'A' padding in $total packets ($n with application data records)"
		else
			result FAILED "$p" padding-hidden "'A' padding visible in $(printf '%s\n' "$PADDED" | wc -l) packets"
		fi
		# The ServerHello (type 2): supported_versions extension, else its version field.
		ver=$(printf '%s\n' "$pk" | awk "$AWK_LIB"'has($3, 2) { print $6 "," $7; exit }')
		how="in the clear"
		case "$ver" in
		*0x0304*)
			ver="TLS 1.3"
			how="decrypted with $keylog"
			[ -n "$keylog" ] || how="encrypted, no key log given"
			;;
		*0x0303*) ver="TLS 1.2" ;;
		*0xfefd*) ver="DTLS 1.2" ;;
		*) ver="version ${ver:-unknown}" ;;
		esac
		if [ "$p" = dtls ]; then
			n=$(count "$pk" 'src == P && has(types, 3)')
			if [ "$n" -gt 0 ]; then
				result ok dtls hello-verify "server sent HelloVerifyRequest (type 3) in $n packets"
			else
				result FAILED dtls hello-verify "no HelloVerifyRequest (type 3) from port $PORT"
			fi
		fi
		n=$(count "$pk" 'src == P && has(types, 13)')
		if [ "$n" -gt 0 ]; then
			result ok "$p" cert-request "server sent CertificateRequest (type 13) in $n packets ($ver, $how)"
		else
			result FAILED "$p" cert-request "no CertificateRequest (type 13) from port $PORT ($ver, $how)"
		fi
		n=$(count "$pk" 'dst == P && has(types, 11) && anypos(certlens)')
		if [ "$n" -gt 0 ]; then
			result ok "$p" client-certificate "client sent a non-empty Certificate (type 11) in $n packets ($ver, $how)"
		else
			result FAILED "$p" client-certificate "no non-empty Certificate (type 11) to port $PORT ($ver, $how)"
		fi
		;;
	*) result FAILED "$p" protocol "no checks known for '$p'" ;;
	esac
	return 0
}

if [ -n "$pcap_in" ]; then
	[ -r "$pcap_in" ] || usage_error "-r: cannot read '$pcap_in'"
	case "$protos" in "" | *,*) usage_error "-r needs one protocol: -P PROTO" ;; esac
	case "$cmdline" in *" -p "*) ;; *) usage_error "-r needs the server's port: -p PORT" ;; esac
	verify "$protos" "$pcap_in" "$base" "$keylog_in"
	[ "$FAILS" = 0 ]
	exit
fi

bin=$(lib_abs "$bin")
certs=$(lib_abs "$certs")
found=$(lib_pairs "$bin" | tr '\n' ' ')
run=""
for p in $(if [ -n "$protos" ]; then echo "$protos" | tr , ' '; else echo "$found"; fi); do
	case " $found " in
	*" $p "*) run="$run $p" ;;
	*) usage_error "-P: no ${p}_client/${p}_server pair in $bin" ;;
	esac
done
[ -n "$run" ] || usage_error "no NAME_client/NAME_server pair in $bin (build first)"
case "$addr" in 127.* | ::1 | localhost) local_srv=1 ;; esac
if [ -z "$iface" ]; then
	iface=$(ip route get "$addr" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n 1)
	[ -n "$iface" ] || usage_error "-a: no route to '$addr'; name the interface with -i"
fi
[ -n "$dir" ] || dir="$LIB_ROOT/results/capture-$(lib_utc_stamp)"
dir=$(lib_abs "$dir")
mkdir -p "$dir" || usage_error "-d: cannot create $dir"
[ -e "$dir/env.txt" ] || LIB_BIN=$bin lib_record_env "$dir/env.txt" "$cmdline"

CAP_PID=""
CAP_LOG=""
CAP_PCAP=""
# The capture's start and stop are made certain with probe datagrams to the discard port (9,
# RFC 863; 13 if the server itself is on 9) of ADDR, which the capture filter also takes
# (the checks look only at the server's port): capturing has begun once a start probe is in
# the pcap file, and every packet of the run is in it once an end probe sent after the
# client ended is (packets on one interface are captured in order).
probe_port() { if [ "$1" = 9 ]; then echo 13; else echo 9; fi; }

# probe_until_seen MARK SECS: sends MARK to ADDR's probe port every 0.2 s until the pcap
# holds it (dumpcap writes its file out within about a second); 1 if not within SECS.
probe_until_seen() {
	local mark=$1 i
	for i in $(seq $(($2 * 5))); do
		# bash's /dev/udp/HOST/PORT: one datagram
		printf '%s' "$mark" 2>/dev/null >"/dev/udp/$addr/$PROBE_PORT" || true
		sleep 0.2
		if grep -aqF -- "$mark" "$CAP_PCAP" 2>/dev/null; then
			return 0
		fi
		lib_alive "$CAP_PID" || return 1
	done
	: "$i"
	return 1
}

# start_capture PROTO PORT PCAP: dumpcap (tshark's capture engine) on the server's port and
# the probe port, classic pcap (-P), at most 10 minutes; returns once a probe was captured.
start_capture() {
	local i=0
	CAP_PCAP=$3
	CAP_LOG=$dir/$1.dumpcap.log
	PROBE_PORT=$(probe_port "$2")
	dumpcap -n -q -P -i "$iface" -f "port $2 or udp dst port $PROBE_PORT" -w "$CAP_PCAP" \
		-a duration:600 >"$CAP_LOG" 2>&1 &
	CAP_PID=$!
	until grep -q '^Capturing on' "$CAP_LOG" 2>/dev/null; do
		if ! lib_alive "$CAP_PID" || [ "$i" -ge 200 ]; then
			CAP_WHY="dumpcap did not start: $(tail -n 1 "$CAP_LOG")"
			return 1
		fi
		sleep 0.05
		i=$((i + 1))
	done
	if ! probe_until_seen "ackbench-capture-start-$$-$RANDOM" 20; then
		CAP_WHY="no start probe captured within 20 s ($(tail -n 1 "$CAP_LOG"))"
		return 1
	fi
}

# stop_capture [certain]: with "certain", first waits until an end probe is in the pcap;
# then SIGINT and a bounded wait for dumpcap to write the rest and exit. Returns 1 (reason
# in CAP_WHY) when the capture could not be made complete.
stop_capture() {
	local i=0 r=0 drops
	[ -n "$CAP_PID" ] || return 0
	if [ "${1:-}" = certain ] && ! probe_until_seen "ackbench-capture-end-$$-$RANDOM" 20; then
		CAP_WHY="no end probe captured within 20 s: the capture may miss the run's last packets"
		r=1
	fi
	! lib_alive "$CAP_PID" || kill -INT "$CAP_PID" 2>/dev/null || true
	while lib_alive "$CAP_PID" && [ "$i" -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if lib_alive "$CAP_PID"; then
		kill -KILL "$CAP_PID" 2>/dev/null || true
		CAP_WHY="dumpcap did not stop within 30 s of SIGINT: pcap may be cut short"
		r=1
	fi
	wait "$CAP_PID" 2>/dev/null || true
	CAP_PID=""
	# "Packets received/dropped on interface 'lo': 12/0 ..."
	drops=$(sed -n 's/^Packets received\/dropped on interface .*: [0-9]*\/\([0-9]*\) .*/\1/p' \
		"$CAP_LOG" 2>/dev/null | head -n 1)
	if [ "${1:-}" = certain ] && [ "${drops:-0}" != 0 ]; then
		CAP_WHY="dumpcap dropped $drops packets"
		r=1
	fi
	return "$r"
}
cleanup() {
	stop_capture || true
	lib_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for p in $run; do
	tls_args=()
	case "$p" in
	tls | dtls) tls_args=(--ca "$certs/ca.crt") ;;
	esac
	if [ -n "$local_srv" ]; then
		srv=("$bin/${p}_server" -b "$addr" -p 0 -o "$dir/server-$p.csv")
		[ ${#tls_args[@]} = 0 ] || srv+=("${tls_args[@]}" --cert "$certs/server.crt" --key "$certs/server.key")
		if ! lib_server_start "$dir/server-$p.log" "${srv[@]}"; then
			result FAILED "$p" server "did not start (see $dir/server-$p.log)"
			continue
		fi
		port=$LIB_SERVER_PORT
	else
		port=$(lib_proto_port "$p" "$base")
	fi
	pcap=$dir/$p.pcap
	rm -f "$pcap" "$dir/$p.keylog"
	CAP_WHY=""
	if ! start_capture "$p" "$port" "$pcap"; then
		result FAILED "$p" capture "$CAP_WHY"
		stop_capture || true
		[ -z "$local_srv" ] || lib_server_stop "$LIB_SERVER_PID" 0 || true
		continue
	fi
	cli=("$bin/${p}_client" -a "$addr" -p "$port" -n "$count" -s "$sizes" -w 0 \
		-o "$dir/$p.csv" --json "$dir/$p.json")
	[ ${#tls_args[@]} = 0 ] || cli+=("${tls_args[@]}" --cert "$certs/client.crt" --key "$certs/client.key")
	# TLS 1.3 encrypts the certificate messages: tshark decrypts with the session secrets.
	[ "$p" != tls ] || cli+=(--keylog "$dir/$p.keylog")
	echo "${cli[*]} $*" >>"$dir/commands.txt"
	rc=0
	timeout -k 5 300 "${cli[@]}" "$@" >"$dir/$p.txt" 2>"$dir/$p.err" </dev/null || rc=$?
	stop_capture certain || result FAILED "$p" capture "$CAP_WHY"
	[ -z "$local_srv" ] || lib_server_stop "$LIB_SERVER_PID" 5 || true
	if [ "$rc" != 0 ]; then
		result FAILED "$p" client "exit $rc: $(tail -n 1 "$dir/$p.err")"
	fi
	keylog=""
	[ ! -s "$dir/$p.keylog" ] || keylog=$dir/$p.keylog
	echo "capture $p: $iface port $port -> $pcap"
	verify "$p" "$pcap" "$port" "$keylog"
done
[ "$FAILS" = 0 ] || { log "$FAILS checks failed; captures in $dir"; exit 1; }
log "all checks passed; captures in $dir"
