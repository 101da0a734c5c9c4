#!/bin/sh
# fleet-board.sh - the board's side of a fleet run (scripts/fleet.sh): POSIX sh and the
# tools of a busybox (tar, sed, timeout, setsid), no Python. Ansible runs it over ssh with
# its raw and script modules; it needs nothing else on the board.
set -eu

usage() {
	cat <<USAGE
Usage: $0 check [-d DIR] [-b EPOCH] [-a EPOCH] [-D KB] [-M KB]
       $0 unpack -d DIR [-R RUNNER]
       $0 serve -d DIR -o RESDIR [-I SECS] [-T SECS] [-w SECS] -- RUN-ALL-ARGS
       $0 stop -o RESDIR [-w SECS]
       $0 client -d DIR -o RESDIR [-T SECS] -- RUN-ALL-ARGS
check   prints arch=, disk_kb=, mem_kb= and clock= lines (this board's), then one
        "problem=..." line for each requirement it misses (exit 1): the tools a run needs,
        KB free for DIR (-D, 20480), KB of memory available (-M, 16384), a clock inside
        the certificates' validity (-b notBefore, -a notAfter, seconds since 1970).
unpack  after DIR's tree arrived: with -R RUNNER (an emulator command, e.g.
        "qemu-aarch64 -L /usr/aarch64-linux-gnu") each program moves to bin*/.real/ and a
        wrapper that runs it through RUNNER takes its place; then every program runs once
        with --version (a wrong architecture fails here); prints "version=..." (exit 1 on
        a program that does not run).
serve   starts DIR/scripts/run-all.sh -s RUN-ALL-ARGS -d RESDIR detached from this session
        (setsid, its own process group, stdin/stdout/stderr on files, pid in
        RESDIR/serve.pid), bounded by -I (servers end after SECS without a client; 120)
        and -T (the whole group is stopped after SECS; 3600); waits up to -w SECS (60) for
        every server's "ready proto=" line, prints them (exit 1 if one is missing).
stop    stops what serve started (SIGTERM to its process group: servers write their rows
        and exit; SIGKILL after -w SECS, 10); prints "stopped pid=N".
client  runs DIR/scripts/run-all.sh -c RUN-ALL-ARGS -d RESDIR under timeout -T SECS (3600).
USAGE
}

die2() {
	echo "fleet-board: $*" >&2
	exit 2
}

[ $# -gt 0 ] || die2 "say check, unpack, serve, stop or client (see --help)"
cmd=$1
shift
case $cmd in -h | --help) usage; exit 0 ;; esac

dir=ackbench
res=""
not_before=""
not_after=""
min_disk=20480
min_mem=16384
runner=""
idle=120
hard=3600
wait_s=""
while getopts d:o:b:a:D:M:R:I:T:w: opt; do
	case $opt in
	d) dir=$OPTARG ;;
	o) res=$OPTARG ;;
	b) not_before=$OPTARG ;;
	a) not_after=$OPTARG ;;
	D) min_disk=$OPTARG ;;
	M) min_mem=$OPTARG ;;
	R) runner=$OPTARG ;;
	I) idle=$OPTARG ;;
	T) hard=$OPTARG ;;
	w) wait_s=$OPTARG ;;
	*) die2 "$cmd: bad option (see --help)" ;;
	esac
done
shift $((OPTIND - 1))

# arch_of UNAME_M: the ackbench name of an architecture (ports/targets/*.mk).
arch_of() {
	case $1 in
	x86_64 | amd64) echo x86_64 ;;
	aarch64 | arm64 | armv8b) echo aarch64 ;;
	armv6* | armv7* | armv8l | armhf) echo armhf ;;
	riscv64) echo riscv64 ;;
	*) echo "$1" ;;
	esac
}

# pid_alive PID: a running process (a zombie counts as ended).
pid_alive() {
	kill -0 "$1" 2>/dev/null || return 1
	[ ! -r "/proc/$1/stat" ] && return 0
	case $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) in Z* | X* | "") return 1 ;; esac
	return 0
}

