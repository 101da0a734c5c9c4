#!/bin/bash
# bench-load.sh - what one server serves under load: handshakes per second, latency p50/p99
# and the server's CPU per handshake, for N = 1, 2, 4, 8, 16 clients in parallel
# (tls_client/dtls_client --parallel N, a new connection per 64-byte message) against one
# server with --max-conns 16, for TLS 1.2, TLS 1.3 and DTLS 1.2.
# References in the same run, on the same certificates, suite (AES-128-GCM) and group (P-256):
#   - N openssl s_time processes (-new: a full handshake per connection, nothing sent)
#     against the same tls_server: an independent load generator;
#   - one openssl s_time against openssl s_server (iterative, one connection at a time):
#     the other stack's one-client rate.
# Client side and server pinned to different CPUs, so every figure is per server core.
# Server CPU per handshake: its CSV's per-connection CPU (the worker thread's, median), and
# the whole process's CPU (/proc, all threads, locks included) over its connections.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: $0 [-B BINDIR] [-N LIST] [-n COUNT] [-T SECS] [-c C,S] [-d DIR] [-h]
  -B BINDIR  programs (default: build/native/bin)
  -N LIST    clients in parallel, comma list (default: 1,2,4,8,16); the server has
             --max-conns of the largest
  -n COUNT   connections (handshakes) per run (default: 400)
  -T SECS    openssl s_time duration per run (default: 3)
  -c C,S     CPUs of the clients and of the server (default: 0,1)
  -d DIR     where the raw outputs go (default: results/bench-load-<UTC time>)
  -h         this text
Needs openssl, taskset, Python 3 (the table). Exit status: 0 when every run gave its
figures, 1 when one failed, 2 usage error.
USAGE
}

bin="$LIB_ROOT/build/native/bin"
list="1,2,4,8,16"
count=400
stime=3
cpus="0,1"
dir=""
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts B:N:n:T:c:d:h opt; do
	case "$opt" in
	B) bin=$(lib_abs "$OPTARG") ;;
	N) list=$OPTARG ;;
	n) count=$OPTARG ;;
	T) stime=$OPTARG ;;
	c) cpus=$OPTARG ;;
	d) dir=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { usage >&2; exit 2; }
lib_is_count "$count" || die "-n: '$count' is not a positive number"
lib_is_count "$stime" || die "-T: '$stime' is not a positive number"
ns=()
IFS=, read -r -a ns <<<"$list"
maxn=0
for n in "${ns[@]}"; do
	lib_is_count "$n" || die "-N: '$list' is not a comma list of positive numbers"
	[ "$n" -le 256 ] || die "-N: $n is above 256 (--parallel's limit)"
	[ "$n" -le "$maxn" ] || maxn=$n
done
lib_cpu_pair "$cpus" || die "-c: '$cpus' is not two different CPU numbers"
lib_cpu_range "$cpus"
lib_need_cmds "scripts/deps.sh bench" openssl taskset
lib_need_pairs "$bin" tls dtls || exit 1
on_client=(taskset -c "$LIB_CCPU")
on_server=(taskset -c "$LIB_SCPU")
dir=$(lib_run_dir "$dir" bench-load)
certs="$dir/certs"
"$LIB_ROOT/scripts/gen-certs.sh" -t ec256 -o "$certs" >"$dir/gen-certs.log" 2>&1 ||
	die "gen-certs.sh failed; see $dir/gen-certs.log"
creds=(--ca "$certs/ca.crt" --cert "$certs/server.crt" --key "$certs/server.key")
ccreds=(--ca "$certs/ca.crt" --cert "$certs/client.crt" --key "$certs/client.key")
trap lib_cleanup EXIT
lib_record_env "$dir/env.txt" "$0" "$@"
failed=()
# meta.txt and runs.txt: what bench-summary load (scripts/ackbench/bench_load.py) reads
{
	echo "count: $count"
	echo "client_cpu: $LIB_CCPU"
	echo "server_cpu: $LIB_SCPU"
	echo "clk_tck: $(getconf CLK_TCK)"
	echo "load_start: $(lib_loadavg)"
} >"$dir/meta.txt"
raw="$dir/runs.txt"
: >"$raw"

# proc_cpu PID: user + system CPU of PID (all its threads) in clock ticks (stat(5) fields
# 14 and 15, counted after the command name's closing parenthesis).
proc_cpu() {
	local s f
	s=$(<"/proc/$1/stat")
	read -r -a f <<<"${s##*) }"
	echo $((f[11] + f[12]))
}

# server PROTO TAG ARGS...: a --forever server pinned to the server CPU (LIB_SERVER_PID,
# LIB_SERVER_PORT); its CSV goes to TAG.server.csv.
server() {
	local p=$1 tag=$2
	shift 2
	lib_server_start "$dir/$tag.server.log" "${on_server[@]}" "$bin/${p}_server" -p 0 \
		-b 127.0.0.1 --forever --max-conns "$maxn" --idle-timeout 120 "${creds[@]}" \
		-o "$dir/$tag.server.csv" "$@"
}

