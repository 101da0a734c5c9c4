# shellcheck shell=bash
# timeline-plot.sh - the swimlane diagrams of timeline.sh (sourced by it, after lib.sh).
#   timeline_plots TMP OUTDIR   from TMP/m.{conns,msgs,gaps} (timeline-merge.awk): for each
#                               configuration, its median connection (client's handshake)
#                               as OUTDIR/swimlane-N.png and .svg; OUTDIR/swimlanes.txt
#                               says which configuration each N is. False if a plot failed.

tl_png_term() {
	if gnuplot -e 'set terminal' 2>&1 | grep -q '^ *pngcairo '; then echo pngcairo; else echo png; fi
}

# tl_swimlane_script CFG RUN SEQ TMP: the gnuplot commands of one connection's swimlane.
tl_swimlane_script() {
	awk -F '\t' -v cfg="$1" -v run="$2" -v seq="$3" -v gaps="$4/m.gaps" '
		$1 == cfg && $3 == run && $4 == seq {
			n++; from[n] = $6; ab[n] = $8; tx[n] = $9; rx[n] = $10; re[n] = $11; ar[n] = $14
			if ($9 != "" && $9 > ymax) ymax = $9
			if ($10 != "" && $10 > ymax) ymax = $10
		}
		END {
			ymax = ymax / 1000 * 1.05 + 0.01
			while ((getline line < gaps) > 0) {
				split(line, g, "\t")
				if (g[1] != cfg || g[2] != run || g[3] != seq) continue
				x = g[4] == "client" ? 0 : 1
				printf "set object rect from %g,%g to %g,%g fc rgb \"#f4a640\" fs solid 0.7 noborder behind\n",
				       x - 0.07, g[5] / 1000, x + 0.07, g[6] / 1000
				if (g[7] > g[6])
					printf "set object rect from %g,%g to %g,%g fc rgb \"#f9d49c\" fs solid 0.7 noborder behind\n",
					       x - 0.07, g[6] / 1000, x + 0.07, g[7] / 1000
			}
			printf "set title \"%s\\nmedian connection (run %s, message %s)\"\n", cfg, run, seq
			print "set xrange [-0.7:1.7]"
			print "set xtics (\"client\" 0, \"server\" 1)"
			printf "set yrange [%g:0]\n", ymax
			print "set ylabel \"ms since the client started the connection\""
			print "set key outside bottom center horizontal"
			print "set grid ytics"
			print "set arrow from 0,0 to 0," ymax " nohead lw 2 lc rgb \"#888888\" back"
			print "set arrow from 1,0 to 1," ymax " nohead lw 2 lc rgb \"#888888\" back"
			for (i = 1; i <= n; i++) {
				xs = from[i] == "client" ? 0 : 1; xr = 1 - xs
				col = re[i] == 1 ? "#2f9f2f" : xs == 0 ? "#1f5fbf" : "#bf3f1f"
				dt = re[i] == 1 ? "dt 2" : "dt 1"
				# without a send row (a stateless HelloVerifyRequest): from half way, as it arrived
				ys = tx[i] != "" ? tx[i] / 1000 : ar[i] != "" ? ar[i] / 1000 : rx[i] / 1000
				if (tx[i] == "") xs = 0.5
				yr = ar[i] != "" ? ar[i] / 1000 : rx[i] != "" ? rx[i] / 1000 : ys
				xe = rx[i] != "" ? xr : 0.5 # not received in the handshake (lost, or read after it): half way
				printf "set arrow from %g,%g to %g,%g head lc rgb \"%s\" %s lw 1.5\n", xs, ys, xe, yr, col, dt
				if (tx[i] == "") xs = from[i] == "client" ? 0 : 1 # its label beside its sender
				if (ar[i] != "" && rx[i] - ar[i] > 0) # waited in the buffer until read
					printf "set arrow from %g,%g to %g,%g nohead lc rgb \"%s\" dt 3 lw 3\n", xr + (xr ? 0.03 : -0.03), yr, xr + (xr ? 0.03 : -0.03), rx[i] / 1000, "#7f7f7f"
				# labels beside the sender, moved down when rows share a time (one datagram)
				ly = ys
				if (i > 1 && from[i] == from[i - 1] && ly - lasty < ymax / 45) ly = lasty + ymax / 45
				lasty = ly
				printf "set label %d \"%s%s%s\" at %g,%g %s font \",8\"\n", i, ab[i],
				       re[i] == 1 ? " (resent)" : "", rx[i] == "" ? " (no receive row)" : "",
				       xs == 0 ? -0.1 : 1.1, ly, xs == 0 ? "right" : "left"
			}
			print "plot NaN with boxes fs solid 0.7 fc rgb \"#f4a640\" title \"compute: last received .. first sent\", \\"
			print "     NaN with boxes fs solid 0.7 fc rgb \"#f9d49c\" title \"compute within the flight\", \\"
			print "     NaN with lines lw 1.5 lc rgb \"#1f5fbf\" title \"client -> server\", \\"
			print "     NaN with lines lw 1.5 lc rgb \"#bf3f1f\" title \"server -> client\", \\"
			print "     NaN with lines lw 1.5 dt 2 lc rgb \"#2f9f2f\" title \"resent (DTLS timer)\", \\"
			print "     NaN with lines lw 3 dt 3 lc rgb \"#7f7f7f\" title \"arrived, waiting to be read\""
		}' "$4/m.msgs"
}

timeline_plots() {
	local tmp=$1 out=$2 png i=0 fails=0 cfg run seq t ext
	png=$(tl_png_term)
	: >"$out/swimlanes.txt"
	while IFS=$'\t' read -r cfg run seq; do
		i=$((i + 1))
		tl_swimlane_script "$cfg" "$run" "$seq" "$tmp" >"$tmp/swim-$i.gp"
		for t in "$png size 900,900 noenhanced font ',10'" "svg size 900,900 noenhanced font 'sans,11'"; do
			ext=png
			case "$t" in svg*) ext=svg ;; esac
			if ! gnuplot -e "set terminal $t; set output '$out/swimlane-$i.$ext'" "$tmp/swim-$i.gp" \
				2>"$tmp/gnuplot.err"; then
				log "gnuplot failed for $out/swimlane-$i.$ext: $(tail -n 1 "$tmp/gnuplot.err")"
				fails=$((fails + 1))
				continue
			fi
		done
		printf 'swimlane-%d: %s (run %s, message %s)\n' "$i" "$cfg" "$run" "$seq" | tee -a "$out/swimlanes.txt"
	done < <(awk -F '\t' '$5 == "client" { print $1 "\t" $6 "\t" $3 "\t" $4 }' "$tmp/m.conns" |
		sort -t "$(printf '\t')" -k1,1 -k2,2g | awk -F '\t' '
		{ n[$1]++; r[$1, n[$1]] = $3 "\t" $4; if (!($1 in seen)) { seen[$1] = 1; o[++k] = $1 } }
		END { for (i = 1; i <= k; i++) { c = o[i]; print c "\t" r[c, int((n[c] + 1) / 2)] } }')
	[ "$fails" = 0 ]
}
