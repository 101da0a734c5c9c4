#!/bin/bash
# build.sh - build every program for the native machine and for each named cross target.
set -eu -o pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$script_dir/.." && pwd)

usage() {
	cat <<USAGE
Usage: $(basename "$0") [-t TARGET]... [-c CONFIG] [-j N] [-n] [-l] [-q]
Builds Mbed TLS and the programs for the native machine, then for each -t TARGET
(make TARGET=x CONFIG=y), and prints one line per target:
  ok TARGET: DIR/bin (N programs)     or     FAILED TARGET: reason
  -t TARGET  also build this cross target (ports/targets/TARGET.mk); 'all' = every one;
             repeat for several. Native is always built first.
  -c CONFIG  Mbed TLS configuration: ports/config/ackbench_config_CONFIG.h (full)
  -j N       parallel make jobs (number of CPUs)
  -n         print the make commands, do not run them
  -l         list the targets and configurations, then exit
  -q         no make output (it goes to build/TARGET.../build-TARGET.log)
Exit status: 0 all built, 1 some target failed, 2 usage error.
USAGE
}

die() {
	echo "build: $*" >&2
	exit 2
}

list_names() { # list_names DIR PREFIX: the NAME of every DIR/PREFIXNAME.{mk,h}
	local f n
	for f in "$1"/"$2"*; do
		[ -e "$f" ] || continue
		n=${f##*/}
		n=${n#"$2"}
		printf '%s\n' "${n%.*}"
	done
}

case "${1:-}" in --help) usage; exit 0 ;; esac
targets=(native)
config=full
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
dry=0
quiet=0
while getopts 't:c:j:nlqh' opt; do
	case $opt in
	t)
		if [ "$OPTARG" = all ]; then
			mapfile -t all < <(list_names "$repo/ports/targets" "")
			targets+=("${all[@]}")
		else
			targets+=("$OPTARG")
		fi
		;;
	c) config=$OPTARG ;;
	j) jobs=$OPTARG ;;
	n) dry=1 ;;
	l)
		echo "targets: $(list_names "$repo/ports/targets" "" | tr '\n' ' ')"
		echo "configs: $(list_names "$repo/ports/config" ackbench_config_ | tr '\n' ' ')"
		exit 0
		;;
	q) quiet=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || die "unexpected argument '$1' (see --help)"
[[ $jobs =~ ^[1-9][0-9]{0,2}$ ]] || die "-j: '$jobs' is not a number of jobs"
[ -f "$repo/ports/config/ackbench_config_$config.h" ] ||
	die "-c: no configuration '$config' (ports/config/ackbench_config_$config.h; see -l)"

# Each target once, in the order given (native first).
uniq=()
for t in "${targets[@]}"; do
	[ -f "$repo/ports/targets/$t.mk" ] || die "-t: no target '$t' (ports/targets/$t.mk; see -l)"
	case " ${uniq[*]} " in *" $t "*) ;; *) uniq+=("$t") ;; esac
done

failed=0
for t in "${uniq[@]}"; do
	dir=build/$t
	[ "$config" = full ] || dir=$dir-$config
	cmd=(make -C "$repo" -j "$jobs" "TARGET=$t" "CONFIG=$config" all)
	if [ "$dry" = 1 ]; then
		echo "${cmd[*]}"
		continue
	fi
	log=$repo/$dir/build-$t.log
	mkdir -p "$repo/$dir"
	if [ "$quiet" = 1 ]; then
		"${cmd[@]}" >"$log" 2>&1 && rc=0 || rc=$?
	else
		"${cmd[@]}" 2>&1 | tee "$log" && rc=0 || rc=$?
	fi
	if [ "$rc" != 0 ]; then
		echo "FAILED $t: make exited $rc, see $dir/build-$t.log"
		failed=1
		continue
	fi
	n=0
	for p in "$repo/$dir"/bin/*_client "$repo/$dir"/bin/*_server; do
		[ -x "$p" ] && n=$((n + 1))
	done
	echo "ok $t: $dir/bin ($n programs)"
done
exit "$failed"
