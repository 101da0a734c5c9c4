#!/usr/bin/env bash
# mcu.sh - runs the bare-metal image (make TARGET=cortex-m3|m4|m7|m33|m55, mk/mcu.mk) under
# qemu-system-arm with -icount shift=0, where the virtual clock advances 1 ns per
# instruction: every figure is an instruction count, the same on every machine and run.
# Writes a run directory (raw output, CSV, JSON summary, env.txt, footprint) and prints the
# table: instructions per handshake per side, and an estimate in ms at the clock given.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: $0 [-T TARGET] [-S STACK] [-c CONFIG] [-f FREQ] [-n N] [-r R] [-s SIZES] [-P PROTOS]
          [-G GROUPS] [-k KEYS] [-x] [-d DIR] [-t SECS] [-i IMAGE] [-q]
Builds the image of TARGET if needed (make TARGET=..., which installs scripts/deps.sh mcu),
runs it under QEMU and writes into DIR:
  raw.txt          the image's output (one key=value line per handshake side, record
                   size, negative case)
  handshakes.csv   per handshake and side: instructions of the handshake, first exchange
                   and close, heap peak, stack peak, handshake bytes out/in, key exchange
                   group
  records.csv      per protocol, message size and side: instructions per message
  floor.csv        the crypto floor per key type: ECDHE generation and shared secret, one
                   signature, one verification, and a side's sum (gen + shared + sign +
                   2 verify), measured alone in the same image
  floor-kex.csv, floor-kem.csv   wolfSSL: X25519 generation and shared secret, ML-KEM-768
                   key generation, encapsulation and decapsulation, alone
  negatives.csv    the rogue-certificate cases, or the wrong-key client (each must be
                   refused)
  footprint.csv    flash and RAM of the image by section and by component
  mcu.json         summary (tool "ackbench-mcu"; scripts/report.sh reads it)
  env.txt          QEMU version, machine, CPU, compiler, stack and version, config, image
                   sha256
  table.txt        the table printed on stdout
  -T TARGET  cortex-m4 (QEMU mps2-an386, default), cortex-m3 (mps2-an385), cortex-m7
             (mps2-an500), cortex-m33 (mps2-an505) or cortex-m55 (mps3-an547)
  -S STACK   the image's TLS stack: mbedtls (default) or wolfssl (make STACK=wolfssl:
             TLS 1.2 and 1.3, P-256, X25519, X25519MLKEM768 and ML-KEM-768)
  -c CONFIG  bare-metal config: Mbed TLS ports/config/ackbench_config_CONFIG.h, mcu
             (default), mcu-tls12 (no TLS 1.3), mcu-4k (4096-byte incoming records),
             mcu-psk (pre-shared keys only, no X.509: keys "psk" and "psk-dhe", full
             handshakes only, a wrong-key client as the negative case);
             wolfSSL ports/config/wolfssl_settings_CONFIG.h, mcu (default: SP math and
             Cortex-M assembly), mcu-c (portable C)
  -f FREQ    core clock of the estimate: 64M, 168MHz, 1.2G, 48000000 (default 64M).
             The estimate assumes ONE INSTRUCTION PER CYCLE: real cores stall on flash
             wait states and multi-cycle instructions, so it is a lower bound, not a
             measurement of any chip
  -n N       handshakes of each kind (full, resumed) per protocol and key (default 5)
  -r R       messages per size for the record cost (default 20)
  -s SIZES   comma list of message sizes, 32..4096 (default 64,256,1024,4096; 0 = none)
  -P PROTOS  comma list of tls1.2,tls1.3,dtls1.2 (default all the config has)
  -G GROUPS  comma list of key exchange groups: secp256r1, x25519, x25519mlkem768,
             mlkem768 (default all the stack offers: Mbed TLS secp256r1 only)
  -k KEYS    comma list of compiled-in key types (default all: certs/ and MCU_KEYS)
  -x         skip the rogue-certificate cases
  -d DIR     run directory (default results/mcu-TARGET-CONFIG[-STACK]-<UTC time>); must
             hold no results
  -t SECS    stop QEMU after SECS of wall time (default 1800)
  -i IMAGE   run this image of TARGET as it is, built elsewhere (scripts/mcu-explore.sh
             builds one per point), its link map IMAGE without .elf + .map beside it;
             nothing is built and -c only names its config (mcu...)
  -q         table to DIR/table.txt only
Environment: MCU_QEMU (default qemu-system-arm).
Exit status: 0 all handshakes passed and every rogue peer was refused, 1 a check failed
or QEMU did not finish, 2 bad input.
USAGE
}

