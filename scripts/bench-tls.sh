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
Target: (tls - tcp) / floor <= $TARGET. Needs openssl, taskset, jq.
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
lib_need_cmds "scripts/deps.sh bench" openssl taskset jq
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
load0=$(lib_loadavg)
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

# --- 1. crypto floor ---
# Each benchmark invocation: algorithms, then (for EC) the one curve to time.
case "$type" in
ec256) sig=ECDSA-secp256r1 sign_unit=sign verify_unit=verify sig_run="ecdsa secp256r1" ;;
ec384) sig=ECDSA-secp384r1 sign_unit=sign verify_unit=verify sig_run="ecdsa secp384r1" ;;
rsa2048) sig=RSA-2048 sign_unit=private verify_unit=public sig_run="rsa" ;;
rsa3072) sig=RSA-3072 sign_unit=private verify_unit=public sig_run="rsa" ;;
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
# share N: CPU share of the Nth invocation (1 when unknown).
share() {
	awk -v n="$1" 'NR == n && $1 > 0 { s = ($2 + $3) / $1 } END { printf "%.3f", (s > 0 && s < 1 ? s : 1) }' \
		"$dir/benchmark.time"
}
sh_ecdh=$(share 1)
sh_sig=$(share 2)
sh_gcm=$(share 3)
rate() { lib_mbedtls_rate "$dir/benchmark.txt" "$@"; }
r_ecdhe=$(rate ECDHE-secp256r1 "ephemeral handshake")
r_sign=$(rate "$sig" "$sign_unit")
r_verify=$(rate "$sig" "$verify_unit")
r_gcm=$(rate AES-GCM-128 KiB) # record protection, for the keep-alive floor (may be absent)
for r in "ECDHE-secp256r1:$r_ecdhe" "$sig $sign_unit:$r_sign" "$sig $verify_unit:$r_verify"; do
	[ -n "${r#*:}" ] || die "no '${r%%:*}' figure in $dir/benchmark.txt"
done
# floor_raw: from the figures as printed; floor: at a full CPU (the one used below).
floor_raw=$(lib_handshake_floor "$r_ecdhe" "$r_sign" "$r_verify")
floor=$(lib_handshake_floor "$r_ecdhe" "$r_sign" "$r_verify" "$sh_ecdh" "$sh_sig")
# KiB/s of AES-128-GCM at a full CPU, or empty.
[ -z "$r_gcm" ] || r_gcm=$(awk -v g="$r_gcm" -v s="$sh_gcm" 'BEGIN { printf "%.0f", g / s }')

# --- runs ---
FIG=""

# run PROTO TAG CLIENT-ARGS...: one server (pinned, server CSV) and one client (pinned,
# --json); FIG = the JSON file. The server ends after the client's END.
run() {
	local p=$1 tag=$2 extra=()
	shift 2
	[ "$p" = tls ] && extra=("${tls_srv[@]}")
	lib_server_start "$dir/$tag.server" "${on_server[@]}" "$bin/${p}_server" -b 127.0.0.1 \
		-p 0 -q -o "$dir/$tag.server.csv" "${extra[@]}" || return 1
	[ "$p" = tls ] && extra=("${tls_cli[@]}") || extra=()
	lib_client_run "$dir/$tag" 3600 "${on_client[@]}" "$bin/${p}_client" -a 127.0.0.1 \
		-p "$LIB_SERVER_PORT" "${extra[@]}" "$@" --json "$dir/$tag.json" -o "$dir/$tag.csv" ||
		return 1
	FIG="$dir/$tag.json"
}

# srv_cpu TAG: median CPU time per connection of a server (its CSV's conn rows), in us.
srv_cpu() { awk -F, '$1 == "conn" && $10 == 0 { print $9 }' "$dir/$1.server.csv" | lib_median ""; }

