#!/bin/bash
# plain.sh - integration tests of the plain TCP and UDP pairs on loopback: real programs,
# real sockets, assertions on what they printed, wrote and returned.
#   test/plain.sh BIN_DIR     (e.g. build/native/bin; see test/lib.sh)
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

N=20 # timed messages per size
W=2  # warm-up messages per size
T=60 # bound on any one client run, seconds

# --- usage errors: exit 2, exactly one line on stderr, before any traffic ---

# refused PROG WANT_LINE ARGS...: against a port where nothing listens, so that an exit 2
# (not 1) shows the refusal came before any traffic.
refused() {
	local prog=$1 want=$2
	shift 2
	run_client "usage" 10 "$prog" "$@"
	check_rc "$prog $*: exit 2" "$RC" 2 "$ERR"
	check_eq "$prog $*: one-line error" "$(cat "$ERR")" "$prog: $want"
	check_eq "$prog $*: nothing on stdout" "$(cat "$OUT")" ""
}

usage_tests() {
	local p
	dead_port tcp_server
	for p in tcp_client tcp_server udp_client udp_server; do
		run_client "help" 10 "$p" --help
		check_rc "$p --help: exit 0" "$RC" 0 "$ERR"
		check_grep "$p --help: usage text" "$OUT" "^Usage: $p \[options\]"
		run_client "version" 10 "$p" -V
		check_rc "$p -V: exit 0" "$RC" 0 "$ERR"
		check_grep "$p -V: version line" "$OUT" "^$p [0-9]+\.[0-9]+\.[0-9]+$"
	done
	for p in tcp udp; do
		refused "${p}_client" "-n: 'abc' is not a number" -p "$DEAD_PORT" -n abc
		refused "${p}_client" "--count: '0' is out of range (1..10000000)" -p "$DEAD_PORT" --count=0
		refused "${p}_client" "-s: '31' is out of range (32..268435456)" -p "$DEAD_PORT" -s 31
		refused "${p}_client" "--sizes: '16' is out of range (32..268435456)" -p "$DEAD_PORT" --sizes 64,16
		refused "${p}_client" "--sizes: '64,,1K' is not a comma-separated list of sizes" \
			-p "$DEAD_PORT" --sizes=64,,1K
		refused "${p}_client" "-s: '1G' is not a number (suffixes: K, M)" -p "$DEAD_PORT" -s1G
		refused "${p}_client" "--reply-size: '23' is out of range (24..268435456)" \
			-p "$DEAD_PORT" --reply-size 23
		refused "${p}_client" "--timeout needs a value (MS)" -p "$DEAD_PORT" --timeout
		refused "${p}_client" "unknown option '--bogus' (see --help)" -p "$DEAD_PORT" --bogus
		refused "${p}_client" "--keep takes no value" -p "$DEAD_PORT" --keep=yes
		refused "${p}_client" "unexpected argument 'localhost' (see --help)" -p "$DEAD_PORT" localhost
		refused "${p}_client" "-p: '65536' is out of range (1..65535)" -p 65536
		refused "${p}_server" "-p: '65536' is out of range (0..65535)" -p 65536
		refused "${p}_server" "--max-size: '16' is out of range (32..268435456)" --max-size 16
		refused "${p}_server" "--timeout: '0' is out of range (1..3600000)" --timeout 0
		refused "${p}_server" "--forever takes no value" --forever=1
		# digits and dots: an IPv4 literal, not a name to look up; exit 2 like any bad value
		refused "${p}_client" "--addr: cannot resolve '999.1.1.1'" -a 999.1.1.1 -p "$DEAD_PORT"
		refused "${p}_server" "--bind: cannot resolve '999.1.1.1'" -b 999.1.1.1
		refused "${p}_client" "-s: '64,1K,1024': 1024 bytes is given twice" -p "$DEAD_PORT" -s 64,1K,1024
		refused "${p}_server" "--mem is a client option" --mem
	done
	refused tcp_server "unknown option '--server-name' (see --help)" --server-name x
	refused udp_client "--sizes: 65508 bytes is above the largest udp message (65507 bytes)" \
		-p "$DEAD_PORT" -s 65508
	refused udp_client "--sizes: 65536 bytes is above the largest udp message (65507 bytes)" \
		-p "$DEAD_PORT" -s 64,64K
	refused udp_client "--reply-size: 65508 bytes is above the largest udp message (65507 bytes)" \
		-p "$DEAD_PORT" --reply-size 65508
}

# --- good runs: every message acked, counted and valid on both sides ---

# csv_rows FILE SIZE: rows of SIZE with ok=1
csv_rows() {
	awk -F, -v s="$2" 'NR > 1 && $3 == s && $10 == 1' "$1" | wc -l
}

