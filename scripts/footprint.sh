#!/bin/bash
# footprint.sh - text/data/bss of each program of each built target and config, as markdown.
set -eu

usage() {
	cat <<USAGE
Usage: $0 [-b] [-t TARGETS] [-c CONFIGS] [-p PROGRAMS]
Prints two markdown tables: size(1) of every program in build/<target>[-<config>][-static]/bin
(with the target's own binutils), and of the Mbed TLS libraries each build linked.
Builds that are not there are left out (listed on stderr).
  -b          build the missing ones first (make TARGET=.. CONFIG=.. [STATIC=1])
  -t TARGETS  comma list (default: every ports/targets/*.mk)
  -c CONFIGS  comma list (default: every ports/config/ackbench_config_*.h)
  -p PROGRAMS comma list of programs (default: all), e.g. tcp_client,tls_client
Sizes are bytes. "static" builds include libc; "dynamic" ones only the program and
Mbed TLS (linked statically in both). Bare-metal targets (cortex-m4, cortex-m33) give one
row per bare-metal config (mcu*): their image, client and server in one, whose bss also
holds the benchmark's own .noinit buffers (scripts/mcu.sh splits them out). Library rows are whole archives, before the
linker's --gc-sections drops what a program does not use.
USAGE
}

root=$(cd "$(dirname "$0")/.." && pwd)
build=0
targets=""
configs=""
progs=""
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts bt:c:p:h opt; do
	case "$opt" in
	b) build=1 ;;
	t) targets=${OPTARG//,/ } ;;
	c) configs=${OPTARG//,/ } ;;
	p) progs=,$OPTARG, ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { usage >&2; exit 2; }

if [ -z "$targets" ]; then
	for f in "$root"/ports/targets/*.mk; do targets="$targets $(basename "$f" .mk)"; done
fi
if [ -z "$configs" ]; then
	for f in "$root"/ports/config/ackbench_config_*.h; do
		f=$(basename "$f" .h)
		configs="$configs ${f#ackbench_config_}"
	done
fi

# A make variable of a target, as the Makefile sees it (not our caller's make flags).
mkvar() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
		make -s --no-print-directory -C "$root" "$@"
}

prog_rows=$(mktemp)
lib_rows=$(mktemp)
cleanup() { rm -f "$prog_rows" "$lib_rows"; }
trap cleanup EXIT

for t in $targets; do
	[ -f "$root/ports/targets/$t.mk" ] || { echo "footprint: no target '$t'" >&2; exit 2; }
	size=$(mkvar TARGET="$t" print-SIZE)
	size=${size:-size}
	mcu=$(mkvar TARGET="$t" print-MCU_MACHINE)
	for c in $configs; do
		# Bare-metal configs (mcu*) go with bare-metal targets (MCU_MACHINE) only, and the
		# other way round; a bare-metal build is one static image (mk/mcu.mk).
		case "$c" in mcu | mcu-*) [ -n "$mcu" ] || continue ;; *) [ -z "$mcu" ] || continue ;; esac
		for link in dynamic static; do
			st=""
			[ "$link" = static ] && st=1
			[ -z "$mcu" ] || [ "$link" = static ] || continue
			if [ -n "$mcu" ]; then
				dir=$root/$(mkvar TARGET="$t" CONFIG="$c" print-BUILD)
				img=$dir/mcu/ackbench-mcu.elf
				if [ "$build" -eq 1 ] && [ ! -f "$img" ]; then
					echo "footprint: building $t $c" >&2
					mkvar TARGET="$t" CONFIG="$c" -j2 all >&2
				fi
				if [ ! -f "$img" ] || ! command -v "$size" >/dev/null 2>&1; then
					echo "footprint: not built: $t $c ($img; scripts/deps.sh mcu)" >&2
					continue
				fi
				"$size" -B "$img" | awk -v t="$t" -v c="$c" \
					'NR == 2 { printf "| %s | %s | bare metal | ackbench-mcu.elf | %d | %d | %d | %d |\n", t, c, $1, $2, $3, $4 }' \
					>>"$prog_rows"
				continue
			fi
			dir=$root/$(mkvar TARGET="$t" CONFIG="$c" ${st:+STATIC=1} print-BUILD)
			if [ "$build" -eq 1 ] && [ ! -d "$dir/bin" ]; then
				echo "footprint: building $t $c $link" >&2
				mkvar TARGET="$t" CONFIG="$c" ${st:+STATIC=1} -j2 all >&2
			fi
			if [ ! -d "$dir/bin" ]; then
				echo "footprint: not built: $t $c $link ($dir)" >&2
				continue
			fi
			if ! command -v "$size" >/dev/null 2>&1; then
				echo "footprint: $size missing (scripts/deps.sh cross); $t skipped" >&2
				continue
			fi
			for b in "$dir"/bin/*; do
				[ -x "$b" ] || continue
				[ -z "$progs" ] || [ "${progs#*,"$(basename "$b")",}" != "$progs" ] || continue
				"$size" -B "$b" | awk -v t="$t" -v c="$c" -v l="$link" -v p="$(basename "$b")" \
					'NR == 2 { printf "| %s | %s | %s | %s | %d | %d | %d | %d |\n", t, c, l, p, $1, $2, $3, $4 }' \
					>>"$prog_rows"
			done
			[ "$link" = dynamic ] || continue
			libs=()
			for l in mbedcrypto mbedx509 mbedtls; do
				libs+=("$dir/mbedtls/library/lib$l.a")
			done
			"$size" -B -t "${libs[@]}" 2>/dev/null | awk -v t="$t" -v c="$c" \
				'/\(TOTALS\)/ { printf "| %s | %s | %d | %d | %d | %d |\n", t, c, $1, $2, $3, $4 }' \
				>>"$lib_rows"
		done
	done
done

echo "Programs (bytes; size -B of each binary):"
echo
echo "| target | config | link | program | text | data | bss | total |"
echo "| --- | --- | --- | --- | ---: | ---: | ---: | ---: |"
cat "$prog_rows"
echo
echo "Mbed TLS 3.6.6 libraries (bytes; libmbedcrypto + libmbedx509 + libmbedtls, whole archives):"
echo
echo "| target | config | text | data | bss | total |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
cat "$lib_rows"
