"""ackbench fleet (scripts/fleet.sh's report): one report for a fleet run directory, every
pair of boards and protocol with its handshake and record cost and their intervals over the
rounds, the boards side by side, a board x board table of the TLS and DTLS handshake,
plots and one self-contained HTML page."""

import os
import re
import sys
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from . import cli, html, plots, reader, stats
from .tables import Column, Table

PROG = "fleet"
USAGE = """Usage: python3 -m ackbench fleet [-o DIR] [-L LEVEL] RUN
Reads a fleet run directory (scripts/fleet.sh: schedule.tsv, boards/, pairs/) and writes
into DIR (RUN/report): report.txt (the tables below), report.md, pairs.tsv (one row per
pair, stack, protocol, mode and size), handshake.tsv (the board x board tables), plots
(PNG and SVG) and index.html; prints report.txt.
  per pair (client -> server), stack, protocol, mode and size: the handshake p50 and the
    total p50 (the median over the rounds of each run's own p50, with its distribution-
    free interval), and the record cost of TLS over TCP (DTLS over UDP): the median of the
    per-round differences of the exchange p50, with its interval (6 rounds or more at 95%)
  per board: its architecture and CPU, and the median TLS/DTLS handshake of the pairs it
    serves and of the pairs it is the client of
  per stack and secure protocol: client (rows) x server (columns) handshake p50 of the
    per-message runs at the smallest size
  -o DIR    output directory (RUN/report)
  -L LEVEL  confidence level of the intervals: 90, 95, 99 or 99.9 (95)
Exit status: 0, 1 when the run holds no client result yet, 2 usage error.
"""
SECURE = (("tls", "tcp"), ("dtls", "udp"))
PROTOS = ("tcp", "tls", "udp", "dtls")
MODES = ("per-message", "keep")
# More pairs than this: the per-pair bar plot gives way to the board x board heat maps.
MAX_PAIR_BARS = 40


@dataclass
class Point:
    """The p50s of one client run: one round of a pair, stack, protocol, mode and size."""
    client: str
    server: str
    stack: str
    round: int
    proto: str
    mode: str
    size: int
    handshake: Optional[float]
    exchange: Optional[float]
    total: Optional[float]


@dataclass
class PairRow:
    client: str
    server: str
    stack: str
    proto: str
    mode: str
    size: int
    rounds: int
    handshake: Optional[stats.MedianCI]
    total: Optional[stats.MedianCI]
    record: Optional[stats.MedianCI]  # secure exchange - plain exchange, per round


def natural(name):
    """board2 before board10."""
    return [int(t) if t.isdigit() else t for t in re.split(r"([0-9]+)", name)]


def points_of(run) -> List[Point]:
    out = []
    for m in run.measurements:
        for s in m.summaries:
            for z in s.sizes:
                ph = {k: z.phase(k) for k in ("handshake", "exchange", "total")}
                if ph["total"] is None:
                    continue
                out.append(Point(m.client, m.server, m.stack, m.round, s.proto, s.mode, z.size,
                                 ph["handshake"].p50 if ph["handshake"] else None,
                                 ph["exchange"].p50 if ph["exchange"] else None,
                                 ph["total"].p50))
    return out


def _ci(values, level):
    values = [v for v in values if v is not None]
    return stats.median_ci(values, level) if values else None


def pair_rows(points, level=0.95) -> List[PairRow]:
    by: Dict[tuple, List[Point]] = {}
    for p in points:
        by.setdefault((p.client, p.server, p.stack, p.proto, p.mode, p.size), []).append(p)
    rows = []
    for key in sorted(by, key=lambda k: (natural(k[0]), natural(k[1]), k[2],
                                         PROTOS.index(k[3]) if k[3] in PROTOS else 9,
                                         MODES.index(k[4]) if k[4] in MODES else 9, k[5])):
        c, s, st, proto, mode, size = key
        ps = by[key]
        record = None
        plain = dict(SECURE).get(proto)
        if plain is not None and (c, s, st, plain, mode, size) in by:
            mine = {p.round: p.exchange for p in ps if p.exchange is not None}
            ref = {p.round: p.exchange for p in by[(c, s, st, plain, mode, size)]
                   if p.exchange is not None}
            d = stats.paired_differences(mine, ref)
            record = stats.median_ci(d, level) if d else None
        rows.append(PairRow(c, s, st, proto, mode, size, len(ps),
                            _ci([p.handshake for p in ps], level) if plain else None,
                            _ci([p.total for p in ps], level), record))
    return rows


def handshake_grid(points, stack, proto) -> Tuple[Optional[int], Dict[tuple, float]]:
    """(size, {(client, server): median over the rounds of the handshake p50}) of the
    per-message runs at their smallest size."""
    ps = [p for p in points if p.stack == stack and p.proto == proto and p.mode == "per-message"
          and p.handshake is not None]
    if not ps:
        return None, {}
    size = min(p.size for p in ps)
    by: Dict[tuple, list] = {}
    for p in ps:
        if p.size == size:
            by.setdefault((p.client, p.server), []).append(p.handshake)
    return size, {k: stats.median(v) for k, v in by.items()}


