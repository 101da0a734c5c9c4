#!/usr/bin/env bash
# link.sh - an emulated network link on one machine: client - router - server network
# namespaces joined by veth pairs, the link's delay, jitter and loss applied to each
# direction in the router by link_shaper over NFQUEUE (or tc netem where the kernel has
# it), its rate by tbf on the router's egress. docs/links.md has the specs and profiles.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=link-spec.sh
. "$(dirname "$0")/link-spec.sh"

usage() {
	cat <<USAGE
Usage: $0 [-B BINDIR] [-n NAME] up SPEC
       $0 [-n NAME] exec client|router|server COMMAND...
       $0 [-n NAME] show | stats | rearm | down
       $0 parse SPEC
  up SPEC    builds the link, calibrates it (refuses one that misses its delay or rate:
             exit 1) and prints its namespaces and addresses as key=value lines
  exec       runs COMMAND in that namespace
  show       the link's spec, addresses, calibration and the shaper's counters now
  stats      the shaper's counters now (key=value: up.seen, up.lost, up.dropped, ...,
             up.tcp_resend: lost or dropped TCP segments with data or SYN)
  rearm      counters and packet numbers (drop.up/drop.down) start again from zero, the
             loss generators from the seed: a run after it sees the link as new
  down       stops every process in the link's namespaces and removes them (and with them
             the veth pairs, qdiscs and firewall rules); nothing is left behind
  parse SPEC prints the normalised spec (exit 2 with one line when it is bad)
  -B BINDIR  where link_shaper is (default: build/native/bin)
  -n NAME    the link's name, 1-10 lowercase letters or digits (default for up: "abl" and
             this shell's pid; for the other commands: \$ACKBENCH_LINK, else the only link)
SPEC is a profile ($LINKSPEC_PROFILES), key=value pairs separated by ',' or ':'
(rtt=80ms:loss=1%), or a profile refined by pairs (lte:loss=2%). State: \$ACKBENCH_LINK_RUN
(default /run/ackbench-link)/NAME. Needs root, iproute2, iptables, ethtool, /usr/bin/python3
(scripts/deps.sh link). Exit status: 0, 1 (failed or refused by calibration), 2 usage.
USAGE
}

RUNDIR=${ACKBENCH_LINK_RUN:-/run/ackbench-link}
PYTHON=${PYTHON:-/usr/bin/python3}
PROBE_PORT=47000
# The shaper (and the calibration probes) at a real-time priority when chrt can give one:
# on a loaded machine a shaper that waits for a CPU adds its wait to every packet's delay.
RT=()
bin="$LIB_ROOT/build/native/bin"
name=${ACKBENCH_LINK:-}

link_usage_err() {
	echo "link: $*" >&2
	exit 2
}

# The names of link NAME's namespaces and interfaces (15 characters at most each).
link_names() {
	NS_C=${1}c NS_R=${1}r NS_S=${1}s
	IF_C=${1}c0 IF_RC=${1}rc IF_RS=${1}rs IF_S=${1}s0
	STATE=$RUNDIR/$1
}
CLIENT_IP=192.0.2.2 ROUTER_IP_C=192.0.2.1 ROUTER_IP_S=198.51.100.1 SERVER_IP=198.51.100.2
CLIENT_IP6=2001:db8:1::2 ROUTER_IP6_C=2001:db8:1::1 ROUTER_IP6_S=2001:db8:2::1
SERVER_IP6=2001:db8:2::2

# link_teardown NAME: every process in the namespaces (the shaper, probes, anything run by
# exec), then the namespaces themselves; the veths, qdiscs and iptables rules go with them.
link_teardown() {
	local ns pids p i
	link_names "$1"
	for ns in "$NS_C" "$NS_S" "$NS_R"; do
		[ -e "/run/netns/$ns" ] || continue
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
		for i in $(seq 50); do
			[ -n "$(ip netns pids "$ns" 2>/dev/null || true)" ] || break
			sleep 0.1
		done
		: "$i"
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$STATE"
}

