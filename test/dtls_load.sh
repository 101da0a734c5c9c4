#!/bin/bash
# dtls_load.sh - integration test of a DTLS server serving many clients at once (issue 12):
# N clients (--parallel) start handshakes on one listening socket at the same time; on clean
# loopback no datagram may be lost, so no handshake may need a retransmission. Before the
# listener backlog (ports/posix/port_dgq.c) the datagrams of other clients queued on the
# listening socket when it was connected to one client went with it and were lost (their
# clients waited for a retransmission timer, a few per run gave up).
# The timers start at 2 s (--hs-timeout 2000,8000 on both sides): a flight delayed by a
# loaded CPU does not fire them, a lost datagram always does (the clients retransmit).
# A stack that does not declare threads_ok refuses --max-conns N; that is checked instead.
#   test/dtls_load.sh BIN_DIR     (e.g. build/native/bin; see test/lib.sh)
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

T=120     # bound on the client run, seconds
P=8       # clients in parallel, and the server's --max-conns
N=240     # handshakes (one per message)
TIMER=2000,8000

for x in dtls_client dtls_server; do
	if [ ! -x "$BIN/$x" ]; then
		not_ok "$x is in $BIN"
		summary
		exit 1
	fi
done

# col FILE NAME: the number of the CSV column called NAME (0 if none)
col() {
	head -n 1 "$1" | awk -F, -v n="$2" '{ for (i = 1; i <= NF; i++) if ($i == n) { print i; exit } }
		END { if (NR == 0) print 0 }'
}

# sum_col FILE NAME: the sum of column NAME over the data rows ("-" if there is none)
sum_col() {
	local c
	c=$(col "$1" "$2")
	if [ -z "$c" ] || [ "$c" -eq 0 ]; then
		echo -
		return 0
	fi
	awk -F, -v c="$c" 'NR > 1 { s += $c } END { print s + 0 }' "$1"
}

what="dtls --parallel $P, $N handshakes, --max-conns $P"
rc=0
"$BIN/dtls_server" -p 0 -b 127.0.0.1 --max-conns "$P" --timeout 1000 </dev/null \
	>"$TMP/probe.out" 2>"$TMP/probe.err" &
probe=$!
PIDS+=("$probe")
for _ in $(seq 300); do
	! grep -q "^ready port=" "$TMP/probe.out" || break
	running "$probe" || break
	sleep 0.1
done
if running "$probe"; then
	stop_server "$probe"
else
	wait "$probe" 2>/dev/null || rc=$?
fi
if [ "$rc" -eq 2 ] && grep -q "not thread-safe\|--max-conns" "$TMP/probe.err"; then
	check_grep "dtls --max-conns $P: refused with one line (stack without threads_ok)" \
		"$TMP/probe.err" "--max-conns"
	summary
	exit $?
fi

if start_server "dq-srv" dtls_server -b 127.0.0.1 --max-conns "$P" --timeout 10000 \
	--hs-timeout "$TIMER"; then
	t0=$(date +%s)
	run_client "dq" "$T" dtls_client -p "$SRV_PORT" -s 64 -n "$N" -w 0 --parallel "$P" \
		--hs-timeout "$TIMER" -q -o "$TMP/dq.csv"
	t1=$(date +%s)
	echo "# $what: client ran $((t1 - t0)) s"
	check_rc "$what: client exit 0" "$RC" 0 "$ERR"
	check_grep "$what: every message acked, none lost" "$OUT" \
		"^result proto=dtls mode=per-message sizes=1 messages=$N acked=$N lost=0 end=acked$"
	check_eq "$what: client CSV has every handshake" "$(($(wc -l <"$TMP/dq.csv") - 1))" "$N"
	check_eq "$what: client: no handshake retransmission" "$(sum_col "$TMP/dq.csv" hs_retrans)" 0
	check_nogrep "$what: client: no retransmission or failure said" "$ERR" \
		"(retransmission|timed out|failed)"
	wait_exit "$SRV_PID" 20
	check_rc "$what: server exits 0 after END" "$EXIT_RC" 0 "$SRV_ERR"
	check_grep "$what: server: every message of every client valid" "$SRV_OUT" \
		"^done conns=$((N + 1)) messages=$N valid=$N invalid=0 dropped=0$"
	check_grep "$what: server: one HelloVerifyRequest per client, no retransmission" \
		"$SRV_OUT" "^dtls conns=$((N + 1)) hello_verify=$((N + 1)) retrans=0 retrans_conns=0 "
	check_nogrep "$what: server: no retransmission, failure or backlog overflow said" \
		"$SRV_ERR" "(retransmission|timed out|failed|backlog)"
fi

summary
