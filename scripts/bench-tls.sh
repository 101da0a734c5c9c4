#!/usr/bin/env bash
# bench-tls.sh - what TLS costs over TCP on loopback, against the crypto it cannot avoid
# (a benchmark, not a test: it prints figures and ratios and says whether the target is
# met, it never fails on them).
#  1. Crypto floor of one mutually authenticated handshake, from programs/test/benchmark of
#     the same Mbed TLS build: 2 ECDHE (one per side) + 2 signatures (CertificateVerify or
#     ServerKeyExchange, one per side) + 4 verifications (each side: the peer's certificate
#     and its signature).
#  2. Per message (new connection each, 64 B): tls total p50 - tcp total p50, and that
#     over the floor (target <= TARGET); client and server CPU per connection; the same
#     with --resume (resumed handshake p50).
#  3. openssl s_time against openssl s_server with the same certificates, for reference.
#  4. Keep-alive (one connection): tls vs tcp p50 total per message at 64 B .. 1 MiB.
# Runs alternate tcp/tls within each round (which goes first changes per round), client
# and server pinned to different CPUs; figures are medians over the rounds. The benchmark
# program counts operations per wall-clock second: on a busy host it gets less than a CPU,
# so each of its figures is scaled by that run's CPU share (user + sys over real), and the
# output says so.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

TARGET=1.15
KEEP_SIZES="64,1K,16K,1M"

usage() {
	cat <<USAGE
Usage: $0 [-B BINDIR] [-t TYPE] [-V VERSION] [-r ROUNDS] [-n COUNT] [-k COUNT] [-T SECS]
          [-F FILE] [-c CPU,CPU] [-d DIR]
  -B BINDIR   programs (default: build/native/bin); Mbed TLS's benchmark program is taken
              from BINDIR/../mbedtls/programs/test/benchmark (made with make if missing)
  -t TYPE     key type of a fresh certificate set (gen-certs.sh): ec256 (default), ec384,
              rsa2048, rsa3072; the key exchange stays ECDHE secp256r1, AES-128-GCM
  -V VERSION  TLS version, 1.2 or 1.3 (default: 1.3)
  -r ROUNDS   rounds (default: 3)
  -n COUNT    connections per per-message run (default: 300)
  -k COUNT    messages per size in keep-alive runs (default: 1000)
  -T SECS     openssl s_time duration (default: 5)
  -F FILE     use this saved output of the benchmark program instead of running it
              (the run directory keeps a copy as benchmark.txt)
  -c C,S      CPUs of the client and of the server (default: 0,1)
  -d DIR      where the raw outputs go (default: results/bench-tls-<UTC time>)
  -h          this text
Target: (tls - tcp) / floor <= $TARGET. Needs openssl, taskset, Python 3 (the summary).
Exit status: 0 when every run gave a figure (whatever the ratios), 1 when one failed,
2 usage error.
USAGE
}

bin="$LIB_ROOT/build/native/bin"
type=ec256
version=1.3
rounds=3
count=300
kcount=1000
stime=5
floor_file=""
cpus="0,1"
dir=""
cmdline="$0 $*"
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts B:t:V:r:n:k:T:F:c:d:h opt; do
	case "$opt" in
	B) bin=$OPTARG ;;
	t) type=$OPTARG ;;
	V) version=$OPTARG ;;
	r) rounds=$OPTARG ;;
	n) count=$OPTARG ;;
	k) kcount=$OPTARG ;;
	T) stime=$OPTARG ;;
	F) floor_file=$OPTARG ;;
	c) cpus=$OPTARG ;;
	d) dir=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { log "unexpected argument '$1' (see --help)"; exit 2; }
case "$type" in ec256 | ec384 | rsa2048 | rsa3072) ;; *)
	log "-t: '$type': want ec256, ec384, rsa2048 or rsa3072"
	exit 2
	;;
esac
case "$version" in 1.2 | 1.3) ;; *) log "-V: '$version': want 1.2 or 1.3"; exit 2 ;; esac
for v in "r:$rounds" "n:$count" "k:$kcount" "T:$stime"; do
	lib_is_count "${v#*:}" || { log "-${v%%:*}: '${v#*:}' is not a positive number"; exit 2; }
done
lib_cpu_pair "$cpus" || { log "-c: '$cpus' is not two different CPU numbers"; exit 2; }
ccpu=$LIB_CCPU
scpu=$LIB_SCPU
bin=$(lib_abs "$bin")
lib_need_pairs "$bin" tcp tls || exit 2
if [ -n "$floor_file" ] && [ ! -r "$floor_file" ]; then
	log "-F: cannot read '$floor_file'"
	exit 2
