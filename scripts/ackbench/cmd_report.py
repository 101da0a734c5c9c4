"""ackbench report (scripts/report.sh): comparison tables and plots from one or several run
directories (Linux runs: client summaries; bare-metal runs: mcu.json), and with several
directories the runs side by side."""

import json
import os
import sys

from . import cli, cmd_compare, cmd_mcu_table, reader
from .records import PHASES

PROG = "report"
USAGE = """Usage: report.sh [-p PHASES] [-z SIZES] [-N] [-o DIR] RUNDIR...
Reads the clients' JSON summaries (--json) of each run directory (run-all.sh -c,
loopback.sh, capture.sh; one directory per client host or target) and prints, for each
run, mode and size, a table of every phase: TCP vs TLS and UDP vs DTLS, p50 and p99,
the overhead of the secure side in microseconds and as a ratio (scripts/compare.sh does
the pairing). With several directories it ends with the total p50 of every run side by
side. A bare-metal run of scripts/mcu.sh (its mcu.json) gets its own tables (instructions
per handshake per side, estimate at its clock), and with several directories a handshake
table puts every run side by side (Linux: measured p50; bare metal: estimate). Then draws
with matplotlib, into RUNDIR/plots/ (PNG and SVG; Linux runs):
  latency-MODE    total time per message vs message size (log scales), p50 (solid)
                  and p99 (dashed) for each protocol
  phases-MODE     stacked bars of the mean time of each phase (connect, handshake,
                  exchange, close: the means add up to the mean total), per protocol
                  and size
  runs-MODE       (several directories, in -o DIR) total p50 vs size, one line per run
                  and protocol
  -p PHASES  phases in the tables (connect,handshake,exchange,close,total,cpu)
  -z SIZES   sizes of the stacked bars (default: those every protocol of the run has)
  -N         no plots
  -o DIR     where the runs-MODE plots go (default: the first RUNDIR's plots/)
Exit status: 0, 1 when a directory holds no summary or a plot failed, 2 usage error.
"""
ORDER = ("tcp", "tls", "udp", "dtls")


def human(s):
    if s >= 1048576 and s % 1048576 == 0:
        return f"{s // 1048576}M"
    if s >= 1024 and s % 1024 == 0:
        return f"{s // 1024}K"
    return str(s)


def rows_of(summaries):
    """(proto, mode, size, phase) -> PhaseStats, for phases with an acked message."""
    out = {}
    for s in summaries:
        for z in s.sizes:
            for ph in PHASES:
                p = z.phase(ph)
                if p is not None:
                    out[(s.proto, s.mode, z.size, ph)] = p
    return out


def label_of(d, summaries):
    if not summaries:
        return os.path.basename(d)
    s = summaries[0]
    b = s.raw.get("build") or ""
    target = b.split("target=", 1)[1].split(" ")[0] if "target=" in b else "?"
    return f"{s.host}/{target}"


def table(summaries, phases):
    f = cmd_compare.ratio
    blocks = {}
    for ph in phases:
        for r in cmd_compare.rows_of(summaries, ph):
            o = r.over
            blocks.setdefault((r.a, r.b, r.mode, r.size), []).append(
                f"  {ph:<10} {cli.num1(r.a_p50):>10} {cli.num1(r.b_p50):>10} "
                f"{cli.num1(o.median if o else None):>10} {f(r.a_p50, r.b_p50) or '-':>6} "
                f"{cli.num1(r.a_p99):>10} {cli.num1(r.b_p99):>10} "
                f"{cmd_compare.diff(r.a_p99, r.b_p99):>10} {f(r.a_p99, r.b_p99) or '-':>6}")
    out = []
    for (a, b, mode, size), lines in blocks.items():
        out += ["", f"{a} vs {b}, {mode}, {size} bytes",
                f"  {'phase':<10} {a + ' p50':>10} {b + ' p50':>10} {'+us p50':>10} {'x p50':>6} "
                f"{a + ' p99':>10} {b + ' p99':>10} {'+us p99':>10} {'x p99':>6}"] + lines
    return "\n".join(out)


def hs_rows(d, summaries, mcu):
    """(proto, kind, key) -> handshake us. Linux runs: the handshake phase p50 of the
    smallest size, one message per connection (resumed when most of the client's CSV's
    connections were); bare-metal runs: (client + server instructions) / the clock."""
    out = {}
    if mcu is not None:
        for h in mcu.handshakes:
            if h.kind != "records":
                k = (h.proto, h.kind, h.key)
                out[k] = out.get(k, 0) + h.instr / mcu.estimate_hz * 1e6
        return out
    for s in summaries:
        if s.mode != "per-message" or s.proto not in ("tls", "dtls"):
            continue
        kind = "full"
        csv = s.path[:-5] + ".csv"
        if os.path.isfile(csv):
            rs = reader.read_samples(csv)
            if rs and sum(1 for x in rs if x.resumed == 1) * 2 > len(rs):
                kind = "resumed"
        n = s.negotiated.split(" ")
        p = n[0].lower().replace("v", "", 1) if n else ""
        k = n[3].lower().replace("-", "", 1) if len(n) > 3 else ""
        sizes = [z for z in s.sizes if z.phase("handshake") is not None]
        if sizes:
            out[(p, kind, k)] = min(sizes, key=lambda z: z.size).phase("handshake").p50
    return out


