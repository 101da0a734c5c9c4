# shellcheck shell=bash
# shellcheck disable=SC2154 # the variables are matrix-report.sh's (this file is sourced by it)
# matrix-render.sh - the outputs of matrix-report.sh (sourced by it): cells.csv, summary.md
# and report.html with inline SVG plots (no scripts, fonts or anything fetched).
# Reads matrix-report.sh's $tmp/{table,ranked,vs,meta} and its constraint variables.

render_csv() {
	echo "matrix,cell,status,reason,proto,tls,key,group,suite,resume,config,stack,mode,rep,size,rounds,p50_us,p50_lo_us,p50_hi_us,ci_coverage,overhead_us,overhead_lo_us,overhead_hi_us,cpu_p50_us,heap_peak_bytes,handshake_bytes,negotiated"
	awk -F '\t' -v OFS=, '{ $1 = $1; for (i = 1; i <= NF; i++) if ($i ~ /[,"]/) { gsub(/"/, "\"\"", $i); $i = "\"" $i "\"" }; print }' "$tmp/table"
}

constraints_text() {
	local t=""
	[ -z "$maxheap" ] || t="$t heap peak <= $maxheap B,"
	[ -z "$maxbytes" ] || t="$t handshake bytes <= $maxbytes,"
	for q in $requires; do t="$t $q,"; done
	t=${t%,}
	echo "${t# }"
}

# The ranked rows: label proto mode size rank cell cost_text p50_text cpu vs bytes heap fits why
ranked_rows() {
	awk -F '\t' -v OFS='\t' '
	function f(x) { return x == "-" ? "-" : sprintf("%.1f", x) }
	'"$(lib_awk_ci)"'
	FILENAME ~ /rsize$/ { split($1, g, "|"); rs[$1] = g[3] == "keep" ? $3 : $2; next }
	FILENAME ~ /table$/ { t[$1 "|" $2 "|" $15] = $0; next }
	FILENAME ~ /vs$/ { vs[$1] = ci_over($3, $4, $5); next }
	FILENAME ~ /vscpu$/ { vc[$1] = ci_over($3, $4, $5); next }
	{
		split($1, g, "|"); r = ++n[$1]; sz = rs[$1]
		split(t[g[1] "|" $3 "|" sz], c, "\t")
		cost = c[21] == "-" ? "n/a (<6 rounds)" : ci_over(c[21], c[22], c[23])
		p50 = c[18] == "-" ? f(c[17]) : sprintf("%.1f [%.1f..%.1f]", c[17], c[18], c[19])
		k = g[1] "|" $3 "|" sz
		v = r == 1 ? "(cheapest)" : (k in vs ? vs[k] : "-")
		w = r == 1 ? "(cheapest)" : (k in vc ? vc[k] : "-")
		print g[1], g[2], g[3], sz, r, $3, cost, p50, f(c[24]), v, c[26], c[25], $4, $5, w
	}' "$tmp/rsize" "$tmp/table" "$tmp/vs" "$tmp/vscpu" "$tmp/ranked"
}

