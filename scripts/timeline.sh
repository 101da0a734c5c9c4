#!/bin/sh
# timeline.sh - "where the time goes" in the handshake, flight by flight, from the client's
# and the server's --timeline files of the same runs, with a swimlane diagram per
# configuration. The analysis is scripts/ackbench/cmd_timeline.py (merge: timeline.py,
# diagrams: swimlane.py; -h: the options), run with Debian's Python ($PYTHON, default
# /usr/bin/python3).
set -eu

LIB_PROG=timeline
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
lib_analysis timeline "$@"
