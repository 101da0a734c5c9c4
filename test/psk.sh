#!/bin/bash
# psk.sh - pre-shared key authentication (--psk, --psk-file, --psk-identity, --psk-mode) on
# loopback, with the real programs:
#   - the stack of BIN_DIR with itself, TLS 1.2, TLS 1.3 and DTLS 1.2, each mode (psk,
#     psk-dhe): everything acked, no certificate anywhere (run in an empty directory), the
#     negotiated authentication in the client's JSON and CSV and, from the far side, in the
#     server's -o CSV; the suite and group that mode implies;
#   - resumed PSK sessions (--resume), TLS 1.2, TLS 1.3 (also with early data) and DTLS
#     1.2: the first connection full, the next resumed, in the client's CSV and, from the
#     far side, in the server's -o CSV; the early data accepted;
#   - a wrong key and an unknown identity: refused with a clear line on the server, which
#     then serves a good client; the key never appears in any output;
#   - bad input: non-hex, odd, empty, over-long keys, an over-long identity, an unknown
#     mode, a missing key file, --psk-identity without a key: one line, exit 2;
# The stacks with each other: test/psk_interop.sh.
#   test/psk.sh BIN_DIR
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "stack interop"

T=30
KEY=3f1c9a0e5b7d2468ace013579bdf0246
BAD=3f1c9a0e5b7d2468ace013579bdf0247
FAST=(--hs-timeout "100,3200")
cd "$TMP" # no certs/ here: a PSK run needs none

HERE=$(stack_of "$BIN")

# col FILE NAME: the values of column NAME of a CSV's data rows (kind=conn rows only for
# a server log), sorted and unique.
col() {
	awk -F, -v want="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == want) c = i; next }
		$1 != "msg" { print $c }' "$1" | sort -u | tr '\n' ' '
}

# suite MODE VERSION: the ERE of the negotiated line for a mode (Mbed TLS names).
expect_line() {
	local mode=$1 ver=$2 grp=secp256r1
	[ "$mode" = psk ] && grp=no-group
	echo "^# negotiated: $ver [^ ]+ $grp $mode( |$)"
}

# --- the stack with itself, each version and mode ---
for proto in tls dtls; do
	for v in $([ "$proto" = tls ] && echo 1.2 1.3 || echo 1.2); do
		vo=(--tls "$v")
		ver=TLSv$v
		[ "$proto" = dtls ] && vo=("${FAST[@]}") && ver=DTLSv1.2
		for mode in psk psk-dhe; do
			what="$HERE $proto $v $mode"
			start_server "s-$proto-$mode" "${proto}_server" -b 127.0.0.1 --forever \
				--psk "$KEY" --psk-mode "$mode" -o "$TMP/srv.csv" "${vo[@]}" || continue
			run_client cli "$T" "${proto}_client" -p "$SRV_PORT" -s 64,1K -n 3 -w 0 \
				--psk "$KEY" --psk-mode "$mode" "${vo[@]}" -o "$TMP/c.csv" --json "$TMP/c.json"
			check_rc "$what: exit 0" "$RC" 0 "$ERR"
			check_grep "$what: all acked" "$OUT" "^result proto=$proto .* acked=6 lost=0 end=acked$"
			check_grep "$what: negotiated $ver, $mode" "$OUT" "$(expect_line "$mode" "$ver")"
			check_eq "$what: JSON auth asked" "$(jq -r .auth "$TMP/c.json")" "$mode"
			check_eq "$what: JSON auth negotiated" "$(jq -r .auth_negotiated "$TMP/c.json")" "$mode"
			check_eq "$what: CSV auth of every row" "$(col "$TMP/c.csv" auth)" "$mode "
			check "$what: no row counted as resumed" csv_all "$TMP/c.csv" "\$16 == 0"
			wait_lines "$TMP/srv.csv" "^conn," 6 10 || true
			check_eq "$what: server log's auth (far side)" "$(col "$TMP/srv.csv" auth)" "$mode "
			stop_server "$SRV_PID"
		done
	done
done

