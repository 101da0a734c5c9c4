#!/usr/bin/env bash
# heap.sh - Mbed TLS heap per TLS and per DTLS connection, client and server, as the
# programs report it with --mem (src/mem.c: a counting allocator installed with
# mbedtls_platform_set_calloc_free): the peak during a connection minus the baseline after
# config, certificates and keys are loaded. Short loopback runs, mutual authentication
# with a fresh P-256 certificate set, per build (target x config). Prints a markdown table
# and whether the small config meets its target. A measurement, not a test: the target is
# reported, never turned into a failure.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

TARGET_BYTES=32768 # small config: <= 32 KiB per connection, mutual auth P-256 (issue 6)

usage() {
	cat <<USAGE
Usage: $0 [-t TARGETS] [-c CONFIGS | -B BINDIR [-r RUNNER]] [-k TYPE] [-n COUNT] [-s SIZES]
          [-d DIR]
  -t TARGETS  comma list of ports/targets (default: native); a cross target runs under
              its qemu-user (QEMU in its .mk) and needs a build made after --mem existed
  -c CONFIGS  comma list (default: every ports/config/ackbench_config_*.h)
  -B BINDIR   measure the programs in BINDIR only (target and config as their header
              says), run under RUNNER, e.g. "qemu-arm -L /usr/arm-linux-gnueabihf"
  -k TYPE     certificate key type for gen-certs.sh (default: ec256; the target is
              stated for ec256 only)
  -n COUNT    connections per size (default: 5, after 1 warm-up)
  -s SIZES    message sizes (default: 64,1K; DTLS carries at most 1363 at MTU 1400)
  -d DIR      keep the raw outputs there (default: a temporary directory, removed)
  -h          this text
Builds are build/<target>[-<config>] (make TARGET=.. CONFIG=..); missing ones are left
out with a line on stderr. Figures are bytes Mbed TLS asked for (its own blocks, PSA's
included), without the C library's per-block overhead.
Exit status: 0 when every run gave its figures (target met or not), 1 when one failed,
2 usage error.
USAGE
}

targets=native
configs=""
keytype=ec256
count=5
sizes=64,1K
keep=""
bindir=""
runner=""
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts t:c:B:r:k:n:s:d:h opt; do
	case "$opt" in
	t) targets=${OPTARG//,/ } ;;
	c) configs=${OPTARG//,/ } ;;
	k) keytype=$OPTARG ;;
	n) count=$OPTARG ;;
	s) sizes=$OPTARG ;;
	d) keep=$OPTARG ;;
	B) bindir=$OPTARG ;;
	r) runner=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { usage >&2; exit 2; }
lib_is_count "$count" || { log "-n: '$count' is not a count"; exit 2; }
if [ -z "$configs" ]; then
	for f in "$LIB_ROOT"/ports/config/ackbench_config_*.h; do
		f=$(basename "$f" .h)
		configs="$configs ${f#ackbench_config_}"
	done
fi

if [ -n "$keep" ]; then
	mkdir -p "$keep"
	work=$(cd "$keep" && pwd)
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/ackbench-heap.XXXXXX")
fi
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	lib_cleanup
	[ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT

# A make variable of a target, as the Makefile sees it (not our caller's make flags).
mkvar() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$LIB_ROOT" "$@"
}

certs=$work/certs
"$LIB_ROOT/scripts/gen-certs.sh" -t "$keytype" -o "$certs" >"$work/gen-certs.log" 2>&1 ||
	die "gen-certs.sh -t $keytype failed: $(tail -n 3 "$work/gen-certs.log")"

# p50 and max (nearest rank) of the numbers on stdin: "P50 MAX", or "- -" when none.
p50_max() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- -"; exit }
		r = int((NR + 1) / 2); print v[r], v[NR] }'
}

