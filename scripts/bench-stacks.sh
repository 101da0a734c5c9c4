#!/usr/bin/env bash
# bench-stacks.sh - the TLS stacks side by side on loopback (a benchmark, not a test: it
# prints figures and ratios, it never fails on them). Per stack (every one built, `make -s
# print-STACKS`), with the same certificates, pins (AES-128-GCM, ECDHE secp256r1, EC-256):
#   - TLS 1.2, TLS 1.3, DTLS 1.2 per message (new connection each, 64 B): total p50/p99
#     minus plain TCP/UDP's in the same round; client and server CPU per connection;
#     handshake bytes on the wire (both ways); heap peak per connection, client/server
#     (a separate --mem run, whose times are not used);
#   - TLS 1.3 with --resume: the resumed handshake p50;
#   - TLS 1.3 --keep: the per-message cost at 64 B, 1 KiB, 16 KiB, 1 MiB minus TCP's;
#   - the stack's crypto floor where one can be measured (Mbed TLS: its benchmark program;
#     OpenSSL: `openssl speed ecdsap256 ecdhp256`; wolfSSL: wolfCrypt's benchmark -ecc):
#     2 ECDHE + 2 signatures + 4
#     verifications of one mutually authenticated handshake, and the TLS 1.3 extra over
#     TCP as a multiple of it.
# With -Q, instead, the post-quantum rows: per stack that has ML-KEM and ML-DSA, TLS 1.3
# full handshakes with X25519 vs X25519MLKEM768 vs SecP256r1MLKEM768 key exchange (EC P-256
# certificates) and with ECDSA P-256 vs ML-DSA-44 vs ML-DSA-65 certificates (secp256r1):
# handshake bytes each way, client and server CPU per handshake, handshake p50, heap peak.
# Client and server are pinned to different CPUs; each round runs every cell once, in an
# order rotated per round, so no stack always runs first; figures are medians over rounds.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

KEEP_SIZES="64,1K,16K,1M"

usage() {
	cat <<USAGE
Usage: $0 [-s STACKS] [-r ROUNDS] [-n COUNT] [-k COUNT] [-c CPU,CPU] [-d DIR]
  -s STACKS   comma list (default: every stack whose programs are built)
  -r ROUNDS   rounds (default: 3)
  -n COUNT    connections per per-message run (default: 200)
  -k COUNT    messages per size in keep-alive runs (default: 200)
  -c C,S      CPUs of the client and of the server (default: 0,1)
  -d DIR      where the raw outputs go (default: results/bench-stacks-<UTC time>)
  -Q          post-quantum rows only (key exchange and certificate types, TLS 1.3)
  -h          this text
Programs: build/native[-<stack>]/bin (make STACK=<stack>). Needs taskset, jq; OpenSSL's crypto
floor uses the openssl command of its build. Exit status: 0 when every run gave a figure, 1 when one failed,
2 usage error.
USAGE
}

stacks=""
rounds=3
count=200
kcount=200
cpus="0,1"
dir=""
cmdline="$0 $*"
case "${1:-}" in --help) usage; exit 0 ;; esac
pq=0
while getopts s:r:n:k:c:d:Qh opt; do
	case "$opt" in
	s) stacks=${OPTARG//,/ } stacks_given=1 ;;
	r) rounds=$OPTARG ;;
	n) count=$OPTARG ;;
	k) kcount=$OPTARG ;;
	c) cpus=$OPTARG ;;
	d) dir=$OPTARG ;;
	Q) pq=1 ;;
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
lib_need_cmds "scripts/deps.sh bench" taskset jq
lib_cpu_range "$cpus"
on_client=(taskset -c "$LIB_CCPU")
on_server=(taskset -c "$LIB_SCPU")

mkvar() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$LIB_ROOT" "$@"
}
declare -A BIN
all=$(mkvar print-STACKS)
[ -n "$stacks" ] || stacks=$all
for s in $stacks; do
	case " $all " in *" $s "*) ;; *) log "-s: '$s': not a stack (known: $all)"; exit 2 ;; esac
	BIN[$s]=$LIB_ROOT/$(mkvar STACK="$s" print-BUILD)/bin
	if [ ! -x "${BIN[$s]}/tls_client" ]; then
		[ -n "${stacks_given:-}" ] && { log "$s: not built (make STACK=$s)"; exit 2; }
		log "$s: not built (make STACK=$s): left out"
		unset "BIN[$s]"
	fi
