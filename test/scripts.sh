#!/bin/bash
# scripts.sh - every user-facing script (scripts/*.sh with a usage() text, or a front end of
# the Python analysis: lib_analysis) answers --help and -h with its usage on stdout and
# exit 0 (getopts alone refuses --help).
#   test/scripts.sh BIN_DIR     (BIN_DIR is not used; see test/lib.sh)
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

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
summary