target=cortex-m4
stack=mbedtls
config=mcu
freq=64M
dir=""
limit=1800
quiet=0
image=""
img_args=()
cmdline="$0 $*"
qemu=${MCU_QEMU:-qemu-system-arm}
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts T:S:c:f:n:r:s:P:G:k:xd:t:i:qh opt; do
	case "$opt" in
	T) target=$OPTARG ;;
	S) stack=$OPTARG ;;
	c) config=$OPTARG ;;
	f) freq=$OPTARG ;;
	n | r | s | k) img_args+=("-$opt" "$OPTARG") ;;
	P) img_args+=(-p "$OPTARG") ;;
	G) img_args+=(-g "$OPTARG") ;;
	x) img_args+=(-x) ;;
	d) dir=$OPTARG ;;
	t) limit=$OPTARG ;;
	i) image=$OPTARG ;;
	q) quiet=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { log "unexpected argument '$1' (see --help)"; exit 2; }

# FREQ -> Hz: a positive number with an optional k/M/G and optional Hz, 1 kHz..10 GHz.
hz=$(awk -v f="$freq" 'BEGIN {
	if (f !~ /^[0-9]+(\.[0-9]+)?([kKmMgG])?([hH][zZ])?$/) exit 1
	n = f; sub(/[kKmMgG]?([hH][zZ])?$/, "", n); u = substr(f, length(n) + 1, 1)
	m = (u ~ /[kK]/) ? 1e3 : (u ~ /[mM]/) ? 1e6 : (u ~ /[gG]/) ? 1e9 : 1
	v = n * m; if (v < 1e3 || v > 1e10) exit 1
	printf "%.0f\n", v }') || {
	log "-f: '$freq' is not a clock frequency (e.g. 64M, 168MHz, 48000000; 1 kHz..10 GHz)"
	exit 2
}
lib_is_count "$limit" || { log "-t: '$limit' is not a positive number of seconds"; exit 2; }
in_range() { lib_is_count "$1" && [ "$1" -le "$2" ]; }
sizes_ok() {
	[ "$1" = 0 ] && return 0
	[[ $1 =~ ^[0-9]+(,[0-9]+){0,7}$ ]] || return 1
	awk -v l="$1" 'BEGIN { n = split(l, x, ","); for (i = 1; i <= n; i++) if (x[i] < 32 || x[i] > 4096) exit 1 }'
}
# The image checks its options too (and -k against what it holds); these fail here first.
for ((a = 0; a < ${#img_args[@]}; a++)); do
	v=${img_args[a + 1]:-}
	case "${img_args[a]}" in
	-n) in_range "$v" 1000 || { log "-n: '$v' is not a number in 1..1000"; exit 2; } ;;
	-r) in_range "$v" 10000 || { log "-r: '$v' is not a number in 1..10000"; exit 2; } ;;
	-s) sizes_ok "$v" || { log "-s: '$v' is not a comma list of at most 8 sizes in 32..4096 (or 0)"; exit 2; } ;;
	-p) [[ $v =~ ^(tls1\.2|tls1\.3|dtls1\.2)(,(tls1\.2|tls1\.3|dtls1\.2))*$ ]] ||
		{ log "-P: '$v' is not a comma list of tls1.2, tls1.3, dtls1.2"; exit 2; } ;;
	-g) [[ $v =~ ^(secp256r1|x25519|x25519mlkem768|mlkem768)(,(secp256r1|x25519|x25519mlkem768|mlkem768))*$ ]] ||
		{ log "-G: '$v' is not a comma list of secp256r1, x25519, x25519mlkem768, mlkem768"; exit 2; } ;;
	*) continue ;;
	esac
	a=$((a + 1))
done
mk=$LIB_ROOT/ports/targets/$target.mk
machine=""
[ ! -f "$mk" ] || machine=$(sed -n 's/^MCU_MACHINE := //p' "$mk")
if [ -z "$machine" ]; then
	log "-T: unknown bare-metal target '$target' (known: $(grep -l '^MCU_MACHINE' "$LIB_ROOT"/ports/targets/*.mk | xargs -n1 basename | sed 's/\.mk$//' | tr '\n' ' '))"
	exit 2