raw="$dir/rounds.txt"
: >"$raw"
# per_message ROUND PROTO TAG ARGS...: a raw line "pm TAG ROUND total hs cpu srvcpu resumed".
per_message() {
	local r=$1 p=$2 tag=$3 j
	shift 3
	if ! run "$p" "$tag-r$r" -s 64 -n "$count" -w 10 "$@"; then
		failed+=("$tag round $r")
		return 0
	fi
	j=$FIG
	printf 'pm %s %s %s %s %s %s %s\n' "$tag" "$r" \
		"$(lib_p50 "$j" total)" "$(lib_p50 "$j" handshake)" "$(lib_p50 "$j" cpu)" "$(srv_cpu "$tag-r$r")" \
		"$(awk -F, 'NR > 1 && $10 == 1 { n++; s += $16 } END { printf "%d/%d", s, n }' "$dir/$tag-r$r.csv")" \
		>>"$raw"
}

per_proto() { per_message "$1" "$2" "$2"; }

# keep_alive ROUND PROTO: raw lines "keep PROTO ROUND SIZE total".
keep_alive() {
	local r=$1 p=$2
	if ! run "$p" "keep-$p-r$r" -s "$KEEP_SIZES" -n "$kcount" -w 100 --keep; then
		failed+=("$p keep-alive round $r")
		return 0
	fi
	lib_keep_rows "$FIG" "$p" "$r" >>"$raw"
}

for r in $(seq 1 "$rounds"); do
	log "round $r/$rounds: per message (64 B, $count connections): tcp, tls, tls --resume"
	lib_in_turn "$r" per_proto tcp tls
	per_message "$r" tls tls-resume --resume
	log "round $r/$rounds: keep-alive ($KEEP_SIZES, $kcount messages each): tcp, tls"
	lib_in_turn "$r" keep_alive tcp tls
done
negotiated=$(jq -r '.negotiated' "$dir/tls-r1.json" 2>/dev/null || echo unknown)

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
	# "1234 connections in 1.23s; 1003.25 connections/user sec, bytes read 37020"
	FIG=$(awk -v ns=$((t1 - t0)) '/ connections in .*connections\/user sec/ {
		for (i = 1; i < NF; i++) if ($(i + 1) ~ /^connections\/user/) u = $i
		printf "%.1f %.1f %d", ns / 1e3 / $1, 1e6 / u, $1; exit }' "$dir/stime.out")
	[ -n "$FIG" ] || { log "no figures in $dir/stime.out"; return 1; }
}
stime_fig=""
log "openssl s_time for $stime s"
if stime_ref; then stime_fig=$FIG; else failed+=("openssl s_time"); fi
load1=$(lib_loadavg)

