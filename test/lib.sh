#!/bin/bash
# lib.sh - shared helpers of the integration tests (sourced, not run).
#
#   . "$(dirname "$0")/lib.sh"
#   test_init "$@"                parses "[-h] BIN_DIR", sets BIN, TMP, BADPEER, cleanup trap
#   start_server NAME PROG ARGS   runs "$BIN/PROG -p 0 ARGS" in the background and waits
#                                 (bounded) for its "ready port=N" line; sets SRV_PID,
#                                 SRV_PORT, SRV_OUT, SRV_ERR ($TMP/NAME.out/.err)
#   stop_server PID               SIGTERM, bounded wait, then SIGKILL
#   running PID                   PID is still a running child of this shell (see below)
#   signal SIG PID                kill -SIG PID, only while "running PID"
#   wait_exit PID SECS            waits for PID to end by itself; sets EXIT_RC (124: still
#                                 running after SECS, then it is killed)
#   run_client NAME SECS PROG ARGS runs "$BIN/PROG ARGS" under timeout; sets RC, OUT, ERR
#   wait_lines FILE ERE N SECS    waits until N lines of FILE match ERE (1: timed out)
#   dead_port PROG                DEAD_PORT: a port PROG's server had, now closed
#   ok / not_ok DESC [DETAIL...]  one result line ("ok - DESC" / "not ok - DESC")
#   check DESC CMD...             ok when CMD succeeds
#   check_eq DESC GOT WANT        check_rc DESC GOT WANT [FILE]   (exit statuses)
#   check_grep / check_nogrep DESC FILE ERE   some line / no line of FILE matches
#   summary                       "N passed, M failed"; returns 1 on any failure
#   make_var ARGS...              the Makefile's answer to ARGS (e.g. print-STACKS), outside
#                                 the calling make (its SAN=1 etc. do not leak in)
#   stack_bin STACK               STACK's programs as `make integration` builds them (other-stacks:
#                                 native, full config, no sanitizer, not static)
#   stack_of BIN_DIR              the stack BIN_DIR's programs were built with
#   stacks_built                  STACKS and SBIN[stack]=bin dir: the stacks built here
# Checks never stop the script (set -e stays safe); a test script ends with "summary".
# Every process started here is killed by the EXIT trap; every wait is bounded.
# A pid is signalled only while it is still this shell's running child ("running"): bash
# reaps a child as soon as it ends, and its pid is soon another process's (pid_max is
# 32768 here and the shared machine goes through it in about 90 s), so a kill by a stale
# pid hit another test's tee, shell or server (test/dtls.sh ended without its summary).
# Needs: timeout, jq (checked in test_init).
# shellcheck disable=SC2034 # RC, OUT, EXIT_RC, DEAD_PORT...: set here for the test scripts

PASSED=0
FAILED=0
PIDS=()
TMP=
BIN=
BADPEER=${BADPEER:-}

tlib_usage() {
	cat <<EOF
Usage: $(basename "$0") [-h] BIN_DIR
Runs the integration tests against the programs in BIN_DIR (e.g. build/native/bin).
The bad-peer tool is \$BADPEER, else BIN_DIR/../test/badpeer.
Prints "ok - ..."/"not ok - ..." lines and ends with "N passed, M failed".
EOF
}

# running PID: PID is a process (not a zombie) whose parent is this shell. No fork: the
# check runs in every wait loop. A pid that ended and was reaped fails it even when the
# kernel has given it to a stranger since (the stranger's parent is not this shell).
running() {
	local stat state ppid
	case "$1" in '' | *[!0-9]*) return 1 ;; esac
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	# "pid (comm) state ppid ...": comm may hold spaces and parentheses
	read -r state ppid _ <<<"${stat##*) }"
	[ "$state" != Z ] && [ "$ppid" = "$$" ]
}

# signal SIG PID: kill -SIG PID while PID is running (1, nothing sent, otherwise).
signal() {
	running "$2" || return 1
	kill "-$1" "$2" 2>/dev/null
}

tlib_cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		signal CONT "$p" || continue
		signal KILL "$p" || true
	done
	if [ -n "$TMP" ] && [ -z "${KEEP_TMP:-}" ]; then
		rm -rf "$TMP"
	fi
}

