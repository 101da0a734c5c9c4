#!/bin/sh
# compare.sh - one comparison table from the client JSON summaries of a run directory:
# TCP against TLS and UDP against DTLS, per mode and size, p50 and p99 of one phase, with
# the overhead of the secure side and its 95% interval over the rounds (runs named
# TAG-rN.json are round N). The analysis is scripts/ackbench/cmd_compare.py (-h: its
# options); this script runs it with Debian's Python ($PYTHON, default /usr/bin/python3).
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
lib_analysis compare "$@"