json_ok() {
	jq -e . "$1" >/dev/null
}

# good_run PROTO MODE ADDR SIZES: one client run against a fresh server, checked end to end.
good_run() {
	local proto=$1 mode=$2 addr=$3 sizes=$4 keep=() t run nsizes total s
	local what="$proto $mode $addr"
	[ "$mode" = keep ] && keep=(--keep)
	nsizes=$(($(tr -cd , <<<"$sizes" | wc -c) + 1))
	total=$((nsizes * (N + W)))
	start_server "srv-$proto-$mode-$addr" "${proto}_server" -b "$addr" --timeout 1000 \
		-o "$TMP/srv.csv" || return 0
	run_client "cli" "$T" "${proto}_client" -a "$addr" -p "$SRV_PORT" -s "$sizes" -n "$N" \
		-w "$W" "${keep[@]}" -o "$TMP/cli.csv" --json "$TMP/cli.json"
	check_rc "$what: client exit 0" "$RC" 0 "$ERR"
	check_eq "$what: client stderr empty" "$(cat "$ERR")" ""
	check_grep "$what: result line" "$OUT" \
		"^result proto=$proto mode=$mode sizes=$nsizes messages=$((nsizes * N)) acked=$((nsizes * N)) lost=0 end=acked$"
	check_eq "$what: CSV header" "$(head -n 1 "$TMP/cli.csv")" \
		"proto,mode,size,seq,connect_us,handshake_us,exchange_us,close_us,total_us,ok,cpu_us,start_rt_us,hs_tx_bytes,hs_rx_bytes,hs_retrans,resumed,err,slot$([ "$proto" = udp ] || echo ,tcp_retrans)"
	check_eq "$what: CSV has $N rows per size, $nsizes sizes" "$(($(wc -l <"$TMP/cli.csv") - 1))" \
		"$((nsizes * N))"
	for s in ${sizes//,/ }; do
		case "$s" in *K) s=$((${s%K} * 1024)) ;; esac
		check_eq "$what: size $s: $N rows with ok=1" "$(csv_rows "$TMP/cli.csv" "$s")" "$N"
	done
	check_eq "$what: CSV proto and mode columns" \
		"$(awk -F, 'NR > 1 { print $1 "," $2 }' "$TMP/cli.csv" | sort -u)" "$proto,$mode"
	check_eq "$what: CSV seq numbers distinct" \
		"$(awk -F, 'NR > 1 { print $4 }' "$TMP/cli.csv" | sort -u | wc -l)" "$((nsizes * N))"
	check "$what: --json is valid JSON" json_ok "$TMP/cli.json"
	check_eq "$what: JSON sizes, n and lost" \
		"$(jq -c '[.proto, .mode, .count, .warmup, .end_acked, [.sizes[] | [.n, .lost, .abandoned]]]' "$TMP/cli.json" 2>&1)" \
		"[\"$proto\",\"$mode\",$N,$W,true,[$(for _ in ${sizes//,/ }; do printf '[%s,0,false],' "$N"; done | sed 's/,$//')]]"
	run=$(run_id "$OUT")
	wait_exit "$SRV_PID" 20
	check_rc "$what: server exits 0 after END" "$EXIT_RC" 0 "$SRV_ERR"
	check_grep "$what: server saw every message valid" "$SRV_OUT" \
		"^end run=$run sent=$total received=$total valid=$total$"
	check_grep "$what: server totals" "$SRV_OUT" \
		"^done conns=[0-9]+ messages=$total valid=$total invalid=0 dropped=0$"
	check_eq "$what: server stderr empty" "$(cat "$SRV_ERR")" ""
	check_eq "$what: server CSV: a valid msg row per message and END" \
		"$(awk -F, '$1 == "msg" && $10 == 0' "$TMP/srv.csv" | wc -l)" "$((total + 1))"
	t=$(awk -F, '$1 == "conn"' "$TMP/srv.csv" | wc -l)
	if [ "$proto" = udp ]; then
		check "$what: server CSV has conn rows" [ "$t" -ge 1 ]
	elif [ "$mode" = keep ]; then
		check_eq "$what: server CSV: one connection" "$t" 1
	else
		check_eq "$what: server CSV: a connection per message" "$t" "$((total + 1))"
	fi
}

good_runs() {
	local proto mode addr
	for proto in tcp udp; do
		for mode in per-message keep; do
			for addr in 127.0.0.1 ::1; do
				if [ "$proto" = tcp ]; then
					good_run tcp "$mode" "$addr" 32,1K,64K,300K
				else
					good_run udp "$mode" "$addr" 32,1472,65507
				fi
			done
		done
	done
}

