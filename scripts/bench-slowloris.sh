#!/bin/bash
# bench-slowloris.sh - what idle and trickling peers cost a good client: its handshake time
# (p50, p95 over COUNT connections, a new one per 64-byte message) with K peers of each
# kind on the server against the same run without them, alternated (without, with, without,
# with...), for K = 1, 10, 100, tls and dtls, server --max-conns 1 (the default) and 16.
#   tls  idle: TCP connections that send nothing; trickle: a TLS record a byte every 200 ms
#   dtls idle: peers that complete the cookie exchange and go silent (again every 3 s from
#        a new port); trickle: the same, then their ClientHello again every 200 ms
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
Needs taskset, openssl (certificates). Exit status: 0 when every run gave figures, 1 when
one failed, 2 usage error.
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

# p50/p95 of the handshake column of a client CSV, in ms: "p50 p95 lost"
hs_stats() {
	grep -v '^#' "$1" | awk -F, 'NR > 1 && $10 == 1 { print $6 / 1000 } NR > 1 && $10 != 1 { lost++ }
		END { print "lost", lost + 0 > "/dev/stderr" }' 2>"$1.lost" | sort -n >"$1.hs"
	awk -v lost="$(awk '{ print $2 }' "$1.lost")" '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan nan", lost; exit }
		i50 = int(NR * 0.50 + 0.999); i95 = int(NR * 0.95 + 0.999)
		printf "%.2f %.2f %d\n", v[i50], v[i95], lost }' "$1.hs"
}

# run PROTO PORT OUT: the good client, pinned; its CSV in OUT
good() {
	timeout -k 5 120 taskset -c "$ccpu" "$bin/$1_client" -p "$2" --ca "$ec/ca.crt" \
		--cert "$ec/client.crt" --key "$ec/client.key" -s 64 -n "$count" -w 1 -q \
		-o "$3" >/dev/null 2>&1 || true
}

status=0
echo "# bench-slowloris $(date -u +%Y-%m-%dT%H:%MZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-5s %-5s %-8s %4s %10s %10s %10s %10s %8s %6s\n' proto conns kind K \
	"p50_ms" "p95_ms" "+p50_ms" "+p95_ms" "p50x" lost
IFS=, read -r -a protos <<<"$plist"
IFS=, read -r -a mcs <<<"$mlist"
IFS=, read -r -a ks <<<"$klist"
for proto in "${protos[@]}"; do
	for mc in "${mcs[@]}"; do
		for kind in idle trickle; do
			case "$proto-$kind" in
			tls-idle) tp=tcp bk=silent ;;
			tls-trickle) tp=tcp bk=tls-trickle ;;
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
				: >"$tmp/base.all"
				: >"$tmp/att.all"
				for r in $(seq "$rounds"); do
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
					grep -hv '^#' "$tmp/base-$r.csv" | tail -n +2 >>"$tmp/base.all" || true
					grep -hv '^#' "$tmp/att-$r.csv" | tail -n +2 >>"$tmp/att.all" || true
					sleep 0.5
				done
				kill "$spid" 2>/dev/null || true
				wait "$spid" 2>/dev/null || true
				hdr=$(grep -v '^#' "$tmp/base-1.csv" | head -1)
				{ echo "$hdr"; cat "$tmp/base.all"; } >"$tmp/b.csv"
				{ echo "$hdr"; cat "$tmp/att.all"; } >"$tmp/a.csv"
				read -r b50 b95 _ <<<"$(hs_stats "$tmp/b.csv")"
				read -r a50 a95 alost <<<"$(hs_stats "$tmp/a.csv")"
				if [ "$a50" = nan ] || [ "$b50" = nan ]; then
					status=1
					printf '%-5s %-5s %-8s %4s %10s %10s %10s %10s %8s %6s\n' "$proto" \
						"$mc" "$kind" "$k" "$b50" "$a50" - - - "$alost"
					continue
				fi
				awk -v p="$proto" -v m="$mc" -v kd="$kind" -v k="$k" -v b50="$b50" \
					-v b95="$b95" -v a50="$a50" -v a95="$a95" -v l="$alost" 'BEGIN {
					printf "%-5s %-5s %-8s %4s %10.2f %10.2f %10.2f %10.2f %8.2f %6d\n",
						p, m, kd, k, b50, b95, a50 - b50, a95 - b95, a50 / b50, l }'
			done
		done
	done
done
echo "# p50_ms/p95_ms: the good client's handshake alone; +p50/+p95: with the K peers minus alone"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
