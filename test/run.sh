#!/bin/bash
# run.sh - runs every integration test script test/*.sh (all but lib.sh and run.sh) with
# BIN_DIR, shows their lines, and ends with the total "N passed, M failed". Exits non-zero
# when any test failed or any script did not end with its own summary line.
set -eu

usage() {
	cat <<EOF
Usage: $0 [-h] BIN_DIR
Runs test/*.sh (except lib.sh and run.sh) against the programs in BIN_DIR.
The bad-peer tool is \$BADPEER, else BIN_DIR/../test/badpeer.
EOF
}

while getopts h opt; do
	case "$opt" in
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ "$#" -ne 1 ] || [ ! -d "$1" ]; then
	usage >&2
	exit 2
fi

dir=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
cleanup() { rm -f "$log"; }
trap cleanup EXIT

passed=0
failed=0
summaries=()
start=$(date +%s)
for t in "$dir"/*.sh; do
	name=$(basename "$t")
	case "$name" in lib.sh | run.sh) continue ;; esac
	echo "# $name"
	t0=$(date +%s)
	# Bounded: a script that hangs is killed (and counted as failed below).
	timeout -k 10 1200 bash "$t" "$1" 2>&1 | tee "$log" || true
	rc=${PIPESTATUS[0]}
	# The script's own closing line; shell job notices ("Killed ...") may follow it.
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)
	if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
		if [ "$rc" -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then
			echo "not ok - $name exited with status $rc"
			failed=$((failed + 1))
		fi
	else
		echo "not ok - $name ended without a summary (exit status $rc)"
		last="no summary (exit status $rc)"
		failed=$((failed + 1))
	fi
	summaries+=("$name: $last ($(($(date +%s) - t0)) s)")
done
echo "# summaries:"
for s in "${summaries[@]}"; do
	echo "#   $s"
done
echo "# integration tests took $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
