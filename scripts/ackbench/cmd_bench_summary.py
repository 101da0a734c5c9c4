"""bench-summary KIND ...: the analysis halves of the bench scripts (scripts/bench-*.sh),
which keep only the runs:

  bench-summary loopback ROUNDS TARGET   the table of bench-loopback.sh from its rounds.txt
  bench-summary timeline ROUNDS          the table of bench-timeline.sh from its rounds.txt
  bench-summary server-cpu CSV [EMPTY]   median CPU us of a server -o CSV's completed
                                         connections, as %.1f (EMPTY when there are none)
"""

from . import bench, reader
from .cli import fail
from .records import LoopbackRound, TimelineRound

PROG = "bench-summary"
USAGE = __doc__.split("\n\n", 1)[1]


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(f"Usage: python3 -m ackbench {PROG} KIND ...\n\n{USAGE}", end="")
        return 0 if argv else 2
    kind, args = argv[0], argv[1:]
    if kind == "loopback" and len(args) == 2:
        try:
            float(args[1])
        except ValueError:
            return fail(PROG, f"loopback: target '{args[1]}' is not a number", 2)
        lines = bench.loopback_lines(reader.read_rounds(args[0], LoopbackRound), args[1])
    elif kind == "timeline" and len(args) == 1:
        lines = bench.timeline_lines(reader.read_rounds(args[0], TimelineRound))
    elif kind == "server-cpu" and len(args) in (1, 2):
        m = bench.server_cpu(reader.read_server(args[0]))
        print(f"{m:.1f}" if m is not None else (args[1] if len(args) == 2 else ""), end="")
        return 0
    else:
        return fail(PROG, f"'{' '.join(argv)}': not KIND ARGS (see -h)", 2)
    print("\n".join(lines))
    return 0
