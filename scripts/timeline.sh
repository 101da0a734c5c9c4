#!/bin/bash
# timeline.sh - "where the time goes" in the handshake, flight by flight, from the client's
# and the server's --timeline files of the same runs, with a swimlane diagram per
# configuration.
set -eu -o pipefail

LIB_PROG=timeline
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: $0 [-c auto|same|rtt] [-F BENCHMARK.txt] [-B BINDIR] [-N] [-o DIR] RUNDIR...
Merges the client's and the server's handshake timelines (the programs' --timeline FILE:
every CSV in RUNDIR whose header is a timeline's) connection by connection (run id and
the sequence number of the connection's first message), and prints per configuration and
message size, over all connections (p50/p90, microseconds), for each flight:
  gap       the sender's compute before it: from the last message it received (of the
            flight it answers) to the first one of this flight it sent; cpu: its CPU in it
  span      from the flight's first message sent to its last (compute between them, e.g.
            the signature between Certificate and ServerKeyExchange); cpu: its CPU
  work      the sender's CPU from the first message of the flight it answers received to
            its last message of this flight sent: the crypto listed beside it happens here,
            and its floor is that crypto at the rate of the stack's own benchmark
  wire      from the last message sent to its arrival on the other side (the kernel's
            receive stamp; without one, until the receiver read it)
  buffered  from that arrival until the receiver read it (it was busy with earlier ones)
  timer     a flight resent (DTLS): from the same sender's previous flight to the resend
and per side its handshake (start to last message), CPU, compute (gaps + spans) and the
rest, waiting (stretches of its own rows that end in a receive), with the CPU it spent
while waiting (reading and checking what came in: a Mbed TLS client verifies the server's
certificate there). The configuration is the client's --json stack and "negotiated" (and its
-o CSV beside it, same name, gives each connection's message size), plus "resumed" and
"cookie" per connection.
Clocks (-c): same: both sides on one host (realtime start + monotonic offsets agree);
rtt: two hosts: the server's events are shifted by the offset that makes the round trip
of the first message each side received symmetric (message order and the measured round
trip; an asymmetric path shifts it by half the asymmetry); auto (default): same when the
server's connections start within the client's.
  -F FILE    output of Mbed TLS's programs/test/benchmark for the floors of Mbed TLS runs
             (other stacks get none: their own benchmarks are not built; default: run it,
             from BINDIR/../mbedtls, for the configurations' group and key, into
             DIR/benchmark.txt, with its figures per CPU second in DIR/benchmark.rates,
             which -F DIR/benchmark.txt then reads; other files are taken as printed)
  -B BINDIR  the programs' build (build/native/bin)
  -N         no plots;  -o DIR  where tables and plots go (RUNDIR/timeline)
Writes DIR/where-the-time-goes.txt (also printed), DIR/connections.tsv (each connection's
figures per side) and DIR/swimlane-N.{png,svg} (the median connection of each
configuration: arrows for the messages, compute gaps shaded).
Needs gnuplot for the plots (scripts/deps.sh report).
Exit status: 0; 1 bad input (no timelines, runs without the other side) or a failed plot;
2 usage error.
USAGE
}

clock=auto
bench_file=""
bin=$LIB_ROOT/build/native/bin
plots=1
outdir=""
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts c:F:B:No:h opt; do
	case "$opt" in
	c) clock=$OPTARG ;;
	F) bench_file=$OPTARG ;;
	B) bin=$OPTARG ;;
	N) plots=0 ;;
	o) outdir=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { usage >&2; exit 2; }
case "$clock" in auto | same | rtt) ;; *) log "-c: '$clock': want auto, same or rtt"; exit 2 ;; esac
[ -z "$bench_file" ] || [ -r "$bench_file" ] || { log "-F: cannot read '$bench_file'"; exit 2; }
if [ "$plots" = 1 ] && ! command -v gnuplot >/dev/null; then
	die "gnuplot not found (scripts/deps.sh report installs it; -N for tables only)"
