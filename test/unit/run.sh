#!/bin/bash
# run.sh - runs each unit test binary given, shows its lines, and ends with the total
# "N passed, M failed". Exits non-zero when any check failed or any binary did not end
# with its own summary line (a crash counts as one failure).
set -eu

usage() {
	cat <<USAGE
Usage: $0 TEST_BINARY...
Runs each unit test binary and prints one closing line "N passed, M failed".
USAGE
}

while getopts h opt; do
	case "$opt" in
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "$#" -gt 0 ] || { usage >&2; exit 2; }

tmp=$(mktemp)
cleanup() { rm -f "$tmp"; }
trap cleanup EXIT

passed=0
failed=0
for t in "$@"; do
	name=$(basename "$t")
	echo "# $name"
	rc=0
	timeout 120 "$t" >"$tmp" 2>&1 || rc=$?
	cat "$tmp"
	last=$(tail -n 1 "$tmp")
	if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
		if [ "$rc" -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then
			echo "not ok - $name exited with status $rc"
			failed=$((failed + 1))
		fi
	else
		echo "not ok - $name ended without a summary (exit status $rc)"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