fi
lib_need_cmds "scripts/deps.sh bench" openssl taskset
lib_cpu_range "$cpus"
dir=$(lib_run_dir "$dir" bench-tls)
on_client=(taskset -c "$ccpu")
on_server=(taskset -c "$scpu")
spid=""

cleanup() {
	lib_cleanup
	[ -z "$spid" ] || lib_server_stop "$spid" 0 || true
	exec 7>&- 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

LIB_BIN=$bin lib_record_env "$dir/env.txt" "$cmdline"
failed=()

# --- certificates and the options every tls program gets ---
certs="$dir/certs"
"$LIB_ROOT/scripts/gen-certs.sh" -t "$type" -o "$certs" 2>"$dir/gen-certs.log" ||
	die "gen-certs.sh -t $type failed; see $dir/gen-certs.log"
groups=secp256r1
# TLS 1.2: the client's groups also bound the curve of the server's ECDSA key (RFC 8422).
[ "$type" = ec384 ] && groups=secp256r1,secp384r1
tls_common=(--ca "$certs/ca.crt" --tls "$version" --groups "$groups")
tls_srv=("${tls_common[@]}" --cert "$certs/server.crt" --key "$certs/server.key")
tls_cli=("${tls_common[@]}" --cert "$certs/client.crt" --key "$certs/client.key")
# meta.txt: what the summary (python3 -m ackbench bench-summary tls DIR) needs besides the runs
{
	echo "version: $version"
	echo "type: $type"
	echo "groups: $groups"
	echo "rounds: $rounds"
	echo "client_cpu: $ccpu"
	echo "server_cpu: $scpu"
	echo "target: $TARGET"
	echo "load_start: $(lib_loadavg)"
} >"$dir/meta.txt"

# --- 1. crypto floor ---
# Each benchmark invocation: algorithms, then (for EC) the one curve to time.
case "$type" in
ec256) sig_run="ecdsa secp256r1" ;;
ec384) sig_run="ecdsa secp384r1" ;;
rsa*) sig_run="rsa" ;;
esac
# The benchmark counts operations per wall-clock second: on a busy host it gets less than a
# CPU and its figures inflate. benchmark.time keeps "real user sys" of each invocation (in
# the order ecdh, signature, aes_gcm) to scale each figure to a full CPU.
: >"$dir/benchmark.time"
if [ -n "$floor_file" ]; then
	cp "$floor_file" "$dir/benchmark.txt"
	if [ -r "${floor_file%.txt}.time" ]; then
		cp "${floor_file%.txt}.time" "$dir/benchmark.time"
	fi
else
	# timed PROGRAM ARGS...: pinned, "real user sys" appended to benchmark.time.
	timed() {
		local TIMEFORMAT='%R %U %S'
		{ time "${on_client[@]}" "$@" 2>&1; } 2>>"$dir/benchmark.time"
	}
	lib_mbedtls_bench "$dir/benchmark.txt" "$bin" " (3 s per figure)" timed \
		"ecdh secp256r1" "$sig_run" aes_gcm
fi
# The floor's figures (scripts/ackbench/bench_tls.py), checked before the runs.
(lib_analysis bench-summary tls-floor "$dir") >&2 || die "no crypto floor from $dir/benchmark.txt"

# --- runs ---
# run PROTO TAG CLIENT-ARGS...: one server (pinned, server CSV) and one client (pinned,
# --json). The server ends after the client's END.
run() {
	local p=$1 tag=$2 extra=()
	shift 2
	[ "$p" = tls ] && extra=("${tls_srv[@]}")
	lib_server_start "$dir/$tag.server" "${on_server[@]}" "$bin/${p}_server" -b 127.0.0.1 \
		-p 0 -q -o "$dir/$tag.server.csv" "${extra[@]}" || return 1
	[ "$p" = tls ] && extra=("${tls_cli[@]}") || extra=()
	lib_client_run "$dir/$tag" 3600 "${on_client[@]}" "$bin/${p}_client" -a 127.0.0.1 \
		-p "$LIB_SERVER_PORT" "${extra[@]}" "$@" --json "$dir/$tag.json" -o "$dir/$tag.csv"
}

# runs.txt: "pm ROUND - TAG FILE" / "keep ROUND - PROTO FILE" per run that gave its files.
raw="$dir/runs.txt"
: >"$raw"
# per_message ROUND PROTO TAG ARGS...: one per-message run, TAG-rROUND.*
per_message() {
	local r=$1 p=$2 tag=$3
	shift 3
	if ! run "$p" "$tag-r$r" -s 64 -n "$count" -w 10 "$@"; then
		failed+=("$tag round $r")
		return 0
	fi
	echo "pm $r - $tag $tag-r$r" >>"$raw"
}

