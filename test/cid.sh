#!/bin/bash
# cid.sh - DTLS 1.2 Connection ID (--cid, RFC 9146) across a NAT rebinding, with the real
# programs, in two network namespaces this script makes: the server's (198.51.100.1) and
# the client's (198.51.100.2), joined by a veth pair (RFC 5737 addresses); a --keep run of
# 100000 small messages (seconds on this machine) is moved in its middle.
# The move: stateless nftables rules in the client's namespace make everything it sends
# to the server leave from 198.51.100.3 and turn the answers back, as a NAT that rebinds
# does; the client program sees nothing of it.
#   - with --cid (mbedtls both sides): the client's CID in its JSON equals the one on the
#     server's negotiated line. Before the move a forged record with that CID (badpeer
#     cid=HEX: right CID, no key) and one with an unknown CID reach the server's listening
#     socket from another port: the forged one is handed to the connection and moves
#     nothing, the unknown one is dropped and counted. After the move the server follows
#     the client ("client moved to 198.51.100.3:PORT (connection ID)", "dtls cid moves=1"),
#     one handshake in all (the server's conns=1, the client's reconnects 0), every
#     message acked;
#   - without --cid: the server drops the moved client's records as strays, the client's
#     message times out and it makes a new connection: a new handshake (reconnects >= 1,
#     the server's conns >= 2) and the message lost, both counted;
#   - the CID not negotiated (one side without --cid): a line saying so, the session goes on
#     without, and the server serves the next client with one;
#   - the same move with a wolfssl server (mbedtls client): the same checks;
#   - across stacks (mbedtls client and wolfssl server, and the other way): the CID on the
#     server's negotiated line equals the client's; a wolfssl client whose server has no
#     --cid says so, as does a wolfssl server --cid whose client has none; wolfssl refuses --cid with DTLS 1.3 in one line, exit 2;
#   - the openssl stack (no CID) refuses --cid in one line, exit 2.
# Everything it makes (namespaces, veths, rules, processes) goes at exit.
#   test/cid.sh BIN_DIR      (as root)
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "network namespaces"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
S=acid$$s # namespace and veth names: unique per run (15 characters at most)
C=acid$$c
IPS=198.51.100.1
IPC=198.51.100.2
IPN=198.51.100.3 # the client's address after the move
NS_MADE=()

cleanup_ns() {
	local n
	for n in "${NS_MADE[@]+"${NS_MADE[@]}"}"; do
		kill_ns "$n"
		ip netns del "$n" 2>/dev/null || true
	done
	tlib_cleanup
}
trap cleanup_ns EXIT

if [ "$(id -u)" != 0 ] || ! "$ROOT/scripts/deps.sh" test >/dev/null 2>&1; then
	not_ok "cid.sh runs as root with scripts/deps.sh test (iproute2, nftables)"
	summary
	exit 1
fi
setup() {
	ip netns add "$S" && NS_MADE+=("$S") && ip netns add "$C" && NS_MADE+=("$C") &&
		ip link add "$S" type veth peer name "$C" &&
		ip link set "$S" netns "$S" && ip link set "$C" netns "$C" &&
		ip -n "$S" addr add "$IPS/24" dev "$S" && ip -n "$C" addr add "$IPC/24" dev "$C" &&
		ip -n "$C" addr add "$IPN/24" dev "$C" &&
		ip -n "$S" link set lo up && ip -n "$C" link set lo up &&
		ip -n "$S" link set "$S" up && ip -n "$C" link set "$C" up
}
if ! setup 2>"$TMP/setup.err"; then
	not_ok "two namespaces joined by a veth pair" "$(cat "$TMP/setup.err")"
	summary
	exit 1
fi
if ! "$ROOT/scripts/gen-certs.sh" -o "$TMP/certs" "$IPS" >/dev/null 2>"$TMP/gen.log"; then
	not_ok "gen-certs.sh -o TMP $IPS" "$(cat "$TMP/gen.log")"
	summary
	exit 1
fi
creds() { echo "--ca $TMP/certs/ca.crt --cert $TMP/certs/$1.crt --key $TMP/certs/$1.key"; }

