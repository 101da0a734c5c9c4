#!/bin/bash
# dtls.sh - integration tests of the DTLS pair (dtls_client, dtls_server): real programs,
# real sockets, mutual authentication with certificates made by gen-certs.sh. Loss comes
# from Mbed TLS's own udp_proxy (handshake records only) and from nftables drop rules in a
# network namespace made here (every Nth datagram, so every count is known in advance).
# Assertions are on what the programs printed, wrote and returned, never on time.
#   test/dtls.sh BIN_DIR     (e.g. build/native/bin; see test/lib.sh)
# udp_proxy: $UDP_PROXY, else BIN_DIR/../mbedtls/programs/test/udp_proxy (make builds it:
# make BIN_DIR/../mbedtls/programs/test/udp_proxy). The namespace tests need root, ip, nft.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=90   # bound on any one client run, seconds
MAX=1363 # largest message at the default --mtu 1400: 1400 - 13 (header) - 8 (nonce) - 16 (tag)
NS=""  # network namespace of the loss tests, deleted on exit
FAST=(--hs-timeout "100,3200") # lossy runs: a quicker timer (loopback RTT + crypto < 20 ms)

dtls_cleanup() {
	tlib_cleanup
	[ -z "$NS" ] || ip netns del "$NS" 2>/dev/null || true
}
trap dtls_cleanup EXIT

command -v openssl >/dev/null || { echo "dtls.sh: needs openssl" >&2; exit 2; }
if [ ! -x "$BIN/dtls_client" ] || [ ! -x "$BIN/dtls_server" ]; then
	not_ok "dtls_client and dtls_server are in $BIN"
	summary
	exit 1
fi
PROXY=${UDP_PROXY:-$BIN/../mbedtls/programs/test/udp_proxy}

EC=$TMP/ec
gen_certs ec256 "$EC"
SRVDER=$(openssl x509 -in "$EC/server.crt" -outform der | wc -c)

# creds NAME [DIR]: --ca/--cert/--key of certificate NAME (client, bad/rogue-client...).
creds() {
	local d=${2:-$EC}
	CREDS=(--ca "$EC/ca.crt" --cert "$d/$1.crt" --key "$d/$1.key")
}

# csv_sum FILE COLUMN
csv_sum() {
	awk -F, -v c="$2" 'NR > 1 { s += $c } END { print s + 0 }' "$1"
}

# field FILE PREFIX KEY: value of KEY=... on the first line starting with PREFIX.
field() {
	sed -n "/^$2 /{s/.* $3=\([^ ]*\).*/\1/p}" "$1" | head -n 1
}

# --- usage errors: exit 2, one line naming the option and the limit, before any traffic ---

refused() {
	local prog=$1 want=$2
	shift 2
	run_client "usage" 10 "$prog" "$@"
	check_rc "$prog $*: exit 2" "$RC" 2 "$ERR"
	check_eq "$prog $*: one-line error" "$(cat "$ERR")" "$prog: $want"
}

usage_runs() {
	creds client
	refused dtls_client "--sizes: $((MAX + 1)) bytes is above the largest dtls message ($MAX bytes)" \
		-p 9 "${CREDS[@]}" -s "64,$((MAX + 1))"
	refused dtls_client "--reply-size: $((MAX + 1)) bytes is above the largest dtls message ($MAX bytes)" \
		-p 9 "${CREDS[@]}" --reply-size "$((MAX + 1))"
	refused dtls_client "--sizes: 564 bytes is above the largest dtls message (563 bytes)" \
		-p 9 "${CREDS[@]}" --mtu 600 -s 564
	refused dtls_client "--mtu: '100' is out of range (512..65507)" -p 9 --mtu 100
	refused dtls_client "--hs-timeout: '800,100': MIN is above MAX" -p 9 --hs-timeout 800,100
	refused dtls_client "--no-cookie is a server option" -p 9 "${CREDS[@]}" --no-cookie
	creds server
	refused dtls_server "--resume is a client option" \
		-p 0 "${CREDS[@]}" --resume
	run_client "help" 10 dtls_client --help
	check_grep "dtls_client --help: default sweep clamped to one datagram" "$OUT" \
		"^Default sizes \(dtls\): 32,64,256,1K,4K,16K \(clamped"
}

