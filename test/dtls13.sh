#!/bin/bash
# dtls13.sh - DTLS 1.3 (--tls 1.3 on the dtls programs), wolfssl with itself:
#   - refusals: the stacks without DTLS 1.3 (Mbed TLS 3.6, OpenSSL 3.x) refuse --tls 1.3 on
#     dtls_client and dtls_server in one line naming the stack, exit 2, before any traffic;
#   - a DTLS 1.3 handshake and messages on loopback: DTLSv1.3 on both sides (the server's
#     own "# negotiated:" line), the HelloRetryRequest cookie round trip (client: "after
#     HelloRetryRequest", cookie_us; server: hello_verify counts one per connection);
#   - X25519MLKEM768 at --mtu 600: the group on the server's line, the first ClientHello
#     with an empty key share (it fits one datagram), the second one (with the 1,216-byte
#     key share) in several fragments, no handshake datagram above the MTU, the largest
#     message (600 - 22 bytes) acked;
#   - loss: the link emulation (scripts/link.sh) drops the second ClientHello's second
#     fragment (drop.up=3) and the server's first encrypted flight's first datagram
#     (drop.down=3): every message acked, the retransmissions counted on both sides
#     (hs_retrans, the server's retrans=) and shown in the client's timeline.
# First pass of make test only (interop of the other stacks' builds, a link).
#   test/dtls13.sh BIN_DIR   (as root for the loss part; BIN_DIR: any stack's programs)
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "DTLS 1.3 across the stacks' builds and an emulated link"

T=30
W=$(stack_bin wolfssl)
[ -x "$W/dtls_client" ] || { not_ok "wolfssl programs in $W (make STACK=wolfssl)"; summary; exit 1; }

# --- refusals ---
for s in mbedtls openssl; do
	d=$(stack_bin "$s")
	[ -x "$d/dtls_client" ] || { not_ok "$s programs in $d (make STACK=$s)"; continue; }
	for p in dtls_client dtls_server; do
		rc=0
		timeout -k 5 10 "$d/$p" --tls 1.3 -p "$([ $p = dtls_client ] && echo 9 || echo 0)" \
			>"$TMP/ref.out" 2>"$TMP/ref.err" </dev/null || rc=$?
		check_rc "$s $p --tls 1.3: exit 2" "$rc" 2 "$TMP/ref.err"
		check_eq "$s $p --tls 1.3: one line naming the stack" \
			"$(wc -l <"$TMP/ref.err") $(grep -c "DTLS 1.3 is not in the $s stack" "$TMP/ref.err")" "1 1"
		check_nogrep "$s $p --tls 1.3: no ready line (refused before any traffic)" \
			"$TMP/ref.out" '^ready'
	done
done
rc=0
timeout -k 5 10 "$W/dtls_client" --tls 1.4 -p 9 >"$TMP/ref.out" 2>"$TMP/ref.err" || rc=$?
check_rc "wolfssl dtls_client --tls 1.4: exit 2" "$rc" 2 "$TMP/ref.err"

# negotiated_of FILE: the version and group of the first "# negotiated:" line
negotiated_of() {
	sed -n 's/^# negotiated: \(conn=[0-9]* \)\{0,1\}\([^ ]*\) [^ ]* \([^ ]*\) .*/\2 \3/p' "$1" | head -n 1
}

# --- DTLS 1.3 on loopback, the default group ---
SRV_BIN=$W start_server s13 dtls_server -b 127.0.0.1 --tls 1.3 || { summary; exit 1; }
# three malformed ClientHellos first (a record and handshake header, random body): the
# listener's WOLFSSL drops them, the server counts them as stray and serves on
"${PYTHON:-/usr/bin/python3}" -c '
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
body = bytes([0xFE, 0xFD]) + os.urandom(32) + bytes(2) + os.urandom(60)
hs = bytes([1]) + len(body).to_bytes(3, "big") + bytes(5) + len(body).to_bytes(3, "big") + body
rec = bytes([22, 0xFE, 0xFD]) + bytes(8) + len(hs).to_bytes(2, "big") + hs
for _ in range(3):
    s.sendto(rec, ("127.0.0.1", int(sys.argv[1])))' "$SRV_PORT"