done
stacks=""
for s in $all; do [ -z "${BIN[$s]:-}" ] || stacks="$stacks $s"; done
stacks=${stacks# }
[ -n "$stacks" ] || die "no stack built (make)"
ref=$LIB_ROOT/build/native/bin # tcp/udp: the same code in every build
lib_need_pairs "$ref" tcp udp || exit 2

dir=$(lib_run_dir "$dir" bench-stacks)
LIB_BIN=${BIN[${stacks%% *}]} lib_record_env "$dir/env.txt" "$cmdline"
for s in $stacks; do
	printf 'stack %s: %s\n' "$s" "$(lib_stack_version "${BIN[$s]}")" >>"$dir/env.txt"
done
load0=$(lib_loadavg)
failed=()
cleanup() { lib_cleanup; }
trap cleanup EXIT
trap 'exit 130' INT TERM

certs="$dir/certs"
"$LIB_ROOT/scripts/gen-certs.sh" -t ec256 -o "$certs" 2>"$dir/gen-certs.log" ||
	die "gen-certs.sh failed; see $dir/gen-certs.log"
srv_creds=(--ca "$certs/ca.crt" --cert "$certs/server.crt" --key "$certs/server.key")
cli_creds=(--ca "$certs/ca.crt" --cert "$certs/client.crt" --key "$certs/client.key")

# --- -Q: the post-quantum rows ---
pq_rows() {
	local t s k r tag g a sa srvh hb
	for t in mldsa44 mldsa65; do
		"$LIB_ROOT/scripts/gen-certs.sh" -t "$t" -o "$dir/certs-$t" 2>>"$dir/gen-certs.log" ||
			die "gen-certs.sh -t $t failed (make STACK=openssl first); see $dir/gen-certs.log"
	done
	kinds="x25519 X25519MLKEM768 SecP256r1MLKEM768 ec256 mldsa44 mldsa65"
	for r in $(seq "$rounds"); do
		log "post-quantum round $r of $rounds (load $(lib_loadavg))"
		for s in $stacks; do
			[ "$s" != mbedtls ] || continue # Mbed TLS 3.6: no ML-KEM, no ML-DSA
			for k in $kinds; do
				tag="pq-$r-$s-$k"
				case "$k" in
				ec256) a=("${cli_creds[@]}") sa=("${srv_creds[@]}") ;;
				mldsa*) g=$dir/certs-$k
					a=(--ca "$g/ca.crt" --cert "$g/client.crt" --key "$g/client.key")
					sa=(--ca "$g/ca.crt" --cert "$g/server.crt" --key "$g/server.key") ;;
				*) a=("${cli_creds[@]}" --groups "$k") sa=("${srv_creds[@]}" --groups "$k") ;;
				esac
				run "$tag" "${BIN[$s]}" tls "${sa[@]}" -- -s 64 -n "$count" -w 10 --tls 1.3 \
					"${a[@]}" || continue
				hb=$(awk -F, 'NR > 1 && $10 == 1 { print $13 " " $14 }' "$dir/$tag.csv" | head -n 1)
				jq -r --arg t "$s $k $r" '"pq \($t) \(.sizes[0].handshake.p50) \(.sizes[0].cpu.p50)"' \
					"$dir/$tag.json" | tr '\n' ' ' >>"$raw"
				printf '%s %s\n' "$(srv_cpu "$tag")" "${hb:-- -}" >>"$raw"
				if [ "$r" = 1 ]; then
					run "mem-$tag" "${BIN[$s]}" tls "${sa[@]}" --mem -- -s 64 -n 20 -w 2 --mem \
						--tls 1.3 "${a[@]}" || continue
					srvh=$(sed -n 's/^heap conn_peak_max=\([0-9]*\) .*/\1/p' "$dir/mem-$tag.server")
					printf 'pqheap %s %s %s %s\n' "$s" "$k" \
						"$(jq -r '.heap.conn_peak_p50' "$dir/mem-$tag.json")" "${srvh:-?}" >>"$raw"
				fi
			done
		done
	done
	load1=$(lib_loadavg)
	pmed() { awk -v a="$1" -v b="$2" -v c="$3" '$1 == "pq" && $2 == a && $3 == b { print $c }' "$raw" | lib_median "-"; }
	{
		echo "Post-quantum TLS 1.3 full handshakes on loopback, mutual authentication, ${count} connections"
		echo "per run, $rounds rounds, client CPU $LIB_CCPU, server CPU $LIB_SCPU (medians over rounds)"
		echo "load average: $load0 at the start, $load1 at the end"
		echo
		printf '%-8s %-18s %8s %8s %8s %8s %9s %9s %9s\n' stack kind "cli_tx_B" "srv_tx_B" \
			"cli_cpu" "srv_cpu" "hs_p50" "heap_cli" "heap_srv"
		for s in $stacks; do
			[ "$s" != mbedtls ] || continue
			for k in $kinds; do
				printf '%-8s %-18s %8s %8s %8s %8s %9s %9s %9s\n' "$s" "$k" "$(pmed "$s" "$k" 8)" \
					"$(pmed "$s" "$k" 9)" "$(pmed "$s" "$k" 6)" "$(pmed "$s" "$k" 7)" \
					"$(pmed "$s" "$k" 5)" \
					"$(awk -v s="$s" -v k="$k" '$1 == "pqheap" && $2 == s && $3 == k { print $4 }' "$raw")" \
					"$(awk -v s="$s" -v k="$k" '$1 == "pqheap" && $2 == s && $3 == k { print $5 }' "$raw")"
			done
		done
		echo
		echo "kinds x25519, X25519MLKEM768, SecP256r1MLKEM768: the key exchange (one key share, EC P-256"
		echo "certificates); ec256, mldsa44, mldsa65: the certificates' keys (CA, server and client;"
		echo "secp256r1). cli_tx_B/srv_tx_B: handshake bytes the client/server sent (TCP payload);"
		echo "cli_cpu/srv_cpu: CPU per connection (us); hs_p50: the client's handshake phase (us);"
		echo "heap: peak per connection (bytes, a separate --mem run of 20 connections)."
		echo "Raw rows: $raw"
	} | tee "$dir/table.txt"
	lib_failed "${failed[@]+"${failed[@]}"}"
	exit $?
}

