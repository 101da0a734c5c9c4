#!/bin/bash
# tls.sh - integration tests of the TLS pair (tls_client, tls_server) on loopback: real
# programs, real sockets, mutual authentication with certificates made by gen-certs.sh,
# OpenSSL's command line as an independent peer. Assertions are on what the programs
# printed, wrote and returned; resumption is proved by the resumed flag and the handshake
# bytes (no Certificate message), never by time.
#   test/tls.sh BIN_DIR     (e.g. build/native/bin; see test/lib.sh)
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=4  # timed messages per size
W=1  # warm-up messages per size (the first, full handshake of a --resume run)
T=60 # bound on any one client run, seconds

command -v openssl >/dev/null || { echo "tls.sh: needs openssl" >&2; exit 2; }
if [ ! -x "$BIN/tls_client" ] || [ ! -x "$BIN/tls_server" ]; then
	not_ok "tls_client and tls_server are in $BIN"
	summary
	exit 1
fi

# --- certificates: fresh sets in $TMP, so the tests depend on no state in certs/ ---

EC=$TMP/ec
RSA=$TMP/rsa
gen_certs ec256 "$EC"
gen_certs rsa2048 "$RSA"

# der_size FILE: bytes of the certificate in DER, i.e. of its Certificate message body.
der_size() {
	openssl x509 -in "$1" -outform der | wc -c
}

# creds DIR NAME: --ca/--cert/--key arguments of certificate NAME (client, bad/rogue-client...).
creds() {
	CREDS=(--ca "$1/ca.crt" --cert "$1/$2.crt" --key "$1/$2.key")
}

# --- loopback runs: both modes, TLS 1.2 and 1.3, EC and RSA keys, with and without --resume ---

# loopback KEYS VERSION MODE: KEYS ec|rsa, MODE per-message|resume|keep.
loopback() {
	local keys=$1 v=$2 mode=$3 dir=$EC suite key=EC-256 extra=() m=per-message run total srvder
	local what="tls $v $keys $mode"
	[ "$keys" = rsa ] && dir=$RSA && key='RSA-2048'
	case "$mode" in resume) extra=(--resume) ;; keep) extra=(--keep) && m=keep ;; esac
	case "$v-$keys" in
	1.3-*) suite=TLS1-3-AES-128-GCM-SHA256 ;;
	1.2-ec) suite=TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256 ;;
	1.2-rsa) suite=TLS-ECDHE-RSA-WITH-AES-128-GCM-SHA256 ;;
	esac
	total=$((2 * (N + W)))
	creds "$dir" server
	start_server "srv-$keys-$v-$mode" tls_server -b 127.0.0.1 "${CREDS[@]}" --timeout 5000 \
		-o "$TMP/srv.csv" || return 0
	creds "$dir" client
	run_client "cli-$keys-$v-$mode" "$T" tls_client -p "$SRV_PORT" -s 64,40000 -n "$N" -w "$W" \
		--tls "$v" "${CREDS[@]}" "${extra[@]}" -o "$TMP/cli.csv"
	check_rc "$what: client exit 0" "$RC" 0 "$ERR"
	check_eq "$what: client stderr empty" "$(cat "$ERR")" ""
	check_grep "$what: every message acked (40000 B spans several records)" "$OUT" \
		"^result proto=tls mode=$m sizes=2 messages=$((2 * N)) acked=$((2 * N)) lost=0 end=acked$"
	check_grep "$what: negotiated version, pinned suite and group, key type" "$OUT" \
		"^# negotiated: TLSv$v $suite secp256r1 $key \(pinned by default: AES-128-GCM, secp256r1\)$"
	run=$(run_id "$OUT")
	wait_exit "$SRV_PID" 20
	check_rc "$what: server exits 0 after END" "$EXIT_RC" 0 "$SRV_ERR"
	check_grep "$what: server saw every message valid" "$SRV_OUT" \
		"^end run=$run sent=$total received=$total valid=$total$"
	check_eq "$what: server stderr empty" "$(cat "$SRV_ERR")" ""
	srvder=$(der_size "$dir/server.crt")
	case "$mode" in
	per-message)
		check "$what: CSV: full handshakes (not resumed, server cert's $srvder B among hs_rx)" \
			csv_all "$TMP/cli.csv" "\$10 == 1 && \$16 == 0 && \$13 > 0 && \$14 > $srvder"
		;;
	resume)
		check "$what: CSV: every timed row resumed, hs_rx below the server cert's $srvder B" \
			csv_all "$TMP/cli.csv" "\$10 == 1 && \$16 == 1 && \$13 > 0 && \$14 > 0 && \$14 < $srvder"
		;;
	keep)
		check_grep "$what: set-up line" "$OUT" "^# keep: one connection for all messages; set-up"
		check_eq "$what: server CSV: one connection" \
			"$(awk -F, '$1 == "conn"' "$TMP/srv.csv" | wc -l)" 1
		;;
	esac
}

