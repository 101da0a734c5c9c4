#!/bin/bash
# load.sh - integration tests of serving many clients at once (servers' --max-conns) and of
# clients with --parallel, on loopback, for tcp, udp, tls and dtls:
#   - --parallel results are complete: every message in the result line and the CSV, the
#     server's END line counting all of them, the slot column within 0 .. N-1;
#   - peers that hold a connection and say nothing (a silent TCP peer, a client stopped with
#     SIGSTOP in the middle of a --keep run) occupy slots while a good client is served;
#   - --max-conns is a bound: the server's own CSV never shows more connections at once;
#   - every other TLS stack (`make -s print-STACKS`, built in its own build directory) that
#     declares its connections thread-safe (stack.h threads_ok) passes the tls and dtls
#     cases above, and --resume with --parallel (one saved session shared by the slots);
#     one that does not refuses --parallel 2 with its one line.
# Nothing here is timed against a figure: "served while held" is proved by the held peers
# not yet being dropped (their deadline is seconds away) when the good client has finished.
#   test/load.sh BIN_DIR     (e.g. build/native/bin; see test/lib.sh)
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

SL=""      # the stack's name and a space in the checks' names (the other stacks' runs)
T=60       # bound on any one client run, seconds
HOLD=6000  # ms: how long a server waits on a silent peer (--timeout, --hs-deadline)
N=40       # timed messages per size
W=2        # warm-up messages per size
P=4        # --parallel

for p in tcp udp tls dtls; do
	if [ ! -x "$BIN/${p}_client" ] || [ ! -x "$BIN/${p}_server" ]; then
		not_ok "${p}_client and ${p}_server are in $BIN"
		summary
		exit 1
	fi
done

# overlap FILE: the most connections a server CSV shows at once (its "conn" rows: start
# rt_us, wall_us). The start is read before the connection's clock and truncated to the
# microsecond, so each interval ends 2 us early: a worker's successive rows never overlap.
overlap() {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$1 == "conn" { t = $c["rt_us"]; w = $c["wall_us"]
			ev[++n] = sprintf("%020.3f 1", t); ev[++n] = sprintf("%020.3f 0", t + w - 2) }
		END { m = 0; k = 0
			# ends sort before starts at the same instant ("0" < "1")
			cmd = "sort"; for (i = 1; i <= n; i++) print ev[i] | cmd; close(cmd) }' "$1" |
		awk '{ if ($2 == 1) { k++; if (k > m) m = k } else k-- } END { print m + 0 }'
}

# served FILE: the most connections a server CSV shows served at once, from its message rows
# (per connection: its first request received .. its last one answered). A TLS or DTLS server
# runs handshakes beside the connections it serves (its handshake lobby: src/srvlobby.h), so its
# "conn" rows, which start at the accept, may overlap more; what it serves may not.
served() {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$1 == "msg" { k = $c["conn"]; t = $c["rt_us"] + 0; e = t + $c["wall_us"]
			if (!(k in s) || t < s[k]) s[k] = t
			if (!(k in f) || e > f[k]) f[k] = e }
		END { for (k in s) { printf "%020.3f 1\n", s[k]; printf "%020.3f 0\n", f[k] } }' "$1" |
		sort | awk '{ if ($2 == 1) { k++; if (k > m) m = k } else k-- } END { print m + 0 }'
}

# --- --parallel: every message accounted for ---

