#!/bin/bash
# report.sh - scripts/report.sh on the results of a real short run (scripts/loopback.sh
# -n 20, every pair in BIN_DIR): the table has every protocol, mode and size the clients
# measured with each phase, and the plots are valid PNG (signature, `file`) and SVG files.
#   test/report.sh BIN_DIR
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "the report script on a short run: nothing a sanitizer sees in it"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPORT=$ROOT/scripts/report.sh

if ! "$ROOT/scripts/deps.sh" analysis >"$TMP/deps.log" 2>&1; then
	not_ok "scripts/deps.sh analysis installs the Python analysis" "$(tail -n 3 "$TMP/deps.log")"
	summary
	exit 1
fi

RUN=$TMP/run
rc=0
timeout -k 10 900 "$ROOT/scripts/loopback.sh" -B "$BIN" -d "$RUN" -n 20 -r 1 -q >"$TMP/loop.out" 2>"$TMP/loop.err" </dev/null || rc=$?
check_rc "a real short run (loopback.sh -n 20 -r 1) passes" "$rc" 0 "$TMP/loop.err"
if ! compgen -G "$RUN/*.json" >/dev/null; then
	not_ok "the run wrote client summaries" "$(tail -n 5 "$TMP/loop.err")"
	summary
	exit 1
fi

rc=0
"$REPORT" "$RUN" >"$TMP/report.out" 2>"$TMP/report.err" || rc=$?
check_rc "report.sh RUNDIR" "$rc" 0 "$TMP/report.err"

# What the clients measured: "proto mode size" with at least one acked message.
jq -r 'select(.tool == "ackbench") | .proto as $p | .mode as $m | .sizes[]
	| select(.total.n > 0) | "\($p) \($m) \(.size)"' "$RUN"/*.json | sort -u >"$TMP/want"
# What the table shows: the same triples, from each block's total row (p50 columns) where
# the value is a number; and every block must have its six phase rows.
awk '
/^(tcp|udp) vs (tls|dtls), / {
	a = $1; b = $3; sub(",", "", b); mode = $4; sub(",", "", mode); size = $5
	blk = a " " b " " mode " " size; rows[blk] = 0; next
}
blk != "" && $1 ~ /^(connect|handshake|exchange|close|total|cpu)$/ {
	rows[blk]++
	if ($1 == "total") {
		if ($2 ~ /^[0-9.]+$/) print a, mode, size
		if ($3 ~ /^[0-9.]+$/) print b, mode, size
	}
}
/^$/ { blk = "" }
END { for (k in rows) if (rows[k] != 6) print "BAD " k " has " rows[k] " phase rows" }
' "$TMP/report.out" | sort -u >"$TMP/got"
check_eq "the table has every protocol, mode and size measured ($(wc -l <"$TMP/want") of them)" \
	"$(cat "$TMP/got")" "$(cat "$TMP/want")"
protos=$(jq -r .proto "$RUN"/*.json | sort -u | tr '\n' ' ')
for p in $protos; do
	check_grep "$p is in the table" "$TMP/report.out" "^($p vs|[a-z]+ vs $p,)"
done
check_grep "overhead columns (us and ratio)" "$TMP/report.out" '^  phase +[a-z]+ p50 +[a-z]+ p50 +\+us p50 +x p50 '

# png_ok FILE: PNG signature, `file` agrees, non-trivial size.
png_ok() {
	[ "$(od -An -tx1 -N8 "$1" 2>/dev/null | tr -d ' \n')" = 89504e470d0a1a0a ] &&
		file -b "$1" | grep -q '^PNG image data, 1100 x 650' &&
		[ "$(wc -c <"$1")" -gt 2000 ]
}
modes=$(jq -r .mode "$RUN"/*.json | sort -u | tr '\n' ' ')
for m in $modes; do
	for kind in latency phases; do
		f=$RUN/plots/$kind-$m
		if png_ok "$f.png"; then ok "$kind-$m.png is a valid PNG"; else
			not_ok "$kind-$m.png is a valid PNG" "$(file "$f.png" 2>&1)"; fi
		check_grep "$kind-$m.svg is an SVG" "$f.svg" '<svg'
	done
	for p in $protos; do
		check_grep "latency-$m.svg has $p p50 and p99" "$RUN/plots/latency-$m.svg" ">$p p99<"
	done
	check_grep "phases-$m.svg stacks the phases" "$RUN/plots/phases-$m.svg" ">handshake<"
done

# Several runs: the side-by-side table and the runs plot.
mkdir -p "$TMP/run2"
cp "$RUN"/*.json "$TMP/run2/"
rc=0
"$REPORT" -o "$TMP/cmp" "$RUN" "$TMP/run2" >"$TMP/two.out" 2>"$TMP/two.err" || rc=$?
check_rc "report.sh with two run directories" "$rc" 0 "$TMP/two.err"
check_grep "two runs: side-by-side totals" "$TMP/two.out" '^# total p50 \(microseconds\) of every run'
read -r p m sz <"$TMP/want"
check_grep "two runs: a row with both runs' values ($p $m $sz)" "$TMP/two.out" \
	"^$p +$m +$sz +[0-9.]+ +[0-9.]+$"
if png_ok "$TMP/cmp/runs-per-message.png"; then ok "runs-per-message.png is a valid PNG"; else
	not_ok "runs-per-message.png is a valid PNG" "$(ls -l "$TMP/cmp" 2>&1)"; fi

# Failures are reported.
mkdir -p "$TMP/empty"
rc=0
"$REPORT" -N "$TMP/empty" >"$TMP/empty.out" 2>&1 || rc=$?
check_rc "a directory without summaries: exit 1" "$rc" 1 "$TMP/empty.out"
rc=0
"$REPORT" -p nosuch "$RUN" >"$TMP/bad.out" 2>&1 || rc=$?
check_rc "an unknown phase: usage error" "$rc" 2 "$TMP/bad.out"
summary
