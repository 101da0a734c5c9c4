#!/bin/bash
# slowloris.sh - idle and trickling peers do not hold a server (issue 16, defect 2): while
# 100 TCP connections that send nothing and 20 that trickle a TLS record a byte every
# 200 ms stay open, a good tls_client is served, every message acknowledged, at the
# default --max-conns 1 and at --max-conns 16; while DTLS peers that complete the cookie
# exchange and go silent keep coming, a good dtls_client is served too. Not timed: the
# cost in milliseconds is scripts/bench-slowloris.sh's.
#   test/slowloris.sh BIN_DIR     (e.g. build/native/bin; see test/lib.sh)
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=60     # bound on any one client run, seconds
IDLE=100 # idle TCP connections
TRICKLE=20

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

dtls_run() {
	local what="dtls --max-conns 1, peers silent after the cookie exchange"
	start_server "dtls" dtls_server -b 127.0.0.1 --forever "${SRV[@]}" || return 0
	# 4 peers, silent after the cookie exchange, their sockets open: each handshake
	# the server starts with one of them waits for a peer that never answers.
	swarm "dsilent" udp dtls-silent 4
	sleep 1
	run_client "dtls-good" "$T" dtls_client -p "$SRV_PORT" "${CLI[@]}" -s 64 -n 5 -w 0 -q
	check_grep "$what: the good client is served, every message acked" "$OUT" \
		"^result proto=dtls mode=per-message sizes=1 messages=5 acked=5 lost=0 end=acked$"
	check_grep "$what: the server gave way to newcomers" "$SRV_ERR" \
		"handshake failed: silent for a handshake timer while a new client waited: gave way$"
	unswarm
	stop_server "$SRV_PID"
}

tls_run 1
tls_run 16
dtls_run
summary
