#!/bin/bash
# ci.sh - the confidence-interval code of scripts/lib.sh (lib_ci, lib_ci_pairs, ci_over)
# against known data (the sign-test intervals of the textbooks), the run order's shuffle,
# and scripts/compare.sh on made-up round summaries: an overhead is "+X [lo..hi]", "within
# noise" or "lower by X", never a negative cost. No programs run; a few seconds.
#   test/ci.sh BIN_DIR   (BIN_DIR unused, for test/run.sh)
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LIB_ROOT=$ROOT
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

# ci KEY VALUES...: lib_ci's line for VALUES (given in a scrambled order).
ci() {
	local k=$1
	shift
	printf "$k\t%s\n" "$@" | sort -R | lib_ci 0.95 | tr '\t' ' '
}
# Order statistics: n = 10 -> [x(2), x(9)], coverage 1 - 2 * 11/1024; n = 20 -> [x(6), x(15)];
# n = 6 -> [x(1), x(6)], 1 - 2/64; n = 5 -> none reaches 95%.
check_eq "n=10: median 5.5, 95% interval [x(2), x(9)], coverage 0.9785" \
	"$(ci a 1 2 3 4 5 6 7 8 9 10)" "a 10 5.5 2 9 0.9785"
check_eq "n=20: interval [x(6), x(15)], coverage 0.9586" \
	"$(ci b $(seq 101 120))" "b 20 110.5 106 115 0.9586"
check_eq "n=6: interval [min, max], coverage 0.9688" "$(ci c 7 3 9 1 5 11)" "c 6 6 1 11 0.9688"
check_eq "n=5: no 95% interval" "$(ci d 1 2 3 4 5)" "d 5 3 - - -"
check_eq "n=1000: [x(469), x(532)]" "$(ci e $(seq 1 1000) | cut -d ' ' -f 4,5)" "469 532"
check_eq "n=2000 (normal approximation): [x(956), x(1045)]" \
	"$(ci f $(seq 1 2000) | cut -d ' ' -f 4,5)" "956 1045"
ci999() { local k=$1; shift; printf "$k\t%s\n" "$@" | lib_ci 0.999 | tr '\t' ' '; }
check_eq "99.9%, n=12: [min, max], coverage 1 - 2/4096" "$(ci999 g $(seq 1 12))" "g 12 6.5 1 12 0.9995"
check_eq "99.9%, n=10: no interval" "$(ci999 h $(seq 1 10))" "h 10 5.5 - - -"
check_eq "99.9%, n=2000 (normal approximation): [x(926), x(1075)]" \
	"$(ci999 i $(seq 1 2000) | cut -d ' ' -f 4,5)" "926 1075"
got=$(printf 'x\t5\ny\t1\nx\t7\n' | lib_ci 0.95 | cut -f 1,2 | tr '\t\n' ' ')
check_eq "keys in the order first seen, each with its own values" "$got" "x 2 y 1 "

# Paired differences: only rounds that have both, each minus its own round's reference.
printf 'cell\tbase\n' >"$TMP/pairs"
printf '1\tbase\t10\n1\tcell\t15\n2\tbase\t100\n2\tcell\t103\n3\tcell\t50\n' >"$TMP/rows"
check_eq "lib_ci_pairs: per-round differences, unpaired rounds left out" \
	"$(lib_ci_pairs "$TMP/pairs" "$TMP/rows" | tr '\t\n' ' ')" "cell 5 cell 3 "

over() { awk "$(lib_awk_ci)"' BEGIN { print ci_over(ARGV[1], ARGV[2], ARGV[3]) }' "$@"; }
check_eq "ci_over: an interval above 0" "$(over 12.34 10 14)" "+12.3 [10.0..14.0]"
check_eq "ci_over: an interval holding 0 is within noise" "$(over -15.4 -30 2)" "within noise"
check_eq "ci_over: an interval below 0 is no negative cost" "$(over -3 -5 -1)" \
	"lower by 3.0 [1.0..5.0]"
check_eq "ci_over: no interval" "$(over 4 - -)" "n/a (too few rounds)"

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