need_tools() {
	local t
	[ "$(id -u)" = 0 ] || link_usage_err "needs root (network namespaces)"
	for t in ip iptables ip6tables tc ethtool "$PYTHON"; do
		command -v "$t" >/dev/null || link_usage_err "needs $t (scripts/deps.sh link)"
	done
}

# ns_run NS CMD...: CMD in namespace NS, its stderr kept for the one-line error.
ns_run() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

link_build() {
	ip netns add "$NS_C" && ip netns add "$NS_R" && ip netns add "$NS_S"
	ip link add "$IF_C" netns "$NS_C" type veth peer name "$IF_RC" netns "$NS_R"
	ip link add "$IF_S" netns "$NS_S" type veth peer name "$IF_RS" netns "$NS_R"
	local ns ifs i
	for ns in "$NS_C" "$NS_R" "$NS_S"; do
		ip -n "$ns" link set lo up
		case "$ns" in
		"$NS_C") ifs=$IF_C ;;
		"$NS_S") ifs=$IF_S ;;
		*) ifs="$IF_RC $IF_RS" ;;
		esac
		for i in $ifs; do
			ip -n "$ns" link set "$i" mtu "$LS_MTU"
			# Offloads off: segments on the wire as a NIC would send them, so the shaper
			# delays and drops real packets, not 64 KB super-segments.
			ns_run "$ns" ethtool -K "$i" gso off gro off tso off >/dev/null 2>&1 ||
				ns_run "$ns" ethtool -K "$i" gso off gro off >/dev/null
			ip -n "$ns" link set "$i" up
		done
	done
	ip -n "$NS_C" addr add "$CLIENT_IP/24" dev "$IF_C"
	ip -n "$NS_R" addr add "$ROUTER_IP_C/24" dev "$IF_RC"
	ip -n "$NS_R" addr add "$ROUTER_IP_S/24" dev "$IF_RS"
	ip -n "$NS_S" addr add "$SERVER_IP/24" dev "$IF_S"
	ip -n "$NS_C" route add default via "$ROUTER_IP_C"
	ip -n "$NS_S" route add default via "$ROUTER_IP_S"
	ns_run "$NS_R" sysctl -qw net.ipv4.ip_forward=1
	if [ "$LS_MTU" -ge 1280 ]; then
		ns_run "$NS_R" sysctl -qw net.ipv6.conf.all.forwarding=1
		ip -n "$NS_C" addr add "$CLIENT_IP6/64" dev "$IF_C" nodad
		ip -n "$NS_R" addr add "$ROUTER_IP6_C/64" dev "$IF_RC" nodad
		ip -n "$NS_R" addr add "$ROUTER_IP6_S/64" dev "$IF_RS" nodad
		ip -n "$NS_S" addr add "$SERVER_IP6/64" dev "$IF_S" nodad
		ip -n "$NS_C" -6 route add default via "$ROUTER_IP6_C"
		ip -n "$NS_S" -6 route add default via "$ROUTER_IP6_S"
	fi
}

# tbf_args BITS: rate, a bucket of 5 ms at that rate (at least one full frame) and a queue of
# LS_QUEUE frames: the link's bounded buffer.
tbf_args() {
	local bytes=$(($1 / 8 / 200))
	[ "$bytes" -ge $((LS_MTU + 100)) ] || bytes=$((LS_MTU + 100))
	echo "rate ${1}bit burst $bytes limit $((LS_QUEUE * (LS_MTU + 14)))"
}

link_rate() {
	# up: client to server leaves the router by IF_RS; down by IF_RC.
	# shellcheck disable=SC2046 # tbf_args is a list of arguments
	[ "$LS_RATE_UP" = 0 ] || tc -n "$NS_R" qdisc add dev "$IF_RS" root tbf $(tbf_args "$LS_RATE_UP")
	# shellcheck disable=SC2046
	[ "$LS_RATE_DOWN" = 0 ] || tc -n "$NS_R" qdisc add dev "$IF_RC" root tbf $(tbf_args "$LS_RATE_DOWN")
}

