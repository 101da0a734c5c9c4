#!/bin/bash
# dtls_reconnect.sh - a DTLS client that reconnects from the same address and port, on the
# servers of the openssl and wolfssl stacks (the mbedtls server's: test/dtls.sh). Through
# Mbed TLS's udp_proxy every client has the proxy's address and port: a --keep client is
# killed (no close_notify), and the next client's ClientHello reaches the old connection's
# socket. The server must start a new handshake there at once (its line, the next client
# served, the end line's reconnects count), and authenticate the new client again (one
# without a certificate is refused). OpenSSL 3.0 does not take that ClientHello as a new
# session: before ackbench looked for it, the old connection failed on it and the client
# was served by the listening socket after a retransmission, not recognised (no line,
# reconnects=0, and the refusal of a client without certificate was not a reconnect's).
#   test/dtls_reconnect.sh BIN_DIR   (an mbedtls build: its udp_proxy; see test/lib.sh)
# RECONNECT_STACKS: the stacks whose servers are tried (default: openssl wolfssl).
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "stack interop through udp_proxy"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROXY=${UDP_PROXY:-$BIN/../mbedtls/programs/test/udp_proxy}
T=30
if [ ! -x "$PROXY" ]; then
	not_ok "udp_proxy at $PROXY (make ${PROXY#"$ROOT"/})"
	summary
	exit 1
fi
EC=$TMP/ec
gen_certs ec256 "$EC"
SRV=(--ca "$EC/ca.crt" --cert "$EC/server.crt" --key "$EC/server.key")
CLI=(--ca "$EC/ca.crt" --cert "$EC/client.crt" --key "$EC/client.key")

# server_says WHAT ERE: the server's stderr gets a line matching ERE (it may write it just
# after the client has exited: waited for, bounded).
server_says() {
	if wait_lines "$SRV_ERR" "$2" 1 10; then
		ok "$1"
	else
		not_ok "$1" "$(tail -n 3 "$SRV_ERR")"
	fi
}

# killed_keep: a --keep client through the proxy, killed after 1 s (no close_notify).
killed_keep() {
	local pid
	"$SB/dtls_client" -p "$PROXY_PORT" -s 64 -n 1000000 -w 0 --keep -q "${CLI[@]}" \
		>/dev/null 2>&1 </dev/null &
	pid=$!
	PIDS+=("$pid")
	sleep 1
	signal KILL "$pid" || true
	wait "$pid" 2>/dev/null || true
}

for st in ${RECONNECT_STACKS:-openssl wolfssl}; do
	SB=$(stack_bin "$st")
	what="$st dtls_server: reconnect from the same port"
	if [ ! -x "$SB/dtls_server" ]; then
		not_ok "$what: $SB/dtls_server (make STACK=$st)"
		continue
	fi
	SRV_BIN=$SB start_server "srv-$st" dtls_server -b 127.0.0.1 --forever --idle-timeout 60 \
		"${SRV[@]}" || continue
	proxy_start "$SRV_PORT" || { stop_server "$SRV_PID"; continue; }
	killed_keep
	BIN=$SB run_client "good-$st" "$T" dtls_client -p "$PROXY_PORT" -s 64 -n 2 -w 0 "${CLI[@]}"
	check_rc "$what: the next client: exit 0" "$RC" 0 "$ERR"
	server_says "$what: server: new handshake on the old connection" \
		": client reconnected from the same address and port: new handshake$"
	killed_keep
	BIN=$SB run_client "none-$st" "$T" dtls_client -p "$PROXY_PORT" -s 64 -n 1 -w 0 \
		--max-loss 1 --ca "$EC/ca.crt" --cert none
	check_rc "$what: a client without certificate: refused" "$RC" 1 "$ERR"
	server_says "$what: server re-authenticates: the new handshake fails" \
		": handshake after reconnect failed: "
	stop_server "$PROXY_PID"
	stop_server "$SRV_PID"
	check_grep "$what: end line counts the reconnects" "$SRV_OUT" \
		"^dtls conns=[0-9]+ .* reconnects=[1-9][0-9]* "
done
summary