# --- loopback: IPv4 and IPv6, per message (cookie, no cookie, resumed) and --keep ---

# loopback FAMILY MODE: FAMILY 4|6, MODE per-message|no-cookie|resume|keep.
loopback() {
	local fam=$1 mode=$2 addr=127.0.0.1 m=per-message sargs=() cargs=() what run n=4 w=1
	local total conns
	[ "$fam" = 6 ] && addr=::1
	what="dtls ipv$fam $mode"
	case "$mode" in
	no-cookie) sargs=(--no-cookie) ;;
	resume) cargs=(--resume) ;;
	keep) cargs=(--keep) && m=keep ;;
	esac
	total=$((3 * (n + w)))
	creds server
	start_server "srv-$fam-$mode" dtls_server -b "$addr" "${CREDS[@]}" "${sargs[@]}" || return 0
	creds client
	run_client "cli-$fam-$mode" "$T" dtls_client -a "$addr" -p "$SRV_PORT" -s "32,1K,$MAX" \
		-n "$n" -w "$w" "${CREDS[@]}" "${cargs[@]}" -o "$TMP/cli.csv"
	check_rc "$what: client exit 0" "$RC" 0 "$ERR"
	check_eq "$what: client stderr empty" "$(cat "$ERR")" ""
	check_grep "$what: every message acked, the largest ($MAX B) too" "$OUT" \
		"^result proto=dtls mode=$m sizes=3 messages=$((3 * n)) acked=$((3 * n)) lost=0 end=acked$"
	check_grep "$what: negotiated DTLS 1.2, pinned suite and group" "$OUT" \
		"^# negotiated: DTLSv1.2 TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256 secp256r1 EC-256 \(pinned by default: AES-128-GCM, secp256r1\)$"
	run=$(run_id "$OUT")
	wait_exit "$SRV_PID" 20
	check_rc "$what: server exits 0 after END" "$EXIT_RC" 0 "$SRV_ERR"
	check_grep "$what: server saw every message valid" "$SRV_OUT" \
		"^end run=$run sent=$total received=$total valid=$total$"
	check_eq "$what: server stderr empty" "$(cat "$SRV_ERR")" ""
	conns=$((total + 1))
	[ "$mode" = keep ] && conns=1
	check_eq "$what: server: connections" "$(field "$SRV_OUT" dtls conns)" "$conns"
	case "$mode" in
	per-message)
		check_eq "$what: server: a HelloVerifyRequest per connection" \
			"$(field "$SRV_OUT" dtls hello_verify)" "$conns"
		check "$what: CSV: full handshakes with a cookie round trip, server cert among hs_rx" \
			csv_all "$TMP/cli.csv" "\$10 == 1 && \$16 == 0 && \$18 > 0 && \$13 > 0 && \$14 > $SRVDER"
		;;
	no-cookie)
		check_eq "$what: server: no HelloVerifyRequest" "$(field "$SRV_OUT" dtls hello_verify)" 0
		check "$what: CSV: no cookie round trip (cookie_us 0)" \
			csv_all "$TMP/cli.csv" "\$10 == 1 && \$16 == 0 && \$18 == 0 && \$14 > $SRVDER"
		;;
	resume)
		check "$what: CSV: every timed row resumed, hs_rx below the server cert's $SRVDER B" \
			csv_all "$TMP/cli.csv" "\$10 == 1 && \$16 == 1 && \$18 > 0 && \$14 > 0 && \$14 < $SRVDER"
		;;
	keep)
		check_grep "$what: set-up line" "$OUT" "^# keep: one connection for all messages; set-up"
		;;
	esac
}

# A smaller --mtu on both sides: the largest message shrinks with it, and fits.
mtu_run() {
	local what="dtls --mtu 600"
	creds server
	start_server "srv-mtu" dtls_server -b 127.0.0.1 "${CREDS[@]}" --mtu 600 || return 0
	creds client
	run_client "cli-mtu" "$T" dtls_client -p "$SRV_PORT" -s 563 -n 3 -w 0 --reply-size 563 \
		--mtu 600 "${CREDS[@]}"
	check_rc "$what: 563-byte requests and replies acked" "$RC" 0 "$ERR"
	wait_exit "$SRV_PID" 20
	check_grep "$what: server saw them valid" "$SRV_OUT" "^end run=$(run_id "$OUT") sent=3 received=3 valid=3$"
}