# --- crypto floors (us per handshake, at a full CPU) ---
declare -A FLOOR
# Mbed TLS's benchmark counts operations per wall-clock second: on a busy host it gets less
# than a CPU, so each figure is scaled by its run's CPU share ((user + sys) / real), as in
# bench-tls.sh. openssl speed divides by CPU time already.
timed() {
	local TIMEFORMAT='%R %U %S'
	{ time "${on_client[@]}" "$@" 2>&1; } 2>>"$dir/mbedtls-benchmark.time"
}
share() {
	awk -v n="$1" 'NR == n && $1 > 0 { s = ($2 + $3) / $1 } END { printf "%.3f", (s > 0 && s < 1 ? s : 1) }' \
		"$dir/mbedtls-benchmark.time"
}
floor_mbedtls() {
	local e s v
	: >"$dir/mbedtls-benchmark.time"
	lib_mbedtls_bench "$dir/mbedtls-benchmark.txt" "$ref" "" timed \
		"ecdh secp256r1" "ecdsa secp256r1"
	e=$(lib_mbedtls_rate "$dir/mbedtls-benchmark.txt" ECDHE-secp256r1 "ephemeral handshake")
	s=$(lib_mbedtls_rate "$dir/mbedtls-benchmark.txt" ECDSA-secp256r1 sign)
	v=$(lib_mbedtls_rate "$dir/mbedtls-benchmark.txt" ECDSA-secp256r1 verify)
	[ -n "$e" ] && [ -n "$s" ] && [ -n "$v" ] &&
		FLOOR[mbedtls]=$(lib_handshake_floor "$e" "$s" "$v" "$(share 1)" "$(share 2)")
	return 0
}
# openssl speed: "256 bits ecdsa (nistp256)  sign/s verify/s" in its last columns, and
# " 256 bits ecdh (nistp256) ... op/s". The openssl command of the build the stack links
# (make STACK=openssl: build/native/openssl/apps/openssl).
floor_openssl() {
	local e s v o=$LIB_ROOT/build/native/openssl/apps/openssl
	[ -x "$o" ] || return 0
	log "crypto floor: $o speed -seconds 2 ecdsap256 ecdhp256"
	"${on_client[@]}" "$o" speed -seconds 2 ecdsap256 ecdhp256 >"$dir/openssl-speed.txt" 2>&1 ||
		return 0
	s=$(awk '/bits ecdsa \(nistp256\)/ { print $(NF - 1) }' "$dir/openssl-speed.txt" | tail -n 1)
	v=$(awk '/bits ecdsa \(nistp256\)/ { print $NF }' "$dir/openssl-speed.txt" | tail -n 1)
	e=$(awk '/bits ecdh +\(nistp256\)/ { print $NF }' "$dir/openssl-speed.txt" | tail -n 1)
	[ -n "$e" ] && [ -n "$s" ] && [ -n "$v" ] && FLOOR[openssl]=$(lib_handshake_floor "$e" "$s" "$v")
	return 0
}
# wolfCrypt's benchmark (make STACK=wolfssl's WOLF_BENCH, the same build): per operation
# "avg X ms", wall-clock, scaled by CPU share like Mbed TLS's. An ECDHE per side is a key
# generation (-ecc-kg) and an agreement. Debian's build caches fixed-point tables (FP_ECC)
# and the benchmark reuses its keys, so its figures favour wolfSSL a little.
wtimed() {
	local TIMEFORMAT='%R %U %S'
	{ time "${on_client[@]}" "$@" 2>&1; } 2>>"$dir/wolfcrypt-benchmark.time"
}
avg_ms() { awk -v a="$2" -v b="$3" 'index($0, a) && index($0, b) { for (i = 1; i < NF; i++) if ($i == "avg") { print $(i + 1); exit } }' "$1"; }
floor_wolfssl() {
	local b kg ag sg vf s1 s2
	b=$LIB_ROOT/$(mkvar STACK=wolfssl print-WOLF_BENCH)
	if [ ! -x "$b" ]; then
		log "building ${b#"$LIB_ROOT"/}"
		mkvar STACK=wolfssl "${b#"$LIB_ROOT"/}" >&2 || return 0
	fi
	log "crypto floor: $b -ecc -p256; -ecc-kg -p256"
	: >"$dir/wolfcrypt-benchmark.time"
	wtimed "$b" -ecc -p256 >"$dir/wolfcrypt-ecc.txt" || return 0
	wtimed "$b" -ecc-kg -p256 >"$dir/wolfcrypt-kg.txt" || return 0
	ag=$(avg_ms "$dir/wolfcrypt-ecc.txt" ECDHE agree)
	sg=$(avg_ms "$dir/wolfcrypt-ecc.txt" ECDSA sign)
	vf=$(avg_ms "$dir/wolfcrypt-ecc.txt" ECDSA verify)
	kg=$(avg_ms "$dir/wolfcrypt-kg.txt" ECC "key gen")
	s1=$(awk 'NR == 1 && $1 > 0 { s = ($2 + $3) / $1 } END { printf "%.3f", (s > 0 && s < 1 ? s : 1) }' "$dir/wolfcrypt-benchmark.time")
	s2=$(awk 'NR == 2 && $1 > 0 { s = ($2 + $3) / $1 } END { printf "%.3f", (s > 0 && s < 1 ? s : 1) }' "$dir/wolfcrypt-benchmark.time")
	[ -n "$ag" ] && [ -n "$sg" ] && [ -n "$vf" ] && [ -n "$kg" ] || return 0
	FLOOR[wolfssl]=$(awk -v k="$kg" -v a="$ag" -v g="$sg" -v v="$vf" -v s1="$s1" -v s2="$s2" \
		'BEGIN { printf "%.1f", 1000 * (2 * (k * s2 + a * s1) + (2 * g + 4 * v) * s1) }')
}
if [ "$pq" = 0 ]; then
	case " $stacks " in *" mbedtls "*) floor_mbedtls ;; esac
	case " $stacks " in *" wolfssl "*) floor_wolfssl ;; esac
	case " $stacks " in *" openssl "*) floor_openssl ;; esac
