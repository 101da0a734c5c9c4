#!/usr/bin/env bash
# bench-dtls.sh - what DTLS costs over UDP on loopback, against the crypto it cannot avoid
# (a benchmark, not a test: it prints figures and ratios and says whether the targets are
# met, it never fails on them).
#  1. Crypto floor of one mutually authenticated DTLS 1.2 handshake, from
#     programs/test/benchmark of the same Mbed TLS build: 2 ECDHE (one per side) +
#     2 ECDSA signatures (ServerKeyExchange, CertificateVerify) + 4 verifications (each
#     side: the peer's certificate and its signature). The cookie exchange adds one round
#     trip: the udp --keep p50 of the same round.
#  2. Per message (a new session each, 64 B): dtls total p50 - udp total p50, over the
#     floor + one round trip (HelloVerifyRequest cookies) and over the floor alone
#     (--no-cookie server); target <= TARGET. Connections with a handshake retransmission
#     (target: none on a clean loopback), the cookie round trip (CSV cookie_us), client and
#     server CPU per connection.
#  3. Keep-alive (one session): dtls vs udp p50 total per message at 64 B and 1 KiB.
# Runs alternate udp/dtls within each round (which goes first changes per round), client
# and server pinned to different CPUs; figures are medians over the rounds.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

TARGET=1.15
KEEP_SIZES="64,1K"

usage() {
	cat <<USAGE
Usage: $0 [-B BINDIR] [-r ROUNDS] [-n COUNT] [-k COUNT] [-F FILE] [-c CPU,CPU] [-d DIR]
  -B BINDIR  programs (default: build/native/bin); Mbed TLS's benchmark program is taken
             from BINDIR/../mbedtls/programs/test/benchmark (made with make if missing)
  -r ROUNDS  rounds (default: 3)
  -n COUNT   sessions per per-message run (default: 300)
  -k COUNT   messages per size in keep-alive runs (default: 2000)
  -F FILE    use this saved output of the benchmark program instead of running it
  -c C,S     CPUs of the client and of the server (default: 0,1)
  -d DIR     where the raw outputs go (default: results/bench-dtls-<UTC time>)
  -h         this text
Certificates: a fresh EC P-256 set (gen-certs.sh); ECDHE secp256r1, AES-128-GCM (the
defaults). Targets: (dtls - udp) / (floor + RTT) <= $TARGET with cookies, (dtls - udp) /
floor <= $TARGET without; no retransmission. Needs taskset, Python 3 (the summary).
Exit status: 0 when every run gave a figure (whatever the ratios), 1 when one failed,
2 usage error.
USAGE
}

bin="$LIB_ROOT/build/native/bin"
rounds=3
count=300
kcount=2000
floor_file=""
cpus="0,1"
dir=""
cmdline="$0 $*"
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts B:r:n:k:F:c:d:h opt; do
	case "$opt" in
	B) bin=$OPTARG ;;
	r) rounds=$OPTARG ;;
	n) count=$OPTARG ;;
	k) kcount=$OPTARG ;;
	F) floor_file=$OPTARG ;;
	c) cpus=$OPTARG ;;
	d) dir=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { log "unexpected argument '$1' (see --help)"; exit 2; }
for v in "r:$rounds" "n:$count" "k:$kcount"; do
	lib_is_count "${v#*:}" || { log "-${v%%:*}: '${v#*:}' is not a positive number"; exit 2; }
done
lib_cpu_pair "$cpus" || { log "-c: '$cpus' is not two different CPU numbers"; exit 2; }
ccpu=$LIB_CCPU
scpu=$LIB_SCPU
bin=$(lib_abs "$bin")
lib_need_pairs "$bin" udp dtls || exit 2
if [ -n "$floor_file" ] && [ ! -r "$floor_file" ]; then
	log "-F: cannot read '$floor_file'"
	exit 2
fi
lib_need_cmds "scripts/deps.sh bench" taskset
lib_cpu_range "$cpus"
dir=$(lib_run_dir "$dir" bench-dtls)
on_client=(taskset -c "$ccpu")
on_server=(taskset -c "$scpu")

trap lib_cleanup EXIT
trap 'exit 130' INT TERM

LIB_BIN=$bin lib_record_env "$dir/env.txt" "$cmdline"
failed=()
# meta.txt: what the summary (python3 -m ackbench bench-summary dtls DIR) needs besides the runs
{
	echo "rounds: $rounds"
	echo "client_cpu: $ccpu"
	echo "server_cpu: $scpu"
	echo "target: $TARGET"
	echo "load_start: $(lib_loadavg)"
} >"$dir/meta.txt"