link_nfqueue() {
	local ipt args
	for ipt in iptables ip6tables; do
		ns_run "$NS_R" "$ipt" -A FORWARD -i "$IF_RC" -o "$IF_RS" -j NFQUEUE --queue-num 0
		ns_run "$NS_R" "$ipt" -A FORWARD -i "$IF_RS" -o "$IF_RC" -j NFQUEUE --queue-num 1
	done
	args=(-q 0 -s "$STATE/stats" -d "$LS_DELAY_UP_US" -D "$LS_DELAY_DOWN_US" -j "$LS_JITTER_US"
		-l "$LS_LOSS_UP" -L "$LS_LOSS_DOWN" -b "$LS_BURST" -S "$LS_SEED")
	[ -z "$LS_DROP_UP" ] || args+=(-x "$LS_DROP_UP")
	[ -z "$LS_DROP_DOWN" ] || args+=(-X "$LS_DROP_DOWN")
	[ "$LS_REORDER" = 0 ] || args+=(-r)
	ip netns exec "$NS_R" "${RT[@]}" "$SHAPER" "${args[@]}" </dev/null >"$STATE/shaper.log" 2>&1 &
	echo $! >"$STATE/shaper.pid"
	local i
	for i in $(seq 50); do
		[ ! -s "$STATE/stats" ] || return 0
		kill -0 "$(cat "$STATE/shaper.pid")" 2>/dev/null || break
		sleep 0.1
	done
	: "$i"
	echo "link: link_shaper did not start: $(head -n 1 "$STATE/shaper.log")" >&2
	return 1
}

# netem on both router egresses (where the kernel has it): delay, jitter, loss (Gilbert-
# Elliott for bursts), rate and queue in one qdisc per direction. tbf is not added then.
link_netem() {
	local dir dev delay loss rate a
	for dir in up down; do
		if [ "$dir" = up ]; then
			dev=$IF_RS delay=$LS_DELAY_UP_US loss=$LS_LOSS_UP rate=$LS_RATE_UP
		else
			dev=$IF_RC delay=$LS_DELAY_DOWN_US loss=$LS_LOSS_DOWN rate=$LS_RATE_DOWN
		fi
		a=(limit "$LS_QUEUE" delay "${delay}us")
		[ "$LS_JITTER_US" = 0 ] || a+=("${LS_JITTER_US}us")
		if [ "$LS_BURST" != 1 ]; then
			a+=(loss gemodel "$(awk -v p="$loss" -v b="$LS_BURST" 'BEGIN { printf "%.6f%%", 100 * p / (b * (1 - p)) }')" "$(awk -v b="$LS_BURST" 'BEGIN { printf "%.6f%%", 100 / b }')")
		else
			a+=(loss "$(awk -v p="$loss" 'BEGIN { printf "%.6f%%", 100 * p }')")
		fi
		[ "$rate" = 0 ] || a+=(rate "${rate}bit")
		tc -n "$NS_R" qdisc add dev "$dev" root netem "${a[@]}" 2>"$STATE/netem.err" || {
			echo "link: engine=netem: tc netem refused ($(head -n 1 "$STATE/netem.err"); this kernel may lack it: use engine=nfqueue)" >&2
			return 2
		}
	done
}

# kv FILE KEY: the value of KEY=... in FILE ("" when absent).
kv() { sed -n "s/^$2=//p" "$1" 2>/dev/null | tail -n 1; }

