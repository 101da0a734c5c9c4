#!/usr/bin/env bash
# matrix-report.sh - the summary and report of one or more matrix directories (matrix.sh):
# per cell and size the p50 over rounds with its 95% interval, the overhead over the plain
# baseline of the same rounds, the ranking per protocol and mode with "the cheapest that
# fits", as summary.md, cells.csv and one self-contained report.html (inline SVG plots).
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: $0 [-o OUTDIR] [-L LEVEL] [--rank wall|cpu] [--max-heap N] [--max-bytes N] [--require AXIS=V]... DIR...
Reads each matrix directory DIR (several: side by side, e.g. board A and board B) and writes
OUTDIR/summary.md, OUTDIR/cells.csv and OUTDIR/report.html (default OUTDIR: the one DIR).
  -L LEVEL        confidence level of the intervals: 90, 95 (default), 99 or 99.9
  --rank cpu      rank by the client's CPU time per message instead of wall time (a busy
                  machine stretches wall time far more than CPU time)
  --max-heap N    the cheapest that fits: heap peak per connection at most N bytes (K=1024)
  --max-bytes N   ... and handshake bytes on the wire (both ways) at most N
  --require A=V   ... and axis A has value V (repeatable), e.g. --require tls=1.3
  -h              this text
Cost ranked: per-message cells by the overhead over plain TCP/UDP at the first size (the
handshake), keep cells by the overhead at the largest size (the record cost).
Intervals: distribution-free (sign test on the order statistics of the per-round p50s;
overheads on the per-round paired differences with the baseline of the same round).
USAGE
}

out="" maxheap="" maxbytes="" requires="" pct=95 rank=wall
dirs=()
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	-o) [ $# -ge 2 ] || { usage >&2; exit 2; }; out=$2; shift 2 ;;
	-L) [ $# -ge 2 ] || { usage >&2; exit 2; }; pct=$2; shift 2 ;;
	--rank)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		case "$2" in wall | cpu) rank=$2 ;; *) log "--rank: '$2' is not wall or cpu"; exit 2 ;; esac
		shift 2 ;;
	--max-heap) [ $# -ge 2 ] || { usage >&2; exit 2; }; maxheap=$(lib_bytes "$1" "$2"); shift 2 ;;
	--max-bytes) [ $# -ge 2 ] || { usage >&2; exit 2; }; maxbytes=$(lib_bytes "$1" "$2"); shift 2 ;;
	--require)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		case "$2" in *=?*) ;; *) log "--require: '$2' is not AXIS=V"; exit 2 ;; esac
		requires="$requires $2"; shift 2 ;;
	-*) log "unknown option '$1' (see --help)"; exit 2 ;;
	*) dirs+=("$1"); shift ;;
	esac
