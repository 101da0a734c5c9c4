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
# With -A, instead, the authentication rows: per stack, TLS 1.2, TLS 1.3 and DTLS 1.2 with
# certificates (full, resumed with --resume, and TLS 1.3 0-RTT: resumed with --early-data)
# vs an external PSK (--psk-mode psk) vs PSK+ECDHE (psk-dhe): handshake bytes each way, client and server CPU per connection,
# handshake p50, heap peak. (Resumption is a certificate row here; resumed PSK sessions: docs/tls-dtls.md.)
# -Q and -A runs also write each side's handshake timeline (TAG.tl.csv, TAG.server.tl.csv:
# docs/timeline.md), from which the tables count round trips and flights. With -L, the -Q or
# -A cells then run over each link profile given (scripts/link.sh: the client and the server
# in the link's namespaces, as bench-links.sh runs them), -N handshakes per cell, once.
# Client and server are pinned to different CPUs; each round runs every cell once, in an
# order rotated per round, so no stack always runs first; figures are medians over rounds.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

KEEP_SIZES="64,1K,16K,1M"
LINK_COUNT=10   # handshakes per cell over a link: nbiot's are seconds each
LINK_HS_SECS=20 # the longest a handshake and its message may take over a link (the bound)
LINK="$LIB_ROOT/scripts/link.sh"

usage() {
	cat <<USAGE
Usage: $0 [-s STACKS] [-r ROUNDS] [-n COUNT] [-k COUNT] [-c CPU,CPU] [-d DIR]
       [-Q|-A [-L PROFILES [-N COUNT]]]
  -s STACKS   comma list (default: every stack whose programs are built)
  -r ROUNDS   rounds (default: 3)
  -n COUNT    connections per per-message run (default: 200)
  -k COUNT    messages per size in keep-alive runs (default: 200)
  -c C,S      CPUs of the client and of the server (default: 0,1)
  -d DIR      where the raw outputs go (default: results/bench-stacks-<UTC time>)
  -Q          post-quantum rows only (key exchange and certificate types, TLS 1.3)
  -A          authentication rows only: certificate (full, resumed, TLS 1.3 0-RTT) vs PSK
              vs PSK+ECDHE, TLS 1.2, TLS 1.3, DTLS 1.2 (a fresh random key in DIR/psk.key)
  -L PROFILES with -Q or -A: then every cell once more over each of these link profiles (or
              specs written with :, comma list; scripts/link.sh: nbiot, lossy...; needs root)
  -N COUNT    handshakes per cell over a link (default: $LINK_COUNT; one warm-up more); each
              cell's client is stopped after (COUNT + 1) x $LINK_HS_SECS s + 60 s; the run prints the
              bound of all cells before, and the time taken after
  -h          this text
Programs: build/native[-<stack>]/bin (make STACK=<stack>). Needs taskset, and Python 3 for
the tables (scripts/deps.sh analysis); OpenSSL's crypto floor uses the openssl command of its
build. The tables: DIR/table.txt, from DIR's files (python3 -m ackbench bench-summary stacks
DIR redoes them). Exit status: 0 when every run gave a figure, 1 when one failed, 2 usage error.
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
auth=0
profiles=""
lcount=""
while getopts s:r:n:k:c:d:QAL:N:h opt; do
	case "$opt" in
	s) stacks=${OPTARG//,/ } stacks_given=1 ;;
	r) rounds=$OPTARG ;;
	n) count=$OPTARG ;;
	k) kcount=$OPTARG ;;
	c) cpus=$OPTARG ;;
	d) dir=$OPTARG ;;
	Q) pq=1 ;;
	A) auth=1 ;;
	L) profiles=${OPTARG//,/ } ;;
	N) lcount=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { log "unexpected argument '$1' (see --help)"; exit 2; }
[ "$pq$auth" != 11 ] || { log "-Q and -A: one set of rows per run (see --help)"; exit 2; }
for v in "r:$rounds" "n:$count" "k:$kcount" "N:${lcount:-$LINK_COUNT}"; do
	lib_is_count "${v#*:}" || { log "-${v%%:*}: '${v#*:}' is not a positive number"; exit 2; }