loopback_runs() {
	local fam mode
	for fam in 4 6; do
		for mode in per-message no-cookie resume keep; do
			loopback "$fam" "$mode"
		done
	done
	mtu_run
}

# --- twenty clients back to back against one --forever server ---

back_to_back() {
	local i ok=0 kargs
	creds server
	start_server "b2b" dtls_server -b 127.0.0.1 --forever --idle-timeout 3 "${CREDS[@]}" || return 0
	# The server owns its port: a second server is refused, so is a process that would
	# share it with SO_REUSEPORT (and take part of the clients' datagrams).
	run_client "b2b-busy" 10 dtls_server -b 127.0.0.1 -p "$SRV_PORT" "${CREDS[@]}"
	check_rc "dtls_server on a port in use: exit 1" "$RC" 1 "$ERR"
	check_eq "dtls_server on a port in use: one line" "$(cat "$ERR")" \
		"dtls_server: cannot listen on port $SRV_PORT: Address already in use"
	check_eq "dtls_server's port: a SO_REUSEPORT bind is refused" \
		"$(timeout 10 "$BADPEER" udp "$SRV_PORT" squat 2>&1)" "refused: Address already in use"
	creds client
	for i in $(seq 20); do
		kargs=()
		[ $((i % 2)) = 0 ] && kargs=(--keep)
		run_client "b2b-$i" "$T" dtls_client -p "$SRV_PORT" -s 64 -n 3 -w 0 "${CREDS[@]}" "${kargs[@]}"
		if [ "$RC" = 0 ] && grep -q "^end run=$(run_id "$OUT") sent=3 received=3 valid=3$" "$SRV_OUT"; then
			ok=$((ok + 1))
		else
			not_ok "back to back: client $i" "exit $RC" "$(cat "$ERR")"
		fi
	done
	check_eq "twenty clients back to back: all acked, all seen by the server" "$ok" 20
	# Each client's session had a socket of its own on the port (port_udp_adopt): still
	# nobody else can bind it.
	check_eq "dtls_server's port after 20 sessions: a SO_REUSEPORT bind is refused" \
		"$(timeout 10 "$BADPEER" udp "$SRV_PORT" squat 2>&1)" "refused: Address already in use"
	wait_exit "$SRV_PID" 20
	check_rc "back to back: server exits 0 when idle" "$EXIT_RC" 0 "$SRV_ERR"
	check_eq "back to back: server connections (10 x 4 per message + 10 kept)" \
		"$(field "$SRV_OUT" dtls conns)" 50
	check_eq "back to back: nothing superseded, nothing stray" \
		"$(field "$SRV_OUT" dtls superseded),$(field "$SRV_OUT" dtls stray)" "0,0"
}

# --- stale and garbage datagrams cost the next client nothing ---

# udp_send PORT FORMAT: one datagram (printf FORMAT) to 127.0.0.1:PORT.
udp_send() {
	# shellcheck disable=SC2059 # the format is the datagram
	printf "$2" >"/dev/udp/127.0.0.1/$1"
}

