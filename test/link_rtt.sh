#!/bin/bash
# shellcheck disable=SC2016 # the filters are awk conditions, in single quotes on purpose
# link_rtt.sh - handshakes counted in round trips over an emulated link (scripts/link.sh)
# with a 200 ms round trip, long enough that CPU on two shared cores cannot blur a count:
# a phase of k round trips takes k x 200 ms plus CPU (the shaper never releases a packet
# early), so k = floor(p50 / 200 ms). TCP connect 1; TLS 1.2 handshake 2, resumed 1; TLS
# 1.3 1, resumed 1, with a HelloRetryRequest 2; DTLS 1.2 with cookie 3, resumed 2; the
# request/ack 1; TLS's close 1, DTLS's 0; TLS 1.3 one round trip less than
# 1.2 per message. Then a deterministically dropped DTLS ClientHello: the shaper counts one
# drop, the client one retransmission, and the timeline shows the timer (--hs-timeout's
# minimum, 500 ms by default, 300 ms when asked). TCP: drops of a request and a reply
# segment retransmitted once each, on the side that sent them (tcp_retrans, both CSVs); with
# 4% loss every message acked and every segment the shaper took sent again. First pass only.
#   test/link_rtt.sh BIN_DIR      (as root)
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "link_rtt.sh builds namespaces and runs over 200 ms links"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RTT_US=200000
SRV=198.51.100.2
N=rt$$
link_test_init
gen_certs ec256 "$TMP/certs" "$SRV"
cert() { echo "--ca $TMP/certs/ca.crt --cert $TMP/certs/$1.crt --key $TMP/certs/$1.key"; }

# over LINK NAME PROTO CLIENT-ARGS...: one server and one client run over link NAME (3
# messages of 64 bytes, no warm-up); CSV in $TMP/NAME.csv, timeline in $TMP/NAME.tl.
over() {
	local link=$1 name=$2 p=$3 sa="" ca=""
	shift 3
	case "$p" in tls | dtls) sa=$(cert server) ca=$(cert client) ;; esac
	# shellcheck disable=SC2086 # certificate options are words
	SRV_RUNNER="$LINK -n $link exec server" start_server "$name-srv" "${p}_server" -b "$SRV" $sa ||
		return 1
	# shellcheck disable=SC2086
	timeout -k 5 120 "$LINK" -n "$link" exec client "$BIN/${p}_client" -a "$SRV" -p "$SRV_PORT" \
		-n 3 -w 0 -s 64 -o "$TMP/$name.csv" $ca "$@" >"$TMP/$name.out" 2>&1 || true
	stop_server "$SRV_PID"
	check_grep "$name: every message acked" "$TMP/$name.out" 'acked=3 lost=0'
}

