#!/bin/bash
# mem.sh - integration tests of --mem (the TLS stack's heap per connection, src/mem.c) on
# loopback (tcp/udp link no TLS stack: their figures are 0):
# real programs, real handshakes with mutual authentication. Assertions are on what the
# programs printed and wrote: the heap_peak_bytes column (last, only with --mem) in the
# client and server CSVs, the "# heap:" and "heap conn_peak_max=" lines, the JSON object,
# their agreement with each other, and that RSA-2048 certificates change the figure.
# No numeric targets here: those are scripts/heap.sh's.
#   test/mem.sh BIN_DIR     (e.g. build/native/bin; see test/lib.sh)
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=3 # timed messages per size
T=60 # bound on any one client run, seconds

for p in tcp tls; do
	if [ ! -x "$BIN/${p}_client" ] || [ ! -x "$BIN/${p}_server" ]; then
		not_ok "${p}_client and ${p}_server are in $BIN"
		summary
		exit 1
	fi
done

EC=$TMP/ec
RSA=$TMP/rsa
gen_certs ec256 "$EC"
gen_certs rsa2048 "$RSA"

# heap_col FILE: prints the heap_peak_bytes column of every row of kind KIND (client CSV:
# all data rows; server CSV: "conn" rows), failing when there is none. It is the last column
# but for the client's slot.
heap_col() {
	awk -F, -v kind="${2:-}" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == "heap_peak_bytes") c = i; if (!c) exit 1; next }
		kind == "" || $1 == kind { print $c }' "$1"
}

# all_rows FILE AWK-CONDITION [KIND]: every heap value v satisfies it (and there is one).
all_rows() {
	local vals
	vals=$(heap_col "$1" "${3:-}") || return 1
	[ -n "$vals" ] && awk "{ v = \$1; if (!($2)) bad++ } END { exit bad > 0 }" <<<"$vals"
}

# max_of FILE [KIND]: the largest heap value of the rows (acked client rows: column 10).
max_of() {
	awk -F, -v kind="${2:-}" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "heap_peak_bytes") c = i; next }
		c && (kind == "" ? $10 == 1 : $1 == kind) && $c + 0 > m { m = $c + 0 }
		END { print m + 0 }' "$1"
}

# run_mem WHAT PROTO DIR MODE [CLIENT-ARGS...]: one --mem run of PROTO (tcp, udp, tls,
# dtls) with the certificates of DIR; MODE per-message|keep. Sets CLI_MAX, SRV_MAX.
run_mem() {
	local what=$1 proto=$2 dir=$3 mode=$4 creds_s=() creds_c=() extra=() secure=0 line base
	local smem rc
	shift 4
	CLI_MAX=x
	SRV_MAX=y
	case "$proto" in tls | dtls)
		secure=1
		creds_s=(--ca "$dir/ca.crt" --cert "$dir/server.crt" --key "$dir/server.key")
		creds_c=(--ca "$dir/ca.crt" --cert "$dir/client.crt" --key "$dir/client.key")
		;;
	esac
	[ "$mode" = keep ] && extra=(--keep)
	# tcp/udp servers have no TLS stack, no heap to count: --mem is a client option there
	# (tcp_client --mem gives the zero baseline).
	smem=(--mem)
	[ "$secure" -eq 1 ] || smem=()
	start_server "srv-$what" "${proto}_server" -b 127.0.0.1 "${smem[@]}" -o "$TMP/srv.csv" \
		"${creds_s[@]}" || return 0
	run_client "cli-$what" "$T" "${proto}_client" -p "$SRV_PORT" -s 64,1K -n "$N" -w 1 --mem \
		"${creds_c[@]}" "${extra[@]}" "$@" -o "$TMP/cli.csv" --json "$TMP/cli.json"
	check_rc "$what: client exit 0" "$RC" 0 "$ERR"
	wait_exit "$SRV_PID" 20
	check_rc "$what: server exits 0" "$EXIT_RC" 0 "$SRV_ERR"
	check_grep "$what: client notes the accounting overhead" "$OUT" "^# mem: .*overhead"
	[ "$secure" -eq 0 ] ||
		check_grep "$what: server notes the accounting overhead" "$SRV_ERR" "--mem: .*overhead"
	line=$(grep -E '^# heap: per connection peak p50=[0-9]+ max=[0-9]+ bytes \((Mbed TLS|OpenSSL|wolfSSL|no TLS stack) heap, baseline [0-9]+ bytes after setup' "$OUT" || true)
	check "$what: client '# heap:' line" test -n "$line"
	CLI_MAX=$(sed -n 's/.* max=\([0-9]*\) bytes.*/\1/p' <<<"$line")
	base=$(sed -n 's/.* baseline \([0-9]*\) bytes.*/\1/p' <<<"$line")
	SRV_MAX=$(sed -n 's/^heap conn_peak_max=\([0-9]*\) baseline=[0-9]*$/\1/p' "$SRV_OUT")
	[ "$secure" -eq 0 ] || check "$what: server 'heap conn_peak_max=N baseline=N' line" test -n "$SRV_MAX"
	if [ "$secure" -eq 1 ]; then
		check "$what: baselines above 0 (the library's state at least)" \
			grep -Eq "^heap conn_peak_max=[0-9]+ baseline=[1-9][0-9]*$" "$SRV_OUT"
		check "$what: client baseline above 0" test "${base:-0}" -gt 0
		check "$what: client CSV: heap_peak_bytes last, > 0 on every row" \
			all_rows "$TMP/cli.csv" "v > 0"
		check "$what: server CSV: heap_peak_bytes last, > 0 on every connection" \
			all_rows "$TMP/srv.csv" "v > 0" conn
	else
		check_eq "$what: no TLS stack: client baseline 0" "${base:-x}" 0
		check "$what: client CSV: heap_peak_bytes last, 0 on every row" \
			all_rows "$TMP/cli.csv" "v == 0"
		check_nogrep "$what: server without --mem: no heap line" "$SRV_OUT" "^heap "
		rc=0
		timeout 10 "$BIN/${proto}_server" -p 0 --mem >/dev/null 2>"$TMP/smem.err" || rc=$?
		check_rc "$what: ${proto}_server --mem: exit 2" "$rc" 2 "$TMP/smem.err"
		check_eq "$what: ${proto}_server --mem: one line" "$(cat "$TMP/smem.err")" \
			"${proto}_server: --mem is a client option"
	fi
	check_eq "$what: '# heap:' max = the CSV's largest value" "$CLI_MAX" "$(max_of "$TMP/cli.csv")"
	check_eq "$what: JSON heap.conn_peak_max = the '# heap:' max" \
		"$(jq -r '.heap.conn_peak_max' "$TMP/cli.json" 2>&1)" "$CLI_MAX"
	[ "$secure" -eq 0 ] || check_eq "$what: server line = the server CSV's largest value" \
		"$SRV_MAX" "$(max_of "$TMP/srv.csv" conn)"
	if [ "$mode" = keep ]; then
		check_eq "$what: keep: one figure on every row" \
			"$(heap_col "$TMP/cli.csv" | sort -u | wc -l)" 1
		check_grep "$what: keep: the line says one connection" "$OUT" "--keep: one connection\)$"
	else
		check_eq "$what: JSON counts every acked connection" \
			"$(jq -r '.heap.connections' "$TMP/cli.json" 2>&1)" $((2 * N))
	fi
}