# move PORT: from now on the client's datagrams to the server's PORT leave from IPN.
move() {
	ip netns exec "$C" nft -f - <<-NFT
		table ip acidmove {
			chain out {
				type filter hook output priority -300;
				ip daddr $IPS udp dport $1 ip saddr set $IPN
			}
			chain in {
				type filter hook prerouting priority -300;
				ip saddr $IPS udp sport $1 ip daddr $IPN ip daddr set $IPC
			}
		}
	NFT
}

# serve NAME SBIN ARGS...: a dtls_server in the server's namespace; sets SPID, PORT, SOUT,
# SERR.
serve() {
	local name=$1 sbin=$2
	shift 2
	SOUT=$TMP/$name-s.out
	SERR=$TMP/$name-s.err
	: >"$SOUT"
	# shellcheck disable=SC2046 # creds: options, split on purpose
	ip netns exec "$S" "$sbin/dtls_server" -b "$IPS" -p 0 $(creds server) "$@" \
		>"$SOUT" 2>"$SERR" &
	SPID=$!
	PIDS+=("$SPID")
	wait_lines "$SOUT" '^ready port=' 1 20 || true
	PORT=$(sed -n 's/^ready port=\([0-9]*\)$/\1/p' "$SOUT")
}

# client NAME CBIN SECS ARGS...: a dtls_client in the client's namespace, in the
# foreground; sets OUT, ERR, RC.
client() {
	local name=$1 cbin=$2 secs=$3
	shift 3
	OUT=$TMP/$name.out
	ERR=$TMP/$name.err
	RC=0
	# shellcheck disable=SC2046
	timeout -k 5 "$secs" ip netns exec "$C" "$cbin/dtls_client" -a "$IPS" -p "${PORT:-1}" \
		$(creds client) --json "$TMP/$name.json" "$@" >"$OUT" 2>"$ERR" </dev/null || RC=$?
}

# run NAME CID_OPTS...: a --keep run moved in its middle; sets OUT, ERR, SOUT, SERR, RC.
# With --cid, forged records reach the server before the move (forge). The server is
# $SRVBIN's (default $BIN's), the client $BIN's.
run() {
	local name=$1 i
	shift
	ip netns exec "$C" nft delete table ip acidmove 2>/dev/null || true
	serve "$name" "${SRVBIN:-$BIN}" "$@"
	OUT=$TMP/$name.out
	ERR=$TMP/$name.err
	# shellcheck disable=SC2046
	timeout -k 5 60 ip netns exec "$C" "$BIN/dtls_client" -a "$IPS" -p "${PORT:-1}" \
		$(creds client) --keep -s 64 -n 100000 -w 0 --timeout 1000 --json "$TMP/$name.json" \
		"$@" >"$OUT" 2>"$ERR" &
	i=$!
	PIDS+=("$i")
	# moved once the handshake is done (the server's line, flushed at once)
	wait_lines "$SOUT" '^# negotiated: conn=1 ' 1 20 || true
	[ "$#" = 0 ] || forge
	move "$PORT" 2>"$TMP/$name-nft.err" || not_ok "$name: nft rules for the move" \
		"$(cat "$TMP/$name-nft.err")"
	RC=0
	wait "$i" || RC=$?
	wait_exit "$SPID" 10
}

# forge: from another port of the client's namespace, a record with the session's CID
# but no key, and one with a CID the server never gave.
forge() {
	local other=ffffffff
	CID=$(sed -n 's/^# negotiated: conn=1 .* cid=\([0-9a-f]*\)$/\1/p' "$SOUT")
	[ "$CID" != "$other" ] || other=fffffffe
	ip netns exec "$C" "$BADPEER" -a "$IPS" -w 0 udp "$PORT" "cid=${CID:-00}" \
		>"$TMP/forged.out" 2>&1 || true
	ip netns exec "$C" "$BADPEER" -a "$IPS" -w 0 udp "$PORT" "cid=$other" \
		>"$TMP/unknown.out" 2>&1 || true
}

