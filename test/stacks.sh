#!/bin/bash
# stacks.sh - the TLS stacks against each other on loopback, real programs of every stack
# built (src/stack/*, `make -s print-STACKS`: a stack added later joins without edits):
#   - interop: every client stack x every server stack, TLS 1.2, TLS 1.3 (also --resume)
#     and DTLS 1.2, per message and --keep: exit 0, everything acked, the server's end
#     line matching, the pinned suite and group negotiated;
#   - negative matrix, each stack as client and as server: no client certificate, a client
#     certificate from another CA, an expired one, a server certificate from another CA,
#     an expired one, a wrong server name: refused, the reason on the verifying side only,
#     the server goes on serving; a TLS 1.2 server refusing a missing client certificate
#     sends a fatal alert (the client reports it);
#   - each stack's servers (but mbedtls': tls.sh, dtls.sh) survive bad peers (test/badpeer.c: garbage, truncated, and on
#     TLS silent and trickling) and serve a good client afterwards;
#   - DTLS loss for each stack's own pair except mbedtls (test/dtls.sh has those): Mbed
#     TLS's udp_proxy (drop, delay, duplicate) and nftables every-Nth drops in a network
#     namespace made here, losses accounted exactly. STACKS_LOSSES=0 leaves these and the
#     bad-peer runs out (the sanitizer pass of make test: they involve only the other
#     stacks' programs, the same as in the first pass).
#   test/stacks.sh BIN_DIR   BIN_DIR: programs of one stack (e.g. build/native/bin); the
#                            other stacks' are taken from their build directories
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=60
NS=""
FAST=(--hs-timeout "100,3200")
PROXY=${UDP_PROXY:-$BIN/../mbedtls/programs/test/udp_proxy}
[ -x "$PROXY" ] || PROXY=$ROOT/build/native/mbedtls/programs/test/udp_proxy

stacks_cleanup() {
	tlib_cleanup
	[ -z "$NS" ] || ip netns del "$NS" 2>/dev/null || true
}
trap stacks_cleanup EXIT

declare -A SBIN
STACKS=()
here=$(stack_of "$BIN")
for s in $(make_var print-STACKS); do
	if [ "$s" = "$here" ]; then
		d=$BIN
	else
		d=$(stack_bin "$s")
	fi
	if [ "$(stack_of "$d")" != "$s" ] || [ ! -x "$d/dtls_server" ]; then
		not_ok "stack $s built in $d (make STACK=$s)"
		continue
	fi
	SBIN[$s]=$d
	STACKS+=("$s")
done
ok "stacks: ${STACKS[*]}"

EC=$TMP/ec
gen_certs ec256 "$EC"
B=$EC/bad
SRV_CREDS=(--ca "$EC/ca.crt" --cert "$EC/server.crt" --key "$EC/server.key")
CLI_CREDS=(--ca "$EC/ca.crt" --cert "$EC/client.crt" --key "$EC/client.key")

# cli STACK NAME PROG ARGS...: run_client with STACK's programs.
cli() {
	local s=$1
	shift
	BIN=${SBIN[$s]} run_client "$@"
}

# srv STACK NAME PROG ARGS...: start_server with STACK's programs (--forever, loopback).
srv() {
	local s=$1 name=$2 prog=$3
	shift 3
	SRV_BIN=${SBIN[$s]} start_server "$name" "$prog" -b 127.0.0.1 --forever "$@"
}

# served WHAT N [SENT]: the client acked N timed messages and the END, the server's end
# line agrees (SENT: with the warm-up ones, default N).
served() {
	local what=$1 n=$2 sent=${3:-$2}
	check_rc "$what: exit 0" "$RC" 0 "$ERR"
	check_grep "$what: all acked" "$OUT" "^result proto=[a-z]+ .* acked=$n lost=0 end=acked$"
	if wait_lines "$SRV_OUT" "^end run=$(run_id "$OUT") sent=$sent received=$sent valid=$sent$" 1 10; then
		ok "$what: server's end line matches"
	else
		not_ok "$what: server's end line matches" "$(tail -n 3 "$SRV_OUT")"
	fi
}

# --- interop: every client stack against every server stack ---

