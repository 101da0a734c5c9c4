#!/bin/bash
# rpk.sh - raw public keys (RFC 7250, --rpk) on loopback, with the real programs:
#   - on a stack that has them (openssl): TLS 1.2, TLS 1.3 and DTLS 1.2 with each side's
#     key pinned by the other, no CA: everything acked, "rpk" negotiated in the client's
#     JSON and in the server's -o CSV (the far side), and fewer handshake bytes received by
#     the client than in the same run with certificates;
#   - a wrong pinned key on either side: refused with one line naming --rpk, and the server
#     then serves a good client; a certificate client at an --rpk server: refused, one line;
#   - bad input: a missing file, a file without a public key: one line, exit 2; a server
#     name OpenSSL refuses (--server-name 1.2.3): refused, no crash (once a double free);
#   - wolfssl (built with --enable-rpk) against openssl both ways and with itself, TLS 1.2,
#     1.3 and DTLS 1.2: everything acked, "rpk" in the client's JSON and in the server's CSV
#     (the far side); a wrong pinned key on either side refused with one line naming --rpk,
#     the server then serving a good client; a certificate client at a wolfssl --rpk
#     server refused;
#   - every stack built without raw public keys (mbedtls): refuses --rpk in one line naming
#     the stack, exit 2.
#   test/rpk.sh BIN_DIR
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
test_init "$@"
first_pass_only "stack interop"

T=30
FAST=(--hs-timeout "100,3200")
EC=$TMP/ec
gen_certs ec256 "$EC"
for k in server client ca; do
	openssl pkey -in "$EC/$k.key" -pubout -out "$TMP/$k.pub" 2>"$TMP/pkey.err" ||
		not_ok "openssl pkey -pubout $k" "$(cat "$TMP/pkey.err")"
done
CERTS=(--ca "$EC/ca.crt")
srv_creds() { SC=("${CERTS[@]}" --cert "$EC/server.crt" --key "$EC/server.key"); }
cli_creds() { CC=("${CERTS[@]}" --cert "$EC/client.crt" --key "$EC/client.key"); }
srv_creds
cli_creds

HERE=$(stack_of "$BIN")

# col FILE NAME: the values of column NAME of a CSV's connection rows, sorted and unique.
col() {
	awk -F, -v want="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == want) c = i; next }
		$1 != "msg" { print $c }' "$1" | sort -u | tr '\n' ' '
}

# fewer A B: A is a count above 0 and below B.
fewer() {
	[ "${1:-0}" -gt 0 ] && [ "$1" -lt "${2:-0}" ]
}

# refuses DIR STACK: every tls/dtls program of DIR refuses --rpk in one line, exit 2.
refuses() {
	local prog
	for prog in tls_client tls_server dtls_client dtls_server; do
		BIN=$1 run_client "refuse-$2" "$T" "$prog" -p 1 --rpk "$TMP/server.pub"
		check_rc "$2 $prog --rpk: exit 2" "$RC" 2 "$ERR"
		check_grep "$2 $prog --rpk: one line naming the stack" "$ERR" \
			"^$prog: --rpk: not supported by the $2 stack"
		check_eq "$2 $prog --rpk: that line only" "$(wc -l <"$ERR")" 1
	done
}

# The raw-public-key runs on the openssl programs: BIN's own, else make STACK=openssl's (make
# test runs this script with the default stack's programs).
RPK_BIN=$BIN
[ "$HERE" = openssl ] || RPK_BIN=$(stack_bin openssl)
if [ "$(stack_of "$RPK_BIN")" != openssl ]; then
	not_ok "the openssl programs for the raw-public-key runs (make STACK=openssl)"
	RPK_BIN=""
