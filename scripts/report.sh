#!/bin/bash
# report.sh - comparison tables and gnuplot plots from one or several run directories.
set -eu -o pipefail

LIB_PROG=report
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: $0 [-p PHASES] [-z SIZES] [-N] [-o DIR] RUNDIR...
Reads the clients' JSON summaries (--json) of each run directory (run-all.sh -c,
loopback.sh, capture.sh; one directory per client host or target) and prints, for each
run, mode and size, a table of every phase: TCP vs TLS and UDP vs DTLS, p50 and p99,
the overhead of the secure side in microseconds and as a ratio (scripts/compare.sh does
the pairing). With several directories it ends with the total p50 of every run side by
side. A bare-metal run of scripts/mcu.sh (its mcu.json) gets its own tables (instructions
per handshake per side, estimate at its clock), and with several directories a handshake
table puts every run side by side (Linux: measured p50; bare metal: estimate). Then draws
with gnuplot, into RUNDIR/plots/ (PNG and SVG; Linux runs):
  latency-MODE    total time per message vs message size (log scales), p50 (solid)
                  and p99 (dashed) for each protocol
  phases-MODE     stacked bars of the mean time of each phase (connect, handshake,
                  exchange, close: the means add up to the mean total), per protocol
                  and size
  runs-MODE       (several directories, in -o DIR) total p50 vs size, one line per run
                  and protocol
  -p PHASES  phases in the tables (connect,handshake,exchange,close,total,cpu)
  -z SIZES   sizes of the stacked bars (default: those every protocol of the run has)
  -N         no plots (no gnuplot needed)
  -o DIR     where the runs-MODE plots go (default: the first RUNDIR's plots/)
Needs jq, and gnuplot for the plots (scripts/deps.sh report).
Exit status: 0, 1 when a directory holds no summary or a plot failed, 2 usage error.
USAGE
}

phases=connect,handshake,exchange,close,total,cpu
bar_sizes=""
plots=1
outdir=""
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts p:z:No:h opt; do
	case "$opt" in
	p) phases=$OPTARG ;;
	z) bar_sizes=$OPTARG ;;
	N) plots=0 ;;
	o) outdir=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { usage >&2; exit 2; }
for ph in ${phases//,/ }; do
	case "$ph" in
	connect | handshake | exchange | close | total | cpu) ;;
	*) log "-p: unknown phase '$ph' (connect, handshake, exchange, close, total, cpu)"; exit 2 ;;
	esac
done
[[ -z $bar_sizes || $bar_sizes =~ ^[0-9]+(,[0-9]+)*$ ]] ||
	{ log "-z: '$bar_sizes' is not a comma list of sizes in bytes"; exit 2; }
command -v jq >/dev/null || die "jq not found (scripts/deps.sh build installs it)"
if [ "$plots" = 1 ] && ! command -v gnuplot >/dev/null; then
	die "gnuplot not found (scripts/deps.sh report installs it; -N for tables only)"