test_init() {
	local opt
	OPTIND=1
	while getopts h opt; do
		case "$opt" in
		h) tlib_usage; exit 0 ;;
		*) tlib_usage >&2; exit 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	if [ "$#" -ne 1 ] || [ ! -d "$1" ]; then
		tlib_usage >&2
		exit 2
	fi
	BIN=$(cd "$1" && pwd)
	[ -n "$BADPEER" ] || BADPEER="$BIN/../test/badpeer"
	local tool
	for tool in timeout jq; do
		command -v "$tool" >/dev/null || { echo "$(basename "$0"): needs $tool" >&2; exit 2; }
	done
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/ackbench-test.XXXXXX")
	trap tlib_cleanup EXIT
}

ok() {
	PASSED=$((PASSED + 1))
	echo "ok - $1"
}

# not_ok DESC [DETAIL...]: each DETAIL line is shown after "# ".
not_ok() {
	local d
	FAILED=$((FAILED + 1))
	echo "not ok - $1"
	shift
	for d in "$@"; do
		printf '%s\n' "$d" | sed 's/^/#   /'
	done
}

# check DESC CMD...: ok when CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc" "failed: $*"; fi
}

# check_eq DESC GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  $2" "want: $3"; fi
}

# check_grep DESC FILE ERE: some line of FILE matches.
check_grep() {
	if grep -Eq -- "$3" "$2"; then
		ok "$1"
	else
		not_ok "$1" "no line matches: $3" "$(tail -n 5 "$2")"
	fi
}

# check_nogrep DESC FILE ERE: no line of FILE matches.
check_nogrep() {
	if grep -Eq -- "$3" "$2"; then
		not_ok "$1" "unexpected: $(grep -E -m 1 -- "$3" "$2")"
	else
		ok "$1"
	fi
}

# check_rc DESC GOT WANT [FILE]: an exit status; FILE's tail shown on failure.
check_rc() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "exit status $2, want $3" "$(tail -n 5 "${4:-/dev/null}" 2>/dev/null)"
	fi
}

# start_server NAME PROG ARGS...: returns 1 (after a not_ok) if it is not ready in 30 s.
# SRV_RUNNER (e.g. "qemu-aarch64 -L /usr/aarch64-linux-gnu") goes in front of the program,
# SRV_BIN replaces BIN as its directory: cross.sh runs cross-built servers this way.
start_server() {
	local name=$1 prog=$2 i
	shift 2
	SRV_OUT="$TMP/$name.out"
	SRV_ERR="$TMP/$name.err"
	SRV_PORT=
	# Emptied here, not only by the redirection below: that happens in the child, and the
	# loop could otherwise read a ready line left by an earlier server of the same NAME.
	: >"$SRV_OUT"
	# shellcheck disable=SC2086 # the runner is a command line, split on purpose
	${SRV_RUNNER:-} "${SRV_BIN:-$BIN}/$prog" -p 0 "$@" >"$SRV_OUT" 2>"$SRV_ERR" &
	SRV_PID=$!
	PIDS+=("$SRV_PID")
	for i in $(seq 300); do
		SRV_PORT=$(sed -n 's/^ready port=\([0-9][0-9]*\)$/\1/p' "$SRV_OUT")
		[ -z "$SRV_PORT" ] || return 0
		running "$SRV_PID" || break
		sleep 0.1
	done
	not_ok "$name: $prog $* ready (after $i polls)" "$(cat "$SRV_ERR")"
	stop_server "$SRV_PID"
	return 1
}

stop_server() {
	local i
	signal CONT "$1" || true
	signal TERM "$1" || true
	for i in $(seq 50); do
		running "$1" || break
		sleep 0.1
	done
	[ "$i" -lt 50 ] || signal KILL "$1" || true
	wait "$1" 2>/dev/null || true
}

# gen_certs TYPE DIR [NAME...]: a fresh certificate set of TYPE in DIR (scripts/gen-certs.sh,
# NAMEs as its server names), or the script ends: nothing runs without credentials.
gen_certs() {
	local type=$1 dir=$2
	shift 2
	if ! "$ROOT/scripts/gen-certs.sh" -t "$type" -o "$dir" "$@" >"$TMP/gen-$type.log" 2>&1; then
		not_ok "gen-certs.sh -t $type" "$(cat "$TMP/gen-$type.log")"
		summary
		exit 1
	fi
}


