#!/bin/bash
# scripts.sh - every user-facing script (scripts/*.sh with a usage() text, or a front end of
# the Python analysis: lib_analysis) answers --help and -h with its usage on stdout and
# exit 0 (getopts alone refuses --help).
#   test/scripts.sh BIN_DIR     (BIN_DIR is not used; see test/lib.sh)
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "usage texts of the scripts"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
for s in "$ROOT"/scripts/*.sh; do
	grep -q -e '^usage()' -e '^lib_analysis ' "$s" || continue # not sourced helpers (lib.sh...)
	name=scripts/$(basename "$s")
	for h in --help -h; do
		rc=0
		timeout 30 bash "$s" "$h" >"$TMP/out" 2>"$TMP/err" </dev/null || rc=$?
		check_rc "$name $h: exit 0" "$rc" 0 "$TMP/err"
		check_grep "$name $h: usage on stdout" "$TMP/out" "^Usage: "
	done
done

# bench-stacks.sh: its sets of rows are one per run; -A (authentication) and -Q
# (post-quantum) together are a usage error, refused before anything runs.
b=scripts/bench-stacks.sh
bash "$ROOT/$b" --help >"$TMP/out" 2>&1 || true
check_grep "$b --help: -A" "$TMP/out" "^  -A  .*certificate .* PSK"
rc=0
timeout 30 bash "$ROOT/$b" -A -Q -d "$TMP/never" >"$TMP/out" 2>"$TMP/err" </dev/null || rc=$?
check_rc "$b -A -Q: exit 2" "$rc" 2 "$TMP/err"
check_grep "$b -A -Q: one line naming both" "$TMP/err" "^bench-stacks: -Q and -A: one set"
check "$b -A -Q: one line" test "$(wc -l <"$TMP/err")" -eq 1
check "$b -A -Q: nothing run" test ! -e "$TMP/never"
# -L (the -Q/-A cells over link profiles) and -N (handshakes per link cell): usage errors,
# each one line and exit 2 before anything runs (no link is built, no directory made).
for c in "-L nbiot|^bench-stacks: -L: only with -Q or -A" \
	"-Q -N 5|^bench-stacks: -N: only with -L" \
	"-A -L nbiot -N 0|^bench-stacks: -N: .0. is not a positive number" \
	"-Q -L nbiot,marsnet|^link: unknown link profile .marsnet." \
	"-A -L rtt=fast|^link: "; do
	rc=0
	# shellcheck disable=SC2086 # the options are words
	timeout 30 bash "$ROOT/$b" ${c%%|*} -d "$TMP/never" >"$TMP/out" 2>"$TMP/err" </dev/null || rc=$?
	check_rc "$b ${c%%|*}: exit 2" "$rc" 2 "$TMP/err"
	check_grep "$b ${c%%|*}: names what is wrong" "$TMP/err" "${c#*|}"
	check "$b ${c%%|*}: one line" test "$(wc -l <"$TMP/err")" -eq 1
	check "$b ${c%%|*}: nothing run" test ! -e "$TMP/never"
done
bash "$ROOT/$b" --help >"$TMP/out" 2>&1 || true
check_grep "$b --help: -L" "$TMP/out" "^  -L PROFILES .*link profiles"
check_grep "$b --help: -N" "$TMP/out" "^  -N COUNT .*handshakes per cell over a link"
summary