interop_pair() {
	local proto=$1 ss=$2 cs=$3 v what ver mode vo
	for v in $([ "$proto" = tls ] && echo 1.2 1.3 || echo 1.2); do
		ver=TLSv$v
		vo=(--tls "$v")
		[ "$proto" = dtls ] && ver=DTLSv1.2 && vo=()
		for mode in per-message keep resume; do
			what="$proto $v $cs client -> $ss server, $mode"
			case "$mode" in
			per-message) cli "$cs" cli "$T" "${proto}_client" -p "$SRV_PORT" -s 64,1K -n 3 -w 0 \
				"${CLI_CREDS[@]}" "${vo[@]}" -o "$TMP/i.csv" ;;
			keep) cli "$cs" cli "$T" "${proto}_client" -p "$SRV_PORT" -s 64,1K -n 5 -w 0 --keep \
				"${CLI_CREDS[@]}" "${vo[@]}" ;;
			resume) cli "$cs" cli "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 3 -w 1 --resume \
				"${CLI_CREDS[@]}" "${vo[@]}" -o "$TMP/i.csv" ;;
			esac
			case "$mode" in
			per-message) served "$what" 6 ;;
			keep) served "$what" 10 ;;
			resume) served "$what" 3 4 ;;
			esac
			check_grep "$what: $ver, pinned AES-128-GCM and secp256r1" "$OUT" \
				"^# negotiated: $ver [^ ]*AES.?128.?GCM[^ ]* secp256r1 "
			if [ "$mode" = resume ]; then
				check "$what: every timed handshake resumed" csv_all "$TMP/i.csv" "\$16 == 1"
			fi
		done
	done
}

interop() {
	local proto ss cs
	for proto in tls dtls; do
		for ss in "${STACKS[@]}"; do
			srv "$ss" "srv-$proto-$ss" "${proto}_server" "${SRV_CREDS[@]}" || continue
			for cs in "${STACKS[@]}"; do
				interop_pair "$proto" "$ss" "$cs"
			done
			stop_server "$SRV_PID"
		done
	done
}

# --- negative matrix ---

# refused WHAT SIDE PROTO CLIENT-STACK ARGS...: against the running server; SIDE (server or
# client) verifies and must print its reason, the other side must not.
refused() {
	local what=$1 side=$2 proto=$3 cs=$4 before
	shift 4
	before=$(grep -c "certificate rejected" "$SRV_ERR" || true)
	cli "$cs" refused "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 1 -w 0 --max-loss 1 "$@"
	check_rc "$what: client exit 1" "$RC" 1 "$ERR"
	check_grep "$what: nothing acked" "$OUT" "^result .* acked=0 lost=1 end=lost$"
	if [ "$side" = server ]; then
		if wait_lines "$SRV_ERR" ": client certificate rejected: " $((before + 1)) 10; then
			ok "$what: reason on the server's stderr"
		else
			not_ok "$what: reason on the server's stderr" "$(tail -n 3 "$SRV_ERR")"
		fi
		check_nogrep "$what: no reason on the client's side" "$ERR" "certificate rejected"
	else
		check_grep "$what: reason on the client's stderr" "$ERR" \
			"^${proto}_client: 127\.0\.0\.1:$SRV_PORT: server certificate rejected: "
		sleep 0.2
		check_eq "$what: no reason on the server's side" \
			"$(grep -c "certificate rejected" "$SRV_ERR" || true)" "$before"
	fi
}

# still_serving WHAT CLIENT-STACK PROTO ARGS...: a good client is served afterwards.
still_serving() {
	local what=$1 cs=$2 proto=$3
	shift 3
	cli "$cs" good "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 2 -w 0 "$@"
	served "$what: then a good client" 2
}

negatives_version() {
	local proto=$1 v=$2 ss cs name what vo=(--tls "$2")
	[ "$proto" = dtls ] && vo=()
	for ss in "${STACKS[@]}"; do
		srv "$ss" "neg-$proto-$v-$ss" "${proto}_server" "${SRV_CREDS[@]}" || continue
		for cs in "${STACKS[@]}"; do
			what="$proto $v $cs client -> $ss server"
			refused "$what: no client certificate" server "$proto" "$cs" "${vo[@]}" \
				--ca "$EC/ca.crt" --cert none
			if [ "$proto" = tls ] && [ "$v" = 1.2 ]; then
				check_grep "$what: no client certificate: the server's fatal alert reaches the client" \
					"$ERR" "[Aa]lert"
			fi
			refused "$what: client cert from another CA" server "$proto" "$cs" "${vo[@]}" \
				--ca "$EC/ca.crt" --cert "$B/rogue-client.crt" --key "$B/rogue-client.key"
			refused "$what: expired client cert" server "$proto" "$cs" "${vo[@]}" \
				--ca "$EC/ca.crt" --cert "$B/expired-client.crt" --key "$B/expired-client.key"
			refused "$what: wrong server name" client "$proto" "$cs" "${vo[@]}" \
				"${CLI_CREDS[@]}" --server-name wrong.example.invalid
			still_serving "$what: refusals" "$cs" "$proto" "${vo[@]}" "${CLI_CREDS[@]}"
		done
		stop_server "$SRV_PID"
		for name in rogue-server expired-server; do
			srv "$ss" "neg-$name-$proto-$v-$ss" "${proto}_server" --ca "$EC/ca.crt" \
				--cert "$B/$name.crt" --key "$B/$name.key" || continue
			for cs in "${STACKS[@]}"; do
				refused "$proto $v $cs client -> $ss server: $name" client "$proto" "$cs" \
					"${vo[@]}" "${CLI_CREDS[@]}"
			done
			# it goes on serving: a client that trusts its CA (the rogue one) is served
			if [ "$name" = rogue-server ]; then
				still_serving "$proto $v $ss server: $name" "$ss" "$proto" "${vo[@]}" \
					--ca "$B/rogue-ca.crt" --cert "$EC/client.crt" --key "$EC/client.key"
			else
				check "$proto $v $ss server: $name: still running" running "$SRV_PID"
			fi
			stop_server "$SRV_PID"
		done
	done
}