render_md() {
	local cons
	cons=$(constraints_text)
	echo "# ackbench matrix summary"
	echo
	awk -F '\t' '{ printf "- %s: host %s, %s (%s CPUs), git %s; seed %s, %s rounds of %s messages per size (%s); %s; load average before %s, after %s; runs took %s s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 }' "$tmp/meta"
	echo
	echo "Method: every cell and the plain baseline (tcp for tls, udp for dtls, same mode) run once"
	echo "per round, rounds in a shuffled order (the seed above), client and server pinned to"
	echo "different CPUs. A run's p50 is its median over its messages; a cell's p50 is the median"
	echo "over rounds with a $pct% distribution-free interval (sign test: order statistics of the"
	echo "per-round p50s). An overhead is the median of the per-round differences with the"
	echo "baseline of the same round, with the same interval; 'within noise' when it contains 0."
	echo "Times in microseconds; cpu: the client's CPU time per message (its p50), less disturbed"
	echo "by a busy machine than wall time; vs cheapest: the paired difference with the cheapest cell"
	echo "of the table (wall time, then CPU time); bytes: handshake both ways; heap: Mbed TLS heap"
	echo "peak per connection."
	ranked_rows >"$tmp/rr"
	awk -F '\t' -v cons="$cons" -v pct="$pct" -v rk="$rank" '
	function head(l, p, m, s) {
		printf "\n## %s: %s %s, ranked by %s at %s B%s\n\n", l, p, m, m == "keep" ? "the record cost" : "the handshake cost (first message included)", s, rk == "cpu" ? " (client CPU time)" : ""
		print "| # | cell | overhead [" pct "% CI] | p50 [" pct "% CI] | vs cheapest | cpu p50 | cpu vs cheapest | hs bytes | heap peak |"
		print "|---|---|---|---|---|---|---|---|---|"
	}
	{
		g = $1 "|" $2 "|" $3
		if (g != last) { if (last != "") tail(last); head($1, $2, $3, $4); last = g }
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $5, $6, $7, $8, $10, $9, $15, $11, $12
		if ($13 == "yes" && !(g in fit)) fit[g] = $6 " (" $7 ")"
		if ($13 != "yes") why[g] = why[g] (why[g] == "" ? "" : "; ") $6 ": " $14
	}
	function tail(g) {
		if (cons == "") return
		printf "\nThe cheapest that fits (%s): %s\n", cons, (g in fit) ? fit[g] : "none (" why[g] ")"
	}
	END { if (last != "") tail(last) }' "$tmp/rr"
	echo
	echo "## Every size"
	echo
	echo "| matrix | cell | size | rounds | p50 [$pct% CI] | overhead [$pct% CI] | cpu p50 |"
	echo "|---|---|---|---|---|---|---|"
	awk -F '\t' "$(lib_awk_ci)"'$3 == "run" {
		p = $18 == "-" ? sprintf("%.1f", $17) : sprintf("%.1f [%.1f..%.1f]", $17, $18, $19)
		o = $2 ~ /^base-/ ? "(baseline)" : ci_over($21, $22, $23)
		printf "| %s | %s | %s | %s | %s | %s | %.1f |\n", $1, $2, $15, $16, p, o, $24 }' "$tmp/table"
	echo
	echo "## Skipped cells"
	echo
	awk -F '\t' '$3 != "run" { printf "- %s: %s: %s%s\n", $1, $2, $3 == "failed" ? "every run failed: " : "", $4; n++ } END { if (!n) print "none" }' "$tmp/table"
	echo
	echo "## Negotiated (from each cell's probe run)"
	echo
	awk -F '\t' '$3 == "run" && !s[$1 $2]++ && $2 !~ /^base-/ { printf "- %s: %s: %s\n", $1, $2, $27 }' "$tmp/table"
}

