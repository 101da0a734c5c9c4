#!/usr/bin/env bash
# bench-links.sh - handshakes over emulated links (scripts/link.sh): TLS 1.2 and 1.3 (full
# and resumed) and DTLS 1.2 over each link profile and a loss sweep at one RTT, per message:
# handshake p50/p95, round trips, retransmissions, and the model k x RTT + CPU + bytes/rate
# beside the measurement. Prints figures; a benchmark, never a test.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: $0 [-B BINDIR] [-n COUNT] [-p PROFILES] [-l LOSSES] [-R RTT] [-d DIR]
Runs, over each link (the profiles, then RTT with each loss), each of: TLS 1.2 full, TLS
1.3 full, TLS 1.3 resumed (--resume, the resumed rows), DTLS 1.2 with cookie; COUNT
messages per message mode (one handshake each), server and client in the link's
namespaces. Prints per link and cell: the handshake's p50 and p95 (ms), its round trips
(floor((p50 - CPU) / RTT)), retransmissions (TCP: both sides' tcp_retrans; DTLS:
hs_retrans), the model k x RTT + CPU + bytes/rate (k: 2, 1, 1, 3; CPU: the same cell's
p50 on loopback; bytes: the handshake's bytes each way over that way's rate) and
measured/model at p50.
  -B BINDIR    programs (default: build/native/bin)
  -n COUNT     messages per cell (default: 20)
  -p PROFILES  comma list of link profiles or specs with ':' (default: lan,wifi,lte,nbiot,geo,lossy)
  -l LOSSES    comma list of loss percentages at RTT (default: 0,0.5,1,2,5,10)
  -R RTT       the loss sweep's round trip (default: 100ms)
  -d DIR       where the runs go (default: a temporary directory, removed)
Needs root (scripts/link.sh). Exit status: 0, 1 when a run failed, 2 usage error.
USAGE
}

bin="$LIB_ROOT/build/native/bin" count=20 profiles=lan,wifi,lte,nbiot,geo,lossy
losses=0,0.5,1,2,5,10 rtt=100ms dir=""
[ "${1:-}" != --help ] || { usage; exit 0; }
while getopts B:n:p:l:R:d:h opt; do
	case "$opt" in
	B) bin=$OPTARG ;;
	n) count=$OPTARG ;;
	p) profiles=$OPTARG ;;
	l) losses=$OPTARG ;;
	R) rtt=$OPTARG ;;
	d) dir=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { log "unexpected argument '$1'"; exit 2; }
lib_is_count "$count" || { log "-n: '$count' is not a positive number"; exit 2; }
LINK="$LIB_ROOT/scripts/link.sh"
links=()
for p in ${profiles//,/ }; do links+=("$p"); done
for l in ${losses//,/ }; do links+=("rtt=$rtt:loss=$l%"); done
for l in "${links[@]}"; do "$LINK" parse "$l" >/dev/null || exit 2; done
bin=$(lib_abs "$bin")
if [ ! -x "$bin/tls_client" ] || [ ! -x "$bin/dtls_client" ]; then
	log "-B: no tls/dtls programs in $bin"
	exit 2
fi
keep_dir=1
if [ -z "$dir" ]; then
	dir=$(mktemp -d "${TMPDIR:-/tmp}/bench-links.XXXXXX")
	keep_dir=0
fi
mkdir -p "$dir"
name=bl$(($$ % 100000))
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	lib_cleanup
	"$LINK" -n "$name" down 2>/dev/null || true
	[ "$keep_dir" = 1 ] || rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$LIB_ROOT/scripts/gen-certs.sh" -o "$dir/certs" 198.51.100.2 >/dev/null 2>&1 || die "gen-certs.sh failed"
crt() { echo "--ca $dir/certs/ca.crt --cert $dir/certs/$1.crt --key $dir/certs/$1.key"; }

CELLS="tls12 tls13 tls13r dtls12"
cell_proto() { case "$1" in dtls*) echo dtls ;; *) echo tls ;; esac; }
cell_args() {
	case "$1" in
	tls12) echo "--tls 1.2" ;; tls13) echo "--tls 1.3" ;; tls13r) echo "--tls 1.3 --resume" ;;
	dtls12) echo "" ;;
	esac
}
cell_k() { case "$1" in tls12) echo 2 ;; tls13 | tls13r) echo 1 ;; dtls12) echo 3 ;; esac; }
# The rows of a cell's CSV that count: resumed ones for tls13r, full ones otherwise.
# shellcheck disable=SC2016 # awk conditions
cell_filter() { case "$1" in tls13r) echo '$c["resumed"] == 1' ;; *) echo '$c["resumed"] == 0' ;; esac; }

# run_cell HOST LINKNAME OUT CELL: server and client of CELL, in link LINKNAME's namespaces
# ("": on loopback).
run_cell() {
	local host=$1 out=$3 cell=$4 p rc=0 sp="" cp=""
	p=$(cell_proto "$cell")
	if [ -n "$2" ]; then
		sp="$LINK -n $2 exec server" cp="$LINK -n $2 exec client"
	fi
	# shellcheck disable=SC2046,SC2086 # prefixes and certificate options are words
	lib_server_start "$out.server.log" $sp "$bin/${p}_server" -b "$host" -p 0 \
		-o "$out.server.csv" $(crt server) || return 1
	# shellcheck disable=SC2046,SC2086
	timeout -k 5 1800 $cp "$bin/${p}_client" -a "$host" -p "$LIB_SERVER_PORT" -n "$count" \
		-w 1 -s 64 --timeout 10000 -o "$out.csv" $(crt client) $(cell_args "$cell") \
		>"$out.out" 2>&1 || rc=$?
	lib_server_stop "$LIB_SERVER_PID" 10 || true
	return "$rc"
}