per_proto() { per_message "$1" "$2" "$2"; }

# keep_alive ROUND PROTO: one keep-alive run, keep-PROTO-rROUND.*
keep_alive() {
	local r=$1 p=$2
	if ! run "$p" "keep-$p-r$r" -s "$KEEP_SIZES" -n "$kcount" -w 100 --keep; then
		failed+=("$p keep-alive round $r")
		return 0
	fi
	echo "keep $r - $p keep-$p-r$r" >>"$raw"
}

for r in $(seq 1 "$rounds"); do
	log "round $r/$rounds: per message (64 B, $count connections): tcp, tls, tls --resume"
	lib_in_turn "$r" per_proto tcp tls
	per_message "$r" tls tls-resume --resume
	log "round $r/$rounds: keep-alive ($KEEP_SIZES, $kcount messages each): tcp, tls"
	lib_in_turn "$r" keep_alive tcp tls
done

# --- 3. openssl s_time against openssl s_server, same certificates, suite and group ---
# s_server -WWW serves a 24-byte file (our ack's size) to s_time's GET, so each connection
# is a handshake plus one request and reply, as ours. s_time cannot choose its key share
# (OpenSSL offers x25519 first): in TLS 1.3 the P-256 pin costs it one HelloRetryRequest.
stime_ref() {
	local port="" i t0 t1 v=() cli=() suite
	case "$type" in ec*) suite=ECDHE-ECDSA-AES128-GCM-SHA256 ;; *) suite=ECDHE-RSA-AES128-GCM-SHA256 ;; esac
	if [ "$version" = 1.3 ]; then
		v=(-tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256)
	else
		v=(-tls1_2 -cipher "$suite")
	fi
	mkdir -p "$dir/www"
	printf '%-23s\n' ack >"$dir/www/ack"
	rm -f "$dir/stime.fifo"
	mkfifo "$dir/stime.fifo"
	exec 7<>"$dir/stime.fifo" # s_server ends at EOF on its stdin
	(cd "$dir/www" && exec "${on_server[@]}" openssl s_server -accept 127.0.0.1:0 \
		-cert "$certs/server.crt" -key "$certs/server.key" -CAfile "$certs/ca.crt" -Verify 1 \
		-verify_return_error -WWW -groups P-256 "${v[@]}") \
		<"$dir/stime.fifo" >"$dir/stime.server" 2>&1 &
	spid=$!
	for i in $(seq 200); do
		port=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$dir/stime.server")
		[ -z "$port" ] || break
		lib_alive "$spid" || break
		sleep 0.05
	done
	: "$i"
	[ -n "$port" ] || { log "openssl s_server did not start; see $dir/stime.server"; return 1; }
	cli=(-connect "127.0.0.1:$port" -new -time "$stime" -www /ack -cert "$certs/client.crt"
		-key "$certs/client.key" -CAfile "$certs/ca.crt" -verify 2 "${v[@]}")
	t0=$(date +%s%N)
	timeout -k 5 $((stime + 60)) "${on_client[@]}" openssl s_time "${cli[@]}" \
		>"$dir/stime.out" 2>&1 || { log "openssl s_time failed; see $dir/stime.out"; return 1; }
	t1=$(date +%s%N)
	lib_server_stop "$spid" 0 || true
	spid=""
	exec 7>&-
	# "1234 connections in 1.23s; 1003.25 connections/user sec, bytes read 37020": read by
	# bench-summary tls with the wall time measured here
	grep -q ' connections in .*connections/user sec' "$dir/stime.out" ||
		{ log "no figures in $dir/stime.out"; return 1; }
	echo "stime_ns: $((t1 - t0))" >>"$dir/meta.txt"
}
log "openssl s_time for $stime s"
stime_ref || failed+=("openssl s_time")
{
	echo "load_end: $(lib_loadavg)"
	echo "mbedtls: $(lib_mbedtls_source "$bin")"
	echo "openssl: $(openssl version)"
} >>"$dir/meta.txt"

# --- summary (scripts/ackbench/bench_tls.py; python3 -m ackbench bench-summary tls DIR
# redoes it from DIR) ---
if (lib_analysis bench-summary tls "$dir") >"$dir/summary.txt"; then
	cat "$dir/summary.txt"
else
	failed+=("the summary (bench-summary tls $dir)")
fi
lib_failed "${failed[@]}" || exit 1
