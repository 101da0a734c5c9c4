#!/usr/bin/env bash
# bench-loopback.sh - how close our loop comes to a reference on loopback (a benchmark,
# not a test: it prints ratios and says whether they meet the target, it never fails on
# them).
#  1. tcp and udp --keep with --reply-size equal to the request against sockperf
#     ping-pong --full-rtt: p50 round trip, ours / sockperf, for 64 B, 1 KiB and 16 KiB.
#  2. tcp per message (connect, send, ack, close) against test/ref_tcp_loop.c, the least
#     a program can do per message: p50 total, ours / reference.
# The two sides alternate within each round (the first one changing from round to round),
# client and server pinned to different CPUs; the ratio is taken per round and shown as
# the median with its min..max over the rounds.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: $0 [-B BINDIR] [-R REF] [-d DIR] [-r ROUNDS] [-n COUNT] [-t SECS] [-c CPU,CPU]
  -B BINDIR  programs (default: build/native/bin)
  -R REF     the reference per-message loop (default: BINDIR/../test/ref_tcp_loop;
             make bench builds it)
  -d DIR     where the raw outputs go (default: results/bench-<UTC time>)
  -r ROUNDS  rounds, at least 3 (default: 5)
  -n COUNT   our messages per run in --keep mode (default: 20000; per message: COUNT/10)
  -t SECS    sockperf's run time (default: 2; it also warms up for 0.4 s)
  -c C,S     CPUs of the client and of the server (default: 0,1)
  -h         this text
Target: ratio <= $TARGET. Needs sockperf, taskset, ss (scripts/deps.sh bench), and Python 3
for the table (scripts/deps.sh analysis).
Other load on the host makes round trips slow and bimodal: the summary shows the load
average before and after; the median over the rounds resists a minority of bad rounds.
Exit status: 0 when every run gave a figure (whatever the ratios), 1 when one failed,
2 usage error.
USAGE
}

TARGET=1.10
CLIENT_SECS=600 # bound of one client run (its own timeouts end it much sooner)
SIZES="64 1024 16384"
bin="$LIB_ROOT/build/native/bin"
ref=""
dir=""
rounds=5
count=20000
secs=2
cpus="0,1"
cmdline="$0 $*"
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts B:R:d:r:n:t:c:h opt; do
	case "$opt" in
	B) bin=$OPTARG ;;
	R) ref=$OPTARG ;;
	d) dir=$OPTARG ;;
	r) rounds=$OPTARG ;;
	n) count=$OPTARG ;;
	t) secs=$OPTARG ;;
	c) cpus=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { log "unexpected argument '$1' (see --help)"; exit 2; }
if ! lib_is_count "$rounds" || [ "$rounds" -lt 3 ]; then
	log "-r: '$rounds': at least 3 rounds"
	exit 2
fi
if ! lib_is_count "$count" || [ "$count" -lt 100 ]; then
	log "-n: '$count': at least 100 messages"
	exit 2
fi
lib_is_count "$secs" || { log "-t: '$secs' is not a positive number of seconds"; exit 2; }
lib_cpu_pair "$cpus" || { log "-c: '$cpus' is not two different CPU numbers"; exit 2; }
ccpu=$LIB_CCPU
scpu=$LIB_SCPU
bin=$(lib_abs "$bin")
[ -n "$ref" ] || ref="$bin/../test/ref_tcp_loop"
ref=$(lib_abs "$ref")
lib_need_pairs "$bin" tcp udp || exit 2
[ -x "$ref" ] || { log "-R: '$ref' not found (make bench builds it)"; exit 2; }
lib_need_cmds "scripts/deps.sh bench build test" sockperf taskset ss
lib_cpu_range "$cpus"
ncpu=$LIB_NCPU
dir=$(lib_run_dir "$dir" bench)
# Sockperf and every server are pinned to the server CPU; clients to the client CPU.
on_client=(taskset -c "$ccpu")
on_server=(taskset -c "$scpu")