fi

# --- runs ---
raw="$dir/rows.txt"
: >"$raw"

# run TAG BINDIR PROTO SERVER-ARGS -- CLIENT-ARGS...: one pinned server and client; the
# client's JSON and CSV as TAG.json/.csv, the server's CSV as TAG.server.csv.
run() {
	local tag=$1 b=$2 p=$3 sa=()
	shift 3
	while [ "$1" != -- ]; do sa+=("$1") && shift; done
	shift
	lib_server_start "$dir/$tag.server" "${on_server[@]}" "$b/${p}_server" -b 127.0.0.1 -p 0 \
		-q -o "$dir/$tag.server.csv" "${sa[@]}" || { failed+=("$tag") && return 1; }
	lib_client_run "$dir/$tag" 3600 "${on_client[@]}" "$b/${p}_client" -a 127.0.0.1 \
		-p "$LIB_SERVER_PORT" -q "$@" --json "$dir/$tag.json" -o "$dir/$tag.csv" ||
		{ failed+=("$tag") && return 1; }
}

# srv_cpu TAG: median server CPU per connection (its CSV's conn rows), us.
srv_cpu() { awk -F, '$1 == "conn" && $10 == 0 { print $9 }' "$dir/$1.server.csv" | lib_median ""; }
# hs_bytes TAG: median handshake bytes tx + rx of the acked rows.
hs_bytes() { awk -F, 'NR > 1 && $10 == 1 { print $13 + $14 }' "$dir/$1.csv" | lib_median ""; }

