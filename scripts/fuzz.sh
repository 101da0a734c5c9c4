#!/bin/bash
# fuzz.sh - run the libFuzzer targets built by `make fuzzers`: replay each target's
# committed inputs, then fuzz it for a given time, and say what each run did.
set -eu

usage() {
	cat <<USAGE
Usage: $0 [-B DIR] [-t SECONDS] [-f] [-h] TARGET...
For each TARGET (msg, dtls_wire, tls_sniff, opts, server, client):
  1. replays test/fuzz/regress/TARGET/* (inputs that once failed) and the seed corpus
     test/fuzz/corpus/TARGET/* (recorded from real traffic, scripts/fuzz-corpus.sh);
  2. fuzzes for SECONDS, starting from the seeds, into the working corpus
     DIR/corpus/TARGET (kept between runs; with -f started afresh from the seeds).
A failing input is written to DIR/crash/TARGET/; reproduce it with
  DIR/bin/fuzz_TARGET FILE
and once fixed, keep it as test/fuzz/regress/TARGET/<what-it-was>.
Prints one line per target (runs, executions per second, coverage) and closes with
"N passed, M failed" (a target passes when its replay and its fuzzing found nothing).
  -B DIR      fuzz build directory (build/native-fuzz)
  -t SECONDS  fuzzing time per target (60); 0 = replay only
  -f          fresh working corpus (what make test uses: the same start every run)
Exit status: 0 nothing found, 1 a target failed, 2 usage error.
USAGE
}

root=$(cd "$(dirname "$0")/.." && pwd)
dir=$root/build/native-fuzz
secs=60
fresh=""
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts B:t:fh opt; do
	case "$opt" in
	B) dir=$OPTARG ;;
	t) secs=$OPTARG ;;
	f) fresh=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "$#" -gt 0 ] || { usage >&2; exit 2; }
case "$secs" in '' | *[!0-9]*) echo "fuzz: -t: '$secs' is not a number of seconds" >&2; exit 2 ;; esac

log=$(mktemp)
cleanup() { rm -f "$log"; }
trap cleanup EXIT

passed=0
failed=0
start=$(date +%s)
# -close_fd_mask=3: the server target prints its normal lines; libFuzzer keeps its own
# (and the sanitizers') reports on a copy of stderr.
common=(-close_fd_mask=3 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
for t in "$@"; do
	bin=$dir/bin/fuzz_$t
	if [ ! -x "$bin" ]; then
		echo "not ok - $t: no fuzzer $bin (make fuzzers)"
		failed=$((failed + 1))
		continue
	fi
	inputs=()
	for d in "$root/test/fuzz/regress/$t" "$root/test/fuzz/corpus/$t"; do
		[ -d "$d" ] && for f in "$d"/*; do [ -f "$f" ] && inputs+=("$f"); done
	done
	if [ "${#inputs[@]}" -gt 0 ] && ! "$bin" "${common[@]}" "${inputs[@]}" >"$log" 2>&1; then
		tail -n 30 "$log"
		echo "not ok - $t: a committed input fails ($(grep -m1 -o 'Running: .*' "$log" | tail -n 1))"
		failed=$((failed + 1))
		continue
	fi
	if [ "$secs" -eq 0 ]; then
		echo "ok - $t: ${#inputs[@]} committed inputs replayed"
		passed=$((passed + 1))
		continue
	fi
	work=$dir/corpus/$t
	crash=$dir/crash/$t
	[ -z "$fresh" ] || rm -rf "$work"
	mkdir -p "$work" "$crash"
	seeds=()
	[ -d "$root/test/fuzz/corpus/$t" ] && seeds+=("$root/test/fuzz/corpus/$t")
	rc=0
	"$bin" "${common[@]}" -max_total_time="$secs" -artifact_prefix="$crash/" \
		"$work" "${seeds[@]}" >"$log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	seed=$(sed -n 's/^INFO: Seed: //p' "$log")
	if [ "$rc" -ne 0 ]; then
		grep -E 'ERROR|property failed|SUMMARY|artifact|Test unit written' "$log" | head -n 8
		echo "not ok - $t: failed after ${runs:-?} runs (seed ${seed:-?}), input in $crash/"
		failed=$((failed + 1))
	else
		echo "ok - $t: ${runs:-?} runs in $secs s, ${speed:-?} exec/s, ${cov:-cov: ?}," \
			"corpus $(find "$work" -type f | wc -l) inputs"
		passed=$((passed + 1))
	fi
done
echo "# fuzzing took $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
