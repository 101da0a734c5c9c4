#!/bin/bash
# pq.sh - post-quantum TLS 1.3 across the stacks on loopback, real programs of every stack
# built (as test/stacks.sh finds them):
#   - refusals, one line and exit 2 before any traffic: every ML-KEM group on a stack
#     without ML-KEM (Mbed TLS 3.6), an ML-DSA certificate on a stack without ML-DSA, an
#     ML-KEM group with TLS 1.2 or DTLS 1.2, an unknown group, a key share outside --groups;
#   - the hybrid groups X25519MLKEM768 and SecP256r1MLKEM768: every client stack x every
#     server stack that has them, both directions, the group checked on the server's own
#     "# negotiated:" line (the far side) as well as the client's; group names in any case
#     and in each stack's own spelling; --key-shares: one share by default (a server that
#     wants the second group asks with a HelloRetryRequest), two when asked;
#   - ML-DSA-44 and ML-DSA-65 certificates (scripts/gen-certs.sh -t mldsa44|mldsa65) with
#     mutual authentication between every pair of stacks that has ML-DSA, and their
#     negative matrix: no client certificate, a client certificate from another CA, an
#     expired one, a server certificate from another CA, an expired one, a wrong name.
#   test/pq.sh BIN_DIR   BIN_DIR: programs of one stack; the others' from their build dirs
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "post-quantum interop of the other stacks' programs"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=60
trap tlib_cleanup EXIT

stacks_built
# What each stack is expected to have: Mbed TLS 3.6 has neither ML-KEM nor ML-DSA.
PQ=()
for s in "${STACKS[@]}"; do
	[ "$s" = mbedtls ] || PQ+=("$s")
done
ok "stacks: ${STACKS[*]}; with ML-KEM and ML-DSA: ${PQ[*]}"

gen() { # gen TYPE DIR
	gen_certs "$1" "$2"
	ok "gen-certs.sh -t $1"
}
EC=$TMP/ec
gen ec256 "$EC"
gen mldsa44 "$TMP/mldsa44"
gen mldsa65 "$TMP/mldsa65"
check_grep "mldsa44 server certificate is ML-DSA-44" "$TMP/mldsa44/certs.info" "^type=mldsa44$"

EC_C=(--ca "$EC/ca.crt" --cert "$EC/client.crt" --key "$EC/client.key")
EC_S=(--ca "$EC/ca.crt" --cert "$EC/server.crt" --key "$EC/server.key")

cli() {
	local s=$1
	shift
	BIN=${SBIN[$s]} run_client "$@"
}
srv() {
	local s=$1 name=$2 prog=$3
	shift 3
	SRV_BIN=${SBIN[$s]} start_server "$name" "$prog" -b 127.0.0.1 --forever "$@"
}

served() { # served WHAT N
	check_rc "$1: exit 0" "$RC" 0 "$ERR"
	check_grep "$1: all acked" "$OUT" "^result proto=[a-z]+ .* acked=$2 lost=0 end=acked$"
}

# far WHAT ERE: the running server's own "# negotiated:" line for a connection matches
far() {
	if wait_lines "$SRV_OUT" "^# negotiated: conn=[0-9]+ $2" 1 10; then
		ok "$1: the server's own view"
	else
		not_ok "$1: the server's own view" "$(grep '^# negotiated' "$SRV_OUT" | tail -n 3)"
	fi
}

# --- refusals: one line, exit 2, before any traffic (a port where nothing listens) ---

refused() { # refused WHAT STACK ERE PROG ARGS...
	local what=$1 s=$2 ere=$3
	shift 3
	cli "$s" refused 10 "$@"
	check_rc "$what: exit 2" "$RC" 2 "$ERR"
	check_eq "$what: one line" "$(wc -l <"$ERR")" 1
	check_grep "$what: names it" "$ERR" "$ere"
	check_nogrep "$what: no traffic" "$OUT" "^result "
}