[ "$pq" = 0 ] || pq_rows

# pm ROUND STACK KIND: one per-message cell; KIND tcp udp tls12 tls13 dtls resume.
pm() {
	local r=$1 s=$2 k=$3 tag="$1-$2-$3" b=${BIN[$2]:-} p a=() sa=()
	case "$k" in
	tcp | udp) p=$k b=$ref ;;
	tls12) p=tls a=("${cli_creds[@]}" --tls 1.2) sa=("${srv_creds[@]}") ;;
	tls13) p=tls a=("${cli_creds[@]}" --tls 1.3) sa=("${srv_creds[@]}") ;;
	resume) p=tls a=("${cli_creds[@]}" --tls 1.3 --resume) sa=("${srv_creds[@]}") ;;
	dtls) p=dtls a=("${cli_creds[@]}") sa=("${srv_creds[@]}") ;;
	esac
	run "$tag" "$b" "$p" "${sa[@]}" -- -s 64 -n "$count" -w 10 "${a[@]}" || return 0
	jq -r --arg t "$s $k $r" '"pm \($t) \(.sizes[0].total.p50) \(.sizes[0].total.p99) \(.sizes[0].handshake.p50) \(.sizes[0].cpu.p50)"' \
		"$dir/$tag.json" | tr '\n' ' ' >>"$raw"
	printf '%s %s\n' "$(srv_cpu "$tag")" "$(hs_bytes "$tag")" >>"$raw"
}

# keep ROUND STACK: TLS 1.3 (or TCP for STACK "tcp") on one connection, per size.
keep() {
	local r=$1 s=$2 tag="$1-$2-keep" b p=tls a=("${cli_creds[@]}" --tls 1.3) sa=("${srv_creds[@]}")
	if [ "$s" = tcp ]; then
		b=$ref p=tcp a=() sa=()
	else
		b=${BIN[$s]}
	fi
	run "$tag" "$b" "$p" "${sa[@]}" -- --keep -s "$KEEP_SIZES" -n "$kcount" -w 10 "${a[@]}" ||
		return 0
	jq -r --arg s "$s" --arg r "$r" '.sizes[] | "keep \($s) \($r) \(.size) \(.total.p50)"' \
		"$dir/$tag.json" >>"$raw"
}

# heap STACK KIND: one --mem run (client and server), not timed.
heap() {
	local s=$1 k=$2 tag="mem-$1-$2" p=tls a=("${cli_creds[@]}") srvh
	case "$k" in tls12) a+=(--tls 1.2) ;; tls13) a+=(--tls 1.3) ;; dtls) p=dtls ;; esac
	run "$tag" "${BIN[$s]}" "$p" "${srv_creds[@]}" --mem -- -s 64 -n 20 -w 2 --mem "${a[@]}" ||
		return 0
	srvh=$(sed -n 's/^heap conn_peak_max=\([0-9]*\) .*/\1/p' "$dir/$tag.server")
	printf 'heap %s %s %s %s\n' "$s" "$k" "$(jq -r '.heap.conn_peak_p50' "$dir/$tag.json")" \
		"${srvh:-?}" >>"$raw"
}

cells=(tcp udp)
for s in $stacks; do cells+=("$s:tls12" "$s:tls13" "$s:dtls" "$s:resume" "$s:keep"); done
cells+=(tcp:keep)
n=${#cells[@]}
for r in $(seq "$rounds"); do
	log "round $r of $rounds (load $(lib_loadavg))"
	for i in $(seq 0 $((n - 1))); do
		c=${cells[$(((i + (r - 1) * 3) % n))]}
		case "$c" in
		tcp | udp) pm "$r" "-" "$c" ;;
		*:keep) keep "$r" "${c%%:*}" ;;
		*) pm "$r" "${c%%:*}" "${c#*:}" ;;
		esac
	done
done
for s in $stacks; do
	for k in tls12 tls13 dtls; do heap "$s" "$k"; done
done
load1=$(lib_loadavg)

