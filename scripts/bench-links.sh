#!/usr/bin/env bash
# bench-links.sh - handshakes over emulated links (scripts/link.sh): TLS 1.2 and 1.3 (full,
# resumed, 1.3 with a HelloRetryRequest, 1.3 with a post-quantum ClientHello split over two
# segments), DTLS 1.2 and 1.3 over each link profile and a loss sweep at one RTT, per message, on each stack asked for. Keeps the runs; the tables, CSV,
# plots and HTML report are `python3 -m ackbench links DIR` (scripts/ackbench/links.py): per
# phase, measured beside the round-trip model. Prints figures; a benchmark, never a test.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

CELLS_ALL="tls12 tls12r tls13 tls13r tls13hrr tls13pq dtls12 dtls13"
usage() {
	cat <<USAGE
Usage: $0 [-s STACKS] [-c CELLS] [-n COUNT] [-p PROFILES] [-l LOSSES] [-R RTT] [-d DIR]
Runs, over each link (the profiles, then RTT with each loss), each cell: tls12 (TLS 1.2
full), tls12r (TLS 1.2 resumed), tls13, tls13r (TLS 1.3 resumed), tls13hrr (TLS 1.3 with a
HelloRetryRequest: the client's key share x25519, its first group, the server's only
group secp256r1), tls13pq (TLS 1.3 with X25519MLKEM768 on both sides: a ClientHello of
about 1.5 KB, split over two TCP segments; openssl and wolfssl), dtls12 (DTLS 1.2 with
cookie), dtls13 (DTLS 1.3, its cookie in a HelloRetryRequest; wolfssl only); a cell a
stack does not have is skipped with the reason; COUNT messages per message mode (one
handshake each), 64 bytes, server and client in the link's namespaces; the same cells on
loopback first (the model's CPU term). Then prints, per link, stack and cell: handshake
p50/p95/p99, round trips, retransmissions, the model (k x RTT + CPU + serialisation at the
rate) and measured/model, per phase, with the likely cause where a phase exceeds its
model (python3 -m ackbench links DIR; docs/links.md), and writes DIR/links.{txt,csv,html}
and the plots links-{rtt,loss,bytes}.{png,svg}.
  -s STACKS    comma list of built stacks (default: mbedtls; programs from make print-BUILD)
  -c CELLS     comma list of cells (default: $CELLS_ALL)
  -n COUNT     messages per cell (default: 20)
  -p PROFILES  comma list of link profiles or specs with ':' (default: lan,wifi,lte,nbiot,geo,lossy)
  -l LOSSES    comma list of loss percentages at RTT (default: 0,0.5,1,2,5,10)
  -R RTT       the loss sweep's round trip (default: 100ms)
  -d DIR       where the runs and the report go (default: results/bench-links-<UTC time>)
Needs root (scripts/link.sh). Exit status: 0, 1 when a run failed, 2 usage error.
USAGE
}

stacks=mbedtls cells=$CELLS_ALL count=20 profiles=lan,wifi,lte,nbiot,geo,lossy
losses=0,0.5,1,2,5,10 rtt=100ms dir=""
[ "${1:-}" != --help ] || { usage; exit 0; }
while getopts s:c:n:p:l:R:d:h opt; do
	case "$opt" in
	s) stacks=${OPTARG//,/ } ;;
	c) cells=${OPTARG//,/ } ;;
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
for c in $cells; do
	case " $CELLS_ALL " in *" $c "*) ;; *) log "-c: '$c': not a cell ($CELLS_ALL)"; exit 2 ;; esac
done
LINK="$LIB_ROOT/scripts/link.sh"
links=()
for p in ${profiles//,/ }; do links+=("$p"); done
for l in ${losses//,/ }; do links+=("rtt=$rtt:loss=$l%"); done
for l in "${links[@]}"; do "$LINK" parse "$l" >/dev/null || exit 2; done
mkvar() { env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$LIB_ROOT" "$@"; }
declare -A BIN
all=$(mkvar print-STACKS)
for s in $stacks; do
	case " $all " in *" $s "*) ;; *) log "-s: '$s': not a stack (known: $all)"; exit 2 ;; esac
	BIN[$s]=$LIB_ROOT/$(mkvar STACK="$s" print-BUILD)/bin
	if [ ! -x "${BIN[$s]}/tls_client" ] || [ ! -x "${BIN[$s]}/dtls_client" ]; then
		log "-s: $s: not built (make STACK=$s)"
		exit 2
	fi
done
shaper_bin=$LIB_ROOT/build/native/bin # link_shaper: built with the default stack
dir=$(lib_run_dir "$dir" bench-links)
name=bl$(($$ % 100000))
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	lib_cleanup
	"$LINK" -n "$name" down 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$LIB_ROOT/scripts/gen-certs.sh" -o "$dir/certs" 198.51.100.2 >/dev/null 2>&1 || die "gen-certs.sh failed"
crt() { echo "--ca $dir/certs/ca.crt --cert $dir/certs/$1.crt --key $dir/certs/$1.key"; }

cell_proto() { case "$1" in dtls*) echo dtls ;; *) echo tls ;; esac; }
cell_args() {
	case "$1" in
	tls12) echo "--tls 1.2" ;; tls12r) echo "--tls 1.2 --resume" ;;
	tls13) echo "--tls 1.3" ;; tls13r) echo "--tls 1.3 --resume" ;;
	tls13hrr) echo "--tls 1.3 --groups x25519,secp256r1" ;; # key share: the first group
	tls13pq) echo "--tls 1.3 --groups X25519MLKEM768" ;;
	dtls12) echo "" ;; dtls13) echo "--tls 1.3" ;;
	esac
}
server_args() {
	case "$1" in
	tls13hrr) echo "--groups secp256r1" ;; tls13pq) echo "--groups X25519MLKEM768" ;;
	dtls13) echo "--tls 1.3" ;; *) echo "" ;;
	esac
}
# cell_missing STACK CELL: why STACK cannot run CELL (docs/stacks.md), nothing when it can
cell_missing() {
	case "$2:$1" in
	dtls13:wolfssl) ;;
	dtls13:*) echo "no DTLS 1.3 (only the wolfssl stack has it)" ;;
	tls13pq:mbedtls) echo "no ML-KEM groups in Mbed TLS 3.6" ;;
	esac
}

