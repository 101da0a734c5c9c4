#!/usr/bin/env bash
# mcu-explore.sh - searches the configuration space of the bare-metal image (mk/mcu.mk):
# every point (compiler settings + Mbed TLS options) is its own image, built in its own
# directory (Mbed TLS's makefile does not track its config), cached by a hash of the
# effective config, flags and sources, and run by scripts/mcu.sh -i (full and resumed
# handshakes per protocol and key, rogue peers). Writes one CSV of every point and the
# per-handshake figures, then runs the analysis layer on them (python3 -m ackbench
# mcu-explore DIR: fronts, the cheapest that fits, the HTML report) and prints the front.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: $0 [-T TARGET[,TARGET...]] [-s SPACE] [-x AXIS=V1,V2...]... [-d DIR] [-C CACHE]
          [-n N] [-k KEYS] [-P PROTOS] [-z SIZE] [-R] [-l] [-t SECS] [-q]
Builds and runs every point of a configuration space on each TARGET and writes into DIR:
  points.csv      one row per point and target: its axes, status (ok, failed, refused),
                  the reason of a refusal or failure, flash and static RAM of the image
                  (it holds BOTH endpoints, client and server) and its split by component,
                  build and run seconds
  handshakes.csv  per point, protocol, key, kind (full, resumed) and side: instructions
                  (median of N), heap peak, stack peak, handshake bytes out/in
  records.csv     per point, protocol and side: instructions per SIZE-byte message
  space.txt       the points (the grid of each block of the space), env.txt, sweep.log
  fronts.csv, front.txt, report.html   from python3 -m ackbench mcu-explore DIR (the
                  Pareto fronts over flash, RAM and instructions; front.txt, printed on
                  stdout, is TLS 1.3, P-256, client side; see its -h for other fronts and
                  --max-flash/--max-ram/--max-ms)
Axes: opt (Os O2 O3), lto (0 1), config (a shipped bare-metal config, default mcu), and
every Mbed TLS option by its name without MBEDTLS_: numeric ones take numbers
(ECP_WINDOW_SIZE=2,4,6), boolean ones 0 (undefined) and 1 (defined); what an option
requires is added with it (PSA_P256M_DRIVER_ENABLED: USE_PSA_CRYPTO; SSL_PROTO_TLS1_3=0:
no TLS 1.3 key exchange modes; SSL_IN_CONTENT_LEN below 16384: record_size_limit in TLS
1.3, and the image's client asks for max_fragment_length in TLS/DTLS 1.2).
  -T TARGETS  comma list of bare-metal targets (default cortex-m4)
  -s SPACE    space file (default ports/config/mcu-explore.space unless -x is given):
              blocks "[name]" of "AXIS = V1, V2" lines; a block is a grid (every
              combination of its values), the space the union of the blocks
  -x AXIS=V1,V2  an axis of a grid given on the command line (repeatable; with -s, one
              more block)
  -d DIR      output directory (default results/mcu-explore-<UTC time>); rerun with the
              same DIR to resume an interrupted sweep
  -C CACHE    the points' builds and runs (default build/mcu-explore): a point whose
              config, flags and sources hash the same is not built or run again
  -n N        handshakes of each kind per protocol and key (default 2; counts repeat)
  -k KEYS     key types (default ec256; rsa2048,rsa3072 are compiled in when asked)
  -P PROTOS   comma list of tls1.2,tls1.3,dtls1.2 (default: all a point's config has)
  -z SIZE     message size of the record cost, 32..2048 (default 256)
  -R          run the cached images again (nothing is rebuilt), to check that counts repeat
  -l          list the points (and refusals the config checker finds), build nothing
  -t SECS     stop a point's QEMU run after SECS (default 900)
  -q          no progress lines, no front on stdout
Exit status: 0 every point built and passed or was refused with its reason, 1 a point
failed (a handshake, a rogue peer accepted, QEMU), 2 bad input.
USAGE
}

targets=cortex-m4
space=""
xaxes=()
dir=""
cache=""
n=2
keys=ec256
protos=""
size=256
rerun=0
list=0
limit=900
quiet=0
cmdline="$0 $*"
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts T:s:x:d:C:n:k:P:z:Rlt:qh opt; do
	case "$opt" in
	T) targets=$OPTARG ;;
	s) space=$OPTARG ;;
	x) xaxes+=("$OPTARG") ;;
	d) dir=$OPTARG ;;
	C) cache=$OPTARG ;;
	n) n=$OPTARG ;;
	k) keys=$OPTARG ;;
	P) protos=$OPTARG ;;
	z) size=$OPTARG ;;
	R) rerun=1 ;;
	l) list=1 ;;
	t) limit=$OPTARG ;;
	q) quiet=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { log "unexpected argument '$1' (see --help)"; exit 2; }
