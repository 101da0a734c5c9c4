#!/bin/bash
# clean.sh - remove build outputs, results and generated certificates.
set -eu

script_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$script_dir/.." && pwd)

usage() {
	cat <<USAGE
Usage: $(basename "$0") [-k] [-n]
Removes what the build and the runs produced in $repo:
  build/*/   every target's objects, Mbed TLS build and programs
             (build/cache, the downloaded Mbed TLS release, is kept)
  results/   run directories
  certs/     the generated keys and certificates (certs/README.md and the
             other tracked files stay)
  -k  keep the certificates
  -n  only print what would be removed
USAGE
}

case "${1:-}" in --help) usage; exit 0 ;; esac
keep_certs=0
dry=0
while getopts 'knh' opt; do
	case $opt in
	k) keep_certs=1 ;;
	n) dry=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { echo "clean: unexpected argument '$1' (see --help)" >&2; exit 2; }

victims=()
for d in "$repo"/build/*/; do
	d=${d%/}
	[ -d "$d" ] && [ "${d##*/}" != cache ] && victims+=("$d")
done
[ -e "$repo/results" ] && victims+=("$repo/results")
if [ "$keep_certs" = 0 ]; then
	# Exactly what scripts/gen-certs.sh writes (and its interrupted staging dirs).
	for f in "$repo"/certs/*.crt "$repo"/certs/*.key "$repo/certs/certs.info" \
		"$repo/certs/bad" "$repo"/certs/.gen-certs.*; do
		[ -e "$f" ] && victims+=("$f")
	done
fi

for v in "${victims[@]+"${victims[@]}"}"; do
	if [ "$dry" = 1 ]; then
		echo "would remove ${v#"$repo"/}"
	else
		echo "removing ${v#"$repo"/}"
		rm -rf -- "$v"
	fi
done
[ ${#victims[@]} -gt 0 ] || echo "nothing to remove"
