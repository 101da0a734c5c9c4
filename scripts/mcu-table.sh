#!/bin/sh
# mcu-table.sh - the tables of one bare-metal run (the mcu.json scripts/mcu.sh writes):
# instructions per handshake per side with the estimate at the run's clock, record cost
# per message size, rogue-certificate cases, footprint. Used by mcu.sh and report.sh.
# The analysis is scripts/ackbench/cmd_mcu_table.py (-h: its options), run with Debian's
# Python ($PYTHON, default /usr/bin/python3).
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
lib_analysis mcu-table "$@"