negatives() {
	negatives_version tls 1.2
	negatives_version tls 1.3
	negatives_version dtls 1.2
}

# --- bad peers: each stack's servers survive garbage, a silent and a trickling peer ---

bad_peers() {
	local ss proto kind kinds
	if [ "${STACKS_LOSSES:-1}" = 0 ]; then
		echo "# bad-peer runs of the other stacks left out (STACKS_LOSSES=0)"
		return 0
	fi
	for proto in tls dtls; do
		for ss in "${STACKS[@]}"; do
			[ "$ss" != mbedtls ] || continue # test/tls.sh and test/dtls.sh have these
			srv "$ss" "bad-$proto-$ss" "${proto}_server" "${SRV_CREDS[@]}" --timeout 1000 \
				--hs-deadline 2000 || continue
			kinds="garbage truncated"
			[ "$proto" = tls ] && kinds="garbage truncated silent trickle"
			for kind in $kinds; do
				timeout -k 5 30 "$BADPEER" "$([ "$proto" = tls ] && echo tcp || echo udp)" \
					"$SRV_PORT" "$kind" >/dev/null 2>&1 || true
			done
			check "$proto $ss server: alive after bad peers ($kinds)" running "$SRV_PID"
			still_serving "$proto $ss server: bad peers" "$ss" "$proto" "${CLI_CREDS[@]}"
			stop_server "$SRV_PID"
		done
	done
}

# --- DTLS loss, each stack's own pair ---

csv_sum() {
	awk -F, -v c="$2" 'NR > 1 { s += $c } END { print s + 0 }' "$1"
}

# proxy_run STACK MODE: handshake records dropped, delayed, duplicated; nothing lost for good.
proxy_run() {
	local s=$1 mode=$2 what="$1 dtls pair, udp_proxy drop/delay/duplicate, $2" acked lost
	local args=(-s 64 -n 12)
	[ "$mode" = keep ] && args=(--keep -s "64,1K" -n 40)
	SRV_BIN=${SBIN[$s]} start_server "srv-proxy-$s-$mode" dtls_server -b 127.0.0.1 \
		"${SRV_CREDS[@]}" "${FAST[@]}" || return 0
	proxy_start "$SRV_PORT" drop=4 delay=4 duplicate=4 seed=7 || return 0
	cli "$s" "cli-proxy-$mode" "$T" dtls_client -p "$PROXY_PORT" "${args[@]}" -w 0 \
		--timeout 1000 "${FAST[@]}" "${CLI_CREDS[@]}" -o "$TMP/proxy.csv"
	check "$what: the run completes (exit 0 or 1, not killed: $RC)" [ "$RC" -le 1 ]
	acked=$(sed -n 's/^result .* acked=\([0-9]*\) .*/\1/p' "$OUT")
	lost=$(sed -n 's/^result .* lost=\([0-9]*\) .*/\1/p' "$OUT")
	check_grep "$what: result line, END acknowledged" "$OUT" "^result proto=dtls .* end=acked$"
	check_eq "$what: acked + lost = sent" "$((${acked:-0} + ${lost:-0}))" \
		"$(awk -F, 'NR > 1' "$TMP/proxy.csv" | wc -l)"
	wait_exit "$SRV_PID" 30
	check_grep "$what: server received and validated exactly the acked messages" "$SRV_OUT" \
		"^end run=$(run_id "$OUT") sent=[0-9]+ received=${acked:-x} valid=${acked:-x}$"
	if [ "$mode" = per-message ]; then
		check "$what: client CSV reports handshake retransmissions ($(csv_sum "$TMP/proxy.csv" 15))" \
			[ "$(csv_sum "$TMP/proxy.csv" 15)" -gt 0 ]
		check_grep "$what: server reports its retransmissions" "$SRV_OUT" "^dtls .* retrans=[1-9]"
	fi
	stop_server "$PROXY_PID"
}