# cid_field FILE KEY: KEY's number on the server's "dtls cid" line in FILE.
cid_field() { sed -n "s/^dtls cid .*\\b$2=\\([0-9]*\\).*/\\1/p" "$1"; }

t0=$SECONDS
WOLF=$(stack_bin wolfssl)

# moved NAME LABEL: the checks of a --cid run moved in its middle (run NAME --cid).
moved() {
	local name=$1 l=$2 cid routed
	check_rc "$l: exit 0" "$RC" 0 "$ERR"
	check_grep "$l: all acked" "$OUT" "^result proto=dtls mode=keep .* acked=100000 lost=0 end=acked$"
	cid=$(jq -r .cid "$TMP/$name.json")
	check "$l: a CID in the client's JSON ($cid)" test -n "$cid"
	check_eq "$l: the server's negotiated line has the same CID" "${CID:-}" "$cid"
	check_grep "$l: the server followed the client to its new address" "$SERR" \
		"client moved to $IPN:[0-9]+ \\(connection ID\\): session kept, no handshake$"
	check_eq "$l: one move line (the forged record moved nothing)" \
		"$(grep -c 'client moved to' "$SERR")" 1
	check_eq "$l: one move counted" "$(cid_field "$SOUT" moves)" 1
	routed=$(cid_field "$SOUT" routed)
	check "$l: the forged and the moved records went to the connection (routed=$routed)" \
		test "${routed:-0}" -ge 2
	check_eq "$l: the unknown CID dropped and counted" "$(cid_field "$SOUT" unknown)" 1
	check_grep "$l: the unknown CID named on stderr" "$SERR" \
		"^dtls_server: $IPC:[0-9]+: 65-byte record with an unknown connection ID: dropped$"
	check_eq "$l: no new handshake (client reconnects)" "$(jq -r .reconnects "$TMP/$name.json")" 0
	check_grep "$l: one handshake on the server" "$SOUT" \
		"^dtls conns=1 hello_verify=1 .* reconnects=0 "
	check_grep "$l: one connection on the server" "$SOUT" "^done conns=1 messages=100000 "
}

run cid --cid
moved cid "with --cid"
if [ -x "$WOLF/dtls_server" ]; then
	SRVBIN=$WOLF run wcid --cid
	moved wcid "wolfssl server, mbedtls client, --cid"
else
	not_ok "wolfssl: its programs built ($WOLF; make STACK=wolfssl)"
fi

run nocid
check_rc "without --cid: exit 1 (a message lost)" "$RC" 1 "$ERR"
check_grep "without --cid: the moved client's message lost" "$OUT" \
	"^result proto=dtls mode=keep .* acked=9999[0-9] lost=[1-9] end=acked$"
rec=$(jq -r .reconnects "$TMP/nocid.json")
check "without --cid: a new handshake after the move (client reconnects $rec)" test "$rec" -ge 1
check_grep "without --cid: the server saw a second connection" "$SOUT" "^done conns=[2-9] "
check_grep "without --cid: the moved records were strays to the server" "$SOUT" \
	"^dtls conns=.* stray=[1-9][0-9]*$"
check_nogrep "without --cid: no move" "$SERR" "client moved"
lost() { sed -n 's/^result proto=dtls .* lost=\([0-9]*\) .*/\1/p' "$TMP/$1.out"; }
echo "# the same move: with --cid $(cid_field "$TMP/cid-s.out" moves) move followed," \
	"$(sed -n 's/^dtls conns=\([0-9]*\) .*/\1/p' "$TMP/cid-s.out") handshake, $(lost cid) lost;" \
	"without: $(sed -n 's/^dtls conns=\([0-9]*\) .*/\1/p' "$TMP/nocid-s.out") handshakes," \
	"$(lost nocid) lost"

# The CID not negotiated: a line, the session goes on without, the server with the next.
serve half "$BIN" --cid --forever
client half-plain "$BIN" 30 --keep -n 20
check_rc "server --cid, client without: exit 0" "$RC" 0 "$ERR"
check_grep "server --cid, client without: the server says so" "$SERR" \
	"^dtls_server: $IPC:[0-9]+: no connection ID: the client did not negotiate one \\(RFC 9146\\); the session is tied to the address"