# proxy_start SERVER-PORT ARGS...: Mbed TLS's udp_proxy ($PROXY) on a free loopback port in
# front of SERVER-PORT, with udp_proxy's ARGS (drop=, delay=, ...); sets PROXY_PID and
# PROXY_PORT. A port taken by someone else is tried again, 20 times at most.
proxy_start() {
	local sp=$1 i
	shift
	for i in $(seq 20); do
		PROXY_PORT=$((20000 + (RANDOM % 20000)))
		"$PROXY" server_addr=127.0.0.1 server_port="$sp" listen_addr=127.0.0.1 \
			listen_port="$PROXY_PORT" "$@" >"$TMP/proxy.out" 2>&1 &
		PROXY_PID=$!
		PIDS+=("$PROXY_PID")
		for _ in $(seq 50); do
			grep -q "Waiting for a remote connection" "$TMP/proxy.out" && return 0
			running "$PROXY_PID" || break
			sleep 0.1
		done
		stop_server "$PROXY_PID"
	done
	not_ok "udp_proxy started" "$(tail -n 3 "$TMP/proxy.out")"
	return 1
}

wait_exit() {
	local i n=$(($2 * 10))
	EXIT_RC=124
	for i in $(seq "$n"); do
		running "$1" || break
		sleep 0.1
	done
	if running "$1"; then
		signal KILL "$1" || true
		wait "$1" 2>/dev/null || true
		return 0
	fi
	EXIT_RC=0
	wait "$1" || EXIT_RC=$?
	: "$i"
}

run_client() {
	local name=$1 secs=$2 prog=$3
	shift 3
	OUT="$TMP/$name.out"
	ERR="$TMP/$name.err"
	RC=0
	timeout -k 5 "$secs" "$BIN/$prog" "$@" >"$OUT" 2>"$ERR" </dev/null || RC=$?
}

# wait_lines FILE ERE COUNT SECS: waits until COUNT lines of FILE match ERE; 1 on timeout.
wait_lines() {
	local i n
	for i in $(seq $(($4 * 10))); do
		n=$(grep -Ec -- "$2" "$1" 2>/dev/null || true)
		[ "${n:-0}" -lt "$3" ] || return 0
		sleep 0.1
	done
	: "$i"
	return 1
}

# A port where nothing listens: one a server had, after it stopped.
dead_port() {
	start_server "dead-$1" "$1" -b 127.0.0.1 || return 1
	DEAD_PORT=$SRV_PORT
	stop_server "$SRV_PID"
}

# run_id FILE: the client's run id from its header line ("xxxxxxxx" if none).
run_id() {
	local r
	r=$(sed -n 's/^# ackbench .* run=\([0-9a-f]\{8\}\)$/\1/p' "$1" 2>/dev/null || true)
	echo "${r:-xxxxxxxx}"
}

# csv_all FILE AWK-CONDITION: every data row of a client CSV satisfies the condition (and
# there is one). Columns: 7 exchange_us, 10 ok, 13 hs_tx_bytes, 14 hs_rx_bytes,
# 15 hs_retrans, 16 resumed, 18 cookie_us (dtls).
csv_all() {
	awk -F, "NR > 1 { n++; if (!($2)) bad++ } END { exit !(n > 0 && bad == 0) }" "$1"
}

summary() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

# kill_ns NS: SIGKILL to every process in the network namespace NS, one the calling test
# made itself (only what it started runs there; the pids are read just before the signal).
kill_ns() {
	local p
	for p in $(ip netns pids "$1" 2>/dev/null); do
		kill -KILL "$p" 2>/dev/null || true
	done
}

# kill_user USER: SIGKILL to every process of USER, a login the calling test made itself.
# The kernel picks them (kill -1 run as USER reaches only USER's own processes), so no pid
# that has passed to a stranger is signalled.
kill_user() {
	su -s /bin/sh -c 'kill -KILL -1' "$1" >/dev/null 2>&1 || true
}

