#!/bin/sh
# stage.sh - the tree a board gets, put together in one local directory (deploy.sh and the
# fleet playbook send it as one tar stream).
set -eu

usage() {
	cat <<USAGE
Usage: $0 -o OUT [-C CERTDIR] BINDIR [STACK=BINDIR...]
Fills OUT (made if missing) with:
  OUT/bin/          the programs (*_client, *_server) of BINDIR
  OUT/bin-STACK/    those of each STACK=BINDIR (another TLS stack's build)
  OUT/certs/        ca.crt, server.crt/.key, client.crt/.key of CERTDIR (certs/)
  OUT/scripts/      run-all.sh, lib.sh and fleet-board.sh
  OUT/REVISION      the tree's git revision and BINDIR
Exit status: 0, 1 when a BINDIR holds no program, 2 usage error.
USAGE
}

script_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
out=""
certdir=$repo/certs
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts o:C:h opt; do
	case $opt in
	o) out=$OPTARG ;;
	C) certdir=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$out" ] || { echo "stage: -o OUT is required (see --help)" >&2; exit 2; }
[ $# -gt 0 ] || { echo "stage: name a BINDIR (see --help)" >&2; exit 2; }
for f in ca.crt server.crt server.key client.crt client.key; do
	[ -r "$certdir/$f" ] || { echo "stage: $certdir/$f missing (scripts/gen-certs.sh)" >&2; exit 2; }
done

mkdir -p "$out/certs" "$out/scripts"
first=""
for arg in "$@"; do
	case $arg in
	*=*) sub=bin-${arg%%=*} && src=${arg#*=} ;;
	*) sub=bin && src=$arg ;;
	esac
	[ -n "$first" ] || first=$src
	rm -rf "${out:?}/$sub"
	mkdir -p "$out/$sub"
	n=0
	for p in "$src"/*_client "$src"/*_server; do
		[ -x "$p" ] || continue
		cp -p "$p" "$out/$sub/"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || { echo "stage: no programs in $src" >&2; exit 1; }
done
for f in ca.crt server.crt server.key client.crt client.key; do
	cp -p "$certdir/$f" "$out/certs/"
done
chmod 600 "$out/certs/server.key" "$out/certs/client.key"
for f in run-all.sh lib.sh fleet-board.sh; do
	cp -p "$script_dir/$f" "$out/scripts/"
done
rev=$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)
printf 'revision=%s\nbindir=%s\n' "$rev" "$first" >"$out/REVISION"
