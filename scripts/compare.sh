#!/usr/bin/env bash
# compare.sh - one comparison table from the client JSON summaries of a run directory:
# TCP against TLS and UDP against DTLS, per mode and size, p50 and p99 of one phase, with
# the overhead of the secure side and its 95% interval over the rounds (runs named
# TAG-rN.json are round N; files without it count as one round).
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: $0 [-p PHASE] [-t] DIR|FILE.json...
Reads the client summaries (--json files) in each DIR (its *.json files) or the FILEs
named, and prints, per mode and size, the p50 and p99 of PHASE for tcp and tls (each the
median over the rounds of the runs' own p50/p99), the overhead tls-tcp in microseconds
with its 95% interval, and the ratio tls/tcp; then the same for udp and dtls.
The overhead is the median of the per-round differences (tls of round N minus tcp of round
N), its interval distribution-free (sign test on their order statistics, 6 rounds or more);
'within noise' when the interval holds 0, "lower by X" when all of it is below 0, "(no CI)"
with fewer than 6 rounds. A size or protocol that only one side has shows '-'.
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

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
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

# Per run: round, proto, mode, size, p50, p99 (a size whose every message was lost, n = 0,
# counts as missing).
jq -r --arg ph "$phase" 'select(type == "object" and .tool == "ackbench")
	| ((input_filename | capture("-r(?<r>[0-9]+)[.]json$").r) // "1") as $r
	| .proto as $p | .mode as $m | .sizes[] | select(.[$ph].n > 0)
	| [$r, $p, $m, .size, .[$ph].p50, .[$ph].p99] | map(tostring) | join("\t")' "${files[@]}" \
	>"$tmp/runs" || die "cannot read the JSON summaries in: $*"
[ -s "$tmp/runs" ] || die "no tcp/tls/udp/dtls summary in: $*"
awk -F '\t' -v OFS='\t' '{ print $2 "|" $3 "|" $4, $5 }' "$tmp/runs" | lib_ci 0.95 >"$tmp/p50"
awk -F '\t' -v OFS='\t' '{ print $2 "|" $3 "|" $4, $6 }' "$tmp/runs" | lib_ci 0.95 >"$tmp/p99"
awk -F '\t' -v OFS='\t' '{ print $1, $2 "|" $3 "|" $4, $5 }' "$tmp/runs" >"$tmp/rows"
awk -F '\t' -v OFS='\t' '$2 == "tls" || $2 == "dtls" {
	a = $2 == "tls" ? "tcp" : "udp"; print $2 "|" $3 "|" $4, a "|" $3 "|" $4 }' "$tmp/runs" |
	sort -u >"$tmp/pairs"
lib_ci_pairs "$tmp/pairs" "$tmp/rows" | lib_ci 0.95 >"$tmp/over"

# Rows: a, b, mode, size, a_p50, b_p50, a_p99, b_p99, over, over_lo, over_hi, rounds.
rows=$(awk -F '\t' -v OFS='\t' '
FILENAME ~ /p50$/ { p50[$1] = $3; n[$1] = $2; split($1, k, "|"); sz[k[2] "|" k[3]] = 1; have[k[1]] = 1; next }
FILENAME ~ /p99$/ { p99[$1] = $3; next }
FILENAME ~ /over$/ { o[$1] = $3 OFS $4 OFS $5; next }
END {
	split("tcp tls per-message udp dtls per-message tcp tls keep udp dtls keep", g, " ")
	for (pi = 0; pi < 2; pi++) for (mi = 0; mi < 2; mi++) {
		a = pi ? "udp" : "tcp"; b = pi ? "dtls" : "tls"; m = mi ? "keep" : "per-message"
		if (!(a in have) && !(b in have)) continue
		for (s in sz) { split(s, q, "|"); if (q[1] == m) list[pi, mi, s] = q[2] }
	}
	for (pi = 0; pi < 2; pi++) for (mi = 0; mi < 2; mi++) {
		a = pi ? "udp" : "tcp"; b = pi ? "dtls" : "tls"; m = mi ? "keep" : "per-message"
		ns = 0
		for (x in list) { split(x, q, SUBSEP); if (q[1] == pi && q[2] == mi) v[++ns] = list[x] + 0 }
		for (i = 2; i <= ns; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
		for (i = 1; i <= ns; i++) {
			ka = a "|" m "|" v[i]; kb = b "|" m "|" v[i]
			if (!(ka in p50) && !(kb in p50)) continue
			print a, b, m, v[i], (ka in p50) ? p50[ka] : "-", (kb in p50) ? p50[kb] : "-",
				(ka in p99) ? p99[ka] : "-", (kb in p99) ? p99[kb] : "-",
				(kb in o) ? o[kb] : "-" OFS "-" OFS "-", (kb in n) ? n[kb] : ((ka in n) ? n[ka] : 0)
		}
	}
}' "$tmp/p50" "$tmp/p99" "$tmp/over")
[ -n "$rows" ] || die "no tcp/tls/udp/dtls summary in: $*"

printf '%s\n' "$rows" | awk -F '\t' -v ph="$phase" -v tsv="$tsv" "$(lib_awk_ci)"'
function d(x, y) { return (x == "-" || y == "-") ? "-" : sprintf("%.1f", y - x) }
function r(x, y) { return (x == "-" || y == "-" || x + 0 <= 0) ? "-" : sprintf("%.2f", y / x) }
function f(x) { return x == "-" ? "-" : sprintf("%.1f", x) }
function over(m, lo, hi, x, y) {
	if (m == "-") return "-"
	if (lo == "-") return m + 0 > 0 ? sprintf("+%.1f (no CI)", m) : "n/a (no CI)"
	return ci_over(m, lo, hi)
}
BEGIN {
	if (tsv)
		print "a\tb\tmode\tsize\ta_p50_us\tb_p50_us\tover_p50_us\tratio_p50\ta_p99_us\tb_p99_us\tover_p99_us\tratio_p99\tover_lo_us\tover_hi_us\tverdict\trounds"
	else
		printf "# %s per message, microseconds: p50/p99 the median over the rounds of each run\x27s own (nearest-rank); overhead: median of the per-round differences with its 95%% distribution-free interval\n", ph
}
{
	a = $1; b = $2
	ov = over($9, $10, $11, $5, $6)
	x = ($10 != "-" && ov == "within noise") ? "~1" : r($5, $6)
	if (tsv) {
		print a "\t" b "\t" $3 "\t" $4 "\t" $5 "\t" $6 "\t" ($9 == "-" ? "-" : $9) "\t" r($5, $6) "\t" $7 "\t" $8 "\t" d($7, $8) "\t" r($7, $8) "\t" $10 "\t" $11 "\t" ov "\t" $12
		next
	}
	if (a != last) {
		printf "\n%s vs %s (%d rounds)\n%-11s %8s %9s %9s  %-30s %6s %9s %9s\n", a, b, $12, "mode", "size",
		       a " p50", b " p50", "overhead p50 [95% CI]", "x p50", a " p99", b " p99"
		last = a
	}
	printf "%-11s %8s %9s %9s  %-30s %6s %9s %9s\n", $3, $4, f($5), f($6), ov, x, f($7), f($8)
}'