parallel_run() {
	local p=$1 what="$SL$1 --parallel $P" run total=$((2 * N)) sent=$((2 * (N + W)))
	start_server "par-srv-$p" "${p}_server" -b 127.0.0.1 --max-conns "$P" --timeout 5000 \
		-o "$TMP/par-$p.srv.csv" || return 0
	run_client "par-$p" "$T" "${p}_client" -p "$SRV_PORT" -s 64,300 -n "$N" -w "$W" \
		--parallel "$P" -o "$TMP/par-$p.csv"
	check_rc "$what: client exit 0" "$RC" 0 "$ERR"
	check_grep "$what: result line, every message acked" "$OUT" \
		"^result proto=$p mode=per-message sizes=2 messages=$total acked=$total lost=0 end=acked$"
	check_grep "$what: header names the slots" "$OUT" "^# parallel: $P connection slots"
	check_grep "$what: rates in the summary" "$OUT" \
		"^# size 300 rate: [0-9.]+ msg/s, [0-9.]+ conn/s over [0-9.]+ s with $P in parallel$"
	wait_exit "$SRV_PID" 20
	check_rc "$what: server exits 0 after END" "$EXIT_RC" 0 "$SRV_ERR"
	run=$(run_id "$OUT")
	check_grep "$what: server END line counts every message of every slot" "$SRV_OUT" \
		"^end run=$run sent=$sent received=$sent valid=$sent$"
	check_grep "$what: server done line" "$SRV_OUT" \
		"^done conns=[0-9]+ messages=$sent valid=$sent invalid=0 dropped=0$"
	# slot, then the optional columns after it (tcp_retrans, auth: docs/measuring.md)
	sc=$(head -n 1 "$TMP/par-$p.csv" | tr , '\n' | grep -nx slot | cut -d: -f1)
	check "$what: CSV has a slot column after err" test "${sc:-0}" -gt 17
	check_eq "$what: CSV has every message" "$(($(wc -l <"$TMP/par-$p.csv") - 1))" "$total"
	check "$what: every slot value within 0..$((P - 1)), every row acked" \
		csv_all "$TMP/par-$p.csv" "\$10 == 1 && \$${sc:-1} ~ /^[0-9]+\$/ && \$${sc:-1} < $P"
	check_eq "$what: sequence numbers all distinct" \
		"$(awk -F, 'NR > 1 { print $4 }' "$TMP/par-$p.csv" | sort -u | wc -l)" "$total"
}

for p in tcp udp tls dtls; do
	parallel_run "$p"
done

# --keep with --parallel: N kept connections share the messages.
start_server "keep-srv" tls_server -b 127.0.0.1 --max-conns "$P" -o "$TMP/keep.srv.csv" || true
if [ -n "$SRV_PORT" ]; then
	run_client "keep" "$T" tls_client -p "$SRV_PORT" -s 64 -n "$N" -w 0 --keep --parallel "$P" -q
	check_grep "tls --keep --parallel $P: every message acked" "$OUT" \
		"^result proto=tls mode=keep sizes=1 messages=$N acked=$N lost=0 end=acked$"
	wait_exit "$SRV_PID" 20
	check_grep "tls --keep --parallel $P: $P connections (END on the first)" "$SRV_OUT" \
		"^done conns=$P messages=$N valid=$N invalid=0 dropped=0$"
fi

# --timeline with --parallel and --max-conns: every connection's rows, each its own
start_server "tl-srv" tls_server -b 127.0.0.1 --max-conns "$P" --timeline "$TMP/tl-srv.csv" || true
if [ -n "$SRV_PORT" ]; then
	run_client "tl" "$T" tls_client -p "$SRV_PORT" -s 64 -n 20 -w 0 --parallel "$P" -q \
		--timeline "$TMP/tl-cli.csv"
	check_grep "tls --timeline --parallel $P: every message acked" "$OUT" \
		"^result proto=tls mode=per-message sizes=1 messages=20 acked=20 lost=0 end=acked$"
	wait_exit "$SRV_PID" 20
	# 20 connections and END's; each with its ClientHello row once
	for f in cli srv; do
		check_eq "tls --timeline --parallel $P: $f: 21 connections, one ClientHello each" \
			"$(awk -F, '$7 == "ClientHello" { print $2 }' "$TMP/tl-$f.csv" | sort | uniq -c |
				awk '$1 == 1 { n++ } END { print n + 0 }')" 21
	done
fi

# --- held slots: a good client is served while other peers hold connections ---

# hold_keep PROTO PORT: a --keep client that is stopped (SIGSTOP) once its connection is up,
# so that it holds the connection and says nothing. HELD_PID is its pid.
hold_keep() {
	local out="$TMP/hold-$1-$RANDOM.out"
	"$BIN/$1_client" -p "$2" -s 64 -n 1000000 -w 0 --keep >"$out" 2>&1 &
	HELD_PID=$!
	PIDS+=("$HELD_PID")
	disown "$HELD_PID" # killed by the EXIT trap: no "Killed" line from the shell
	# the header is printed (and flushed) once the kept connection is open, handshake done
	if wait_lines "$out" "^# ackbench " 1 20; then
		signal STOP "$HELD_PID" || return 1
		return 0
	fi
	return 1
}

