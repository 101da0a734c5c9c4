#!/bin/sh
# report.sh - comparison tables and plots from one or several run directories. The
# analysis is scripts/ackbench/cmd_report.py (plots: report_plots.py; -h: the options),
# run with Debian's Python ($PYTHON, default /usr/bin/python3).
set -eu

LIB_PROG=report
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
lib_analysis report "$@"