# --- summary ---
summary() {
	awk -v floor="$floor" -v target="$TARGET" -v stime="$stime_fig" -v gcm="$r_gcm" "$(lib_awk_stats)"'
	# m(KEY, FIELD): median over the rounds of field FIELD of the "pm" lines of KEY.
	function m(k, f,   i, a) {
		for (i = 1; i <= pn[k]; i++) a[i] = pm[k, i, f]
		return pn[k] ? med(a, pn[k]) : 0
	}
	$1 == "pm" { i = ++pn[$2]; for (f = 4; f <= 7; f++) pm[$2, i, f] = $f; res[$2] = $8; rd[$2, $3] = i }
	$1 == "keep" {
		k = $4; if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
		i = ++kn[$2, k]; kv[$2, k, i] = $5
	}
	END {
		# per-round ratio (tls - tcp) / floor, over rounds where both ran
		n = 0
		for (r = 1; r <= 100; r++)
			if ((("tls", r) in rd) && (("tcp", r) in rd)) {
				q[++n] = (pm["tls", rd["tls", r], 4] - pm["tcp", rd["tcp", r], 4]) / floor
			}
		printf "per message, 64 B, a new connection each (p50 us, median of the rounds):\n"
		printf "  %-38s %10.1f\n", "tcp total", m("tcp", 4)
		printf "  %-38s %10.1f   (handshake phase %.1f)\n", "tls total", m("tls", 4), m("tls", 5)
		printf "  %-38s %10.1f\n", "tls - tcp", m("tls", 4) - m("tcp", 4)
		if (n)
			printf "  %-38s %10.2f   min..max %s; target <= %s: %s\n", "(tls - tcp) / floor",
			       med(q, n), spread(q, n), target, verdict(med(q, n), target)
		printf "  %-38s %10.1f   tcp %.1f, difference %.1f\n", "client CPU per connection, tls",
		       m("tls", 6), m("tcp", 6), m("tls", 6) - m("tcp", 6)
		printf "  %-38s %10.1f   tcp %.1f, difference %.1f\n", "server CPU per connection, tls",
		       m("tls", 7), m("tcp", 7), m("tls", 7) - m("tcp", 7)
		c = m("tls", 6) + m("tls", 7) - m("tcp", 6) - m("tcp", 7)
		printf "  %-38s %10.2f   (client + server CPU, tls - tcp: %.1f)\n",
		       "CPU / floor", c / floor, c
		printf "  %-38s %10.1f   (total %.1f; resumed %s timed rows, last round)\n",
		       "tls --resume handshake", m("tls-resume", 5), m("tls-resume", 4), res["tls-resume"]
		printf "  %-38s %10.1f   server %.1f\n", "tls --resume client CPU per connection",
		       m("tls-resume", 6), m("tls-resume", 7)
		if (stime != "") {
			split(stime, s, " ")
			printf "openssl s_time -new (OpenSSL client and server, same certificates; %d connections):\n", s[3]
			printf "  %-38s %10.1f\n", "wall time per connection", s[1]
			printf "  %-38s %10.1f\n", "client user CPU per connection", s[2]
		}
		printf "keep-alive, one connection (total p50 us per message, median of the rounds):\n"
		if (gcm != "")
			printf "  (gcm floor: AES-128-GCM at %.0f MB/s: the request encrypted, its last record\n" \
			       "   decrypted (the rest overlaps on the two CPUs), the reply both ways)\n", gcm * 1.024 / 1000
		printf "  %8s %10s %10s %10s %8s %10s %9s\n", "size", "tcp", "tls", "tls-tcp", "tls/tcp",
		       "gcm floor", "diff/flr"
		for (x = 1; x <= nk; x++) {
			k = order[x]
			for (i = 1; i <= kn["tcp", k]; i++) a1[i] = kv["tcp", k, i]
			for (i = 1; i <= kn["tls", k]; i++) a2[i] = kv["tls", k, i]
			t1 = med(a1, kn["tcp", k]); t2 = med(a2, kn["tls", k])
			g = gcm != "" ? (k + (k < 16384 ? k : 16384) + 48) / (gcm * 1024) * 1e6 : 0
			printf "  %8s %10.1f %10.1f %10.1f %8.2f %10.1f %9.2f\n", k, t1, t2, t2 - t1,
			       (t1 > 0 ? t2 / t1 : 0), g, (g > 0 ? (t2 - t1) / g : 0)
		}
	}' "$raw"
}

{
	echo "# bench-tls: TLS $version, $type keys, ECDHE $groups, AES-128-GCM; $rounds rounds;"
	echo "#   client on CPU $ccpu, server on CPU $scpu; load average $load0 -> $load1"
	echo "# negotiated: $negotiated"
	echo "# mbedtls: $(lib_mbedtls_source "$bin"); $(openssl version)"
	printf 'crypto floor (programs/test/benchmark, same Mbed TLS build), us per operation:\n'
	awk -v e="$r_ecdhe" -v s="$r_sign" -v v="$r_verify" -v sig="$sig" -v f="$floor" \
		-v fr="$floor_raw" -v a="$sh_ecdh" -v b="$sh_sig" 'BEGIN {
		printf "  ECDHE-secp256r1 %.1f, %s sign %.1f, verify %.1f\n", 1e6 * a / e, sig,
		       1e6 * b / s, 1e6 * b / v
		printf "  mutual auth: 2 ECDHE + 2 sign + 4 verify = %.1f\n", f
		if (a < 0.95 || b < 0.95)
			printf "  (busy host: the benchmark had %.0f%% and %.0f%% of a CPU, %.1f as it counted;\n" \
			       "   figures above are at a full CPU)\n", 100 * a, 100 * b, fr }'
	summary
	echo "# raw: $raw and $dir/*.json, *.csv"
} | tee "$dir/summary.txt"
lib_failed "${failed[@]}" || exit 1