# --- single options ---

option_tests() {
	local p row1 amp
	for p in tcp udp; do
		# -w: warm-up messages are sent (the server counts them) but not in the rows.
		start_server "srv-w-$p" "${p}_server" -b 127.0.0.1 --timeout 500 || continue
		run_client "w" "$T" "${p}_client" -p "$SRV_PORT" -s 64 -n 7 -w 5 -o "$TMP/w.csv"
		check_rc "$p -w 5 -n 7: exit 0" "$RC" 0 "$ERR"
		check_grep "$p -w 5: stated in the output" "$OUT" \
			"^# count=7 per size, warmup=5 per size \(not counted\)"
		check_eq "$p -w 5 -n 7: 7 CSV rows" "$(($(wc -l <"$TMP/w.csv") - 1))" 7
		row1=$(awk -F, 'NR == 2 { print $4 }' "$TMP/w.csv" 2>&1 || true)
		check_eq "$p -w 5: first row is seq 5 (0..4 were warm-up)" "$row1" 5
		check_nogrep "$p: no --owd, no owd column" "$TMP/w.csv" "owd_us"
		check_nogrep "$p: no --owd, no owd row" "$OUT" "^64 +owd "
		wait_exit "$SRV_PID" 20
		check_grep "$p -w 5 -n 7: the server received 12" "$SRV_OUT" \
			"^end run=[0-9a-f]{8} sent=12 received=12 valid=12$"

		# --owd: the column, the row and the warning about clocks.
		start_server "srv-owd-$p" "${p}_server" -b 127.0.0.1 --timeout 500 || continue
		run_client "owd" "$T" "${p}_client" -p "$SRV_PORT" -s 64 -n 5 -w 0 --owd -o "$TMP/o.csv"
		check_rc "$p --owd: exit 0" "$RC" 0 "$ERR"
		# tcp: then tcp_retrans, after every other column
		check_eq "$p --owd: CSV column 18 owd_us, then slot" \
			"$(head -n 1 "$TMP/o.csv" | awk -F, '{ print $18 "," $19 }')" owd_us,slot
		check_eq "$p --owd: $([ "$p" = tcp ] && echo 20 || echo 19) columns in every row" \
			"$(awk -F, '{ print NF }' "$TMP/o.csv" | sort -u)" "$([ "$p" = tcp ] && echo 20 || echo 19)"
		check_grep "$p --owd: owd row in the table" "$OUT" "^64 +owd +5 +0 "
		check_grep "$p --owd: says it needs synchronised clocks" "$OUT" "^# owd: .*synchronised"
		wait_exit "$SRV_PID" 20

		# --reply-size: the server pads the reply; the client reads all of it (udp: only
		# with the server's allowance, --amplify, see amplify_tests).
		amp=()
		[ "$p" = udp ] && amp=(--amplify 1000)
		start_server "srv-rs-$p" "${p}_server" -b 127.0.0.1 --timeout 500 --forever "${amp[@]}" || continue
		run_client "rs" "$T" "${p}_client" -p "$SRV_PORT" -s 64,4K -n "$N" -w "$W" --keep \
			--reply-size 4K
		check_rc "$p --reply-size 4K: exit 0" "$RC" 0 "$ERR"
		check_grep "$p --reply-size 4K: stated" "$OUT" "reply=4096 bytes$"
		run_client "rs-big" "$T" "${p}_client" -p "$SRV_PORT" -s 64 -n "$N" -w "$W" \
			--reply-size 64000
		check_rc "$p --reply-size 64000: exit 0" "$RC" 0 "$ERR"
		check_eq "$p --reply-size: the server's reply is 4096 bytes of ack" \
			"$(timeout 30 "$BADPEER" -l 100 -r 4096 "$p" "$SRV_PORT" valid 2>&1)" \
			"reply ack status=0 seq=7 len=4096 got=4096"
		stop_server "$SRV_PID"

		# A reply above the server's --max-size is refused with a nak: every message lost.
		start_server "srv-max-$p" "${p}_server" -b 127.0.0.1 --timeout 500 --max-size 1K || continue
		run_client "max" "$T" "${p}_client" -p "$SRV_PORT" -s 64 -n 5 -w 0 --reply-size 2K
		check_rc "$p reply above server --max-size: exit 1" "$RC" 1 "$ERR"
		check_grep "$p reply above --max-size: refused by the server" "$ERR" "refused by peer \(nak\)"
		check_grep "$p reply above --max-size: server says why" "$SRV_ERR" \
			"refused: reply size above --max-size$"
		wait_exit "$SRV_PID" 20

		# -q: only the result line.
		start_server "srv-q-$p" "${p}_server" -b 127.0.0.1 --timeout 500 || continue
		run_client "q" "$T" "${p}_client" -p "$SRV_PORT" -s 64 -n 5 -w 0 -q
		check_rc "$p -q: exit 0" "$RC" 0 "$ERR"
		check_eq "$p -q: only the result line" "$(cut -d' ' -f1 "$OUT")" result
		wait_exit "$SRV_PID" 20
	done

	# The default sweeps: every size of each, clamped to what the protocol carries.
	start_server "srv-def-udp" udp_server -b 127.0.0.1 --timeout 500 || return 0
	run_client "def" "$T" udp_client -p "$SRV_PORT" -n 2 -w 0 --keep
	check_rc "udp default sizes: exit 0" "$RC" 0 "$ERR"
	check_grep "udp default sizes: 8 sizes up to 65507" "$OUT" \
		"^result proto=udp mode=keep sizes=8 messages=16 acked=16 lost=0 end=acked$"
	check_grep "udp default sizes: 65507 included" "$OUT" "^65507 +exchange +2 +0 "
	wait_exit "$SRV_PID" 20
	start_server "srv-def-tcp" tcp_server -b 127.0.0.1 || return 0
	run_client "def" "$T" tcp_client -p "$SRV_PORT" -n 2 -w 0 --keep
	check_rc "tcp default sizes: exit 0" "$RC" 0 "$ERR"
	check_grep "tcp default sizes: 9 sizes up to 1M" "$OUT" \
		"^result proto=tcp mode=keep sizes=9 messages=18 acked=18 lost=0 end=acked$"
	check_grep "tcp default sizes: 1M included" "$OUT" "^1048576 +exchange +2 +0 "
	wait_exit "$SRV_PID" 20

	# Server start-up failures: exit 1 with one line.
	start_server "srv-busy" tcp_server -b 127.0.0.1 --forever || return 0
	run_client "busy" 10 tcp_server -b 127.0.0.1 -p "$SRV_PORT"
	check_rc "tcp_server on a port in use: exit 1" "$RC" 1 "$ERR"
	check_eq "tcp_server on a port in use: one line" "$(cat "$ERR")" \
		"tcp_server: cannot listen on port $SRV_PORT: Address already in use"
	stop_server "$SRV_PID"
	# UDP too: a second server (or any process binding with SO_REUSEPORT) would share the
	# port and take part of the clients' datagrams.
	start_server "srv-busy-udp" udp_server -b 127.0.0.1 --forever || return 0
	run_client "busy" 10 udp_server -b 127.0.0.1 -p "$SRV_PORT"
	check_rc "udp_server on a port in use: exit 1" "$RC" 1 "$ERR"
	check_eq "udp_server on a port in use: one line" "$(cat "$ERR")" \
		"udp_server: cannot listen on port $SRV_PORT: Address already in use"
	check_eq "udp_server's port: a SO_REUSEPORT bind is refused" \
		"$(timeout 10 "$BADPEER" udp "$SRV_PORT" squat 2>&1)" "refused: Address already in use"
	check_eq "udp_server's port: a SO_REUSEPORT bind of [::] is refused" \
		"$(timeout 10 "$BADPEER" -a :: udp "$SRV_PORT" squat 2>&1)" "refused: Address already in use"
	stop_server "$SRV_PID"
}