junk_run() {
	local what="stale and garbage datagrams"
	creds server
	start_server "junk" dtls_server -b 127.0.0.1 --forever --idle-timeout 2 "${CREDS[@]}" || return 0
	# garbage; a close_notify-sized alert record and an application record of epoch 1 (what
	# a previous client's late datagrams look like); a ClientHello cut after its header
	udp_send "$SRV_PORT" 'garbage'
	udp_send "$SRV_PORT" '\025\376\375\000\001\000\000\000\000\000\007\000\032%026s' ''
	udp_send "$SRV_PORT" '\027\376\375\000\001\000\000\000\000\000\010\000\040%032s' ''
	udp_send "$SRV_PORT" '\026\376\375\000\000\000\000\000\000\000\000\000\014\001\000\000\100\000\000\000\000\000\000\000\100'
	wait_lines "$SRV_ERR" "datagram is not a ClientHello" 4 10 || true
	creds client
	run_client "junk-cli" "$T" dtls_client -p "$SRV_PORT" -s 64 -n 3 -w 0 "${CREDS[@]}" -o "$TMP/junk.csv"
	check_rc "$what: then a good client: exit 0" "$RC" 0 "$ERR"
	check "$what: ... without a single handshake retransmission" csv_all "$TMP/junk.csv" "\$15 == 0"
	wait_exit "$SRV_PID" 20
	check_eq "$what: each dropped with its size on the server's stderr" \
		"$(sed -n 's/.*: \([0-9]*\)-byte datagram is not a ClientHello (stale or garbage): dropped$/\1/p' "$SRV_ERR" | tr '\n' ' ')" \
		"7 39 45 25 "
	check_eq "$what: counted as stray, no connection made for them" \
		"$(field "$SRV_OUT" dtls conns),$(field "$SRV_OUT" dtls stray)" "4,4"
}

# --- Mbed TLS's udp_proxy: handshake records dropped, delayed, duplicated ---

# proxy_run MODE: MODE per-message|keep through drop=4 delay=4 duplicate=4 seed=7.
proxy_run() {
	local mode=$1 what="udp_proxy drop/delay/duplicate, $1" acked lost
	local args=(-s 64 -n 12)
	[ "$mode" = keep ] && args=(--keep -s "64,1K" -n 40)
	creds server
	start_server "srv-proxy-$mode" dtls_server -b 127.0.0.1 "${CREDS[@]}" "${FAST[@]}" || return 0
	proxy_start "$SRV_PORT" drop=4 delay=4 duplicate=4 seed=7 || return 0
	creds client
	run_client "cli-proxy-$mode" "$T" dtls_client -p "$PROXY_PORT" "${args[@]}" -w 0 --timeout 1000 \
		"${FAST[@]}" "${CREDS[@]}" -o "$TMP/proxy.csv"
	check "$what: the run completes (exit 0 or 1, not killed: $RC)" [ "$RC" -le 1 ]
	acked=$(sed -n 's/^result .* acked=\([0-9]*\) .*/\1/p' "$OUT")
	lost=$(sed -n 's/^result .* lost=\([0-9]*\) .*/\1/p' "$OUT")
	check_grep "$what: result line, END acknowledged" "$OUT" "^result proto=dtls .* end=acked$"
	check_eq "$what: acked + lost = sent" "$((${acked:-0} + ${lost:-0}))" \
		"$(awk -F, 'NR > 1' "$TMP/proxy.csv" | wc -l)"
	wait_exit "$SRV_PID" 30
	# udp_proxy never touches application data: what the server got is what was acked.
	check_grep "$what: server received and validated exactly the acked messages" "$SRV_OUT" \
		"^end run=$(run_id "$OUT") sent=[0-9]+ received=${acked:-x} valid=${acked:-x}$"
	if [ "$mode" = per-message ]; then
		check "$what: client CSV reports handshake retransmissions ($(csv_sum "$TMP/proxy.csv" 15))" \
			[ "$(csv_sum "$TMP/proxy.csv" 15)" -gt 0 ]
		check_grep "$what: server reports its retransmissions" "$SRV_OUT" "^dtls .* retrans=[1-9]"
	fi
	stop_server "$PROXY_PID"
}