t0=$(date +%s.%N)
timeout -k 5 $T "$W/dtls_client" -a 127.0.0.1 -p "$SRV_PORT" --tls 1.3 -s 64,1K -n 3 -w 0 \
	-o "$TMP/c13.csv" --json "$TMP/c13.json" >"$TMP/c13.out" 2>"$TMP/c13.err" || true
stop_server "$SRV_PID"
check_grep "dtls 1.3: every message acked ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'))" \
	"$TMP/c13.out" '^result .* messages=6 acked=6 lost=0 '
check_eq "dtls 1.3: the client negotiated DTLSv1.3 secp256r1" "$(negotiated_of "$TMP/c13.out")" \
	"DTLSv1.3 secp256r1"
check_eq "dtls 1.3: the server (far side) negotiated DTLSv1.3 secp256r1" \
	"$(negotiated_of "$SRV_OUT")" "DTLSv1.3 secp256r1"
check_grep "dtls 1.3: the client saw the HelloRetryRequest (cookie)" "$TMP/c13.out" \
	'^# negotiated: .*after HelloRetryRequest'
check_eq "dtls 1.3: cookie_us > 0 on every connection" \
	"$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "cookie_us") c = i; next }
		$c > 0 { n++ } END { print n + 0 }' "$TMP/c13.csv")" 6
check_grep "dtls 1.3: a HelloRetryRequest per connection (and the end's), the 3 malformed stray" \
	"$SRV_OUT" '^dtls conns=7 hello_verify=7 .* stray=3$'
check_eq "dtls 1.3: each malformed one named on stderr" \
	"$(grep -c 'datagram is not a ClientHello (stale or garbage): dropped' "$SRV_ERR")" 3
check_grep "dtls 1.3: the server got all six" "$SRV_OUT" 'received=6 valid=6'
check_eq "dtls 1.3: JSON negotiated" "$(jq -r '.negotiated | split(" ")[0]' "$TMP/c13.json")" "DTLSv1.3"

# --- X25519MLKEM768 at --mtu 600: the PQ ClientHello in fragments ---
SRV_BIN=$W start_server pq dtls_server -b 127.0.0.1 --tls 1.3 --groups X25519MLKEM768 \
	--mtu 600 || { summary; exit 1; }
timeout -k 5 $T "$W/dtls_client" -a 127.0.0.1 -p "$SRV_PORT" --tls 1.3 --groups X25519MLKEM768 \
	--mtu 600 -s 64,578 -n 2 -w 0 --timeline "$TMP/pq.tl" >"$TMP/pq.out" 2>"$TMP/pq.err" || true
rc=0
timeout -k 5 $T "$W/dtls_client" -a 127.0.0.1 -p "$SRV_PORT" --tls 1.3 --groups X25519MLKEM768 \
	--mtu 600 -s 579 -n 1 -w 0 >"$TMP/pq2.out" 2>"$TMP/pq2.err" || rc=$?
stop_server "$SRV_PID"
check_grep "pq: every message acked, 578 bytes the largest" "$TMP/pq.out" \
	'^result .* messages=4 acked=4 lost=0 '
check_rc "pq: a 579-byte message at --mtu 600 refused" "$rc" 2 "$TMP/pq2.err"
check_eq "pq: the server (far side) negotiated DTLSv1.3 X25519MLKEM768" \
	"$(negotiated_of "$SRV_OUT")" "DTLSv1.3 X25519MLKEM768"