done
[ -z "$lcount" ] || [ -n "$profiles" ] || { log "-N: only with -L (see --help)"; exit 2; }
lcount=${lcount:-$LINK_COUNT}
if [ -n "$profiles" ]; then
	[ "$pq$auth" != 00 ] || { log "-L: only with -Q or -A (see --help)"; exit 2; }
	for l in $profiles; do
		"$LINK" parse "$l" >/dev/null || exit 2 # its own line names the bad spec
	done
	[ "$(id -u)" = 0 ] || { log "-L: needs root (the links are network namespaces)"; exit 2; }
fi
lib_cpu_pair "$cpus" || { log "-c: '$cpus' is not two different CPU numbers"; exit 2; }
lib_need_cmds "scripts/deps.sh bench" taskset
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
{
	echo "stacks: $stacks"
	echo "count: $count"
	echo "kcount: $kcount"
	echo "rounds: $rounds"
	echo "client_cpu: $LIB_CCPU"
	echo "server_cpu: $LIB_SCPU"
	echo "pq: $pq"
	echo "auth: $auth"
	echo "links: $profiles"
	echo "link_count: $lcount"
	echo "load_start: $(lib_loadavg)"
} >"$dir/meta.txt"
failed=()
lname=bs$(($$ % 100000)) # the link's name (scripts/link.sh -n): this run's own
link_up=0
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	lib_cleanup
	[ "$link_up" = 0 ] || "$LINK" -n "$lname" down 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

certs="$dir/certs"
# 198.51.100.2: the server's address in a link's namespaces (-L)
"$LIB_ROOT/scripts/gen-certs.sh" -t ec256 -o "$certs" 198.51.100.2 2>"$dir/gen-certs.log" ||
	die "gen-certs.sh failed; see $dir/gen-certs.log"
srv_creds=(--ca "$certs/ca.crt" --cert "$certs/server.crt" --key "$certs/server.key")
cli_creds=(--ca "$certs/ca.crt" --cert "$certs/client.crt" --key "$certs/client.key")

# table: the tables from the run directory (scripts/ackbench/bench_stacks.py), also in
# DIR/table.txt; `python3 -m ackbench bench-summary stacks DIR` redoes them from DIR later.
table() {
	if (lib_analysis bench-summary stacks "$dir") >"$dir/table.txt"; then
		cat "$dir/table.txt"
	else
		failed+=("the tables (bench-summary stacks $dir)")
	fi
}

# --- -Q: the post-quantum rows ---
# pq_run ROUND STACK KIND WHAT: one cell (KIND: a group, or ec256/mldsa44/mldsa65 for the
# certificates); WHAT pq (loopback, a --mem run more in round 1) or pqlink (over the link).
pq_run() {
	local r=$1 s=$2 k=$3 w=$4 tag g a sa
	tag="$w-$r-$s-$k"
	case "$k" in
	ec256) a=("${cli_creds[@]}") sa=("${srv_creds[@]}") ;;
	mldsa*) g=$dir/certs-$k
		a=(--ca "$g/ca.crt" --cert "$g/client.crt" --key "$g/client.key")
		sa=(--ca "$g/ca.crt" --cert "$g/server.crt" --key "$g/server.key") ;;
	*) a=("${cli_creds[@]}" --groups "$k") sa=("${srv_creds[@]}" --groups "$k") ;;
	esac
	cell "$tag" "${BIN[$s]}" tls "${sa[@]}" -- --tls 1.3 "${a[@]}" || return 0
	echo "$w $r $s $k $tag" >>"$raw"
	[ "$w:$r" = pq:1 ] || return 0
	run "mem-$tag" "${BIN[$s]}" tls "${sa[@]}" --mem -- -s 64 -n 20 -w 2 --mem \
		--tls 1.3 "${a[@]}" || return 0
	echo "pqheap 0 $s $k mem-$tag" >>"$raw"
}
pq_rows() {
	local t s k r
	for t in mldsa44 mldsa65; do
		"$LIB_ROOT/scripts/gen-certs.sh" -t "$t" -o "$dir/certs-$t" 198.51.100.2 \
			2>>"$dir/gen-certs.log" ||
			die "gen-certs.sh -t $t failed (make STACK=openssl first); see $dir/gen-certs.log"
	done
	for s in $stacks; do
		[ "$s" != mbedtls ] || continue # Mbed TLS 3.6: no ML-KEM, no ML-DSA
		for k in x25519 X25519MLKEM768 SecP256r1MLKEM768 ec256 mldsa44 mldsa65; do
			cells+=("$s:$k")
		done
	done
	for r in $(seq "$rounds"); do
		log "post-quantum round $r of $rounds (load $(lib_loadavg))"
		for c in "${cells[@]}"; do pq_run "$r" "${c%%:*}" "${c#*:}" pq; done
	done
	over_links pq_run pqlink
	finish
}

