#!/bin/bash
# mcu-wolfssl.sh - the bare-metal image on wolfSSL (make TARGET=cortex-m4 STACK=wolfssl,
# scripts/mcu.sh -S wolfssl) under qemu-system-arm -icount shift=0: TLS 1.2 and 1.3 with
# mutual authentication (ECDSA P-256 certificates), full and resumed, over every group the
# settings offer (P-256 and X25519; on TLS 1.3 also X25519MLKEM768 and ML-KEM-768), rogue
# peers refused, the ML-KEM crypto floor, counts repeating, and the runner's bad input.
#   test/mcu-wolfssl.sh BIN_DIR   (BIN_DIR only for lib.sh; the image is built here)
# Builds wolfSSL for the target itself (about 20 s of CPU; 1-2 minutes of wall time on a
# loaded machine), then two runs of about 3 s of CPU each (25 s of wall time at a load of 19).
# The awk programs given to csv_all and check are in single quotes on purpose.
# shellcheck disable=SC2016
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "bare-metal wolfSSL image (no sanitizer build for bare metal)"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNNER=$ROOT/scripts/mcu.sh

mcu_build TARGET=cortex-m4 STACK=wolfssl

# run NAME ARGS...: the runner into $TMP/NAME, quiet; sets RC.
run() {
	local name=$1
	shift
	RC=0
	timeout -k 5 300 "$RUNNER" -S wolfssl -d "$TMP/$name" -q "$@" \
		>"$TMP/$name.out" 2>"$TMP/$name.err" </dev/null || RC=$?
}

ARGS=(-n 2 -r 2 -s 64)
mcu_first a "a run of both protocols and every group passes (2 full + 2 resumed each, rogue cases)" \
	"${ARGS[@]}"

# handshakes.csv: key,proto,kind,i,side,ok,resumed,cookie,hs_instr,xchg_instr,close_instr,
#                 heap_peak,stack_peak,hs_bytes_out,hs_bytes_in,hs_writes_out,verify,err,suite,group
H=$A/handshakes.csv
check_eq "48 handshake sides: TLS 1.2 x 2 groups + TLS 1.3 x 4 groups, (2 full + 2 resumed) x 2 sides" \
	"$(tail -n +2 "$H" | wc -l)" 48
for g in tls1.2,secp256r1 tls1.2,x25519 tls1.3,secp256r1 tls1.3,x25519 tls1.3,x25519mlkem768 \
	tls1.3,mlkem768; do
	for k in full resumed; do
		check_eq "${g/,/ } $k: both sides succeed with verification required (ok=1, verify=0)" \
			"$(awk -F, -v p="${g%,*}" -v g="${g#*,}" -v k="$k" \
				'$2 == p && $20 == g && $3 == k && $6 == 1 && $17 == "0x0" && $18 == "-0x0000"' "$H" | wc -l)" 4
	done
done
check "full handshakes are full and resumed ones resumed (from the server's flight)" \
	csv_all "$H" '($3 == "full") == ($7 == 0)'
check "TLS 1.2 suite is ECDHE-ECDSA AES-128-GCM, TLS 1.3 AES-128-GCM" \
	csv_all "$H" '($2 == "tls1.3" && $19 == "TLS13-AES128-GCM-SHA256") || ($2 == "tls1.2" && $19 == "ECDHE-ECDSA-AES128-GCM-SHA256")'
check "instruction counts, heap and stack peaks are positive (stack within the 32 KiB side stack)" \
	csv_all "$H" '$9 > 0 && $10 > 0 && $11 > 0 && $12 > 0 && $13 > 0 && $13 < 32768'
# An ML-KEM-768 encapsulation key is 1,184 bytes, its ciphertext 1,088 (FIPS 203): the
# ClientHello and the server's flight carry them, which a P-256 share (65 bytes) does not.
check "ML-KEM groups put the 1,184-byte key share in the ClientHello and the 1,088-byte ciphertext in the server's flight" \
	awk -F, 'NR > 1 && $2 == "tls1.3" && $3 == "full" && $5 == "client" { o[$20] = $14; i[$20] = $15 }
		END { for (g in o) if (g ~ /mlkem/ && !(o[g] >= o["secp256r1"] + 1100 && i[g] >= i["secp256r1"] + 1000)) exit 1
			exit length(o) != 4 }' "$H"
check "handshake bytes each way match between the sides" \
	awk -F, 'NR > 1 { k = $2 "," $20 "," $3 "," $4; if ($5 == "client") { o[k] = $14; i[k] = $15 } else { so[k] = $14; si[k] = $15 } }
		END { for (k in o) if (o[k] <= 0 || o[k] != si[k] || i[k] != so[k]) exit 1; exit length(o) != 24 }' "$H"