# --- udp_server is no reflector: no reply larger than its request, unless allowed ---

amplify_tests() {
	local from="conn [0-9]+ from 127\.0\.0\.1:[0-9]+:"
	start_server "srv-amp" udp_server -b 127.0.0.1 --forever --timeout 500 || return 0
	check_eq "udp: a 100-byte request asking for 4096 bytes gets a 24-byte nak" \
		"$(timeout 30 "$BADPEER" -l 100 -r 4096 udp "$SRV_PORT" valid 2>&1)" \
		"reply nak status=5 seq=7 len=24 got=24"
	check_grep "udp: the server says why" "$SRV_ERR" \
		"$from message seq=7 size=100 refused: reply of 4096 bytes above 1 x the request to an unproven address \(--amplify\)$"
	check_eq "udp: a reply as large as its request is sent" \
		"$(timeout 30 "$BADPEER" -l 100 -r 100 udp "$SRV_PORT" valid 2>&1)" \
		"reply ack status=0 seq=7 len=100 got=100"
	check_eq "udp: a reply above the largest datagram gets a nak" \
		"$(timeout 30 "$BADPEER" -l 100 -r 70000 udp "$SRV_PORT" valid 2>&1)" \
		"reply nak status=3 seq=7 len=24 got=24"
	check_grep "udp: ... and the server says why" "$SRV_ERR" \
		"$from message seq=7 size=100 refused: reply size above the largest udp message \(65507 bytes\)$"
	run_client "amp" "$T" udp_client -p "$SRV_PORT" -s 64 -n 3 -w 0 --reply-size 1K --max-loss 3
	check_rc "udp_client --reply-size 1K -s 64 without the allowance: exit 1" "$RC" 1 "$ERR"
	check_grep "udp_client: the messages are refused" "$ERR" "refused by peer \(nak\)"
	stop_server "$SRV_PID"
	start_server "srv-amp16" udp_server -b 127.0.0.1 --forever --timeout 500 --amplify 16 || return 0
	check_eq "udp --amplify 16: 1600 bytes for 100 are sent" \
		"$(timeout 30 "$BADPEER" -l 100 -r 1600 udp "$SRV_PORT" valid 2>&1)" \
		"reply ack status=0 seq=7 len=1600 got=1600"
	check_eq "udp --amplify 16: 1601 are not" \
		"$(timeout 30 "$BADPEER" -l 100 -r 1601 udp "$SRV_PORT" valid 2>&1)" \
		"reply nak status=5 seq=7 len=24 got=24"
	stop_server "$SRV_PID"
	# TCP's handshake proves the address: no limit there.
	start_server "srv-amp-tcp" tcp_server -b 127.0.0.1 --forever --timeout 500 || return 0
	check_eq "tcp: 4096 bytes for 100 are sent" \
		"$(timeout 30 "$BADPEER" -l 100 -r 4096 tcp "$SRV_PORT" valid 2>&1)" \
		"reply ack status=0 seq=7 len=4096 got=4096"
	stop_server "$SRV_PID"
	refused udp_client "--amplify is a server option" -p 9 --amplify 2
	refused tcp_server "unknown option '--amplify' (see --help)" --amplify 2
}

