#!/bin/sh
# matrix-report.sh - the summary and report of one or more matrix directories (matrix.sh):
# per cell and size the p50 over rounds with its interval, the overhead over the plain
# baseline of the same rounds, the ranking per protocol and mode with "the cheapest that
# fits", as summary.md, cells.csv and one self-contained report.html (inline SVG plots).
# The analysis is scripts/ackbench/cmd_matrix_report.py (-h: its options), run with
# Debian's Python ($PYTHON, default /usr/bin/python3).
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
lib_analysis matrix-report "$@"