# negatives.csv: key,proto,case,refused,by,client_err,server_err,verify,group
N=$A/negatives.csv
check_eq "a client with a rogue certificate is refused by the server (ASN_NO_SIGNER_E), each protocol" \
	"$(awk -F, '$3 == "rogue-client" && $4 == 1 && $5 == "server" && $7 == "-0x00bc"' "$N" | wc -l)" 2
check_eq "a server with a rogue certificate is refused by the client (ASN_NO_SIGNER_E), each protocol" \
	"$(awk -F, '$3 == "rogue-server" && $4 == 1 && $5 == "client" && $6 == "-0x00bc"' "$N" | wc -l)" 2

# shellcheck disable=SC2317  # called through check
jq_true() { jq -e "$@" >/dev/null; }
check "the crypto floor has P-256, X25519 and ML-KEM-768 (keygen, encaps, decaps)" \
	jq_true '(.floor[0].side > 0) and (.floor_kex[0].group == "x25519" and .floor_kex[0].shared > 0)
		and (.floor_kem[0] | .group == "mlkem768" and .keygen > 0 and .encaps > 0 and .decaps > 0)' "$A/mcu.json"
check "footprint reported: flash, static RAM, the wolfSSL component" \
	jq_true '.footprint.flash > 100000 and .footprint.ram_static > 0 and .footprint.component_wolfssl > 0
		and .stack == "wolfssl" and (.stack_version | startswith("5."))' "$A/mcu.json"
check_grep "the table names wolfSSL and has a group column" "$A/table.txt" \
	'^ec256 +tls1\.3 +x25519mlkem768 +full +client +2 +[0-9]+ '
check_grep "env.txt records the stack" "$A/env.txt" '^stack: wolfssl$'

# Again, the ML-KEM groups alone (-G): the instruction counts repeat (within 1%;
# -icount makes them exact).
run b "${ARGS[@]}" -P tls1.3 -G x25519mlkem768,mlkem768
check_rc "a second run, -P tls1.3 -G x25519mlkem768,mlkem768, passes" "$RC" 0 "$TMP/b.err"
check_eq "... and ran those two groups only (2 x (2 full + 2 resumed) x 2 sides)" \
	"$(awk -F, 'NR > 1 && $6 == 1' "$TMP/b/handshakes.csv" 2>/dev/null | wc -l)/$(awk -F, 'NR > 1 && $20 !~ /mlkem768$/' "$TMP/b/handshakes.csv" 2>/dev/null | wc -l)" 16/0
if [ -f "$TMP/b/handshakes.csv" ]; then
	# The handshake within 1%; the exchange and close phases (about 15,000-40,000
	# instructions, where one more DRBG block or a shorter signature is 1-4%) within 1% or
	# 1,000 instructions.
	check "instruction counts repeat from run to run (handshake within 1%, exchange and close within 1% or 1,000)" \
		awk -F, 'NR == FNR { a[$1 $2 $20 $3 $4 $5] = $9 " " $10 " " $11; next }
			FNR > 1 { split(a[$1 $2 $20 $3 $4 $5], x, " "); if (x[1] == "") exit 1
				for (j = 1; j <= 3; j++) { d = x[j] - $(8 + j); if (d < 0) d = -d
					if (d * 100 > x[j] && (j == 1 || d > 1000)) exit 1 } n++ }
			END { exit n != 16 }' "$H" "$TMP/b/handshakes.csv"
fi

# The runner's bad input: one line, exit 2.
run bad1 -G x448
check_rc "-G with an unknown group: usage error" "$RC" 2 "$TMP/bad1.err"
check_grep "... one line naming it" "$TMP/bad1.err" "^mcu: -G: 'x448' is not a comma list"
run bad2 -P tls1.2 -G mlkem768
check_rc "-G mlkem768 with TLS 1.2 only: the image refuses it (exit 2)" "$RC" 2 "$TMP/bad2.err"
check_grep "... naming the group" "$TMP/bad2.err" 'offers no mlkem768'
run bad3 -c nosuch
check_rc "-S wolfssl -c nosuch: usage error" "$RC" 2 "$TMP/bad3.err"
check_grep "... listing the wolfSSL settings" "$TMP/bad3.err" "not a bare-metal config of wolfssl \(known: mcu"
RC=0
"$RUNNER" -S gnutls -d "$TMP/bad4" -q >"$TMP/bad4.out" 2>"$TMP/bad4.err" </dev/null || RC=$?
check_rc "-S gnutls: usage error" "$RC" 2 "$TMP/bad4.err"
summary