cleanup() { lib_cleanup; }
trap cleanup EXIT
trap 'exit 130' INT TERM

LIB_BIN=$bin lib_record_env "$dir/env.txt" "$cmdline"
load0=$(lib_loadavg)
failed=()

# The functions below leave their figure in FIG (not printed: a $(...) subshell would hide
# the servers they start from cleanup).
FIG=""

# True when $1 looks like a positive figure in microseconds.
is_us() {
	case "$1" in
	"" | *[!0-9.]* | 0 | 0.0*) return 1 ;;
	esac
	return 0
}

# ours PROTO SIZE ROUND: --keep run; FIG = its --json file (in $dir), whose p50 exchange
# (send .. matching reply) bench-summary reads.
ours() {
	local p=$1 size=$2 tag="ours-$1-$2-r$3"

	lib_server_start "$dir/$tag.server" "${on_server[@]}" "$bin/${p}_server" -b 127.0.0.1 -p 0 \
		-q || return 1
	lib_client_run "$dir/$tag" "$CLIENT_SECS" "${on_client[@]}" "$bin/${p}_client" -a 127.0.0.1 \
		-p "$LIB_SERVER_PORT" --keep -s "$size" --reply-size "$size" -n "$count" -w 1000 -q \
		--json "$dir/$tag.json" || return 1
	[ -s "$dir/$tag.json" ] || return 1
	FIG=$tag.json
}

# A port free now for TCP and UDP, below Linux's ephemeral range (32768-60999) so that no
# client connection of ours takes it in the meantime.
free_port() {
	local i p

	for i in $(seq 1 50); do
		p=$((20000 + RANDOM % 12768))
		if [ -z "$(ss -Htuan "sport = :$p" 2>/dev/null)" ]; then
			printf '%s\n' "$p"
			return 0
		fi
		: "$i"
	done
	return 1
}

# sockperf_rtt PROTO SIZE ROUND: FIG = sockperf's p50 full round trip in us.
sockperf_rtt() {
	local p=$1 size=$2 tag="sockperf-$1-$2-r$3" port pid i=0 flag=() st=-Hlun v

	[ "$p" = udp ] || { flag=(--tcp); st=-Hltn; }
	port=$(free_port) || { log "no free port found"; return 1; }
	"${on_server[@]}" sockperf server -i 127.0.0.1 -p "$port" "${flag[@]}" >"$dir/$tag.server" 2>&1 &
	pid=$!
	LIB_PIDS="$LIB_PIDS $pid"
	while [ -z "$(ss "$st" "sport = :$port" 2>/dev/null)" ]; do
		i=$((i + 1))
		if [ "$i" -gt 100 ] || ! lib_alive "$pid"; then
			log "sockperf server on port $port did not start; see $dir/$tag.server"
			lib_server_stop "$pid" 0 || true
			return 1
		fi
		sleep 0.05
	done
	if ! timeout -k 5 $((secs + 30)) "${on_client[@]}" sockperf ping-pong -i 127.0.0.1 \
		-p "$port" "${flag[@]}" -m "$size" --full-rtt -t "$secs" >"$dir/$tag.out" 2>&1; then
		lib_server_stop "$pid" 0 || true
		return 1
	fi
	lib_server_stop "$pid" 0 || true
	# "sockperf: ---> percentile 50.000 =   30.897" (usec), between colour escapes.
	v=$(sed 's/\x1b\[[0-9;]*m//g' "$dir/$tag.out" |
		sed -n 's/.*---> percentile 50\.000 = *\([0-9][0-9.]*\).*/\1/p' | head -n 1)
	[ -n "$v" ] || { log "no p50 line in $dir/$tag.out"; return 1; }
	FIG=$v
}