fi
cpu=$(sed -n 's/^MCU_CPU := //p' "$mk")
case "$stack" in
mbedtls) cfg_glob=ackbench_config_ ;;
wolfssl) cfg_glob=wolfssl_settings_ ;;
*) log "-S: '$stack' is not a stack of the bare-metal image (mbedtls, wolfssl)"; exit 2 ;;
esac
case "$config" in
mcu | mcu-*) [ -n "$image" ] || [ -f "$LIB_ROOT/ports/config/$cfg_glob$config.h" ] ;;
*) false ;;
esac || {
	log "-c: '$config' is not a bare-metal config of $stack (known: $(for f in "$LIB_ROOT"/ports/config/"$cfg_glob"mcu*.h; do f=${f##*/"$cfg_glob"}; printf '%s ' "${f%.h}"; done))"
	exit 2
}
command -v "$qemu" >/dev/null 2>&1 ||
	{ log "$qemu not found (scripts/deps.sh mcu installs qemu-system-arm)"; exit 2; }
command -v jq >/dev/null 2>&1 || { log "jq not found (scripts/deps.sh build)"; exit 2; }

mkvar() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$LIB_ROOT" \
		TARGET="$target" CONFIG="$config" STACK="$stack" "$@"
}
sizetool=$(mkvar print-SIZE)
if [ -n "$image" ]; then
	case "$image" in *.elf) [ -f "$image" ] && [ -f "${image%.elf}.map" ] ;; *) false ;; esac ||
		{ log "-i: '$image' is not an image (an .elf file with its .map beside it)"; exit 2; }
	img=$(lib_abs "$image")
else
	img=$LIB_ROOT/$(mkvar print-BUILD)/mcu/ackbench-mcu.elf
	log "building $target $config $stack ($img)"
	mkvar -j2 all >&2 || die "make TARGET=$target CONFIG=$config STACK=$stack failed"
fi
map=${img%.elf}.map

suffix=""
[ "$stack" = mbedtls ] || suffix=-$stack
[ -n "$dir" ] || dir=$LIB_ROOT/results/mcu-$target-$config$suffix-$(lib_utc_stamp)
dir=$(lib_abs "$dir")
if [ -e "$dir/raw.txt" ] || [ -e "$dir/mcu.json" ]; then
	log "-d: $dir already holds results"
	exit 2
fi
mkdir -p "$dir"

# QEMU's option syntax doubles a comma inside a value.
sh_args="arg=ackbench-mcu"
for a in "${img_args[@]+"${img_args[@]}"}"; do sh_args="$sh_args,arg=${a//,/,,}"; done
qcmd=("$qemu" -machine "$machine" -cpu "$cpu" -nographic -monitor none -serial none
	-icount shift=0 -semihosting-config "enable=on,target=native,$sh_args" -kernel "$img")

LIB_BIN=$(dirname "$img") lib_record_env "$dir/env.txt" "$cmdline"
{
	printf 'target: %s\n' "$target"
	printf 'machine: %s\n' "$machine"
	printf 'mcu_cpu: %s\n' "$cpu"
	printf 'qemu: %s\n' "$("$qemu" --version | head -n 1)"
	printf 'qemu_command: %s\n' "${qcmd[*]}"
	printf 'icount: shift=0 (1 ns of virtual time per instruction)\n'
	printf 'compiler: %s\n' "$("$(mkvar print-CC)" --version | head -n 1)"
	printf 'config: %s\n' "$config"
	printf 'stack: %s\n' "$stack"
	printf 'image: %s\n' "$img"
	printf 'image_sha256: %s\n' "$(sha256sum "$img" | cut -d ' ' -f 1)"
	printf 'estimate_clock_hz: %s (1 instruction per cycle assumed)\n' "$hz"
} >>"$dir/env.txt"

log "running $target under $machine (-icount shift=0), at most $limit s -> $dir"
rc=0
t0=$(date +%s)
timeout -k 5 "$limit" "${qcmd[@]}" >"$dir/raw.txt" 2>"$dir/qemu.err" </dev/null || rc=$?
printf 'wall_seconds: %s\n' "$(($(date +%s) - t0))" >>"$dir/env.txt"
case "$rc" in
0 | 1) ;;
124 | 137) die "QEMU did not finish within $limit s (-t); partial output in $dir/raw.txt" ;;
2) log "the image refused its options: $(head -n 1 "$dir/raw.txt")"; exit 2 ;;
*) die "QEMU exit status $rc: $(tail -n 1 "$dir/qemu.err" "$dir/raw.txt" | tr '\n' ' ')" ;;
esac
grep -q '^summary ' "$dir/raw.txt" || die "the image ended without its summary line ($dir/raw.txt)"