certs="$dir/certs"
"$LIB_ROOT/scripts/gen-certs.sh" -t ec256 -o "$certs" 2>"$dir/gen-certs.log" ||
	die "gen-certs.sh failed; see $dir/gen-certs.log"
dtls_srv=(--ca "$certs/ca.crt" --cert "$certs/server.crt" --key "$certs/server.key")
dtls_cli=(--ca "$certs/ca.crt" --cert "$certs/client.crt" --key "$certs/client.key")

# --- 1. crypto floor ---
if [ -n "$floor_file" ]; then
	cp "$floor_file" "$dir/benchmark.txt"
else
	pinned() { "${on_client[@]}" "$@"; }
	lib_mbedtls_bench "$dir/benchmark.txt" "$bin" "" pinned "ecdh secp256r1" "ecdsa secp256r1"
fi
# The floor's figures (scripts/ackbench/bench_tls.py), checked before the runs.
(lib_analysis bench-summary dtls-floor "$dir") >&2 ||
	die "no ECDHE/ECDSA secp256r1 figures in $dir/benchmark.txt"

# --- runs ---
# run PROTO TAG SERVER-ARGS -- CLIENT-ARGS: one pinned server (CSV) and one pinned client
# (JSON, CSV). The server ends after the client's END.
run() {
	local p=$1 tag=$2 sargs=() cargs=()
	shift 2
	while [ "$#" -gt 0 ] && [ "$1" != -- ]; do sargs+=("$1") && shift; done
	shift
	cargs=("$@")
	[ "$p" = dtls ] && sargs+=("${dtls_srv[@]}") && cargs+=("${dtls_cli[@]}")
	lib_server_start "$dir/$tag.server" "${on_server[@]}" "$bin/${p}_server" -b 127.0.0.1 \
		-p 0 -q -o "$dir/$tag.server.csv" "${sargs[@]}" || return 1
	lib_client_run "$dir/$tag" 3600 "${on_client[@]}" "$bin/${p}_client" -a 127.0.0.1 \
		-p "$LIB_SERVER_PORT" "${cargs[@]}" --json "$dir/$tag.json" -o "$dir/$tag.csv"
}

# runs.txt: "pm ROUND - TAG FILE" / "keep ROUND - PROTO FILE" per run that gave its files.
raw="$dir/runs.txt"
: >"$raw"
# per_message ROUND PROTO TAG SERVER-ARGS -- CLIENT-ARGS: one per-message run, TAG-rROUND.*
per_message() {
	local r=$1 p=$2 tag=$3
	shift 3
	if ! run "$p" "$tag-r$r" "$@" -s 64 -n "$count" -w 10; then
		failed+=("$tag round $r")
		return 0
	fi
	echo "pm $r - $tag $tag-r$r" >>"$raw"
}

per_proto() { per_message "$1" "$2" "$2" --; }

# keep_alive ROUND PROTO: one keep-alive run, keep-PROTO-rROUND.*
keep_alive() {
	local r=$1 p=$2
	if ! run "$p" "keep-$p-r$r" -- -s "$KEEP_SIZES" -n "$kcount" -w 100 --keep; then
		failed+=("$p keep-alive round $r")
		return 0
	fi
	echo "keep $r - $p keep-$p-r$r" >>"$raw"
}

for r in $(seq 1 "$rounds"); do
	log "round $r/$rounds: keep-alive ($KEEP_SIZES, $kcount messages each): udp, dtls"
	lib_in_turn "$r" keep_alive udp dtls
	log "round $r/$rounds: per message (64 B, $count sessions): udp, dtls, dtls --no-cookie"
	lib_in_turn "$r" per_proto udp dtls
	per_message "$r" dtls dtls-nocookie --no-cookie --
done
{
	echo "load_end: $(lib_loadavg)"
	echo "mbedtls: $(lib_mbedtls_source "$bin")"
} >>"$dir/meta.txt"

# --- summary (scripts/ackbench/bench_tls.py; python3 -m ackbench bench-summary dtls DIR
# redoes it from DIR) ---
if (lib_analysis bench-summary dtls "$dir") >"$dir/summary.txt"; then
	cat "$dir/summary.txt"
else
	failed+=("the summary (bench-summary dtls $dir)")
fi
lib_failed "${failed[@]}" || exit 1