# link_test_init: for the scripts that run over scripts/link.sh's emulated links: LINK,
# ACKBENCH_LINK_RUN in the test's TMP, MADE (the link names the script brings up, each taken
# down at exit, also on failure), and root with scripts/deps.sh's test and link groups.
link_test_init() {
	LINK="$TLIB_ROOT/scripts/link.sh"
	export ACKBENCH_LINK_RUN="$TMP/run"
	MADE=()
	trap link_test_cleanup EXIT
	if [ "$(id -u)" != 0 ] || ! "$TLIB_ROOT/scripts/deps.sh" test link >/dev/null 2>&1; then
		not_ok "$(basename "$0") runs as root with scripts/deps.sh test link"
		summary
		exit 1
	fi
}
link_test_cleanup() {
	local n
	for n in "${MADE[@]+"${MADE[@]}"}"; do
		"$LINK" -n "$n" down 2>/dev/null || true
	done
	tlib_cleanup
}

# first_pass_only WHY: the integration tests that build links, fleets, MCU sweeps or stack
# interop run once, in make test's first pass; the sanitizer pass (ACKBENCH_PASS=san) would
# only repeat what sanitizers cannot see. Ends the script with an empty summary there.
first_pass_only() {
	if [ "${ACKBENCH_PASS:-}" = san ]; then
		echo "skip - $1: first pass only (ACKBENCH_PASS=san)"
		summary
		exit 0
	fi
}

# mcu_deps: scripts/deps.sh mcu (the Arm toolchain and QEMU), else a failed check and the
# script's end.
mcu_deps() {
	if ! "$TLIB_ROOT/scripts/deps.sh" mcu >"$TMP/deps.log" 2>&1; then
		not_ok "scripts/deps.sh mcu installs the toolchain and QEMU" "$(tail -n 3 "$TMP/deps.log")"
		summary
		exit 1
	fi
}

# mcu_build VAR=VALUE...: mcu_deps, then the bare-metal image `make VAR=VALUE... all` builds
# (not with our caller's make flags: make test's SAN=1 or CONFIG=... are not this target's),
# checked; the script ends there when it fails.
mcu_build() {
	local rc=0
	mcu_deps
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS nice make -s -C "$TLIB_ROOT" "$@" -j2 all \
		>"$TMP/build.log" 2>&1 || rc=$?
	check_rc "make $* builds the image" "$rc" 0 "$TMP/build.log"
	[ "$rc" -eq 0 ] || { summary; exit 1; }
}

# mcu_first NAME DESC ARGS...: the first scripts/mcu.sh run of an MCU test, by the script's
# own run() (NAME: its directory $TMP/NAME, then A), its exit status checked as DESC; the
# script ends there, failed, when the run wrote no summary (mcu.json): nothing else to check.
mcu_first() {
	local name=$1 desc=$2
	shift 2
	run "$name" "$@"
	check_rc "$desc" "$RC" 0 "$TMP/$name.err"
	A=$TMP/$name
	if [ ! -f "$A/mcu.json" ]; then
		not_ok "the run wrote its summary" "$(tail -n 5 "$TMP/$name.err")"
		summary
		exit 1
	fi
}

TLIB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# A make run from a recipe of `make SAN=1 ...` inherits SAN=1 (and the rest) in its
# environment, not only in MAKEFLAGS: unset them, so the answer is the tree's own.
make_var() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u SAN -u STATIC -u CONFIG -u TARGET -u STACK \
		make -s --no-print-directory -C "$TLIB_ROOT" "$@"
}

stack_bin() {
	echo "$TLIB_ROOT/$(make_var STACK="$1" TARGET=native CONFIG=full print-BUILD)/bin"
}

# stack_of BIN_DIR: the stack BIN_DIR's programs were built with, from tls_client --version.
stack_of() {
	"$1/tls_client" -V 2>/dev/null | sed -n 's/^tls_client [^ ]* (stack \([a-z0-9]*\) .*/\1/p'
}

# stacks_built: STACKS, the stacks built here (BIN's own and make STACK=<s> builds), and SBIN,
# each one's bin dir; a stack not built is a failed check naming the make command.
stacks_built() {
	local s d here
	declare -gA SBIN=()
	STACKS=()
	here=$(stack_of "$BIN")
	for s in $(make_var print-STACKS); do
		d=$BIN
		[ "$s" = "$here" ] || d=$(stack_bin "$s")
		if [ "$(stack_of "$d")" != "$s" ]; then
			not_ok "stack $s built in $d (make STACK=$s)"
			continue
		fi
		SBIN[$s]=$d
		STACKS+=("$s")
	done
}
