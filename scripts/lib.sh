# shellcheck shell=sh
# lib.sh - shell helpers shared by the scripts in scripts/. POSIX sh (dash, busybox ash,
# bash), so that scripts copied to a board can source it too. Source it from a script in
# scripts/ (LIB_ROOT, the top of the tree, is taken as that script's parent directory
# unless already set).
#
#   log MSG...                   one line on stderr, prefixed with the script's name
#   warn MSG... / die MSG...     the same; die exits 1
#   lib_abs PATH                 absolute form of PATH (which need not exist yet)
#   lib_utc_stamp                UTC time as 20250101T120000Z (for directory names)
#   lib_is_count VALUE           true when VALUE is a positive decimal number
#   lib_pairs BINDIR             protocols with both NAME_client and NAME_server in BINDIR
#   lib_alive PID                true while PID runs (a zombie counts as ended)
#   lib_wait_ready LOG PID SECS  waits for "ready port=N" in LOG; prints N
#   lib_server_start LOG CMD...  starts a server (with -p 0) in the background, waits for
#                                its ready line; sets LIB_SERVER_PID and LIB_SERVER_PORT
#   lib_server_stop PID SECS     waits up to SECS for it to exit by itself, then stops it
#                                (TERM, then KILL); returns 1 when it had to be stopped
#   lib_cleanup                  stops every server lib_server_start started (for traps)
#   lib_record_env FILE ARGS...  writes the environment of a run (ARGS: its command line);
#                                LIB_BIN, when set, names the programs' directory
#   lib_cpu_pair .. lib_failed   for the benchmark scripts (the runs; their statistics and
#                                tables are python3 -m ackbench bench-summary): see their section
#   lib_has_analysis             true when the Python analysis (scripts/ackbench) can run here
#   lib_analysis CMD ARGS...     runs it: python3 -m ackbench CMD ARGS (never returns)
#
# Every wait is bounded. Processes are tracked by PID, never matched by name.