fi
command -v jq >/dev/null || die "jq not found (scripts/deps.sh build installs it)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/timeline.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- inputs: timelines, and per run its configuration and connection sizes ---
timelines=()
for d in "$@"; do
	[ -d "$d" ] || die "$d: not a directory"
	found=0
	for f in "$d"/*.csv; do
		[ -r "$f" ] || continue
		if head -n 1 "$f" | grep -q '^run_id,conn,seq,side,proto,dir,type,'; then
			timelines+=("$f")
			found=1
		fi
	done
	[ "$found" = 1 ] || die "$d: no timeline CSV in it (the programs write one with --timeline FILE)"
done
: >"$tmp/cfg"
for d in "$@"; do
	for j in "$d"/*.json; do
		[ -r "$j" ] || continue
		run=$(jq -r '.run_id // empty' "$j" 2>/dev/null) || continue
		[ -n "$run" ] || continue
		neg=$(jq -r '(.proto // "") + " " + (.stack // "mbedtls") + " " + (.negotiated // "")' "$j" |
			sed 's/ (pinned by default[^)]*)//')
		printf 'C %s|%s\n' "$run" "$neg" >>"$tmp/cfg"
		csv=${j%.json}.csv
		[ -r "$csv" ] || continue
		awk -F, -v run="$run" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			c["seq"] && c["size"] { print "S", run, $c["seq"], $c["size"], $c["handshake_us"], $c["resumed"] + 0 }' \
			"$csv" >>"$tmp/cfg"
	done
done
if ! awk -v clock="$clock" -v out="$tmp/m" -f "$LIB_ROOT/scripts/timeline-merge.awk" \
	"$tmp/cfg" "${timelines[@]}" 2>"$tmp/merge.err"; then
	die "$*: $(head -n 1 "$tmp/merge.err")"
fi
[ -s "$tmp/m.flights" ] || die "$*: no connection has both sides' timelines"
mode=$(awk '$1 == "clock" { print $2 }' "$tmp/m.info")
[ -n "$outdir" ] || outdir=$1/timeline
mkdir -p "$outdir"
{
	printf 'config\tsize\trun_id\tseq\tside\thandshake_us\tcpu_us\tcompute_us\twaiting_us\tfirst_row_us\tcsv_handshake_us\tflights\tclock_offset_us\n'
	cat "$tmp/m.conns"
} >"$outdir/connections.tsv"

# --- crypto floors: the stack's own benchmark, for each configuration's group and key ---
# The benchmark counts operations per wall-clock second; on a busy host it gets less than a
# CPU, so each invocation's figures are scaled by its CPU share (user + sys) / real.
# rates: "NAME|UNIT|operations per CPU second".
: >"$tmp/rates"
bench_run() { # bench_run ARGS...: one invocation, its figures scaled into rates
	local TIMEFORMAT='%R %U %S' tm
	tm=$({ time "$prog" "$@" >"$tmp/bench.out" 2>&1; } 2>&1) || true
	cat "$tmp/bench.out" >>"$bench_out"
	printf '%s\n' "$tm" >>"${bench_out%.txt}.time"
	bench_rates "$tmp/bench.out" "$tm"
}
bench_rates() { # bench_rates OUTPUT "REAL USER SYS"
	printf '%s\n' "$2" | awk -v f="$1" '{ s = $1 > 0 ? ($2 + $3) / $1 : 1 } END {
		if (s <= 0 || s > 1) s = 1
		while ((getline l < f) > 0) if (match(l, /: +[0-9.]+ [^\/]+\/s/)) {
			split(l, w, ":"); name = w[1]; gsub(/ /, "", name)
			rest = substr(l, RSTART + 1); sub(/^ +/, "", rest)
			r = rest + 0; unit = rest; sub(/^[0-9.]+ /, "", unit); sub(/\/s.*/, "", unit)
			printf "%s|%s|%.1f\n", name, unit, r / s
		} }' >>"$tmp/rates"
}
if [ -n "$bench_file" ] && [ -r "${bench_file%.txt}.rates" ]; then
	cp "${bench_file%.txt}.rates" "$tmp/rates" # as a run of this script scaled them
elif [ -n "$bench_file" ]; then
	bench_rates "$bench_file" "1 1 0" # as printed: a figure per wall-clock second
else
	prog="$bin/../mbedtls/programs/test/benchmark"
	bench_out=$outdir/benchmark.txt
	: >"$bench_out"
	: >"${bench_out%.txt}.time"
	if [ -x "$prog" ]; then
		cut -f 1 "$tmp/m.flights" | sort -u | awk '$2 == "mbedtls" { sub(/,$/, "", $6); print $5, $6 }' |
			sort -u >"$tmp/algs"
		while read -r g key; do
			log "crypto floor: $prog ecdh $g, and the signatures of $key (into $bench_out)"
			bench_run ecdh "$g"
			case "$key" in
			EC-256) bench_run ecdsa secp256r1 ;;
			EC-384) bench_run ecdsa secp384r1 ;;
			RSA-*) bench_run rsa ;;
			esac
		done <"$tmp/algs"
	else
		warn "no $prog (make it, or give -F): no crypto floors"
	fi
	cp "$tmp/rates" "${bench_out%.txt}.rates"
