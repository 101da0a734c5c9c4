#!/bin/bash
# wolfssl.sh - what only the wolfssl stack does (test/stacks.sh covers what every stack
# does, against each other): its refusals, its DTLS message limit at --mtu, the key log it
# completes for TLS 1.2 / DTLS 1.2 (both sides, resumed handshakes too, the same lines as
# the Mbed TLS peer's), the EC key/certificate mismatch wolfSSL's own check misses, and
# the build configuration it reports. The programs are build/native-wolfssl's (make
# STACK=wolfssl; `make integration` builds them), the Mbed TLS peers BIN_DIR's when that
# is an mbedtls build.
#   test/wolfssl.sh BIN_DIR
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=60
W=$(stack_bin wolfssl)
M=$BIN
if [ "$(stack_of "$W")" != wolfssl ]; then
	not_ok "wolfssl programs in $W (make STACK=wolfssl)"
	summary
	exit 1
fi
[ "$(stack_of "$M")" = mbedtls ] || M=""

EC=$TMP/ec
gen_certs ec256 "$EC"
SRV=(--ca "$EC/ca.crt" --cert "$EC/server.crt" --key "$EC/server.key")
CLI=(--ca "$EC/ca.crt" --cert "$EC/client.crt" --key "$EC/client.key")

# --- the build it reports ---
BIN=$W run_client version 10 tls_client -V
check_grep "--version: Debian source version and configure line" "$OUT" \
	"^tls_client .*stack wolfssl 5\.([9]|[1-9][0-9])\.[0-9]+, Debian source 5\.[0-9.]+-[^ ]* \(sha256 [0-9a-f]{16}\), static, \./configure .*--enable-sp-asm.*--enable-mlkem --enable-mldsa.*--enable-dtls13 --enable-dtls-frag-ch --enable-dtls-mtu.*HAVE_SECRET_CALLBACK"

# --- refusals: one line naming the stack and the option, exit 2 ---
refused() { # refused WHAT ERE PROG ARGS...
	local what=$1 ere=$2
	shift 2
	BIN=$W run_client refused 10 "$@"
	check_rc "$what: exit 2" "$RC" 2 "$ERR"
	check_eq "$what: one line" "$(wc -l <"$ERR")" 1
	check_grep "$what: names what" "$ERR" "$ere"
}
refused "dtls_server --no-cookie" "^dtls_server: --no-cookie: not supported by the wolfssl stack" \
	dtls_server -p 0 -b 127.0.0.1 "${SRV[@]}" --no-cookie
refused "dtls_client --mtu 20000" "^dtls_client: --mtu: not supported by the wolfssl stack" \
	dtls_client -p 9 "${CLI[@]}" --mtu 20000
refused "tls_client --ciphersuite TLS1-3-AES-128-GCM-SHA256 (Mbed TLS's name)" \
	"^tls_client: --ciphersuite: 'TLS1-3-AES-128-GCM-SHA256': unknown to this wolfSSL build" \
	tls_client -p 9 "${CLI[@]}" --ciphersuite TLS1-3-AES-128-GCM-SHA256
refused "tls_client with the CA's EC key for its certificate" \
	"^tls_client: --key: '.*ca\.key': does not match the public key of --cert" \
	tls_client -p 9 --ca "$EC/ca.crt" --cert "$EC/client.crt" --key "$EC/ca.key"

# --- DTLS at --mtu 600: the largest message is 600 - 49 with AES-128-GCM ---
BIN=$W run_client mtu-big 10 dtls_client -p 9 "${CLI[@]}" --mtu 600 -s 552
check_rc "--mtu 600 -s 552: refused before the run" "$RC" 2 "$ERR"
check_grep "--mtu 600 -s 552: says the largest" "$ERR" "above the largest dtls message \(551 bytes\)"
if SRV_BIN=$W start_server mtu dtls_server -b 127.0.0.1 "${SRV[@]}" --mtu 600; then
	BIN=$W run_client mtu 30 dtls_client -p "$SRV_PORT" "${CLI[@]}" --mtu 600 -s 551 -n 3 -w 0 \
		--reply-size 551
	check_rc "--mtu 600: 551-byte requests and replies: exit 0" "$RC" 0 "$ERR"
	check_grep "--mtu 600: all acked" "$OUT" "^result .* acked=3 lost=0 end=acked$"
	stop_server "$SRV_PID"
