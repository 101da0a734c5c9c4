#!/bin/sh
# fleet-build.sh - the fleet playbook's build step, on the controller: builds what is
# missing of the programs for one board architecture (make is incremental) for each stack,
# and stages the tree the boards of that architecture get (scripts/stage.sh).
set -eu

usage() {
	cat <<USAGE
Usage: $0 -a ARCH -o STAGE -C CERTDIR [-s STACKS] [-l LOGDIR] [-j N]
  -a ARCH     aarch64, armhf, riscv64 or x86_64: TARGET=native when it is this machine's,
              else ports/targets/ARCH.mk
  -o STAGE    the tree to fill: STAGE/bin-STACK/ per stack, certs/, scripts/
  -C CERTDIR  the fleet's certificates
  -s STACKS   comma list (mbedtls)
  -l LOGDIR   make's output goes to LOGDIR/build-ARCH-STACK.log (.)
  -j N        make -j N (2)
Prints the staged directory; on failure one line saying which build failed (exit 1).
USAGE
}

script_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
arch=""
stage=""
certdir=""
stacks=mbedtls
logdir=.
jobs=2
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts a:o:C:s:l:j:h opt; do
	case $opt in
	a) arch=$OPTARG ;;
	o) stage=$OPTARG ;;
	C) certdir=$OPTARG ;;
	s) stacks=$OPTARG ;;
	l) logdir=$OPTARG ;;
	j) jobs=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
if [ -z "$arch" ] || [ -z "$stage" ] || [ -z "$certdir" ]; then usage >&2; exit 2; fi

here=$(uname -m)
case $here in arm64) here=aarch64 ;; armv6* | armv7* | armv8l) here=armhf ;; esac
if [ "$arch" = "$here" ]; then
	target=native
elif [ -f "$repo/ports/targets/$arch.mk" ]; then
	target=$arch
else
	echo "fleet-build: no build target for $arch (ports/targets/$arch.mk)" >&2
	exit 1
fi
# mk ARGS...: the tree's make, without the caller's make flags (as test/lib.sh's make_var)
mk() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u SAN -u STATIC -u CONFIG -u TARGET -u STACK \
		make --no-print-directory -C "$repo" "$@"
}
set --
for s in $(echo "$stacks" | tr , ' '); do
	log=$logdir/build-$arch-$s.log
	if ! mk -j "$jobs" TARGET="$target" STACK="$s" all >"$log" 2>&1; then
		echo "fleet-build: make TARGET=$target STACK=$s failed: $(tail -n 1 "$log") (see $log)" >&2
		exit 1
	fi
	set -- "$@" "$s=$repo/$(mk -s TARGET="$target" STACK="$s" print-BUILD)/bin"
done
"$script_dir/stage.sh" -o "$stage" -C "$certdir" "$@" >&2 || exit 1
echo "$stage"