# --- crypto floors: the stacks' own benchmarks, run here, read by bench-summary stacks ---
# Mbed TLS's benchmark and wolfCrypt's count per wall-clock second: on a busy host they get
# less than a CPU, so their runs are timed (TIMEFORMAT '%R %U %S' lines in *.time) and each
# figure is scaled by its run's CPU share, as in bench-tls.sh. openssl speed divides by CPU
# time already.
timed() {
	local TIMEFORMAT='%R %U %S'
	{ time "${on_client[@]}" "$@" 2>&1; } 2>>"$dir/mbedtls-benchmark.time"
}
floor_mbedtls() {
	: >"$dir/mbedtls-benchmark.time"
	lib_mbedtls_bench "$dir/mbedtls-benchmark.txt" "$ref" "" timed \
		"ecdh secp256r1" "ecdsa secp256r1"
}
# openssl speed with the openssl command of the build the stack links (make STACK=openssl:
# build/native/openssl/apps/openssl).
floor_openssl() {
	local o=$LIB_ROOT/build/native/openssl/apps/openssl
	[ -x "$o" ] || return 0
	log "crypto floor: $o speed -seconds 2 ecdsap256 ecdhp256"
	"${on_client[@]}" "$o" speed -seconds 2 ecdsap256 ecdhp256 >"$dir/openssl-speed.txt" 2>&1 ||
		rm -f "$dir/openssl-speed.txt"
}
# wolfCrypt's benchmark (make STACK=wolfssl's WOLF_BENCH, the same build): -ecc (agree,
# sign, verify) and -ecc-kg (an ECDHE per side is a key generation and an agreement).
# Debian's build caches fixed-point tables (FP_ECC) and the benchmark reuses its keys, so
# its figures favour wolfSSL a little.
wtimed() {
	local TIMEFORMAT='%R %U %S'
	{ time "${on_client[@]}" "$@" 2>&1; } 2>>"$dir/wolfcrypt-benchmark.time"
}
floor_wolfssl() {
	local b
	b=$LIB_ROOT/$(mkvar STACK=wolfssl print-WOLF_BENCH)
	if [ ! -x "$b" ]; then
		log "building ${b#"$LIB_ROOT"/}"
		mkvar STACK=wolfssl "${b#"$LIB_ROOT"/}" >&2 || return 0
	fi
	log "crypto floor: $b -ecc -p256; -ecc-kg -p256"
	: >"$dir/wolfcrypt-benchmark.time"
	if ! wtimed "$b" -ecc -p256 >"$dir/wolfcrypt-ecc.txt" ||
		! wtimed "$b" -ecc-kg -p256 >"$dir/wolfcrypt-kg.txt"; then
		rm -f "$dir/wolfcrypt-ecc.txt" "$dir/wolfcrypt-kg.txt"
	fi
}
if [ "$pq$auth" = 00 ]; then
	case " $stacks " in *" mbedtls "*) floor_mbedtls ;; esac
	case " $stacks " in *" wolfssl "*) floor_wolfssl ;; esac
	case " $stacks " in *" openssl "*) floor_openssl ;; esac
fi

# --- runs ---
# runs.txt: a line "WHAT ROUND STACK KIND TAG" per run that gave its files (TAG.json,
# TAG.csv, TAG.server.csv, TAG.server); WHAT: pm, keep, heap, pq, pqheap, auth, authheap
# (ROUND 0: --mem), pqlink, authlink (ROUND: the link's number in meta.txt's links, -L).
raw="$dir/runs.txt"
: >"$raw"

