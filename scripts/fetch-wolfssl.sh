#!/bin/bash
# fetch-wolfssl.sh - make Debian's wolfSSL 5.9+ source tree available and print its
# absolute path (the only line on stdout). src/stack/wolfssl/stack.mk configures and builds
# it static (its configuration is there).
#
# Accepts the newest 5.x (5.9 or later) that forky and sid serve (a partial mirror may hold
# only the upstream tarball: scripts/fetch-debsrc.sh then takes it alone, checked against
# the signed Sources, and records "debian-patches=no"); trixie's 5.7.2 is not accepted: it
# lacks ML-DSA under that name and the DTLS 1.3 fixes this suite relies on. The version and
# sha256 are recorded in CACHE_DIR/wolfssl.source and the tree's .ackbench-source.
#
# Packages used (Debian): see scripts/fetch-debsrc.sh.
set -eu
# The versions accepted (the Makefile's stamp reads this PIN_ line: a change rebuilds).
readonly PIN_VERSIONS='5.9* 5.[1-9][0-9]*'
case "${1:-}" in
-h | --help)
    cat <<USAGE
Usage: $0 [-d CACHE_DIR] [-h|--help]

Print the path of Debian's wolfSSL 5.9+ source tree (forky or sid), fetching it through
private apt lists if CACHE_DIR (default \$ACKBENCH_CACHE, else build/cache) lacks it.
USAGE
    exit 0
    ;;
esac
exec "$(dirname "$0")/fetch-debsrc.sh" -p wolfssl -v "$PIN_VERSIONS" -P \
    -s 'forky sid' "$@"