LIB_PROG=${LIB_PROG:-$(basename "$0" .sh)}
LIB_ROOT=${LIB_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
LIB_PIDS=""
LIB_SERVER_PID=""
LIB_SERVER_PORT=""
LIB_READY_SECS=${LIB_READY_SECS:-10}

log() { printf '%s: %s\n' "$LIB_PROG" "$*" >&2; }
warn() { log "warning: $*"; }
die() {
	log "$*"
	exit 1
}

lib_abs() {
	case "$1" in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$(pwd)" "${1#./}" ;;
	esac
}

lib_utc_stamp() { date -u +%Y%m%dT%H%M%SZ; }

lib_is_count() {
	case "$1" in
	"" | 0* | *[!0-9]*) return 1 ;;
	esac
	return 0
}

# Known protocols first in their usual order, then any other pair found, by name.
lib_pairs() {
	for _lp in tcp tls udp dtls; do
		if [ -x "$1/${_lp}_client" ] && [ -x "$1/${_lp}_server" ]; then
			printf '%s\n' "$_lp"
		fi
	done
	for _lf in "$1"/*_client; do
		[ -x "$_lf" ] || continue
		_lp=$(basename "$_lf" _client)
		case "$_lp" in tcp | tls | udp | dtls) continue ;; esac
		if [ -x "$1/${_lp}_server" ]; then
			printf '%s\n' "$_lp"
		fi
	done
	return 0
}

# kill -0 also succeeds on a zombie (a child that ended but was not waited for yet, as
# with dash), so /proc is asked when there is one; and on a pid that the shell reaped (bash
# and dash reap background children as they end) and the kernel has given to another
# process since, which a busy machine does within minutes (pid_max 32768): so a process
# is alive for us only while its parent is this shell, and never signalled otherwise.
lib_alive() {
	kill -0 "$1" 2>/dev/null || return 1
	if [ -r "/proc/$1/stat" ]; then
		# "pid (comm) state ppid ...": comm may hold spaces
		_la_s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
		case "$_la_s" in
		Z\ * | X\ * | "") return 1 ;;
		esac
		_la_s=${_la_s#* }
		[ "${_la_s%% *}" = "$$" ] || return 1
	fi
	return 0
}

# Polls every 50 ms; fails at once when the process has ended.
lib_wait_ready() {
	_lw_i=0
	while [ "$_lw_i" -lt $(($3 * 20)) ]; do
		_lw_port=$(sed -n 's/^ready port=\([0-9][0-9]*\)$/\1/p' "$1" 2>/dev/null | head -n 1)
		if [ -n "$_lw_port" ]; then
			printf '%s\n' "$_lw_port"
			return 0
		fi
		lib_alive "$2" || return 1
		sleep 0.05
		_lw_i=$((_lw_i + 1))
	done
	return 1
}

lib_server_start() {
	_ls_log=$1
	shift
	# Emptied before the server starts: an old log's "ready port=N" (a run redone after an
	# interruption) must not be read before the new server's redirection truncates it.
	: >"$_ls_log"
	"$@" >"$_ls_log" 2>&1 &
	LIB_SERVER_PID=$!
	LIB_PIDS="$LIB_PIDS $LIB_SERVER_PID"
	# shellcheck disable=SC2034  # LIB_SERVER_PORT is a result for the sourcing script
	if ! LIB_SERVER_PORT=$(lib_wait_ready "$_ls_log" "$LIB_SERVER_PID" "$LIB_READY_SECS"); then
		if lib_alive "$LIB_SERVER_PID"; then
			log "server '$*': no ready line within $LIB_READY_SECS s; end of $_ls_log:"
		else
			log "server '$*' exited before its ready line; end of $_ls_log:"
		fi
		tail -n 5 "$_ls_log" >&2 || true
		lib_server_stop "$LIB_SERVER_PID" 0 || true
		return 1
	fi
	return 0
}

lib_forget_pid() {
	_lg_rest=""
	for _lg_p in $LIB_PIDS; do
		[ "$_lg_p" = "$1" ] || _lg_rest="$_lg_rest $_lg_p"
	done
	LIB_PIDS=$_lg_rest
}

lib_server_stop() {
	_lt_i=0
	_lt_stopped=0
	while lib_alive "$1" && [ "$_lt_i" -lt $(($2 * 20)) ]; do
		sleep 0.05
		_lt_i=$((_lt_i + 1))
	done
	if lib_alive "$1"; then
		_lt_stopped=1
		kill -TERM "$1" 2>/dev/null || true
		_lt_i=0
		while lib_alive "$1" && [ "$_lt_i" -lt 40 ]; do
			sleep 0.05
			_lt_i=$((_lt_i + 1))
		done
		! lib_alive "$1" || kill -KILL "$1" 2>/dev/null || true
	fi
	wait "$1" 2>/dev/null || true
	lib_forget_pid "$1"
	return "$_lt_stopped"
}

lib_cleanup() {
	for _lc_p in $LIB_PIDS; do
		lib_server_stop "$_lc_p" 0 || true
	done
	LIB_PIDS=""
}

lib_cpu_model() {
	_lm=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
	[ -n "$_lm" ] || _lm=$(uname -m)
	printf '%s\n' "$_lm"
}

lib_governor() {
	_lgv=/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor
	if [ -r "$_lgv" ]; then cat "$_lgv"; else echo unknown; fi
}

# The build's own record of its Mbed TLS source (BINDIR/../mbedtls/ackbench.source, made
# by the Makefile), else the fetch cache's.
lib_mbedtls_source() {
	for _ls_f in "${1:-/nonexistent}/../mbedtls/ackbench.source" \
		"$LIB_ROOT/build/cache/mbedtls.source"; do
		if [ -r "$_ls_f" ]; then
			head -n 1 "$_ls_f"
			return 0
		fi
	done
	echo unknown
}

lib_git_rev() {
	_lr=$(git -C "$LIB_ROOT" rev-parse --short=12 HEAD 2>/dev/null) || {
		echo unknown
		return 0
	}
	if [ -n "$(git -C "$LIB_ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
		_lr="$_lr (modified)"
	fi
	printf '%s\n' "$_lr"
}

# key: value lines, one fact each, so that people read them and scripts grep them.
# lib_stack_version BIN_DIR: the TLS stack of BIN_DIR's programs as their --version says
# ("stack openssl 3.0.19, <build configuration>; ..."), or "unknown".
lib_stack_version() {
	_sv=$("${1:-.}/tls_client" -V 2>/dev/null | sed -n 's/^[^ ]* [^ ]* (\(stack .*\))$/\1/p')
	printf '%s\n' "${_sv:-unknown}"
}

lib_record_env() {
	_le_f=$1
	shift
	{
		printf 'date: %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
		printf 'command: %s\n' "$*"
		printf 'host: %s\n' "$(uname -n)"
		printf 'uname: %s\n' "$(uname -a)"
		printf 'cpu: %s\n' "$(lib_cpu_model)"
		printf 'cpus: %s\n' "$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo unknown)"
		printf 'governor: %s\n' "$(lib_governor)"
		printf 'mbedtls: %s\n' "$(lib_mbedtls_source "${LIB_BIN:-}")"
		printf 'stack: %s\n' "$(lib_stack_version "${LIB_BIN:-}")"
		printf 'git: %s\n' "$(lib_git_rev)"
		printf 'bin: %s\n' "${LIB_BIN:-unknown}"
	} >"$_le_f"
}

# lib_proto_port PROTO BASE: the port run-all.sh gives PROTO's server (tcp BASE,
# udp BASE+1, tls BASE+2, dtls BASE+3, any other protocol BASE+4).
lib_proto_port() {
	case "$1" in
	tcp) echo "$2" ;;
	udp) echo $(($2 + 1)) ;;
	tls) echo $(($2 + 2)) ;;
	dtls) echo $(($2 + 3)) ;;
	*) echo $(($2 + 4)) ;;
	esac
}

# --- for the benchmark scripts (bench-*.sh) ---

# lib_cpu_pair C,S: LIB_CCPU=C, LIB_SCPU=S; false unless two different CPU numbers.
lib_cpu_pair() {
	case "$1" in *,*) ;; *) return 1 ;; esac
	LIB_CCPU=${1%,*}
	LIB_SCPU=${1#*,}
	for _lc_c in "$LIB_CCPU" "$LIB_SCPU"; do
		case "$_lc_c" in "" | *[!0-9]*) return 1 ;; esac
	done
	[ "$LIB_CCPU" != "$LIB_SCPU" ]
}

# lib_cpu_range C,S: after lib_cpu_pair; LIB_NCPU = CPUs online; dies when C or S is not one.
lib_cpu_range() {
	LIB_NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
	if [ "$LIB_CCPU" -ge "$LIB_NCPU" ] || [ "$LIB_SCPU" -ge "$LIB_NCPU" ]; then
		die "-c: '$1': this host has CPUs 0..$((LIB_NCPU - 1)) only"
	fi
}

# lib_need_pairs BINDIR PROTO...: false (and says which) unless every PROTO_client and
# PROTO_server is in BINDIR.
lib_need_pairs() {
	_ln_b=$1
	shift
	for _ln_p in "$@"; do
		if [ ! -x "$_ln_b/${_ln_p}_client" ] || [ ! -x "$_ln_b/${_ln_p}_server" ]; then
			log "-B: no ${_ln_p}_client/${_ln_p}_server in $_ln_b (run make first)"
			return 1
		fi
	done
}

# lib_need_cmds HINT CMD...: dies naming the first CMD not found ("(HINT)" after it).
lib_need_cmds() {
	_ln_h=$1
	shift
	for _ln_c in "$@"; do
		command -v "$_ln_c" >/dev/null || die "$_ln_c not found ($_ln_h)"
	done
}

# lib_run_dir DIR NAME: creates DIR, or LIB_ROOT/results/NAME-<UTC time> when DIR is "";
# prints its absolute path.
lib_run_dir() {
	_ld_d=$1
	[ -n "$_ld_d" ] || _ld_d="$LIB_ROOT/results/$2-$(lib_utc_stamp)"
	_ld_d=$(lib_abs "$_ld_d")
	mkdir -p "$_ld_d"
	printf '%s\n' "$_ld_d"
}

lib_loadavg() { cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown; }

# lib_client_run OUT SECS CMD...: runs a client (killed after SECS) with its output in
# OUT.out, then stops the server lib_server_start started last (which should end after the
# client's END). False when the client failed.
lib_client_run() {
	_lr_o=$1
	_lr_s=$2
	shift 2
	if ! timeout -k 5 "$_lr_s" "$@" >"$_lr_o.out" 2>&1; then
		log "${_lr_o##*/}: client failed; see $_lr_o.out"
		lib_server_stop "$LIB_SERVER_PID" 5 || true
		return 1
	fi
	lib_server_stop "$LIB_SERVER_PID" 10 || true
}

