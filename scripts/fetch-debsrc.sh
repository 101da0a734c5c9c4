#!/bin/bash
# fetch-debsrc.sh - make a Debian source package's tree available (upstream tarball plus,
# with -P, Debian's patches) and print its absolute path (the only line on stdout).
# Used by scripts/fetch-openssl.sh and scripts/fetch-wolfssl.sh.
#
# The package comes through private apt lists (the system's apt configuration is not
# changed): apt checks the downloaded files against the signed Release and Sources files;
# this script checks the orig tarball's sha256 against Sources again and records it.
#
# Packages used (Debian): apt (apt-get source --download-only, no dpkg-dev needed), tar,
# gzip, xz-utils, patch, coreutils (sha256sum), util-linux (flock).
set -eu

readonly PROG=fetch-debsrc
readonly MIRROR=http://deb.debian.org/debian
readonly SECURITY=http://deb.debian.org/debian-security

usage() {
    cat <<EOF
Usage: $0 -p PACKAGE -s 'SUITE...' -v GLOB [-s 'SUITE...'] [-P] [-d CACHE_DIR] [-h|--help]

Print the path of an extracted tree of Debian source package PACKAGE whose upstream
version matches GLOB (a shell pattern, e.g. '3.5.*'), fetching it if needed.

  -p PACKAGE    the source package (openssl, wolfssl)
  -s 'SUITES'   Debian suites to ask together (apt takes the newest version they serve);
                repeat -s for fallbacks tried in order when the newest does not match GLOB
                (a SUITE ending in -security is asked at $SECURITY)
  -v GLOB       the upstream versions accepted (shell patterns separated by spaces)
  -P            apply Debian's patches (debian/patches/series)
  -d CACHE_DIR  where trees and source files are kept
                (default: \$ACKBENCH_CACHE if set, else <repo>/build/cache)

The tree is CACHE_DIR/PACKAGE-<Debian version>/; its file .ackbench-source and
CACHE_DIR/PACKAGE.source record "version=<upstream> debian=<Debian version>
suite=<suites> sha256=<orig tarball sha256>". A complete tree already in CACHE_DIR whose
version matches GLOB is used without asking the network (the newest one wins).
EOF
}

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { say "$*"; exit 1; }

TMP_DIRS=()
# shellcheck disable=SC2317  # only invoked through the EXIT trap
cleanup() {
    local d
    for d in "${TMP_DIRS[@]+"${TMP_DIRS[@]}"}"; do
        if [ -n "$d" ]; then rm -rf -- "$d"; fi
    done
}
trap cleanup EXIT

need_cmd() { # need_cmd COMMAND DEBIAN_PACKAGE
    command -v "$1" >/dev/null 2>&1 || die "'$1' not found; install the Debian package '$2'"
}

pkg=
glob=
patches=0
suites=()
cache=${ACKBENCH_CACHE:-}
while getopts ":p:s:v:d:Ph-:" opt; do
    case "$opt" in
    p) pkg=$OPTARG ;;
    s) suites+=("$OPTARG") ;;
    v) glob=$OPTARG ;;
    P) patches=1 ;;
    d) cache=$OPTARG ;;
    h) usage; exit 0 ;;
    -) [ "$OPTARG" = help ] && { usage; exit 0; }; die "unknown option --$OPTARG (see --help)" ;;
    :) die "-$OPTARG needs a value (see --help)" ;;
    *) die "unknown option -$OPTARG (see --help)" ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || die "unexpected argument '$1' (see --help)"