# expect_drops COUNT N1 N2: as test/dtls.sh: every N1-th request and every N2-th ack lost.
expect_drops() {
	local c=$1 n1=$2 n2=$3 i req=0 ack=0
	EXP_ACKED=0 EXP_LOST=0 EXP_RECEIVED=0 EXP_END=lost
	for ((i = 0; i < c; i++)); do
		if ((req++ % n1 == 0)); then EXP_LOST=$((EXP_LOST + 1)) && continue; fi
		EXP_RECEIVED=$((EXP_RECEIVED + 1))
		if ((ack++ % n2 == 0)); then EXP_LOST=$((EXP_LOST + 1)); else EXP_ACKED=$((EXP_ACKED + 1)); fi
	done
	if ((req % n1 != 0 && ack % n2 != 0)); then EXP_END=acked; fi
}

# ns_run STACK MODE: nftables drops in the namespace: the rules of test/dtls.sh for
# requests (every 6th) and acks (every 5th); handshake datagrams every 4th from the client,
# every 7th from the server. (test/dtls.sh drops every 5th server handshake datagram: a
# stack that sends each handshake message of a flight in its own datagram, as OpenSSL
# does, has 5-datagram flights there, so the same message would be dropped on every
# resend until the handshake gives up. A real path does not lose in step with a flight.)
ns_run() {
	local s=$1 mode=$2 what="$1 dtls pair, nftables every-Nth drop, $2" c=29 p run
	local args=()
	[ "$mode" = keep ] && args=(--keep)
	expect_drops "$c" 6 5
	rm -f "$TMP/ns.out"
	ip netns exec "$NS" "${SBIN[$s]}/dtls_server" -p 0 -b 127.0.0.1 --timeout 2000 \
		"${SRV_CREDS[@]}" "${FAST[@]}" >"$TMP/ns.out" 2>"$TMP/ns.err" &
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
		udp sport ${p:-1} @th,64,8 != 0x17 numgen inc mod 7 == 0 counter drop
	}
}
EOF
	if [ -z "$p" ] || ! ip netns exec "$NS" nft -f "$TMP/rules.nft" 2>"$TMP/nft.err"; then
		not_ok "$what: server ready, rules loaded" "$(cat "$TMP/ns.err" "$TMP/nft.err" 2>/dev/null)"
		stop_server "$SRV_PID"
		return 0
	fi
	OUT=$TMP/ns-cli.out
	ERR=$TMP/ns-cli.err
	RC=0
	timeout -k 5 "$T" ip netns exec "$NS" "${SBIN[$s]}/dtls_client" -p "$p" -s 64 -n "$c" -w 0 \
		--timeout 300 --max-loss 100 "${FAST[@]}" "${CLI_CREDS[@]}" "${args[@]}" \
		-o "$TMP/ns.csv" >"$OUT" 2>"$ERR" </dev/null || RC=$?
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
}

losses() {
	local s tool
	if [ "${STACKS_LOSSES:-1}" = 0 ]; then
		echo "# DTLS loss runs of the other stacks left out (STACKS_LOSSES=0)"
		return 0
	fi
	if [ ! -x "$PROXY" ]; then
		not_ok "udp_proxy at $PROXY (make build/native/mbedtls/programs/test/udp_proxy)"
		return 0
	fi
	for tool in ip nft; do
		command -v "$tool" >/dev/null || { not_ok "loss tests: needs $tool"; return 0; }
	done
	NS="ackb-st-$$"
	if ! ip netns add "$NS" 2>"$TMP/ns-add.err" || ! ip -n "$NS" link set lo up; then
		not_ok "loss tests: network namespace $NS (needs root)" "$(cat "$TMP/ns-add.err")"
		NS=""
		return 0
	fi
	for s in "${STACKS[@]}"; do
		[ "$s" != mbedtls ] || continue # test/dtls.sh runs these for mbedtls
		proxy_run "$s" per-message
		proxy_run "$s" keep
		ns_run "$s" per-message
		ns_run "$s" keep
	done
	ip netns del "$NS"
	NS=""
}

t0=$(date +%s)
interop
echo "# interop: $(($(date +%s) - t0)) s"
t0=$(date +%s)
negatives
echo "# negatives: $(($(date +%s) - t0)) s"
t0=$(date +%s)
bad_peers
echo "# bad peers: $(($(date +%s) - t0)) s"
t0=$(date +%s)
losses
echo "# losses: $(($(date +%s) - t0)) s"
summary
