#!/bin/bash
# install.sh - install one build's programs, the scripts a board needs, manual pages and
# docs under PREFIX, staged below DESTDIR (what `make install` runs; Buildroot and Yocto call
# it with DESTDIR set to their staging or target directory).
set -eu

usage() {
	cat <<USAGE
Usage: $0 -B BINDIR [-p PREFIX] [-d DESTDIR] [-r RUNNER]
Installs (every path below DESTDIR):
  PREFIX/bin/                        the programs of BINDIR (tcp_client ... dtls_server)
  PREFIX/share/ackbench/scripts/     run-all.sh, lib.sh, gen-certs.sh, compare.sh (what a
                                     board runs: run-all.sh -s / -c), with bin -> ../../bin
                                     beside them so that run-all.sh finds the programs, and
                                     ackbench/ (compare.sh's Python analysis)
  PREFIX/share/man/man1/PROG.1       each program's --help as a manual page
  PREFIX/share/doc/ackbench/         README.md, docs/*.md and the READMEs beside the code
                                     (ports/, src/stack/, certs/), at their paths in the
                                     tree so that the links between them work
  -B BINDIR   the build's programs (make: build/<target>.../bin)
  -p PREFIX   installation prefix (/usr/local)
  -d DESTDIR  staging root, prepended to every path (empty: install in place)
  -r RUNNER   command that runs BINDIR's programs here to read their --help (a cross build:
              its qemu-user line); the manual pages are skipped, saying so, when they
              cannot run
Exit status: 0 installed, 1 a copy failed, 2 usage error.
USAGE
}

bindir=""
prefix=/usr/local
destdir=""
runner=""
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts B:p:d:r:h opt; do
	case "$opt" in
	B) bindir=$OPTARG ;;
	p) prefix=$OPTARG ;;
	d) destdir=$OPTARG ;;
	r) runner=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
die() { echo "install: $*" >&2; exit 2; }
[ $# -eq 0 ] || die "unexpected argument '$1' (see --help)"
if [ -z "$bindir" ] || [ ! -d "$bindir" ]; then
	die "-B: '$bindir' is not a directory of programs"
fi
case "$prefix" in /*) ;; *) die "-p: '$prefix' is not an absolute path" ;; esac
src=$(cd "$(dirname "$0")/.." && pwd)

progs=()
for p in tcp udp tls dtls; do
	for side in client server; do
		[ ! -x "$bindir/${p}_$side" ] || progs+=("${p}_$side")
	done
done
[ ${#progs[@]} -gt 0 ] || die "-B: no program in $bindir (build first: make)"

root=$destdir$prefix
share=$root/share/ackbench
install -d "$root/bin" "$share/scripts" "$root/share/man/man1" "$root/share/doc/ackbench"
for p in "${progs[@]}"; do
	install -m 0755 "$bindir/$p" "$root/bin/$p"
done
for s in run-all.sh lib.sh gen-certs.sh compare.sh; do
	install -m 0755 "$src/scripts/$s" "$share/scripts/$s"
done
# compare.sh's analysis (Python; a board without Python runs the rest)
install -d "$share/scripts/ackbench"
install -m 0644 "$src"/scripts/ackbench/*.py "$share/scripts/ackbench/"
ln -sfn ../../bin "$share/bin"
docs=(README.md)
for d in "$src"/docs/*.md; do docs+=("docs/${d##*/}"); done
docs+=(ports/README.md src/stack/README.md certs/README.md)
for d in "${docs[@]}"; do
	install -D -m 0644 "$src/$d" "$root/share/doc/ackbench/$d"
done

# man_page PROG: --help as a manual page (the text kept as it is, in a no-fill block).
man_page() {
	local p=$1 help version
	# shellcheck disable=SC2086 # the runner is a command line
	help=$($runner "$bindir/$p" --help 2>/dev/null) || return 1
	# shellcheck disable=SC2086
	version=$($runner "$bindir/$p" --version 2>/dev/null | head -n 1) || return 1
	{
		printf '.TH %s 1 "" "%s" "ackbench"\n' "$(echo "$p" | tr '[:lower:]' '[:upper:]')" \
			"$version"
		printf '.SH NAME\n%s \\- ackbench %s %s\n' "$p" "${p%_*}" "${p#*_}"
		printf '.SH DESCRIPTION\n.nf\n'
		printf '%s\n' "$help" | sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/"
		printf '.fi\n.SH SEE ALSO\n%s/share/doc/ackbench/docs/programs.md\n' "$prefix"
	} >"$root/share/man/man1/$p.1"
}
manned=0
for p in "${progs[@]}"; do
	if man_page "$p"; then
		manned=$((manned + 1))
	else
		rm -f "$root/share/man/man1/$p.1"
	fi
done
[ "$manned" -gt 0 ] ||
	echo "install: manual pages skipped: the programs do not run here (give -r RUNNER)" >&2
echo "install: ${#progs[@]} programs, 4 scripts, $manned manual pages, ${#docs[@]} docs under $root"