def side_by_side(labels, per_run, keyfmt, width, sort_key):
    head = keyfmt[0].format(*keyfmt[1]) + "".join(f" {lb[:width]:>{width}}" for lb in labels)
    keys = []
    for rs in per_run:
        keys += [k for k in rs if k not in keys]
    lines = [head]
    for k in sorted(keys, key=sort_key):
        lines.append(keyfmt[0].format(*k) + "".join(
            f" {(f'{rs[k]:.1f}' if k in rs else '-'):>{width}}" for rs in per_run))
    return "\n".join(lines)


def main(argv):
    ap = cli.Parser(PROG, USAGE)
    ap.add_argument("-p", dest="phases", default=",".join(PHASES))
    ap.add_argument("-z", dest="sizes", default="")
    ap.add_argument("-N", dest="noplots", action="store_true")
    ap.add_argument("-o", dest="out", default="")
    ap.add_argument("dirs", nargs="*")
    a = ap.parse(argv)
    if not a.dirs:
        sys.stderr.write(USAGE)
        return 2
    phases = a.phases.split(",")
    for ph in phases:
        if ph not in PHASES:
            return cli.fail(PROG, f"-p: unknown phase '{ph}' ({', '.join(PHASES)})", 2)
    if a.sizes and not all(x.isdigit() for x in a.sizes.split(",")):
        return cli.fail(PROG, f"-z: '{a.sizes}' is not a comma list of sizes in bytes", 2)
    bar_sizes = [int(x) for x in a.sizes.split(",")] if a.sizes else None
    for d in a.dirs:
        if not os.path.isdir(d):
            return cli.fail(PROG, f"'{d}' is not a directory", 2)
    if not a.noplots:
        from . import report_plots  # matplotlib: only when plotting
    status, labels, runs, hs = 0, [], [], []
    for i, d in enumerate(a.dirs, start=1):
        mcu = None
        if os.path.isfile(os.path.join(d, "mcu.json")):
            try:
                mcu = reader.read_mcu(d)
            except reader.FormatError:
                mcu = None
        summaries = [] if mcu else reader.summaries_in([d])
        hs.append(hs_rows(d, summaries, mcu))
        lbl = f"{mcu.target}/{mcu.machine}" if mcu else label_of(d, summaries)
        if lbl in labels:
            lbl += ":" + os.path.basename(d)
        labels.append(lbl)
        if mcu:
            runs.append({})
            print(f"# run {i}: {d} ({lbl}, bare metal under QEMU)")
            sys.stdout.write(cmd_mcu_table.render(mcu, mcu.estimate_hz))
            print()
            continue
        rows = rows_of(summaries)
        runs.append(rows)
        print(f"# run {i}: {d} ({lbl})")
        if not rows:
            cli.fail(PROG, f"{d}: no client summary (*.json) with an acked message")
            status = 1
            continue
        for s in summaries:
            r = s.raw
            line = (f"#   {s.proto} {s.mode}: {r.get('program')} on {r.get('host')} -> "
                    f"{r.get('peer')}, {r.get('count')} per size; mbedtls "
                    f"{json.dumps(r.get('mbedtls')).strip(chr(34))} {r.get('config')}")
            print(line + (f"; {s.negotiated}" if s.negotiated else ""))
        print("# microseconds; p50/p99 nearest-rank over acked messages; +us = secure - plain, "
              "x = secure / plain")
        print(table(summaries, phases))
        print()
        sys.stdout.flush()
        if not a.noplots:
            status |= report_plots.run_plots(rows, lbl, os.path.join(d, "plots"), bar_sizes)
    if len(a.dirs) > 1 and any(hs):
        print("# handshake per connection (microseconds) of every run. Linux runs: handshake phase\n"
              "# p50 of the smallest size, one message per connection (resumed when the client's CSV\n"
              "# says most were: --resume). Bare-metal runs: (client + server instructions) / clock,\n"
              "# ONE INSTRUCTION PER CYCLE ASSUMED (an estimate, not a measurement of a chip).")
        print(side_by_side(labels, hs, ("{:<8} {:<8} {:<8}", ("proto", "kind", "key")), 20,
                           lambda k: k))
        print()
    if len(a.dirs) > 1:
        print("# total p50 (microseconds) of every run")
        tot = [{(p, m, s): v.p50 for (p, m, s, ph), v in rs.items() if ph == "total"}
               for rs in runs]
        print(side_by_side(labels, tot, ("{:<5} {:<12} {:>8}", ("proto", "mode", "size")), 16,
                           lambda k: (k[0], k[1], k[2])))
        sys.stdout.flush()
        if not a.noplots:
            out = a.out or os.path.join(a.dirs[0], "plots")
            status |= report_plots.runs_plots(runs, labels, out)
    return status