# run_cell HOST LINKNAME OUT STACK CELL: server and client of CELL on STACK, in link
# LINKNAME's namespaces ("": on loopback); the client's rows in OUT.csv, the server's in
# OUT.server.csv.
run_cell() {
	local host=$1 out=$3 b=${BIN[$4]} cell=$5 p rc=0 sp="" cp=""
	p=$(cell_proto "$cell")
	if [ -n "$2" ]; then
		sp="$LINK -n $2 exec server" cp="$LINK -n $2 exec client"
	fi
	# shellcheck disable=SC2046,SC2086 # prefixes and certificate options are words
	lib_server_start "$out.server.log" $sp "$b/${p}_server" -b "$host" -p 0 \
		-o "$out.server.csv" $(crt server) $(server_args "$cell") || return 1
	# shellcheck disable=SC2046,SC2086
	timeout -k 5 1800 $cp "$b/${p}_client" -a "$host" -p "$LIB_SERVER_PORT" -n "$count" \
		-w 1 -s 64 --timeout 10000 -o "$out.csv" $(crt client) $(cell_args "$cell") \
		>"$out.out" 2>&1 || rc=$?
	lib_server_stop "$LIB_SERVER_PID" 10 || true
	return "$rc"
}

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "load_start: $(lib_loadavg)"
	# SCHED_FIFO when run under chrt (docs/links.md: what load does to the model)
	echo "sched: $(chrt -p $$ 2>/dev/null | sed -n 's/.*policy: //p')"
	echo "count: $count"
	echo "size: 64"
	echo "stacks: $stacks"
	echo "cells: $cells"
	echo "sweep_rtt: $rtt"
	echo "git: $(lib_git_rev)"
	skipped=""
	for s in $stacks; do
		for cell in $cells; do
			[ -z "$(cell_missing "$s" "$cell")" ] || skipped="$skipped $s-$cell"
		done
	done
	echo "skipped:$skipped"
} >"$dir/meta.txt"
mkdir -p "$dir/loopback"
log "loopback: the CPU term of each cell ($count messages)"
for s in $stacks; do
	for cell in $cells; do
		why=$(cell_missing "$s" "$cell")
		[ -z "$why" ] || { log "skipped: $s $cell: $why"; continue; }
		run_cell 127.0.0.1 "" "$dir/loopback/$s-$cell" "$s" "$cell" ||
			die "loopback $s $cell failed: $(tail -n 1 "$dir/loopback/$s-$cell.out")"
	done
done
failed=0 n=0
for l in "${links[@]}"; do
	n=$((n + 1))
	ld=$dir/links/$n
	mkdir -p "$ld"
	echo "$l" >"$ld/spec.txt"
	log "link $n: $l"
	if ! "$LINK" -B "$shaper_bin" -n "$name" up "$l" >"$ld/link.txt" 2>"$ld/link.err"; then
		log "link $l: $(cat "$ld/link.err")"
		failed=1
		continue
	fi
	for s in $stacks; do
		for cell in $cells; do
			[ -z "$(cell_missing "$s" "$cell")" ] || continue
			if ! "$LINK" -n "$name" rearm; then
				log "$l $s $cell: the shaper did not re-arm: not run"
				failed=1
				continue
			fi
			# the client exits 1 when messages were lost; its rows still count
			run_cell 198.51.100.2 "$name" "$ld/$s-$cell" "$s" "$cell" 2>/dev/null || true
			"$LINK" -n "$name" stats >"$ld/$s-$cell.link" 2>/dev/null || true
			[ -s "$ld/$s-$cell.csv" ] ||
				{ log "$l $s $cell: no CSV ($(tail -n 1 "$ld/$s-$cell.out"))"; failed=1; }
		done
	done
	"$LINK" -n "$name" down
done
echo "load_end: $(lib_loadavg)" >>"$dir/meta.txt"
log "runs in $dir"
(lib_analysis links "$dir") || failed=1
exit "$failed"