# without --mem: no column, no line, no JSON key; the CSVs are as before.
run_plain() {
	local what="tls without --mem"
	start_server "srv-nomem" tls_server -b 127.0.0.1 -o "$TMP/srv.csv" --ca "$EC/ca.crt" \
		--cert "$EC/server.crt" --key "$EC/server.key" || return 0
	run_client "cli-nomem" "$T" tls_client -p "$SRV_PORT" -s 64 -n 2 -w 0 --ca "$EC/ca.crt" \
		--cert "$EC/client.crt" --key "$EC/client.key" -o "$TMP/cli.csv" --json "$TMP/cli.json"
	check_rc "$what: client exit 0" "$RC" 0 "$ERR"
	wait_exit "$SRV_PID" 20
	check_grep "$what: client CSV written" "$TMP/cli.csv" "^proto,mode,size,seq,"
	check_nogrep "$what: client CSV: no heap_peak_bytes column" "$TMP/cli.csv" "heap_peak_bytes"
	check_grep "$what: server CSV written" "$TMP/srv.csv" "^kind,proto,conn,"
	check_nogrep "$what: server CSV: no heap_peak_bytes column" "$TMP/srv.csv" "heap_peak_bytes"
	check_nogrep "$what: no '# heap:' or '# mem:' line" "$OUT" "^# (heap|mem):"
	check_nogrep "$what: no server heap line" "$SRV_OUT" "^heap "
	check_eq "$what: no heap in the JSON" "$(jq -r 'has("heap")' "$TMP/cli.json" 2>&1)" false
}

run_mem "tcp" tcp "" per-message
run_mem "tcp keep" tcp "" keep
run_mem "udp" udp "" per-message
for v in 1.2 1.3; do
	run_mem "tls $v ec" tls "$EC" per-message --tls "$v"
	ec_cli=$CLI_MAX
	ec_srv=$SRV_MAX
	run_mem "tls $v ec keep" tls "$EC" keep --tls "$v"
	run_mem "tls $v rsa" tls "$RSA" per-message --tls "$v"
	check "tls $v: RSA-2048 certificates give another client peak than P-256 ($CLI_MAX vs $ec_cli)" \
		test "$CLI_MAX" != "$ec_cli"
	check "tls $v: and another server peak ($SRV_MAX vs $ec_srv)" test "$SRV_MAX" != "$ec_srv"
done
if [ -x "$BIN/dtls_client" ] && [ -x "$BIN/dtls_server" ]; then
	run_mem "dtls ec" dtls "$EC" per-message
	ec_cli=$CLI_MAX
	run_mem "dtls ec keep" dtls "$EC" keep
	run_mem "dtls rsa" dtls "$RSA" per-message
	check "dtls: RSA-2048 certificates give another client peak than P-256 ($CLI_MAX vs $ec_cli)" \
		test "$CLI_MAX" != "$ec_cli"
else
	echo "skip - dtls: no dtls_client/dtls_server in $BIN"
fi
run_plain

summary