held_run() {
	local p=$1 what="$SL$1 --max-conns 3, 2 slots held" sargs=() i held=0
	[ "$p" = tcp ] || sargs=(--hs-deadline "$HOLD")
	start_server "held-srv-$p" "${p}_server" -b 127.0.0.1 --forever --max-conns 3 \
		--timeout "$HOLD" "${sargs[@]}" || return 0
	# one stopped --keep client, and a silent TCP peer (tcp, tls) or a second stopped client
	hold_keep "$p" "$SRV_PORT" && held=$((held + 1))
	if [ "$p" = dtls ]; then
		hold_keep "$p" "$SRV_PORT" && held=$((held + 1))
	else
		"$BADPEER" -w $((HOLD + 4000)) tcp "$SRV_PORT" silent >/dev/null 2>&1 &
		PIDS+=("$!")
		held=$((held + 1))
		# it holds a slot once accepted: the listener's queue is empty again
		for i in $(seq 50); do
			[ "$(ss -Hltn "sport = :$SRV_PORT" | awk '{ print $2 }')" != 0 ] || break
			sleep 0.1
		done
		: "$i"
	fi
	check_eq "$what: both holders are up" "$held" 2
	run_client "held-$p" "$T" "${p}_client" -p "$SRV_PORT" -s 64 -n 10 -w 0 -q
	check_grep "$what: the good client is served" "$OUT" \
		"^result proto=$p mode=per-message sizes=1 messages=10 acked=10 lost=0 end=acked$"
	check_nogrep "$what: ... while the holders still hold (none dropped yet)" "$SRV_ERR" \
		"(timed out|dropped|failed)"
	# a stop reaches every worker, also those waiting on a held peer (HOLD ms away)
	signal TERM "$SRV_PID" || true
	wait_exit "$SRV_PID" 3
	check_rc "$what: SIGTERM: exit 0 within 3 s" "$EXIT_RC" 0 "$SRV_ERR"
	check_grep "$what: SIGTERM: done line" "$SRV_OUT" "^done conns=[0-9]+ messages=[0-9]+ "
	check_grep "$what: SIGTERM: says so" "$SRV_ERR" "^${p}_server: stopped by SIGTERM$"
}

for p in tcp tls dtls; do
	held_run "$p"
done

# --- the bound: never more than --max-conns connections at once ---

bound_run() {
	local p=$1 what="$SL$1 --max-conns 2, --parallel 6" m
	start_server "bound-srv-$p" "${p}_server" -b 127.0.0.1 --max-conns 2 -o "$TMP/bound-$p.csv" ||
		return 0
	run_client "bound-$p" "$T" "${p}_client" -p "$SRV_PORT" -s 64 -n 60 -w 0 --parallel 6 -q
	check_grep "$what: every message acked" "$OUT" \
		"^result proto=$p mode=per-message sizes=1 messages=60 acked=60 lost=0 end=acked$"
	wait_exit "$SRV_PID" 20
	if [ "$p" != tcp ]; then
		m=$(served "$TMP/bound-$p.csv")
	else
		m=$(overlap "$TMP/bound-$p.csv")
	fi
	if [ "$m" -ge 1 ] && [ "$m" -le 2 ]; then
		ok "$what: at most 2 connections served at once in the server CSV ($m)"
	else
		not_ok "$what: at most 2 connections served at once in the server CSV" "got $m"
	fi
}

for p in tcp tls dtls; do
	bound_run "$p"
done

# --- SIGTERM to a --parallel client: what was measured is written ---