# one RUNNER DIR PROTO VERSION NAME: server and client of DIR under RUNNER, both with
# --mem. Appends a table row (target and config from the client's "# build:" line);
# returns 1 when a run failed.
one() {
	local run=$1 dir=$2 proto=$3 v=$4 name=$5 out=$work/$5 tls=() srv c_p50 c_max s_p50 s_max
	local base_c base_s t c met=- creds=(--ca "$certs/ca.crt")
	[ "$proto" = tls ] && tls=(--tls "$v")
	# shellcheck disable=SC2086 # the runner (a qemu command line) is split on purpose
	if ! lib_server_start "$out.srv.log" $run "$dir/${proto}_server" -p 0 -b 127.0.0.1 \
		--mem -q --timeout 5000 -o "$out.srv.csv" "${creds[@]}" \
		--cert "$certs/server.crt" --key "$certs/server.key"; then
		return 1
	fi
	srv=$LIB_SERVER_PID
	# shellcheck disable=SC2086
	if ! $run "$dir/${proto}_client" -p "$LIB_SERVER_PORT" --mem -s "$sizes" -n "$count" \
		-w 1 "${tls[@]}" "${creds[@]}" --cert "$certs/client.crt" \
		--key "$certs/client.key" -o "$out.cli.csv" >"$out.cli.out" 2>"$out.cli.err" \
		</dev/null; then
		log "$name: client failed: $(tail -n 2 "$out.cli.err")"
		lib_server_stop "$srv" 0 || true
		return 1
	fi
	lib_server_stop "$srv" 20 || log "$name: server had to be stopped"
	t=$(sed -n 's/^# build: .* target=\([^ ]*\).*/\1/p' "$out.cli.out")
	c=$(sed -n 's/^# build: .* config=\([^ ]*\).*/\1/p' "$out.cli.out")
	read -r c_p50 c_max < <(sed -n 's/^# heap: per connection peak p50=\([0-9]*\) max=\([0-9]*\) .*/\1 \2/p' "$out.cli.out")
	base_c=$(sed -n 's/^# heap: .* baseline \([0-9]*\) bytes.*/\1/p' "$out.cli.out")
	base_s=$(sed -n 's/^heap conn_peak_max=[0-9]* baseline=\([0-9]*\)$/\1/p' "$out.srv.log")
	# the server's connections that carried messages (not END's own): column 4 = messages,
	# 11 = heap_peak_bytes (then tls/dtls's auth)
	read -r s_p50 s_max < <(awk -F, '$1 == "conn" && $4 > 0 && $10 == 0 { print $11 }' \
		"$out.srv.csv" | p50_max)
	if [ -z "${c_max:-}" ] || [ -z "$base_s" ] || [ "$s_max" = - ]; then
		log "$name: no heap figures (a build from before --mem?)"
		return 1
	fi
	if [ "$c" = small ] && [ "$keytype" = ec256 ]; then
		met=yes
		[ "$c_max" -le "$TARGET_BYTES" ] && [ "$s_max" -le "$TARGET_BYTES" ] || met=NO
	fi
	printf '| %s | %s | %s | %s | %s / %s | %s / %s | %s / %s | %s |\n' "$t" "$c" "$proto" \
		"$v" "$c_p50" "$c_max" "$s_p50" "$s_max" "$base_c" "$base_s" "$met" >>"$work/rows"
}

# measure RUNNER DIR LABEL: tls 1.2, tls 1.3 and dtls of one build.
measure() {
	local pv p
	if [ ! -x "$2/tls_client" ]; then
		log "not built: $3 ($2)"
		return 0
	fi
	# shellcheck disable=SC2086 # the runner (a qemu command line) is split on purpose
	if ! $1 "$2/tls_client" --help 2>/dev/null | grep -q -- '--mem'; then
		log "$3: built before --mem existed, rebuild it ($2)"
		failed=1
		return 0
	fi
	for pv in tls:1.2 tls:1.3 dtls:1.2; do
		p=${pv%%:*}
		[ -x "$2/${p}_client" ] || { log "$3: no ${p}_client"; continue; }
		one "$1" "$2" "$p" "${pv#*:}" "$3-${pv/:/-}" || failed=1
	done
}

: >"$work/rows"
failed=0
if [ -n "$bindir" ]; then
	[ -d "$bindir" ] || { log "-B: no directory '$bindir'"; exit 2; }
	measure "$runner" "$(cd "$bindir" && pwd)" "$(basename "$(dirname "$bindir")")"
	targets=""
fi
for t in $targets; do
	[ -f "$LIB_ROOT/ports/targets/$t.mk" ] || { log "no target '$t'"; exit 2; }
	run=$(mkvar TARGET="$t" print-QEMU)
	for c in $configs; do
		measure "$run" "$LIB_ROOT/$(mkvar TARGET="$t" CONFIG="$c" print-BUILD)/bin" "$t-$c"
	done
done

echo "Mbed TLS heap per connection (bytes; peak during the connection minus the baseline"
echo "after set-up; mutual auth, $keytype certificates, sizes $sizes, $count connections"
echo "per size; p50 / max over connections; server: those that carried messages):"
echo
echo "| target | config | proto | version | client peak p50 / max | server peak p50 / max | baseline client / server | small: <= $TARGET_BYTES |"
echo "| --- | --- | --- | --- | ---: | ---: | ---: | :---: |"
cat "$work/rows"
if grep -q '| NO |$' "$work/rows"; then
	echo
	echo "target: small config <= $TARGET_BYTES bytes per connection: NOT met (rows marked NO)"
elif grep -q '| yes |$' "$work/rows"; then
	echo
	echo "target: small config <= $TARGET_BYTES bytes per connection: met"
fi
exit "$failed"