done
[ ${#dirs[@]} -gt 0 ] || { usage >&2; exit 2; }
level=$(lib_ci_level "$pct")
for d in "${dirs[@]}"; do
	[ -r "$d/cells.tsv" ] || { log "'$d' is not a matrix directory (no cells.tsv)"; exit 2; }
done
[ -n "$out" ] || out=${dirs[0]}
mkdir -p "$out"
command -v jq >/dev/null || die "jq not found (scripts/deps.sh build installs it)"

tmp=$(mktemp -d)
trap '[ -n "${MATRIX_KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT

# Per run: LABEL CELL ROUND SIZE TOTAL_P50 CPU_P50 HANDSHAKE_P50; per cell: its description
# (cells.tsv with the label), probe facts (heap peak, handshake bytes, negotiated).
: >"$tmp/runs" && : >"$tmp/cells" && : >"$tmp/probe" && : >"$tmp/meta"
i=0
for d in "${dirs[@]}"; do
	i=$((i + 1))
	label=$(basename "$(lib_abs "$d")")
	[ ${#dirs[@]} -eq 1 ] || label="$i:$label"
	awk -F '\t' -v OFS='\t' -v l="$label" 'NR > 1 { print l, $0 }' "$d/cells.tsv" >>"$tmp/cells"
	for f in "$d"/cells/*/r*.json; do
		[ -f "$f" ] || continue
		c=${f%/*} c=${c##*/} r=${f##*/r} r=${r%.json}
		jq -r --arg l "$label" --arg c "$c" --arg r "$r" '.sizes[] | select(.total.n > 0)
			| [$l, $c, $r, .size, .total.p50, .cpu.p50, .handshake.p50] | map(tostring) | join("\t")' "$f"
	done >>"$tmp/runs"
	for f in "$d"/cells/*/probe.json; do
		[ -f "$f" ] || continue
		c=${f%/*} c=${c##*/}
		# Handshake bytes both ways, median over the probe's connections (by column name).
		b=$(awk -F , 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
			("hs_tx_bytes" in h) && $h["hs_tx_bytes"] + $h["hs_rx_bytes"] > 0 {
				print $h["hs_tx_bytes"] + $h["hs_rx_bytes"] }' "${f%.json}.csv" | lib_median -)
		b=${b%.0}
		jq -r --arg l "$label" --arg c "$c" --arg b "$b" \
			'[$l, $c, (.heap.conn_peak_max // "-"), $b, .negotiated] | map(tostring) | join("\t")' "$f"
	done >>"$tmp/probe"
	# label host cpu cpus git seed rounds count sizes pinning load_before load_after run_seconds
	cat "$d/env.txt" "$d/meta.txt" 2>/dev/null | awk -v l="$label" '
	{ k = $0; sub(/: .*/, "", k); v = $0; sub(/^[^:]*: /, "", v); m[k] = v }
	/^pinning: / { m["pinning"] = $0 }
	END { n = split("host cpu cpus git seed rounds count sizes pinning load_before load_after run_seconds", f, " ")
	      printf "%s", l; for (i = 1; i <= n; i++) printf "\t%s", (f[i] in m) ? m[f[i]] : "?"; print "" }' >>"$tmp/meta"
done

# p50 over rounds with its interval, and the paired overhead over the cell's baseline.
awk -F '\t' -v OFS='\t' '{ print $1 "|" $2 "|" $4, $5 }' "$tmp/runs" | lib_ci "$level" >"$tmp/abs"
awk -F '\t' -v OFS='\t' '{ print $1 "|" $2 "|" $4, $6 }' "$tmp/runs" | lib_ci "$level" >"$tmp/cpu"
awk -F '\t' -v OFS='\t' '{ print $1 "|" $3, $1 "|" $2 "|" $4, $6 }' "$tmp/runs" >"$tmp/cpurows"
awk -F '\t' -v OFS='\t' '{ print $1 "|" $3, $1 "|" $2 "|" $4, $5 }' "$tmp/runs" >"$tmp/rows"
awk -F '\t' -v OFS='\t' 'FNR == NR { if ($16 != "-") base[$1 "|" $2] = $16; next }
	(($1 "|" $2) in base) { print $1 "|" $2 "|" $4, $1 "|" base[$1 "|" $2] "|" $4 }' \
	"$tmp/cells" "$tmp/runs" | sort -u >"$tmp/pairs"
lib_ci_pairs "$tmp/pairs" "$tmp/rows" | lib_ci "$level" >"$tmp/over"

# The joined table, one line per label, cell and size (skipped cells: one line, size "-").
# label cell status reason proto tls key group suite resume config stack mode rep size
# rounds p50 lo hi cov over over_lo over_hi cpu heap bytes negotiated
awk -F '\t' -v OFS='\t' '
FILENAME ~ /abs$/ { split($1, k, "|"); a[$1] = $2 OFS $3 OFS $4 OFS $5 OFS $6; sz[k[1] "|" k[2]] = sz[k[1] "|" k[2]] " " k[3]; next }
FILENAME ~ /over$/ { o[$1] = $3 OFS $4 OFS $5; next }
FILENAME ~ /cpu$/ { u[$1] = $3; next }
FILENAME ~ /probe$/ { p[$1 "|" $2] = $3 OFS $4 OFS $5; next }
{
	id = $1 "|" $2; pr = (id in p) ? p[id] : "-" OFS "-" OFS "-"
	if ($3 != "run" || !(id in sz)) { print $1, $2, ($3 == "run" ? "failed" : $3), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "-", 0, "-", "-", "-", "-", "-", "-", "-", "-", pr; next }
	n = split(substr(sz[id], 2), s, " ")
	for (i = 1; i <= n; i++) {
		key = id "|" s[i]
		print $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, s[i], a[key], (key in o) ? o[key] : "-" OFS "-" OFS "-", u[key], pr
	}
}' "$tmp/abs" "$tmp/over" "$tmp/cpu" "$tmp/probe" "$tmp/cells" | sort -t "$(printf '\t')" -k1,1 -k2,2 -k15,15n >"$tmp/table"

# The ranking size of each group (label, proto, mode): per-message the first size, keep the last.
awk -F '\t' -v OFS='\t' '$3 == "run" && $2 !~ /^base-/ {
	g = $1 "|" $5 "|" $13
	if (!(g in lo) || $15 + 0 < lo[g]) lo[g] = $15 + 0
	if (!(g in hi) || $15 + 0 > hi[g]) hi[g] = $15 + 0
} END { for (g in lo) print g, lo[g], hi[g] }' "$tmp/table" >"$tmp/rsize"
# Ranked: group, cost (the overhead's median, else the p50), cell, then the constraints' verdict.
awk -F '\t' -v OFS='\t' -v mh="$maxheap" -v mb="$maxbytes" -v req="$requires" -v rk="$rank" '
FNR == NR { split($1, gg, "|"); rs[$1] = gg[3] == "keep" ? $3 : $2; next }
$3 == "run" && $2 !~ /^base-/ {
	g = $1 "|" $5 "|" $13
	if ($15 + 0 != rs[g]) next
	fit = "yes"; why = ""
	if (mh != "" && ($25 == "-" || $25 + 0 > mh + 0)) { fit = "no"; why = why " heap " $25 " > " mh }
	if (mb != "" && ($26 == "-" || $26 + 0 > mb + 0)) { fit = "no"; why = why " bytes " $26 " > " mb }
	split("proto tls key group suite resume config stack mode rep", ax, " ")
	n = split(req, r, " ")
	for (i = 1; i <= n; i++) {
		split(r[i], kv, "=")
		for (j = 1; j <= 10; j++) if (ax[j] == kv[1] && $(j + 4) != kv[2]) { fit = "no"; why = why " " kv[1] "!=" kv[2] }
	}
	print g, (rk == "cpu" ? $24 : $21 != "-" ? $21 : $17), $2, fit, (why == "" ? "-" : substr(why, 2))
}' "$tmp/rsize" "$tmp/table" | sort -t "$(printf '\t')" -k1,1 -k2,2g >"$tmp/ranked"
# Each cell against the cheapest of its group, paired by round (at the ranking size).
awk -F '\t' -v OFS='\t' 'FNR == NR { split($1, g, "|"); rs[$1] = (g[3] == "keep" ? $3 : $2); next }
	{ split($1, g, "|"); if (!(($1) in best)) best[$1] = $3
	  print g[1] "|" $3 "|" rs[$1], g[1] "|" best[$1] "|" rs[$1] }' "$tmp/rsize" "$tmp/ranked" >"$tmp/vspairs"
lib_ci_pairs "$tmp/vspairs" "$tmp/rows" | lib_ci "$level" >"$tmp/vs"
lib_ci_pairs "$tmp/vspairs" "$tmp/cpurows" | lib_ci "$level" >"$tmp/vscpu"

# shellcheck source-path=SCRIPTDIR source=matrix-render.sh
. "$LIB_ROOT/scripts/matrix-render.sh"
render_csv >"$out/cells.csv"
render_md >"$out/summary.md"
render_html >"$out/report.html"
log "wrote $out/summary.md, $out/cells.csv, $out/report.html"
