#!/bin/bash
# small.sh - the tls/dtls programs of CONFIG=small (ports/config/ackbench_config_small.h:
# ECDHE on P-256 only) asked for a group that config lacks: one line naming the group and
# the config, exit 2, before any traffic (it was an internal error, -0x6C00 with TLS 1.2,
# or "feature not available", -0x7080 with TLS 1.3, after the connection); with its own
# group, TLS 1.2 with an RSA key still runs against a full-config server. Builds
# build/native-small (make CONFIG=small) when it is not there.
#   test/small.sh BIN_DIR     (the full-config programs, e.g. build/native/bin)
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "a build of its own (CONFIG=small)"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SB=$ROOT/$(make_var CONFIG=small print-BUILD)/bin
if ! make_var -j2 CONFIG=small all >"$TMP/make.log" 2>&1; then
	not_ok "make CONFIG=small" "$(tail -n 5 "$TMP/make.log")"
	summary
	exit 1
fi
RSA=$TMP/rsa
gen_certs rsa2048 "$RSA"
CREDS=(--ca "$RSA/ca.crt" --cert "$RSA/client.crt" --key "$RSA/client.key")

# A full-config server that would take x25519: the refusal must come before any traffic.
start_server srv tls_server -b 127.0.0.1 --ca "$RSA/ca.crt" --cert "$RSA/server.crt" \
	--key "$RSA/server.key" || true
for v in 1.2 1.3; do
	what="CONFIG=small tls_client --tls $v --groups x25519 (RSA key)"
	SAVE=$BIN
	BIN=$SB
	run_client "x25519-$v" 20 tls_client -a 127.0.0.1 -p "$SRV_PORT" "${CREDS[@]}" --tls "$v" \
		--groups x25519 -n 1 -s 64
	BIN=$SAVE
	check_rc "$what: exit 2" "$RC" 2 "$ERR"
	check_eq "$what: one line" "$(wc -l <"$ERR")" 1
	check_grep "$what: names the group and the config" "$ERR" \
		"^tls_client: --groups: x25519: not supported by the mbedtls stack \(CONFIG=small leaves it out: ports/config/ackbench_config_small.h\)$"
done
SAVE=$BIN
BIN=$SB
run_client "dtls-x448" 20 dtls_client -a 127.0.0.1 -p 1 --groups secp256r1,x448 -n 1
BIN=$SAVE
check_rc "CONFIG=small dtls_client --groups secp256r1,x448: exit 2" "$RC" 2 "$ERR"
check_grep "CONFIG=small dtls_client --groups secp256r1,x448: names x448" "$ERR" \
	"^dtls_client: --groups: x448: not supported by the mbedtls stack \(CONFIG=small leaves it out"
what="CONFIG=small tls_client --tls 1.2 --groups secp256r1 (RSA key)"
SAVE=$BIN
BIN=$SB
run_client "p256" 30 tls_client -a 127.0.0.1 -p "$SRV_PORT" "${CREDS[@]}" --tls 1.2 \
	--groups secp256r1 -n 2 -s 64
BIN=$SAVE
check_rc "$what: exit 0" "$RC" 0 "$ERR"
check_grep "$what: every message acked" "$OUT" '^result .* acked=2 lost=0'
stop_server "$SRV_PID"
summary
