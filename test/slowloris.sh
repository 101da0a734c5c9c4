#!/bin/bash
# slowloris.sh - idle and trickling peers do not hold a server (issue 16, defect 2): while
# 100 TCP connections that send nothing and 20 that trickle a TLS record a byte every
# 200 ms stay open, a good tls_client is served, every message acknowledged, at the
# default --max-conns 1 and at --max-conns 16, and while 100 send a whole ClientHello and
# then nothing; while 100 DTLS peers that completed the
# cookie exchange sit silent, and then while 100 resend their ClientHello with its cookie,
# a good dtls_client is served too, and the server goes on serving after them (its
# handshake lobby pushed the silent ones out: src/srvlobby.h). Not timed: the cost in
# milliseconds is scripts/bench-slowloris.sh's.
#   test/slowloris.sh BIN_DIR     (e.g. build/native/bin; see test/lib.sh)
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=60     # bound on any one client run, seconds
IDLE=100 # idle TCP connections
TRICKLE=20
DPEERS=100 # DTLS peers of each kind

if [ ! -x "$BADPEER" ]; then
	not_ok "badpeer is at $BADPEER (make build/native/test/badpeer)"
	summary
	exit 1
fi
EC=$TMP/ec
gen_certs ec256 "$EC"
SRV=(--ca "$EC/ca.crt" --cert "$EC/server.crt" --key "$EC/server.key")
CLI=(--ca "$EC/ca.crt" --cert "$EC/client.crt" --key "$EC/client.key")

# swarm NAME PROTO KIND COUNT [ARGS...]: COUNT badpeer peers on the server for 60 s; waits
# until they are all started.
swarm() {
	local name=$1 proto=$2 kind=$3 count=$4
	shift 4
	"$BADPEER" -n "$count" -t 60 "$@" "$proto" "$SRV_PORT" "$kind" >"$TMP/$name.out" \
		2>"$TMP/$name.err" &
	PIDS+=("$!")
	SWARMS+=("$!")
	wait_lines "$TMP/$name.out" "^started peers=$count$" 1 20 ||
		not_ok "$name: $count $kind peers started" "$(cat "$TMP/$name.err")"
}

# unswarm: the swarms go.
unswarm() {
	local p
	for p in "${SWARMS[@]}"; do
		signal TERM "$p" || true
		wait "$p" 2>/dev/null || true
	done
	SWARMS=()
}
SWARMS=()

# established: TCP connections open on the server's port (both ends of each are counted
# once: the server's side, by its local port).
established() {
	ss -Htn state established "sport = :$SRV_PORT" | wc -l
}

tls_run() {
	local conns=$1 what="tls --max-conns $1, $IDLE idle + $TRICKLE trickling peers" n
	start_server "tls-$conns" tls_server -b 127.0.0.1 --forever --max-conns "$conns" \
		"${SRV[@]}" || return 0
	swarm "idle-$conns" tcp silent "$IDLE"
	swarm "trickle-$conns" tcp tls-trickle "$TRICKLE"
	n=$(established)
	check "$what: all $((IDLE + TRICKLE)) connections open (got $n)" \
		[ "$n" -ge $((IDLE + TRICKLE)) ]
	run_client "tls-good-$conns" "$T" tls_client -p "$SRV_PORT" "${CLI[@]}" -s 64 -n 20 -w 0 -q
	check_grep "$what: the good client is served, every message acked" "$OUT" \
		"^result proto=tls mode=per-message sizes=1 messages=20 acked=20 lost=0 end=acked$"
	n=$(established)
	check "$what: ... while they stay open (got $n)" [ "$n" -ge $((IDLE + TRICKLE)) ]
	check_nogrep "$what: none of them reached a handshake" "$SRV_ERR" "handshake failed"
	unswarm
	stop_server "$SRV_PID"
}

# kept_lines WHAT CSV SECS: the server's "handshake failed" lines (in $SRV_ERR) under a flood
# were limited (src/loglimit.h): 50 at once, then at most 10 a second and a line with the
# count of the others at most once a second, over the SECS (whole seconds, rounded down) it
# ran; and none was lost: the summary's total, printed and suppressed are the failed
# connections in the server's CSV (status neither 0 nor a stop's, ACK_ERR_STOPPED -0x1000B),
# the lines printed, and the sum of the counts in the "suppressed" lines.
kept_lines() {
	local what=$1 csv=$2 secs=$3 p ns s sum f
	p=$(grep -Ec ": conn [0-9]+ from [^ ]+: handshake failed: " "$SRV_ERR" || true)
	ns=$(grep -Ec '^[a-z_]+: \.\.\. [0-9]+ more "handshake failed" line\(s\) suppressed$' \
		"$SRV_ERR" || true)
	s=$(sed -n 's/^[a-z_]*: \.\.\. \([0-9]*\) more "handshake failed" line.*/\1/p' "$SRV_ERR" |
		awk '{ n += $1 } END { print n + 0 }')
	sum=$(sed -n 's/^[a-z_]*: "handshake failed" lines: \([0-9]*\) in all, \([0-9]*\) printed, \([0-9]*\) suppressed (50 at once, then 10 a second)$/\1 \2 \3/p' \
		"$SRV_ERR")
	f=$(awk -F, '$1 == "conn" && $10 != 0 && $10 != -65547' "$csv" | wc -l)
	# a flood too slow to empty the bucket (a slow build) has no summary
	[ -n "$sum" ] || [ "$ns" -ne 0 ] || sum="$p $p 0"
	check "$what: at most 50 + 11 \"handshake failed\" lines a second ($p printed and $ns counts in $secs s)" \
		[ $((p + ns)) -le $((50 + 11 * (secs + 2))) ]
	check_eq "$what: the summary's failed handshakes: in all (= failed rows of the CSV), printed, suppressed" \
		"$sum" "$f $p $s"
}