# A client that reconnects from the same address and port: through udp_proxy every client
# has the proxy's address and port. A --keep client is killed (no close_notify), the next
# client's ClientHello reaches the old connection: CLIENT_RECONNECT, a new handshake.
reconnect_run() {
	local what="reconnect from the same port" pid peer
	creds server
	start_server "srv-rec" dtls_server -b 127.0.0.1 --forever --idle-timeout 3 "${CREDS[@]}" || return 0
	proxy_start "$SRV_PORT" || return 0
	creds client
	for peer in good none; do
		"$BIN/dtls_client" -p "$PROXY_PORT" -s 64 -n 1000000 -w 0 --keep -q "${CREDS[@]}" \
			>/dev/null 2>&1 </dev/null &
		pid=$!
		PIDS+=("$pid")
		sleep 1
		signal KILL "$pid" || true
		wait "$pid" 2>/dev/null || true
		if [ "$peer" = good ]; then
			run_client "rec-good" "$T" dtls_client -p "$PROXY_PORT" -s 64 -n 2 -w 0 "${CREDS[@]}"
			check_rc "$what: the next client: exit 0" "$RC" 0 "$ERR"
			check_grep "$what: server: new handshake on the old connection" "$SRV_ERR" \
				": client reconnected from the same address and port: new handshake$"
		else
			run_client "rec-none" "$T" dtls_client -p "$PROXY_PORT" -s 64 -n 1 -w 0 --max-loss 1 \
				--ca "$EC/ca.crt" --cert none
			check_rc "$what: a client without certificate: refused" "$RC" 1 "$ERR"
			# (udp_proxy drops a client's last datagrams when the next client appears, so
			# the per-message clients' later connections are reconnects too)
			check_grep "$what: server re-authenticates: the new handshake fails" "$SRV_ERR" \
				": handshake after reconnect failed: SSL - No client certification received"
			check_grep "$what: server re-authenticates: reason logged" "$SRV_ERR" \
				": client certificate rejected: Certificate was missing$"
		fi
	done
	run_client "rec-after" "$T" dtls_client -p "$PROXY_PORT" -s 64 -n 2 -w 0 "${CREDS[@]}"
	check_rc "$what: then a good client again: exit 0" "$RC" 0 "$ERR"
	wait_exit "$SRV_PID" 20
	check_grep "$what: the killed clients' runs ended without END" "$SRV_OUT" "^run [0-9a-f]{8} ended without END"
	stop_server "$PROXY_PID"
}

proxy_runs() {
	if [ ! -x "$PROXY" ]; then
		not_ok "udp_proxy at $PROXY (make ${PROXY#"$ROOT"/})"
		return 0
	fi
	proxy_run per-message
	proxy_run keep
	reconnect_run
}

# --- real loss of application datagrams: nftables in a network namespace ---

# expect_drops COUNT N1 N2: what dropping every N1-th request and every N2-th ack (the first
# of each included: numgen starts at 0) does to COUNT messages and the END after them.
# Handshake datagrams are counted by other rules: they delay, never lose a message.
expect_drops() {
	local c=$1 n1=$2 n2=$3 i req=0 ack=0
	EXP_ACKED=0 EXP_LOST=0 EXP_RECEIVED=0 EXP_END=lost
	for ((i = 0; i < c; i++)); do
		if ((req++ % n1 == 0)); then EXP_LOST=$((EXP_LOST + 1)) && continue; fi
		EXP_RECEIVED=$((EXP_RECEIVED + 1))
		if ((ack++ % n2 == 0)); then EXP_LOST=$((EXP_LOST + 1)); else EXP_ACKED=$((EXP_ACKED + 1)); fi
	done
	# the first END must go through both ways (a non --forever server stops after it)
	if ((req % n1 != 0 && ack % n2 != 0)); then EXP_END=acked; fi
}