fi
OWN_BIN=$BIN
if [ -n "$RPK_BIN" ]; then
	BIN=$RPK_BIN
	for proto in tls dtls; do
		for v in $([ "$proto" = tls ] && echo 1.2 1.3 || echo 1.2); do
			vo=(--tls "$v")
			[ "$proto" = dtls ] && vo=("${FAST[@]}")
			what="$proto $v"
			# the certificate handshake, for its byte count
			start_server "c-$proto" "${proto}_server" -b 127.0.0.1 --forever "${SC[@]}" \
				"${vo[@]}" || continue
			run_client cert "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 2 -w 0 "${CC[@]}" \
				"${vo[@]}" -o "$TMP/cert.csv"
			check_rc "$what certificates: exit 0" "$RC" 0 "$ERR"
			stop_server "$SRV_PID"
			start_server "r-$proto" "${proto}_server" -b 127.0.0.1 --forever "${SC[@]}" \
				--rpk "$TMP/client.pub" -o "$TMP/srv.csv" "${vo[@]}" || continue
			run_client rpk "$T" "${proto}_client" -p "$SRV_PORT" -s 64,1K -n 2 -w 0 "${CC[@]}" \
				--rpk "$TMP/server.pub" "${vo[@]}" -o "$TMP/rpk.csv" --json "$TMP/rpk.json"
			check_rc "$what rpk: exit 0" "$RC" 0 "$ERR"
			check_grep "$what rpk: all acked" "$OUT" "^result proto=$proto .* acked=4 lost=0 end=acked$"
			check_grep "$what rpk: JSON auth_negotiated" "$TMP/rpk.json" '"auth_negotiated": "rpk"'
			check_eq "$what rpk: client CSV auth" "$(col "$TMP/rpk.csv" auth)" "rpk "
			check_eq "$what rpk: server CSV auth (far side)" "$(col "$TMP/srv.csv" auth)" "rpk "
			cb=$(col "$TMP/cert.csv" hs_rx_bytes | awk '{ print $1 }')
			rb=$(col "$TMP/rpk.csv" hs_rx_bytes | awk '{ print $1 }')
			echo "# $what: client handshake bytes received: certificates $cb, rpk $rb"
			check "$what rpk: fewer handshake bytes than certificates ($rb < $cb)" \
				fewer "$rb" "$cb"
			# the client pins a wrong key: its one line, then the server serves a good one
			run_client wrong "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 1 -w 0 "${CC[@]}" \
				--rpk "$TMP/ca.pub" "${vo[@]}"
			check "$what wrong server key: refused" [ "$RC" -ne 0 ]
			check_grep "$what wrong server key: one clear line" "$ERR" \
				"server raw public key rejected: not the key pinned by --rpk $TMP/ca.pub$"
			# a certificate client at the --rpk server
			run_client certcli "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 1 -w 0 "${CC[@]}" \
				"${vo[@]}"
			check "$what certificate client at an rpk server: refused" [ "$RC" -ne 0 ]
			run_client again "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 1 -w 0 "${CC[@]}" \
				--rpk "$TMP/server.pub" "${vo[@]}"
			check_rc "$what rpk after the refusals: served" "$RC" 0 "$ERR"
			stop_server "$SRV_PID"
			check_grep "$what: the server names the certificate client" "$SRV_ERR" \
				"did not negotiate raw public keys \(certificate types: server x509, client x509\)$"
			# the server pins a wrong key for the client
			start_server "w-$proto" "${proto}_server" -b 127.0.0.1 --forever "${SC[@]}" \
				--rpk "$TMP/ca.pub" "${vo[@]}" || continue
			run_client wrongc "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 1 -w 0 "${CC[@]}" \
				--rpk "$TMP/server.pub" "${vo[@]}"
			check "$what wrong client key: refused" [ "$RC" -ne 0 ]
			stop_server "$SRV_PID"
			check_grep "$what wrong client key: the server's line" "$SRV_ERR" \
				"client raw public key rejected: not the key pinned by --rpk $TMP/ca.pub$"
		done
	done
	# not RPK, the same code path: a server name OpenSSL refuses, once a double free
	start_server s-name tls_server -b 127.0.0.1 "${SC[@]}" || true
	run_client badname "$T" tls_client -p "$SRV_PORT" -s 64 -n 1 -w 0 "${CC[@]}" \
		--server-name 1.2.3
	check_rc "--server-name 1.2.3: refused, no crash" "$RC" 1 "$ERR"
	check_grep "--server-name 1.2.3: names the server name" "$ERR" "server name"
	stop_server "$SRV_PID"
	run_client nofile "$T" tls_client -p 1 --rpk "$TMP/none.pub"
	check_rc "missing --rpk file: exit 2" "$RC" 2 "$ERR"
	check_grep "missing --rpk file: one line" "$ERR" "^tls_client: --rpk: .*none.pub"
	run_client nokey "$T" tls_server -p 1 "${SC[@]}" --rpk "$EC/ca.crt"
	check_rc "--rpk file without a public key: exit 2" "$RC" 2 "$ERR"
	check_grep "--rpk file without a public key: one line" "$ERR" "no PEM public key in it"
fi