loopback_runs() {
	local keys v mode
	for keys in ec rsa; do
		for v in 1.2 1.3; do
			for mode in per-message resume keep; do
				loopback "$keys" "$v" "$mode"
			done
		done
	done
}

# negotiated WHAT WANT SERVER-ARGS -- CLIENT-ARGS: the client's negotiated line.
negotiated() {
	local what=$1 want=$2 sargs=() cargs=()
	shift 2
	while [ "$#" -gt 0 ] && [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	cargs=("$@")
	creds "$EC" server
	start_server "srv-neg" tls_server -b 127.0.0.1 "${CREDS[@]}" "${sargs[@]}" || return 0
	creds "$EC" client
	run_client "cli-neg" "$T" tls_client -p "$SRV_PORT" -s 64 -n 2 -w 0 "${CREDS[@]}" "${cargs[@]}"
	check_rc "$what: client exit 0" "$RC" 0 "$ERR"
	check_grep "$what: $want" "$OUT" "^# negotiated: $want$"
	wait_exit "$SRV_PID" 20
}

negotiation_runs() {
	negotiated "default" "TLSv1.3 TLS1-3-AES-128-GCM-SHA256 secp256r1 EC-256 \(pinned by default: AES-128-GCM, secp256r1\)" --
	negotiated "--groups x25519 (1.3 preferred)" "TLSv1.3 TLS1-3-AES-128-GCM-SHA256 x25519 EC-256 \(pinned by default: AES-128-GCM\)" \
		--groups x25519,secp256r1 -- --groups x25519
	# In TLS 1.2 the groups also bound the curve of an ECDSA certificate (RFC 8422 5.1):
	# secp256r1 must stay in the list for the P-256 certificates.
	negotiated "--tls 1.2 --groups secp384r1,secp256r1 (group from ServerKeyExchange)" \
		"TLSv1.2 TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256 secp384r1 EC-256 \(pinned by default: AES-128-GCM\)" \
		--groups secp384r1,secp256r1 -- --tls 1.2 --groups secp384r1,secp256r1
	negotiated "server groups secp256r1 only: HelloRetryRequest" \
		"TLSv1.3 TLS1-3-AES-128-GCM-SHA256 secp256r1 EC-256 \(after HelloRetryRequest\) \(pinned by default: AES-128-GCM\)" \
		--groups secp256r1 -- --groups x25519,secp256r1
	negotiated "--ciphersuite TLS1-3-CHACHA20-POLY1305-SHA256" \
		"TLSv1.3 TLS1-3-CHACHA20-POLY1305-SHA256 secp256r1 EC-256 \(pinned by default: secp256r1\)" \
		--ciphersuite any -- --ciphersuite TLS1-3-CHACHA20-POLY1305-SHA256
	negotiated "--ciphersuite any --groups any: no pin" "TLSv1\.3 TLS1-3-[A-Z0-9-]+ [a-z0-9]+ EC-256" \
		--ciphersuite any --groups any -- --ciphersuite any --groups any
	# The defaults pin the group on both sides: a client that offers only x25519 is refused.
	creds "$EC" server
	start_server "srv-pin" tls_server -b 127.0.0.1 "${CREDS[@]}" || return 0
	creds "$EC" client
	run_client "cli-pin" "$T" tls_client -p "$SRV_PORT" -s 64 -n 1 -w 0 --max-loss 1 \
		"${CREDS[@]}" --groups x25519
	check_rc "pinned server vs --groups x25519 client: refused" "$RC" 1 "$ERR"
	stop_server "$SRV_PID"
}

# --- negative matrix: each refused on the verifying side with its reason, no ack ---

# msg_rows FILE: request rows in a server CSV.
msg_rows() {
	awk -F, '$1 == "msg"' "$1" | wc -l
}

# refused_run WHAT SIDE REASON CLIENT-ARGS...: against the running server ($SRV_*); SIDE is
# the verifying side (server|client) that must print REASON; the other must not.
refused_run() {
	local what=$1 side=$2 reason=$3 other
	shift 3
	run_client "refused" "$T" tls_client -p "$SRV_PORT" -s 64 -n 1 -w 0 --max-loss 1 "$@"
	check_rc "$what: client exit 1" "$RC" 1 "$ERR"
	check_grep "$what: nothing acked" "$OUT" "^result proto=tls .* acked=0 lost=1 end=lost$"
	if [ "$side" = server ]; then
		if wait_lines "$SRV_ERR" ": client certificate rejected: $reason" 1 10; then
			ok "$what: reason on the server's stderr"
		else
			not_ok "$what: reason on the server's stderr" "$(tail -n 4 "$SRV_ERR")"
		fi
		other=$ERR
	else
		check_grep "$what: reason on the client's stderr" "$ERR" \
			"^tls_client: 127\.0\.0\.1:$SRV_PORT: server certificate rejected: $reason"
		other=$SRV_ERR
	fi
	check_nogrep "$what: no reason on the other side" "$other" "certificate rejected"
	check_eq "$what: no request reached the server" "$(msg_rows "$TMP/neg.csv")" 0
}

# good_after WHAT CLIENT-ARGS...: the --forever server still serves a client it accepts.
good_after() {
	local what=$1
	shift
	run_client "good-after" "$T" tls_client -p "$SRV_PORT" -s 64 -n 2 -w 0 "$@"
	check_rc "$what: then a good client: exit 0" "$RC" 0 "$ERR"
	check_grep "$what: then a good client: acked" "$OUT" "acked=2 lost=0 end=acked$"
	check_grep "$what: then a good client: server saw END" "$SRV_OUT" "^end run=$(run_id "$OUT") sent=2 received=2 valid=2$"
}

client_cert_negatives() {
	local v=$1 b=$EC/bad
	creds "$EC" server
	start_server "neg-srv-$v" tls_server -b 127.0.0.1 --forever "${CREDS[@]}" -o "$TMP/neg.csv" || return 0
	refused_run "tls $v client without certificate" server "Certificate was missing" \
		--tls "$v" --ca "$EC/ca.crt" --cert none
	if [ "$v" = 1.2 ]; then
		# RFC 5246 7.4.6: the refusal is a fatal handshake_failure alert, not a bare close.
		check_grep "tls 1.2 client without certificate: the server's alert reaches it" "$ERR" \
			"last: SSL - A fatal alert message was received from our peer"
	else
		# The server's alert comes under keys the client has left: Mbed TLS says "MAC".
		check_grep "tls 1.3 client without certificate: the MAC failure is explained" "$ERR" \
			"^tls_client: 127\.0\.0\.1:$SRV_PORT: TLS 1\.3: a MAC failure on the first records usually means the server refused our certificate"
	fi
	refused_run "tls $v client cert from another CA" server \
		"The certificate is not correctly signed by the trusted CA" \
		--tls "$v" --ca "$EC/ca.crt" --cert "$b/rogue-client.crt" --key "$b/rogue-client.key"
	refused_run "tls $v expired client cert" server "The certificate validity has expired" \
		--tls "$v" --ca "$EC/ca.crt" --cert "$b/expired-client.crt" --key "$b/expired-client.key"
	refused_run "tls $v client cert without clientAuth" server \
		"Usage does not match the extendedKeyUsage extension" --tls "$v" --ca "$EC/ca.crt" \
		--cert "$b/noclientauth-client.crt" --key "$b/noclientauth-client.key"
	creds "$EC" client
	good_after "tls $v client-cert cases" --tls "$v" "${CREDS[@]}"
	stop_server "$SRV_PID"
}

# server_cert_negative VERSION NAME REASON [GOOD-CLIENT-ARGS...]: a --forever server with
# certs/bad/NAME; a client that accepts it (if any) is served afterwards, else the server
# must still handle the next connection.
server_cert_negative() {
	local v=$1 name=$2 reason=$3 what
	what="tls $v server: $name"
	shift 3
	start_server "neg-$name-$v" tls_server -b 127.0.0.1 --forever --ca "$EC/ca.crt" \
		--cert "$EC/bad/$name.crt" --key "$EC/bad/$name.key" -o "$TMP/neg.csv" || return 0
	creds "$EC" client
	refused_run "$what" client "$reason" --tls "$v" "${CREDS[@]}"
	if [ "$#" -gt 0 ]; then
		good_after "$what" --tls "$v" "${CREDS[@]}" "$@"
	else
		run_client "again" "$T" tls_client -p "$SRV_PORT" -s 64 -n 1 -w 0 --max-loss 1 \
			--tls "$v" "${CREDS[@]}"
		if wait_lines "$SRV_ERR" "^tls_server: conn [34] from " 1 10; then
			ok "$what: server handles the next client too"
		else
			not_ok "$what: server handles the next client too" "$(tail -n 4 "$SRV_ERR")"
		fi
	fi
	stop_server "$SRV_PID"
}

negative_runs() {
	local v
	for v in 1.2 1.3; do
		client_cert_negatives "$v"
		server_cert_negative "$v" rogue-server \
			"The certificate is not correctly signed by the trusted CA" --ca "$EC/bad/rogue-ca.crt"
		server_cert_negative "$v" expired-server "The certificate validity has expired"
		server_cert_negative "$v" wrongname-server \
			"The certificate Common Name \(CN\) does not match with the expected CN" \
			--server-name wrong.example.invalid
		server_cert_negative "$v" notyet-server \
			"The certificate validity starts in the future \(check this machine's clock"
	done
}

# --- a peer that stalls or trickles is dropped by the overall handshake deadline ---

deadline_runs() {
	local tp
	creds "$EC" server
	# --timeout 10000: a per-read timeout alone would never drop the trickler below.
	start_server "deadline" tls_server -b 127.0.0.1 --forever --hs-deadline 1000 --timeout 10000 \
		"${CREDS[@]}" || return 0
	# A ClientHello record header, then one byte every 200 ms for 10 s.
	(
		exec 3<>"/dev/tcp/127.0.0.1/$SRV_PORT"
		printf '\026\003\001\002\000' >&3
		for _ in $(seq 50); do
			printf '\001' >&3 || exit 0
			sleep 0.2
		done
	) 2>/dev/null &
	tp=$!
	PIDS+=("$tp")
	# The waiting room (src/waitroom.c) holds both: no handshake starts without a whole
	# first record.
	if wait_lines "$SRV_ERR" "^tls_server: .*: no whole first record within 1000 ms \(--hs-deadline\): closed$" 1 6; then
		ok "trickling peer dropped by the 1 s --hs-deadline (it sends for 10 s)"
	else
		not_ok "trickling peer dropped by the 1 s --hs-deadline (it sends for 10 s)" "$(cat "$SRV_ERR")"
	fi
	signal TERM "$tp" || true
	wait "$tp" 2>/dev/null || true
	# A peer that connects and says nothing.
	(
		exec 3<>"/dev/tcp/127.0.0.1/$SRV_PORT"
		exec sleep 10
	) 2>/dev/null &
	tp=$!
	PIDS+=("$tp")
	if wait_lines "$SRV_ERR" "^tls_server: .*: no whole first record within 1000 ms \(--hs-deadline\): closed$" 2 6; then
		ok "silent peer dropped by the 1 s --hs-deadline"
	else
		not_ok "silent peer dropped by the 1 s --hs-deadline" "$(cat "$SRV_ERR")"
	fi
	signal TERM "$tp" || true
	wait "$tp" 2>/dev/null || true
	creds "$EC" client
	good_after "after the deadline drops" "${CREDS[@]}"
	stop_server "$SRV_PID"
}

# --- interop with OpenSSL's command line as an independent peer ---

# request FILE: an ackbench request (run 12345678, seq 0, 64 bytes) then END (seq 1), as
# src/msg.c writes them: "ACKB", version 1, type, 2 zero bytes, run id, seq, total length,
# reply length, send time (8 bytes), then 'A' padding.
request() {
	{
		printf 'ACKB\001\001\000\000\022\064\126\170\000\000\000\000\000\000\000\100\000\000\000\030'
		printf '\000\000\000\000\000\000\000\000'
		printf 'A%.0s' $(seq 32)
		printf 'ACKB\001\002\000\000\022\064\126\170\000\000\000\001\000\000\000\040\000\000\000\030'
		printf '\000\000\000\000\000\000\000\000'
	} >"$1"
}

# s_client_run VERSION: openssl s_client with a client certificate against tls_server.
s_client_run() {
	local v=$1 what="openssl s_client -tls${1/./_} -> tls_server" i got
	request "$TMP/req.bin"
	creds "$EC" server
	start_server "s_client-$v" tls_server -b 127.0.0.1 "${CREDS[@]}" || return 0
	: >"$TMP/sc.bin"
	# stdin stays open until both replies are in, then s_client sends close_notify.
	# shellcheck disable=SC2094 # sc.bin's size is polled while s_client writes it
	{
		cat "$TMP/req.bin"
		for i in $(seq 100); do
			[ "$(stat -c %s "$TMP/sc.bin")" -lt 48 ] || break
			sleep 0.1
		done
	} | timeout -k 5 20 openssl s_client -connect "127.0.0.1:$SRV_PORT" "-tls${v/./_}" \
		-CAfile "$EC/ca.crt" -cert "$EC/client.crt" -key "$EC/client.key" \
		-verify_return_error -verify_ip 127.0.0.1 -quiet -no_ign_eof \
		>"$TMP/sc.bin" 2>"$TMP/sc.err" || true
	got=$(od -An -v -tx1 -N16 "$TMP/sc.bin" | tr -d ' \n')
	check_eq "$what: ack for seq 0 of run 12345678" "$got" "61636b00123456780000000000000018"
	got=$(od -An -v -tx1 -j24 -N16 "$TMP/sc.bin" | tr -d ' \n')
	check_eq "$what: ack for END (seq 1)" "$got" "61636b00123456780000000100000018"
	wait_exit "$SRV_PID" 20
	check_rc "$what: server exits 0" "$EXIT_RC" 0 "$SRV_ERR"
	check_grep "$what: server saw the request valid" "$SRV_OUT" \
		"^end run=12345678 sent=1 received=1 valid=1$"
	check_grep "$what: s_client verified tls_server's certificate" "$TMP/sc.err" \
		"^depth=0 O = ackbench, CN = ackbench-server$"
	# Without a client certificate: refused by tls_server, with its reason.
	start_server "s_client-nocert-$v" tls_server -b 127.0.0.1 "${CREDS[@]}" --idle-timeout 5 || return 0
	timeout -k 5 20 openssl s_client -connect "127.0.0.1:$SRV_PORT" "-tls${v/./_}" \
		-CAfile "$EC/ca.crt" -quiet -no_ign_eof <"$TMP/req.bin" >"$TMP/sc.bin" 2>"$TMP/sc.err" || true
	if wait_lines "$SRV_ERR" "client certificate rejected: Certificate was missing" 1 10; then
		ok "$what: without client certificate: refused, reason on tls_server's stderr"
	else
		not_ok "$what: without client certificate: refused, reason on tls_server's stderr" \
			"$(cat "$SRV_ERR")"
	fi
	check_eq "$what: without client certificate: no ack" "$(grep -c ack "$TMP/sc.bin" || true)" 0
	stop_server "$SRV_PID"
}

# s_server_run VERSION: tls_client against openssl s_server -Verify 1. s_server cannot answer
# ackbench requests: the check is that the mutual handshake completes (s_server logs and
# verifies our client certificate) and our request arrives decrypted.
s_server_run() {
	local v=$1 what="tls_client -> openssl s_server -Verify 1 -tls${1/./_}" i port='' pid
	# s_server ends at EOF on stdin: give it a FIFO that stays open.
	rm -f "$TMP/ss.fifo"
	mkfifo "$TMP/ss.fifo"
	exec 7<>"$TMP/ss.fifo"
	# Emptied here, not by the redirection below: that runs in the background child, maybe
	# after the poll has read the last run's ACCEPT line (a closed port).
	: >"$TMP/ss.out"
	openssl s_server -accept 127.0.0.1:0 "-tls${v/./_}" -cert "$EC/server.crt" \
		-key "$EC/server.key" -CAfile "$EC/ca.crt" -Verify 1 -verify_return_error -naccept 1 \
		<"$TMP/ss.fifo" >"$TMP/ss.out" 2>"$TMP/ss.err" &
	pid=$!
	PIDS+=("$pid")
	for i in $(seq 100); do
		port=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$TMP/ss.out")
		[ -z "$port" ] || break
		sleep 0.1
	done
	if [ -z "$port" ]; then
		not_ok "$what: s_server ready (after $i polls)" "$(cat "$TMP/ss.err")"
		stop_server "$pid"
		exec 7>&-
		return 0
	fi
	creds "$EC" client
	run_client "cli-ss" "$T" tls_client -p "$port" -s 64 -n 1 -w 0 --max-loss 1 --timeout 1000 \
		"${CREDS[@]}" -o "$TMP/ss.csv"
	check_grep "$what: handshake completed (negotiated line)" "$OUT" \
		"^# negotiated: TLSv$v .* secp256r1 EC-256"
	check_grep "$what: then no ack (s_server does not answer)" "$ERR" "last: timed out$"
	check "$what: CSV: handshake bytes both ways" \
		csv_all "$TMP/ss.csv" "\$10 == 0 && \$13 > 0 && \$14 > $(der_size "$EC/server.crt")"
	if wait_lines "$TMP/ss.out" "^subject=O = ackbench, CN = ackbench-client$" 1 10; then
		ok "$what: s_server got our client certificate"
	else
		not_ok "$what: s_server got our client certificate" "$(tail -n 5 "$TMP/ss.out")"
	fi
	check_grep "$what: s_server verified it" "$TMP/ss.err" "^depth=0 O = ackbench, CN = ackbench-client$"
	check_grep "$what: our request reached s_server decrypted" "$TMP/ss.out" "ACKB"
	stop_server "$pid"
	exec 7>&-
}

interop_runs() {
	local v
	for v in 1.2 1.3; do
		s_client_run "$v"
		s_server_run "$v"
	done
}

# --- key log: NSS format, and a capture decrypted with it shows the Certificate messages ---

keylog_run() {
	local what="--keylog" cap=$TMP/cap.pcapng dpid="" n
	creds "$EC" server
	start_server "keylog" tls_server -b 127.0.0.1 "${CREDS[@]}" || return 0
	# The capture check needs tshark and the right to capture on lo (scripts/deps.sh capture).
	if command -v dumpcap >/dev/null && command -v tshark >/dev/null; then
		dumpcap -i lo -f "tcp port $SRV_PORT" -w "$cap" >"$TMP/dumpcap.out" 2>"$TMP/dumpcap.err" &
		dpid=$!
		PIDS+=("$dpid")
		if ! wait_lines "$TMP/dumpcap.err" "^Capturing on" 1 10; then
			echo "# skipped: the capture checks (dumpcap: $(tail -n 1 "$TMP/dumpcap.err"))"
			stop_server "$dpid"
			dpid=""
		fi
	else
		echo "# skipped: the capture checks (no tshark/dumpcap)"
	fi
	creds "$EC" client
	run_client "cli-keylog" "$T" tls_client -p "$SRV_PORT" -s 64 -n 1 -w 0 --tls 1.3 "${CREDS[@]}" \
		--keylog "$TMP/keys.log"
	check_rc "$what: client exit 0" "$RC" 0 "$ERR"
	check_grep "$what: warning on stderr" "$ERR" "^tls_client: warning: --keylog: writing TLS secrets to '"
	for n in CLIENT_HANDSHAKE_TRAFFIC_SECRET SERVER_HANDSHAKE_TRAFFIC_SECRET CLIENT_TRAFFIC_SECRET_0 \
		SERVER_TRAFFIC_SECRET_0; do
		check_eq "$what: $n lines (2 connections)" \
			"$(grep -Ec "^$n [0-9a-f]{64} [0-9a-f]{64}$" "$TMP/keys.log")" 2
	done
	wait_exit "$SRV_PID" 20
	[ -n "$dpid" ] || return 0
	sleep 0.5 # let dumpcap write the last packets
	stop_server "$dpid"
	n=$(tshark -r "$cap" -d "tcp.port==$SRV_PORT,tls" -Y "tls.handshake.type == 11" 2>/dev/null | wc -l)
	check_eq "$what: without the key log, tshark sees no Certificate message" "$n" 0
	n=$(tshark -r "$cap" -o "tls.keylog_file:$TMP/keys.log" -d "tcp.port==$SRV_PORT,tls" \
		-Y "tls.handshake.type == 11" 2>/dev/null | wc -l)
	check "$what: with it, tshark decrypts the Certificate messages ($n frames)" [ "$n" -ge 2 ]
}

# --- usage errors: exit 2 and one line naming the option and value ---

refused() {
	local prog=$1 want=$2
	shift 2
	run_client "usage" 10 "$prog" "$@"
	check_rc "$prog $*: exit 2" "$RC" 2 "$ERR"
	check_eq "$prog $*: one-line error" "$(cat "$ERR")" "$prog: $want"
}

usage_runs() {
	refused tls_client "--tls: '1.1': want 1.2 or 1.3" -p 1 --ca "$EC/ca.crt" --tls 1.1
	refused tls_client "--groups: 'foo': unknown group (known: secp256r1, secp384r1, secp521r1, x25519, x448, brainpoolP256r1.., ffdhe2048..ffdhe8192, X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024, MLKEM512, MLKEM768, MLKEM1024)" \
		-p 1 --groups x25519,foo
	refused tls_client "--ciphersuite: 'TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256': no TLS 1.3 suite, but --tls 1.3" \
		-p 1 --tls 1.3 --ciphersuite TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256
	refused tls_client "--key: '$EC/ca.key': does not match the public key of --cert" \
		-p 1 --ca "$EC/ca.crt" --cert "$EC/client.crt" --key "$EC/ca.key"
	refused tls_server "--resume is a client option" -p 0 --resume
	refused tls_server "--server-name is a client option" -p 0 --server-name localhost
	run_client "help" 10 tls_server --help
	check_nogrep "tls_server --help: no client-only option listed" "$OUT" "^ +--(server-name|resume) "
	run_client "help" 10 tls_client --help
	check_grep "tls_client --help: lists --server-name" "$OUT" "^ +--server-name NAME "
	refused tls_server "--cert: cannot load '$TMP/none.crt': PK - Read/write of file failed (-0x3E00) (run 'make certs' or give --cert FILE)" \
		-p 0 --cert "$TMP/none.crt"
}

usage_runs
loopback_runs
negotiation_runs
negative_runs
deadline_runs
interop_runs
keylog_run
summary
