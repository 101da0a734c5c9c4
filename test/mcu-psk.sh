#!/bin/bash
# mcu-psk.sh - the bare-metal image's pre-shared-key build (make TARGET=cortex-m4
# CONFIG=mcu-psk: Mbed TLS without X.509, scripts/mcu.sh -c mcu-psk) under qemu-system-arm
# -icount shift=0: TLS 1.2 and DTLS 1.2 PSK and ECDHE-PSK, TLS 1.3 external PSK in psk_ke and
# psk_dhe_ke, each completing on both sides with the mode read from each side; a client
# with another key refused by the server in every protocol (not hung: QEMU and the image's
# handshake turns are bounded); no X.509 code in the image; counts repeating; and, when the
# certificate image is built, the PSK vs certificate table (scripts/mcu-table.sh -c).
#   test/mcu-psk.sh BIN_DIR   (BIN_DIR only for lib.sh; the image is built here)
# Builds Mbed TLS for the config itself the first time (about 45 s on a loaded machine);
# then two PSK runs of about 7 s each and, if build/cortex-m4-mcu exists, one short
# certificate run (about 15 s).
# The awk programs given to csv_all and check are in single quotes on purpose.
# shellcheck disable=SC2016
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "bare-metal PSK image (no sanitizer build for bare metal)"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNNER=$ROOT/scripts/mcu.sh

mcu_build TARGET=cortex-m4 CONFIG=mcu-psk
IMG=$ROOT/build/cortex-m4-mcu-psk/mcu/ackbench-mcu.elf

# run NAME ARGS...: the runner into $TMP/NAME, quiet; sets RC.
run() {
	local name=$1
	shift
	RC=0
	timeout -k 5 300 "$RUNNER" -d "$TMP/$name" -q "$@" \
		>"$TMP/$name.out" 2>"$TMP/$name.err" </dev/null || RC=$?
}

ARGS=(-c mcu-psk -n 2 -r 2 -s 64)
mcu_first a "a PSK run passes (psk and psk-dhe: 2 full handshakes per protocol, records, wrong key)" \
	"${ARGS[@]}"

# handshakes.csv: key,proto,kind,i,side,ok,resumed,cookie,hs_instr,xchg_instr,close_instr,
#                 heap_peak,stack_peak,hs_bytes_out,hs_bytes_in,hs_writes_out,verify,err,suite,
#                 group,kex
H=$A/handshakes.csv
check_eq "24 handshake sides: 2 modes x 3 protocols x 2 full handshakes x 2 sides" \
	"$(tail -n +2 "$H" | wc -l)" 24
check "every handshake completes on both sides (ok=1, no error), full (not resumed)" \
	csv_all "$H" '$6 == 1 && $18 == "-0x0000" && $3 == "full" && $7 == 0'
# expect KEY PROTO SUITE GROUP KEX: both sides (2 handshakes each) report them.
expect() {
	check_eq "$1 $2: each side's context says $3, key exchange $5 (group $4; TLS 1.3: from the ServerHello, the one mode both configs allow)" \
		"$(awk -F, -v k="$1" -v p="$2" -v s="$3" -v g="$4" -v x="$5" \
			'$1 == k && $2 == p && $19 == s && $20 == g && $21 == x { n[$5]++ }
			END { print n["client"] + 0, n["server"] + 0 }' "$H")" "2 2"
}
expect psk tls1.2 TLS-PSK-WITH-AES-128-GCM-SHA256 none psk
expect psk dtls1.2 TLS-PSK-WITH-AES-128-GCM-SHA256 none psk
expect psk tls1.3 TLS1-3-AES-128-GCM-SHA256 none psk_ke
expect psk-dhe tls1.2 TLS-ECDHE-PSK-WITH-AES-128-CBC-SHA256 secp256r1 ecdhe_psk
expect psk-dhe dtls1.2 TLS-ECDHE-PSK-WITH-AES-128-CBC-SHA256 secp256r1 ecdhe_psk
expect psk-dhe tls1.3 TLS1-3-AES-128-GCM-SHA256 secp256r1 psk_dhe_ke
check "every DTLS handshake went through the HelloVerifyRequest cookie round" \
	csv_all "$H" '$2 != "dtls1.2" || $8 == 1'
check "instructions, heap peak and stack peak of each side are measured (> 0)" \
	csv_all "$H" '$9 > 0 && $10 > 0 && $11 > 0 && $12 > 0 && $13 > 0 && $13 < 32768'
check "handshake bytes each way match between the sides" \
	awk -F, 'NR > 1 { k = $1 "," $2 "," $4; if ($5 == "client") { o[k] = $14; i[k] = $15 } else { so[k] = $14; si[k] = $15 } }
		END { for (k in o) if (o[k] <= 0 || o[k] != si[k] || i[k] != so[k]) exit 1; exit length(o) != 12 }' "$H"