# Calibration: pipelined probes for each direction's one-way delay, and for each limited
# direction a blast of a known size whose arrival rate is compared with the rate. The
# shaper is in calibration mode meanwhile (delay only: no loss, no drop, not counted).
# Tolerances: each direction's lowest one-way delay within 1 ms + 5% of its delay (the
# shaper holds every packet that long, and not much longer), its median within 5 ms + 10%
# + the jitter (a loaded machine shows there), rate within 10%.
link_calibrate() {
	local cal=$STATE/calibration slow gap n=30 dir want got tol lo q ok=1 why="" secs srv_c srv_s
	slow=$LS_RATE_UP
	[ "$LS_RATE_DOWN" = 0 ] || { [ "$slow" != 0 ] && [ "$slow" -le "$LS_RATE_DOWN" ]; } || slow=$LS_RATE_DOWN
	# probes spaced so that they never queue behind each other at the rate
	gap=$(awk -v r="$slow" 'BEGIN { g = 5; if (r > 0 && 4 * 100 * 8 / r * 1000 > g) g = 4 * 100 * 8 / r * 1000; printf "%.1f", g }')
	secs=$(awk -v d="$LS_DELAY_UP_US" -v e="$LS_DELAY_DOWN_US" -v g="$gap" -v n="$n" \
		'BEGIN { printf "%d", 30 + 2 * (d + e) / 1e6 + n * g / 1000 }')
	ip netns exec "$NS_S" "${RT[@]}" "$PYTHON" "$LIB_ROOT/scripts/link-probe.py" serve "$SERVER_IP" "$PROBE_PORT" "$secs" \
		</dev/null >/dev/null 2>"$STATE/probe-s.err" &
	srv_s=$!
	ip netns exec "$NS_C" "${RT[@]}" "$PYTHON" "$LIB_ROOT/scripts/link-probe.py" serve "$CLIENT_IP" "$PROBE_PORT" "$secs" \
		</dev/null >/dev/null 2>"$STATE/probe-c.err" &
	srv_c=$!
	sleep 0.3
	{
		echo "calib.date=$(date -u '+%Y-%m-%dT%H:%M:%SZ')"
		echo "calib.load=$(cut -d' ' -f1-3 /proc/loadavg)"
		echo "calib.gap_ms=$gap"
		ip netns exec "$NS_C" "${RT[@]}" "$PYTHON" "$LIB_ROOT/scripts/link-probe.py" rtt "$SERVER_IP" "$PROBE_PORT" "$n" "$gap" |
			sed 's/^/calib./'
	} >"$cal.tmp" || true
	for dir in up down; do
		if [ "$dir" = up ]; then want=$LS_DELAY_UP_US; else want=$LS_DELAY_DOWN_US; fi
		echo "calib.${dir}_ms_want=$(awk -v w="$want" 'BEGIN { printf "%.3f", w / 1000 }')" >>"$cal.tmp"
		for q in min p50; do
			got=$(kv "$cal.tmp" "calib.${dir}_ms_$q")
			if [ "$q" = min ]; then
				tol=$(awk -v w="$want" -v j="$LS_JITTER_US" 'BEGIN { printf "%.3f", (1000 + 0.05 * w + j) / 1000 }')
				# jitter may release a packet early: the lowest may be delay - jitter
				lo=$(awk -v w="$want" -v j="$LS_JITTER_US" -v t="$tol" 'BEGIN { printf "%.3f", (w - j) / 1000 - t }')
			else
				tol=$(awk -v w="$want" -v j="$LS_JITTER_US" 'BEGIN { printf "%.3f", (5000 + 0.1 * w + j) / 1000 }')
				lo=$(awk -v w="$want" -v t="$tol" 'BEGIN { printf "%.3f", w / 1000 - t }')
			fi
			echo "calib.${dir}_ms_${q}_tol=$tol" >>"$cal.tmp"
			if [ -z "$got" ]; then
				ok=0 why="no probe came back"
			elif ! awk -v g="$got" -v w="$want" -v t="$tol" -v lo="$lo" 'BEGIN { exit !(g <= w / 1000 + t && g >= lo) }'; then
				ok=0 why="$dir delay ($q) $got ms, want $(kv "$cal.tmp" "calib.${dir}_ms_want") ms +- $tol ms"
			fi
		done
	done
	for dir in up down; do
		local rate from host
		if [ "$dir" = up ]; then rate=$LS_RATE_UP from=$NS_C host=$SERVER_IP; else rate=$LS_RATE_DOWN from=$NS_S host=$CLIENT_IP; fi
		[ "$rate" != 0 ] || continue
		local size=1200 bytes
		[ "$rate" -ge 1000000 ] || size=200
		bytes=$(awk -v r="$rate" -v s="$size" 'BEGIN { b = r / 8 * 0.5; if (b < 40 * s) b = 40 * s; printf "%d", b }')
		ip netns exec "$from" "${RT[@]}" "$PYTHON" "$LIB_ROOT/scripts/link-probe.py" blast "$host" "$PROBE_PORT" "$bytes" "$size" "$rate" \
			>"$STATE/blast.out" 2>&1 || true
		got=$(kv "$STATE/blast.out" rate_bit)
		{
			echo "calib.rate_${dir}_bytes=$bytes"
			echo "calib.rate_${dir}_want_bit=$rate"
			echo "calib.rate_${dir}_bit=${got:-none}"
		} >>"$cal.tmp"
		if [ -z "$got" ] || ! awk -v g="$got" -v w="$rate" 'BEGIN { exit !(g >= 0.9 * w && g <= 1.1 * w) }'; then
			ok=0 why="$dir rate ${got:-none} bit/s, want $rate bit/s +- 10%"
		fi
	done
	kill -TERM "$srv_s" "$srv_c" 2>/dev/null || true
	wait "$srv_s" "$srv_c" 2>/dev/null || true
	echo "calib.ok=$ok" >>"$cal.tmp"
	mv "$cal.tmp" "$cal"
	[ "$ok" = 1 ] || {
		echo "link: calibration refused the link: $why" >&2
		return 1
	}
}