# svg_bars TITLE UNIT < "row<TAB>series<TAB>value<TAB>lo<TAB>hi": horizontal bars with whiskers.
svg_bars() {
	awk -F '\t' -v title="$1" -v unit="$2" '
	function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
	function X(v) { return L + (v - lo) / (hi - lo) * W }
	BEGIN { split("#4477aa #ee6677 #228833 #ccbb44 #66ccee #aa3377", col, " ") }
	{ n++; r[n] = $1; s[n] = $2; v[n] = $3; l[n] = $4; h[n] = $5
	  if (!($2 in si)) { si[$2] = ++ns; sn[ns] = $2 } }
	END {
		if (!n) { print "<p>(no data for this plot)</p>"; exit }
		lo = 0; hi = 0
		for (i = 1; i <= n; i++) {
			if (v[i] + 0 < lo) lo = v[i]; if (v[i] + 0 > hi) hi = v[i]
			if (l[i] != "-" && l[i] + 0 < lo) lo = l[i]; if (h[i] != "-" && h[i] + 0 > hi) hi = h[i]
		}
		if (hi == lo) hi = lo + 1
		L = 340; W = 480; RH = 16; T = 30; H = T + n * RH + 40 + ns * 16
		printf "<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"880\" height=\"%d\" viewBox=\"0 0 880 %d\" font-family=\"sans-serif\" font-size=\"11\">\n", H, H
		printf "<title>%s</title><text x=\"10\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>\n", esc(title), esc(title)
		for (i = 1; i <= n; i++) {
			y = T + (i - 1) * RH; x0 = X(0); x1 = X(v[i]); c = col[(si[s[i]] - 1) % 6 + 1]
			printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", L - 6, y + 11, esc(r[i] (ns > 1 ? " (" s[i] ")" : ""))
			printf "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n", (x1 < x0 ? x1 : x0), y + 2, (x1 < x0 ? x0 - x1 : x1 - x0), RH - 4, c
			if (l[i] != "-") printf "<path class=\"whisker\" d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f\" stroke=\"#000\" fill=\"none\"/>\n", X(l[i]), y + 8, X(h[i]), X(l[i]), y + 4, y + 12, X(h[i]), y + 4, y + 12
			printf "<text x=\"%.1f\" y=\"%.1f\">%.1f</text>\n", (X(h[i] == "-" ? v[i] : h[i]) > x1 ? X(h[i] == "-" ? v[i] : h[i]) : x1) + 4, y + 11, v[i]
		}
		yb = T + n * RH + 4
		printf "<path d=\"M%.1f %dV%d\" stroke=\"#888\"/><path d=\"M%d %dH%d\" stroke=\"#888\"/>\n", X(0), T, yb, L, yb, L + W
		for (t = 0; t <= 4; t++) printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f</text>\n", L + t * W / 4, yb + 14, lo + t * (hi - lo) / 4
		printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", L + W / 2, yb + 28, esc(unit)
		if (ns > 1) for (k = 1; k <= ns; k++) printf "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n", L, yb + 32 + (k - 1) * 16, col[(k - 1) % 6 + 1], L + 14, yb + 41 + (k - 1) * 16, esc(sn[k])
		print "</svg>"
	}'
}

# svg_lines TITLE < "series<TAB>size<TAB>value<TAB>lo<TAB>hi": value against size (log axis).
svg_lines() {
	awk -F '\t' -v title="$1" '
	function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); return s }
	function lg(x) { return log(x) / log(2) }
	function X(s) { return L + (xh == xl ? W / 2 : (lg(s) - xl) / (xh - xl) * W) }
	function Y(v) { return T + H - (v - lo) / (hi - lo) * H }
	BEGIN { split("#4477aa #ee6677 #228833 #ccbb44 #66ccee #aa3377 #bbbbbb #000000", col, " ") }
	{ n++; S[n] = $1; Z[n] = $2; V[n] = $3; LO[n] = $4; HI[n] = $5
	  if (!($1 in si)) { si[$1] = ++ns; sn[ns] = $1 } }
	END {
		if (!n) { print "<p>(no data for this plot)</p>"; exit }
		lo = 0; hi = 0; xl = 1e9; xh = -1e9
		for (i = 1; i <= n; i++) {
			if (lg(Z[i]) < xl) xl = lg(Z[i]); if (lg(Z[i]) > xh) xh = lg(Z[i])
			if (V[i] + 0 < lo) lo = V[i]; if (V[i] + 0 > hi) hi = V[i]
			if (LO[i] != "-" && LO[i] + 0 < lo) lo = LO[i]; if (HI[i] != "-" && HI[i] + 0 > hi) hi = HI[i]
		}
		if (hi == lo) hi = lo + 1
		L = 70; W = 560; T = 30; H = 260; HT = T + H + 40 + ns * 15
		printf "<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"880\" height=\"%d\" viewBox=\"0 0 880 %d\" font-family=\"sans-serif\" font-size=\"11\">\n", HT, HT
		printf "<title>%s</title><text x=\"10\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>\n", esc(title), esc(title)
		printf "<path d=\"M%d %dV%dH%d\" stroke=\"#888\" fill=\"none\"/>\n", L, T, T + H, L + W
		if (lo < 0) printf "<path d=\"M%d %.1fH%d\" stroke=\"#bbb\" stroke-dasharray=\"4\"/>\n", L, Y(0), L + W
		for (t = 0; t <= 4; t++) printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>\n", L - 4, Y(lo + t * (hi - lo) / 4) + 4, lo + t * (hi - lo) / 4
		for (i = 1; i <= n; i++) if (!(Z[i] in xt)) { xt[Z[i]] = 1; printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", X(Z[i]), T + H + 14, Z[i] }
		printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">message size, bytes (log scale); microseconds over the baseline</text>\n", L + W / 2, T + H + 28
		for (k = 1; k <= ns; k++) {
			c = col[(k - 1) % 8 + 1]; d = ""
			for (i = 1; i <= n; i++) if (S[i] == sn[k]) {
				d = d (d == "" ? "M" : "L") sprintf("%.1f %.1f", X(Z[i]), Y(V[i]))
				if (LO[i] != "-") printf "<path class=\"whisker\" d=\"M%.1f %.1fV%.1f\" stroke=\"%s\"/>\n", X(Z[i]), Y(LO[i]), Y(HI[i]), c
				printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", X(Z[i]), Y(V[i]), c
			}
			printf "<path class=\"series\" d=\"%s\" stroke=\"%s\" fill=\"none\" stroke-width=\"1.5\"/>\n", d, c
			printf "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n", L, T + H + 36 + (k - 1) * 15, c, L + 14, T + H + 45 + (k - 1) * 15, esc(sn[k])
		}
		print "</svg>"
	}'
}

