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
#   lib_mbedtls_rate FILE NAME UNIT  operations per second from the output of Mbed TLS's
#                                programs/test/benchmark ("  NAME  :  1234 UNIT/s"), or ""
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
# with dash), so /proc is asked when there is one.
lib_alive() {
	kill -0 "$1" 2>/dev/null || return 1
	if [ -r "/proc/$1/stat" ]; then
		case "$(cut -d ' ' -f 3 "/proc/$1/stat" 2>/dev/null)" in
		Z | X | "") return 1 ;;
		esac
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
		kill -KILL "$1" 2>/dev/null || true
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

lib_mbedtls_rate() {
	awk -v n="$2" -v u=" $3/s" '$1 == n && $2 == ":" && index($0, u) { print $3; exit }' "$1"
}