# tls_hello_run CONNS: 100 peers that send a whole ClientHello and then nothing (each
# starts again when the server closes it): the good client is served; the server's lines
# about the flood are limited, its counts complete (kept_lines).
tls_hello_run() {
	local conns=$1 what="tls --max-conns $1, $DPEERS peers silent after their ClientHello" n t0
	t0=$SECONDS
	start_server "tlshello-$conns" tls_server -b 127.0.0.1 --forever --max-conns "$conns" \
		-o "$TMP/tlshello-$conns.csv" "${SRV[@]}" || return 0
	swarm "thello-$conns" tcp tls-hello "$DPEERS"
	sleep 1
	run_client "tls-hgood-$conns" "$T" tls_client -p "$SRV_PORT" "${CLI[@]}" -s 64 -n 5 -w 0 -q
	check_grep "$what: the good client is served, every message acked" "$OUT" \
		"^result proto=tls mode=per-message sizes=1 messages=5 acked=5 lost=0 end=acked$"
	unswarm
	n=$(grep -c "handshake failed: never answered our first flight while every handshake place was taken: pushed out$" "$SRV_ERR" || true)
	check "$what: their handshakes were pushed out (got $n)" [ "$n" -ge 1 ]
	stop_server "$SRV_PID"
	kept_lines "$what" "$TMP/tlshello-$conns.csv" $((SECONDS - t0))
}

# dtls_run CONNS: 100 peers silent after their cookie exchange, then 100 that resend their
# ClientHello with its cookie every 200 ms: each time a good client is served, and after
# them the server goes on serving.
dtls_run() {
	local conns=$1 what="dtls --max-conns $1" n t0
	t0=$SECONDS
	start_server "dtls-$conns" dtls_server -b 127.0.0.1 --forever --max-conns "$conns" \
		-o "$TMP/dtls-$conns.csv" "${SRV[@]}" || return 0
	swarm "dsilent-$conns" udp dtls-silent "$DPEERS"
	sleep 1 # their cookie exchanges done, their second ClientHellos sent
	run_client "dtls-good-$conns" "$T" dtls_client -p "$SRV_PORT" "${CLI[@]}" -s 64 -n 5 -w 0 -q
	check_grep "$what, $DPEERS peers silent after the cookie exchange: the good client is served, every message acked" \
		"$OUT" "^result proto=dtls mode=per-message sizes=1 messages=5 acked=5 lost=0 end=acked$"
	unswarm
	swarm "dresend-$conns" udp dtls-trickle "$DPEERS"
	sleep 1
	run_client "dtls-good2-$conns" "$T" dtls_client -p "$SRV_PORT" "${CLI[@]}" -s 64 -n 5 -w 0 -q
	check_grep "$what, $DPEERS peers resending their ClientHello: the good client is served, every message acked" \
		"$OUT" "^result proto=dtls mode=per-message sizes=1 messages=5 acked=5 lost=0 end=acked$"
	unswarm
	run_client "dtls-after-$conns" "$T" dtls_client -p "$SRV_PORT" "${CLI[@]}" -s 64 -n 5 -w 0 -q
	check_grep "$what: after them, the server goes on serving" "$OUT" \
		"^result proto=dtls mode=per-message sizes=1 messages=5 acked=5 lost=0 end=acked$"
	n=$(grep -c "handshake failed: never answered our first flight while every handshake place was taken: pushed out$" "$SRV_ERR" || true)
	check "$what: handshakes that were never answered were pushed out (got $n)" [ "$n" -ge 1 ]
	stop_server "$SRV_PID"
	check_grep "$what: the server says what its handshake lobby pushed out and shunned" \
		"$SRV_ERR" "^dtls_server: handshake lobby: [1-9][0-9]* handshake\(s\) pushed out, [1-9][0-9]* silent peer\(s\) shunned for 30 s, [0-9]+ ClientHello\(s\) of shunned peers dropped$"
	kept_lines "$what" "$TMP/dtls-$conns.csv" $((SECONDS - t0))
}

tls_run 1
tls_run 16
tls_hello_run 1
tls_hello_run 16
dtls_run 1
dtls_run 16
summary