# "kind key=v key=v ..." lines -> CSV with the given columns.
to_csv() {
	awk -v kind="$1" -v cols="$2" 'BEGIN { n = split(cols, c, ","); print cols }
	$1 == kind { delete v; for (i = 2; i <= NF; i++) { k = $i; sub(/=.*/, "", k); x = $i
			sub(/^[^=]*=/, "", x); v[k] = x }
		line = ""; for (i = 1; i <= n; i++) line = line (i > 1 ? "," : "") v[c[i]]; print line }' \
		"$dir/raw.txt"
}
# The group and the key exchange (each side's view) are the last columns (the columns
# before them stay where they were).
to_csv hs key,proto,kind,i,side,ok,resumed,cookie,hs_instr,xchg_instr,close_instr,heap_peak,stack_peak,hs_bytes_out,hs_bytes_in,hs_writes_out,verify,err,suite,group,kex \
	>"$dir/handshakes.csv"
to_csv rec key,proto,size,n,side,ok,instr_per_msg,bytes_out_per_msg,group >"$dir/records.csv"
to_csv neg key,proto,case,refused,by,client_err,server_err,verify,group >"$dir/negatives.csv"
to_csv floor key,ecdhe_gen,ecdhe_shared,sign,verify,side >"$dir/floor.csv"
if [ "$stack" = wolfssl ]; then
	to_csv floor_kex group,gen,shared >"$dir/floor-kex.csv"
	to_csv floor_kem group,keygen,encaps,decaps >"$dir/floor-kem.csv"
fi

# Footprint: sections of the image, and flash/RAM by component from the link map.
"$sizetool" -A "$img" | awk 'NR > 2 && $1 ~ /^\./ { print $1 "," $2 }' |
	grep -E '^\.(text|ARM.exidx|data|bss|noinit),' >"$dir/sections.tmp"
# mawk has no strtonum: hexadecimal by hand.
HEX='function hex(s,   i, v) { s = tolower(s); sub(/^0x/, "", s); v = 0
	for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v }'