dead_port tcp_server
P=$DEAD_PORT
for s in "${STACKS[@]}"; do
	for g in X25519MLKEM768 SecP256r1MLKEM768 SecP384r1MLKEM1024 MLKEM768; do
		if [ "$s" = mbedtls ]; then
			refused "$s tls_client --groups $g" "$s" \
				"^tls_client: --groups: $g: not supported by the mbedtls stack" \
				tls_client -p "$P" "${EC_C[@]}" --groups "$g"
		fi
	done
	if [ "$s" = mbedtls ]; then
		refused "$s tls_server --groups x25519,X25519MLKEM768" "$s" \
			"^tls_server: --groups: X25519MLKEM768: not supported by the mbedtls stack" \
			tls_server -p 0 -b 127.0.0.1 "${EC_S[@]}" --groups x25519,X25519MLKEM768
		refused "$s tls_client with an ML-DSA-44 certificate" "$s" \
			"^tls_client: --cert: .*ML-DSA.*not supported by the mbedtls stack|^tls_client: --(ca|cert|key): .*ML-DSA" \
			tls_client -p "$P" --ca "$TMP/mldsa44/ca.crt" --cert "$TMP/mldsa44/client.crt" \
				--key "$TMP/mldsa44/client.key"
		continue
	fi
	if [ "$s" = wolfssl ]; then
		refused "$s tls_client --groups MLKEM768 (pure ML-KEM)" "$s" \
			"^tls_client: --groups: not supported by the wolfssl stack \(MLKEM768\)" \
			tls_client -p "$P" "${EC_C[@]}" --groups MLKEM768
	fi
	refused "$s tls_client --tls 1.2 --groups X25519MLKEM768" "$s" \
		"^tls_client: --groups: X25519MLKEM768: .*TLS 1\.3" \
		tls_client -p "$P" "${EC_C[@]}" --tls 1.2 --groups X25519MLKEM768
	refused "$s dtls_client --groups X25519MLKEM768 (DTLS 1.2)" "$s" \
		"^dtls_client: --groups: X25519MLKEM768: .*TLS 1\.3" \
		dtls_client -p "$P" "${EC_C[@]}" --groups X25519MLKEM768
done
for s in "${STACKS[@]}"; do
	refused "$s tls_client --groups x25519,nosuchgroup" "$s" \
		"^tls_client: --groups: 'nosuchgroup': unknown group" \
		tls_client -p "$P" "${EC_C[@]}" --groups x25519,nosuchgroup
	refused "$s tls_client --key-shares outside --groups" "$s" \
		"^tls_client: --key-shares: 'secp384r1': not in --groups" \
		tls_client -p "$P" "${EC_C[@]}" --groups x25519,secp256r1 --key-shares secp384r1
	refused "$s tls_server --key-shares (a client option)" "$s" "key-shares" \
		tls_server -p 0 -b 127.0.0.1 "${EC_S[@]}" --key-shares x25519
done

# --- hybrid groups, every pair of stacks that has them, both directions ---

for g in X25519MLKEM768 SecP256r1MLKEM768; do
	for ss in "${PQ[@]}"; do
		srv "$ss" "kem-$g-$ss" tls_server "${EC_S[@]}" --groups "$g" || continue
		for cs in "${PQ[@]}"; do
			what="TLS 1.3 $g: $cs client -> $ss server"
			cli "$cs" kem "$T" tls_client -p "$SRV_PORT" -s 64 -n 2 -w 0 --tls 1.3 \
				"${EC_C[@]}" --groups "$g"
			served "$what" 2
			check_grep "$what: the client's view" "$OUT" "^# negotiated: TLSv1\.3 [^ ]+ $g EC-256"
			far "$what" "TLSv1\.3 [^ ]+ $g EC-256"
		done
		stop_server "$SRV_PID"
	done
done

for ss in "${PQ[@]}"; do
	# the server takes only the hybrid: a client offering x25519 first with one share
	# (the default) is asked again (HelloRetryRequest); asked for two shares, it is not
	srv "$ss" "shares-$ss" tls_server "${EC_S[@]}" --groups X25519MLKEM768 || continue
	for cs in "${PQ[@]}"; do
		what="$cs client -> $ss server, --groups x25519,x25519mlkem768 (lower case)"
		cli "$cs" shares "$T" tls_client -p "$SRV_PORT" -s 64 -n 1 -w 0 --tls 1.3 \
			"${EC_C[@]}" --groups x25519,x25519mlkem768 -o "$TMP/s1.csv"
		served "$what, one share" 1
		check_grep "$what, one share: X25519MLKEM768 after a HelloRetryRequest" "$OUT" \
			"^# negotiated: TLSv1\.3 [^ ]+ X25519MLKEM768 .*HelloRetryRequest"
		cli "$cs" shares2 "$T" tls_client -p "$SRV_PORT" -s 64 -n 1 -w 0 --tls 1.3 \
			"${EC_C[@]}" --groups x25519,X25519MLKEM768 \
			--key-shares X25519MLKEM768,x25519 -o "$TMP/s2.csv"
		served "$what, --key-shares X25519MLKEM768,x25519" 1
		check_nogrep "$what, two shares: no HelloRetryRequest" "$OUT" "HelloRetryRequest"
		check_grep "$what, two shares: X25519MLKEM768" "$OUT" \
			"^# negotiated: TLSv1\.3 [^ ]+ X25519MLKEM768 "
		# the ClientHello carries the 1,216-byte ML-KEM share (+ 32 for x25519's)
		check "$what, two shares: more than 1,248 bytes sent in the handshake" \
			csv_all "$TMP/s2.csv" "\$13 > 1248"
	done
	stop_server "$SRV_PID"
