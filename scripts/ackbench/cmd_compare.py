"""ackbench compare (scripts/compare.sh): TCP against TLS and UDP against DTLS from the
client summaries of a run directory, per mode and size, with the secure side's overhead
and its interval over the rounds."""

import os
import sys
from dataclasses import dataclass
from typing import Optional

from . import cli, reader, stats
from .records import PHASES
from .tables import Column, Table

PROG = "compare"
USAGE = """Usage: compare.sh [-p PHASE] [-t] DIR|FILE.json...
Reads the client summaries (--json files) in each DIR (its *.json files) or the FILEs
named, and prints, per mode and size, the p50 and p99 of PHASE for tcp and tls (each the
median over the rounds of the runs' own p50/p99), the overhead tls-tcp in microseconds
with its 95% interval, and the ratio tls/tcp; then the same for udp and dtls.
The overhead is the median of the per-round differences (tls of round N minus tcp of round
N), its interval distribution-free (sign test on their order statistics, 6 rounds or more);
'within noise' when the interval holds 0, "lower by X" when all of it is below 0, "(no CI)"
with fewer than 6 rounds. A size or protocol that only one side has shows '-'.
  -p PHASE  connect, handshake, exchange, close, total or cpu (default: total)
  -t        tab-separated values with a header row instead of the table
  -h        this text
Exit status: 0, 1 when no summary was found, 2 usage error.
"""
PAIRS = (("tcp", "tls"), ("udp", "dtls"))
MODES = ("per-message", "keep")


@dataclass
class Row:
    """One line of the comparison: plain side a against secure side b."""
    a: str
    b: str
    mode: str
    size: int
    a_p50: Optional[float]
    b_p50: Optional[float]
    a_p99: Optional[float]
    b_p99: Optional[float]
    over: Optional[stats.MedianCI]  # b - a, per round; None without a paired round
    rounds: int


def rows_of(summaries, phase="total", level=0.95):
    """The comparison rows of SUMMARIES for PHASE (a size with no sample of it is missing)."""
    p50, p99, by_round = {}, {}, {}
    for s in summaries:
        for z in s.sizes:
            ph = z.phase(phase)
            if ph is None:
                continue
            k = (s.proto, s.mode, z.size)
            p50.setdefault(k, []).append(ph.p50)
            p99.setdefault(k, []).append(ph.p99)
            by_round.setdefault(k, {})[s.round] = ph.p50
    med = {k: stats.median(v) for k, v in p50.items()}
    med99 = {k: stats.median(v) for k, v in p99.items()}
    protos = {k[0] for k in p50}
    out = []
    for a, b in PAIRS:
        if a not in protos and b not in protos:
            continue
        for m in MODES:
            for size in sorted({k[2] for k in p50 if k[1] == m}):
                ka, kb = (a, m, size), (b, m, size)
                if ka not in p50 and kb not in p50:
                    continue
                over = None
                if ka in by_round and kb in by_round:
                    d = stats.paired_differences(by_round[kb], by_round[ka])
                    over = stats.median_ci(d, level) if d else None
                out.append(Row(a, b, m, size, med.get(ka), med.get(kb), med99.get(ka),
                               med99.get(kb), over, len(p50.get(kb, p50.get(ka, [])))))
    return out


def over_text(ci):
    if ci is None:
        return "-"
    if not ci.has_interval:
        return f"+{ci.median:.1f} (no CI)" if ci.median > 0 else "n/a (no CI)"
    return stats.overhead_text(ci)


def ratio(x, y):
    return None if x is None or y is None or x <= 0 else f"{y / x:.2f}"


def diff(x, y):
    return "-" if x is None or y is None else f"{y - x:.1f}"


def render_text(rows, phase):
    lines = [f"# {phase} per message, microseconds: p50/p99 the median over the rounds of each "
             "run's own (nearest-rank); overhead: median of the per-round differences with its "
             "95% distribution-free interval"]
    last = None
    table = None
    for r in rows:
        if r.a != last:
            if table is not None:
                lines.append(table.text())
            last = r.a
            lines += ["", f"{r.a} vs {r.b} ({r.rounds} rounds)"]
            table = Table([Column("mode", 11, "<"), Column("size", 8),
                           Column(f"{r.a} p50", 9, fmt="{:.1f}"),
                           Column(f"{r.b} p50", 9, fmt="{:.1f}"),
                           Column("overhead p50 [95% CI]", 30, "<", sep="  "),
                           Column("x p50", 6), Column(f"{r.a} p99", 9, fmt="{:.1f}"),
                           Column(f"{r.b} p99", 9, fmt="{:.1f}")])
        ov = over_text(r.over)
        x = "~1" if r.over is not None and r.over.has_interval and ov == "within noise" \
            else ratio(r.a_p50, r.b_p50)
        table.add(r.mode, r.size, r.a_p50, r.b_p50, ov, x, r.a_p99, r.b_p99)
    if table is not None:
        lines.append(table.text())
    return "\n".join(lines) + "\n"


TSV_HEAD = ("a", "b", "mode", "size", "a_p50_us", "b_p50_us", "over_p50_us", "ratio_p50",
            "a_p99_us", "b_p99_us", "over_p99_us", "ratio_p99", "over_lo_us", "over_hi_us",
            "verdict", "rounds")


def render_tsv(rows):
    n = cli.num
    lines = ["\t".join(TSV_HEAD)]
    for r in rows:
        o = r.over
        lines.append("\t".join([
            r.a, r.b, r.mode, str(r.size), n(r.a_p50), n(r.b_p50), n(o.median if o else None),
            ratio(r.a_p50, r.b_p50) or "-", n(r.a_p99), n(r.b_p99), diff(r.a_p99, r.b_p99),
            ratio(r.a_p99, r.b_p99) or "-", n(o.lo if o else None), n(o.hi if o else None),
            over_text(o), str(r.rounds)]))
    return "\n".join(lines) + "\n"


def main(argv):
    ap = cli.Parser(PROG, USAGE)
    ap.add_argument("-p", dest="phase", default="total")
    ap.add_argument("-t", dest="tsv", action="store_true")
    ap.add_argument("paths", nargs="*")
    a = ap.parse(argv)
    if a.phase not in PHASES:
        return cli.fail(PROG, f"-p: unknown phase '{a.phase}' ({', '.join(PHASES)})", 2)
    if not a.paths:
        sys.stderr.write(USAGE)
        return 2
    for p in a.paths:
        if not os.path.exists(p):
            return cli.fail(PROG, f"'{p}': no such file or directory", 2)
    files = [p for p in a.paths if os.path.isfile(p)] + [
        f for p in a.paths if os.path.isdir(p) for f in os.listdir(p) if f.endswith(".json")]
    if not files:
        return cli.fail(PROG, f"no JSON summary in: {' '.join(a.paths)}")
    rows = rows_of(reader.summaries_in(a.paths), a.phase)
    if not rows:
        return cli.fail(PROG, f"no tcp/tls/udp/dtls summary in: {' '.join(a.paths)}")
    sys.stdout.write(render_tsv(rows) if a.tsv else render_text(rows, a.phase))
    return 0