# --- resumed PSK sessions (--resume): the first connection full, the others resumed, said
# by the client's CSV and from the far side by the server's -o CSV; TLS 1.3 also with
# early data on the resumed connections ---
# rcol FILE: the resumed column of a CSV's connection rows (a client's: every row; a
# server's: kind=conn), in order, on one line.
rcol() {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "resumed") c = i; next }
		$1 != "msg" { printf "%s ", $c }' "$1"
}
for cfg in "tls 1.2 psk" "tls 1.3 psk-dhe" "tls 1.3 psk early" "dtls 1.2 psk-dhe"; do
	read -r proto v mode early <<<"$cfg"
	vo=(--tls "$v")
	[ "$proto" = dtls ] && vo=("${FAST[@]}")
	eo=()
	[ -n "$early" ] && eo=(--early-data)
	what="$HERE $proto $v $mode resumed${early:+, early data}"
	rm -f "$TMP/srv.csv" "$TMP/c.json"
	start_server "r-$proto$v-$mode" "${proto}_server" -b 127.0.0.1 --psk "$KEY" \
		--psk-mode "$mode" -o "$TMP/srv.csv" "${vo[@]}" "${eo[@]}" || continue
	run_client res "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 3 -w 0 --psk "$KEY" \
		--psk-mode "$mode" --resume "${eo[@]}" "${vo[@]}" -o "$TMP/c.csv" --json "$TMP/c.json"
	check_rc "$what: exit 0" "$RC" 0 "$ERR"
	check_grep "$what: all acked" "$OUT" "^result proto=$proto .* acked=3 lost=0 end=acked$"
	check_eq "$what: client CSV: full, then resumed" "$(rcol "$TMP/c.csv")" "0 1 1 "
	check_eq "$what: JSON auth negotiated" "$(jq -r .auth_negotiated "$TMP/c.json")" "$mode"
	wait_exit "$SRV_PID" 10
	check_eq "$what: the server's log: full, then resumed (far side)" \
		"$(rcol "$TMP/srv.csv")" "0 1 1 1 "
	if [ -n "$early" ]; then
		check_eq "$what: early data offered and accepted on the resumed connections" \
			"$(jq -r '.early_data | "\(.offered)/\(.accepted)/\(.rejected)"' "$TMP/c.json")" "3/3/0"
		check_grep "$what: the server received it" "$SRV_OUT" "^early data: conns=3 "
	fi
done

# --- wrong key, unknown identity: refused, the server goes on ---
for proto in tls dtls; do
	vo=()
	[ "$proto" = dtls ] && vo=("${FAST[@]}")
	start_server "s-$proto-neg" "${proto}_server" -b 127.0.0.1 --forever --psk "$KEY" \
		--psk-identity dev-1 "${vo[@]}" || continue
	run_client wrongkey "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 1 -w 0 --max-loss 1 \
		--psk "$BAD" --psk-identity dev-1 --hs-deadline 3000 "${vo[@]}"
	check "$proto wrong key: client fails" test "$RC" -ne 0
	wait_lines "$SRV_ERR" "handshake failed" 1 10 || true
	check_grep "$proto wrong key: the server says why" "$SRV_ERR" "PSK handshake failed: the client.s key for identity .dev-1. differs"
	run_client unknown "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 1 -w 0 --max-loss 1 \
		--psk "$KEY" --psk-identity dev-2 --hs-deadline 3000 "${vo[@]}"
	check "$proto unknown identity: client fails" test "$RC" -ne 0
	wait_lines "$SRV_ERR" "unknown PSK identity" 1 10 || true
	check_grep "$proto unknown identity: the server names it" "$SRV_ERR" "unknown PSK identity 'dev-2'"
	run_client good "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 3 -w 0 --psk "$KEY" \
		--psk-identity dev-1 "${vo[@]}"
	check_rc "$proto after both: a good client is served" "$RC" 0 "$ERR"
	check_nogrep "$proto: the key is never printed" <(cat "$TMP"/*.out "$TMP"/*.err) "$KEY|$BAD"
	stop_server "$SRV_PID"
done

# --- bad input: one line, exit 2 ---
printf '%s\n' "$KEY" >"$TMP/key.hex"
long=$(printf '%0130d' 0)
longid=$(printf 'i%.0s' $(seq 129))
bad_input() {
	local what=$1
	shift
	run_client bad "$T" tls_client -p 1 "$@"
	check_rc "bad input, $what: exit 2" "$RC" 2 "$ERR"
	check_eq "bad input, $what: one line" "$(wc -l <"$ERR")" 1
	check_nogrep "bad input, $what: no key echoed" "$ERR" "$KEY|3f1c9a0e5b7d2468ace0zz|$long"
}
bad_input "non-hex key" --psk 3f1c9a0e5b7d2468ace0zz
bad_input "odd digits" --psk "${KEY}0"
bad_input "empty key" --psk ""
bad_input "65-byte key" --psk "$long"
bad_input "129-character identity" --psk "$KEY" --psk-identity "$longid"
bad_input "identity with a space" --psk "$KEY" --psk-identity "a b"
bad_input "unknown mode" --psk "$KEY" --psk-mode dhe
bad_input "missing key file" --psk-file "$TMP/none.hex"
bad_input "--psk and --psk-file" --psk "$KEY" --psk-file "$TMP/key.hex"
bad_input "identity without a key" --psk-identity dev-1
run_client bad "$T" dtls_client -p 1 --psk "$KEY" --resume --tls 1.3
check_rc "bad input, --resume with a key on DTLS 1.3: exit 2" "$RC" 2 "$ERR"
check_grep "bad input, --resume with a key on DTLS 1.3: says so" "$ERR" \
	"^dtls_client: --resume with --psk on DTLS 1.3: not built"
start_server s-file tls_server -b 127.0.0.1 --psk-file "$TMP/key.hex" || true
run_client file "$T" tls_client -p "$SRV_PORT" -s 64 -n 2 -w 0 --psk-file "$TMP/key.hex"
check_rc "--psk-file on both sides: exit 0" "$RC" 0 "$ERR"
stop_server "$SRV_PID"

summary
