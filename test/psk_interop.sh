#!/bin/bash
# psk_interop.sh - pre-shared keys across the stacks on loopback, with the real programs of
# every stack built (BIN_DIR's, and the others' from their build dirs):
#   - every ordered pair of different stacks (client, server) in every PSK mode they all
#     have: TLS 1.2 psk (PSK-AES128-GCM) and psk-dhe (ECDHE-PSK-AES128-CBC-SHA256), TLS 1.3
#     psk (psk_ke) and psk-dhe (psk_dhe_ke), DTLS 1.2 psk and psk-dhe: everything acked,
#     no certificate anywhere (run in an empty directory); the mode checked on both ends:
#     the client's negotiated line and JSON, and from the far side the server's -o CSV
#     rows of that client's connections; every client with --resume: its first connection
#     full, the next resumed, in its CSV and, from the far side, in the server's log; TLS 1.3
#     psk with early data (--early-data) on the resumed connections, accepted;
#   - on every server of every stack and version, a client of another stack with a wrong
#     key and one with an unknown identity: refused, the server says which in one line
#     and then serves a good client; no key in any output.
# A stack not built (make other-stacks) is skipped and said so, one that refuses --psk
# checked to do so in one line; with fewer than two stacks there is no pair, said so.
#   test/psk_interop.sh BIN_DIR
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "stack interop"

T=30
KEY=5a1e0f3c7b2d9e8a6c4f1b3d5e7a9c0b
BAD=5a1e0f3c7b2d9e8a6c4f1b3d5e7a9c0c
ID=node-17
FAST=(--hs-timeout "100,3200")
cd "$TMP" # no certs/ here: a PSK run needs none

HERE=$(stack_of "$BIN")
declare -A DIR
STACKS=()
for s in $(make_var print-STACKS); do
	d=$BIN
	[ "$s" = "$HERE" ] || d=$(stack_bin "$s")
	if [ "$(stack_of "$d")" != "$s" ]; then
		echo "skip - stack $s not built in $d (make STACK=$s)"
		continue
	fi
	rc=0
	"$d/tls_client" -p 1 --psk "$KEY" >"$TMP/probe.out" 2>&1 </dev/null || rc=$?
	if grep -q "^tls_client: --psk: not supported by the $s stack" "$TMP/probe.out"; then
		check_rc "stack $s without PSK: refuses --psk in one line, exit 2" "$rc" 2
		continue
	fi
	DIR[$s]=$d
	STACKS+=("$s")
done
if [ "${#STACKS[@]}" -lt 2 ]; then
	echo "skip - fewer than two stacks built (${STACKS[*]}): no pair (make other-stacks)"
	summary
	exit 0
fi

# The auth column of the server log's conn rows after the first N, sorted and unique.
conn_auth() {
	awk -F, -v skip="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "auth") c = i; next }
		$1 == "conn" && ++n > skip { print $c }' "$1" | sort -u | tr '\n' ' '
}
# The resumed column of the server log's conn rows after the first N, on one line.
conn_resumed() {
	awk -F, -v skip="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "resumed") c = i; next }
		$1 == "conn" && ++n > skip { printf "%s ", $c }' "$1"
}
conns() {
	grep -c '^conn,' "$1" 2>/dev/null || true
}