# lib_in_turn ROUND FN A B: FN ROUND A then FN ROUND B in odd rounds, the other way round in
# even ones (so that neither side always goes first).
lib_in_turn() {
	if [ $(($1 % 2)) -eq 1 ]; then
		"$2" "$1" "$3"
		"$2" "$1" "$4"
	else
		"$2" "$1" "$4"
		"$2" "$1" "$3"
	fi
}

# lib_mbedtls_bench OUT BINDIR NOTE RUN ALGS...: OUT = the output of Mbed TLS's
# programs/test/benchmark (BINDIR/../mbedtls/programs/test/benchmark, made if missing), run
# once per ALGS (a list of words each) as RUN PROGRAM ALGS, RUN being a command or function
# that pins (or times) it; NOTE ends each progress line. Dies when one fails.
lib_mbedtls_bench() {
	_lb_o=$1
	_lb_p="$2/../mbedtls/programs/test/benchmark"
	_lb_n=$3
	_lb_r=$4
	shift 4
	if [ ! -x "$_lb_p" ]; then
		log "building $_lb_p"
		make -C "$LIB_ROOT" -s "$(realpath -m --relative-to="$LIB_ROOT" "$_lb_p")" >&2 ||
			die "cannot build $_lb_p"
	fi
	: >"$_lb_o"
	for _lb_a in "$@"; do
		log "crypto floor: $_lb_p $_lb_a$_lb_n"
		# shellcheck disable=SC2086 # $_lb_a is a list of words
		"$_lb_r" "$_lb_p" $_lb_a >>"$_lb_o" 2>&1 || die "$_lb_p $_lb_a failed; see $_lb_o"
	done
}