# ours PROTO LABEL N ARGS...: one client run with --parallel N; a line in runs.txt
# "ours LABEL N TAG 0 0 CPU0 CPU1".
ours() {
	local p=$1 label=$2 n=$3 tag c0 c1
	shift 3
	tag="$label-n$n"
	server "$p" "$tag" "$@" || { failed+=("$tag server"); return 0; }
	c0=$(proc_cpu "$LIB_SERVER_PID")
	if ! timeout -k 5 300 "${on_client[@]}" "$bin/${p}_client" -p "$LIB_SERVER_PORT" -s 64 \
		-n "$count" -w 10 --parallel "$n" "${ccreds[@]}" "$@" -q --json "$dir/$tag.json" \
		>"$dir/$tag.out" 2>&1; then
		log "$tag: client failed; see $dir/$tag.out"
		failed+=("$tag")
	fi
	c1=$(proc_cpu "$LIB_SERVER_PID")
	lib_server_stop "$LIB_SERVER_PID" 0 || true
	[ -s "$dir/$tag.json" ] || return 0
	echo "ours $label $n $tag 0 0 $c0 $c1" >>"$raw"
}

# stime_args VERSION: openssl s_time arguments for TLS VERSION (1.2, 1.3) into SV.
stime_args() {
	if [ "$1" = 1.3 ]; then
		SV=(-tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256)
	else
		SV=(-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256)
	fi
}

# stime_load VERSION LABEL N: N openssl s_time processes at once against tls_server (their
# outputs TAG.I.out); a line "stime LABEL N TAG T0 T1 CPU0 CPU1".
stime_load() {
	local v=$1 label=$2 n=$3 tag i pids=() t0 t1 c0 c1
	tag="$label-stime-n$n"
	stime_args "$v"
	server tls "$tag" --tls "$v" || { failed+=("$tag server"); return 0; }
	c0=$(proc_cpu "$LIB_SERVER_PID")
	t0=$(date +%s%N)
	for i in $(seq "$n"); do
		timeout -k 5 $((stime + 60)) "${on_client[@]}" openssl s_time \
			-connect "127.0.0.1:$LIB_SERVER_PORT" -new -time "$stime" -cert "$certs/client.crt" \
			-key "$certs/client.key" -CAfile "$certs/ca.crt" -verify 2 "${SV[@]}" \
			>"$dir/$tag.$i.out" 2>&1 &
		pids+=("$!")
	done
	for i in "${pids[@]}"; do
		wait "$i" || failed+=("$tag s_time")
	done
	t1=$(date +%s%N)
	c1=$(proc_cpu "$LIB_SERVER_PID")
	lib_server_stop "$LIB_SERVER_PID" 0 || true
	echo "stime $label $n $tag $t0 $t1 $c0 $c1" >>"$raw"
}

# stime_ref VERSION LABEL: one openssl s_time against openssl s_server (one connection at a
# time), its output LABEL-s_server.out; a line "sserver LABEL 1 LABEL-s_server T0 T1 0 0".
stime_ref() {
	local v=$1 label=$2 port="" i spid t0 t1
	stime_args "$v"
	rm -f "$dir/stime.fifo"
	mkfifo "$dir/stime.fifo"
	exec 7<>"$dir/stime.fifo" # s_server ends at EOF on its stdin
	"${on_server[@]}" openssl s_server -accept 127.0.0.1:0 -cert "$certs/server.crt" \
		-key "$certs/server.key" -CAfile "$certs/ca.crt" -Verify 1 -verify_return_error \
		-groups P-256 "${SV[@]}" <"$dir/stime.fifo" >"$dir/$label-s_server.log" 2>&1 &
	spid=$!
	LIB_PIDS="$LIB_PIDS $spid"
	for i in $(seq 200); do
		port=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$dir/$label-s_server.log")
		[ -z "$port" ] || break
		lib_alive "$spid" || break
		sleep 0.05
	done
	: "$i"
	if [ -z "$port" ]; then
		failed+=("$label openssl s_server")
		return 0
	fi
	t0=$(date +%s%N)
	timeout -k 5 $((stime + 60)) "${on_client[@]}" openssl s_time -connect "127.0.0.1:$port" \
		-new -time "$stime" -cert "$certs/client.crt" -key "$certs/client.key" \
		-CAfile "$certs/ca.crt" -verify 2 "${SV[@]}" >"$dir/$label-s_server.out" 2>&1 ||
		failed+=("$label s_time vs s_server")
	t1=$(date +%s%N)
	lib_server_stop "$spid" 0 || true
	exec 7>&-
	# s_time's own rates are per user-CPU second or whole seconds: the wall clock here
	echo "sserver $label 1 $label-s_server $t0 $t1 0 0" >>"$raw"
}

for n in "${ns[@]}"; do
	log "N=$n: tls 1.2, tls 1.3, dtls (ours), s_time x $n (tls 1.2, 1.3)"
	ours tls tls1.2 "$n" --tls 1.2
	ours tls tls1.3 "$n" --tls 1.3
	ours dtls dtls "$n"
	stime_load 1.2 tls1.2 "$n"
	stime_load 1.3 tls1.3 "$n"
done
stime_ref 1.2 tls1.2
stime_ref 1.3 tls1.3
echo "load_end: $(lib_loadavg)" >>"$dir/meta.txt"

# the table (python3 -m ackbench bench-summary load DIR redoes it from DIR)
if (lib_analysis bench-summary load "$dir") >"$dir/summary.txt"; then
	cat "$dir/summary.txt"
else
	failed+=("the table (bench-summary load $dir)")
fi
log "raw outputs in $dir"
lib_failed "${failed[@]}"