# One server per stack, version and mode; every other stack's client against it.
for srv in "${STACKS[@]}"; do
	for cfg in "tls 1.2" "tls 1.3" "dtls 1.2"; do
		read -r proto v <<<"$cfg"
		vo=(--tls "$v")
		ver=TLSv$v
		[ "$proto" = dtls ] && vo=("${FAST[@]}") && ver=DTLSv1.2
		for mode in psk psk-dhe; do
			grp=secp256r1
			[ "$mode" = psk ] && grp=no-group
			log="$TMP/srv-$srv-$proto$v-$mode.csv"
			eo=()
			[ "$proto$v$mode" = tls1.3psk ] && eo=(--early-data)
			BIN=${DIR[$srv]} start_server "s-$srv-$proto$v-$mode" "${proto}_server" \
				-b 127.0.0.1 --forever --psk "$KEY" --psk-identity "$ID" \
				--psk-mode "$mode" -o "$log" "${vo[@]}" "${eo[@]}" || continue
			for cli in "${STACKS[@]}"; do
				[ "$cli" != "$srv" ] || continue
				what="$cli -> $srv $proto $v $mode"
				before=$(conns "$log")
				BIN=${DIR[$cli]} run_client "c-$cli" "$T" "${proto}_client" -p "$SRV_PORT" \
					-s 64 -n 2 -w 0 --psk "$KEY" --psk-identity "$ID" --psk-mode "$mode" \
					--resume "${eo[@]}" "${vo[@]}" --json "$TMP/c.json" -o "$TMP/c.csv"
				check_rc "$what: exit 0" "$RC" 0 "$ERR"
				check_grep "$what: all acked" "$OUT" "^result proto=$proto .* acked=2 lost=0 end=acked$"
				check_grep "$what: negotiated $ver, $grp, $mode" "$OUT" \
					"^# negotiated: $ver [^ ]+ $grp $mode( |$)"
				check_eq "$what: client JSON auth_negotiated" \
					"$(jq -r .auth_negotiated "$TMP/c.json" 2>/dev/null)" "$mode"
				# 2 messages, a connection each, and the end message's
				wait_lines "$log" "^conn," $((before + 3)) 10 || true
				check_eq "$what: the server's log says $mode (far side)" \
					"$(conn_auth "$log" "$before")" "$mode "
				check_eq "$what: client CSV: full, then resumed" \
					"$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "resumed") c = i; next }
						{ printf "%s ", $c }' "$TMP/c.csv")" "0 1 "
				check_eq "$what: the server's log: full, then resumed (far side)" \
					"$(conn_resumed "$log" "$before")" "0 1 1 "
				[ ${#eo[@]} -eq 0 ] || check_eq "$what: early data on the resumed connections" \
					"$(jq -r '.early_data | "\(.offered)/\(.accepted)/\(.rejected)"' "$TMP/c.json")" \
					"2/2/0"
			done
			stop_server "$SRV_PID"
		done
	done
done

# Refusals: each server (psk-dhe) against the next stack's client.
n=${#STACKS[@]}
for i in $(seq 0 $((n - 1))); do
	srv=${STACKS[$i]}
	cli=${STACKS[$(((i + 1) % n))]}
	for cfg in "tls 1.2" "tls 1.3" "dtls 1.2"; do
		read -r proto v <<<"$cfg"
		vo=(--tls "$v")
		[ "$proto" = dtls ] && vo=("${FAST[@]}")
		what="$cli -> $srv $proto $v"
		BIN=${DIR[$srv]} start_server "n-$srv-$proto$v" "${proto}_server" -b 127.0.0.1 \
			--forever --psk "$KEY" --psk-identity "$ID" "${vo[@]}" || continue
		BIN=${DIR[$cli]} run_client wrongkey "$T" "${proto}_client" -p "$SRV_PORT" -s 64 \
			-n 1 -w 0 --max-loss 1 --psk "$BAD" --psk-identity "$ID" --hs-deadline 3000 "${vo[@]}"
		check "$what wrong key: the client fails" test "$RC" -ne 0
		wait_lines "$SRV_ERR" "PSK handshake failed" 1 10 || true
		check_grep "$what wrong key: the server says why" "$SRV_ERR" \
			"PSK handshake failed: the client.s key for identity .$ID. differs"
		# The unknown identity on a server of its own: the wrong key's DTLS client tries
		# several times, and its last handshakes may end after the next client's (the
		# server's lobby runs them side by side), so one log could not tell them apart.
		stop_server "$SRV_PID"
		BIN=${DIR[$srv]} start_server "u-$srv-$proto$v" "${proto}_server" -b 127.0.0.1 \
			--forever --psk "$KEY" --psk-identity "$ID" "${vo[@]}" || continue
		BIN=${DIR[$cli]} run_client unknown "$T" "${proto}_client" -p "$SRV_PORT" -s 64 \
			-n 1 -w 0 --max-loss 1 --psk "$KEY" --psk-identity intruder --hs-deadline 3000 \
			"${vo[@]}"
		check "$what unknown identity: the client fails" test "$RC" -ne 0
		wait_lines "$SRV_ERR" "unknown PSK identity" 1 10 || true
		check_grep "$what unknown identity: the server names it" "$SRV_ERR" \
			"unknown PSK identity 'intruder' \(ours: '$ID'\): refused"
		BIN=${DIR[$cli]} run_client good "$T" "${proto}_client" -p "$SRV_PORT" -s 64 -n 2 \
			-w 0 --psk "$KEY" --psk-identity "$ID" "${vo[@]}"
		check_rc "$what after both: a good client is served" "$RC" 0 "$ERR"
		check_nogrep "$what: no key-mismatch line for the unknown identity" "$SRV_ERR" \
			"PSK handshake failed"
		stop_server "$SRV_PID"
	done
done
check_nogrep "the key is never printed" <(cat "$TMP"/*.out "$TMP"/*.err) "$KEY|$BAD"

summary