done

# each stack's own spelling works on every stack (docs/stacks.md's table)
for cs in "${PQ[@]}"; do
	srv "${PQ[0]}" "spell-$cs" tls_server "${EC_S[@]}" \
		--groups X25519MLKEM768,SecP256r1MLKEM768,MLKEM768 || continue
	spell="SECP256R1MLKEM768:SecP256r1MLKEM768 x25519MLKEM768:X25519MLKEM768"
	# pure ML-KEM as a TLS group: OpenSSL only (this wolfSSL build refuses it, below)
	[ "$cs" != openssl ] || spell="$spell ML_KEM_768:MLKEM768 ml-kem-768:MLKEM768"
	for g in $spell; do
		cli "$cs" spell "$T" tls_client -p "$SRV_PORT" -s 64 -n 1 -w 0 --tls 1.3 \
			"${EC_C[@]}" --groups "${g%%:*}"
		served "$cs client --groups ${g%%:*}" 1
		check_grep "$cs client --groups ${g%%:*}: ${g#*:} negotiated" "$OUT" \
			"^# negotiated: TLSv1\.3 [^ ]+ ${g#*:} "
	done
	stop_server "$SRV_PID"
done

# --- ML-DSA certificates: mutual authentication and the negative matrix ---

neg() { # neg WHAT SIDE CLIENT-STACK ARGS...: refused, the reason on the verifying side
	local what=$1 side=$2 cs=$3 before
	shift 3
	before=$(grep -c "certificate rejected" "$SRV_ERR" || true)
	cli "$cs" neg "$T" tls_client -p "$SRV_PORT" -s 64 -n 1 -w 0 --max-loss 1 --tls 1.3 "$@"
	check_rc "$what: client exit 1" "$RC" 1 "$ERR"
	if [ "$side" = server ]; then
		if wait_lines "$SRV_ERR" ": client certificate rejected: " $((before + 1)) 10; then
			ok "$what: reason on the server's stderr"
		else
			not_ok "$what: reason on the server's stderr" "$(tail -n 3 "$SRV_ERR")"
		fi
	else
		check_grep "$what: reason on the client's stderr" "$ERR" "server certificate rejected: "
	fi
}

for t in mldsa44 mldsa65; do
	D=$TMP/$t
	K=ML-DSA-${t#mldsa}
	DC=(--ca "$D/ca.crt" --cert "$D/client.crt" --key "$D/client.key")
	DS=(--ca "$D/ca.crt" --cert "$D/server.crt" --key "$D/server.key")
	for ss in "${PQ[@]}"; do
		srv "$ss" "$t-$ss" tls_server "${DS[@]}" || continue
		for cs in "${PQ[@]}"; do
			what="TLS 1.3 $K mutual auth: $cs client -> $ss server"
			cli "$cs" dsa "$T" tls_client -p "$SRV_PORT" -s 64,1K -n 2 -w 0 --tls 1.3 \
				"${DC[@]}"
			served "$what" 4
			check_grep "$what: the client saw the server's $K key" "$OUT" \
				"^# negotiated: TLSv1\.3 [^ ]+ [^ ]+ $K"
			far "$what" "TLSv1\.3 [^ ]+ [^ ]+ $K"
			neg "$what: no client certificate" server "$cs" --ca "$D/ca.crt" --cert none
			neg "$what: client cert from another CA" server "$cs" --ca "$D/ca.crt" \
				--cert "$D/bad/rogue-client.crt" --key "$D/bad/rogue-client.key"
			neg "$what: expired client cert" server "$cs" --ca "$D/ca.crt" \
				--cert "$D/bad/expired-client.crt" --key "$D/bad/expired-client.key"
			neg "$what: wrong server name" client "$cs" "${DC[@]}" \
				--server-name wrong.example.invalid
		done
		stop_server "$SRV_PID"
		for name in rogue-server expired-server; do
			srv "$ss" "$t-$name-$ss" tls_server --ca "$D/ca.crt" --cert "$D/bad/$name.crt" \
				--key "$D/bad/$name.key" || continue
			for cs in "${PQ[@]}"; do
				neg "TLS 1.3 $K: $cs client -> $ss server: $name" client "$cs" \
					"${DC[@]}"
			done
			check "TLS 1.3 $K: $ss server: $name: still running" running "$SRV_PID"
			stop_server "$SRV_PID"
		done
	done
done

summary