# per_message SIZE ROUND: ours per message (its --json file, whose p50 total bench-summary
# reads) and the reference's p50: FIG="OURS_JSON REF".
per_message() {
	local size=$1 r=$2 n=$((count / 10)) tag o f

	tag="ours-tcp-per-message-$size-r$r"
	lib_server_start "$dir/$tag.server" "${on_server[@]}" "$bin/tcp_server" -b 127.0.0.1 -p 0 \
		-q || return 1
	lib_client_run "$dir/$tag" "$CLIENT_SECS" "${on_client[@]}" "$bin/tcp_client" -a 127.0.0.1 \
		-p "$LIB_SERVER_PORT" -s "$size" -n "$n" -q --json "$dir/$tag.json" || return 1
	[ -s "$dir/$tag.json" ] || return 1
	o=$tag.json
	tag="ref-tcp-per-message-$size-r$r"
	lib_server_start "$dir/$tag.server" "${on_server[@]}" "$bin/tcp_server" -b 127.0.0.1 -p 0 \
		-q || return 1
	# The reference has no timeouts of its own (they would cost it syscalls): bound it here.
	lib_client_run "$dir/$tag" "$CLIENT_SECS" "${on_client[@]}" "$ref" -a 127.0.0.1 \
		-p "$LIB_SERVER_PORT" -s "$size" -n "$n" || return 1
	f=$(sed -n 's/^ref .* p50_us=\([0-9.]*\) .*/\1/p' "$dir/$tag.out")
	is_us "$f" || return 1
	FIG="$o $f"
}

# The runs: one line "KIND PROTO SIZE ROUND OURS_JSON REF_P50" per pair of runs.
raw="$dir/runs.txt"
: >"$raw"
for r in $(seq 1 "$rounds"); do
	for p in tcp udp; do
		for s in $SIZES; do
			log "round $r/$rounds: $p $s B --keep: ours and sockperf"
			a="" b=""
			if [ $((r % 2)) -eq 1 ]; then
				if ours "$p" "$s" "$r"; then a=$FIG; fi
				if sockperf_rtt "$p" "$s" "$r"; then b=$FIG; fi
			else
				if sockperf_rtt "$p" "$s" "$r"; then b=$FIG; fi
				if ours "$p" "$s" "$r"; then a=$FIG; fi
			fi
			if [ -z "$a" ] || ! is_us "$b"; then
				failed+=("$p $s B --keep round $r (see $dir)")
				continue
			fi
			printf 'keep %s %s %s %s %s\n' "$p" "$s" "$r" "$a" "$b" >>"$raw"
		done
	done
	log "round $r/$rounds: tcp 64 B per message: ours and the minimal loop"
	if per_message 64 "$r"; then
		printf 'per-message tcp 64 %s %s\n' "$r" "$FIG" >>"$raw"
	else
		failed+=("tcp per-message round $r")
	fi
done

load1=$(lib_loadavg)
{
	echo "# bench-loopback: $rounds rounds; client on CPU $ccpu, server on CPU $scpu"
	echo "# load average before: $load0; after: $load1 ($ncpu CPUs; other load skews this)"
	echo "# keep: ours = {tcp,udp}_client --keep --reply-size SIZE -n $count -w 1000, p50 of"
	echo "#   exchange (send .. matching reply complete); ref = sockperf ping-pong --full-rtt"
	echo "#   -t $secs, its 'percentile 50.000' line (usec); both are full round trips"
	echo "# per-message: ours = tcp_client -n $((count / 10)) p50 total (connect .. peer's FIN"
	echo "#   seen); ref = ref_tcp_loop p50 (socket .. close, plain blocking calls)"
	echo "# ratio = ours/ref per round; the median over the rounds, min..max its spread"
	echo "# p50 in microseconds (median over the rounds); runs: $raw"
	# One line per kind/proto/size: medians over the rounds, ratio min..max (ackbench/bench.py).
	(lib_analysis bench-summary loopback "$dir" "$TARGET")
} | tee "$dir/summary.txt"
lib_failed "${failed[@]}" || exit 1