fi
for d in "$@"; do
	[ -d "$d" ] || { log "'$d' is not a directory"; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/report.XXXXXX")
# shellcheck disable=SC2317  # called by the trap
cleanup() { rm -rf -- "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# rows DIR: "proto mode size phase n p50 p99 mean" for every summary in DIR (sizes with
# at least one acked message).
rows() {
	local f
	for f in "$1"/*.json; do
		[ -f "$f" ] && jq -r 'select(type == "object" and .tool == "ackbench")
			| .proto as $p | .mode as $m | .sizes[] | .size as $s
			| ["connect", "handshake", "exchange", "close", "total", "cpu"][] as $ph
			| select(.[$ph].n > 0)
			| [$p, $m, $s, $ph, .[$ph].n, .[$ph].p50, .[$ph].p99, .[$ph].mean]
			| map(tostring) | join(" ")' "$f"
	done
	return 0
}

# label DIR: "host/target" of the run (from the first summary).
label() {
	local f
	for f in "$1"/*.json; do
		[ -f "$f" ] || continue
		jq -r 'select(.tool == "ackbench") | .host + "/"
			+ ((.build | capture("target=(?<t>[^ ]+)").t) // "?")' "$f" && return 0
	done
	echo "${1##*/}"
}

# table DIR: the per-size tables of one run, from compare.sh -t for each phase.
table() {
	local ph
	for ph in ${phases//,/ }; do
		"$LIB_ROOT/scripts/compare.sh" -t -p "$ph" "$1" | tail -n +2 | sed "s/^/$ph\t/"
	done | awk -F '\t' -v order="$phases" '
	BEGIN { n = split(order, o, ","); for (i = 1; i <= n; i++) rank[o[i]] = i }
	function f(x) { return x == "-" ? "-" : sprintf("%.1f", x) }
	{
		key = $2 "\t" $4 "\t" $5
		if (!(key in seen)) { seen[key] = ++nk; keys[nk] = key }
		line[key, rank[$1]] = sprintf("  %-10s %10s %10s %10s %6s %10s %10s %10s %6s",
			$1, f($6), f($7), $8, $9, f($10), f($11), $12, $13)
		a[key] = $2; b[key] = $3; mode[key] = $4; size[key] = $5
	}
	END {
		for (k = 1; k <= nk; k++) {
			key = keys[k]
			printf "\n%s vs %s, %s, %d bytes\n", a[key], b[key], mode[key], size[key]
			printf "  %-10s %10s %10s %10s %6s %10s %10s %10s %6s\n", "phase",
				a[key] " p50", b[key] " p50", "+us p50", "x p50",
				a[key] " p99", b[key] " p99", "+us p99", "x p99"
			for (i = 1; i <= n; i++)
				if ((key, i) in line) print line[key, i]
		}
	}'
}

# human SIZE: 1024 -> 1K, 1048576 -> 1M (the clients' -s notation).
human() {
	awk -v s="$1" 'BEGIN {
		if (s >= 1048576 && s % 1048576 == 0) print s / 1048576 "M"
		else if (s >= 1024 && s % 1024 == 0) print s / 1024 "K"
		else print s
	}'
}

PNG_TERM=png
if gnuplot -e 'set terminal' 2>&1 | grep -q '^ *pngcairo '; then PNG_TERM=pngcairo; fi 2>/dev/null || :

# draw BASE SCRIPT: renders the gnuplot commands in SCRIPT as BASE.png and BASE.svg.
PLOT_FAILS=0
draw() {
	local base=$1 script=$2 t
	for t in "$PNG_TERM size 1100,650 noenhanced font ',10'" "svg size 1100,650 noenhanced font 'sans,11'"; do
		local ext=png
		case "$t" in svg*) ext=svg ;; esac
		if ! gnuplot -e "set terminal $t; set output '$base.$ext'" "$script" 2>"$tmp/gnuplot.err"; then
			log "gnuplot failed for $base.$ext: $(tail -n 1 "$tmp/gnuplot.err")"
			PLOT_FAILS=$((PLOT_FAILS + 1))
			continue
		fi
		echo "plot: $base.$ext"
	done
}

color() { # the same colour for a protocol in every plot
	case "$1" in tcp) echo 1 ;; tls) echo 2 ;; udp) echo 3 ;; dtls) echo 4 ;; *) echo 5 ;; esac
}