check() {
	problems=""
	add() { problems="$problems$*
"; }
	echo "arch=$(arch_of "$(uname -m)")"
	for t in tar sed awk grep timeout setsid date df sleep kill; do
		command -v "$t" >/dev/null 2>&1 || add "tools: $t not found (run-all.sh and the fleet scripts need it)"
	done
	# free space where DIR is or will be (its nearest existing ancestor)
	d=$dir
	while [ ! -d "$d" ]; do
		case $d in */*) d=${d%/*} ;; *) d=. ;; esac
		[ -n "$d" ] || d=/
	done
	kb=$(df -Pk "$d" 2>/dev/null | awk 'NR == 2 { print $4 }')
	echo "disk_kb=${kb:-unknown}"
	if [ -z "$kb" ]; then
		add "disk: df -Pk $d gives no free space"
	elif [ "$kb" -lt "$min_disk" ]; then
		add "disk: $kb KB free for $dir, $min_disk KB needed"
	fi
	mem=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo 2>/dev/null)
	[ -n "$mem" ] || mem=$(awk '$1 == "MemFree:" { print $2 }' /proc/meminfo 2>/dev/null)
	echo "mem_kb=${mem:-unknown}"
	if [ -n "$mem" ] && [ "$mem" -lt "$min_mem" ]; then
		add "memory: $mem KB available, $min_mem KB needed"
	fi
	now=$(date -u +%s)
	echo "clock=$now $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
	if [ -n "$not_before" ] && [ "$now" -lt "$not_before" ]; then
		add "clock: $(date -u '+%Y-%m-%d %H:%M') UTC is before the certificates' notBefore; set the clock (date -s, NTP)"
	fi
	if [ -n "$not_after" ] && [ "$now" -gt "$not_after" ]; then
		add "clock: $(date -u '+%Y-%m-%d %H:%M') UTC is after the certificates' notAfter; set the clock or make new certificates"
	fi
	printf '%s' "$problems" | sed -n 's/^./problem=&/p'
	[ -z "$problems" ]
}

unpack() {
	first=""
	for b in "$dir"/bin "$dir"/bin-*; do
		[ -d "$b" ] || continue
		if [ -n "$runner" ]; then
			mkdir -p "$b/.real"
			for p in "$b"/*; do
				[ -f "$p" ] || continue
				n=${p##*/}
				# a wrapper left by the last deploy was overwritten by the new program
				mv -f "$p" "$b/.real/$n"
				# shellcheck disable=SC2016 # $0 and $@ are the wrapper's
				printf '#!/bin/sh\nexec %s "$(dirname "$0")/.real/%s" "$@"\n' "$runner" "$n" >"$p"
				chmod 755 "$p"
			done
		fi
		for p in "$b"/*_client "$b"/*_server; do
			[ -x "$p" ] || continue
			if ! v=$("$p" --version 2>&1); then
				echo "problem=cannot run $p on $(uname -m): $(printf '%s' "$v" | tail -n 1)"
				return 1
			fi
			[ -n "$first" ] || first=$v
		done
	done
	[ -n "$first" ] || { echo "problem=no programs in $dir/bin*"; return 1; }
	echo "version=$first"
}

serve() {
	[ -n "$res" ] || die2 "serve: -o RESDIR is required"
	mkdir -p "$res"
	[ ! -s "$res/serve.pid" ] || stop_group "$(cat "$res/serve.pid")" 5 || true
	: >"$res/serve.out"
	# The protocols the servers will serve: one ready line each.
	want=$(printf '%s\n' "$@" | sed -n '/^-P$/{n;p;}' | tr ',' '\n' | grep -c . || true)
	[ "$want" -gt 0 ] || want=1
	setsid timeout -s TERM "$hard" sh "$dir/scripts/run-all.sh" -s -I "$idle" -d "$res/run" "$@" \
		</dev/null >"$res/serve.out" 2>"$res/serve.err" &
	pid=$!
	echo "$pid" >"$res/serve.pid"
	i=0
	while [ "$i" -lt $((${wait_s:-60} * 10)) ]; do
		if [ "$(grep -c '^ready proto=' "$res/serve.out" 2>/dev/null || true)" -ge "$want" ]; then
			grep '^ready proto=' "$res/serve.out"
			echo "serving pid=$pid"
			return 0
		fi
		pid_alive "$pid" || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "problem=servers not ready within ${wait_s:-60} s (pid $pid): $(tail -n 1 "$res/serve.err" 2>/dev/null)"
	stop_group "$pid" 2 || true
	return 1
}

# stop_group PID SECS: TERM to PID's process group, KILL after SECS.
stop_group() {
	pid_alive "$1" || return 0
	kill -TERM -- "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null || true
	i=0
	while pid_alive "$1" && [ "$i" -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	pid_alive "$1" || return 0
	kill -KILL -- "-$1" 2>/dev/null || kill -KILL "$1" 2>/dev/null || true
	return 1
}

stop() {
	[ -n "$res" ] || die2 "stop: -o RESDIR is required"
	[ -s "$res/serve.pid" ] || { echo "stopped pid=none"; return 0; }
	pid=$(cat "$res/serve.pid")
	how=term
	stop_group "$pid" "${wait_s:-10}" || how="kill"
	rm -f "$res/serve.pid"
	echo "stopped pid=$pid by=$how"
}

client() {
	[ -n "$res" ] || die2 "client: -o RESDIR is required"
	mkdir -p "$res"
	rc=0
	timeout -s TERM "$hard" sh "$dir/scripts/run-all.sh" -q -d "$res/run" "$@" </dev/null \
		>"$res/client.out" 2>"$res/client.err" || rc=$?
	grep -E '^(ok|FAILED) ' "$res/client.out" || true
	[ "$rc" = 0 ] || echo "problem=run-all.sh -c exit $rc: $(tail -n 1 "$res/client.err" 2>/dev/null)"
	return "$rc"
}

case $cmd in
check) check ;;
unpack) unpack ;;
serve) serve "$@" ;;
stop) stop ;;
client) client "$@" ;;
*) die2 "unknown command '$cmd' (see --help)" ;;
esac
