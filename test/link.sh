#!/bin/bash
# link.sh - the emulated link (scripts/link.sh, link_shaper): every named profile and a
# custom spec build and calibrate; bad specs exit 2 with one line; nothing is left behind
# (namespaces, shaper, state) after down, after a SIGTERM during set-up, or after the
# shaper died; the shaper's counters see the packets of a run. First pass of make test only.
#   test/link.sh BIN_DIR      (as root)
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "link.sh builds namespaces and calibrates links"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
P=lt$$ # link names: unique per run; each link adds c/r/s and c0/rc/rs/s0
link_test_init
[ -x "$BIN/link_shaper" ] || { not_ok "$BIN/link_shaper is built (make)"; summary; exit 1; }

# left NAME: what of link NAME is still there (namespaces, state, processes), "" if nothing.
left() {
	local ns out=""
	for ns in "${1}c" "${1}r" "${1}s"; do
		[ ! -e "/run/netns/$ns" ] || out="$out netns:$ns"
	done
	[ ! -e "$ACKBENCH_LINK_RUN/$1" ] || out="$out state:$1"
	# a process that ended may stay a zombie of whoever adopted it: alive means not Z
	if [ -n "${2:-}" ] && [ -r "/proc/$2/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$2/stat"; then
		out="$out pid:$2"
	fi
	echo "$out"
}

# --- bad specs: one line, exit 2, nothing built ---
for spec in "rtt=-1ms" "loss=150%" "nosuch" "colour=blue" "drop.up=3++4" "rate=10" \
	"mtu=100" "engine=tc"; do
	rc=0
	"$LINK" parse "$spec" >"$TMP/bad.out" 2>"$TMP/bad.err" || rc=$?
	check_rc "bad spec '$spec': exit 2" "$rc" 2 "$TMP/bad.err"
	check_eq "bad spec '$spec': one line naming it" \
		"$(wc -l <"$TMP/bad.err") $(grep -c -F "${spec%%[=,]*}" "$TMP/bad.err")" "1 1"
done
rc=0
"$LINK" -B "$BIN" -n "${P}x" up "loss=150%" >"$TMP/bad.out" 2>"$TMP/bad.err" || rc=$?
check_rc "up with a bad spec: exit 2" "$rc" 2 "$TMP/bad.err"
check_eq "up with a bad spec: nothing built" "$(left "${P}x")" ""
check_eq "',' and ':' separate the same spec" "$("$LINK" parse rtt=80ms,loss=1%)" \
	"$("$LINK" parse rtt=80ms:loss=1%)"
check_grep "rtt splits into two one-way delays" <("$LINK" parse rtt=81ms) \
	'delay.up=40500us:delay.down=40500us'

# --- the matrix's link axis: specs with ':', each link its own cells and baselines ---
"$ROOT/scripts/matrix.sh" -B "$BIN" -l -x tls=1.3 -x link=none,lte,rtt=80ms:loss=1% \
	>"$TMP/mx.out" 2>"$TMP/mx.err" || true
check_eq "matrix -x link=none,lte,rtt=80ms:loss=1%: a cell and a baseline per link" \
	"$(grep -c '^cell: ' "$TMP/mx.out") $(grep -c '^cell: base-tcp-per-message-link-' "$TMP/mx.out")" "6 2"
rc=0
"$ROOT/scripts/matrix.sh" -B "$BIN" -l -x link=rtt=-1ms >"$TMP/mx.out" 2>"$TMP/mx.err" || rc=$?
check_rc "matrix -x link=rtt=-1ms: exit 2" "$rc" 2 "$TMP/mx.err"
check_grep "matrix -x link=rtt=-1ms: the line names the bad value" "$TMP/mx.err" 'rtt=-1ms'

# --- every named profile and a custom spec: up, calibrated, down, nothing left ---
i=0
for spec in lan wifi lte nbiot geo lossy "rtt=100ms:delay.up=30ms:rate.up=2mbit:loss.down=1%:seed=9"; do
	i=$((i + 1))
	n=$P$i
	MADE+=("$n")
	t0=$(date +%s.%N)
	rc=0
	"$LINK" -B "$BIN" -n "$n" up "$spec" >"$TMP/up$i.out" 2>"$TMP/up$i.err" || rc=$?
	t1=$(date +%s.%N)
	check_rc "$spec: up and calibrated ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f s", b - a }'))" \
		"$rc" 0 "$TMP/up$i.err"
	check_grep "$spec: calibration stored (calib.ok=1)" "$TMP/up$i.out" '^calib\.ok=1$'
	grep -E '^calib\.(up|down|rate)' "$TMP/up$i.out" | tr '\n' ' ' | sed 's/^/# /'
	echo
	pid=$(sed -n 's/^shaper_pid=//p' "$TMP/up$i.out")
	"$LINK" -n "$n" down
	check_eq "$spec: nothing left after down" "$(left "$n" "$pid")" ""
done

# --- every message accounted for: the shaper drops the 2nd datagram up, the client loses
# exactly that message, the server got the others ---
n=${P}d
MADE+=("$n")
if "$LINK" -B "$BIN" -n "$n" up "rtt=20ms:drop.up=2" >"$TMP/d.out" 2>"$TMP/d.err"; then
	pid=$(sed -n 's/^shaper_pid=//p' "$TMP/d.out")
	if SRV_RUNNER="$LINK -n $n exec server" start_server udps udp_server -b 198.51.100.2; then
		timeout -k 5 30 "$LINK" -n "$n" exec client "$BIN/udp_client" -a 198.51.100.2 \
			-p "$SRV_PORT" -n 3 -w 0 -s 64 --timeout 300 -o "$TMP/udpc.csv" \
			>"$TMP/udpc.out" 2>&1 || true
		"$LINK" -n "$n" stats >"$TMP/d.stats"
		check_grep "drop.up=2: the shaper dropped one packet up" "$TMP/d.stats" '^up\.dropped=1$'
		check_grep "drop.up=2: nothing lost by chance" "$TMP/d.stats" '^up\.lost=0$'
		check_eq "drop.up=2: the client lost message 1 (the second), acked 0 and 2" \
			"$(awk -F, 'NR > 1 { printf "%s:%s ", $4, $10 }' "$TMP/udpc.csv")" "0:1 1:0 2:1 "
		stop_server "$SRV_PID"
		check_grep "drop.up=2: the server received the other two" "$SRV_OUT" 'received=2 '
	fi
	# the shaper killed (all that runs in the router's namespace): the link is broken, down
	# still removes everything
	kill_ns "${n}r"
	"$LINK" -n "$n" down
	check_eq "after the shaper died: nothing left after down" "$(left "$n" "$pid")" ""
else
	not_ok "rtt=20ms:drop.up=2 up" "$(cat "$TMP/d.err")"
fi

# --- SIGTERM while up calibrates: the link removes itself ---
n=${P}t
MADE+=("$n")
"$LINK" -B "$BIN" -n "$n" up geo >"$TMP/t.out" 2>"$TMP/t.err" &
tpid=$!
PIDS+=("$tpid")
for j in $(seq 100); do
	[ ! -e "$ACKBENCH_LINK_RUN/$n/calibration.tmp" ] || break
	sleep 0.05
done
spid=$(cat "$ACKBENCH_LINK_RUN/$n/shaper.pid" 2>/dev/null || echo "")
signal TERM "$tpid" || true
wait_exit "$tpid" 20
check_rc "SIGTERM during calibration: up ends (143) after $j polls" "$EXIT_RC" 143 "$TMP/t.err"
check_eq "SIGTERM during calibration: nothing left" "$(left "$n" "$spid")" ""
summary
