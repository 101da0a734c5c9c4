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
floor <= $TARGET without; no retransmission. Needs taskset, jq.
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
lib_need_cmds "scripts/deps.sh bench" taskset jq
lib_cpu_range "$cpus"
dir=$(lib_run_dir "$dir" bench-dtls)
on_client=(taskset -c "$ccpu")
on_server=(taskset -c "$scpu")

trap lib_cleanup EXIT
trap 'exit 130' INT TERM

LIB_BIN=$bin lib_record_env "$dir/env.txt" "$cmdline"
load0=$(lib_loadavg)
failed=()

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
r_ecdhe=$(lib_mbedtls_rate "$dir/benchmark.txt" ECDHE-secp256r1 "ephemeral handshake")
r_sign=$(lib_mbedtls_rate "$dir/benchmark.txt" ECDSA-secp256r1 sign)
r_verify=$(lib_mbedtls_rate "$dir/benchmark.txt" ECDSA-secp256r1 verify)
if [ -z "$r_ecdhe" ] || [ -z "$r_sign" ] || [ -z "$r_verify" ]; then
	die "no ECDHE/ECDSA secp256r1 figures in $dir/benchmark.txt"
fi
floor=$(lib_handshake_floor "$r_ecdhe" "$r_sign" "$r_verify")

# --- runs ---
FIG=""

# run PROTO TAG SERVER-ARGS -- CLIENT-ARGS: one pinned server (CSV) and one pinned client
# (JSON, CSV); FIG = the JSON file. The server ends after the client's END.
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
		-p "$LIB_SERVER_PORT" "${cargs[@]}" --json "$dir/$tag.json" -o "$dir/$tag.csv" ||
		return 1
	FIG="$dir/$tag.json"
}

# srv_cpu TAG: median server CPU per connection (its CSV's conn rows), in us.
srv_cpu() { awk -F, '$1 == "conn" && $10 == 0 { print $9 }' "$dir/$1.server.csv" | lib_median 0; }

# csv_p50 TAG COLUMN: median of a client CSV column over acked rows.
csv_p50() { awk -F, -v c="$2" 'NR > 1 && $10 == 1 { print $c }' "$dir/$1.csv" | lib_median 0; }

raw="$dir/rounds.txt"
: >"$raw"
# per_message ROUND PROTO TAG SERVER-ARGS -- CLIENT-ARGS: a raw line
# "pm TAG ROUND total handshake cpu srvcpu cookie retrans-rows rows".
per_message() {
	local r=$1 p=$2 tag=$3 j
	shift 3
	if ! run "$p" "$tag-r$r" "$@" -s 64 -n "$count" -w 10; then
		failed+=("$tag round $r")
		return 0
	fi
	j=$FIG
	printf 'pm %s %s %s %s %s %s %s %s\n' "$tag" "$r" \
		"$(lib_p50 "$j" total)" "$(lib_p50 "$j" handshake)" "$(lib_p50 "$j" cpu)" "$(srv_cpu "$tag-r$r")" \
		"$([ "$p" = dtls ] && csv_p50 "$tag-r$r" 18 || echo 0)" \
		"$(awk -F, 'NR > 1 { n++; if ($15 > 0) k++ } END { printf "%d/%d", k, n }' "$dir/$tag-r$r.csv")" \
		>>"$raw"
}

per_proto() { per_message "$1" "$2" "$2" --; }

# keep_alive ROUND PROTO: raw lines "keep PROTO ROUND SIZE total".
keep_alive() {
	local r=$1 p=$2
	if ! run "$p" "keep-$p-r$r" -- -s "$KEEP_SIZES" -n "$kcount" -w 100 --keep; then
		failed+=("$p keep-alive round $r")
		return 0
	fi
	lib_keep_rows "$FIG" "$p" "$r" >>"$raw"
}

for r in $(seq 1 "$rounds"); do
	log "round $r/$rounds: keep-alive ($KEEP_SIZES, $kcount messages each): udp, dtls"
	lib_in_turn "$r" keep_alive udp dtls
	log "round $r/$rounds: per message (64 B, $count sessions): udp, dtls, dtls --no-cookie"
	lib_in_turn "$r" per_proto udp dtls
	per_message "$r" dtls dtls-nocookie --no-cookie --
done
negotiated=$(jq -r '.negotiated' "$dir/dtls-r1.json" 2>/dev/null || echo unknown)
load1=$(lib_loadavg)