sweeplog=""
say() {
	[ "$quiet" -eq 1 ] || log "$@"
	[ -z "$sweeplog" ] || printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >>"$sweeplog"
}

# ---- options ----
for t in ${targets//,/ }; do
	grep -q '^MCU_MACHINE' "$LIB_ROOT/ports/targets/$t.mk" 2>/dev/null || {
		log "-T: unknown bare-metal target '$t' (known: $(grep -l '^MCU_MACHINE' "$LIB_ROOT"/ports/targets/*.mk | xargs -n1 basename | sed 's/\.mk$//' | tr '\n' ' '))"
		exit 2
	}
done
{ lib_is_count "$n" && [ "$n" -le 100 ]; } || { log "-n: '$n' is not a number in 1..100"; exit 2; }
{ lib_is_count "$size" && [ "$size" -ge 32 ] && [ "$size" -le 2048 ]; } ||
	{ log "-z: '$size' is not a message size in 32..2048"; exit 2; }
lib_is_count "$limit" || { log "-t: '$limit' is not a positive number of seconds"; exit 2; }
[[ $keys =~ ^(ec256|rsa2048|rsa3072)(,(ec256|rsa2048|rsa3072))*$ ]] ||
	{ log "-k: '$keys' is not a comma list of ec256, rsa2048, rsa3072"; exit 2; }
[ -z "$protos" ] || [[ $protos =~ ^(tls1\.2|tls1\.3|dtls1\.2)(,(tls1\.2|tls1\.3|dtls1\.2))*$ ]] ||
	{ log "-P: '$protos' is not a comma list of tls1.2, tls1.3, dtls1.2"; exit 2; }
[ -n "$space" ] || [ ${#xaxes[@]} -gt 0 ] || space=$LIB_ROOT/ports/config/mcu-explore.space
[ -z "$space" ] || [ -f "$space" ] || { log "-s: no space file '$space'"; exit 2; }
for c in jq arm-none-eabi-gcc; do
	command -v "$c" >/dev/null 2>&1 || { log "$c not found (scripts/deps.sh build mcu)"; exit 2; }
done
mbt_src=$("$LIB_ROOT/scripts/fetch-mbedtls.sh" 2>/dev/null) || mbt_src=/nonexistent
[ -f "$mbt_src/include/mbedtls/mbedtls_config.h" ] ||
	{ log "no Mbed TLS source tree (scripts/fetch-mbedtls.sh failed)"; exit 2; }
mbt_cfg=$mbt_src/include/mbedtls/mbedtls_config.h

# ---- axes ----
# kind NAME: opt, lto, config, num (an option with a value in mbedtls_config.h), bool, or
# nothing (unknown).
kind() {
	case "$1" in
	opt | lto | config) echo "$1"; return ;;
	MBEDTLS_*) return ;;
	esac
	[[ $1 =~ ^[A-Z][A-Z0-9_]*$ ]] || return 0
	awk -v n="MBEDTLS_$1" '{ sub(/^\/\/ */, "") } $1 == "#define" && $2 == n {
		print (NF > 2 && $3 !~ /^\/[*\/]/) ? "num" : "bool"; exit }' "$mbt_cfg"
}
# check_axis WHERE AXIS VALUES: one line and exit 2 when the axis or a value is unknown.
check_axis() {
	local where=$1 a=$2 vals=$3 k v
	k=$(kind "$a")
	if [ -z "$k" ]; then
		case "$a" in
		MBEDTLS_*) log "$where: axis '$a': give Mbed TLS options without the MBEDTLS_ prefix" ;;
		*) log "$where: unknown axis '$a' (opt, lto, config, or an option of Mbed TLS's mbedtls_config.h without MBEDTLS_)" ;;
		esac
		exit 2
	fi
	[ -n "$vals" ] || { log "$where: axis '$a' has no values"; exit 2; }
	for v in ${vals//,/ }; do
		case "$k" in
		opt) [[ $v =~ ^(Os|O2|O3)$ ]] ;;
		lto) [[ $v =~ ^[01]$ ]] ;;
		config) [[ $v =~ ^mcu(-[a-z0-9-]+)?$ ]] && [ -f "$LIB_ROOT/ports/config/ackbench_config_$v.h" ] ;;
		num) [[ $v =~ ^[0-9]{1,9}$ ]] ;;
		bool) [[ $v =~ ^[01]$ ]] ;;
		esac || {
			case "$k" in
			opt) log "$where: opt: '$v' is not Os, O2 or O3" ;;
			config) log "$where: config: '$v' is not a shipped bare-metal config (ports/config/ackbench_config_mcu*.h)" ;;
			num) log "$where: $a: '$v' is not a number ($a is a numeric option)" ;;
			*) log "$where: $a: '$v' is not 0 (undefined) or 1 (defined)" ;;
			esac
			exit 2
		}
	done
}