check_eq "pq: the client's too" "$(negotiated_of "$TMP/pq.out")" "DTLSv1.3 X25519MLKEM768"
# timeline columns: 2 conn, 6 dir, 7 type, 10 msg_seq, 11 frag_off, 13 bytes
check_eq "pq: conn 1: the first ClientHello whole in one datagram (empty key share)" \
	"$(awk -F, '$2 == 1 && $6 == "tx" && $7 == "ClientHello" && $10 == 0 { n++ } END { print n + 0 }' "$TMP/pq.tl")" 1
check_eq "pq: conn 1: a HelloRetryRequest" \
	"$(awk -F, '$2 == 1 && $7 == "HelloRetryRequest" { n++ } END { print n + 0 }' "$TMP/pq.tl")" 1
frags=$(awk -F, '$2 == 1 && $6 == "tx" && $7 == "ClientHello" && $10 == 1 { n++ } END { print n + 0 }' "$TMP/pq.tl")
check "pq: conn 1: the second ClientHello in $frags fragments (>= 3 at 600 bytes)" test "$frags" -ge 3
check_eq "pq: no handshake record above the MTU" \
	"$(awk -F, 'NR > 1 && $13 > 600 { n++ } END { print n + 0 }' "$TMP/pq.tl")" 0

# --- loss on an emulated link: deterministic drops ---
if [ "$(id -u)" != 0 ]; then
	echo "skip - DTLS 1.3 through loss: needs root (scripts/link.sh)"
	summary
	exit $?
fi
link_test_init
n=d13$$
MADE+=("$n")
if "$LINK" -B "$BIN" -n "$n" up "rtt=10ms:drop.up=3:drop.down=3" >"$TMP/l.out" 2>"$TMP/l.err"; then
	if SRV_BIN=$W SRV_RUNNER="$LINK -n $n exec server" start_server lsrv dtls_server \
		-b 198.51.100.2 --tls 1.3 --groups X25519MLKEM768 --hs-timeout 200,3200; then
		timeout -k 5 $T "$LINK" -n "$n" exec client "$W/dtls_client" -a 198.51.100.2 \
			-p "$SRV_PORT" --server-name localhost --tls 1.3 --groups X25519MLKEM768 \
			--hs-timeout 200,3200 -s 64 -n 3 \
			-w 0 -o "$TMP/l.csv" --timeline "$TMP/l.tl" >"$TMP/lc.out" 2>"$TMP/lc.err" || true
		"$LINK" -n "$n" stats >"$TMP/l.stats"
		stop_server "$SRV_PID"
		check_grep "loss: the shaper dropped one datagram up" "$TMP/l.stats" '^up\.dropped=1$'
		check_grep "loss: and one down" "$TMP/l.stats" '^down\.dropped=1$'
		check_grep "loss: nothing lost by chance" "$TMP/l.stats" '^up\.lost=0$'
		check_grep "loss: every message acked" "$TMP/lc.out" '^result .* messages=3 acked=3 lost=0 '
		check_grep "loss: the server got all three" "$SRV_OUT" 'received=3 valid=3'
		check_eq "loss: the server negotiated DTLSv1.3 X25519MLKEM768" \
			"$(negotiated_of "$SRV_OUT")" "DTLSv1.3 X25519MLKEM768"
		check_eq "loss: the first handshake retransmitted (hs_retrans > 0), the others not" \
			"$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "hs_retrans") c = i; next }
				{ printf "%s:%s ", $4, ($c > 0) }' "$TMP/l.csv")" "0:1 1:0 2:0 "
		check_grep "loss: the server counted its retransmission" "$SRV_OUT" \
			'^dtls conns=4 .* retrans=[1-9][0-9]* retrans_conns=1 '
		check_eq "loss: the timeline shows the second ClientHello's fragments sent again" \
			"$(awk -F, '$2 == 1 && $6 == "tx" && $7 == "ClientHello" && $10 == 1 && $16 == 1 { n++ } END { print (n > 0) }' "$TMP/l.tl")" 1
	fi
else
	not_ok "link rtt=10ms:drop.up=3:drop.down=3 up" "$(cat "$TMP/l.err")"
fi
summary
