#!/bin/bash
# ci.sh - the run order's shuffle (scripts/lib.sh) and scripts/compare.sh on made-up round
# summaries: an overhead is "+X [lo..hi]", "within noise" or "lower by X", never a negative
# cost. (The intervals against the textbooks' values: scripts/ackbench/tests/test_stats.py,
# run by test/analysis.sh.) No programs run; a few seconds.
#   test/ci.sh BIN_DIR   (BIN_DIR unused, for test/run.sh)
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "the scripts' shuffle and compare.sh on made-up data"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LIB_ROOT=$ROOT
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

# The run order: a permutation, the same for the same seed and round, another for another.
a=$(seq 1 12 | lib_shuffle 7 1 | tr '\n' ' ')
check_eq "lib_shuffle: the same seed and round give the same order" \
	"$(seq 1 12 | lib_shuffle 7 1 | tr '\n' ' ')" "$a"
check_eq "lib_shuffle: a permutation" "$(tr ' ' '\n' <<<"$a" | sed '/^$/d' | sort -n | tr '\n' ' ')" \
	"$(seq 1 12 | tr '\n' ' ')"
check "lib_shuffle: another round, another order" \
	[ "$(seq 1 12 | lib_shuffle 7 2 | tr '\n' ' ')" != "$a" ]

# compare.sh on made-up summaries, 6 rounds: tls above tcp in every round, udp and dtls
# interleaved (within noise), and a keep size where tls is below tcp in every round.
summary_json() { # PROTO MODE ROUND SIZE:P50...
	local p=$1 m=$2 r=$3 sz
	shift 3
	{
		printf '{"tool":"ackbench","proto":"%s","mode":"%s","sizes":[' "$p" "$m"
		for sz in "$@"; do
			printf '{"size":%s,"total":{"n":10,"p50":%s,"p99":%s}},' "${sz%%:*}" "${sz#*:}" "${sz#*:}"
		done | sed 's/,$//'
		printf ']}\n'
	} >"$TMP/cmp/$p-$m-r$r.json"
}
mkdir -p "$TMP/cmp"
for r in 1 2 3 4 5 6; do
	summary_json tcp keep "$r" "64:$((20 + r))" "256:$((70 + r))"
	summary_json tls keep "$r" "64:$((30 + r * 2))" "256:$((50 + r))"
	summary_json udp keep "$r" "64:$((20 + r))"
	summary_json dtls keep "$r" "64:$((20 + (r % 2 ? r + 3 : r - 3)))"
done
rc=0
"$ROOT/scripts/compare.sh" "$TMP/cmp" >"$TMP/cmp.out" 2>&1 || rc=$?
check_rc "compare.sh on 6 made-up rounds" "$rc" 0 "$TMP/cmp.out"
check_grep "tls above tcp in every round: overhead with its interval" "$TMP/cmp.out" \
	'^keep +64 +23\.5 +37\.0 +\+13\.5 \[11\.0\.\.16\.0\] '
check_grep "udp/dtls interleaved: within noise, ratio ~1" "$TMP/cmp.out" \
	'^keep +64 +23\.5 +[0-9.]+ +within noise +~1 '
check_grep "tls below tcp in every round: 'lower by', no negative cost" "$TMP/cmp.out" \
	'^keep +256 +73\.5 +53\.5 +lower by 20\.0 \[20\.0\.\.20\.0\] '
check_nogrep "no negative overhead anywhere in the table" "$TMP/cmp.out" \
	'^(per-message|keep) +[0-9]+ +[0-9.-]+ +[0-9.-]+ +-[0-9]'
check_grep "the table names the rounds" "$TMP/cmp.out" '^tcp vs tls \(6 rounds\)$'
summary