# --- wolfssl: against openssl both ways, and with itself ---
WOLF_BIN=$OWN_BIN
[ "$HERE" = wolfssl ] || WOLF_BIN=$(stack_bin wolfssl)
if [ -n "$RPK_BIN" ] && [ "$(stack_of "$WOLF_BIN")" = wolfssl ]; then
	for pair in openssl-wolfssl wolfssl-openssl wolfssl-wolfssl; do
		cs=${pair%-*} ss=${pair#*-}
		cb=$RPK_BIN sb=$RPK_BIN
		[ "$cs" = openssl ] || cb=$WOLF_BIN
		[ "$ss" = openssl ] || sb=$WOLF_BIN
		for v in tls-1.2 tls-1.3 dtls-1.2; do
			proto=${v%-*}
			vo=(--tls "${v#*-}")
			[ "$proto" = dtls ] && vo=("${FAST[@]}")
			what="$cs client, $ss server, $proto ${v#*-}"
			BIN=$sb start_server "x-$pair-$v" "${proto}_server" -b 127.0.0.1 --forever "${SC[@]}" \
				--rpk "$TMP/client.pub" -o "$TMP/xsrv.csv" "${vo[@]}" || continue
			BIN=$cb run_client "x-$pair" "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 2 -w 0 \
				"${CC[@]}" --rpk "$TMP/server.pub" "${vo[@]}" --json "$TMP/x.json"
			check_rc "$what rpk: exit 0" "$RC" 0 "$ERR"
			check_grep "$what rpk: all acked" "$OUT" "acked=2 lost=0 end=acked$"
			check_grep "$what rpk: client JSON auth_negotiated" "$TMP/x.json" \
				'"auth_negotiated": "rpk"'
			if [ "$cs" = wolfssl ]; then
				# the client pins a wrong key: its one line; the server goes on
				BIN=$cb run_client "xw-$pair" "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 1 \
					-w 0 "${CC[@]}" --rpk "$TMP/ca.pub" "${vo[@]}"
				check "$what wrong server key: refused" [ "$RC" -ne 0 ]
				check_grep "$what wrong server key: one clear line" "$ERR" \
					"server raw public key rejected: not the key pinned by --rpk $TMP/ca.pub$"
			fi
			if [ "$ss" = wolfssl ]; then
				BIN=$cb run_client "xc-$pair" "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 1 \
					-w 0 "${CC[@]}" "${vo[@]}"
				check "$what certificate client at an rpk server: refused" [ "$RC" -ne 0 ]
			fi
			BIN=$cb run_client "xa-$pair" "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 1 -w 0 \
				"${CC[@]}" --rpk "$TMP/server.pub" "${vo[@]}"
			check_rc "$what rpk after the refusals: served" "$RC" 0 "$ERR"
			stop_server "$SRV_PID"
			# (the refused connections' rows have no auth: they negotiated nothing)
			check_eq "$what rpk: server CSV auth (far side)" \
				"$(col "$TMP/xsrv.csv" auth | xargs)" "rpk"
			[ "$ss" = wolfssl ] || continue
			# the wolfssl server pins a wrong key for the client: its line, then goes on
			BIN=$sb start_server "xw-$pair-$v" "${proto}_server" -b 127.0.0.1 --forever \
				"${SC[@]}" --rpk "$TMP/ca.pub" "${vo[@]}" || continue
			BIN=$cb run_client "xwc-$pair" "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 1 -w 0 \
				"${CC[@]}" --rpk "$TMP/server.pub" "${vo[@]}"
			check "$what wrong client key: refused" [ "$RC" -ne 0 ]
			check "$what wrong client key: the server goes on" running "$SRV_PID"
			stop_server "$SRV_PID"
			check_grep "$what wrong client key: the server's line" "$SRV_ERR" \
				"client raw public key rejected: not the key pinned by --rpk $TMP/ca.pub$"
		done
	done
elif [ -n "$RPK_BIN" ]; then
	not_ok "the wolfssl programs for the raw-public-key interop runs (make STACK=wolfssl)"
fi

BIN=$OWN_BIN
case "$HERE" in openssl | wolfssl) ;; *) refuses "$BIN" "$HERE" ;; esac

# --- the other stacks built: each refuses --rpk unless it has them (tested above) ---
for s in $(make_var print-STACKS); do
	case "$s" in "$HERE" | openssl | wolfssl) continue ;; esac
	d=$(stack_bin "$s")
	if [ "$(stack_of "$d")" != "$s" ]; then
		echo "skip - stack $s not built in $d (make STACK=$s)"
		continue
	fi
	refuses "$d" "$s"
done

summary
