#!/bin/bash
# analysis.sh - the Python analysis layer (scripts/ackbench): its pytest unit tests, each
# counted as one result here (so test/run.sh's total includes them), pyflakes over the
# package, `python3 -m ackbench show` on a real loopback run directory, and run-all.sh -c
# without Python (one line saying where to compare; 17 s of the total). A pytest run
# that collects nothing, or ends with an error outside the tests, counts as a failure.
#   test/analysis.sh BIN_DIR
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-/usr/bin/python3}
"$ROOT/scripts/deps.sh" analysis
first_pass_only "pure Python: nothing a sanitizer sees"

# One line per test (-rA lists every outcome), then pytest's own exit status.
rc=0
(cd "$ROOT/scripts" && "$PY" -m pytest -q -rA -p no:cacheprovider ackbench/tests) \
	>"$TMP/pytest.out" 2>&1 || rc=$?
n=0
while read -r outcome name _; do
	case "$outcome" in
	PASSED) ok "pytest: $name"; n=$((n + 1)) ;;
	FAILED | ERROR) not_ok "pytest: $name ($outcome)" "$(grep -A 30 "_ ${name##*::} _" "$TMP/pytest.out" | head -n 30)"; n=$((n + 1)) ;;
	esac
done < <(grep -E '^(PASSED|FAILED|ERROR) ' "$TMP/pytest.out" || true)
# Exit 5: nothing collected; 2-4: interrupted, internal or usage error.
if [ "$n" -eq 0 ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; }; then
	not_ok "pytest ran its tests (exit status $rc, $n results)" "$(tail -n 20 "$TMP/pytest.out")"
elif [ "$rc" -eq 1 ] && [ "$FAILED" -eq 0 ]; then
	not_ok "pytest's exit status 1 with no failed test" "$(tail -n 20 "$TMP/pytest.out")"
fi

rc=0
"$PY" -m pyflakes "$ROOT/scripts/ackbench" >"$TMP/flakes.out" 2>&1 || rc=$?
check_rc "pyflakes: scripts/ackbench is clean" "$rc" 0 "$TMP/flakes.out"

# The reader on a real run directory: two rounds of tcp and udp on loopback.
rc=0
"$ROOT/scripts/loopback.sh" -B "$BIN" -P tcp,udp -n 5 -r 2 -s 64 -d "$TMP/run" >"$TMP/lb.out" 2>&1 || rc=$?
check_rc "loopback.sh: a small run to read" "$rc" 0 "$TMP/lb.out"
rc=0
PYTHONPATH="$ROOT/scripts" "$PY" -m ackbench show "$TMP/run" "$TMP/run/tcp-keep-r2.csv" \
	"$TMP/run/server-udp-keep-r1.csv" >"$TMP/show.out" 2>&1 || rc=$?
check_rc "ackbench show on the run directory" "$rc" 0 "$TMP/show.out"
check_grep "the reader finds the 8 client summaries" "$TMP/show.out" ': run directory: 8 client summaries$'
check_grep "rounds from the file names" "$TMP/show.out" '^  udp-per-message-r2\.json: udp per-message round 2, sizes 64$'
check_grep "the client's samples by column name" "$TMP/show.out" 'tcp-keep-r2\.csv: client samples: 5 messages$'
check_grep "the server's rows" "$TMP/show.out" 'server-udp-keep-r1\.csv: server rows: 1 connections, [0-9]+ messages$'
printf '{"tool": "ackbench", "proto": "tcp",\n"mode": 3,\n' >"$TMP/run/bad-r1.json"
rc=0
PYTHONPATH="$ROOT/scripts" "$PY" -m ackbench show "$TMP/run" >"$TMP/bad.out" 2>&1 || rc=$?
check_rc "a malformed summary: exit 1" "$rc" 1 "$TMP/bad.out"
check_grep "one line naming the file and line" "$TMP/bad.out" "^ackbench show: $TMP/run/bad-r1\.json:3: not JSON: "
rc=0
PYTHONPATH="$ROOT/scripts" "$PY" -m ackbench show "$TMP/nonexistent" >"$TMP/none.out" 2>&1 || rc=$?
check_rc "a missing path: usage error" "$rc" 2 "$TMP/none.out"

# run-all.sh -c where there is no Python (a board): the runs, and one line saying where to
# run the comparison instead of its table; compare.sh on that directory then gives it.
port=$((20000 + $$ % 20000))
"$ROOT/scripts/run-all.sh" -s -b 127.0.0.1 -I 5 -P tcp,udp -p "$port" -B "$BIN" \
	-d "$TMP/ra-srv" >"$TMP/ra-srv.out" 2>&1 </dev/null &
spid=$!
PIDS+=("$spid")
rc=0
PYTHON=/nonexistent/python3 timeout -k 5 120 "$ROOT/scripts/run-all.sh" -c 127.0.0.1 -P tcp,udp \
	-p "$port" -n 5 -S 64 -B "$BIN" -d "$TMP/ra-cli" >"$TMP/ra-cli.out" 2>&1 </dev/null || rc=$?
check_rc "run-all.sh -c without Python: exit 0" "$rc" 0 "$TMP/ra-cli.out"
check_grep "... one line saying where to compare" "$TMP/ra-cli.out" \
	"^# comparison: no Python analysis here; copy $TMP/ra-cli to a host with the tree and run scripts/compare\.sh on it$"
check_nogrep "... and no comparison table" "$TMP/ra-cli.out" "^# comparison \("
check "... the runs' summaries are there" test -s "$TMP/ra-cli/udp-keep.json"
rc=0
"$ROOT/scripts/compare.sh" "$TMP/ra-cli" >"$TMP/ra-cmp.out" 2>&1 || rc=$?
check_rc "compare.sh on that directory where Python is: exit 0" "$rc" 0 "$TMP/ra-cmp.out"
check_grep "... its table names both protocols" "$TMP/ra-cmp.out" "udp"
wait_exit "$spid" 30
check_rc "run-all.sh -s ends after its idle time" "$EXIT_RC" 0 "$TMP/ra-srv.out"
summary
