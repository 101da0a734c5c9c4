"""python3 -m ackbench COMMAND [ARGS...]: each command is a module cmd_COMMAND.py with
main(argv) -> exit status (0 ok, 1 failure, 2 usage error; errors as one line on stderr)."""

import importlib
import sys

from .records import FormatError

COMMANDS = {
    "compare": "TCP against TLS, UDP against DTLS, from client summaries (compare.sh)",
    "matrix-report": "summary.md, cells.csv and report.html of matrix directories",
    "mcu-table": "the tables of a bare-metal run (mcu.json)",
    "report": "comparison tables and plots of run directories (report.sh)",
    "fleet": "one report for a fleet run directory (scripts/fleet.sh)",
    "show": "what a file or directory is and the records read from it",
    "timeline": "where the time goes in the handshake, from both sides' --timeline files",
    "bench-summary": "the tables of the bench scripts from their run directories (bench-*.sh)",
    "mcu-explore": "fronts, the cheapest that fits and the report of an mcu-explore.sh sweep",
    "links": "handshakes over emulated links against the round-trip model (bench-links.sh)",
}


def usage(out):
    print("Usage: python3 -m ackbench COMMAND [ARGS...] (COMMAND -h for its options)", file=out)
    for name, what in COMMANDS.items():
        print(f"  {name:12} {what}", file=out)


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        usage(sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    name = argv[0]
    if name not in COMMANDS:
        print(f"ackbench: unknown command '{name}'", file=sys.stderr)
        usage(sys.stderr)
        return 2
    mod = importlib.import_module(f"ackbench.cmd_{name.replace('-', '_')}")
    try:
        return mod.main(argv[1:])
    except FormatError as e:
        print(f"ackbench {name}: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