# --- no server, a server that dies or stops answering ---

failure_tests() {
	local p mode keep
	dead_port tcp_server
	for p in tcp udp; do
		for mode in per-message keep; do
			keep=()
			[ "$mode" = keep ] && keep=(--keep)
			run_client "dead" "$T" "${p}_client" -p "$DEAD_PORT" -s 64 -n "$N" -w "$W" \
				--timeout 200 "${keep[@]}" -o "$TMP/dead.csv"
			check_rc "$p $mode, nothing listening: exit 1" "$RC" 1 "$ERR"
			if [ "$p" = tcp ] && [ "$mode" = keep ]; then
				check_grep "tcp keep, nothing listening: says so" "$ERR" \
					"^tcp_client: cannot open a connection to 127\.0\.0\.1:$DEAD_PORT: Connection refused$"
				continue
			fi
			check_grep "$p $mode, nothing listening: size abandoned" "$ERR" \
				"^${p}_client: size 64: abandoned after 10 failures in a row \(8 of $N sent\), last: Connection refused$"
			[ "$mode" = keep ] || check_grep "$p $mode, nothing listening: names the peer" "$ERR" \
				"^${p}_client: no message of size 64 was acknowledged by 127\.0\.0\.1:$DEAD_PORT: Connection refused$"
			check_grep "$p $mode, nothing listening: result line counts the losses" "$OUT" \
				"^result proto=$p mode=$mode sizes=1 messages=8 acked=0 lost=8 end=lost$"
			check_eq "$p $mode, nothing listening: failed rows in the CSV with ok=0" \
				"$(awk -F, 'NR > 1 && $10 == 0' "$TMP/dead.csv" | wc -l)" 8
		done
	done

	# A silent address (a socket nobody reads): given up after two timeouts, no END tries.
	start_server "srv-silent" udp_server -b 127.0.0.1 || return 0
	signal STOP "$SRV_PID" || true
	run_client "silent" "$T" udp_client -p "$SRV_PORT" -s 64,128 -n "$N" -w "$W" --timeout 200
	check_rc "udp, silent address: exit 1" "$RC" 1 "$ERR"
	check_eq "udp, silent address: one line" "$(cat "$ERR")" \
		"udp_client: 127.0.0.1:$SRV_PORT never answered (2 messages in a row: timed out, nothing acknowledged): giving up"
	stop_server "$SRV_PID"

	# A server that dies mid-run (SIGKILL: the port is closed, sends are refused) and
	# one that stops answering (SIGSTOP: true silent loss, counted after --timeout).
	for p in tcp udp; do
		for sig in KILL STOP; do
			[ "$p" = tcp ] && [ "$sig" = STOP ] && continue
			start_server "srv-$sig-$p" "${p}_server" -b 127.0.0.1 --timeout 500 || continue
			# Many sizes after the first, so that the run is still going when the kill
			# lands even if this shell is slow to see the first size's table.
			"$BIN/${p}_client" -p "$SRV_PORT" -s 32,64,128,256,512,1K,2K,4K -n 20000 -w 0 \
				--keep --timeout 100 --max-loss 3 >"$TMP/mid.out" 2>"$TMP/mid.err" &
			cpid=$!
			PIDS+=("$cpid")
			if ! wait_lines "$TMP/mid.out" "^32 +total " 1 30; then
				not_ok "$p: first size done within 30 s" "$(cat "$TMP/mid.err")"
				stop_server "$cpid"
				stop_server "$SRV_PID"
				continue
			fi
			signal "$sig" "$SRV_PID" || true
			[ "$sig" = STOP ] || wait "$SRV_PID" 2>/dev/null || true
			wait_exit "$cpid" "$T"
			check_rc "$p server SIG$sig mid-run: the client ends with exit 1" "$EXIT_RC" 1 \
				"$TMP/mid.err"
			check_grep "$p server SIG$sig mid-run: sizes abandoned" "$TMP/mid.err" \
				"abandoned after 3 failures in a row"
			check_grep "$p server SIG$sig mid-run: losses counted" "$TMP/mid.out" \
				"^result proto=$p mode=keep sizes=8 messages=[0-9]+ acked=[0-9]+ lost=[1-9][0-9]* end=lost$"
			check_grep "$p server SIG$sig mid-run: the size before was served" "$TMP/mid.out" \
				"^32 +total +[1-9][0-9]* "
			[ "$sig" = KILL ] || check_grep "$p server SIGSTOP: losses are timeouts" \
				"$TMP/mid.err" "last: timed out$"
			stop_server "$SRV_PID"
		done
	done
}