# stats_now: asks the shaper for its counters (SIGUSR1) and waits (bounded) for them.
stats_now() {
	local pid gen i
	[ -f "$STATE/shaper.pid" ] || return 0
	pid=$(cat "$STATE/shaper.pid")
	gen=$(kv "$STATE/stats" gen)
	: "$gen"
	kill -USR1 "$pid" 2>/dev/null || return 0
	for i in $(seq 20); do
		sleep 0.05
		# the file is renamed into place whole; a newer mtime means a fresh write
		[ "$STATE/stats" -nt "$STATE/stats.asked" ] && break
	done
	: "$i"
}

link_up() {
	local spec=$1 i
	linkspec_parse "$spec" || exit 2
	need_tools
	if chrt -f 10 true 2>/dev/null; then RT=(chrt -f 10); fi
	[ "$LS_RATE_UP$LS_RATE_DOWN" = 00 ] || command -v tc >/dev/null || link_usage_err "needs tc"
	SHAPER=$bin/link_shaper
	[ "$LS_ENGINE" != nfqueue ] || [ -x "$SHAPER" ] || link_usage_err "no $SHAPER (make link-shaper)"
	[ -n "$name" ] || name=abl$$
	link_names "$name"
	if [ -e "$STATE" ] || [ -e "/run/netns/$NS_R" ]; then link_usage_err "link $name exists already"; fi
	mkdir -p "$STATE"
	echo "$spec" >"$STATE/spec.given"
	trap 'link_teardown "$name"' EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	if ! link_build 2>"$STATE/build.err"; then
		echo "link: building the namespaces failed: $(head -n 1 "$STATE/build.err")" >&2
		exit 1
	fi
	if [ "$LS_ENGINE" = netem ]; then
		link_netem || exit $?
	else
		link_rate 2>"$STATE/tc.err" || {
			echo "link: tc tbf failed: $(head -n 1 "$STATE/tc.err")" >&2
			exit 2
		}
		if ! link_nfqueue 2>"$STATE/nfq.err"; then
			echo "link: NFQUEUE setup failed: $(grep -v '^$' "$STATE/nfq.err" | tail -n 1)" >&2
			exit 2
		fi
	fi
	# the shaper's counters start once measurement does
	link_calibrate || exit 1
	if [ "$LS_ENGINE" = nfqueue ]; then
		kill -USR2 "$(cat "$STATE/shaper.pid")"
		for i in $(seq 50); do
			[ "$(kv "$STATE/stats" armed)" != 1 ] || break
			sleep 0.05
		done
		[ "$(kv "$STATE/stats" armed)" = 1 ] || { echo "link: the shaper did not arm" >&2; exit 1; }
	fi
	{
		echo "link=$name"
		echo "engine=$LS_ENGINE"
		echo "spec=$LS_SPEC"
		echo "client_ns=$NS_C"
		echo "router_ns=$NS_R"
		echo "server_ns=$NS_S"
		echo "client_ip=$CLIENT_IP"
		echo "server_ip=$SERVER_IP"
		if [ "$LS_MTU" -ge 1280 ]; then
			echo "client_ip6=$CLIENT_IP6"
			echo "server_ip6=$SERVER_IP6"
		fi
		echo "router_ip=$ROUTER_IP_C,$ROUTER_IP_S"
		echo "shaper_pid=$(cat "$STATE/shaper.pid" 2>/dev/null || echo none)"
	} >"$STATE/info"
	trap - EXIT TERM INT
	cat "$STATE/info" "$STATE/calibration"
}

