#!/bin/bash
# bench-slowloris.sh - what idle and trickling peers cost a good client: its handshake time
# (p50, p95 over COUNT connections, a new one per 64-byte message) with K peers of each
# kind on the server against the same run without them, alternated (without, with, without,
# with...), for K = 1, 10, 100, tls and dtls, server --max-conns 1 (the default) and 16.
#   tls  idle: TCP connections that send nothing; trickle: a TLS record a byte every 200 ms;
#        hello: a whole ClientHello, then nothing (again on a new connection once closed)
#   dtls idle: peers that complete the cookie exchange and go silent; trickle: the same,
#        then their ClientHello again every 200 ms
# The peers are test/badpeer's (-n K). Client and server pinned to different CPUs, the
# peers beside the client. Prints per cell: extra ms at p50 and p95 (with - without) and
# the ratio of the p50s, and the messages lost. Goal (issue 16): extra < 100 ms.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: $0 [-B BINDIR] [-K LIST] [-P LIST] [-M LIST] [-n COUNT] [-r ROUNDS] [-c C,S] [-h]
  -B BINDIR  programs (default: build/native/bin; badpeer in BINDIR/../test)
  -K LIST    peers per run (default: 1,10,100)
  -P LIST    protocols (default: tls,dtls)
  -M LIST    server --max-conns values (default: 1,16)
  -n COUNT   the good client's connections per run (default: 20)
  -r ROUNDS  alternated pairs of runs per cell (default: 2)
  -c C,S     CPUs of the client side and of the server (default: 0,1)
  -h         this text
Needs taskset, openssl (certificates) and Python 3 for the table (scripts/deps.sh
analysis). Exit status: 0 when every run gave figures, 1 when one failed, 2 usage error.
USAGE
}

bin="$LIB_ROOT/build/native/bin"
klist="1,10,100"
plist="tls,dtls"
mlist="1,16"
count=20
rounds=2
cpus="0,1"
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts B:K:P:M:n:r:c:h opt; do
	case "$opt" in
	B) bin=$(lib_abs "$OPTARG") ;;
	K) klist=$OPTARG ;;
	P) plist=$OPTARG ;;
	M) mlist=$OPTARG ;;
	n) count=$OPTARG ;;
	r) rounds=$OPTARG ;;
	c) cpus=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { usage >&2; exit 2; }
lib_is_count "$count" || die "-n: '$count' is not a positive number"
lib_is_count "$rounds" || die "-r: '$rounds' is not a positive number"
badpeer="$bin/../test/badpeer"
[ -x "$badpeer" ] || die "no $badpeer (make build/native/test/badpeer)"
IFS=, read -r ccpu scpu <<<"$cpus"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-slowloris.XXXXXX")
pids=()
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$LIB_ROOT/scripts/gen-certs.sh" -t ec256 -o "$tmp/ec" >/dev/null 2>&1 || die "gen-certs.sh failed"
ec=$tmp/ec

# run PROTO PORT OUT: the good client, pinned; its CSV in OUT
good() {
	timeout -k 5 120 taskset -c "$ccpu" "$bin/$1_client" -p "$2" --ca "$ec/ca.crt" \
		--cert "$ec/client.crt" --key "$ec/client.key" -s 64 -n "$count" -w 1 -q \
		-o "$3" >/dev/null 2>&1 || true
}

status=0
echo "# bench-slowloris $(date -u +%Y-%m-%dT%H:%MZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
(lib_analysis bench-summary slowloris -H)
IFS=, read -r -a protos <<<"$plist"
IFS=, read -r -a mcs <<<"$mlist"
IFS=, read -r -a ks <<<"$klist"
for proto in "${protos[@]}"; do
	for mc in "${mcs[@]}"; do
		kinds=(idle trickle)
		[ "$proto" = tls ] && kinds+=(hello)
		for kind in "${kinds[@]}"; do
			case "$proto-$kind" in
			tls-idle) tp=tcp bk=silent ;;
			tls-trickle) tp=tcp bk=tls-trickle ;;
			tls-hello) tp=tcp bk=tls-hello ;;
			dtls-idle) tp=udp bk=dtls-silent ;;
			dtls-trickle) tp=udp bk=dtls-trickle ;;
			esac
			for k in "${ks[@]}"; do
				taskset -c "$scpu" "$bin/${proto}_server" -b 127.0.0.1 -p 0 --forever \
					--max-conns "$mc" --ca "$ec/ca.crt" --cert "$ec/server.crt" \
					--key "$ec/server.key" >"$tmp/srv.out" 2>"$tmp/srv.err" &
				spid=$!
				pids+=("$spid")
				port=
				for _ in $(seq 50); do
					port=$(sed -n 's/^ready port=//p' "$tmp/srv.out")
					[ -z "$port" ] || break
					sleep 0.1
				done
				[ -n "$port" ] || die "${proto}_server did not start: $(cat "$tmp/srv.err")"
				rm -f "$tmp"/base-*.csv "$tmp"/att-*.csv
				base=() att=()
				for r in $(seq "$rounds"); do
					base+=("$tmp/base-$r.csv") att+=("$tmp/att-$r.csv")
					good "$proto" "$port" "$tmp/base-$r.csv"
					taskset -c "$ccpu" "$badpeer" -n "$k" -t 300 "$tp" "$port" "$bk" \
						>"$tmp/bp.out" 2>&1 &
					bpid=$!
					pids+=("$bpid")
					for _ in $(seq 100); do
						grep -q '^started' "$tmp/bp.out" && break
						sleep 0.1
					done
					sleep 1 # the peers settle: connected, cookie exchanges done
					good "$proto" "$port" "$tmp/att-$r.csv"
					kill "$bpid" 2>/dev/null || true
					wait "$bpid" 2>/dev/null || true
					sleep 0.5
				done
				kill "$spid" 2>/dev/null || true
				wait "$spid" 2>/dev/null || true
				# the cell's line (scripts/ackbench/bench.py): handshake p50/p95 over every
				# round's connections alone, the extra with the peers; false when a side has none
				(IFS=,; lib_analysis bench-summary slowloris "$proto" "$mc" "$kind" "$k" \
					"${base[*]}" "${att[*]}") || status=1
			done
		done
	done
done
echo "# p50_ms/p95_ms: the good client's handshake alone; +p50/+p95: with the K peers minus alone"
echo "# '-': no completed handshake on that side (a missing figure is never counted as 0)"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