# ns_run MODE: COUNT messages of 64 bytes with these rules on the namespace's input hook:
# requests (content type 23 to the server) every 6th, acks every 5th, other client datagrams
# (handshake, close_notify) every 4th, other server datagrams every 5th.
ns_run() {
	local mode=$1 what="nftables every-Nth drop, $1" c=29 p run
	local args=()
	[ "$mode" = keep ] && args=(--keep)
	expect_drops "$c" 6 5
	rm -f "$TMP/ns.out"
	creds server
	ip netns exec "$NS" "$BIN/dtls_server" -p 0 -b 127.0.0.1 --timeout 2000 "${CREDS[@]}" "${FAST[@]}" \
		>"$TMP/ns.out" 2>"$TMP/ns.err" &
	SRV_PID=$!
	PIDS+=("$SRV_PID")
	wait_lines "$TMP/ns.out" "^ready port=" 1 10 || true
	p=$(sed -n 's/^ready port=\([0-9]*\)$/\1/p' "$TMP/ns.out")
	cat >"$TMP/rules.nft" <<EOF
flush ruleset
table inet ackb {
	chain input {
		type filter hook input priority 0; policy accept;
		udp dport ${p:-1} @th,64,8 0x17 numgen inc mod 6 == 0 counter drop
		udp sport ${p:-1} @th,64,8 0x17 numgen inc mod 5 == 0 counter drop
		udp dport ${p:-1} @th,64,8 != 0x17 numgen inc mod 4 == 0 counter drop
		udp sport ${p:-1} @th,64,8 != 0x17 numgen inc mod 5 == 0 counter drop
	}
}
EOF
	if [ -z "$p" ] || ! ip netns exec "$NS" nft -f "$TMP/rules.nft" 2>"$TMP/nft.err"; then
		not_ok "$what: server ready, rules loaded" "$(cat "$TMP/ns.err" "$TMP/nft.err" 2>/dev/null)"
		stop_server "$SRV_PID"
		return 0
	fi
	creds client
	OUT=$TMP/ns-cli.out
	ERR=$TMP/ns-cli.err
	RC=0
	timeout -k 5 "$T" ip netns exec "$NS" "$BIN/dtls_client" -p "$p" -s 64 -n "$c" -w 0 \
		--timeout 300 --max-loss 100 "${FAST[@]}" "${CREDS[@]}" "${args[@]}" -o "$TMP/ns.csv" \
		>"$OUT" 2>"$ERR" </dev/null || RC=$?
	check "$what: the run ends in bounded time (exit $RC)" [ "$RC" = 1 ]
	check_grep "$what: exactly the predicted losses ($EXP_LOST of $c)" "$OUT" \
		"^result proto=dtls .* messages=$c acked=$EXP_ACKED lost=$EXP_LOST end=$EXP_END$"
	run=$(run_id "$OUT")
	wait_exit "$SRV_PID" 20
	check_grep "$what: server valid = acked + acks lost ($EXP_RECEIVED)" "$TMP/ns.out" \
		"^end run=$run sent=$c received=$EXP_RECEIVED valid=$EXP_RECEIVED$"
	if [ "$mode" = per-message ]; then
		check "$what: handshake retransmissions in the CSV ($(csv_sum "$TMP/ns.csv" 15))" \
			[ "$(csv_sum "$TMP/ns.csv" 15)" -gt 0 ]
	fi
	check_eq "$what: no request counted twice by the server" \
		"$(grep -c "^end run=$run " "$TMP/ns.out")" 1
}

ns_runs() {
	local tool
	for tool in ip nft; do
		command -v "$tool" >/dev/null || { not_ok "loss tests: needs $tool"; return 0; }
	done
	NS="ackb-$$"
	if ! ip netns add "$NS" 2>"$TMP/ns-add.err" || ! ip -n "$NS" link set lo up; then
		not_ok "loss tests: network namespace $NS (needs root)" "$(cat "$TMP/ns-add.err")"
		NS=""
		return 0
	fi
	ns_run per-message
	ns_run keep
	ip netns del "$NS"
	NS=""
}

# --- negative matrix: refused by the verifying side with its reason; the server goes on ---

# refused_run WHAT SIDE REASON CLIENT-ARGS...: against the running server ($SRV_*).
refused_run() {
	local what=$1 side=$2 reason=$3
	shift 3
	run_client "refused" "$T" dtls_client -p "$SRV_PORT" -s 64 -n 1 -w 0 --max-loss 1 "$@"
	check_rc "$what: refused (exit 1)" "$RC" 1 "$ERR"
	check_grep "$what: nothing acked" "$OUT" "^result proto=dtls .* acked=0 lost=1 end=lost$"
	if [ "$side" = server ]; then
		if wait_lines "$SRV_ERR" ": client certificate rejected: $reason" 1 10; then
			ok "$what: reason on the server's stderr"
		else
			not_ok "$what: reason on the server's stderr" "$(tail -n 4 "$SRV_ERR")"
		fi
	else
		check_grep "$what: reason on the client's stderr" "$ERR" \
			"^dtls_client: 127\.0\.0\.1:$SRV_PORT: server certificate rejected: $reason"
	fi
}