# lib_failed ITEM...: "FAILED: ITEM" for each; false when there is one.
lib_failed() {
	for _lf_i in "$@"; do
		log "FAILED: $_lf_i"
	done
	[ $# -eq 0 ]
}

# --- the comparison method shared by loopback.sh, compare.sh and matrix.sh ---
# Client and server on different CPUs (when there are two), runs in rounds in a shuffled
# order with a recorded seed, the plain baseline in every round, and each p50 and each
# overhead with a distribution-free 95% confidence interval over the rounds (the
# statistics: scripts/ackbench/stats.py).

# lib_pin_init [C,S]: LIB_CCPU/LIB_SCPU from C,S (dies when not two CPUs of this host), or
# by default 0,1 when there are at least two CPUs; LIB_ON_CLIENT and LIB_ON_SERVER are then
# "taskset -c N" to put before a command (empty without pinning), LIB_PIN_NOTE one line
# for the output saying which.
# shellcheck disable=SC2034 # LIB_ON_* and LIB_PIN_NOTE are results for the sourcing script
lib_pin_init() {
	LIB_NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
	LIB_ON_CLIENT=""
	LIB_ON_SERVER=""
	if [ -n "${1:-}" ]; then
		lib_cpu_pair "$1" || die "-c: '$1' is not two different CPU numbers"
		lib_cpu_range "$1"
	elif [ "$LIB_NCPU" -ge 2 ] && command -v taskset >/dev/null; then
		LIB_CCPU=0
		LIB_SCPU=1
	else
		LIB_CCPU=""
		LIB_SCPU=""
		LIB_PIN_NOTE="pinning: none (taskset not found: scripts/deps.sh bench)"
		[ "$LIB_NCPU" -ge 2 ] || LIB_PIN_NOTE="pinning: none (1 CPU: client and server share it)"
		return 0
	fi
	command -v taskset >/dev/null || die "taskset not found (scripts/deps.sh bench)"
	LIB_ON_CLIENT="taskset -c $LIB_CCPU"
	LIB_ON_SERVER="taskset -c $LIB_SCPU"
	LIB_PIN_NOTE="pinning: client on CPU $LIB_CCPU, server on CPU $LIB_SCPU (of $LIB_NCPU), every run"
}

# lib_seed [SEED]: SEED when given (checked), else a new one from /dev/urandom; prints it.
lib_seed() {
	if [ -n "${1:-}" ]; then
		lib_is_count "$1" || [ "$1" = 0 ] || die "-S: '$1' is not a number"
		printf '%s\n' "$1"
		return 0
	fi
	od -An -N4 -tu4 /dev/urandom | tr -d ' '
}

# lib_shuffle SEED ROUND: the lines of stdin in an order that depends only on SEED and ROUND
# (Fisher-Yates driven by the MINSTD generator, exact in any awk's doubles), so that a run
# can be replayed from its recorded seed.
lib_shuffle() {
	awk -v seed="$1" -v round="$2" '
	function next_r() { x = (x * 48271) % 2147483647; return x }
	{ l[NR] = $0 }
	END {
		x = (seed % 2147483646) + 1
		for (i = 0; i < round * 7 + 3; i++) next_r()
		for (i = NR; i > 1; i--) {
			j = next_r() % i + 1
			t = l[i]; l[i] = l[j]; l[j] = t
		}
		for (i = 1; i <= NR; i++) print l[i]
	}'
}

# lib_load_busy "L1 L5 L15": true when the 1-minute load average is at least half the
# number of CPUs (others' work then shares the CPUs the runs are pinned to).
lib_load_busy() {
	awk -v l="${1%% *}" -v n="$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)" \
		'BEGIN { exit !(l + 0 >= n / 2) }'
}

# lib_load_record FILE WHEN: appends "load_WHEN: L1 L5 L15" to FILE and warns when busy.
lib_load_record() {
	_ll=$(lib_loadavg)
	printf 'load_%s: %s\n' "$2" "$_ll" >>"$1"
	if lib_load_busy "$_ll"; then
		warn "load average $2 the runs: $_ll on $(getconf _NPROCESSORS_ONLN 2>/dev/null) CPUs: the machine was busy, expect wider intervals"
	fi
}

# lib_bytes OPTION VALUE: VALUE in bytes (a positive number, K suffix = x1024); exits 2 with
# one line naming OPTION when it is not one.
lib_bytes() {
	case "$2" in
	*[Kk]) lib_is_count "${2%?}" && { echo $((${2%?} * 1024)); return 0; } ;;
	*) lib_is_count "$2" && { echo "$2"; return 0; } ;;
	esac
	log "$1: '$2' is not a size (a number, K = 1024)"
	exit 2
}

