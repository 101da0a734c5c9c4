#!/bin/bash
# tsan.sh - data races under ThreadSanitizer, by hand (not part of make test: TSan slows the
# programs several times and needs its own build). Builds the programs with
# -fsanitize=thread into build/native-tsan (the Mbed TLS library stays the plain one: TSan
# sees our code's accesses and every pthread lock), runs test/load.sh's concurrent runs
# (servers' --max-conns, clients' --parallel, tcp/udp/tls/dtls) against them with the
# reports written to files, and prints each distinct report once: the top two frames of
# both accesses. Exit 0 when TSan reported nothing, 1 when it did, 2 on bad usage.
set -eu

usage() {
	cat <<USAGE
Usage: $0 [-o DIR] [-h]
  -o DIR   where TSan's reports and the test's output go (default: a new temporary directory)
Builds build/native-tsan (make BUILD=build/native-tsan CFLAGS='-O1 -g -fsanitize=thread'
LDFLAGS=-fsanitize=thread) and runs test/load.sh against it.
USAGE
}

case "${1:-}" in --help) usage; exit 0 ;; esac
out=""
while getopts "o:h" opt; do
	case "$opt" in
	o) out=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { echo "tsan.sh: unexpected argument '$1'" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
[ -n "$out" ] || out=$(mktemp -d /tmp/ackbench-tsan.XXXXXX)
mkdir -p "$out"
build=build/native-tsan

make -C "$root" -s -j2 BUILD="$build" CFLAGS='-O1 -g -fsanitize=thread' \
	LDFLAGS=-fsanitize=thread all "$build/test/badpeer" certs >"$out/make.log" 2>&1 || {
	tail -n 20 "$out/make.log" >&2
	echo "tsan.sh: the build failed: $out/make.log" >&2
	exit 1
}
rm -f "$out"/tsan.*
echo "tsan.sh: test/load.sh on $build/bin, reports in $out/tsan.*" >&2
rc=0
TSAN_OPTIONS="log_path=$out/tsan halt_on_error=0 history_size=4" \
	BADPEER="$root/$build/test/badpeer" bash "$root/test/load.sh" "$root/$build/bin" \
	>"$out/load.log" 2>&1 || rc=$?
tail -n 1 "$out/load.log" >&2
[ "$rc" -eq 0 ] || echo "tsan.sh: test/load.sh failed (exit $rc): $out/load.log" >&2

# One line per distinct report: its kind, then the top two frames of each stack.
found=0
for f in "$out"/tsan.*; do
	[ -e "$f" ] || continue
	awk '
		/^WARNING: ThreadSanitizer:/ { kind = $0; sub(/ \(pid=.*/, "", kind); blk = 0; key = kind; next }
		/^  [A-Z]/ && kind != "" { blk++; next }
		/^    #[01] / && kind != "" && blk <= 2 { sub(/^ +#[01] /, ""); sub(/ \(.*$/, ""); key = key " | " $0; next }
		/^SUMMARY: ThreadSanitizer/ && kind != "" { print key; kind = "" }
	' "$f"
done | sort | uniq -c | sort -rn >"$out/reports.txt"
found=$(wc -l <"$out/reports.txt")
if [ "$found" -eq 0 ]; then
	echo "tsan.sh: no ThreadSanitizer report"
	exit "$([ "$rc" -eq 0 ] && echo 0 || echo 1)"
fi
echo "tsan.sh: $found distinct ThreadSanitizer report(s) (count, kind | frames):"
cat "$out/reports.txt"
exit 1