# --- the table ---
med() { awk -v a="$1" -v b="$2" -v c="$3" '$1 == "pm" && $2 == a && $3 == b { print $c }' "$raw" | lib_median "-"; }
# delta STACK KIND REFKIND COLUMN: median over rounds of (cell - reference of that round).
delta() {
	awk -v s="$1" -v k="$2" -v rk="$3" -v c="$4" '
		$1 == "pm" && $2 == "-" && $3 == rk { ref[$4] = $c }
		$1 == "pm" && $2 == s && $3 == k { v[$4] = $c }
		END { for (r in v) if (r in ref) print v[r] - ref[r] }' "$raw" | lib_median "-"
}
kdelta() {
	awk -v s="$1" -v z="$2" '
		$1 == "keep" && $2 == "tcp" && $4 == z { ref[$3] = $5 }
		$1 == "keep" && $2 == s && $4 == z { v[$3] = $5 }
		END { for (r in v) if (r in ref) print v[r] - ref[r] }' "$raw" | lib_median "-"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "" || b == "-") print "-"; else printf "%.2f", a / b }'; }

{
	echo "TLS stacks on loopback, ${count} connections per per-message run, ${kcount} messages per size"
	echo "kept alive, $rounds rounds, client CPU $LIB_CCPU, server CPU $LIB_SCPU (us; medians over rounds)"
	echo "load average: $load0 at the start, $load1 at the end"
	echo
	printf 'reference: tcp per message total p50 %s p99 %s; udp p50 %s p99 %s\n' \
		"$(med - tcp 5)" "$(med - tcp 6)" "$(med - udp 5)" "$(med - udp 6)"
	echo
	printf '%-8s %-6s %9s %9s %8s %8s %7s %9s %9s\n' stack kind "p50-ref" "p99-ref" \
		"cli_cpu" "srv_cpu" "hs_B" "heap_cli" "heap_srv"
	for s in $stacks; do
		for k in tls12 tls13 dtls; do
			rk=tcp
			[ "$k" = dtls ] && rk=udp
			printf '%-8s %-6s %9s %9s %8s %8s %7s %9s %9s\n' "$s" "$k" "$(delta "$s" "$k" "$rk" 5)" \
				"$(delta "$s" "$k" "$rk" 6)" "$(med "$s" "$k" 8)" "$(med "$s" "$k" 9)" \
				"$(med "$s" "$k" 10)" \
				"$(awk -v s="$s" -v k="$k" '$1 == "heap" && $2 == s && $3 == k { print $4 }' "$raw")" \
				"$(awk -v s="$s" -v k="$k" '$1 == "heap" && $2 == s && $3 == k { print $5 }' "$raw")"
		done
	done
	echo
	printf '%-8s %12s %12s %10s %12s %10s %s\n' stack "resumed_hs" "full_hs" "floor" "tls13/floor" \
		"cpu/floor" "keep 64B/1K/16K/1M minus tcp"
	for s in $stacks; do
		t13=$(delta "$s" tls13 tcp 5)
		cpu=$(awk -v a="$(med "$s" tls13 8)" -v b="$(med "$s" tls13 9)" 'BEGIN { if (a == "-" || b == "-") print "-"; else print a + b }')
		printf '%-8s %12s %12s %10s %12s %10s %s/%s/%s/%s\n' "$s" "$(med "$s" resume 7)" \
			"$(med "$s" tls13 7)" "${FLOOR[$s]:--}" "$(ratio "$t13" "${FLOOR[$s]:-}")" \
			"$(ratio "$cpu" "${FLOOR[$s]:-}")" \
			"$(kdelta "$s" 64)" "$(kdelta "$s" 1024)" "$(kdelta "$s" 16384)" "$(kdelta "$s" 1048576)"
	done
	echo
	echo "p50-ref/p99-ref: total per message minus plain TCP (tls) or UDP (dtls) of the same round;"
	echo "cli_cpu/srv_cpu: CPU per connection; hs_B: handshake bytes, both ways; heap: peak per"
	echo "connection (bytes, --mem run); floor: 2 ECDHE + 2 ECDSA signs + 4 verifies from the"
	echo "stack's own crypto benchmark ('-': none measured); tls13/floor: TLS 1.3 extra over TCP"
	echo "as a multiple of it; cpu/floor: TLS 1.3 client + server CPU per connection over it (on a"
	echo "loaded host the time ratio includes waiting for a CPU, the CPU ratio does not)."
	echo "Raw rows: $raw"
} | tee "$dir/table.txt"
lib_failed "${failed[@]+"${failed[@]}"}"