# --- bad peers against a --forever server, then a good client ---

# bad PROTO KIND WANT SERVER_ERE [COUNT] [BADPEER_ARGS...]: badpeer prints one line matching
# the ERE ^WANT$, and COUNT new lines matching SERVER_ERE appear on the server's stderr.
bad() {
	local p=$1 kind=$2 want=$3 ere=$4 count=${5:-1} before wait=5000 got
	shift 5 || shift $#
	[ "$want" = timeout ] && wait=1000 # nothing will come: do not wait long
	before=$(grep -Ec -- "$ere" "$SRV_ERR" || true)
	timeout 30 "$BADPEER" -w "$wait" "$@" "$p" "$SRV_PORT" "$kind" >"$TMP/bad.out" 2>&1 || true
	got=$(cat "$TMP/bad.out")
	if [[ "$got" =~ ^($want)$ ]]; then
		ok "$p $kind: badpeer sees '$want'"
	else
		not_ok "$p $kind: badpeer sees '$want'" "got: $got"
	fi
	if [ -n "$ere" ]; then
		if wait_lines "$SRV_ERR" "$ere" $((before + count)) 10; then
			ok "$p $kind: refused with an error line on the server's stderr"
		else
			not_ok "$p $kind: server error line" "want: $ere" "$(tail -n 3 "$SRV_ERR")"
		fi
	fi
	check "$p $kind: server still running" running "$SRV_PID"
}

