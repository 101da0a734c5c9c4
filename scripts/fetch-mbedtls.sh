#!/bin/bash
# fetch-mbedtls.sh - make an extracted Mbed TLS 3.6.x release tree available
# and print its absolute path (the only line written to stdout).
#
# Packages used (Debian): tar, bzip2 (for .tar.bz2), gzip, coreutils
# (sha256sum), apt (Debian source fallback), curl (upstream fallback).
# `apt-get source --download-only` does NOT need dpkg-dev: apt returns before
# it would call dpkg-source; this script unpacks the orig tarball with tar.
#
# Pinned upstream release: mbedtls-3.6.6.tar.bz2, sha256 below. Debian's
# mbedtls_3.6.6.orig.tar.bz2 (trixie, 3.6.6-0.1~deb13u1) is that same
# file, not repacked: debian/watch points at the GitHub release asset with no
# repack options, the version has no +dfsg/+ds suffix, and its sha256 equals
# the one other distributions (e.g. Homebrew) pin for the GitHub asset.
set -eu

readonly PROG=fetch-mbedtls
readonly PIN_VERSION=3.6.6
readonly PIN_SHA256=8fb65fae8dcae5840f793c0a334860a411f884cc537ea290ce1c52bb64ca007a
readonly PIN_URL="https://github.com/Mbed-TLS/mbedtls/releases/download/mbedtls-${PIN_VERSION}/mbedtls-${PIN_VERSION}.tar.bz2"
readonly DEBIAN_SUITE=trixie

usage() {
    cat <<EOF
Usage: $0 [-d CACHE_DIR] [-h|--help]

Make sure an extracted Mbed TLS 3.6.x release source tree is available and
print its absolute path on stdout (diagnostics go to stderr).

  -d CACHE_DIR  where trees and tarballs are kept
                (default: \$ACKBENCH_CACHE if set, else <repo>/build/cache)
  -h, --help    show this help

The tree is CACHE_DIR/mbedtls-<version>/; CACHE_DIR/mbedtls.source records
"version=<x> origin=<where> sha256=<tarball sha256 or 'tree'>".
Sources, in order:
  1. \$MBEDTLS_SRC, if set: an extracted 3.6.x tree (used in place, not
     copied) or a .tar.bz2/.tar.gz/.tgz release tarball (extracted into
     CACHE_DIR; its tree is reused while the tarball's sha256 is unchanged);
  -  an existing complete CACHE_DIR/mbedtls-3.6.*/ tree (newest wins);
  2. a cached CACHE_DIR/mbedtls_3.6.*.orig.tar.bz2 or mbedtls-3.6.*.tar.bz2;
  3. Debian's '$DEBIAN_SUITE' source package, through scripts/fetch-debsrc.sh
     (private apt lists; the system apt configuration is not changed);
  4. $PIN_URL
     (sha256 $PIN_SHA256).
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

# mktemp -d under $1, registered for removal on exit; result in $MKTEMP_RESULT.
MKTEMP_RESULT=
new_tmpdir() {
    MKTEMP_RESULT=$(mktemp -d "$1/.fetch-mbedtls.XXXXXX")
    TMP_DIRS+=("$MKTEMP_RESULT")
}

need_cmd() { # need_cmd COMMAND DEBIAN_PACKAGE
    command -v "$1" >/dev/null 2>&1 || die "'$1' not found; install the Debian package '$2' (apt-get install $2)"
}

is_36() { case "$1" in 3.6.[0-9]*) return 0 ;; *) return 1 ;; esac; }

# Complete tree: has the two files we rely on.
tree_complete() { [ -f "$1/include/mbedtls/build_info.h" ] && [ -f "$1/library/ssl_tls.c" ]; }

# Print the MBEDTLS_VERSION_STRING of tree $1 (empty if not found). 3.6.x
# defines it in include/mbedtls/build_info.h; build_version.h only exists in
# newer trees (4.x), so look there first.
tree_version() {
    local h
    for h in "$1/include/mbedtls/build_version.h" "$1/include/mbedtls/build_info.h"; do
        [ -f "$h" ] || continue
        sed -n 's/^#define[[:space:]]\{1,\}MBEDTLS_VERSION_STRING[[:space:]]\{1,\}"\([^"]*\)".*/\1/p' "$h" | head -n 1
        return 0
    done
}

