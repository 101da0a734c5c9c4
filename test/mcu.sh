#!/bin/bash
# mcu.sh - the bare-metal Cortex-M image under qemu-system-arm -icount shift=0
# (scripts/mcu.sh): a few handshakes of each kind (TLS 1.2, TLS 1.3, DTLS 1.2 with cookie;
# full and resumed; mutual authentication, verification required), the rogue-certificate
# cases, instruction counts that repeat from run to run, the heap peak against the small
# config's target, the footprint, the report, and the runner's bad input.
#   test/mcu.sh BIN_DIR   (native programs, for the Linux run beside the bare-metal one)
# Installs scripts/deps.sh mcu and builds TARGET=cortex-m4 itself. About 1-2 minutes after
# the build (the first build of Mbed TLS for the target adds about a minute).
# MCU_TARGET (default cortex-m4) picks the target; cortex-m33 is tested too when built.
# The awk programs given to csv_all and check are in single quotes on purpose.
# shellcheck disable=SC2016
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNNER=$ROOT/scripts/mcu.sh
target=${MCU_TARGET:-cortex-m4}
# The small config's heap target per connection on Linux (docs/boards.md, "Small boards"); the mcu
# config has the same record buffers (16384 in, 4096 out).
HEAP_TARGET=32768

case "$BIN" in
*-san/*)
	# The image is built once, without sanitizers (there are none for bare metal); the
	# plain pass of `make test` ran it.
	echo "skip - bare-metal image under sanitizers: it has no sanitizer build (ran in the plain pass)"
	summary
	exit 0
	;;
esac

mcu_build TARGET="$target"

# run NAME ARGS...: the runner into $TMP/NAME, quiet; sets RC.
run() {
	local name=$1
	shift
	RC=0
	timeout -k 5 600 "$RUNNER" -T "$target" -d "$TMP/$name" -q "$@" \
		>"$TMP/$name.out" 2>"$TMP/$name.err" </dev/null || RC=$?
}

ARGS=(-n 2 -r 3 -s "64,1024" -k ec256)
mcu_first a "a run of every protocol passes (ec256: 2 full + 2 resumed each, records, rogue cases)" \
	"${ARGS[@]}"

# handshakes.csv: key,proto,kind,i,side,ok,resumed,cookie,hs_instr,xchg_instr,close_instr,
#                 heap_peak,stack_peak,hs_bytes_out,hs_bytes_in,hs_writes_out,verify,err,suite
H=$A/handshakes.csv
check_eq "24 handshake sides: 3 protocols x (2 full + 2 resumed) x 2 sides" \
	"$(tail -n +2 "$H" | wc -l)" 24
for p in tls1.2 tls1.3 dtls1.2; do
	for k in full resumed; do
		check_eq "$p $k: both sides succeed with verification required (ok=1, verify=0)" \
			"$(awk -F, -v p="$p" -v k="$k" '$2 == p && $3 == k && $6 == 1 && $17 == "0x0" && $18 == "-0x0000"' "$H" | wc -l)" 4
	done
done
check "full handshakes are full and resumed ones resumed (from the server's flight)" \
	csv_all "$H" '($3 == "full") == ($7 == 0)'
check "every DTLS handshake went through the HelloVerifyRequest cookie round" \
	csv_all "$H" '$2 != "dtls1.2" || $8 == 1'
check "TLS 1.2 suite is ECDHE-ECDSA AES-128-GCM, TLS 1.3 AES-128-GCM" \
	csv_all "$H" '($2 == "tls1.3" && $19 == "TLS1-3-AES-128-GCM-SHA256") || ($2 != "tls1.3" && $19 == "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256")'
check "instruction counts are positive (handshake, exchange, close)" \
	csv_all "$H" '$9 > 0 && $10 > 0 && $11 > 0'
check "a resumed handshake costs the client under a third of a full one" \
	awk -F, 'NR > 1 && $5 == "client" { s[$2 "," $3] += $9; n[$2 "," $3]++ }
		END { for (p in s) if (p ~ /resumed/) { f = p; sub(/resumed/, "full", f)
			if (s[p] / n[p] * 3 >= s[f] / n[f]) exit 1; k++ } exit k != 3 }' "$H"
check "heap peak per side and connection within the small config's target ($HEAP_TARGET bytes)" \
	csv_all "$H" "\$12 > 0 && \$12 <= $HEAP_TARGET"
check "stack peak per side measured (0 < peak < the 32 KiB side stack)" \
	csv_all "$H" '$13 > 0 && $13 < 32768'
check "handshake bytes each way are counted and match between the sides" \
	awk -F, 'NR > 1 { k = $2 "," $3 "," $4; if ($5 == "client") { o[k] = $14; i[k] = $15 } else { so[k] = $14; si[k] = $15 } }
		END { for (k in o) if (o[k] <= 0 || i[k] <= 0 || o[k] != si[k] || i[k] != so[k]) exit 1; exit length(o) != 12 }' "$H"
check_grep "the clock counts instructions (calibration loop of 2000000 within 1 tick)" "$A/raw.txt" \
	'^calib instr=2000000 clock_ns=20000[0-4][0-9]$'

# negatives.csv: key,proto,case,refused,by,client_err,server_err,verify
N=$A/negatives.csv
check_eq "a client with a rogue certificate is refused by the server (X509 verify failed), each protocol" \
	"$(awk -F, '$3 == "rogue-client" && $4 == 1 && $5 == "server" && $7 == "-0x2700"' "$N" | wc -l)" 3
check_eq "a server with a rogue certificate is refused by the client, each protocol" \
	"$(awk -F, '$3 == "rogue-server" && $4 == 1 && $5 == "client" && $6 == "-0x2700"' "$N" | wc -l)" 3

# records.csv: key,proto,size,n,side,ok,instr_per_msg,bytes_out_per_msg
R=$A/records.csv
check_eq "record cost for 3 protocols x 2 sizes x 2 sides" "$(awk -F, '$6 == 1 && $7 > 0' "$R" | wc -l)" 12
check "a 1024-byte message costs the client more than a 64-byte one, and carries more bytes" \
	awk -F, '$5 == "client" { i[$2 "," $3] = $7; b[$2 "," $3] = $8 }
		END { for (p in i) if (p ~ /,64$/) { q = p; sub(/,64$/, ",1024", q)
			if (!(i[q] > i[p] && b[q] > b[p] + 900)) exit 1; n++ } exit n != 3 }' "$R"

# shellcheck disable=SC2317  # called through check
jq_true() { jq -e "$@" >/dev/null; }
# The crypto floor measured alone in the same image: a full handshake side does at least
# these operations and, outside them, little else.
check "each full handshake side costs 0.98-1.10 x its crypto floor (ECDHE gen + shared, sign, 2 verify)" \
	jq_true '(.floor[] | select(.key == "ec256") | .side) as $f | $f > 0 and
		([.handshakes[] | select(.key == "ec256" and .kind == "full") | .instr / $f]
		 | length == 6 and min >= 0.98 and max <= 1.10)' "$A/mcu.json"
check "footprint reported: flash and static RAM, Mbed TLS components" \
	jq_true '.footprint.flash > 100000 and .footprint.ram_static > 0 and .footprint.component_mbedcrypto > 0 and .footprint.component_mbedtls > 0' "$A/mcu.json"
check_grep "the table states the one-instruction-per-cycle assumption" "$A/table.txt" \
	'ONE INSTRUCTION PER CYCLE ASSUMED'
check_grep "the table has the 64 MHz estimate of each handshake" "$A/table.txt" \
	'^ec256 +tls1\.3 +full +client +2 +[0-9]+ +[0-9.]+ '
check_grep "the table has the footprint" "$A/table.txt" '^# footprint \(bytes\): flash [0-9]+'
for f in qemu machine mcu_cpu compiler config mbedtls image_sha256; do
	check_grep "env.txt records $f" "$A/env.txt" "^$f: ."
done

# The same run again: the instruction counts repeat (within 1%; -icount makes them exact).
run b "${ARGS[@]}"
check_rc "a second identical run passes" "$RC" 0 "$TMP/b.err"
if [ -f "$TMP/b/handshakes.csv" ]; then
	check "instruction counts repeat within 1% from run to run (every handshake, side, phase)" \
		awk -F, 'NR == FNR { a[$1 $2 $3 $4 $5] = $9 " " $10 " " $11; next }
			FNR > 1 { split(a[$1 $2 $3 $4 $5], x, " "); if (x[1] == "") exit 1
				for (j = 1; j <= 3; j++) { d = x[j] - $(8 + j); if (d < 0) d = -d
					if (d * 100 > x[j]) exit 1 } n++ }
			END { exit n != 24 }' "$A/handshakes.csv" "$TMP/b/handshakes.csv"
	check "record costs repeat within 1%" \
		awk -F, 'NR == FNR { a[$2 $3 $5] = $7; next } FNR > 1 { d = a[$2 $3 $5] - $7
			if (d < 0) d = -d; if (d * 100 > a[$2 $3 $5]) exit 1; n++ } END { exit n != 12 }' \
		"$R" "$TMP/b/records.csv"
fi

# Another key type the config allows.
run rsa -n 1 -s 0 -x -k rsa2048 -P tls1.2,tls1.3
check_rc "RSA-2048 certificates: TLS 1.2 and 1.3, full and resumed" "$RC" 0 "$TMP/rsa.err"
check_eq "RSA-2048: 8 handshake sides, all ok, verify=0" \
	"$(awk -F, '$1 == "rsa2048" && $6 == 1 && $17 == "0x0"' "$TMP/rsa/handshakes.csv" 2>/dev/null | wc -l)" 8

# The report reads the bare-metal run beside a Linux run.
rc=0
timeout -k 5 300 "$ROOT/scripts/loopback.sh" -B "$BIN" -d "$TMP/linux" -n 5 -P tls -q \
	>"$TMP/linux.out" 2>"$TMP/linux.err" </dev/null || rc=$?
check_rc "a short Linux loopback run (tls, -n 5) for the report" "$rc" 0 "$TMP/linux.err"
rc=0
"$ROOT/scripts/report.sh" -N "$TMP/linux" "$A" >"$TMP/report.out" 2>"$TMP/report.err" || rc=$?
check_rc "report.sh takes the bare-metal run beside the Linux run" "$rc" 0 "$TMP/report.err"
check_grep "the report shows the bare-metal handshake table" "$TMP/report.out" \
	'^ec256 +tls1\.2 +full +server +2 +[0-9]+'
check_grep "the report puts the bare-metal handshakes beside the Linux ones" "$TMP/report.out" \
	'^tls1\.2 +full +.*[0-9]'

# Bad input: one clear line on stderr, nothing on stdout, exit status 2.
bad() {
	local desc=$1 want=$2
	shift 2
	RC=0
	env "$@" >"$TMP/bad.out" 2>"$TMP/bad.err" </dev/null || RC=$?
	if [ "$RC" -eq 2 ] && [ "$(wc -l <"$TMP/bad.err")" -eq 1 ] && [ ! -s "$TMP/bad.out" ] &&
		grep -q -- "$want" "$TMP/bad.err"; then
		ok "bad input: $desc -> one line, exit 2"
	else
		not_ok "bad input: $desc -> one line, exit 2" "exit $RC" "$(cat "$TMP/bad.err" "$TMP/bad.out")"
	fi
}
bad "QEMU missing" "qemu-system-arm-missing not found" MCU_QEMU=qemu-system-arm-missing "$RUNNER" -d "$TMP/x1"
bad "unknown target" "unknown bare-metal target 'cortex-m99'" "$RUNNER" -T cortex-m99 -d "$TMP/x2"
bad "a Linux target is not bare metal" "unknown bare-metal target 'native'" "$RUNNER" -T native -d "$TMP/x3"
bad "clock 'fast'" "'fast' is not a clock frequency" "$RUNNER" -f fast -d "$TMP/x4"
bad "clock '64X'" "'64X' is not a clock frequency" "$RUNNER" -f 64X -d "$TMP/x5"
bad "clock '0'" "'0' is not a clock frequency" "$RUNNER" -f 0 -d "$TMP/x6"
bad "handshake count 0" "-n: '0' is not a number" "$RUNNER" -n 0 -d "$TMP/x7"
bad "message size above the outgoing record" "-s: '64,8192' is not" "$RUNNER" -s 64,8192 -d "$TMP/x8"
bad "unknown protocol" "-P: 'tls1.1' is not" "$RUNNER" -P tls1.1 -d "$TMP/x9"
bad "a Linux config is not a bare-metal one" "-c: 'small' is not a bare-metal config" "$RUNNER" -c small -d "$TMP/x10"

# QEMU is bounded: a run longer than -t is stopped and reported.
RC=0
timeout -k 5 60 "$RUNNER" -T "$target" -d "$TMP/slow" -q -t 1 -n 1000 -k ec256 \
	>"$TMP/slow.out" 2>"$TMP/slow.err" </dev/null || RC=$?
if [ "$RC" -eq 1 ] && grep -q 'QEMU did not finish within 1 s' "$TMP/slow.err"; then
	ok "a run longer than -t 1 is stopped and reported (exit 1)"
else
	not_ok "a run longer than -t 1 is stopped and reported (exit 1)" "exit $RC" "$(tail -n 3 "$TMP/slow.err")"
fi

# The test-only entropy source refuses to compile outside the emulated benchmark build.
mbt=$ROOT/$(env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$ROOT" TARGET="$target" print-MBT)
RC=0
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -I"$ROOT/ports" -I"$ROOT/ports/mps2" -isystem "$mbt/include" \
	-I"$ROOT/ports/config" -DMBEDTLS_CONFIG_FILE='<ackbench_config_mcu.h>' -DMPS2_SYSCLK_HZ=25000000 \
	-c "$ROOT/ports/mps2/entropy_testonly.c" -o "$TMP/entropy.o" >"$TMP/entropy.err" 2>&1 || RC=$?
if [ "$RC" -ne 0 ] && grep -q 'TEST-ONLY entropy source: refused outside the emulated benchmark' "$TMP/entropy.err"; then
	ok "the test-only entropy source does not compile without ACKBENCH_EMULATED_BENCHMARK"
else
	not_ok "the test-only entropy source does not compile without ACKBENCH_EMULATED_BENCHMARK" \
		"exit $RC" "$(head -n 3 "$TMP/entropy.err")"
fi

# The other cores' images, when they were built (make TARGET=cortex-m33 etc.): every
# protocol, full and resumed, the rogue cases, and the clock reading instructions (the
# calibration loop within 1%: AN547's 31.25 ns tick is not a whole number).
for other in cortex-m3 cortex-m7 cortex-m33 cortex-m55; do
	[ "$target" = cortex-m4 ] || break
	if [ ! -f "$ROOT/build/$other-mcu/mcu/ackbench-mcu.elf" ]; then
		echo "skip - $other not built (make TARGET=$other)"
		continue
	fi
	RC=0
	timeout -k 5 600 "$RUNNER" -T "$other" -d "$TMP/$other" -q -n 1 -r 2 -s 64 -k ec256 \
		>"$TMP/$other.out" 2>"$TMP/$other.err" </dev/null || RC=$?
	check_rc "$other ($(sed -n 's/^MCU_MACHINE := //p' "$ROOT/ports/targets/$other.mk")): every protocol, full and resumed, rogue cases" \
		"$RC" 0 "$TMP/$other.err"
	check "$other: the clock counts instructions (2000000-instruction loop read within 1%)" \
		awk '/^calib / { split($2, a, "="); split($3, b, "="); d = b[2] - a[2]; if (d < 0) d = -d
			ok = d * 100 <= a[2] } END { exit !ok }' "$TMP/$other/raw.txt"
done
summary