# rtts FILE COLUMN [FILTER [MINUS_US]]: floor((p50 - MINUS_US) / RTT) of a CSV column over
# the rows FILTER (an awk condition on c["name"] columns) selects.
rtts() {
	local med
	# shellcheck disable=SC2016 # $c[...] is awk's
	med=$(awk -F, -v col="$2" "NR == 1 { for (i = 1; i <= NF; i++) c[\$i] = i; next }
		${3:-1} { print \$c[col] }" "$1" | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }')
	if [ -z "$med" ]; then
		echo none
	else
		awk -v m="$med" -v d="${4:-0}" -v r="$RTT_US" 'BEGIN { printf "%d", (m - d) / r }'
	fi
}

MADE+=("$N")
if ! "$LINK" -B "$BIN" -n "$N" up "rtt=200ms" >"$TMP/up.out" 2>"$TMP/up.err"; then
	not_ok "rtt=200ms: up and calibrated" "$(cat "$TMP/up.err")"
	summary
	exit 1
fi
ok "rtt=200ms: up and calibrated (rtt p50 $(sed -n 's/^calib.rtt_ms_p50=//p' "$TMP/up.out") ms)"

over "$N" tcp tcp
check_eq "tcp: connect takes 1 round trip" "$(rtts "$TMP/tcp.csv" connect_us)" 1
check_eq "tcp: request/ack takes 1 round trip" "$(rtts "$TMP/tcp.csv" exchange_us)" 1

over "$N" tls12 tls --tls 1.2
check_eq "TLS 1.2: handshake takes 2 round trips" "$(rtts "$TMP/tls12.csv" handshake_us)" 2
over "$N" tls13 tls --tls 1.3
check_eq "TLS 1.3: handshake takes 1 round trip" "$(rtts "$TMP/tls13.csv" handshake_us)" 1
check_eq "TLS 1.3: one round trip less than TLS 1.2 per message" \
	"$(($(rtts "$TMP/tls12.csv" total_us) - $(rtts "$TMP/tls13.csv" total_us)))" 1
# the model's other rows (scripts/ackbench/links.py): the request/ack 1, TLS's close 1 (it
# waits for the server's end), a HelloRetryRequest one round trip more than TLS 1.3 full
check_eq "TLS 1.2: request/ack takes 1 round trip" "$(rtts "$TMP/tls12.csv" exchange_us)" 1
check_eq "TLS 1.2: close takes 1 round trip" "$(rtts "$TMP/tls12.csv" close_us)" 1
check_eq "TLS 1.3: request/ack takes 1 round trip" "$(rtts "$TMP/tls13.csv" exchange_us)" 1
over "$N" tls13hrr tls --tls 1.3 --groups x25519,secp256r1
check_eq "TLS 1.3 with a HelloRetryRequest (key share x25519, server secp256r1): 2 round trips" \
	"$(rtts "$TMP/tls13hrr.csv" handshake_us)" 2
over "$N" tls12r tls --tls 1.2 --resume
check_eq "TLS 1.2 resumed: handshake takes 1 round trip" \
	"$(rtts "$TMP/tls12r.csv" handshake_us '$c["resumed"] == 1')" 1
check_eq "TLS 1.2 --resume: the first (full) handshake 2" \
	"$(rtts "$TMP/tls12r.csv" handshake_us '$c["resumed"] == 0')" 2
over "$N" tls13r tls --tls 1.3 --resume
check_eq "TLS 1.3 resumed: handshake takes 1 round trip" \
	"$(rtts "$TMP/tls13r.csv" handshake_us '$c["resumed"] == 1')" 1

over "$N" dtls dtls
check_eq "DTLS 1.2 with cookie: handshake takes 3 round trips" "$(rtts "$TMP/dtls.csv" handshake_us)" 3
check_eq "DTLS 1.2: the cookie exchange takes 1 of them" "$(rtts "$TMP/dtls.csv" cookie_us)" 1
check_eq "DTLS 1.2: close takes no round trip (close_notify not awaited)" "$(rtts "$TMP/dtls.csv" close_us)" 0
over "$N" dtlsr dtls --resume
check_eq "DTLS 1.2 resumed with cookie: handshake takes 2 round trips" \
	"$(rtts "$TMP/dtlsr.csv" handshake_us '$c["resumed"] == 1')" 2
"$LINK" -n "$N" stats >"$TMP/stats"
check_grep "no packet lost or dropped on the lossless link" "$TMP/stats" '^up\.lost=0$'
"$LINK" -n "$N" down

# --- the first datagram up (the ClientHello) dropped: the DTLS timer, as --hs-timeout says ---
D=${N}d
MADE+=("$D")
if ! "$LINK" -B "$BIN" -n "$D" up "rtt=200ms:drop.up=1" >"$TMP/upd.out" 2>"$TMP/upd.err"; then
	not_ok "rtt=200ms:drop.up=1: up and calibrated" "$(cat "$TMP/upd.err")"
	summary
	exit 1
fi
# timer TIMELINE: ms from the first ClientHello to its retransmission (the timer's wait).
timer() {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["side"] == "client" && $c["type"] == "ClientHello" && $c["conn"] == 1 {
			if ($c["retrans"] == 0 && first == "") first = $c["t_us"]
			else if ($c["retrans"] == 1 && again == "") again = $c["t_us"] }
		END { if (first == "" || again == "") print "none"; else printf "%d", (again - first) / 1000 }' "$1"
}
for hs in default 300,8000; do
	"$LINK" -n "$D" rearm
	args=(--timeline "$TMP/drop-$hs.tl")
	[ "$hs" = default ] || args+=(--hs-timeout "$hs")
	over "$D" "drop-$hs" dtls "${args[@]}"
	"$LINK" -n "$D" stats >"$TMP/drop-$hs.stats"
	check_grep "drop.up=1 ($hs): the shaper dropped one datagram" "$TMP/drop-$hs.stats" '^up\.dropped=1$'
	check_eq "drop.up=1 ($hs): the client retransmitted once, in the first handshake" \
		"$(awk -F, 'NR > 1 { printf "%s ", $15 }' "$TMP/drop-$hs.csv")" "1 0 0 "
	want=500
	[ "$hs" = default ] || want=300
	t=$(timer "$TMP/drop-$hs.tl")
	check "drop.up=1 ($hs): the timeline shows the ClientHello again after the ${want} ms timer ($t ms)" \
		awk -v t="$t" -v w="$want" 'BEGIN { exit !(t != "none" && t >= w && t < w + 100) }'
	check_eq "drop.up=1 ($hs): that handshake took 3 round trips after the timer" \
		"$(rtts "$TMP/drop-$hs.csv" handshake_us '$c["seq"] == 0' $((want * 1000)))" 3
done
# --- TCP: every retransmission the shaper made necessary is counted, on the side that sent
# it (tcp_retrans: client CSV rows, server CSV conn rows; shaper: tcp_resend, the lost or
# dropped segments that carry data or SYN) ---
sum_col() { awk -F, -v k="$2" -v col="$3" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	k == "" || $1 == k { s += $c[col] } END { printf "%d", s }' "$1"; }
T=${N}t
MADE+=("$T")
if "$LINK" -B "$BIN" -n "$T" up "rtt=40ms:drop.up=3:drop.down=3" >"$TMP/upt.out" 2>"$TMP/upt.err"; then
	# up 3: the first request (after SYN and ACK); down 3: the first reply (after SYN-ACK, ACK)
	SRV_RUNNER="$LINK -n $T exec server" start_server tcpd tcp_server -b "$SRV" -o "$TMP/tcpd-srv.csv" &&
		timeout -k 5 60 "$LINK" -n "$T" exec client "$BIN/tcp_client" -a "$SRV" -p "$SRV_PORT" \
			-n 4 -w 0 -s 64 -o "$TMP/tcpd.csv" >"$TMP/tcpd.out" 2>&1
	stop_server "${SRV_PID:-}"
	"$LINK" -n "$T" stats >"$TMP/tcpd.stats"
	check_grep "TCP drops: every message acked" "$TMP/tcpd.out" 'acked=4 lost=0'
	check_eq "TCP drops: the shaper dropped a request and a reply segment" \
		"$(sed -n 's/^up.tcp_resend=//p' "$TMP/tcpd.stats") $(sed -n 's/^down.tcp_resend=//p' "$TMP/tcpd.stats")" "1 1"
	check_eq "TCP drops: the client retransmitted once (its dropped request)" \
		"$(sum_col "$TMP/tcpd.csv" "" tcp_retrans)" 1
	check_eq "TCP drops: the server retransmitted once (its dropped reply)" \
		"$(sum_col "$TMP/tcpd-srv.csv" conn tcp_retrans)" 1
	# random loss: every message still accounted for; every segment the shaper took was
	# sent again (more may be: a lost ACK can make a retransmission that was not needed)
	"$LINK" -n "$T" down
	if "$LINK" -B "$BIN" -n "$T" up "rtt=20ms:loss=4%:seed=7" >"$TMP/upt.out" 2>"$TMP/upt.err"; then
		SRV_RUNNER="$LINK -n $T exec server" start_server tcpl tcp_server -b "$SRV" -o "$TMP/tcpl-srv.csv" &&
			timeout -k 5 120 "$LINK" -n "$T" exec client "$BIN/tcp_client" -a "$SRV" -p "$SRV_PORT" \
				-n 30 -w 0 -s 64 --timeout 5000 -o "$TMP/tcpl.csv" >"$TMP/tcpl.out" 2>&1
		stop_server "${SRV_PID:-}"
		"$LINK" -n "$T" stats >"$TMP/tcpl.stats"
		check_grep "TCP 4% loss: every message acked" "$TMP/tcpl.out" 'acked=30 lost=0'
		check_grep "TCP 4% loss: the server received all 30" "$SRV_OUT" 'received=30 '
		up_r=$(sed -n 's/^up.tcp_resend=//p' "$TMP/tcpl.stats")
		down_r=$(sed -n 's/^down.tcp_resend=//p' "$TMP/tcpl.stats")
		cl=$(sum_col "$TMP/tcpl.csv" "" tcp_retrans)
		sv=$(sum_col "$TMP/tcpl-srv.csv" conn tcp_retrans)
		check "TCP 4% loss: the client retransmitted at least what the shaper took up ($cl >= $up_r)" \
			test "$cl" -ge "${up_r:-999}"
		check "TCP 4% loss: the server retransmitted at least what the shaper took down ($sv >= $down_r)" \
			test "$sv" -ge "${down_r:-999}"
		check "TCP 4% loss: the shaper took some data segments ($up_r up, $down_r down)" \
			test "$((up_r + down_r))" -gt 0
	else
		not_ok "rtt=20ms:loss=4% up" "$(cat "$TMP/upt.err")"
	fi
else
	not_ok "rtt=40ms:drop.up=3:drop.down=3 up" "$(cat "$TMP/upt.err")"
fi
summary