# --- summary ---
summary() {
	awk -v floor="$floor" -v target="$TARGET" "$(lib_awk_stats)"'
	# m(KEY, FIELD): median over the rounds of field FIELD of the "pm" lines of KEY.
	function m(k, f,   i, a) {
		for (i = 1; i <= pn[k]; i++) a[i] = pm[k, i, f]
		return pn[k] ? med(a, pn[k]) : 0
	}
	# ratio(KEY, RTT): median over the rounds of (KEY total - udp total) / (floor + RTT)
	function ratio(k, with_rtt,   r, n, q) {
		n = 0
		for (r = 1; r <= 100; r++)
			if (((k, r) in rd) && (("udp", r) in rd) && (r in rtt))
				q[++n] = (pm[k, rd[k, r], 4] - pm["udp", rd["udp", r], 4]) / (floor + (with_rtt ? rtt[r] : 0))
		if (!n) return "n/a"
		return sprintf("%.2f   min..max %s; target <= %s: %s", med(q, n), spread(q, n), target,
		               verdict(med(q, n), target))
	}
	$1 == "pm" {
		i = ++pn[$2]; for (f = 4; f <= 8; f++) pm[$2, i, f] = $f; rd[$2, $3] = i
		split($9, rr, "/"); rk[$2] += rr[1]; rn[$2] += rr[2]
	}
	$1 == "keep" {
		k = $4; if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
		i = ++kn[$2, k]; kv[$2, k, i] = $5
		if ($2 == "udp" && k == 64) rtt[$3] = $5
	}
	END {
		for (r in rtt) { a[++na] = rtt[r] }
		printf "round trip (udp --keep, 64 B, p50, median of the rounds): %.1f us\n", na ? med(a, na) : 0
		printf "per message, 64 B, a new session each (p50 us, median of the rounds):\n"
		printf "  %-40s %10.1f\n", "udp total", m("udp", 4)
		printf "  %-40s %10.1f   (handshake %.1f, of which cookie round trip %.1f)\n",
		       "dtls total, cookies", m("dtls", 4), m("dtls", 5), m("dtls", 8)
		printf "  %-40s %10.1f   (handshake %.1f)\n", "dtls total, --no-cookie", m("dtls-nocookie", 4),
		       m("dtls-nocookie", 5)
		printf "  %-40s %10.1f\n", "dtls - udp, cookies", m("dtls", 4) - m("udp", 4)
		printf "  %-40s %10.1f\n", "dtls - udp, --no-cookie", m("dtls-nocookie", 4) - m("udp", 4)
		printf "  %-40s %s\n", "(dtls - udp) / (floor + RTT), cookies", ratio("dtls", 1)
		printf "  %-40s %s\n", "(dtls - udp) / floor, --no-cookie", ratio("dtls-nocookie", 0)
		printf "  %-40s %d of %d (cookies), %d of %d (--no-cookie); target: none\n",
		       "sessions with a handshake retransmission", rk["dtls"], rn["dtls"],
		       rk["dtls-nocookie"], rn["dtls-nocookie"]
		printf "  %-40s %10.1f   server %.1f (udp: client %.1f)\n", "CPU per session, dtls client",
		       m("dtls", 6), m("dtls", 7), m("udp", 6)
		printf "keep-alive, one session (total p50 us per message, median of the rounds):\n"
		printf "  %8s %10s %10s %10s %8s\n", "size", "udp", "dtls", "dtls-udp", "dtls/udp"
		for (x = 1; x <= nk; x++) {
			k = order[x]
			for (i = 1; i <= kn["udp", k]; i++) a1[i] = kv["udp", k, i]
			for (i = 1; i <= kn["dtls", k]; i++) a2[i] = kv["dtls", k, i]
			t1 = med(a1, kn["udp", k]); t2 = med(a2, kn["dtls", k])
			printf "  %8s %10.1f %10.1f %10.1f %8.2f\n", k, t1, t2, t2 - t1, (t1 > 0 ? t2 / t1 : 0)
		}
	}' "$raw"
}

{
	echo "# bench-dtls: DTLS 1.2, EC P-256 keys, ECDHE secp256r1, AES-128-GCM; $rounds rounds;"
	echo "#   client on CPU $ccpu, server on CPU $scpu; load average $load0 -> $load1"
	echo "# negotiated: $negotiated"
	echo "# mbedtls: $(lib_mbedtls_source "$bin")"
	printf 'crypto floor (programs/test/benchmark, same Mbed TLS build), us per operation:\n'
	awk -v e="$r_ecdhe" -v s="$r_sign" -v v="$r_verify" -v f="$floor" 'BEGIN {
		printf "  ECDHE-secp256r1 %.1f, ECDSA-secp256r1 sign %.1f, verify %.1f\n", 1e6 / e, 1e6 / s, 1e6 / v
		printf "  mutual auth: 2 ECDHE + 2 sign + 4 verify = %.1f\n", f }'
	summary
	echo "# raw: $raw and $dir/*.json, *.csv"
} | tee "$dir/summary.txt"
lib_failed "${failed[@]}" || exit 1