# stat CSV CELL COLUMN Q: the Q-th percentile (nearest rank) of COLUMN over the cell's rows.
stat() {
	awk -F, -v col="$3" "NR == 1 { for (i = 1; i <= NF; i++) c[\$i] = i; next }
		$(cell_filter "$2") && \$c[\"ok\"] == 1 { print \$c[col] }" "$1" | sort -n |
		awk -v q="$4" '{ v[NR] = $1 } END { if (!NR) { print "nan"; exit }
			r = int(q / 100 * NR); if (r < q / 100 * NR) r++; if (r < 1) r = 1; print v[r] }'
}
sumcol() {
	awk -F, -v col="$2" -v kind="${3:-}" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		(kind == "" || $1 == kind) && (col in c) { s += $c[col] } END { printf "%d", s }' "$1"
}

# --- CPU: each cell's handshake on loopback (no link) ---
declare -A cpu_ms=()
log "loopback: the CPU term of each cell ($count messages)"
for cell in $CELLS; do
	run_cell 127.0.0.1 "" "$dir/lo-$cell" "$cell" || die "loopback $cell failed: $(tail -n 1 "$dir/lo-$cell.out")"
	cpu_ms[$cell]=$(awk -v x="$(stat "$dir/lo-$cell.csv" "$cell" handshake_us 50)" 'BEGIN { printf "%.2f", x / 1000 }')
done
echo "# bench-links: $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $count messages per cell"
echo "# loopback handshake p50 (the model's CPU term), ms: $(for c in $CELLS; do printf '%s %s  ' "$c" "${cpu_ms[$c]}"; done)"
printf '%-26s %-7s %9s %9s %4s %7s %9s %7s\n' link cell p50_ms p95_ms rtts retrans model_ms meas/mod
failed=0
for l in "${links[@]}"; do
	if ! "$LINK" -B "$bin" -n "$name" up "$l" >"$dir/link.txt" 2>"$dir/link.err"; then
		log "link $l: $(cat "$dir/link.err")"
		failed=1
		continue
	fi
	rtt_ms=$(sed -n 's/^spec=delay\.up=\([0-9]*\)us:delay\.down=\([0-9]*\)us.*/\1 \2/p' "$dir/link.txt" |
		awk '{ printf "%.3f", ($1 + $2) / 1000 }')
	up=$(sed -n 's/^spec=.*rate\.up=\([0-9]*\)bit.*/\1/p' "$dir/link.txt")
	down=$(sed -n 's/^spec=.*rate\.down=\([0-9]*\)bit.*/\1/p' "$dir/link.txt")
	for cell in $CELLS; do
		out=$dir/$(echo "$l" | tr -c 'A-Za-z0-9.\n' '_')-$cell
		"$LINK" -n "$name" rearm
		if ! run_cell 198.51.100.2 "$name" "$out" "$cell" 2>/dev/null; then
			: # the client exits 1 when messages were lost; the rows still count
		fi
		[ -s "$out.csv" ] || { log "$l $cell: no CSV ($(tail -n 1 "$out.out"))"; failed=1; continue; }
		p50=$(stat "$out.csv" "$cell" handshake_us 50)
		p95=$(stat "$out.csv" "$cell" handshake_us 95)
		tx=$(stat "$out.csv" "$cell" hs_tx_bytes 50)
		rx=$(stat "$out.csv" "$cell" hs_rx_bytes 50)
		if [ "$(cell_proto "$cell")" = dtls ]; then
			rt=$(sumcol "$out.csv" hs_retrans)
		else
			rt=$(($(sumcol "$out.csv" tcp_retrans) + $(sumcol "$out.server.csv" tcp_retrans conn)))
		fi
		awk -v l="$l" -v c="$cell" -v p50="$p50" -v p95="$p95" -v rtt="$rtt_ms" -v k="$(cell_k "$cell")" \
			-v cpu="${cpu_ms[$cell]}" -v tx="$tx" -v rx="$rx" -v up="$up" -v down="$down" -v rt="$rt" 'BEGIN {
			if (p50 == "nan") { printf "%-26s %-7s %9s\n", l, c, "no rows"; exit }
			ser = 0
			if (up > 0) ser += tx * 8 / up * 1000
			if (down > 0) ser += rx * 8 / down * 1000
			model = k * rtt + cpu + ser
			n = rtt > 0 ? int((p50 / 1000 - cpu) / rtt) : 0
			printf "%-26s %-7s %9.1f %9.1f %4d %7d %9.1f %7.2f\n", l, c, p50 / 1000, p95 / 1000,
				n, rt, model, p50 / 1000 / model }'
	done
	"$LINK" -n "$name" down
done
exit "$failed"