fi

# --- a TLS 1.3 client with no group in common with the server (wolfSSL sends a
# HelloRetryRequest for a group the client never offered; 5.5.4 then failed with -173 and no
# alert, 5.9.2 refused Mbed TLS's second ClientHello with -425 and illegal_parameter; Mbed
# TLS 3.6 accepts such a HelloRetryRequest, ackbench's client refuses it, RFC 8446 4.1.4):
# the client refuses it with illegal_parameter in one line naming the group, one line on
# the server names both sides' groups and the alert received ---
if [ -n "$M" ] && SRV_BIN=$W start_server nogroup tls_server -b 127.0.0.1 "${SRV[@]}" \
	--forever; then
	BIN=$M run_client nogroup-cli 20 tls_client -p "$SRV_PORT" "${CLI[@]}" --tls 1.3 \
		--groups x25519,x448 -s 64 -n 1 -w 0
	check_rc "no common group: the client fails" "$RC" 1 "$ERR"
	check_grep "no common group: the client refuses the HelloRetryRequest, naming the group" "$ERR" \
		"HelloRetryRequest asks for group secp256r1 \(0x0017\), which we did not offer: refused with an illegal_parameter alert"
	check_eq "no common group: ... once (one line for the run)" \
		"$(grep -c "HelloRetryRequest asks for group" "$ERR")" 1
	wait_lines "$SRV_ERR" "handshake failed" 1 10 || true
	check_grep "no common group: the server's line names both sides' groups and the client's alert" "$SRV_ERR" \
		"handshake failed: no group in common: client x25519,x448, server secp256r1 \(client's illegal_parameter received\)$"
	check_nogrep "no common group: no bare wolfSSL -173" "$SRV_ERR" "wolfSSL -173"
	stop_server "$SRV_PID"
fi

# --- key log: both sides, resumed handshakes too ---
# keylog NAME SRV-BIN CLI-BIN PROTO ARGS...: a --resume run with --keylog on both sides;
# the two files must hold the same lines, one per handshake.
keylog() {
	local name=$1 sb=$2 cb=$3 proto=$4 n
	shift 4
	rm -f "$TMP/$name.s.log" "$TMP/$name.c.log"
	SRV_BIN=$sb start_server "kl-$name" "${proto}_server" -b 127.0.0.1 "${SRV[@]}" \
		--keylog "$TMP/$name.s.log" || return 0
	BIN=$cb run_client "kl-$name" "$T" "${proto}_client" -p "$SRV_PORT" "${CLI[@]}" -s 64 -n 3 \
		-w 0 --resume --keylog "$TMP/$name.c.log" "$@"
	check_rc "keylog $name: exit 0" "$RC" 0 "$ERR"
	stop_server "$SRV_PID"
	n=$(grep -Ec '^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$' "$TMP/$name.s.log" || true)
	check_eq "keylog $name: a CLIENT_RANDOM line per handshake on the server (3 + END)" "$n" 4
	check_nogrep "keylog $name: no all-zero secret" "$TMP/$name.s.log" " 0{96}$"
	check_eq "keylog $name: server and client wrote the same lines" \
		"$(sort "$TMP/$name.s.log" | sha256sum)" "$(sort "$TMP/$name.c.log" | sha256sum)"
}
keylog tls12 "$W" "$W" tls --tls 1.2
keylog dtls "$W" "$W" dtls
if [ -n "$M" ]; then
	keylog "tls12 (Mbed TLS client)" "$W" "$M" tls --tls 1.2
	keylog "dtls (Mbed TLS server)" "$M" "$W" dtls
fi

summary