good_after() {
	local what=$1
	shift
	run_client "good-after" "$T" dtls_client -p "$SRV_PORT" -s 64 -n 2 -w 0 "$@"
	check_rc "$what: the server goes on: a good client is served" "$RC" 0 "$ERR"
}

# A silent address (a UDP socket nobody reads: a stopped udp_server): the client gives up
# after two handshake deadlines instead of running every warm-up, message and END retry.
silent_run() {
	local what="silent address"
	start_server "silent" udp_server -b 127.0.0.1 || return 0
	signal STOP "$SRV_PID" || true
	creds client
	run_client "silent-cli" "$T" dtls_client -p "$SRV_PORT" -s 64,128 -n 3 --timeout 500 \
		--hs-deadline 1000 "${CREDS[@]}"
	check_rc "$what: exit 1" "$RC" 1 "$ERR"
	check_eq "$what: one line: given up after two handshakes" "$(cat "$ERR")" \
		"dtls_client: 127.0.0.1:$SRV_PORT never answered (2 messages in a row: timed out, nothing acknowledged): giving up"
	check_grep "$what: nothing sent after it (no END, no second size)" "$OUT" \
		"^result proto=dtls mode=per-message sizes=1 messages=0 acked=0 lost=0 end=lost$"
	stop_server "$SRV_PID"
}

negative_runs() {
	local b=$EC/bad name reason
	creds server
	start_server "neg" dtls_server -b 127.0.0.1 --forever "${CREDS[@]}" || return 0
	refused_run "client without certificate" server "Certificate was missing" \
		--ca "$EC/ca.crt" --cert none
	check_grep "client without certificate: the server's handshake_failure alert reaches it" \
		"$ERR" "last: SSL - A fatal alert message was received from our peer"
	creds rogue-client "$b"
	refused_run "client cert from another CA" server \
		"The certificate is not correctly signed by the trusted CA" "${CREDS[@]}"
	creds expired-client "$b"
	refused_run "expired client cert" server "The certificate validity has expired" "${CREDS[@]}"
	creds noclientauth-client "$b"
	refused_run "client cert without clientAuth" server \
		"Usage does not match the extendedKeyUsage extension" "${CREDS[@]}"
	creds client
	good_after "client-cert cases" "${CREDS[@]}"
	stop_server "$SRV_PID"
	for name in rogue-server expired-server wrongname-server; do
		case "$name" in
		rogue-server) reason="The certificate is not correctly signed by the trusted CA" ;;
		expired-server) reason="The certificate validity has expired" ;;
		wrongname-server) reason="The certificate Common Name \(CN\) does not match with the expected CN" ;;
		esac
		start_server "neg-$name" dtls_server -b 127.0.0.1 --forever --ca "$EC/ca.crt" \
			--cert "$b/$name.crt" --key "$b/$name.key" || continue
		creds client
		refused_run "server: $name" client "$reason" "${CREDS[@]}"
		case "$name" in
		rogue-server) good_after "server: $name" "${CREDS[@]}" --ca "$b/rogue-ca.crt" ;;
		wrongname-server) good_after "server: $name" "${CREDS[@]}" --server-name wrong.example.invalid ;;
		*) refused_run "server: $name, again: the server goes on" client "$reason" "${CREDS[@]}" ;;
		esac
		stop_server "$SRV_PID"
	done
}

# --- interop with OpenSSL's command line ---

# requests DIR: DIR/r1.bin, an ackbench request (run 12345678, seq 0, 64 bytes), and
# DIR/r2.bin, its END (seq 1), as src/msg.c writes them: "ACKB", version 1, type, 2 zero
# bytes, run id, seq, total length, reply length, send time (8 bytes), 'A' padding.
requests() {
	{
		printf 'ACKB\001\001\000\000\022\064\126\170\000\000\000\000\000\000\000\100\000\000\000\030'
		printf '\000\000\000\000\000\000\000\000'
		printf 'A%.0s' $(seq 32)
	} >"$1/r1.bin"
	{
		printf 'ACKB\001\002\000\000\022\064\126\170\000\000\000\001\000\000\000\040\000\000\000\030'
		printf '\000\000\000\000\000\000\000\000'
	} >"$1/r2.bin"
}