if [ -z "$pkg" ] || [ -z "$glob" ] || [ ${#suites[@]} -eq 0 ]; then die "-p, -s and -v are required (see --help)"; fi
case "$pkg" in *[!a-z0-9.+-]*) die "bad package name '$pkg'" ;; esac
if [ -z "$cache" ]; then
    cache="$(cd "$(dirname "$0")/.." && pwd)/build/cache"
fi
mkdir -p "$cache"
cache=$(cd "$cache" && pwd -P)

# Serialise concurrent runs on the same cache and package.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$cache/.fetch-$pkg.lock"
    flock 9
fi

# upstream version of Debian version $1: drop the epoch and the Debian revision
upstream() { local v=${1#*:}; printf '%s\n' "${v%-*}"; }
matches() { # VERSION: does it match GLOB (patterns separated by spaces)?
    local g
    set -f
    for g in $glob; do
        # shellcheck disable=SC2254  # GLOB is a pattern on purpose
        case "$1" in $g) set +f; return 0 ;; esac
    done
    set +f
    return 1
}

# A complete tree: our marker (written last) and a matching version; the newest wins.
best=
for t in "$cache/$pkg"-[0-9]*/; do
    t=${t%/}
    [ -f "$t/.ackbench-source" ] || continue
    v=$(sed -n 's/^version=\([^ ]*\) .*/\1/p' "$t/.ackbench-source")
    matches "$v" || continue
    best=$(printf '%s\n%s\n' "$best" "$t" | sed '/^$/d' | sort -V | tail -n 1)
done
if [ -n "$best" ]; then
    cp -f "$best/.ackbench-source" "$cache/$pkg.source"
    printf '%s\n' "$best"
    exit 0
fi

need_cmd apt-get apt
need_cmd tar tar
need_cmd xz xz-utils
need_cmd sha256sum coreutils
[ "$patches" = 0 ] || need_cmd patch patch

work=$(mktemp -d "$cache/.fetch-$pkg.XXXXXX")
TMP_DIRS+=("$work")
chmod 755 "$work"
kr=/usr/share/keyrings/debian-archive-keyring.gpg

# try_suites 'SUITES': download the newest PACKAGE those suites serve into $work/dl if its
# version matches GLOB. Sets DSC, ORIG, SHA, SUITE.
DSC='' ORIG='' SHA='' SUITE='' ORIG_ONLY=0
try_suites() {
    local s d
    ORIG=
    d=$(mktemp -d "$work/s.XXXXXX")
    mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/parts" "$d/dl"
    for s in $1; do
        case "$s" in
        *-security) echo "deb-src [signed-by=$kr] $SECURITY $s main" ;;
        *) echo "deb-src [signed-by=$kr] $MIRROR $s main" ;;
        esac
    done >"$d/sources.list"
    # apt drops to the _apt user for downloads when run as root: let it in.
    if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
        chown _apt "$d/dl" "$d/lists/partial" "$d/cache/archives/partial"
    fi
    chmod 755 "$d"
    local opts=(-o "Dir::Etc::sourcelist=$d/sources.list" -o "Dir::Etc::sourceparts=$d/parts"
        -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache")
    say "asking Debian $1 for source package $pkg"
    if ! apt-get -q "${opts[@]}" update >"$d/apt.log" 2>&1; then
        say "apt-get update ($1) failed: $(grep -E '^(E|W):' "$d/apt.log" | head -n 1)"
        return 1
    fi
    # Every version these suites list, newest first: a mirror may lack the newest's files.
    local vers dver got found=0
    vers=$(apt-cache "${opts[@]}" showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | sort -Vru)
    [ -n "$vers" ] || { say "Debian $1 serves no $pkg"; return 1; }
    for dver in $vers; do
        if ! matches "$(upstream "$dver")"; then
            say "Debian $1 serves $pkg $dver, not $glob"
            continue
        fi
        rm -f "$d/dl"/*
        if ! (cd "$d/dl" && apt-get -qq "${opts[@]}" source --print-uris "$pkg=$dver") >"$d/uris" 2>&1; then
            say "apt-get source --print-uris $pkg=$dver failed: $(grep -E '^(E|W):' "$d/uris" | head -n 1)"
            continue
        fi
        ORIG=$(sed -n "s/^'[^']*' \(${pkg}_[^ ]*\.orig\.tar\.[a-z0-9]*\) .*/\1/p" "$d/uris" | head -n 1)
        SHA=$(sed -n "s/^'[^']*' ${ORIG//./\\.} [0-9]* SHA256:\([0-9a-f]*\).*/\1/p" "$d/uris" | head -n 1)
        if [ -z "$ORIG" ] || [ -z "$SHA" ]; then
            say "$pkg $dver: no orig tarball with a SHA256 in Sources"
            continue
        fi
        if ! (cd "$d/dl" && apt-get -q "${opts[@]}" source --download-only "$pkg=$dver") >"$d/apt.log" 2>&1; then
            say "$pkg $dver: download failed: $(grep -E '^(E|W):' "$d/apt.log" | head -n 1)"
            # A partial mirror may lack the .dsc or the Debian tarball but hold the upstream
            # tarball: fetch that one alone, checked against the signed Sources' SHA256.
            rm -f "$d/dl"/*
            local uri
            uri=$(sed -n "s/^'\([^']*\)' ${ORIG//./\\.} .*/\1/p" "$d/uris" | head -n 1)
            if [ -n "$uri" ] && /usr/lib/apt/apt-helper download-file "$uri" "$d/dl/$ORIG" \
                "SHA256:$SHA" >"$d/apt.log" 2>&1; then
                say "$pkg $dver: took its upstream tarball $ORIG alone (without Debian's patches)"
                ORIG_ONLY=1
            else
                continue
            fi
        fi
        [ -f "$d/dl/$ORIG" ] || { say "apt-get source did not produce $ORIG"; continue; }
        got=$(sha256sum "$d/dl/$ORIG" | cut -d' ' -f1)
        [ "$got" = "$SHA" ] || die "$ORIG: sha256 $got, but Debian's Sources say $SHA"
        found=1
        break
    done
    [ "$found" = 1 ] || return 1
    mv -f "$d/dl"/"${pkg}"_* "$cache/"
    DSC="$cache/${pkg}_${dver#*:}.dsc"
    SUITE=$1
    say "Debian $1: $pkg $dver downloaded (apt verified it against the signed Release/Sources)"
}

ok=0
for s in "${suites[@]}"; do
    if try_suites "$s"; then ok=1; break; fi
done
[ "$ok" = 1 ] || die "no Debian source package $pkg $glob found (suites tried: ${suites[*]})"

dver=${DSC##*/"${pkg}"_}
dver=${dver%.dsc}
src="$work/tree"
mkdir "$src"
tar -xf "$cache/$ORIG" -C "$src" --strip-components=1 --no-same-owner || die "cannot extract $ORIG"
if [ "$patches" = 1 ] && [ "$ORIG_ONLY" = 0 ]; then
    deb=$(find "$cache" -maxdepth 1 -name "${pkg}_${dver#*:}.debian.tar.*" | head -n 1)
    [ -n "$deb" ] || die "no ${pkg}_${dver#*:}.debian.tar.* next to $DSC"
    tar -xf "$deb" -C "$src" --no-same-owner
    if [ -f "$src/debian/patches/series" ]; then
        while read -r p _; do
            case "$p" in '' | '#'*) continue ;; esac
            patch -p1 -s -d "$src" <"$src/debian/patches/$p" || die "Debian patch $p does not apply"
        done <"$src/debian/patches/series"
    fi
fi
patched=no
[ "$patches" = 1 ] && [ "$ORIG_ONLY" = 0 ] && patched=yes
rec="version=$(upstream "$dver") debian=$dver suite=${SUITE// /,} sha256=$SHA debian-patches=$patched"
printf '%s\n' "$rec" >"$src/.ackbench-source"
dest="$cache/$pkg-$dver"
rm -rf "$dest"
mv -T "$src" "$dest" || die "cannot move the tree to $dest"
printf '%s\n' "$rec" >"$cache/$pkg.source"
say "$pkg $dver source ready in $dest ($rec)"
printf '%s\n' "$dest"
