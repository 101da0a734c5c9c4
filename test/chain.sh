#!/bin/bash
# chain.sh - a certificate chain with an intermediate CA (--chain; gen-certs.sh's
# chain-{server,client}.crt: the leaf issued by int-ca, then int-ca's certificate) against
# single certificates, with the real programs of every stack built, each with itself, TLS
# 1.3 and DTLS 1.2 on loopback:
#   - both sides send their chain, both verify it up to ca.crt: everything acked, and the
#     handshake moves more bytes each way than with single certificates: one certificate
#     more each way (300+ bytes), except on openssl, whose lone leaf already goes out with
#     the root CA (OpenSSL builds the chain from the trust store: docs/tls-dtls.md), so
#     that the intermediate replaces the root there (a few bytes more);
#   - a server that sends its leaf without the intermediate is refused by the client
#     (the verifying side prints why); the server goes on, and serves a client that has
#     int-ca among its trusted certificates;
#   - across stacks, TLS 1.3 with --chain on both sides: each stack's client against the
#     next stack's server (every chain built by one stack is verified by another);
#   - --chain with --psk or --rpk is refused in one line, exit 2.
#   test/chain.sh BIN_DIR
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "stack interop"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=30
stacks_built # STACKS, and SBIN: each one's programs
mkdir -p "$TMP/run"
gen_certs ec256 "$TMP/run/certs"
cd "$TMP/run" # certs/: the defaults --chain switches
sed -n '1,/END CERTIFICATE/p' certs/chain-server.crt >"$TMP/leaf-only.crt"
cat certs/ca.crt certs/int-ca.crt >"$TMP/both-cas.crt"

# hs BYTES_COLUMN: the median of a handshake byte column of $TMP/c.csv (13 tx, 14 rx).
hs() {
	awk -F, -v c="$1" 'NR > 1 { print $c }' "$TMP/c.csv" | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
for s in "${STACKS[@]}"; do
	d=${SBIN[$s]}
	for v in tls-1.3 dtls-1.2; do
		proto=${v%-*}
		vo=()
		[ "$proto" = dtls ] || vo=(--tls "${v#*-}")
		what="$s $proto ${v#*-}"
		tx_single="" tx_chain=""
		for ch in single chain; do
			co=()
			[ "$ch" = single ] || co=(--chain)
			BIN=$d start_server "s-$s-$v-$ch" "${proto}_server" -b 127.0.0.1 "${vo[@]}" \
				"${co[@]}" || continue
			BIN=$d run_client "c-$ch" "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 3 -w 0 \
				"${vo[@]}" "${co[@]}" -o "$TMP/c.csv"
			check_rc "$what $ch: exit 0" "$RC" 0 "$ERR"
			check_grep "$what $ch: all acked" "$OUT" "acked=3 lost=0 end=acked$"
			eval "tx_$ch=$(hs 13) rx_$ch=$(hs 14)"
			stop_server "$SRV_PID"
		done
		if [ -z "$tx_single" ] || [ -z "$tx_chain" ]; then continue; fi
		more=300
		[ "$s" != openssl ] || more=20
		# shellcheck disable=SC2154 # tx_*, rx_*: set by the eval above
		check "$what: the chain's handshake sends $more+ bytes more ($tx_single -> $tx_chain)" \
			test "$tx_chain" -ge $((tx_single + more))
		# shellcheck disable=SC2154
		check "$what: and receives $more+ bytes more ($rx_single -> $rx_chain)" \
			test "$rx_chain" -ge $((rx_single + more))
	done
	BIN=$d start_server "s-$s-leaf" tls_server -b 127.0.0.1 --forever \
		--cert "$TMP/leaf-only.crt" --key certs/chain-server.key || continue
	BIN=$d run_client leaf "$T" tls_client -p "$SRV_PORT" -s 64 -n 1 -w 0 --max-loss 1 --chain
	check "$s: a server's leaf without its intermediate: refused" test "$RC" -ne 0
	check_grep "$s: the client says why" "$ERR" "server certificate rejected"
	BIN=$d run_client after "$T" tls_client -p "$SRV_PORT" -s 64 -n 1 -w 0 --max-loss 1 \
		--ca "$TMP/both-cas.crt"
	check_rc "$s: the server goes on (a client that trusts int-ca too)" "$RC" 0 "$ERR"
	stop_server "$SRV_PID"
done

stacks=("${STACKS[@]}") dirs=()
for s in "${stacks[@]}"; do dirs+=("${SBIN[$s]}"); done
n=${#stacks[@]}
for i in $(seq 0 $((n > 1 ? n - 1 : -1))); do
	j=$(((i + 1) % n))
	what="${stacks[i]} client, ${stacks[j]} server, TLS 1.3 --chain"
	BIN=${dirs[j]} start_server "x-$i" tls_server -b 127.0.0.1 --tls 1.3 --chain || continue
	BIN=${dirs[i]} run_client "x-$i" "$T" tls_client -p "$SRV_PORT" -s 64 -n 2 -w 0 \
		--tls 1.3 --chain
	check_rc "$what: exit 0" "$RC" 0 "$ERR"
	check_grep "$what: all acked" "$OUT" "acked=2 lost=0 end=acked$"
	stop_server "$SRV_PID"
done

run_client refuse "$T" tls_client -p 9 --chain --psk 00112233
check_rc "--chain --psk: exit 2" "$RC" 2 "$ERR"
check_grep "--chain --psk: one line saying why" "$ERR" \
	"^tls_client: --chain: certificates only, not with --psk or --rpk$"

summary