# plots_of RUN_ROWS LABEL PLOTDIR: latency-MODE and phases-MODE of one run.
plots_of() {
	local rows=$1 lbl=$2 pd=$3 mode p f plot sep sz common
	local -a modes ps
	mkdir -p "$pd"
	mapfile -t modes < <(awk '{print $2}' "$rows" | sort -u)
	for mode in "${modes[@]}"; do
		plot=""
		sep=""
		mapfile -t ps < <(awk -v m="$mode" '$2 == m {print $1}' "$rows" | sort -u)
		for p in "${ps[@]}"; do
			f=$tmp/lat-$mode-$p.dat
			awk -v m="$mode" -v p="$p" '$1 == p && $2 == m && $4 == "total" {print $3, $6, $7}' \
				"$rows" | sort -n >"$f"
			plot="$plot$sep'$f' using 1:2 with linespoints lc $(color "$p") dt 1 pt 7 title '$p p50', "
			plot="$plot'$f' using 1:3 with linespoints lc $(color "$p") dt 2 pt 6 title '$p p99'"
			sep=", "
		done
		cat >"$tmp/lat.gp" <<GP
set title "$lbl: time per message ($mode), p50 solid, p99 dashed"
set xlabel 'message size (bytes)'
set ylabel 'total time per message (microseconds)'
set logscale x 2
set logscale y 10
set format x '%.0b%BB'
set grid
set key outside right top
plot $plot
GP
		draw "$pd/latency-$mode" "$tmp/lat.gp"

		# Stacked phases: the sizes asked for, else those every protocol has.
		if [ -n "$bar_sizes" ]; then
			common=${bar_sizes//,/ }
		else
			common=$(awk -v m="$mode" '$2 == m && $4 == "total" {n[$3]++; if (!($1 in ps)) {ps[$1]; np++}}
				END {for (s in n) if (n[s] == np) print s}' "$rows" | sort -n | tr '\n' ' ')
		fi
		f=$tmp/phases-$mode.dat
		: >"$f"
		for sz in $common; do
			awk -v m="$mode" -v s="$sz" -v h="$(human "$sz")" '$2 == m && $3 == s {
				v[$1, $4] = $8; ps[$1] }
				END { split("tcp tls udp dtls", o, " ")
					for (i = 1; i <= 4; i++) if (o[i] in ps) { printf "\"%s %s\"", o[i], h
						printf " %s %s %s %s\n", v[o[i], "connect"] + 0, v[o[i], "handshake"] + 0,
							v[o[i], "exchange"] + 0, v[o[i], "close"] + 0 } }' "$rows" >>"$f"
		done
		if [ ! -s "$f" ]; then
			log "$lbl $mode: no size common to every protocol for the stacked bars (try -z)"
			continue
		fi
		cat >"$tmp/phases.gp" <<GP
set title "$lbl: mean time of each phase ($mode); the stack is the mean total"
set ylabel 'microseconds (mean)'
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.75
set xtics rotate by -45
set grid ytics
set key outside right top
plot '$f' using 2:xtic(1) title 'connect', '' using 3 title 'handshake', \
	'' using 4 title 'exchange', '' using 5 title 'close'
GP
		draw "$pd/phases-$mode" "$tmp/phases.gp"
	done
}

# is_mcu DIR: a bare-metal run of scripts/mcu.sh (mcu.json, tool "ackbench-mcu").
is_mcu() { [ -f "$1/mcu.json" ] && jq -e '.tool == "ackbench-mcu"' "$1/mcu.json" >/dev/null 2>&1; }

# hs_rows DIR: "proto kind key us" per handshake kind. Linux runs: the handshake phase p50
# of the smallest size, one message per connection (proto and key from "negotiated", kind
# from the CSV's resumed column).
# Bare-metal runs: (client + server instructions) / the run's clock, one per cycle.
hs_rows() {
	local f kind
	if is_mcu "$1"; then
		jq -r '.estimate_hz as $f | .handshakes | group_by([.proto, .kind, .key])[]
			| select(.[0].kind != "records")
			| "\(.[0].proto) \(.[0].kind) \(.[0].key) \(map(.instr) | add / $f * 1e6)"' "$1/mcu.json"
		return 0
	fi
	for f in "$1"/*.json; do
		[ -f "$f" ] || continue
		# Resumed when most connections of the client's CSV (same name) say so (--resume).
		kind=full
		if [ -f "${f%.json}.csv" ] && awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "resumed") c = i; next }
			c { n++; r += ($c == 1) } END { exit !(c && n && r * 2 > n) }' "${f%.json}.csv"; then
			kind=resumed
		fi
		jq -r --arg kind "$kind" 'select(type == "object" and .tool == "ackbench" and .mode == "per-message"
			and (.proto == "tls" or .proto == "dtls"))
			| (.negotiated | split(" ")) as $n
			| ($n[0] // "" | ascii_downcase | sub("v"; "")) as $p
			| ($n[3] // "" | ascii_downcase | sub("-"; "")) as $k
			| [.sizes[] | select(.handshake.n > 0)] | min_by(.size) // empty
			| "\($p) \($kind) \($k) \(.handshake.p50)"' "$f"
	done
	return 0
}

status=0
labels=()
i=0
for d in "$@"; do
	i=$((i + 1))
	hs_rows "$d" >"$tmp/hs$i.rows"
	if is_mcu "$d"; then
		: >"$tmp/run$i.rows"
		lbl=$(jq -r '.target + "/" + .machine' "$d/mcu.json")
		case " ${labels[*]} " in *" $lbl "*) lbl="$lbl:$(basename "$d")" ;; esac
		labels+=("$lbl")
		echo "# run $i: $d ($lbl, bare metal under QEMU)"
		"$LIB_ROOT/scripts/mcu-table.sh" "$d/mcu.json"
		echo
		continue
	fi
	rows "$d" >"$tmp/run$i.rows"
	lbl=$(label "$d")
	case " ${labels[*]} " in *" $lbl "*) lbl="$lbl:$(basename "$d")" ;; esac
	labels+=("$lbl")
	echo "# run $i: $d ($lbl)"
	if [ ! -s "$tmp/run$i.rows" ]; then
		log "$d: no client summary (*.json) with an acked message"
		status=1
		continue
	fi
	jq -r 'select(.tool == "ackbench") | "#   \(.proto) \(.mode): \(.program) on \(.host) -> \(.peer), \(.count) per size; mbedtls \(.mbedtls) \(.config)" + (if .negotiated != "" then "; " + .negotiated else "" end)' \
		"$d"/*.json 2>/dev/null || true
	echo "# microseconds; p50/p99 nearest-rank over acked messages; +us = secure - plain, x = secure / plain"
	table "$d"
	echo
	[ "$plots" = 0 ] || plots_of "$tmp/run$i.rows" "$lbl" "$d/plots"
done

# runs_header KEYFMT WIDTH K1 K2 K3: the three key names, then each run's label.
runs_header() {
	local kf=$1 w=$2 l
	shift 2
	# shellcheck disable=SC2059  # the key format is ours
	printf "$kf" "$@"
	for l in "${labels[@]}"; do printf " %$w.${w}s" "$l"; done
	echo
}
# side_by_side KEYFMT WIDTH: "K1 K2 K3 RUN VALUE" lines on stdin -> a row per key with a
# column per run ("-" where a run has none).
side_by_side() {
	awk -v nr="$i" -v kf="$1" -v w="$2" '{ k = $1 " " $2 " " $3
			if (!(k in seen)) { seen[k]; keys[++n] = k }; v[k, $4] = $5 }
		END { for (x = 1; x <= n; x++) { split(keys[x], f, " "); printf kf, f[1], f[2], f[3]
			for (j = 1; j <= nr; j++) printf " %" w "s", ((keys[x], j) in v) ? sprintf("%.1f", v[keys[x], j]) : "-"
			print "" } }'
}

if [ $# -gt 1 ] && [ -n "$(cat "$tmp"/hs*.rows)" ]; then
	echo "# handshake per connection (microseconds) of every run. Linux runs: handshake phase"
	echo "# p50 of the smallest size, one message per connection (resumed when the client's CSV"
	echo "# says most were: --resume). Bare-metal runs: (client + server instructions) / clock,"
	echo "# ONE INSTRUCTION PER CYCLE ASSUMED (an estimate, not a measurement of a chip)."
	runs_header '%-8s %-8s %-8s' 20 proto kind key
	for j in $(seq "$i"); do
		awk -v j="$j" '{print $1, $2, $3, j, $4}' "$tmp/hs$j.rows"
	done | side_by_side '%-8s %-8s %-8s' 20 | sort -k1,1 -k2,2 -k3,3
	echo
fi

if [ $# -gt 1 ]; then
	echo "# total p50 (microseconds) of every run"
	runs_header '%-5s %-12s %8s' 16 proto mode size
	for j in $(seq "$i"); do
		awk -v j="$j" '$4 == "total" {print $1, $2, $3, j, $6}' "$tmp/run$j.rows"
	done | side_by_side '%-5s %-12s %8s' 16 | sort -k1,1 -k2,2 -k3,3n
	if [ "$plots" = 1 ]; then
		[ -n "$outdir" ] || outdir=$1/plots
		mkdir -p "$outdir"
		for mode in per-message keep; do
			plot=""
			sep=""
			for j in $(seq "$i"); do
				mapfile -t ps < <(awk -v m="$mode" '$2 == m {print $1}' "$tmp/run$j.rows" | sort -u)
				for p in "${ps[@]}"; do
					f=$tmp/runs-$mode-$j-$p.dat
					awk -v m="$mode" -v p="$p" '$1 == p && $2 == m && $4 == "total" {print $3, $6}' \
						"$tmp/run$j.rows" | sort -n >"$f"
					plot="$plot$sep'$f' using 1:2 with linespoints lc $(color "$p") dt $j title '${labels[j - 1]} $p'"
					sep=", "
				done
			done
			[ -n "$plot" ] || continue
			cat >"$tmp/runs.gp" <<GP
set title "total time per message ($mode), p50, by run"
set xlabel 'message size (bytes)'
set ylabel 'microseconds'
set logscale x 2
set logscale y 10
set format x '%.0b%BB'
set grid
set key outside right top
plot $plot
GP
			draw "$outdir/runs-$mode" "$tmp/runs.gp"
		done
	fi
fi
[ "$PLOT_FAILS" = 0 ] || status=1
exit "$status"
