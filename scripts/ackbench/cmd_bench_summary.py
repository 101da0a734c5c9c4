"""bench-summary KIND ...: the analysis halves of the bench scripts (scripts/bench-*.sh),
which keep only the runs:

  bench-summary loopback DIR TARGET      the table of a bench-loopback.sh directory (its
                                         runs.txt and the clients' --json files); ROUNDS
                                         instead of DIR: an older directory's rounds.txt
  bench-summary timeline DIR             the table of a bench-timeline.sh directory (its
                                         runs.txt, the clients' --json files, the servers'
                                         CSVs); ROUNDS instead of DIR: an older rounds.txt
  bench-summary server-cpu CSV [EMPTY]   median CPU us of a server -o CSV's completed
                                         connections, as %.1f (EMPTY when there are none)
  bench-summary stacks DIR               the tables of a bench-stacks.sh directory (its
                                         meta.txt, runs.txt, the runs' files, the crypto
                                         benchmarks' outputs); with "pq: 1" in meta.txt the
                                         post-quantum table (-Q), with "auth: 1"
                                         the authentication table (-A)
  bench-summary tls DIR                  the summary of a bench-tls.sh directory (meta.txt,
                                         runs.txt, the runs' files, benchmark.txt/.time,
                                         stime.out)
  bench-summary tls-floor DIR            its crypto-floor lines alone (exit 1 when a figure
                                         is missing from benchmark.txt)
  bench-summary dtls DIR                 the summary of a bench-dtls.sh directory
  bench-summary dtls-floor DIR           its crypto-floor lines alone
  bench-summary load DIR                 the table of a bench-load.sh directory
  bench-summary slowloris -H             the header line of bench-slowloris.sh's table
  bench-summary slowloris PROTO CONNS KIND K ALONE WITH
                                         one cell's line; ALONE and WITH are comma lists of
                                         the good client's -o CSVs without and with the peers
                                         (a missing file: a client that wrote nothing); exit 1
                                         when either side has no completed handshake
"""

import os

from . import bench, bench_load, bench_stacks, bench_tls, reader
from .cli import fail
from .records import LoopbackRound, LoopbackRun, TimelineRound, TimelineRun

PROG = "bench-summary"
USAGE = __doc__.split("\n\n", 1)[1]


def _samples(paths):
    out = []
    for p in paths.split(","):
        if p and os.path.isfile(p):
            out += reader.read_samples(p)
    return out


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
        if os.path.isdir(args[0]):
            runs = reader.read_rounds(os.path.join(args[0], "runs.txt"), LoopbackRun)
            rounds = bench.loopback_rounds(args[0], runs)
        else:
            rounds = reader.read_rounds(args[0], LoopbackRound)
        lines = bench.loopback_lines(rounds, args[1])
    elif kind == "timeline" and len(args) == 1:
        if os.path.isdir(args[0]):
            runs = reader.read_rounds(os.path.join(args[0], "runs.txt"), TimelineRun)
            rounds = bench.timeline_rounds(args[0], runs)
        else:
            rounds = reader.read_rounds(args[0], TimelineRound)
        lines = bench.timeline_lines(rounds)
    elif kind == "server-cpu" and len(args) in (1, 2):
        m = bench.server_cpu(reader.read_server(args[0]))
        print(f"{m:.1f}" if m is not None else (args[1] if len(args) == 2 else ""), end="")
        return 0
    elif kind == "stacks" and len(args) == 1:
        if not os.path.isdir(args[0]):
            return fail(PROG, f"stacks: '{args[0]}' is not a directory", 2)
        meta, floors, cells = bench_stacks.load(args[0])
        raw = os.path.join(args[0], "runs.txt")
        if meta.get("pq") == "1":
            lines = bench_stacks.pq_lines(meta, cells, raw)
        elif meta.get("auth") == "1":
            lines = bench_stacks.auth_lines(meta, bench_stacks.auth_rows(meta, cells), raw,
                                           cells)
        else:
            lines = bench_stacks.table_lines(meta, floors, cells, raw)
    elif kind == "load" and len(args) == 1:
        if not os.path.isdir(args[0]):
            return fail(PROG, f"load: '{args[0]}' is not a directory", 2)
        lines = bench_load.lines(args[0])
    elif kind in ("tls", "tls-floor", "dtls", "dtls-floor") and len(args) == 1:
        if not os.path.isdir(args[0]):
            return fail(PROG, f"{kind}: '{args[0]}' is not a directory", 2)
        if kind == "tls-floor":
            meta = reader.read_keyvals(os.path.join(args[0], "meta.txt"))
            lines = bench_tls.tls_floor(args[0], meta)[2]
        elif kind == "dtls-floor":
            lines = bench_tls.dtls_floor(args[0])[1]
        else:
            lines = (bench_tls.tls_lines if kind == "tls" else bench_tls.dtls_lines)(args[0])
    elif kind == "slowloris" and args == ["-H"]:
        lines = [bench.slowloris_head()]
    elif kind == "slowloris" and len(args) == 6:
        line, ok = bench.slowloris_line(*args[:4], _samples(args[4]), _samples(args[5]))
        print(line)
        return 0 if ok else 1
    else:
        return fail(PROG, f"'{' '.join(argv)}': not KIND ARGS (see -h)", 2)
    print("\n".join(lines))
    return 0
