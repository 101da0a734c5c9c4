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
	# Bounded: a script that hangs is killed (and counted as failed below). Both statuses
	# are read at once: after "|| true", PIPESTATUS was true's, so a script whose tee was
	# killed (its output lost, itself then killed by SIGPIPE) showed as "exit status 0".
	set +e
	timeout -k 10 1200 bash "$t" "$1" 2>&1 | tee "$log"
	st=("${PIPESTATUS[@]}")
	set -e
	rc=${st[0]}
	why="exit status $rc"
	[ "$rc" -le 128 ] || why="$why: SIG$(kill -l $((rc - 128)) 2>/dev/null || echo '?')"
	if [ "${st[1]}" -ne 0 ]; then
		echo "not ok - $name: its output is cut short (tee exit status ${st[1]}; $why)"
		failed=$((failed + 1))
	fi
	# The script's own closing line; shell job notices ("Killed ...") may follow it.
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)
	if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
		if [ "$rc" -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then
			echo "not ok - $name: $why"
			failed=$((failed + 1))
		fi
	else
		echo "not ok - $name ended without a summary ($why)"
		last="no summary ($why)"
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
