#!/bin/bash
# shellcheck disable=SC2016 # the awk program is in single quotes on purpose
# link_matrix.sh - a matrix cell over an emulated link reruns alone: matrix.sh -x
# link=rtt=40ms (one TLS 1.3 cell and its baseline, one round) writes the cell's rerun.sh
# like any other cell's; run alone, it builds and calibrates the same link under its own
# name, runs the cell in its namespaces (every handshake takes at least the 40 ms round
# trip: it did go over the link), and removes the link: nothing is left (link state,
# namespaces), also when the client fails. First pass of make test only.
#   test/link_matrix.sh BIN_DIR      (as root)
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "link_matrix.sh builds namespaces"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
link_test_init
t0=$(date +%s)
M=$TMP/mx
# the namespaces of a rerun's link: rr, its pid, and c, r or s (other tests' are not ours)
netns() { ip netns list 2>/dev/null | awk '$1 ~ /^rr[0-9]+[crs]$/ { print $1 }' | sort; }
netns >"$TMP/ns.before"

rc=0
timeout -k 5 300 "$ROOT/scripts/matrix.sh" -B "$BIN" -d "$M" -x tls=1.3 -x link=rtt=40ms -n 3 \
	-s 64 -r 1 -S 1 >"$TMP/mx.out" 2>"$TMP/mx.err" </dev/null || rc=$?
check_rc "matrix.sh -x tls=1.3 -x link=rtt=40ms, one round: exit 0" "$rc" 0 "$TMP/mx.err"
id=$(awk -F '\t' 'NR > 1 && $2 == "run" && $1 !~ /^base-/ && $16 != "-" { print $1 }' "$M/cells.tsv" 2>/dev/null)
check_eq "one cell over the link ($id)" "$(printf '%s\n' "$id" | grep -c link-)" 1
R=$M/cells/$id/rerun.sh
check "the link cell has an executable rerun.sh" test -x "$R"
check_grep "... that builds its link" "$R" "scripts/link.sh -B .* up 'rtt=40ms'"

rc=0
timeout -k 5 120 "$R" -w 0 -o "$TMP/rerun.csv" >"$TMP/rerun.out" 2>&1 || rc=$?
check_rc "rerun.sh runs the cell alone: exit 0" "$rc" 0 "$TMP/rerun.out"
check_grep "... every message acked" "$TMP/rerun.out" 'acked=3 lost=0'
# connect + handshake of each message: at least one round trip each (the shaper never
# releases a packet early), so at least 80 ms when the run went over the link
check "... over the link: each message's connect + handshake >= 2 x 40 ms" \
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ n++; if ($c["connect_us"] + $c["handshake_us"] < 80000) bad++ }
		END { exit !(n == 3 && bad + 0 == 0) }' "$TMP/rerun.csv"
check_eq "... and removed its link: no link state" "$(ls "$ACKBENCH_LINK_RUN" 2>/dev/null)" ""
check_eq "... no namespace left" "$(netns | comm -13 "$TMP/ns.before" -)" ""

rc=0
timeout -k 5 120 "$R" --no-such-option >"$TMP/bad.out" 2>&1 || rc=$?
check "rerun.sh with a client that fails: non-zero exit" test "$rc" -ne 0
check_eq "... and still nothing left" "$(ls "$ACKBENCH_LINK_RUN" 2>/dev/null; netns | comm -13 "$TMP/ns.before" -)" ""
echo "# took $(($(date +%s) - t0)) s"
summary