s_client_run() {
	local what="openssl s_client -dtls1_2 -> dtls_server" got
	requests "$TMP"
	creds server
	start_server "s_client" dtls_server -b 127.0.0.1 "${CREDS[@]}" || return 0
	# one record per message: a pause between them, stdin open until the acks are in
	{
		sleep 0.5
		cat "$TMP/r1.bin"
		sleep 0.5
		cat "$TMP/r2.bin"
		sleep 1
	} | timeout -k 5 20 openssl s_client -dtls1_2 -connect "127.0.0.1:$SRV_PORT" \
		-CAfile "$EC/ca.crt" -cert "$EC/client.crt" -key "$EC/client.key" \
		-verify_return_error -verify_ip 127.0.0.1 -quiet -no_ign_eof \
		>"$TMP/sc.bin" 2>"$TMP/sc.err" || true
	got=$(od -An -v -tx1 -N16 "$TMP/sc.bin" | tr -d ' \n')
	check_eq "$what: ack for seq 0 of run 12345678" "$got" "61636b00123456780000000000000018"
	got=$(od -An -v -tx1 -j24 -N16 "$TMP/sc.bin" | tr -d ' \n')
	check_eq "$what: ack for END (seq 1)" "$got" "61636b00123456780000000100000018"
	wait_exit "$SRV_PID" 20
	check_grep "$what: server saw the request valid" "$SRV_OUT" "^end run=12345678 sent=1 received=1 valid=1$"
	check_grep "$what: s_client verified dtls_server's certificate" "$TMP/sc.err" \
		"^depth=0 O = ackbench, CN = ackbench-server$"
}

s_server_run() {
	local what="dtls_client -> openssl s_server -dtls1_2 -Verify 1" i port='' pid
	rm -f "$TMP/ss.fifo"
	mkfifo "$TMP/ss.fifo"
	exec 7<>"$TMP/ss.fifo"
	openssl s_server -dtls1_2 -accept 127.0.0.1:0 -cert "$EC/server.crt" -key "$EC/server.key" \
		-CAfile "$EC/ca.crt" -Verify 1 -verify_return_error -naccept 1 \
		<"$TMP/ss.fifo" >"$TMP/ss.out" 2>"$TMP/ss.err" &
	pid=$!
	PIDS+=("$pid")
	for i in $(seq 100); do
		port=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$TMP/ss.out")
		[ -z "$port" ] || break
		sleep 0.1
	done
	if [ -z "$port" ]; then
		not_ok "$what: s_server ready (after $i polls)" "$(cat "$TMP/ss.err")"
		stop_server "$pid"
		exec 7>&-
		return 0
	fi
	creds client
	# s_server does not answer, nor take a second connection: END's tries fail at once
	run_client "cli-ss" "$T" dtls_client -p "$port" -s 64 -n 1 -w 0 --max-loss 1 --timeout 1000 \
		--hs-deadline 1000 "${CREDS[@]}" -o "$TMP/ss.csv"
	check_grep "$what: handshake completed (negotiated line)" "$OUT" \
		"^# negotiated: DTLSv1.2 .* secp256r1 EC-256"
	check "$what: CSV: handshake bytes both ways, server cert among them" \
		csv_all "$TMP/ss.csv" "\$13 > 0 && \$14 > $SRVDER"
	check_grep "$what: s_server verified our client certificate" "$TMP/ss.err" \
		"^depth=0 O = ackbench, CN = ackbench-client$"
	if wait_lines "$TMP/ss.out" "ACKB" 1 10; then
		ok "$what: our request reached s_server decrypted"
	else
		not_ok "$what: our request reached s_server decrypted" "$(tail -n 3 "$TMP/ss.out")"
	fi
	stop_server "$pid"
	exec 7>&-
}

usage_runs
loopback_runs
back_to_back
junk_run
negative_runs
silent_run
proxy_runs
ns_runs
s_client_run
s_server_run
summary