badpeer_tests() {
	local p max from run inv
	from="conn [0-9]+ from 127\.0\.0\.1:[0-9]+:"
	for p in tcp udp; do
		max=65536
		[ "$p" = udp ] && max=8192
		start_server "srv-bad-$p" "${p}_server" -b 127.0.0.1 --forever --timeout 1000 \
			--max-size "$max" || continue
		if [ "$p" = tcp ]; then
			bad tcp garbage closed "$from not an ackbench message; connection dropped$"
			bad tcp truncated closed "$from timed out; connection dropped$"
			bad tcp cut closed "$from connection closed in the middle of a message; connection dropped$"
			bad tcp overlong "reply nak status=3 seq=7 len=24 got=24" \
				"$from message of 2097152 bytes refused: above --max-size 65536; connection closed$"
			bad tcp badpad "reply nak status=2 seq=7 len=24 got=24" \
				"$from message seq=7 size=100 refused: padding is not 'A'$"
			bad tcp silent closed "$from timed out; connection dropped$"
			# A byte that lands as the server hangs up makes its close a reset.
			bad tcp trickle "closed|reset" "$from timed out; connection dropped$"
		else
			bad udp garbage timeout "$from not an ackbench message; datagram dropped$"
			bad udp truncated timeout "$from not an ackbench message; datagram dropped$"
			bad udp overlong "reply nak status=3 seq=7 len=24 got=24" \
				"$from message of 2097152 bytes refused: above --max-size 8192$"
			bad udp overlong "reply nak status=3 seq=7 len=24 got=24" \
				"$from message of 9000 bytes refused: above --max-size 8192$" 1 -l 9000
			bad udp badpad "reply nak status=2 seq=7 len=24 got=24" \
				"$from message seq=7 size=100 refused: padding is not 'A'$"
			bad udp silent timeout ""
			bad udp trickle timeout "$from not an ackbench message; datagram dropped$" 3 -l 3
		fi
		bad "$p" valid "reply ack status=0 seq=7 len=24 got=24" ""
		run_client "after-bad" "$T" "${p}_client" -p "$SRV_PORT" -s 64,1K -n "$N" -w "$W"
		check_rc "$p after bad peers: a good client is served (exit 0)" "$RC" 0 "$ERR"
		run=$(run_id "$OUT")
		check_grep "$p after bad peers: the server saw every message valid" "$SRV_OUT" \
			"^end run=$run sent=$((2 * (N + W))) received=$((2 * (N + W))) valid=$((2 * (N + W)))$"
		check_nogrep "$p after bad peers: no sanitizer report" "$SRV_ERR" "Sanitizer|runtime error"
		# Every bad peer counted: tcp garbage, truncated, cut, silent, trickle dropped and
		# overlong, badpad refused; udp garbage, truncated, 3 trickle datagrams dropped and
		# 2 overlong, badpad refused. Messages answered: badpad, badpeer's valid and the good
		# client's (an overlong one is refused before it is read).
		signal TERM "$SRV_PID" || true
		wait_exit "$SRV_PID" 10
		check_rc "$p after bad peers: SIGTERM, the server exits 0" "$EXIT_RC" 0 "$SRV_ERR"
		inv=2
		[ "$p" = udp ] && inv=3
		check_grep "$p after bad peers: every one counted in the done line" "$SRV_OUT" \
			"^done conns=[0-9]+ messages=$((2 * (N + W) + 2)) valid=$((2 * (N + W) + 1)) invalid=$inv dropped=5$"
	done
}

# --- result files and SIGINT/SIGTERM: nothing measured is lost ---

# stop_client PROTO SIG: a client stopped by SIG in its second size or later writes what it
# measured, says so, sends END and exits 128 + the signal's number.
stop_client() {
	local p=$1 sig=$2 want m run
	want=$((128 + $(kill -l "$sig")))
	start_server "srv-stop-$p-$sig" "${p}_server" -b 127.0.0.1 --timeout 1000 \
		-o "$TMP/stop-srv.csv" || return 0
	"$BIN/${p}_client" -p "$SRV_PORT" -s 64,128,256,512,1K,2K -n 20000 -w 0 --keep \
		-o "$TMP/stop.csv" --json "$TMP/stop.json" >"$TMP/stop.out" 2>"$TMP/stop.err" </dev/null &
	cpid=$!
	PIDS+=("$cpid")
	if ! wait_lines "$TMP/stop.out" "^64 +total " 1 60; then
		not_ok "$p SIG$sig: first size done within 60 s" "$(cat "$TMP/stop.err")"
		stop_server "$cpid"
		stop_server "$SRV_PID"
		return 0
	fi
	signal "$sig" "$cpid" || true
	wait_exit "$cpid" 30
	check_rc "$p client SIG$sig: exit $want" "$EXIT_RC" "$want" "$TMP/stop.err"
	check_grep "$p client SIG$sig: says what it did" "$TMP/stop.err" \
		"^${p}_client: stopped by SIG$sig after [2-6] of 6 sizes \([0-9]+ of 20000 messages of the last\); what was measured is written$"
	m=$(sed -n 's/^result .* messages=\([0-9]*\) acked=\1 lost=0 end=acked$/\1/p' "$TMP/stop.out")
	check "$p client SIG$sig: result line, every message sent acked, END acked" test -n "$m"
	check_eq "$p client SIG$sig: a CSV row per message sent" "$(($(wc -l <"$TMP/stop.csv") - 1))" "${m:-x}"
	check_eq "$p client SIG$sig: JSON stopped, its sizes add up to the rows" \
		"$(jq -c '[.state, .stopped_by, ([.sizes[].n] | add)]' "$TMP/stop.json" 2>&1)" \
		"[\"stopped\",\"SIG$sig\",${m:-x}]"
	run=$(run_id "$TMP/stop.out")
	wait_exit "$SRV_PID" 20
	check_rc "$p client SIG$sig: the server got END and exits 0" "$EXIT_RC" 0 "$SRV_ERR"
	check_grep "$p client SIG$sig: the server saw the same count" "$SRV_OUT" \
		"^end run=$run sent=${m:-x} received=${m:-x} valid=${m:-x}$"
}

