#!/bin/bash
# shellcheck disable=SC2016 # the awk programs are in single quotes on purpose
# link_timeline.sh - timeline.sh's merge of the client's and the server's --timeline files
# over an emulated link (rtt=40ms: 20 ms each way, scripts/link.sh): TLS 1.2 and DTLS 1.2
# with cookie, each side in its namespace. The merged segments line up: every flight's wire
# time (sent on one side .. arrived on the other) is at least the one-way delay (the shaper
# never releases a packet early) and less than the round trip, which a server clock shifted
# by a few ms would break in one direction; per connection and side, compute + waiting add
# up to the handshake; the two-host merge (-c rtt) finds the one clock, within a quarter of
# the one-way delay. First pass of make test only.
#   test/link_timeline.sh BIN_DIR      (as root)
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "link_timeline.sh builds namespaces"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRV=198.51.100.2
ONEWAY_US=20000
N=tl$$
link_test_init
t0=$(date +%s)
if ! "$ROOT/scripts/gen-certs.sh" -o "$TMP/certs" "$SRV" >"$TMP/gen.log" 2>&1; then
	not_ok "gen-certs.sh -o TMP $SRV" "$(cat "$TMP/gen.log")"
	summary
	exit 1
fi
MADE+=("$N")
if ! "$LINK" -B "$BIN" -n "$N" up "rtt=40ms" >"$TMP/up.out" 2>"$TMP/up.err"; then
	not_ok "rtt=40ms: up and calibrated" "$(cat "$TMP/up.err")"
	summary
	exit 1
fi
ok "rtt=40ms: up and calibrated"

# run DIR PROTO CLIENT-ARGS...: one server and one client over the link, both with
# --timeline, 5 messages of 64 bytes after one warm-up; the files in DIR as timeline.sh
# reads them (NAME.client-tl.csv, NAME.server-tl.csv, NAME.csv, NAME.json).
run() {
	local d=$1 p=$2 c="--ca $TMP/certs/ca.crt"
	shift 2
	mkdir -p "$d"
	# shellcheck disable=SC2086 # certificate options are words
	SRV_RUNNER="$LINK -n $N exec server" start_server "$p-srv" "${p}_server" -b "$SRV" $c \
		--cert "$TMP/certs/server.crt" --key "$TMP/certs/server.key" \
		--timeline "$d/l.server-tl.csv" || return 1
	# shellcheck disable=SC2086
	timeout -k 5 60 "$LINK" -n "$N" exec client "$BIN/${p}_client" -a "$SRV" -p "$SRV_PORT" $c \
		--cert "$TMP/certs/client.crt" --key "$TMP/certs/client.key" -q -s 64 -n 5 -w 1 \
		--timeline "$d/l.client-tl.csv" -o "$d/l.csv" --json "$d/l.json" "$@" \
		>"$d/client.out" 2>&1 || true
	stop_server "$SRV_PID"
	check_grep "$p: every message acked over the link" "$d/client.out" 'acked=5 lost=0'
}

for p in tls dtls; do
	d=$TMP/$p
	if [ "$p" = tls ]; then run "$d" tls --tls 1.2 || continue; else run "$d" dtls || continue; fi
	rc=0
	"$ROOT/scripts/timeline.sh" -N -F /dev/null "$d" >"$d/t.out" 2>"$d/t.err" || rc=$?
	check_rc "$p: timeline.sh merges the two sides: exit 0" "$rc" 0 "$d/t.err"
	check_grep "$p: one host, one clock" "$d/t.out" "clocks: one host"
	# the flights of the first table (the full handshakes): wire p50/p90, third field from
	# the end; a flight that crossed no wire (TLS 1.3's ticket) has "-"
	awk '/^## / { t++ } t == 1 && /^[CS][0-9]+: / && $(NF - 2) != "-" { print $1, $(NF - 2) }' \
		"$d/t.out" >"$d/wire.txt"
	n=$(wc -l <"$d/wire.txt")
	# TLS 1.2: CH, the server's flight, the client's, the server's last. DTLS with cookie the
	# same four after the cookie exchange: its HelloVerifyRequest is sent statelessly, before
	# the server has a connection with rows (docs/timeline.md), so CH and HVR have no wire.
	check_eq "$p: every flight of the handshake has a wire time ($(tr '\n' ' ' <"$d/wire.txt"))" \
		"$n" 4
	check "$p: each flight's wire p50 and p90 are at least the one-way delay and below the round trip" \
		awk -v ow="$ONEWAY_US" '{ split($2, w, "/"); if (w[1] < ow || w[2] < ow || w[1] >= 2 * ow || w[2] >= 2 * ow) bad++ }
			END { exit !(NR > 0 && bad + 0 == 0) }' "$d/wire.txt"
	check "$p: per connection and side, compute + waiting = handshake (within 1% + 2 us)" \
		awk -F '\t' 'NR > 1 { n++; d = $8 + $9 - $6; if (d < 0) d = -d; if (d > 0.01 * $6 + 2) bad++ }
			END { exit !(n >= 10 && bad + 0 == 0) }' "$d/timeline/connections.tsv"
	rc=0
	"$ROOT/scripts/timeline.sh" -N -F /dev/null -c rtt -o "$d/rtt" "$d" >"$d/rtt.out" 2>"$d/rtt.err" || rc=$?
	check_rc "$p: timeline.sh -c rtt (the two-host merge): exit 0" "$rc" 0 "$d/rtt.err"
	check "$p: ... the server clock offset it finds is under a quarter of the one-way delay at p50" \
		awk -F '\t' -v lim=$((ONEWAY_US / 4)) 'NR > 1 && $5 == "server" { o = $13 < 0 ? -$13 : $13; v[++n] = o }
			END { for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
				exit !(n > 0 && v[int((n + 1) / 2)] < lim) }' "$d/rtt/connections.tsv"
done
"$LINK" -n "$N" down
check_eq "the link is gone after down" "$(ls "$ACKBENCH_LINK_RUN" 2>/dev/null)" ""
echo "# took $(($(date +%s) - t0)) s"
summary