# The analysis (statistics, tables, plots, reports) is Python, scripts/ackbench, run by
# Debian's interpreter ($PYTHON, default /usr/bin/python3: a python3 first on the PATH may
# be another one without Debian's packages). A board without Python runs the shell parts.
lib_python() { printf '%s\n' "${PYTHON:-/usr/bin/python3}"; }
lib_has_analysis() {
	[ -f "$LIB_ROOT/scripts/ackbench/__main__.py" ] && command -v "$(lib_python)" >/dev/null 2>&1
}
lib_analysis() {
	[ -f "$LIB_ROOT/scripts/ackbench/__main__.py" ] ||
		die "$LIB_ROOT/scripts/ackbench not found: the analysis runs where the tree is"
	command -v "$(lib_python)" >/dev/null 2>&1 ||
		die "$(lib_python) not found: the analysis needs Python 3 (scripts/deps.sh analysis) or \$PYTHON"
	PYTHONPATH="$LIB_ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}" exec "$(lib_python)" -m ackbench "$@"
}

# lib_ci_level PERCENT: the level of a -L option (90, 95, 99 or 99.9 -> 0.9...); exits 2 with one
# line otherwise.
lib_ci_level() {
	case "$1" in
	90 | 95 | 99 | 99.9) awk -v p="$1" 'BEGIN { print p / 100 }' ;;
	*) log "-L: '$1' is not a confidence level (90, 95, 99 or 99.9)"; exit 2 ;;
	esac
}