stop_tests() {
	local p rc
	dead_port tcp_server
	# An output path that cannot be written is refused before any traffic (exit 2).
	for p in tcp udp; do
		refused "${p}_client" "--output: cannot write '$TMP/none/x.csv': No such file or directory" \
			-p "$DEAD_PORT" -o "$TMP/none/x.csv"
		refused "${p}_client" "--json: cannot write '$TMP/none/x.json': No such file or directory" \
			-p "$DEAD_PORT" --json "$TMP/none/x.json"
	done
	stop_client tcp TERM
	stop_client udp INT

	# Results that cannot reach stdout (a full disk) fail the run, with one line.
	for p in tcp udp; do
		start_server "srv-full-$p" "${p}_server" -b 127.0.0.1 --timeout 500 || continue
		rc=0
		timeout 60 "$BIN/${p}_client" -p "$SRV_PORT" -s 64 -n 3 -w 0 >/dev/full 2>"$TMP/full.err" || rc=$?
		check_rc "$p client, stdout on a full device: exit 1" "$rc" 1 "$TMP/full.err"
		check_eq "$p client, stdout on a full device: one line" "$(cat "$TMP/full.err")" \
			"${p}_client: stdout: write failed: No space left on device"
		wait_exit "$SRV_PID" 20
	done

	# Servers stop cleanly on SIGTERM/SIGINT: rows written, "done", exit 0.
	for p in tcp udp; do
		start_server "srv-idle-$p" "${p}_server" -b 127.0.0.1 -o "$TMP/idle.csv" || continue
		signal INT "$SRV_PID" || true
		wait_exit "$SRV_PID" 10
		check_rc "$p idle server SIGINT: exit 0" "$EXIT_RC" 0 "$SRV_ERR"
		check_grep "$p idle server SIGINT: done line" "$SRV_OUT" "^done conns=0 messages=0 "
		check_eq "$p idle server SIGINT: one line on stderr" "$(cat "$SRV_ERR")" \
			"${p}_server: stopped by SIGINT"
		check_grep "$p idle server SIGINT: CSV written" "$TMP/idle.csv" "^kind,proto,conn,"
	done
	# A peer holding the connection (--timeout 60 s) does not hold the stop.
	start_server "srv-held" tcp_server -b 127.0.0.1 --timeout 60000 -o "$TMP/held.csv" || return 0
	"$BADPEER" -w 20000 tcp "$SRV_PORT" silent >/dev/null 2>&1 &
	PIDS+=("$!")
	wait_lines "$SRV_OUT" "^ready" 1 5 || true
	sleep 0.5 # the server has accepted it
	signal TERM "$SRV_PID" || true
	wait_exit "$SRV_PID" 10
	check_rc "tcp server SIGTERM with a silent peer connected: exit 0 at once" "$EXIT_RC" 0 "$SRV_ERR"
	check_grep "tcp server SIGTERM: says the peer was cut off" "$SRV_ERR" \
		"^tcp_server: conn 1 from 127\.0\.0\.1:[0-9]+: cut off by the stop$"
	check_grep "tcp server SIGTERM: its connection row is written" "$TMP/held.csv" "^conn,tcp,1,0,"
	# udp_server lingers 1 s after END for a repeated one: a stop then keeps the run's rows.
	start_server "srv-linger" udp_server -b 127.0.0.1 -o "$TMP/linger.csv" || return 0
	run_client "linger" "$T" udp_client -p "$SRV_PORT" -s 64 -n 20 -w 0
	signal TERM "$SRV_PID" || true
	wait_exit "$SRV_PID" 10
	check_rc "udp server SIGTERM right after END: exit 0" "$EXIT_RC" 0 "$SRV_ERR"
	check_eq "udp server SIGTERM right after END: a msg row per message and END" \
		"$(awk -F, '$1 == "msg" && $10 == 0' "$TMP/linger.csv" | wc -l)" 21
	check_grep "udp server SIGTERM right after END: done line" "$SRV_OUT" \
		"^done conns=1 messages=20 valid=20 invalid=0 dropped=0$"
}

if [ ! -x "$BADPEER" ]; then
	not_ok "bad-peer tool at $BADPEER (make $BADPEER)"
fi
for part in usage_tests good_runs option_tests amplify_tests failure_tests badpeer_tests stop_tests; do
	[ "$part" != amplify_tests ] || [ -x "$BADPEER" ] || continue
	[ "$part" != badpeer_tests ] || [ -x "$BADPEER" ] || continue
	t0=$SECONDS
	"$part"
	echo "# $part: $((SECONDS - t0)) s"
done
summary
