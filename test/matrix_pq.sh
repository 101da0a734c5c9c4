#!/bin/bash
# matrix_pq.sh - post-quantum values of scripts/matrix.sh's axes: group= takes the ML-KEM
# groups (registry spelling), key= the ML-DSA certificates, tls= 1.3 on dtls (wolfssl);
# bad values are refused in one line (exit 2); the cells a stack or version cannot run are
# listed as skipped with the reason (ML-KEM or ML-DSA on Mbed TLS 3.6 or with TLS 1.2,
# DTLS 1.3 on Mbed TLS); and a real two-cell run, DTLS 1.3 x25519 against X25519MLKEM768
# on wolfssl, where each cell's probe checks the negotiated version and group (a cell that
# negotiated something else would be dropped) and the summary ranks both. 76 s
# with the load average at 14 (2.7 min at 20), most of it the real run.
# First pass of make test only (other stacks' builds).
#   test/matrix_pq.sh BIN_DIR   (BIN_DIR: the mbedtls build, for the baselines)
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "the matrix over the other stacks' builds"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MATRIX=$ROOT/scripts/matrix.sh

bad_axis() { # DESC ERE ARGS...
	local desc=$1 ere=$2 rc=0
	shift 2
	"$MATRIX" -B "$BIN" -d "$TMP/bad" "$@" >"$TMP/bad.out" 2>"$TMP/bad.err" </dev/null || rc=$?
	check_rc "$desc: exit 2" "$rc" 2 "$TMP/bad.err"
	check_eq "$desc: one line" "$(wc -l <"$TMP/bad.err")" 1
	check_grep "$desc: names it" "$TMP/bad.err" "$ere"
}
bad_axis "unknown group" "-x group: unknown value 'X25519MLKEM1024'" -x group=x25519,X25519MLKEM1024
bad_axis "unknown key" "-x key: unknown value 'mldsa87'" -x key=mldsa44,mldsa87
bad_axis "unknown version" "-x tls: unknown value '1.4'" -x proto=dtls -x tls=1.3,1.4

# --- the listing: what runs, what is skipped and why ---
# shellcheck disable=SC2054 # the commas are the axes' values
"$MATRIX" -B "$BIN" -d "$TMP/l" -l -x tls=1.2,1.3 -x key=ec256,mldsa44 \
	-x group=x25519,X25519MLKEM768 -x stack=mbedtls,wolfssl >"$TMP/l.out" 2>"$TMP/l.err" || true
check_grep "ML-KEM on mbedtls: skipped with the reason" "$TMP/l.err" \
	'skipped: tls_tls-1.3_key-ec256_group-X25519MLKEM768_stack-mbedtls_per-message: X25519MLKEM768: Mbed TLS 3.6 has no ML-KEM'
check_grep "ML-DSA on mbedtls: skipped with the reason" "$TMP/l.err" \
	'skipped: tls_tls-1.3_key-mldsa44_group-x25519_stack-mbedtls_per-message: mldsa44: Mbed TLS 3.6 has no ML-DSA'
check_grep "ML-KEM with TLS 1.2: skipped with the reason" "$TMP/l.err" \
	'skipped: tls_tls-1.2_key-ec256_group-X25519MLKEM768_stack-wolfssl_per-message: X25519MLKEM768: ML-KEM groups are TLS 1.3'
check_grep "ML-DSA with TLS 1.2: skipped with the reason" "$TMP/l.err" \
	'skipped: tls_tls-1.2_key-mldsa44_group-x25519_stack-wolfssl_per-message: mldsa44: ML-DSA certificates are TLS 1.3'
check_eq "the cells that run: 1.2 classical on both stacks, 1.3 classical on both, 1.3 PQ on wolfssl" \
	"$(grep -c '^cell: tls_' "$TMP/l.out")" 7
check_grep "... among them ML-KEM with ML-DSA on wolfssl" "$TMP/l.out" \
	'^cell: tls_tls-1.3_key-mldsa44_group-X25519MLKEM768_stack-wolfssl_per-message$'
"$MATRIX" -B "$BIN" -d "$TMP/d" -l -x proto=dtls -x tls=1.2,1.3 -x stack=mbedtls,wolfssl \
	>"$TMP/d.out" 2>"$TMP/d.err" || true
check_grep "DTLS 1.3 on mbedtls: skipped with the reason" "$TMP/d.err" \
	'skipped: dtls_tls-1.3_stack-mbedtls_per-message: DTLS 1.3: not in the mbedtls stack'
check_eq "DTLS 1.2 on both stacks and DTLS 1.3 on wolfssl run" \
	"$(grep -c '^cell: dtls_' "$TMP/d.out")" 3

# --- a real run: DTLS 1.3, x25519 against X25519MLKEM768, wolfssl ---
W=$(stack_bin wolfssl)
if [ ! -x "$W/dtls_client" ]; then
	not_ok "wolfssl programs in $W (make STACK=wolfssl)"
else
	t0=$(date +%s)
	rc=0
	# shellcheck disable=SC2054 # the commas are the axes' values
	timeout -k 5 300 "$MATRIX" -B "$BIN" -d "$TMP/r" -x proto=dtls -x tls=1.3 -x stack=wolfssl \
		-x group=x25519,X25519MLKEM768 -n 5 -s 64 -r 2 -S 3 >"$TMP/r.out" 2>"$TMP/r.err" </dev/null || rc=$?
	check_rc "dtls 1.3 x25519 vs X25519MLKEM768: the matrix ran ($(($(date +%s) - t0)) s)" "$rc" 0 "$TMP/r.err"
	for g in x25519 X25519MLKEM768; do
		id=dtls_tls-1.3_group-${g}_stack-wolfssl_per-message
		check_eq "$g: the probe negotiated DTLS 1.3 and $g" \
			"$(jq -r '.negotiated | split(" ") | .[0] + " " + .[2]' "$TMP/r/cells/$id/probe.json" 2>/dev/null)" \
			"DTLSv1.3 $g"
		check "$g: not dropped (no probe.fail)" test ! -e "$TMP/r/cells/$id/probe.fail"
		check_grep "$g: ranked in the summary" "$TMP/r/summary.md" "$id"
	done
fi
summary