sha256_of() { sha256sum -- "$1" | cut -d ' ' -f 1; }

write_source_record() { # VERSION ORIGIN SHA256
    local tmp="$CACHE_DIR/.mbedtls.source.$$"
    printf 'version=%s origin=%s sha256=%s\n' "$1" "$2" "$3" >"$tmp"
    mv -f -- "$tmp" "$CACHE_DIR/mbedtls.source"
}

# tar decompression flag for a tarball name.
tar_flag() {
    case "$1" in
        *.tar.bz2 | *.tbz2) echo j ;;
        *.tar.gz | *.tgz) echo z ;;
        *) return 1 ;;
    esac
}

# Extract TARBALL into CACHE_DIR/mbedtls-<version> (via a temp dir and mv),
# after checking it is 3.6.x. EXPECTED_VERSION may be empty.
# Sets TREE.
TREE=
install_tarball() { # TARBALL ORIGIN [EXPECTED_VERSION]
    local tarball="$1" origin="$2" expected="${3:-}" flag stage top ver sum dest d
    flag=$(tar_flag "$tarball") || die "unsupported tarball type: $tarball (want .tar.bz2, .tar.gz or .tgz)"
    if [ "$flag" = j ]; then need_cmd bzip2 bzip2; else need_cmd gzip gzip; fi
    new_tmpdir "$CACHE_DIR"
    stage=$MKTEMP_RESULT
    mkdir "$stage/x"
    tar -x"$flag"f "$tarball" -C "$stage/x" --no-same-owner ||
        die "cannot extract $tarball"
    # Find the tree root: the top-level directory, whatever it is called.
    top=
    if tree_complete "$stage/x"; then
        top="$stage/x"
    else
        for d in "$stage"/x/*/; do
            if tree_complete "${d%/}"; then top="${d%/}"; break; fi
        done
    fi
    [ -n "$top" ] || die "$tarball does not contain an Mbed TLS source tree (no include/mbedtls/build_info.h + library/ssl_tls.c)"
    ver=$(tree_version "$top")
    [ -n "$ver" ] || die "$tarball: cannot read MBEDTLS_VERSION_STRING from include/mbedtls/build_{version,info}.h"
    is_36 "$ver" || die "$tarball is Mbed TLS $ver, not 3.6.x; refusing"
    if [ -n "$expected" ] && [ "$ver" != "$expected" ]; then
        die "$tarball: name says $expected but the tree says $ver; refusing"
    fi
    sum=$(sha256_of "$tarball")
    dest="$CACHE_DIR/mbedtls-$ver"
    if [ -e "$dest" ]; then
        # Replace an incomplete or different tree: move it aside first.
        mv -- "$dest" "$stage/old"
    fi
    mv -- "$top" "$dest"
    write_source_record "$ver" "$origin" "$sum"
    TREE=$dest
    say "extracted Mbed TLS $ver from $origin (sha256 $sum) into $dest"
}

# ---------------------------------------------------------------- arguments
REPO_ROOT=$(cd "$(dirname -- "$0")/.." && pwd -P)
CACHE_DIR="${ACKBENCH_CACHE:-$REPO_ROOT/build/cache}"

while [ $# -gt 0 ]; do
    case "$1" in
        -h | --help) usage; exit 0 ;;
        -d)
            [ $# -ge 2 ] || die "-d needs a CACHE_DIR argument (see --help)"
            CACHE_DIR=$2
            shift 2
            ;;
        -d*) CACHE_DIR=${1#-d}; shift ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
[ -n "$CACHE_DIR" ] || die "empty CACHE_DIR"

need_cmd tar tar
need_cmd sha256sum coreutils
mkdir -p -- "$CACHE_DIR"
CACHE_DIR=$(cd -- "$CACHE_DIR" && pwd -P)

# Serialise concurrent runs on the same cache.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$CACHE_DIR/.fetch-mbedtls-tree.lock"
    flock 9
fi

emit() { # TREE - print the result and exit
    printf '%s\n' "$1"
    exit 0
}

# ------------------------------------------------------- 1. $MBEDTLS_SRC
if [ -n "${MBEDTLS_SRC:-}" ]; then
    if [ -d "$MBEDTLS_SRC" ]; then
        src=$(cd -- "$MBEDTLS_SRC" && pwd -P)
        tree_complete "$src" ||
            die "MBEDTLS_SRC=$MBEDTLS_SRC is not an Mbed TLS source tree (no include/mbedtls/build_info.h + library/ssl_tls.c)"
        ver=$(tree_version "$src")
        [ -n "$ver" ] || die "MBEDTLS_SRC=$MBEDTLS_SRC: cannot read MBEDTLS_VERSION_STRING from include/mbedtls/build_{version,info}.h"
        is_36 "$ver" || die "MBEDTLS_SRC=$MBEDTLS_SRC is Mbed TLS $ver, not 3.6.x; refusing"
        write_source_record "$ver" "$src" tree
        say "using Mbed TLS $ver tree from MBEDTLS_SRC=$src (in place)"
        emit "$src"
    elif [ -f "$MBEDTLS_SRC" ]; then
        src=$(cd -- "$(dirname -- "$MBEDTLS_SRC")" && pwd -P)/$(basename -- "$MBEDTLS_SRC")
        tar_flag "$src" >/dev/null ||
            die "MBEDTLS_SRC=$MBEDTLS_SRC is not a .tar.bz2/.tar.gz/.tgz tarball or a directory"
        sum=$(sha256_of "$src")
        # Reuse the cached tree if it came from this very tarball.
        if [ -f "$CACHE_DIR/mbedtls.source" ]; then
            rec=$(head -n 1 "$CACHE_DIR/mbedtls.source")
            rec_ver=$(printf '%s\n' "$rec" | sed -n 's/^version=\([^ ]*\) .*/\1/p')
            case "$rec" in
                *" sha256=$sum")
                    if [ -n "$rec_ver" ] && tree_complete "$CACHE_DIR/mbedtls-$rec_ver"; then
                        say "using cached Mbed TLS $rec_ver tree $CACHE_DIR/mbedtls-$rec_ver (from MBEDTLS_SRC=$src, sha256 $sum)"
                        emit "$CACHE_DIR/mbedtls-$rec_ver"
                    fi
                    ;;
            esac
        fi
        install_tarball "$src" "$src"
        emit "$TREE"
    else
        die "MBEDTLS_SRC=$MBEDTLS_SRC does not exist (want an extracted 3.6.x tree or a .tar.bz2/.tar.gz/.tgz)"
    fi
