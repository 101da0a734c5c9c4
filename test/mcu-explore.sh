#!/bin/bash
# mcu-explore.sh - a small sweep of scripts/mcu-explore.sh on Cortex-M4: two points that
# build and run (ECP_WINDOW_SIZE 2, the shipped mcu config, and 4), one the config checker
# refuses and one the compiler refuses (each listed with its reason), every handshake
# passing and every rogue peer refused, a rerun that costs nothing, a resumed sweep, counts
# that repeat within 1% (-R), the CSV, and bad axes and space files (one line, exit 2).
#   test/mcu-explore.sh BIN_DIR   (BIN_DIR unused: the images are bare metal)
# Builds two Mbed TLS libraries for the target in a private cache (and a third that
# fails): about 4-6 minutes on a busy 2-core machine, first pass of make test only.
# The awk programs are in single quotes on purpose.
# shellcheck disable=SC2016
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "builds an Mbed TLS library per point for the MCU"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
EXPLORE=$ROOT/scripts/mcu-explore.sh

mcu_deps

# Bad input: one clear line on stderr, nothing on stdout, exit status 2, nothing built.
bad() {
	local desc=$1 want=$2 rc=0
	shift 2
	"$EXPLORE" -C "$TMP/badcache" -d "$TMP/bad" "$@" >"$TMP/bad.out" 2>"$TMP/bad.err" </dev/null || rc=$?
	if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/bad.err")" -eq 1 ] && [ ! -s "$TMP/bad.out" ] &&
		grep -q -- "$want" "$TMP/bad.err" && [ ! -e "$TMP/badcache" ]; then
		ok "bad input: $desc -> one line, exit 2"
	else
		not_ok "bad input: $desc -> one line, exit 2" "exit $rc" "$(cat "$TMP/bad.err" "$TMP/bad.out")"
	fi
}
bad "unknown axis" "unknown axis 'NO_SUCH_OPTION'" -x NO_SUCH_OPTION=1
bad "an option with its MBEDTLS_ prefix" "without the MBEDTLS_ prefix" -x MBEDTLS_ECP_WINDOW_SIZE=2
bad "a numeric option given a word" "ECP_WINDOW_SIZE: 'big' is not a number" -x ECP_WINDOW_SIZE=2,big
bad "a boolean option given 2" "SHA256_SMALLER: '2' is not 0 (undefined) or 1" -x SHA256_SMALLER=0,2
bad "opt O9" "opt: 'O9' is not Os, O2 or O3" -x opt=Os,O9
bad "a config that is not bare metal" "config: 'small' is not a shipped bare-metal config" -x config=small
bad "an axis twice" "axis 'opt' given twice" -x opt=Os -x opt=O2
bad "-x without values" "'lto' is not AXIS=V1,V2" -x lto
bad "unknown target" "unknown bare-metal target 'native'" -T native -x opt=Os
bad "missing space file" "no space file" -s "$TMP/none.space"
printf '[a]\nopt = Os\nthis is not an axis line\n' >"$TMP/garbage.space"
bad "a space file with a line that is no axis" "garbage.space:3: not '\[block\]' or 'AXIS = V1, V2'" -s "$TMP/garbage.space"
printf '# only comments\n\n[empty]\n' >"$TMP/empty.space"
bad "a space file without axes" "no axis in the space file" -s "$TMP/empty.space"
printf '[a]\nECP_WINDOW_SIZE = 2\n[b]\nECP_NIST_OPTIM = yes\n' >"$TMP/value.space"
bad "a space file with a bad value, named by line" "value.space:4: ECP_NIST_OPTIM: 'yes' is not 0" -s "$TMP/value.space"

# The small sweep: window 2 (the shipped mcu config: the same hash), window 4, TLS without
# TLS 1.2 (DTLS needs it: the checker refuses), window 1 (ecp.c refuses to compile).
cat >"$TMP/small.space" <<'EOF'
# a test space
[window]
ECP_WINDOW_SIZE = 2, 4
[shipped]
config = mcu
[checker]
SSL_PROTO_TLS1_2 = 0
[compiler]
ECP_WINDOW_SIZE = 1
EOF
SW=(-T cortex-m4 -s "$TMP/small.space" -C "$TMP/cache" -n 2 -z 256)
sweep() {
	local name=$1 t0
	shift
	RC=0
	t0=$(date +%s)
	timeout -k 10 1800 nice "$EXPLORE" "${SW[@]}" -d "$TMP/$name" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" \
		</dev/null || RC=$?
	SECS=$(($(date +%s) - t0))
}
sweep a
check_rc "the sweep passes (every point built and passed, or refused with its reason)" "$RC" 0 "$TMP/a.err"
P=$TMP/a/points.csv
H=$TMP/a/handshakes.csv
if [ ! -f "$P" ] || [ ! -f "$H" ]; then
	not_ok "the sweep wrote points.csv and handshakes.csv" "$(tail -n 5 "$TMP/a.err")"
	summary
	exit 1
fi
echo "# the sweep took $SECS s"
# points.csv: target,point,hash,status,reason,shipped,<axes>,flash,...
col() { head -n 1 "$1" | tr ',' '\n' | grep -n -x "$2" | cut -d: -f1; }
st=$(col "$P" status) rs=$(col "$P" reason) sh=$(col "$P" shipped) fl=$(col "$P" flash)
ro=$(col "$P" rogue) rr=$(col "$P" rogue_refused) hs=$(col "$P" handshakes) hf=$(col "$P" handshakes_failed)
w=$(col "$P" ECP_WINDOW_SIZE)
check_eq "four points (window 2 and the shipped mcu are one configuration)" "$(tail -n +2 "$P" | wc -l)" 4
check_grep "the space lists the shipped mcu config as the same point as window 2" "$TMP/a/space.txt" \
	'^cortex-m4 [0-9a-f]{16} config=mcu$'