heap=$(arm-none-eabi-nm "$img" | awk "$HEX"'
	$3 == "__heap_start" { s = hex($1) } $3 == "__heap_end" { e = hex($1) } END { print e - s }')
awk -F, -v heap="$heap" '
	{ s[$1] = $2 }
	END {
		print "item,bytes,what"
		printf "flash,%d,.text + .ARM.exidx + .data initialisers\n", s[".text"] + s[".ARM.exidx"] + s[".data"]
		printf "ram_static,%d,.data + .bss (TLS code and libc)\n", s[".data"] + s[".bss"]
		printf "text,%d,code and constants\n", s[".text"] + s[".ARM.exidx"]
		printf "data,%d,initialised data\n", s[".data"]
		printf "bss,%d,zeroed data\n", s[".bss"]
		printf "bench_noinit,%d,the benchmark: two 32 KiB side stacks and link buffers (not needed on a device)\n", s[".noinit"]
		printf "heap_region,%d,room for malloc (the used part is the heap peak)\n", heap
	}' "$dir/sections.tmp" >"$dir/footprint.csv"
rm -f "$dir/sections.tmp"
# Per component: input sections in the map, by archive (Mbed TLS libraries, libc, ours).
awk "$HEX"'
	function add(sz, file, sec,   comp) {
		if (file ~ /libwolfssl\.a/) comp = "wolfssl"
		else if (file ~ /libmbedcrypto\.a/) comp = "mbedcrypto"
		else if (file ~ /libmbedx509\.a/) comp = "mbedx509"
		else if (file ~ /libmbedtls\.a/) comp = "mbedtls"
		else if (file ~ /lib(c|g|m|rdimon|gcc|nosys)[_a-z]*\.a/) comp = "libc+libgcc"
		else if (file ~ /creds\.o/) comp = "credentials"
		else if (file ~ /obj\/ports\//) comp = "port"
		else comp = "benchmark"
		if (sec ~ /^\.(text|rodata)/) flash[comp] += sz
		else if (sec ~ /^\.data/) { flash[comp] += sz; ram[comp] += sz }
		else if (sec ~ /^\.(bss|COMMON)/) ram[comp] += sz
		seen[comp] = 1
	}
	/^Discarded input sections/ { skip = 1 } /^Linker script and memory map/ { skip = 0 }
	skip { next }
	/^ \.(text|rodata|data|bss)[^ ]*$/ { pend = $1; next }
	pend != "" && NF == 3 && $1 ~ /^0x/ { add(hex($2), $3, pend); pend = ""; next }
	/^ \.(text|rodata|data|bss)[^ ]* +0x/ && NF == 4 { add(hex($3), $4, $1) }
	/^ COMMON +0x/ && NF == 4 { add(hex($3), $4, ".bss") }
	{ pend = "" }
	END { for (c in seen) printf "component_%s,%d,flash (ram %d)\n", c, flash[c], ram[c] }' \
	"$map" | sort >>"$dir/footprint.csv"

# Summary JSON: per key, protocol, group, kind and side the median over the N handshakes (the
# first RSA handshake of a run also pays Mbed TLS's blinding set-up: min/max show it).
jq -R -s --arg target "$target" --arg machine "$machine" --arg cpu "$cpu" --arg config "$config" \
	--argjson hz "$hz" --arg host "$(uname -n)" --arg stack "$stack" \
	--arg stack_version "$(sed -n "s/.* $stack=\([^ ]*\).*/\1/p" "$dir/raw.txt" | head -n 1)" \
	--arg mbedtls "$(sed -n 's/.* mbedtls=\([^ ]*\).*/\1/p' "$dir/raw.txt" | head -n 1)" '
	def rows(kind): split("\n") | map(select(startswith(kind + " ")) | split(" ")[1:]
		| map(capture("^(?<key>[^=]+)=(?<value>.*)$")) | from_entries
		| with_entries(.value |= (if test("^-?[0-9]+$") then tonumber else . end)));
	def median: sort | if length == 0 then null else .[(length - 1) / 2 | floor] end;
	(rows("hs")) as $hs | (rows("rec")) as $rec | (rows("neg")) as $neg |
	{ tool: "ackbench-mcu", target: $target, machine: $machine, cpu: $cpu, config: $config,
	  mbedtls: $mbedtls, stack: $stack, stack_version: $stack_version, host: $host,
	  estimate_hz: $hz,
	  assumption: "estimated time = instructions / clock: one instruction per cycle, an estimate, not a measurement of any chip",
	  counted_by: "QEMU -icount shift=0 virtual clock (1 ns per instruction), read through SysTick",
	  handshakes: ($hs | group_by([.key, .proto, .group, .kind, .side]) | map({
		key: .[0].key, proto: .[0].proto, group: .[0].group, kind: .[0].kind,
		side: .[0].side, n: length,
		ok: (map(select(.ok == 1)) | length),
		instr: (map(.hs_instr) | median), instr_min: (map(.hs_instr) | min),
		instr_max: (map(.hs_instr) | max),
		est_ms: ((map(.hs_instr) | median) / $hz * 1000),
		xchg_instr: (map(.xchg_instr) | median), close_instr: (map(.close_instr) | median),
		heap_peak: (map(.heap_peak) | max), stack_peak: (map(.stack_peak) | max),
		hs_bytes_out: (map(.hs_bytes_out) | median), hs_bytes_in: (map(.hs_bytes_in) | median),
		suite: .[0].suite, kex: .[0].kex })),
	  records: ($rec | map(select(.ok == 1) | {key, proto, group, size, side, n,
		instr: .instr_per_msg,
		est_us: (.instr_per_msg / $hz * 1e6), bytes_out: .bytes_out_per_msg})),
	  negatives: $neg,
	  baseline_heap: (rows("baseline") | map({key, proto, group, heap})),
	  floor: rows("floor"), floor_sym: (rows("floor_sym")[0]),
	  floor_kex: rows("floor_kex"), floor_kem: rows("floor_kem"),
	  summary: (rows("summary")[0]) }' "$dir/raw.txt" >"$dir/mcu.json"
jq -n --slurpfile j "$dir/mcu.json" --rawfile f "$dir/footprint.csv" \
	'$j[0] + { footprint: ($f | split("\n")[1:] | map(select(length > 0) | split(",")
		| { (.[0]): (.[1] | tonumber) }) | add) }' >"$dir/mcu.json.tmp"
mv "$dir/mcu.json.tmp" "$dir/mcu.json"

"$LIB_ROOT/scripts/mcu-table.sh" "$dir/mcu.json" >"$dir/table.txt"
[ "$quiet" -eq 1 ] || cat "$dir/table.txt"

# The image's own exit status counts too: 1 when it stopped before its plan (a config it
# could not set up), with no failed handshake to show for it.
if [ "$rc" -ne 0 ] || ! jq -e '.summary.handshakes > 0 and .summary.failed == 0 and
	.summary.record_failed == 0 and .summary.refused == .summary.negatives' \
	"$dir/mcu.json" >/dev/null; then
	log "FAILED: $(grep -m1 '^error' "$dir/raw.txt" || true) $(grep '^summary' "$dir/raw.txt")"
	exit 1
fi
log "done: $(grep '^summary' "$dir/raw.txt")"