def ci_text(ci) -> Optional[str]:
    if ci is None:
        return None
    if not ci.has_interval:
        return f"{ci.median:.1f}"
    return f"{ci.median:.1f} [{ci.lo:.1f}..{ci.hi:.1f}]"


def record_text(ci) -> Optional[str]:
    if ci is None:
        return None
    if not ci.has_interval:
        return f"{ci.median:+.1f} (no CI)"
    return stats.overhead_text(ci)


def pairs_table(rows) -> Table:
    w = max([4] + [len(r.client) + len(r.server) + 4 for r in rows])
    t = Table([Column("pair", w, "<"), Column("stack", 8, "<", sep="  "),
               Column("proto", 5, "<"), Column("mode", 11, "<"), Column("size", 6),
               Column("rounds", 6), Column("handshake p50 us", 26, "<", sep="  "),
               Column("total p50 us", 26, "<", sep="  "),
               Column("record cost us", 28, "<", sep="  ")])
    for r in rows:
        t.add(f"{r.client} -> {r.server}", r.stack, r.proto, r.mode, r.size, r.rounds,
              ci_text(r.handshake), ci_text(r.total), record_text(r.record))
    return t


def grid_table(grid, boards) -> Table:
    used = [b for b in boards if any(b in k for k in grid)]
    w = max([6] + [len(b) for b in used])
    t = Table([Column("client \\ server", max(15, w), "<")] +
              [Column(b, w, ">") for b in used])
    for c in used:
        t.add(c, *[f"{grid[(c, s)]:.0f}" if (c, s) in grid else ("x" if c == s else None)
                   for s in used])
    return t


def board_table(run, points, stacks) -> Table:
    cols = [Column("board", 10, "<"), Column("arch", 8, "<", sep="  "),
            Column("status", 8, "<", sep="  "), Column("cpu", 28, "<", sep="  ")]
    secure = [(st, p) for st in stacks for p, _ in SECURE
              if any(q.stack == st and q.proto == p for q in points)]
    for st, p in secure:
        cols += [Column(f"{p} hs as client", 16, sep="  "), Column(f"{p} hs as server", 16)]
    t = Table(cols)
    for b in run.boards:
        info = run.board_info.get(b, {})
        row = [b, info.get("arch"), info.get("status"), info.get("cpu")]
        for st, p in secure:
            for side in ("client", "server"):
                v = [q.handshake for q in points if q.stack == st and q.proto == p and
                     q.mode == "per-message" and getattr(q, side) == b and q.handshake is not None]
                row.append(f"{stats.median(v):.1f}" if v else None)
        t.add(*row)
    return t


def grid_figure(grid, boards, title):
    used = [b for b in boards if any(b in k for k in grid)]
    n = len(used)
    side = min(3.0 + 0.45 * n, 16.0)
    fig, ax = plots.figure(title, xlabel="server", ylabel="client", width=side + 2.0,
                           height=side)
    data = [[grid.get((c, s), float("nan")) for s in used] for c in used]
    im = ax.imshow(data, cmap="viridis", aspect="auto")
    small = 7 if n > 10 else 9
    ax.set_xticks(range(n), used, rotation=90 if n > 6 else 0, fontsize=small)
    ax.set_yticks(range(n), used, fontsize=small)
    ax.grid(False)
    if n <= 12:
        vals = list(grid.values())
        mid = (min(vals) + max(vals)) / 2
        for i, c in enumerate(used):
            for j, s in enumerate(used):
                if (c, s) in grid:  # dark text on the light (high) end of viridis
                    ax.text(j, i, f"{grid[(c, s)]:.0f}", ha="center", va="center",
                            color="black" if grid[(c, s)] > mid else "white", fontsize=small)
    fig.colorbar(im, ax=ax, label="handshake p50 (us)")
    return fig


def pair_bars(rows, stack, proto):
    """Total p50 per pair (per-message, smallest size) with its interval."""
    rs = [r for r in rows if r.stack == stack and r.proto == proto and r.mode == "per-message"]
    if not rs or len({(r.client, r.server) for r in rs}) > MAX_PAIR_BARS:
        return None
    size = min(r.size for r in rs)
    rs = [r for r in rs if r.size == size and r.total is not None]
    fig, ax = plots.figure(f"{proto} per message, {size} B, {stack}: total p50 per pair",
                           xlabel="microseconds (whiskers: interval over the rounds)")
    plots.bars(ax, [f"{r.client} -> {r.server}" for r in rs], [r.total.median for r in rs],
               [r.total.lo for r in rs], [r.total.hi for r in rs])
    return fig