# md_to_html: the few markdown forms summary.md uses (headings, lists, tables, paragraphs).
md_to_html() {
	awk '
	function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
	function close_all() { if (tab) print "</table>"; if (ul) print "</ul>"; if (par) print "</p>"; tab = ul = par = 0 }
	/^# / { close_all(); print "<h1>" esc(substr($0, 3)) "</h1>"; next }
	/^## / { close_all(); print "<h2>" esc(substr($0, 4)) "</h2>"; next }
	/^\|---/ { next }
	/^\| / {
		if (!tab) { close_all(); print "<table>"; tab = 1; hd = 1 } else hd = 0
		n = split(substr($0, 3, length($0) - 4), c, " \\| ")
		printf "<tr>"; for (i = 1; i <= n; i++) printf (hd ? "<th>%s</th>" : "<td>%s</td>"), esc(c[i]); print "</tr>"
		next
	}
	/^- / { if (!ul) { close_all(); print "<ul>"; ul = 1 } print "<li>" esc(substr($0, 3)) "</li>"; next }
	/^$/ { close_all(); next }
	{ if (!par) { close_all(); print "<p>"; par = 1 } print esc($0) }
	END { close_all() }'
}

render_html() {
	cat <<'HEAD'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ackbench matrix report</title>
<style>
body { font-family: sans-serif; margin: 1.5em; max-width: 70em; color: #222 }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.85em }
td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: left }
th { background: #eee } svg.plot { display: block; margin: 1em 0; border: 1px solid #eee }
</style></head><body>
HEAD
	md_to_html <"$out/summary.md"
	echo "<h2>Plots</h2>"
	echo "<p>Whiskers: $pct% distribution-free intervals over the rounds (see Method).</p>"
	awk -F '\t' -v OFS='\t' '$3 == "run" && $13 == "per-message" && $2 !~ /^base-/ {
		k = $1 "|" $2; if (k in seen) next; seen[k] = 1
		print $2, $1, ($21 == "-" ? $17 : $21), $22, $23 }' "$tmp/table" |
		svg_bars "Handshake cost per configuration: per-message p50 over the plain baseline (first size)" "microseconds"
	awk -F '\t' -v OFS='\t' '$3 == "run" && $13 == "keep" && $2 !~ /^base-/ && $21 != "-" {
		print ($1 ~ /^[0-9]+:/ ? $1 " " : "") $2, $15, $21, $22, $23 }' "$tmp/table" |
		svg_lines "Record cost against message size per configuration (keep: p50 over plain TCP/UDP)"
	awk -F '\t' -v OFS='\t' '$3 == "run" && $2 !~ /^base-/ && $25 != "-" && !s[$1 $2]++ {
		print $2, $1, $25, "-", "-" }' "$tmp/table" |
		svg_bars "Heap peak per connection per configuration (Mbed TLS heap, probe run)" "bytes"
	awk -F '\t' -v OFS='\t' '$3 == "run" && $2 !~ /^base-/ && $26 != "-" && $26 != "" && !s[$1 $2]++ {
		print $2, $1, $26, "-", "-" }' "$tmp/table" |
		svg_bars "Handshake bytes on the wire per configuration (both ways, probe run)" "bytes"
	echo "</body></html>"
}