check "the ECDHE in psk-dhe costs each side more than 10 x the PSK-only handshake" \
	awk -F, 'NR > 1 { s[$1 "," $2 "," $5] += $9 }
		END { for (k in s) if (k ~ /^psk,/) { d = k; sub(/^psk,/, "psk-dhe,", d)
			if (!(s[d] > 10 * s[k])) exit 1; n++ } exit n != 6 }' "$H"

# negatives.csv: key,proto,case,refused,by,client_err,server_err,verify,group
N=$A/negatives.csv
check_eq "a client with another key is refused by the server in every mode and protocol" \
	"$(awk -F, '$3 == "wrong-key-client" && $4 == 1 && $5 == "server"' "$N" | wc -l)" 6
check_eq "TLS 1.2 / DTLS 1.2: the server fails the client's Finished (bad MAC, -0x7180); the client gets the alert (-0x7780)" \
	"$(awk -F, '$2 != "tls1.3" && $3 == "wrong-key-client" && $7 == "-0x7180" && $6 == "-0x7780"' "$N" | wc -l)" 4
check_eq "TLS 1.3: the server refuses the PSK binder (handshake failure, -0x6e00); the client gets the alert" \
	"$(awk -F, '$2 == "tls1.3" && $3 == "wrong-key-client" && $7 == "-0x6e00" && $6 == "-0x7780"' "$N" | wc -l)" 2
check_grep "the table says who refused the wrong key and why, in one line" "$A/table.txt" \
	'^# clients with another PSK: 6 of 6 refused by the server \(tls1\.2 -0x7180, tls1\.3 -0x6e00, dtls1\.2 -0x7180'

# shellcheck disable=SC2317  # called through check
jq_true() { jq -e "$@" >/dev/null; }
# No certificate code: the point of the build.
check_eq "the PSK image holds no X.509, PK or ECDSA function" \
	"$(arm-none-eabi-nm "$IMG" | grep -c -E ' [Tt] mbedtls_(x509|pk_|ecdsa)' || true)" 0
check "footprint reported without an X.509 component" \
	jq_true '.footprint.flash > 50000 and (.footprint.component_mbedx509 // 0) == 0' "$A/mcu.json"
check_grep "the build drew its PSK (a test key per build), never from the tree" \
	"$ROOT/build/cortex-m4-mcu-psk/mcu/creds.c" '^static const char key\[\] = "[0-9a-f]{64}";$'

# The same run again: the instruction counts repeat (within 1%; -icount makes them exact).
run b "${ARGS[@]}"
check_rc "a second identical PSK run passes" "$RC" 0 "$TMP/b.err"
if [ -f "$TMP/b/handshakes.csv" ]; then
	check "instruction counts repeat within 1% from run to run (every handshake and side)" \
		awk -F, 'NR == FNR { a[$1 $2 $4 $5] = $9; next }
			FNR > 1 { x = a[$1 $2 $4 $5]; if (x == "") exit 1; d = x - $9; if (d < 0) d = -d
				if (d * 100 > x) exit 1; n++ }
			END { exit n != 24 }' "$H" "$TMP/b/handshakes.csv"
fi

# Bad input: the PSK build has no certificate key types.
run bad -c mcu-psk -n 1 -k ec256
check_rc "-k ec256 on the PSK image: refused as bad input (exit 2)" "$RC" 2 "$TMP/bad.err"
check_grep "... naming the unknown key type" "$TMP/bad.err" "-k: unknown 'ec256'"

# PSK against the certificate handshake, when the certificate image is built (test/mcu.sh).
if [ -f "$ROOT/build/cortex-m4-mcu/mcu/ackbench-mcu.elf" ]; then
	run cert -n 1 -r 1 -s 0 -x -k ec256
	check_rc "a short certificate run (ec256) for the comparison" "$RC" 0 "$TMP/cert.err"
	rc=0
	"$ROOT/scripts/mcu-table.sh" -c "$TMP/cert/mcu.json" "$A/mcu.json" >"$TMP/vs.txt" \
		2>"$TMP/vs.err" || rc=$?
	check_rc "mcu-table.sh -c puts the PSK run beside the certificate run" "$rc" 0 "$TMP/vs.err"
	check "each PSK mode costs each side less than the certificate handshake (x_cert < 1)" \
		awk '$1 ~ /^psk/ && $3 ~ /^(client|server)$/ { n++; if (!($6 < 1)) bad++ }
			END { exit !(n == 12 && bad == 0) }' "$TMP/vs.txt"
	check "dropping X.509 saves flash (the saved column of flash is positive)" \
		awk '$1 == "flash" { ok = $4 > 0 } END { exit !ok }' "$TMP/vs.txt"
else
	echo "skip - the certificate image is not built (make TARGET=cortex-m4): no comparison"
fi
summary