def main(argv):
    ap = cli.Parser(PROG, USAGE)
    ap.add_argument("-o", dest="out")
    ap.add_argument("-L", dest="level", default="95")
    ap.add_argument("paths", nargs="*")
    a = ap.parse(argv)
    try:
        level = stats.level_of(a.level)
    except ValueError as e:
        return cli.fail(PROG, f"-L: {e}", 2)
    if len(a.paths) != 1:
        sys.stderr.write(USAGE)
        return 2
    if not os.path.isfile(os.path.join(a.paths[0], "schedule.tsv")):
        return cli.fail(PROG, f"'{a.paths[0]}': not a fleet run directory (no schedule.tsv)", 2)
    run = reader.read_fleet(a.paths[0])
    points = points_of(run)
    if not points:
        return cli.fail(PROG, f"{run.path}: no client result yet")
    out = a.out or os.path.join(run.path, "report")
    os.makedirs(out, exist_ok=True)
    rows = pair_rows(points, level)
    stacks = sorted({p.stack for p in points})
    pct = f"{level * 100:g}%"
    ok = sum(1 for m in run.measurements if m.status.startswith("ok"))
    head = (f"# fleet report: {run.path}\n"
            f"{len(run.boards)} boards, {len({(m.client, m.server) for m in run.measurements})} "
            f"pairs, {ok} of {len(run.measurements)} measurements ok.\n"
            f"Microseconds. p50: the median over the rounds of each run's own p50, [{pct} "
            "distribution-free interval] where there are enough rounds (6 at 95%); record "
            "cost: the median of the per-round differences of the exchange p50, TLS minus "
            "TCP and DTLS minus UDP, same pair, same round.\n")
    failed = [f"{m.client} -> {m.server} {m.stack} r{m.round}: {m.status or 'not run'}"
              for m in run.measurements if not m.status.startswith("ok")]
    text = [head]
    md = [head]
    rep = html.Report("ackbench fleet report")
    rep.heading("Fleet report", 1)
    rep.paragraph(head.replace("# fleet report: ", "").replace("\n", " "))
    bt = board_table(run, points, stacks)
    text += ["## Boards", bt.text(), ""]
    md += ["## Boards", bt.markdown(), ""]
    rep.heading("Boards")
    rep.table(bt)
    if failed:
        text += ["## Not measured", *failed, ""]
        md += ["## Not measured", *[f"- {f}" for f in failed], ""]
        rep.heading("Not measured")
        rep.markdown("\n".join(f"- {f}" for f in failed))
    tsv = ["\t".join(("client", "server", "stack", "proto", "size", "handshake_p50_us"))]
    rep.heading("Handshake, board x board")
    for st in stacks:
        for proto, _ in SECURE:
            size, grid = handshake_grid(points, st, proto)
            if not grid:
                continue
            title = f"{proto} handshake p50 (us), {st}, per message, {size} B: client x server"
            gt = grid_table(grid, run.boards)
            text += [f"## {title}", gt.text(), ""]
            md += [f"## {title}", gt.markdown(), ""]
            tsv += [f"{c}\t{s}\t{st}\t{proto}\t{size}\t{cli.num(v)}" for (c, s), v in sorted(grid.items())]
            fig = grid_figure(grid, run.boards, f"{proto} handshake, {st}")
            plots.save(fig, os.path.join(out, f"handshake-{proto}-{st}"))
            rep.paragraph(title)
            rep.table(gt)
            rep.figure(fig)
    pt = pairs_table(rows)
    text += ["## Pairs", pt.text(), ""]
    md += ["## Pairs", pt.markdown(), ""]
    rep.heading("Pairs")
    for st in stacks:
        for proto in PROTOS:
            fig = pair_bars(rows, st, proto)
            if fig is not None:
                plots.save(fig, os.path.join(out, f"pairs-{proto}-{st}"))
                rep.figure(fig)
    rep.table(pt)
    n = cli.num
    ptsv = ["\t".join(("client", "server", "stack", "proto", "mode", "size", "rounds",
                       "handshake_p50_us", "handshake_lo", "handshake_hi", "total_p50_us",
                       "total_lo", "total_hi", "record_us", "record_lo", "record_hi"))]
    for r in rows:
        cells = [r.client, r.server, r.stack, r.proto, r.mode, str(r.size), str(r.rounds)]
        for ci in (r.handshake, r.total, r.record):
            cells += [n(ci.median if ci else None), n(ci.lo if ci else None), n(ci.hi if ci else None)]
        ptsv.append("\t".join(cells))
    files = {"report.txt": "\n".join(text), "report.md": "\n".join(md),
             "pairs.tsv": "\n".join(ptsv) + "\n", "handshake.tsv": "\n".join(tsv) + "\n",
             "index.html": rep.html()}
    for name, body in files.items():
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write(body)
    sys.stdout.write(files["report.txt"])
    return 0