fi

# ----------------------------------------------- 0. existing complete tree
best=
for d in "$CACHE_DIR"/mbedtls-3.6.*/; do
    d=${d%/}
    tree_complete "$d" || continue
    best=$(printf '%s\n%s\n' "$best" "$d" | sed '/^$/d' | sort -V | tail -n 1)
done
if [ -n "$best" ]; then
    ver=$(tree_version "$best")
    is_36 "$ver" || die "$best is Mbed TLS '$ver', not 3.6.x; remove it or use -d"
    rec=
    [ -f "$CACHE_DIR/mbedtls.source" ] && rec=$(head -n 1 "$CACHE_DIR/mbedtls.source")
    case "$rec" in
        "version=$ver "*) ;;
        *) write_source_record "$ver" "$best" tree ;;
    esac
    say "using cached Mbed TLS $ver tree $best ($(sed -n '1s/^version=[^ ]* //p' "$CACHE_DIR/mbedtls.source"))"
    emit "$best"
fi

tried=()

# ------------------------------------------------- 2. cached tarball
best=
best_ver=
for f in "$CACHE_DIR"/mbedtls_3.6.*.orig.tar.bz2 "$CACHE_DIR"/mbedtls-3.6.*.tar.bz2; do
    [ -f "$f" ] || continue
    v=${f##*/}
    v=${v#mbedtls[_-]}
    v=${v%.orig.tar.bz2}
    v=${v%.tar.bz2}
    is_36 "$v" || continue
    if [ "$v" = "$PIN_VERSION" ] && [ "$(sha256_of "$f")" != "$PIN_SHA256" ]; then
        say "ignoring $f: sha256 differs from the pinned $PIN_SHA256"
        continue
    fi
    if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best_ver" "$v" | sort -V | tail -n 1)" = "$v" ]; then
        best=$f
        best_ver=$v
    fi
done
tried+=("cached tarball in $CACHE_DIR")
if [ -n "$best" ]; then
    install_tarball "$best" "$best" "$best_ver"
    emit "$TREE"
fi

# ------------------------------------------------- 3. Debian source package
# scripts/fetch-debsrc.sh fetches it through private apt lists (apt checks it against the
# signed Release and Sources) and keeps the orig tarball in the cache; its extracted tree is
# dropped here for the one install_tarball makes (the layout the Makefile copies).
try_debian() {
    local tree rec ver dver orig
    tree=$("$REPO_ROOT/scripts/fetch-debsrc.sh" -p mbedtls -s "$DEBIAN_SUITE" -v '3.6.*' \
        -d "$CACHE_DIR") || return 1
    rec=$(head -n 1 "$tree/.ackbench-source")
    ver=$(printf '%s\n' "$rec" | sed -n 's/^version=\([^ ]*\) .*/\1/p')
    dver=$(printf '%s\n' "$rec" | sed -n 's/.* debian=\([^ ]*\) .*/\1/p')
    rm -rf -- "$tree"
    orig="$CACHE_DIR/mbedtls_$ver.orig.tar.bz2"
    [ -f "$orig" ] || { say "Debian $DEBIAN_SUITE mbedtls $dver has no $orig"; return 1; }
    if [ "$ver" = "$PIN_VERSION" ] && [ "$(sha256_of "$orig")" != "$PIN_SHA256" ]; then
        say "note: Debian's $orig differs from the pinned upstream $PIN_SHA256"
    fi
    install_tarball "$orig" "debian:$DEBIAN_SUITE/mbedtls_$dver" "$ver"
}
tried+=("Debian $DEBIAN_SUITE source package")
if try_debian; then
    emit "$TREE"
fi

# ------------------------------------------------- 4. upstream release
try_upstream() {
    local work name="mbedtls-$PIN_VERSION.tar.bz2" sum
    command -v curl >/dev/null 2>&1 || { say "curl not found (apt-get install curl); skipping $PIN_URL"; return 1; }
    new_tmpdir "$CACHE_DIR"
    work=$MKTEMP_RESULT
    say "trying $PIN_URL"
    if ! curl --fail --silent --show-error --location --connect-timeout 10 --max-time 120 \
        --output "$work/$name" "$PIN_URL" 2>"$work/curl.log"; then
        say "download failed: $(head -n 1 "$work/curl.log")"
        return 1
    fi
    sum=$(sha256_of "$work/$name")
    if [ "$sum" != "$PIN_SHA256" ]; then
        say "$name sha256 $sum does not match pinned $PIN_SHA256; refusing"
        return 1
    fi
    mv -f -- "$work/$name" "$CACHE_DIR/$name"
    install_tarball "$CACHE_DIR/$name" "$PIN_URL" "$PIN_VERSION"
}
tried+=("$PIN_URL")
if try_upstream; then
    emit "$TREE"
fi

# ------------------------------------------------- nothing worked
msg=
for t in "${tried[@]}"; do msg="${msg:+$msg; }$t"; done
die "no Mbed TLS 3.6.x source found (tried: $msg); set MBEDTLS_SRC to an extracted 3.6.x tree or a mbedtls-3.6.x .tar.bz2/.tar.gz, or put mbedtls-3.6.x.tar.bz2 in $CACHE_DIR"
