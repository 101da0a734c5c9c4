#!/bin/bash
# fetch-wolfssl.sh - make Debian's wolfSSL 5.5.4 source (bookworm, with Debian's patches
# applied) available and print the absolute path of the tree (the only line on stdout).
#
# Why a source build: Debian's libwolfssl-dev 5.5.4 is configured without
# HAVE_SECRET_CALLBACK (no key log: wolfSSL_CTX_set_keylog_callback is absent) and without
# WOLFSSL_DTLS_MTU (no wolfSSL_dtls_set_mtu), both of which ackbench's wolfssl stack needs
# (--keylog, --mtu). The Makefile (src/stack/wolfssl/stack.mk) configures this tree as
# Debian does (--enable-distro) plus those two.
#
# Packages used (Debian): apt (apt-get source --download-only, no dpkg-dev needed), tar,
# gzip, xz-utils, patch, coreutils (sha256sum).
set -eu

readonly PROG=fetch-wolfssl
readonly PIN_VERSION=5.5.4
readonly PIN_ORIG=wolfssl_5.5.4.orig.tar.gz
readonly PIN_SHA256=b7ee150e49def77c765bc02aac92ddeb0bebefd4cb12aa263d8f95e405221fb8
readonly MIRROR=http://deb.debian.org/debian
readonly SECURITY=http://deb.debian.org/debian-security

usage() {
    cat <<EOF
Usage: $0 [-d CACHE_DIR] [-h|--help]

Make sure Debian's wolfSSL $PIN_VERSION source tree (bookworm or bookworm-security, Debian's
patches applied) is available and print its absolute path on stdout.

  -d CACHE_DIR  where the tree and the source package are kept
                (default: \$ACKBENCH_CACHE if set, else <repo>/build/cache)
  -h, --help    show this help

The tree is CACHE_DIR/wolfssl-<debian version>/ (e.g. wolfssl-5.5.4-2+deb12u3/).
Sources, in order: a complete tree already there; the source package's files in
CACHE_DIR (${PIN_ORIG} + wolfssl_${PIN_VERSION}-*.debian.tar.xz); apt-get source
--download-only wolfssl with private apt lists (the system apt configuration is not
changed). The orig tarball must have sha256 $PIN_SHA256.
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
    command -v "$1" >/dev/null 2>&1 || die "'$1' not found; install the Debian package '$2' (scripts/deps.sh wolfssl)"
}

cache=${ACKBENCH_CACHE:-}
while getopts ":d:h-:" opt; do
    case "$opt" in
    d) cache=$OPTARG ;;
    h) usage; exit 0 ;;
    -) [ "$OPTARG" = help ] && { usage; exit 0; }; die "unknown option --$OPTARG (see --help)" ;;
    :) die "-$OPTARG needs a value (see --help)" ;;
    *) die "unknown option -$OPTARG (see --help)" ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || die "unexpected argument '$1' (see --help)"
if [ -z "$cache" ]; then
    cache="$(cd "$(dirname "$0")/.." && pwd)/build/cache"
fi
mkdir -p "$cache"
cache=$(cd "$cache" && pwd -P)

# A complete tree: patched (our marker) and has the sources we build.
for t in "$cache"/wolfssl-"$PIN_VERSION"-*/; do
    t=${t%/}
    if [ -f "$t/.ackbench-patched" ] && [ -f "$t/src/ssl.c" ]; then
        printf '%s\n' "$t"
        exit 0
    fi
done

need_cmd tar tar
need_cmd xz xz-utils
need_cmd patch patch
need_cmd sha256sum coreutils

debtar() { find "$cache" -maxdepth 1 -name "wolfssl_${PIN_VERSION}-*.debian.tar.xz" | sort -V | tail -n 1; }

if [ ! -f "$cache/$PIN_ORIG" ] || [ -z "$(debtar)" ]; then
    need_cmd apt-get apt
    work=$(mktemp -d "$cache/.fetch-wolfssl.XXXXXX")
    TMP_DIRS+=("$work")
    mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/parts" "$work/dl"
    kr=/usr/share/keyrings/debian-archive-keyring.gpg
    {
        echo "deb-src [signed-by=$kr] $MIRROR bookworm main"
        echo "deb-src [signed-by=$kr] $SECURITY bookworm-security main"
    } >"$work/sources.list"
    opts=(-o "Dir::Etc::sourcelist=$work/sources.list" -o "Dir::Etc::sourceparts=$work/parts"
        -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache")
    say "fetching Debian's wolfssl source package (bookworm, bookworm-security)"
    apt-get -q "${opts[@]}" update >"$work/apt.log" 2>&1 ||
        die "apt-get update failed: $(grep -E '^(E|W):' "$work/apt.log" | head -n 1)"
    (cd "$work/dl" && apt-get -q "${opts[@]}" source --download-only "wolfssl=$PIN_VERSION-*") \
        >"$work/apt.log" 2>&1 ||
        (cd "$work/dl" && apt-get -q "${opts[@]}" source --download-only wolfssl) >"$work/apt.log" 2>&1 ||
        die "apt-get source wolfssl failed: $(grep -E '^(E|W):' "$work/apt.log" | head -n 1)"
    [ -f "$work/dl/$PIN_ORIG" ] || die "Debian serves no $PIN_ORIG (another wolfssl version?)"
    mv -f "$work/dl"/wolfssl_* "$cache/"
fi

got=$(sha256sum "$cache/$PIN_ORIG" | cut -d' ' -f1)
[ "$got" = "$PIN_SHA256" ] || die "$cache/$PIN_ORIG: sha256 $got, want $PIN_SHA256"
deb=$(debtar)
[ -n "$deb" ] || die "no wolfssl_${PIN_VERSION}-*.debian.tar.xz in $cache"
debver=${deb##*/wolfssl_}
debver=${debver%.debian.tar.xz}

work=$(mktemp -d "$cache/.fetch-wolfssl.XXXXXX")
TMP_DIRS+=("$work")
tar -xzf "$cache/$PIN_ORIG" -C "$work"
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'wolfssl*' | head -n 1)
[ -n "$src" ] || die "$PIN_ORIG holds no wolfssl directory"
tar -xJf "$deb" -C "$src"
if [ -f "$src/debian/patches/series" ]; then
    while read -r p _; do
        case "$p" in '' | '#'*) continue ;; esac
        patch -p1 -s -d "$src" <"$src/debian/patches/$p" || die "Debian patch $p does not apply"
    done <"$src/debian/patches/series"
fi
echo "$debver" >"$src/.ackbench-patched"
dest="$cache/wolfssl-$debver"
if ! mv -T "$src" "$dest" 2>/dev/null && [ ! -f "$dest/.ackbench-patched" ]; then
    die "cannot move the tree to $dest"
fi
say "wolfSSL $debver source ready"
printf '%s\n' "$dest"
