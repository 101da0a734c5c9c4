#!/bin/bash
# stale_pid.sh - the test library never signals a pid that is no longer its own child, and
# run.sh reports a script whose output was lost. Both hid a flake: bash reaps a child as
# soon as it ends and the machine soon gives its pid to another process (pid_max 32768),
# so plain.sh's EXIT trap once killed the tee carrying dtls.sh's output, and run.sh showed
# that as "no summary (exit status 0)". The pid hand-over is made on purpose in a private
# pid namespace (ns_last_pid: needs root and unshare); the rest runs anywhere. About 2 s.
#   test/stale_pid.sh BIN_DIR     (BIN_DIR unused: lib.sh's interface)
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

HERE=$(cd "$(dirname "$0")" && pwd)

# not CMD...: CMD fails (for check)
not() { ! "$@"; }

# --- running: this shell's running children only ---

sleep 30 &
child=$!
PIDS+=("$child")
check "running: a child started with &" running "$child"
signal KILL "$child"
wait "$child" 2>/dev/null || true
check "running: not once it has ended and been reaped" not running "$child"
check "running: not this shell itself" not running "$$"
check "running: not pid 1" not running 1
check "running: not an empty pid" not running ""
check "running: not a word" not running "1 2"

# A process that is not this shell's child (its parent, a subshell, has ended): stop_server,
# wait_exit and the EXIT trap must leave it alone, as they must a stale pid that is now
# someone else's.
stranger=$( (sleep 30 >/dev/null 2>&1 & echo $!))
PIDS+=("$stranger")
check "a stranger (another shell's child) is not running for us" not running "$stranger"
stop_server "$stranger"
wait_exit "$stranger" 1 2>/dev/null # (wait: "not a child of this shell")
check "stop_server and wait_exit leave a stranger alone" kill -0 "$stranger"
check_eq "wait_exit: a stranger is not ours to wait for (status 127 from wait)" "$EXIT_RC" 127
tlib_cleanup
check "the EXIT trap's cleanup leaves a stranger alone" kill -0 "$stranger"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ackbench-test.XXXXXX") # the cleanup removed the first
kill -KILL "$stranger" 2>/dev/null || true # ours after all: started above

# --- the flake itself: a server's pid handed to a stranger once the server has ended ---

cat >"$TMP/reuse.sh" <<'EOF'
# runs in a private pid namespace, not as its pid 1 (orphans would become its children)
set -eu
. "$1"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ackbench-test.XXXXXX")
trap tlib_cleanup EXIT
sleep 0.2 &
srv=$!
PIDS+=("$srv")
wait "$srv"
# the next two pids: a subshell, then its sleep, which gets the server's old pid
echo $((srv - 2)) >/proc/sys/kernel/ns_last_pid
( sleep 30 >/dev/null 2>&1 & echo "$!" >"$TMP/stranger" )
stranger=$(cat "$TMP/stranger")
echo "pid reused: $([ "$stranger" = "$srv" ] && echo yes || echo "no ($srv, $stranger)")"
stop_server "$srv"
wait_exit "$srv" 1
tlib_cleanup
echo "stranger with the server's old pid alive: $(kill -0 "$stranger" 2>/dev/null && echo yes || echo no)"
kill -KILL "$stranger" 2>/dev/null || true
EOF
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	# shellcheck disable=SC2016 # expanded by the inner bash
	timeout -k 5 30 unshare --pid --fork --mount-proc bash -c 'bash "$1" "$2"; exit $?' _ \
		"$TMP/reuse.sh" "$HERE/lib.sh" >"$TMP/reuse.out" 2>&1 || true
	check_grep "pid namespace: the server's pid went to a stranger" "$TMP/reuse.out" "^pid reused: yes$"
	check_grep "pid namespace: stop_server, wait_exit and the cleanup left it alone" "$TMP/reuse.out" \
		"^stranger with the server's old pid alive: yes$"
else
	not_ok "pid reuse part: needs root and unshare (util-linux)"
fi

# --- run.sh: a script whose tee is killed fails, with the signal it died of ---

mkdir -p "$TMP/t/test"
cp "$HERE/run.sh" "$TMP/t/test/run.sh"
cat >"$TMP/t/test/cut.sh" <<'EOF'
#!/bin/bash
# kills the reader of its own stdout (run.sh's tee), then goes on writing
set -eu
echo "ok - before"
pipe=$(readlink "/proc/$$/fd/1")
for f in /proc/[0-9]*/fd/0; do
	[ "$(readlink "$f" 2>/dev/null)" = "$pipe" ] || continue
	p=${f#/proc/}
	kill -KILL "${p%%/*}" 2>/dev/null || true
done
sleep 0.5
echo "ok - after"
echo "2 passed, 0 failed"
EOF
rc=0
timeout -k 5 60 bash "$TMP/t/test/run.sh" "$TMP" >"$TMP/run.out" 2>&1 || rc=$?
check_rc "run.sh: a script that lost its output fails the run" "$rc" 1 "$TMP/run.out"
check_grep "run.sh: says the output is cut, and the script's true status" "$TMP/run.out" \
	"^not ok - cut\.sh: its output is cut short \(tee exit status 137; exit status 141: SIGPIPE\)$"
check_grep "run.sh: no summary, no 'exit status 0'" "$TMP/run.out" \
	"^not ok - cut\.sh ended without a summary \(exit status 141: SIGPIPE\)$"

# --- no test script signals by pid or by name itself: only lib.sh's signal does ---

lint=$(grep -nE '(^|[^[:alnum:]_-])(pkill|killall|kill)( |$)' "$HERE"/*.sh |
	grep -vE '^[^:]*/(lib|stale_pid)\.sh:' | grep -vE '^[^:]+:[0-9]+:[[:space:]]*#' |
	grep -v 'kill -l ' || true)
check_eq "test/*.sh: every signal through lib.sh's signal (a running child only)" "$lint" ""

summary