# The space: blocks of "AXIS=V1,V2" lines (values without blanks), one block per line of
# $blocks separated by ';'.
blocks=()
if [ -n "$space" ]; then
	cur=""
	ln=0
	while IFS= read -r line || [ -n "$line" ]; do
		ln=$((ln + 1))
		line=${line%%#*}
		line=$(printf '%s' "$line" | tr -d ' \t\r')
		[ -n "$line" ] || continue
		if [[ $line =~ ^\[[A-Za-z0-9_.-]+\]$ ]]; then
			[ -z "$cur" ] || blocks+=("$cur")
			cur=""
			continue
		fi
		[[ $line =~ ^[A-Za-z][A-Za-z0-9_]*=[^=]*$ ]] ||
			{ log "$space:$ln: not '[block]' or 'AXIS = V1, V2': '$line'"; exit 2; }
		check_axis "$space:$ln" "${line%%=*}" "${line#*=}"
		case ";$cur;" in *";${line%%=*}="*) log "$space:$ln: axis '${line%%=*}' twice in one block"; exit 2 ;; esac
		cur=${cur:+$cur;}$line
	done <"$space"
	[ -z "$cur" ] || blocks+=("$cur")
	[ ${#blocks[@]} -gt 0 ] || { log "$space: no axis in the space file"; exit 2; }
fi
if [ ${#xaxes[@]} -gt 0 ]; then
	cur=""
	for x in "${xaxes[@]}"; do
		[[ $x =~ ^[A-Za-z][A-Za-z0-9_]*=[^=[:space:]]*$ ]] || { log "-x: '$x' is not AXIS=V1,V2"; exit 2; }
		check_axis "-x" "${x%%=*}" "${x#*=}"
		case ";$cur;" in *";${x%%=*}="*) log "-x: axis '${x%%=*}' given twice"; exit 2 ;; esac
		cur=${cur:+$cur;}$x
	done
	blocks+=("$cur")
fi

# The points: every block's grid, a point being "AXIS=V;AXIS=V" (empty: the base).
grid() {
	local rest=$1 prefix=$2 first v
	if [ -z "$rest" ]; then
		printf '%s\n' "$prefix"
		return
	fi
	first=${rest%%;*}
	[ "$first" != "$rest" ] && rest=${rest#*;} || rest=""
	for v in ${first#*=}; do
		grid "$rest" "${prefix:+$prefix;}${first%%=*}=$v"
	done
}
specs=()
while IFS= read -r s; do specs+=("$s"); done < <(for b in "${blocks[@]}"; do grid "${b//,/ }" ""; done | awk '!seen[$0]++')

# ---- a point's config ----
# spec_get SPEC AXIS DEFAULT
spec_get() {
	local kv
	for kv in ${1//;/ }; do
		[ "${kv%%=*}" != "$2" ] || { printf '%s\n' "${kv#*=}"; return; }
	done
	printf '%s\n' "$3"
}
# header SPEC: the point's Mbed TLS config, on top of its shipped config.
header() {
	local kv a v k req=""
	printf '/* Written by scripts/mcu-explore.sh: point %s */\n' "${1:-base}"
	printf '#ifndef ACKBENCH_CONFIG_MCU_EXPLORE_H\n#define ACKBENCH_CONFIG_MCU_EXPLORE_H\n'
	printf '#include "ackbench_config_%s.h"\n' "$(spec_get "$1" config mcu)"
	for kv in ${1//;/ }; do
		a=${kv%%=*} v=${kv#*=}
		k=$(kind "$a")
		case "$k" in opt | lto | config) continue ;; esac
		printf '#undef MBEDTLS_%s\n' "$a"
		if [ "$k" = num ]; then
			printf '#define MBEDTLS_%s %s\n' "$a" "$v"
		elif [ "$v" = 1 ]; then
			printf '#define MBEDTLS_%s\n' "$a"
		fi
		case "$a=$v" in
		PSA_P256M_DRIVER_ENABLED=1)
			req="$req#define MBEDTLS_USE_PSA_CRYPTO /* p256-m is reached through PSA from PK, X.509 and TLS */\n" ;;
		SSL_PROTO_TLS1_3=0)
			req="$req#undef MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED\n#undef MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED\n#undef MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_ENABLED\n#undef MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE\n#undef MBEDTLS_SSL_RECORD_SIZE_LIMIT\n#undef MBEDTLS_HKDF_C /* the TLS 1.3 key schedule only */\n" ;;
		SSL_PROTO_TLS1_3=1)
			req="$req#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED\n#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED\n#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE\n#define MBEDTLS_HKDF_C\n" ;;
		SSL_IN_CONTENT_LEN=*)
			[ "$v" -ge 16384 ] ||
				req="$req#if defined(MBEDTLS_SSL_PROTO_TLS1_3) /* the peer must agree: RFC 8449 */\n#define MBEDTLS_SSL_RECORD_SIZE_LIMIT\n#endif\n" ;;
		esac
	done
	# shellcheck disable=SC2059  # the requirements are printf text with \n
	[ -z "$req" ] || printf "/* what the options above require */\n$req"
	printf '#endif\n'
}

# The files a point's image is made of (besides its config): hashed once per sweep.
sources_hash() {
	local t=$1
	(
		cd "$LIB_ROOT"
		# shellcheck disable=SC2046
		sha256sum Makefile mk/mcu.mk "ports/targets/$t.mk" ports/mps2/*.[ch] ports/mps2/target.mk \
			ports/mps2/sections.ld "ports/mps2/$(sed -n 's/^MCU_LD := //p' "ports/targets/$t.mk")" ports/port.h \
			ports/config/*.h mcu/*.[ch] mcu/mbedtls/*.[ch] src/*.h src/mem.c src/msg.c src/tls_sniff.c \
			src/dtls_wire.c scripts/mcu-creds.sh scripts/gen-certs.sh $(find certs -type f | sort)
		arm-none-eabi-gcc --version | head -n 1
		head -n 1 "${ACKBENCH_CACHE:-$LIB_ROOT/build/cache}/mbedtls.source" 2>/dev/null || echo "$mbt_src"
	) | sha256sum | cut -c 1-64
}

mcu_keys() { printf '%s\n' "${keys//,/ }" | tr ' ' '\n' | grep -v '^ec256$' | tr '\n' ' ' | sed 's/ $//'; }

# prepare TARGET SPEC: writes the point's header into a scratch directory, runs the config
# checker (the preprocessor over Mbed TLS's headers with the target's flags) and sets
# P_HASH, P_DIR, P_CHECK (empty, or the checker's refusal).
prepare() {
	local t=$1 spec=$2 opt lto cpu h
	opt=$(spec_get "$spec" opt Os)
	lto=""
	[ "$(spec_get "$spec" lto 0)" = 0 ] || lto=-flto
	cpu=$(sed -n 's/^MCU_CPU := //p' "$LIB_ROOT/ports/targets/$t.mk")
	rm -rf "$scratch/cfg"
	mkdir -p "$scratch/cfg"
	header "$spec" >"$scratch/cfg/ackbench_config_mcu-explore.h"
	P_CHECK=""
	printf '#include "mbedtls/build_info.h"\n#include "mbedtls/ssl.h"\n#include "mbedtls/ecp.h"\n#include "mbedtls/aes.h"\n#include "mbedtls/sha256.h"\n' |
		arm-none-eabi-gcc -mcpu="$cpu" -mthumb -mfloat-abi=soft "-$opt" ${lto:+"$lto"} \
			-E -dM -x c -I"$scratch/cfg" -I"$LIB_ROOT/ports/config" -isystem "$mbt_src/include" \
			"-DMBEDTLS_CONFIG_FILE=<ackbench_config_mcu-explore.h>" - \
			>"$scratch/macros.raw" 2>"$scratch/check.err" || {
		P_CHECK=$(grep -m1 -o 'error: .*' "$scratch/check.err" | sed 's/^error: //; s/^#error //; s/"//g')
		P_CHECK="config check: ${P_CHECK:-preprocessor failed}"
	}
	# Include guards of the config headers are no part of the config.
	grep -v '^#define ACKBENCH_CONFIG_[A-Z0-9_]*_H *$' "$scratch/macros.raw" | sort >"$scratch/macros.txt"
	h=$( {
		printf 'target=%s opt=%s lto=%s keys=%s sources=%s\n' "$t" "$opt" "${lto:-0}" "$(mcu_keys)" "${src_hash[$t]}"
		if [ -n "$P_CHECK" ]; then cat "$scratch/cfg/ackbench_config_mcu-explore.h"; else cat "$scratch/macros.txt"; fi
	} | sha256sum | cut -c 1-16)
	P_HASH=$h
	P_DIR=$cache/$t/$h
}

# build: the point's image in P_DIR (once); sets P_STATUS (built/refused) and P_REASON.
build() {
	local t=$1 spec=$2 opt lto rc=0 t0
	opt=$(spec_get "$spec" opt Os)
	lto=$(spec_get "$spec" lto 0)
	mkdir -p "$P_DIR"
	if [ ! -f "$P_DIR/status" ]; then
		cp "$scratch/cfg/ackbench_config_mcu-explore.h" "$scratch/macros.txt" "$P_DIR/"
		if [ -n "$P_CHECK" ]; then
			printf '%s\n' "$P_CHECK" >"$P_DIR/reason"
			printf 'refused\n' >"$P_DIR/status"
		else
			say "building $t [${spec:-base}] -> $P_DIR"
			t0=$(date +%s)
			timeout -k 10 3600 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u SAN -u STATIC -u STACK \
				CCACHE_DIR="$LIB_ROOT/build/mcu-explore/ccache" CCACHE_BASEDIR="$cache" CCACHE_NOHASHDIR=1 \
				nice make -s --no-print-directory -C "$LIB_ROOT" -j2 TARGET="$t" CC="$cc" \
				CONFIG=mcu-explore CONFIG_DIR="$P_DIR" \
				BUILD="$P_DIR/build" MBT="$P_DIR/build/mbedtls" MCU_OPT="$opt" MCU_LTO="$lto" \
				MCU_KEYS="$(mcu_keys)" all >"$P_DIR/build.log" 2>&1 || rc=$?
			echo $(($(date +%s) - t0)) >"$P_DIR/build_s"
			if [ "$rc" -eq 0 ] && [ -f "$P_DIR/build/mcu/ackbench-mcu.elf" ]; then
				# Only the image, its map and what the run records are kept.
				find "$P_DIR/build/mbedtls" -mindepth 1 -maxdepth 1 ! -name ackbench.source \
					-exec rm -rf {} +
				printf 'built\n' >"$P_DIR/status"
			elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
				log "building $t [${spec:-base}] did not finish within an hour ($P_DIR/build.log)"
				return 1
			else
				# The compiler's (or the linker's) first complaint is the reason.
				r=$(grep -m1 -E '#error|error:|undefined reference' "$P_DIR/build.log" |
					sed -E 's/^.*(#error|error:) *//; s/"//g' | cut -c 1-200)
				printf 'build: %s\n' "${r:-make failed, see build.log}" >"$P_DIR/reason"
				printf 'refused\n' >"$P_DIR/status"
			fi
		fi
	fi
	P_STATUS=$(cat "$P_DIR/status")
	P_REASON=$(cat "$P_DIR/reason" 2>/dev/null || true)
}

# run: the image under QEMU (once per run options, or again with -R); sets P_RUN, P_RUNOK.
run() {
	local t=$1 rh img rc=0 t0 args
	img=$P_DIR/build/mcu/ackbench-mcu.elf
	args="-n $n -r 5 -s $size -k $keys${protos:+ -P $protos}"
	rh=$( {
		sha256sum "$img" "$LIB_ROOT/scripts/mcu.sh" | cut -c 1-64
		printf '%s\n' "$args"
	} | sha256sum | cut -c 1-12)
	P_RUN=$P_DIR/run-$rh
	if [ "$rerun" -eq 1 ] && [ -f "$P_RUN/rc" ]; then
		rm -rf "$P_RUN.prev"
		mv "$P_RUN" "$P_RUN.prev"
	fi
	if [ ! -f "$P_RUN/rc" ]; then
		rm -rf "$P_RUN.tmp"
		say "running $t ${P_DIR##*/}"
		t0=$(date +%s)
		# shellcheck disable=SC2086  # args is a word list
		timeout -k 10 $((limit + 60)) "$LIB_ROOT/scripts/mcu.sh" -T "$t" -c mcu-explore -i "$img" \
			$args -t "$limit" -d "$P_RUN.tmp" -q >"$P_DIR/run.log" 2>&1 </dev/null || rc=$?
		if [ ! -f "$P_RUN.tmp/mcu.json" ]; then
			log "$t ${P_DIR##*/}: the run wrote no results (exit $rc): $(tail -n 1 "$P_DIR/run.log")"
			rm -rf "$P_RUN.tmp"
			P_RUNOK=0
			P_REASON="run: $(tail -n 1 "$P_DIR/run.log" | cut -c 1-200)"
			return
		fi
		echo "$rc" >"$P_RUN.tmp/rc"
		echo $(($(date +%s) - t0)) >"$P_RUN.tmp/run_s"
		mv "$P_RUN.tmp" "$P_RUN"
	fi
	rc=$(cat "$P_RUN/rc")
	P_RUNOK=$([ "$rc" -eq 0 ] && echo 1 || echo 0)
	[ "$P_RUNOK" -eq 1 ] || P_REASON="run: $(grep -m1 -o 'FAILED: .*' "$P_DIR/run.log" || tail -n 1 "$P_DIR/run.log")"
}

# ---- the sweep ----
[ -n "$cache" ] || cache=$LIB_ROOT/build/mcu-explore
cache=$(lib_abs "$cache")
# The points share most of Mbed TLS's objects (an option touches a few files): a compile
# cache (ccache, scripts/deps.sh mcu; build/mcu-explore/ccache, whatever -C says) makes the
# second point's library cheap. Each point still builds in its own directory; paths under
# CACHE are hashed relative (CCACHE_BASEDIR), so the same source in two point directories
# is one entry.
cc=arm-none-eabi-gcc
! command -v ccache >/dev/null 2>&1 || cc="ccache arm-none-eabi-gcc"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
declare -A src_hash
for t in ${targets//,/ }; do
	[ -f "$LIB_ROOT/certs/ca.crt" ] || [ "$list" -eq 1 ] ||
		env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$LIB_ROOT" certs >/dev/null
	src_hash[$t]=$(sources_hash "$t")
done

if [ "$list" -eq 1 ]; then
	for t in ${targets//,/ }; do
		for s in "${specs[@]}"; do
			prepare "$t" "$s"
			st=new
			[ ! -f "$P_DIR/status" ] || st=$(cat "$P_DIR/status")
			printf '%s %s %s %s%s\n' "$t" "$P_HASH" "${s:-base}" "$st" "${P_CHECK:+ ($P_CHECK)}"
		done
	done
	exit 0
fi

[ -n "$dir" ] || dir=$LIB_ROOT/results/mcu-explore-$(lib_utc_stamp)
dir=$(lib_abs "$dir")
mkdir -p "$dir" "$cache"
sweeplog=$dir/sweep.log
lib_record_env "$dir/env.txt" "$cmdline"
printf 'space: %s\ntargets: %s\nrun: -n %s -k %s -P %s -z %s\nload_start: %s\n' \
	"${space:-(command line)} ${xaxes[*]+-x ${xaxes[*]}}" "$targets" "$n" "$keys" "${protos:-all}" \
	"$size" "$(lib_loadavg)" >>"$dir/env.txt"

# Axis columns: every axis any point sets, in order of appearance.
axes=$(printf '%s\n' "${specs[@]}" | tr ';' '\n' | sed -n 's/=.*//p' | awk '!seen[$0]++' | tr '\n' ' ')
comps="mbedcrypto mbedtls mbedx509 libc+libgcc credentials benchmark port"
{
	printf 'target,point,hash,status,reason,shipped'
	for a in $axes; do printf ',%s' "$a"; done
	printf ',flash,ram_static,text,data,bss'
	for c in $comps; do printf ',flash_%s' "$c"; done
	printf ',handshakes,handshakes_failed,rogue,rogue_refused,build_s,run_s,dir\n'
} >"$dir/points.csv.tmp"
echo "target,point,hash,proto,key,kind,side,n,ok,instr,instr_min,instr_max,heap_peak,stack_peak,hs_bytes_out,hs_bytes_in,suite" \
	>"$dir/handshakes.csv.tmp"
echo "target,point,hash,proto,key,size,side,instr_per_msg,bytes_out_per_msg" >"$dir/records.csv.tmp"
: >"$dir/space.txt"

t_start=$(date +%s)
failed=0
declare -A done_hash
for t in ${targets//,/ }; do
	# The shipped configs as they ship (Os, no LTO): a point with the same hash is one.
	declare -A shipped_hash=()
	for f in "$LIB_ROOT"/ports/config/ackbench_config_mcu*.h; do
		c=${f##*/ackbench_config_}
		c=${c%.h}
		prepare "$t" "config=$c"
		[ -n "$P_CHECK" ] || shipped_hash[$P_HASH]=$c
	done
	i=0
	for s in "${specs[@]}"; do
		i=$((i + 1))
		prepare "$t" "$s"
		printf '%s %s %s\n' "$t" "$P_HASH" "${s:-base}" >>"$dir/space.txt"
		if [ -n "${done_hash[$t/$P_HASH]:-}" ]; then
			say "[$i/${#specs[@]}] $t [${s:-base}]: the same config as [${done_hash[$t/$P_HASH]}]"
			continue
		fi
		done_hash[$t/$P_HASH]=${s:-base}
		mkdir -p "$P_DIR"
		exec 9>"$P_DIR/.lock"
		flock 9
		build "$t" "$s" || { failed=1; flock -u 9; continue; }
		P_RUN=""
		P_RUNOK=0
		if [ "$P_STATUS" = built ]; then
			run "$t"
			status=$([ "$P_RUNOK" -eq 1 ] && echo ok || echo failed)
			[ "$P_RUNOK" -eq 1 ] || failed=1
		else
			status=refused
		fi
		flock -u 9
		say "[$i/${#specs[@]}] $t [${s:-base}] $P_HASH: $status${P_REASON:+ ($P_REASON)}"
		{
			# A reason never holds a comma (a ';' instead): every field stays plain.
			printf '%s,%s,%s,%s,%s,%s' "$t" "${s:-base}" "$P_HASH" "$status" "${P_REASON//,/;}" \
				"${shipped_hash[$P_HASH]:-}"
			for a in $axes; do
				# The value the point's config really has (the base's when the point leaves
				# the axis alone): from the preprocessed config.
				case "$(kind "$a")" in
				opt) v=$(spec_get "$s" opt Os) ;;
				lto) v=$(spec_get "$s" lto 0) ;;
				config) v=$(spec_get "$s" config mcu) ;;
				*) v=$(awk -v m="MBEDTLS_$a" '$1 == "#define" && $2 == m { print (NF > 2 ? $3 : 1); f = 1 } END { if (!f) print 0 }' "$P_DIR/macros.txt") ;;
				esac
				printf ',%s' "$v"
			done
			fp=$P_RUN/footprint.csv
			if [ -n "$P_RUN" ] && [ -f "$fp" ]; then
				for item in flash ram_static text data bss; do
					printf ',%s' "$(awk -F, -v k="$item" '$1 == k { print $2 }' "$fp")"
				done
				for c in $comps; do
					printf ',%s' "$(awk -F, -v k="component_$c" '$1 == k { print $2 }' "$fp")"
				done
			else
				printf ',,,,,'
				for c in $comps; do printf ','; done
			fi
			if [ -n "$P_RUN" ] && [ -f "$P_RUN/mcu.json" ]; then
				jq -r '.summary | ",\(.handshakes),\(.failed),\(.negatives),\(.refused)"' "$P_RUN/mcu.json" | tr -d '\n'
			else
				printf ',,,,'
			fi
			printf ',%s,%s,%s\n' "$(cat "$P_DIR/build_s" 2>/dev/null || echo 0)" \
				"$(cat "$P_RUN/run_s" 2>/dev/null || echo 0)" "$P_DIR"
		} >>"$dir/points.csv.tmp"
		if [ -n "$P_RUN" ] && [ -f "$P_RUN/mcu.json" ]; then
			jq -r --arg t "$t" --arg p "${s:-base}" --arg h "$P_HASH" '.handshakes[] |
				[$t, $p, $h, .proto, .key, .kind, .side, .n, .ok, .instr, .instr_min, .instr_max,
				 .heap_peak, .stack_peak, .hs_bytes_out, .hs_bytes_in, .suite] | @csv' \
				"$P_RUN/mcu.json" | tr -d '"' >>"$dir/handshakes.csv.tmp"
			jq -r --arg t "$t" --arg p "${s:-base}" --arg h "$P_HASH" '.records[] |
				[$t, $p, $h, .proto, .key, .size, .side, .instr, .bytes_out] | @csv' \
				"$P_RUN/mcu.json" | tr -d '"' >>"$dir/records.csv.tmp"
		fi
	done
	unset shipped_hash
done
# The point names hold ';' and '=' but never a comma: they stay one CSV field.
for f in points handshakes records; do mv "$dir/$f.csv.tmp" "$dir/$f.csv"; done
printf 'sweep_seconds: %s\nload_end: %s\n' "$(($(date +%s) - t_start))" "$(lib_loadavg)" >>"$dir/env.txt"

# The analysis layer: fronts.csv, front.txt (TLS 1.3, P-256, client side), report.html.
if PYTHONPATH=$LIB_ROOT/scripts "${PYTHON:-/usr/bin/python3}" -m ackbench mcu-explore -q \
	"$dir" >"$dir/analysis.log" 2>&1; then
	[ "$quiet" -eq 1 ] || cat "$dir/front.txt"
else
	log "the analysis failed ($dir/analysis.log; scripts/deps.sh analysis): $(tail -n 1 "$dir/analysis.log")"
fi
say "done in $(($(date +%s) - t_start)) s, points:$(awk -F, 'NR > 1 { c[$4]++ }
	END { for (s in c) printf " %d %s", c[s], s }' "$dir/points.csv") -> $dir"
exit "$failed"