start_server "term-srv" tls_server -b 127.0.0.1 --max-conns 4 || true
if [ -n "$SRV_PORT" ]; then
	OUT="$TMP/term.out"
	"$BIN/tls_client" -p "$SRV_PORT" -s 64 -n 100000 -w 0 --parallel 4 -o "$TMP/term.csv" \
		>"$OUT" 2>"$TMP/term.err" &
	cpid=$!
	PIDS+=("$cpid")
	sleep 1 # some messages done (rows are written when the size ends: here at the stop)
	signal TERM "$cpid" || true
	wait_exit "$cpid" 10
	check_rc "tls_client --parallel 4, SIGTERM: exit 128+15" "$EXIT_RC" 143 "$TMP/term.err"
	check_grep "tls_client --parallel 4, SIGTERM: result line" "$OUT" \
		"^result proto=tls mode=per-message sizes=1 messages=[1-9][0-9]* acked=[1-9][0-9]* lost=0 end=acked$"
	n=$(sed -n 's/^result .* messages=\([0-9]*\) .*/\1/p' "$OUT")
	check_eq "tls_client --parallel 4, SIGTERM: every message measured is in the CSV" \
		"$(($(wc -l <"$TMP/term.csv") - 1))" "${n:-x}"
	wait_exit "$SRV_PID" 10
	check_grep "tls_client --parallel 4, SIGTERM: the server's END line matches" "$SRV_OUT" \
		"^end run=$(run_id "$OUT") sent=${n:-x} received=${n:-x} valid=${n:-x}$"
fi

# --- the other stacks: their connections at once ---

# resume_run PROTO: --resume with --parallel: the slots share one saved session (read at
# each connect, written at each close), so most handshakes after the first ones resume.
resume_run() {
	local p=$1 what="$SL$1 --resume --parallel $P" n
	start_server "res-srv-$p" "${p}_server" -b 127.0.0.1 --max-conns "$P" || return 0
	run_client "res-$p" "$T" "${p}_client" -p "$SRV_PORT" -s 64 -n "$N" -w 0 --resume \
		--parallel "$P" -o "$TMP/res-$p.csv" -q
	check_grep "$what: every message acked" "$OUT" \
		"^result proto=$p mode=per-message sizes=1 messages=$N acked=$N lost=0 end=acked$"
	wait_exit "$SRV_PID" 20
	n=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "resumed") c = i; next }
		c && $c == 1 { n++ } END { print n + 0 }' "$TMP/res-$p.csv")
	if [ "$n" -ge $((N / 2)) ]; then
		ok "$what: most handshakes resumed ($n of $N)"
	else
		not_ok "$what: most handshakes resumed" "$n of $N"
	fi
}

for p in tls dtls; do
	resume_run "$p"
done

HERE=$(stack_of "$BIN")
MAIN_BIN=$BIN
for s in $(make_var print-STACKS); do
	[ "$s" != "$HERE" ] || continue
	d=$(stack_bin "$s")
	if [ "$(stack_of "$d")" != "$s" ] || [ ! -x "$d/dtls_server" ]; then
		not_ok "stack $s built in $d (make STACK=$s)"
		continue
	fi
	BIN=$d
	run_client "thr-$s" 10 tls_client -p 1 -s 64 -n 1 -w 0 --parallel 2
	if grep -q "^tls_client: --parallel 2: this TLS stack does not declare" "$ERR"; then
		check_rc "$s: no threads_ok: --parallel 2 refused, usage error" "$RC" 2 "$ERR"
		BIN=$MAIN_BIN
		continue
	fi
	SL="$s "
	for p in tls dtls; do
		parallel_run "$p"
		held_run "$p"
		bound_run "$p"
		resume_run "$p"
	done
	SL=""
	BIN=$MAIN_BIN
done

# --- refusals ---

run_client "mem-par" 10 tls_client -p 1 --mem --parallel 2
check_rc "tls_client --mem --parallel 2: usage error" "$RC" 2 "$ERR"
check_grep "tls_client --mem --parallel 2: says why" "$ERR" "^tls_client: --mem needs --parallel 1"
OUT="$TMP/mc.out"
RC=0
timeout 10 "$BIN/tls_server" -p 0 --mem --max-conns 2 >"$OUT" 2>"$TMP/mc.err" || RC=$?
check_rc "tls_server --mem --max-conns 2: usage error" "$RC" 2 "$TMP/mc.err"
run_client "par-0" 10 tcp_client --parallel 0
check_rc "tcp_client --parallel 0: usage error" "$RC" 2 "$ERR"

summary