# run TAG BINDIR PROTO SERVER-ARGS -- CLIENT-ARGS...: one pinned server and client; the
# client's JSON and CSV as TAG.json/.csv, the server's CSV as TAG.server.csv. With -Q or -A
# (not --mem runs) each side's timeline too: TAG.tl.csv, TAG.server.tl.csv. Over a link
# (over_links sets via_*, host and secs) in its namespaces; there a client that exits 1 with
# rows (handshakes or messages lost: the table counts them) is not a failed run.
via_server=() via_client=() host=127.0.0.1 secs=3600
run() {
	local tag=$1 b=$2 p=$3 sa=() tl=() stl=() rc=0
	shift 3
	while [ "$1" != -- ]; do sa+=("$1") && shift; done
	shift
	if [ "$pq$auth" != 00 ] && [ "${tag#mem-}" = "$tag" ]; then
		tl=(--timeline "$dir/$tag.tl.csv") stl=(--timeline "$dir/$tag.server.tl.csv")
	fi
	lib_server_start "$dir/$tag.server" "${via_server[@]+"${via_server[@]}"}" "${on_server[@]}" \
		"$b/${p}_server" -b "$host" -p 0 -q -o "$dir/$tag.server.csv" \
		"${stl[@]+"${stl[@]}"}" "${sa[@]}" || { failed+=("$tag") && return 1; }
	lib_client_run "$dir/$tag" "$secs" "${via_client[@]+"${via_client[@]}"}" "${on_client[@]}" \
		"$b/${p}_client" -a "$host" -p "$LIB_SERVER_PORT" -q "$@" --json "$dir/$tag.json" \
		-o "$dir/$tag.csv" "${tl[@]+"${tl[@]}"}" || rc=1
	[ "$rc" = 0 ] && return 0
	if [ "${#via_client[@]}" -gt 0 ] && [ "$(wc -l <"$dir/$tag.csv" 2>/dev/null || echo 0)" -gt 1 ]; then
		log "$tag: not every handshake or message went through (counted in the table)"
		return 0
	fi
	failed+=("$tag")
	return 1
}

# cell TAG BINDIR PROTO SERVER-ARGS -- CLIENT-ARGS...: a timed run of 64-byte messages, one
# handshake each: COUNT of them after 10 warm-up ones on loopback, -N after one over a link
# (with a 10 s wait for each ack, as bench-links.sh).
cell() {
	if [ "${#via_client[@]}" -gt 0 ]; then
		run "$@" -s 64 -n "$lcount" -w 1 --timeout 10000
	else
		run "$@" -s 64 -n "$count" -w 10
	fi
}