check_eq "window 2 is marked as the shipped config mcu" \
	"$(awk -F, -v s="$sh" -v w="$w" '$2 == "ECP_WINDOW_SIZE=2" && $s == "mcu" && $w == 2' "$P" | wc -l)" 1
check_eq "two points ran and passed: every handshake, every rogue peer refused" \
	"$(awk -F, -v st="$st" -v ro="$ro" -v rr="$rr" -v hs="$hs" -v hf="$hf" \
		'$st == "ok" && $hs == 15 && $hf == 0 && $ro == 6 && $rr == 6' "$P" | wc -l)" 2
check_eq "the checker's refusal is listed with its reason" \
	"$(awk -F, -v st="$st" -v rs="$rs" '$2 == "SSL_PROTO_TLS1_2=0" && $st == "refused" &&
		$rs ~ /^config check: MBEDTLS_SSL_PROTO_DTLS defined; but not all prerequisites/' "$P" | wc -l)" 1
check_eq "the compiler's refusal is listed with its reason" \
	"$(awk -F, -v st="$st" -v rs="$rs" '$2 == "ECP_WINDOW_SIZE=1" && $st == "refused" &&
		$rs ~ /^build: .*MBEDTLS_ECP_WINDOW_SIZE out of bounds/' "$P" | wc -l)" 1
check "flash and static RAM of the points that ran (over 100 KB of flash, split by component)" \
	awk -F, -v st="$st" -v fl="$fl" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
		NR > 1 && $st == "ok" { n++; if (!($fl > 100000 && $(c["ram_static"]) > 0 &&
			$(c["flash_mbedcrypto"]) > 0 && $(c["flash_mbedtls"]) > 0)) exit 1 } END { exit n != 2 }' "$P"
# handshakes.csv: target,point,hash,proto,key,kind,side,n,ok,instr,instr_min,instr_max,
#                 heap_peak,stack_peak,hs_bytes_out,hs_bytes_in,suite
check_eq "24 handshake rows: 2 points x 3 protocols x (full, resumed) x 2 sides" \
	"$(awk -F, 'NR > 1 && $8 == 2 && $9 == 2 && $10 > 0 && $13 > 0 && $14 > 0 && $15 > 0 && $16 > 0' "$H" | wc -l)" 24
check "a larger comb window costs fewer instructions per full handshake (each protocol, each side)" \
	awk -F, '$6 == "full" { k = $4 "," $7; if ($2 == "ECP_WINDOW_SIZE=2") a[k] = $10; else if ($2 == "ECP_WINDOW_SIZE=4") b[k] = $10 }
		END { for (k in a) { if (!(b[k] > 0 && b[k] < a[k])) exit 1; n++ } exit n != 6 }' "$H"

# A rerun costs nothing: no build, no run, the same table.
sweep b
check_rc "a rerun passes" "$RC" 0 "$TMP/b.err"
check_nogrep "a rerun builds and runs nothing (cached by hash)" "$TMP/b.err" '(building|running) cortex-m4'
check "a rerun gives the same points and handshakes" \
	cmp -s "$H" "$TMP/b/handshakes.csv"

# An interrupted sweep resumes: the window-4 point's run is lost half way (its unfinished
# directory left behind); the rerun runs that point only.
w4=$(awk -F, '$2 == "ECP_WINDOW_SIZE=4" { print $NF }' "$P")
run4=$(find "$w4" -maxdepth 1 -name 'run-*' -type d | head -n 1)
if [ -n "$run4" ]; then
	mv "$run4" "$run4.tmp"
	rm -f "$run4.tmp/rc" "$run4.tmp/mcu.json"
fi
sweep c
check_rc "a resumed sweep passes" "$RC" 0 "$TMP/c.err"
check_eq "the resumed sweep ran the lost point only" "$(grep -c 'running cortex-m4' "$TMP/c.err" || true)" 1
check_nogrep "the resumed sweep built nothing" "$TMP/c.err" 'building cortex-m4'
check "the resumed point's counts are the first run's" cmp -s "$H" "$TMP/c/handshakes.csv"

# -R runs every image again: the counts repeat within 1%.
sweep d -R
check_rc "a sweep that runs the images again passes" "$RC" 0 "$TMP/d.err"
check_eq "-R runs both images again, builds nothing" \
	"$(grep -c 'running cortex-m4' "$TMP/d.err" || true)/$(grep -c 'building cortex-m4' "$TMP/d.err" || true)" "2/0"
check "instruction counts, heap and stack peaks repeat within 1% (every row)" \
	awk -F, 'NR == FNR { a[$2 $4 $5 $6 $7] = $10 " " $13 " " $14; next }
		FNR > 1 { split(a[$2 $4 $5 $6 $7], x, " "); if (x[1] == "") exit 1
			for (j = 1; j <= 3; j++) { v = j == 1 ? $10 : $(11 + j); d = x[j] - v; if (d < 0) d = -d
				if (d * 100 > x[j]) exit 1 } n++ }
		END { exit n != 24 }' "$H" "$TMP/d/handshakes.csv"
summary
