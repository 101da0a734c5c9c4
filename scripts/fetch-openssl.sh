#!/bin/bash
# fetch-openssl.sh - make Debian trixie's OpenSSL 3.5 LTS source tree (Debian's patches
# applied: its security fixes) available and print its absolute path (the only line on
# stdout). src/stack/openssl/stack.mk builds it static into the build tree.
#
# Accepts the newest 3.5.x that trixie and trixie-security serve and that the mirror
# holds (scripts/fetch-debsrc.sh falls back to older 3.5.x when a newer one's files are
# missing); the version and the upstream tarball's sha256 are recorded in
# CACHE_DIR/openssl.source and in the tree's .ackbench-source.
#
# Packages used (Debian): see scripts/fetch-debsrc.sh.
set -eu
# The versions accepted (the Makefile's stamp reads this PIN_ line: a change rebuilds).
readonly PIN_VERSIONS='3.5.*'
case "${1:-}" in
-h | --help)
    cat <<USAGE
Usage: $0 [-d CACHE_DIR] [-h|--help]

Print the path of Debian trixie's OpenSSL 3.5.x source tree (patched), fetching it
through private apt lists if CACHE_DIR (default \$ACKBENCH_CACHE, else build/cache) lacks it.
USAGE
    exit 0
    ;;
esac
exec "$(dirname "$0")/fetch-debsrc.sh" -p openssl -v "$PIN_VERSIONS" -P \
    -s 'trixie trixie-security' -s trixie "$@"