check_grep "server --cid, client without: cid=none on the server's line" "$SOUT" \
	"^# negotiated: conn=1 .* cid=none$"
client half-cid "$BIN" 30 --keep -n 20 --cid
check_rc "then a client with --cid: exit 0" "$RC" 0 "$ERR"
check_grep "then a client with --cid: negotiated (the server went on)" "$SOUT" \
	"^# negotiated: conn=2 .* cid=[0-9a-f]{8}$"
stop_server "$SPID"
serve plain "$BIN" --forever
client plain-cid "$BIN" 30 --keep -n 20 --cid
check_rc "client --cid, server without: exit 0" "$RC" 0 "$ERR"
check_grep "client --cid, server without: the client says so" "$ERR" \
	"^dtls_client: $IPS:[0-9]+: no connection ID: the server did not negotiate one \\(RFC 9146\\)"
check_eq "client --cid, server without: no CID in its JSON" "$(jq -r .cid "$TMP/plain-cid.json")" ""
stop_server "$SPID"

# Across stacks: mbedtls and wolfssl each way, the CID checked from the server's line.
xstack() { # NAME SBIN CBIN LABEL
	serve "$1" "$2" --cid --forever
	client "$1" "$3" 30 --keep -n 20 --cid
	check_rc "$4: exit 0" "$RC" 0 "$ERR"
	check_grep "$4: CID negotiated (the server's line)" "$SOUT" \
		"^# negotiated: conn=1 .* cid=[0-9a-f]{8}$"
	check_eq "$4: the client's JSON has the server's CID" "$(jq -r .cid "$TMP/$1.json")" \
		"$(sed -n 's/^# negotiated: conn=1 .* cid=\([0-9a-f]*\)$/\1/p' "$SOUT")"
	stop_server "$SPID"
}
if [ -x "$WOLF/dtls_client" ]; then
	xstack x-mw "$WOLF" "$BIN" "mbedtls client, wolfssl server"
	xstack x-wm "$BIN" "$WOLF" "wolfssl client, mbedtls server"
	serve x-wplain "$WOLF" --forever
	client x-wplain "$WOLF" 30 --keep -n 20 --cid
	check_rc "wolfssl client --cid, wolfssl server without: exit 0" "$RC" 0 "$ERR"
	check_grep "wolfssl client --cid, server without: the client says so" "$ERR" \
		"^dtls_client: $IPS:[0-9]+: no connection ID: the server did not negotiate one \\(RFC 9146\\)"
	stop_server "$SPID"
	serve x-whalf "$WOLF" --cid --forever
	client x-whalf "$BIN" 30 --keep -n 20
	check_rc "wolfssl server --cid, client without: exit 0" "$RC" 0 "$ERR"
	check_grep "wolfssl server --cid, client without: the server says so" "$SERR" \
		"^dtls_server: $IPC:[0-9]+: no connection ID: the client did not negotiate one \\(RFC 9146\\)"
	check_grep "wolfssl server --cid, client without: cid=none on its line" "$SOUT" \
		"^# negotiated: conn=1 .* cid=none$"
	stop_server "$SPID"
	BIN=$WOLF run_client refuse-wolf13 5 dtls_client --cid --tls 1.3 -p 1
	check_rc "wolfssl: --cid with DTLS 1.3 refused: exit 2" "$RC" 2
	check_grep "wolfssl: --cid with DTLS 1.3 refused in one line" "$ERR" \
		"^dtls_client: --cid: not supported by the wolfssl stack"
fi

d=$(stack_bin openssl)
if [ ! -x "$d/dtls_client" ]; then
	not_ok "openssl: its programs built ($d; make STACK=openssl)"
else
	BIN=$d run_client refuse-openssl 5 dtls_client --cid -p 1
	check_rc "openssl: --cid refused: exit 2" "$RC" 2
	check_grep "openssl: --cid refused in one line naming the stack" "$ERR" \
		"^dtls_client: --cid: not supported by the openssl stack"
fi

echo "# cid.sh took $((SECONDS - t0)) s"
summary