fi

# --- p50/p90 per configuration, size, flight and metric ---
sort -t "$(printf '\t')" -k1,1 -k2,2n -k3,3n -k5,5 -k6,6g "$tmp/m.flights" | awk -F '\t' '
	function flush() { if (n) printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", a[1], a[2], a[3], a[4], a[5],
		v[int((n - 1) * 0.5) + 1], v[int((n - 1) * 0.9) + 1], n }
	{ g = $1 FS $2 FS $3 FS $4 FS $5 }
	g != last { flush(); n = 0; last = g; split($0, a, FS) }
	{ v[++n] = $6 }
	END { flush() }' >"$tmp/pct"

awk -F '\t' -v rates="$tmp/rates" -v mode="$mode" '
	function rate(name, unit,   line, f, r) {
		r = ""
		while ((getline line < rates) > 0) {
			split(line, f, "|")
			if (f[1] == name && f[2] == unit) r = f[3]
		}
		close(rates)
		return r
	}
	function us(r, times) { return r == "" || r == 0 ? "" : times * 1e6 / r }
	# the crypto of a flight, from its messages and the configuration
	function crypto(cf, name,   v13, res) {
		v13 = cf ~ / TLSv1\.3 /
		res = cf ~ /resumed/
		if (name ~ /resent/) return "- (the same bytes again)"
		if (name ~ /HVR/) return "cookie (HMAC)"
		if (name ~ /HRR/) return "-"
		if (name ~ /total/) return ""
		if (v13) {
			if (name ~ /: CH/) return "keygen"
			if (name ~ /^S[0-9]*: SH/) return res ? "keygen+ECDH" : "keygen+ECDH+sign"
			if (name ~ /^C/) return res ? "ECDH" : "2 verify+ECDH+sign"
			if (name ~ /^S/) return res ? "-" : "2 verify"
			return ""
		}
		if (name ~ /: CH/) return "-"
		if (name ~ /SKE/) return "keygen+sign"
		if (name ~ /CKE.*CV/) return "2 verify+keygen+ECDH+sign"
		if (name ~ /^S.*CCS/ && !res) return "2 verify+ECDH"
		if (name ~ /CCS/) return "-"
		return ""
	}
	function floor_of(cf, ops,   f, g, key, kx, sg, vf, t, n, i, w, m) {
		split(cf, f, " ")
		if (f[2] != "mbedtls") return "" # the floors are Mbed TLS'"'"'s benchmark
		g = f[5]; key = f[6]; sub(/,$/, "", key)
		if (!((g, key) in F)) {
			# keygen: an ECDHE (keygen + shared secret) less a static ECDH (shared secret)
			e2 = us(rate("ECDHE-" g, "ephemeral handshake"), 1); e1 = us(rate("ECDH-" g, "static handshake"), 1)
			kx = e2 != "" && e1 != "" && e2 > e1 ? e2 - e1 : us(rate("ECDHE-" g, "ephemeral handshake"), 0.5)
			dh = e1 != "" ? e1 : kx
			if (key == "EC-256") { sg = us(rate("ECDSA-secp256r1", "sign"), 1); vf = us(rate("ECDSA-secp256r1", "verify"), 1) }
			else if (key == "EC-384") { sg = us(rate("ECDSA-secp384r1", "sign"), 1); vf = us(rate("ECDSA-secp384r1", "verify"), 1) }
			else if (key ~ /^RSA-/) { sg = us(rate(key, "private"), 1); vf = us(rate(key, "public"), 1) }
			F[g, key] = kx "|" sg "|" vf "|" dh
		}
		split(F[g, key], w, "|")
		if (ops == "" || ops ~ /^-/ || ops ~ /HMAC/) return ops == "" ? "" : "0"
		t = 0
		n = split(ops, p, "+")
		for (i = 1; i <= n; i++) {
			m = 1
			if (p[i] ~ /^[0-9]+ /) { m = p[i] + 0; sub(/^[0-9]+ /, "", p[i]) }
			if (p[i] == "keygen") { if (w[1] == "") return "?"; t += m * w[1] }
			else if (p[i] == "ECDH") { if (w[4] == "") return "?"; t += m * w[4] }
			else if (p[i] == "sign") { if (w[2] == "") return "?"; t += m * w[2] }
			else if (p[i] == "verify") { if (w[3] == "") return "?"; t += m * w[3] }
		}
		return sprintf("%.0f", t)
	}
	function pp(k) { return (k in P50) ? sprintf("%6.0f/%-6.0f", P50[k], P90[k]) : sprintf("%13s", "-") }
	function p1(k) { return (k in P50) ? sprintf("%6.0f", P50[k]) : sprintf("%6s", "-") }
	{
		key = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4 # a flight: its place and its messages
		if (!(key in seen)) { seen[key] = 1; rows[++nr] = key; nm[key] = $4 }
		P50[key, $5] = $6; P90[key, $5] = $7
		if ($8 > N[key]) N[key] = $8
		grp = $1 SUBSEP $2
		if (!(grp in gs)) { gs[grp] = 1; groups[++ng] = grp }
	}
	END {
		print "# where the time goes in the handshake (us, p50/p90 over connections); clocks: " \
		      (mode == "same" ? "one host (monotonic, realtime start)" : "two hosts (server shifted by the offset from message order and the round trip)")
		for (gi = 1; gi <= ng; gi++) {
			split(groups[gi], gg, SUBSEP)
			printf "\n## %s, size %s\n", gg[1], gg[2]
			printf "%-44s %5s %13s %6s %13s %6s %13s  %-27s %6s %13s %13s %13s\n", "flight", "n", "gap", "cpu",
			       "span", "cpu", "work cpu", "crypto", "floor", "wire", "buffered", "timer"
			for (r = 1; r <= nr; r++) {
				split(rows[r], rr, SUBSEP)
				if (rr[1] != gg[1] || rr[2] != gg[2] || rr[3] >= 900) continue
				k = rows[r]
				nmx = nm[k]; if (length(nmx) > 44) nmx = substr(nmx, 1, 41) "..."
				ops = crypto(gg[1], nm[k])
				printf "%-44s %5d %s %s %s %s %s  %-27s %6s %s %s %s\n", nmx, N[k], pp(k SUBSEP "gap"),
				       p1(k SUBSEP "gap_cpu"), pp(k SUBSEP "span"), p1(k SUBSEP "span_cpu"),
				       pp(k SUBSEP "work_cpu"), ops == "" ? "" : ops, floor_of(gg[1], ops),
				       pp(k SUBSEP "wire"), pp(k SUBSEP "buffered"), pp(k SUBSEP "timer")
			}
			printf "%-44s %5s %13s %13s %13s %13s %13s\n", "side", "n", "handshake", "cpu", "compute",
			       "waiting", "cpu waiting"
			for (r = 1; r <= nr; r++) {
				split(rows[r], rr, SUBSEP)
				if (rr[1] != gg[1] || rr[2] != gg[2] || rr[3] < 900) continue
				k = rows[r]
				printf "%-44s %5d %s %s %s %s %s\n", nm[k], N[k], pp(k SUBSEP "wall"), pp(k SUBSEP "cpu"),
				       pp(k SUBSEP "compute"), pp(k SUBSEP "wait"), pp(k SUBSEP "wait_cpu")
			}
		}
		print "\n# gap: last received .. first sent; span: first .. last sent; work cpu: the sender'"'"'s CPU from the first"
		print "# message of the flight it answers received to its last sent (the crypto beside it; floor: that"
		print "# crypto at the rate per CPU second of the stack'"'"'s own benchmark: ECDH its static figure, keygen"
		print "# its ECDHE figure less that, the signatures of the key type); wire: last sent .. arrived on the"
		print "# other side; buffered: arrived .. read; timer: a resent flight after its sender'"'"'s previous one."
	}' "$tmp/pct" >"$outdir/where-the-time-goes.txt"
cat "$outdir/where-the-time-goes.txt"
awk '$1 == "conns" && $3 > 0 { printf "timeline: %d connection(s) with one side only, not merged\n", $3 }' \
	"$tmp/m.info" >&2

[ "$plots" = 1 ] || exit 0
. "$LIB_ROOT/scripts/timeline-plot.sh"
timeline_plots "$tmp" "$outdir"