# over_links FN WHAT: with -L, FN ROUND STACK KIND WHAT once per cell of "cells"
# (STACK:KIND...) over each link in turn; ROUND is the link's number in meta.txt's links.
# Brings each link up and down with scripts/link.sh (the same helpers as bench-links.sh:
# up, rearm before each cell so it sees the link as new, stats after it into TAG.link).
over_links() {
	local fn=$1 w=$2 l n=0 t0 c
	[ -n "$profiles" ] || return 0
	t0=$(date +%s)
	log "links: ${#cells[@]} cells x $(wc -w <<<"$profiles") links x $lcount handshakes: at" \
		"most $(((${#cells[@]} * (lcount + 1) * LINK_HS_SECS + 60 * ${#cells[@]} + 60) *
			$(wc -w <<<"$profiles") / 60)) min (each cell's client is stopped after" \
		"$(((lcount + 1) * LINK_HS_SECS + 60)) s)"
	via_server=("$LINK" -n "$lname" exec server) via_client=("$LINK" -n "$lname" exec client)
	host=198.51.100.2 secs=$(((lcount + 1) * LINK_HS_SECS + 60))
	for l in $profiles; do
		n=$((n + 1))
		log "link $n: $l (load $(lib_loadavg))"
		link_up=1
		if ! "$LINK" -B "$LIB_ROOT/build/native/bin" -n "$lname" up "$l" \
			>"$dir/link-$n.txt" 2>"$dir/link-$n.err"; then
			log "link $l did not come up: $(tail -n 1 "$dir/link-$n.err")"
			failed+=("link $l")
			"$LINK" -n "$lname" down 2>/dev/null || true
			continue
		fi
		for c in "${cells[@]}"; do
			if ! "$LINK" -n "$lname" rearm; then
				failed+=("$l $c: the link did not re-arm")
				continue
			fi
			# shellcheck disable=SC2086 # STACK KIND or STACK VERSION KIND: the arguments
			"$fn" "$n" ${c//:/ } "$w"
			"$LINK" -n "$lname" stats >"$dir/$w-$n-${c//:/-}.link" 2>/dev/null || true
		done
		"$LINK" -n "$lname" down
		link_up=0
	done
	via_server=() via_client=() host=127.0.0.1 secs=3600
	echo "link_secs: $(($(date +%s) - t0))" >>"$dir/meta.txt"
	log "links: done in $(($(date +%s) - t0)) s"
}

# finish: the tables and the exit status of a -Q or -A run.
finish() {
	echo "load_end: $(lib_loadavg)" >>"$dir/meta.txt"
	table
	lib_failed "${failed[@]+"${failed[@]}"}"
	exit $?
}

# --- -A: the authentication rows ---
# Per stack, version (tls12 tls13 dtls) and authentication (cert, resume: certificates with
# --resume; 0rtt, TLS 1.3 only: resume with --early-data on both sides; psk, psk-dhe:
# --psk-file with that --psk-mode on both sides), one run per round in an order rotated per
# round, and a --mem run in round 1. runs.txt: "auth ROUND STACK VERSION-AUTH TAG" and
# "authheap 0 STACK VERSION-AUTH TAG" (authlink LINK ...: over link number LINK, -L).
auth_run() {
	local r=$1 s=$2 v=$3 k=$4 w=$5 p=tls a=() sa=() tag
	case "$v" in tls12) a=(--tls 1.2) ;; tls13) a=(--tls 1.3) ;; dtls) p=dtls ;; esac
	case "$k" in
	cert) a+=("${cli_creds[@]}") sa=("${srv_creds[@]}") ;;
	resume) a+=("${cli_creds[@]}" --resume) sa=("${srv_creds[@]}") ;;
	0rtt) a+=("${cli_creds[@]}" --resume --early-data) sa=("${srv_creds[@]}" --early-data) ;;
	*) a+=(--psk-file "$psk" --psk-mode "$k") sa=(--psk-file "$psk" --psk-mode "$k") ;;
	esac
	tag="$w-$r-$s-$v-$k"
	if cell "$tag" "${BIN[$s]}" "$p" "${sa[@]}" -- "${a[@]}"; then
		echo "$w $r $s $v-$k $tag" >>"$raw"
	fi
	[ "$w:$r" = auth:1 ] || return 0
	run "mem-$tag" "${BIN[$s]}" "$p" "${sa[@]}" --mem -- -s 64 -n 20 -w 2 --mem "${a[@]}" ||
		return 0
	echo "authheap 0 $s $v-$k mem-$tag" >>"$raw"
}
auth_rows() {
	local r i c s v k
	psk=$dir/psk.key # a fresh key per run (never a committed one), not on a command line
	(umask 077 && od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$psk")
	for s in $stacks; do
		for v in tls12 tls13 dtls; do
			for k in cert resume 0rtt psk psk-dhe; do
				if [ "$k" != 0rtt ] || [ "$v" = tls13 ]; then cells+=("$s:$v:$k"); fi
			done
		done
	done
	for r in $(seq "$rounds"); do
		log "authentication round $r of $rounds (load $(lib_loadavg))"
		for i in $(seq 0 $((${#cells[@]} - 1))); do
			c=${cells[$(((i + (r - 1) * 5) % ${#cells[@]}))]}
			IFS=: read -r s v k <<<"$c"
			auth_run "$r" "$s" "$v" "$k" auth
		done
	done
	over_links auth_run authlink
	finish
}

cells=()
[ "$pq" = 0 ] || pq_rows
[ "$auth" = 0 ] || auth_rows

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
	echo "pm $r $s $k $tag" >>"$raw"
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
	echo "keep $r $s keep $tag" >>"$raw"
}

# heap STACK KIND: one --mem run (client and server), not timed.
heap() {
	local s=$1 k=$2 tag="mem-$1-$2" p=tls a=("${cli_creds[@]}")
	case "$k" in tls12) a+=(--tls 1.2) ;; tls13) a+=(--tls 1.3) ;; dtls) p=dtls ;; esac
	run "$tag" "${BIN[$s]}" "$p" "${srv_creds[@]}" --mem -- -s 64 -n 20 -w 2 --mem "${a[@]}" ||
		return 0
	echo "heap 0 $s $k $tag" >>"$raw"
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
echo "load_end: $(lib_loadavg)" >>"$dir/meta.txt"

# --- the table (scripts/ackbench/bench_stacks.py) ---
table
lib_failed "${failed[@]+"${failed[@]}"}"
