#!/usr/bin/env bash
# compare.sh - one comparison table from the client JSON summaries of a run directory:
# TCP against TLS and UDP against DTLS, per mode and size, p50 and p99 of one phase, with
# the overhead of the secure side in microseconds and as a ratio.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: $0 [-p PHASE] [-t] DIR|FILE.json...
Reads the client summaries (--json files) in each DIR (its *.json files) or the FILEs
named, and prints, per mode and size, the p50 and p99 of PHASE for tcp and tls, the
overhead tls-tcp in microseconds and the ratio tls/tcp; then the same for udp and dtls.
A size or protocol that only one side has shows '-' for the other.
  -p PHASE  connect, handshake, exchange, close, total or cpu (default: total)
  -t        tab-separated values with a header row instead of the table
  -h        this text
Needs jq. Exit status: 0, 1 when no summary was found, 2 usage error.
USAGE
}

phase=total
tsv=0
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts p:th opt; do
	case "$opt" in
	p) phase=$OPTARG ;;
	t) tsv=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
case "$phase" in
connect | handshake | exchange | close | total | cpu) ;;
*) log "-p: unknown phase '$phase' (connect, handshake, exchange, close, total, cpu)"; exit 2 ;;
esac
[ $# -gt 0 ] || { usage >&2; exit 2; }
command -v jq >/dev/null || die "jq not found (scripts/deps.sh build installs it)"

files=()
for a in "$@"; do
	if [ -d "$a" ]; then
		for f in "$a"/*.json; do
			[ -f "$f" ] && files+=("$f")
		done
	elif [ -f "$a" ]; then
		files+=("$a")
	else
		log "'$a': no such file or directory"
		exit 2
	fi
done
[ ${#files[@]} -gt 0 ] || die "no JSON summary in: $*"

# Rows: a, b, mode, size, a_p50, b_p50, a_p99, b_p99 ('-' where a side has no data).
# A size whose every message was lost (n = 0) counts as missing.
rows=$(jq -r -s --arg ph "$phase" '
	[ .[] | select(type == "object" and .tool == "ackbench") ] as $runs
	| def side($p; $m; $sz):
		[ $runs[] | select(.proto == $p and .mode == $m) | .sizes[]
		  | select(.size == $sz and .[$ph].n > 0) | .[$ph] ] | first // null;
	  def num(s): if s == null then "-" else s end;
	  [["tcp", "tls"], ["udp", "dtls"]][] as $pair
	| ($pair[0]) as $a | ($pair[1]) as $b
	| ["per-message", "keep"][] as $m
	| [ $runs[] | select((.proto == $a or .proto == $b) and .mode == $m) | .sizes[].size ]
	| unique[] as $sz
	| side($a; $m; $sz) as $x | side($b; $m; $sz) as $y
	| [ $a, $b, $m, $sz, num($x.p50), num($y.p50), num($x.p99), num($y.p99) ]
	| map(tostring) | join("\t")
' "${files[@]}") || die "cannot read the JSON summaries in: $*"
[ -n "$rows" ] || die "no tcp/tls/udp/dtls summary in: $*"

printf '%s\n' "$rows" | awk -F '\t' -v ph="$phase" -v tsv="$tsv" '
function d(x, y) { return (x == "-" || y == "-") ? "-" : sprintf("%.1f", y - x) }
function r(x, y) { return (x == "-" || y == "-" || x + 0 <= 0) ? "-" : sprintf("%.2f", y / x) }
function f(x) { return x == "-" ? "-" : sprintf("%.1f", x) }
BEGIN {
	if (tsv)
		print "a\tb\tmode\tsize\ta_p50_us\tb_p50_us\tover_p50_us\tratio_p50\ta_p99_us\tb_p99_us\tover_p99_us\tratio_p99"
	else
		printf "# %s per message, microseconds; p50/p99 nearest-rank over acked messages\n", ph
}
{
	a = $1; b = $2
	if (tsv) {
		print a "\t" b "\t" $3 "\t" $4 "\t" $5 "\t" $6 "\t" d($5, $6) "\t" r($5, $6) "\t" $7 "\t" $8 "\t" d($7, $8) "\t" r($7, $8)
		next
	}
	if (a != last) {
		printf "\n%s vs %s\n%-11s %8s %9s %9s %9s %6s %9s %9s %9s %6s\n", a, b, "mode", "size",
		       a " p50", b " p50", "+us p50", "x p50", a " p99", b " p99", "+us p99", "x p99"
		last = a
	}
	printf "%-11s %8s %9s %9s %9s %6s %9s %9s %9s %6s\n", $3, $4, f($5), f($6), d($5, $6),
	       r($5, $6), f($7), f($8), d($7, $8), r($7, $8)
}'