# pick_link: the link named by -n or $ACKBENCH_LINK, else the only one there is.
pick_link() {
	local d n=0
	if [ -z "$name" ]; then
		for d in "$RUNDIR"/*/info; do
			[ -f "$d" ] || continue
			n=$((n + 1))
			name=$(basename "$(dirname "$d")")
		done
		[ "$n" -le 1 ] || link_usage_err "$n links are up: name one with -n"
		[ "$n" = 1 ] || link_usage_err "no link is up (link.sh up SPEC)"
	fi
	case "$name" in '' | *[!a-z0-9]*) link_usage_err "bad link name '$name'" ;; esac
	link_names "$name"
	[ -f "$STATE/info" ] || link_usage_err "no link named $name is up"
}

[ "${1:-}" != --help ] || { usage; exit 0; }
while getopts B:n:h opt; do
	case "$opt" in
	B) bin=$OPTARG ;;
	n) name=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { usage >&2; exit 2; }
if [ -n "$name" ]; then
	case "$name" in
	*[!a-z0-9]*) link_usage_err "-n $name: 1-10 lowercase letters or digits" ;;
	esac
	[ "${#name}" -le 10 ] || link_usage_err "-n $name: 1-10 lowercase letters or digits"
fi
cmd=$1
shift
case "$cmd" in
parse)
	[ $# = 1 ] || link_usage_err "parse takes one SPEC"
	linkspec_parse "$1" || exit 2
	echo "$LS_SPEC" ;;
up)
	[ $# = 1 ] || link_usage_err "up takes one SPEC"
	link_up "$1" ;;
exec)
	[ $# -ge 2 ] || link_usage_err "exec client|router|server COMMAND..."
	pick_link
	case "$1" in
	client) ns=$NS_C ;;
	router) ns=$NS_R ;;
	server) ns=$NS_S ;;
	*) link_usage_err "exec: '$1' is not client, router or server" ;;
	esac
	shift
	exec ip netns exec "$ns" "$@" ;;
stats)
	pick_link
	touch "$STATE/stats.asked"
	stats_now
	cat "$STATE/stats" ;;
rearm)
	pick_link
	[ -f "$STATE/shaper.pid" ] || link_usage_err "rearm: engine=netem has no counters"
	# "arms" counts the shaper's armings: it moves once the counters were zeroed. (Checking
	# the counters for zero instead failed when a packet of the last run, a late FIN or
	# retransmission on a lossy link, passed between the re-arm and the dump.)
	touch "$STATE/stats.asked"
	stats_now
	before=$(kv "$STATE/stats" arms)
	kill -USR2 "$(cat "$STATE/shaper.pid")"
	for i in $(seq 20); do
		touch "$STATE/stats.asked"
		stats_now
		[ "$(kv "$STATE/stats" arms)" = "$before" ] || break
	done
	[ "$(kv "$STATE/stats" arms)" != "$before" ] ||
		{ echo "link: rearm: the shaper did not re-arm (arms $before)" >&2; exit 1; } ;;
show)
	pick_link
	touch "$STATE/stats.asked"
	stats_now
	cat "$STATE/info" "$STATE/calibration"
	[ ! -f "$STATE/stats" ] || sed 's/^/shaper./' "$STATE/stats"
	ip netns exec "$NS_R" tc qdisc show 2>/dev/null | sed 's/^/qdisc: /' ;;
down)
	if [ -z "$name" ] && [ $# = 0 ]; then pick_link; fi
	[ -n "$name" ] || link_usage_err "down: no link"
	link_teardown "$name" ;;
*) link_usage_err "unknown command '$cmd' (up, exec, show, stats, rearm, down, parse)" ;;
esac
