"""ackbench matrix-report (scripts/matrix-report.sh): summary.md, cells.csv and a
self-contained report.html from one or more matrix directories."""

import os
import sys

from . import cli, html, plots, reader, stats
from .matrix import Constraints, analyse, fmt_count
from .records import AXES
from .tables import Column, Table

PROG = "matrix-report"
USAGE = """Usage: matrix-report.sh [-o OUTDIR] [-L LEVEL] [--rank wall|cpu] [--max-heap N] [--max-bytes N] [--require AXIS=V]... DIR...
Reads each matrix directory DIR (several: side by side, e.g. board A and board B) and writes
OUTDIR/summary.md, OUTDIR/cells.csv and OUTDIR/report.html (default OUTDIR: the one DIR).
  -L LEVEL        confidence level of the intervals: 90, 95 (default), 99 or 99.9
  --rank cpu      rank by the client's CPU time per message instead of wall time (a busy
                  machine stretches wall time far more than CPU time)
  --max-heap N    the cheapest that fits: heap peak per connection at most N bytes (K=1024)
  --max-bytes N   ... and handshake bytes on the wire (both ways) at most N
  --require A=V   ... and axis A has value V (repeatable), e.g. --require tls=1.3
  -h              this text
Cost ranked: per-message cells by the overhead over plain TCP/UDP at the first size (the
handshake), keep cells by the overhead at the largest size (the record cost).
Intervals: distribution-free (sign test on the order statistics of the per-round p50s;
overheads on the per-round paired differences with the baseline of the same round).
"""


def f1(x):
    return "-" if x is None else f"{x:.1f}"


def with_ci(ci):
    """"p50 [lo..hi]" or the p50 alone without an interval."""
    if ci is None:
        return "-"
    if not ci.has_interval:
        return f1(ci.median)
    return f"{ci.median:.1f} [{ci.lo:.1f}..{ci.hi:.1f}]"


def vs_text(x, ci):
    if x.rank == 1:
        return "(cheapest)"
    return "-" if ci is None else stats.overhead_text(ci)


def render_csv(a):
    # The axes up to rep in their old places; newer ones (link) appended after every
    # other column, so that no column moves.
    old_axes = AXES[:AXES.index("rep") + 1]
    new_axes = AXES[len(old_axes):]
    head = ["matrix", "cell", "status", "reason", *old_axes, "size", "rounds",
            "p50_us", "p50_lo_us", "p50_hi_us", "ci_coverage", "overhead_us", "overhead_lo_us",
            "overhead_hi_us", "cpu_p50_us", "heap_peak_bytes", "handshake_bytes", "negotiated",
            *new_axes]
    t = Table([Column(h) for h in head])
    n = cli.num
    for r in a.rows:
        c, p, o, pr = r.cell, r.p50, r.over, r.probe
        t.add(r.label, c.cell, r.status, c.reason, *[c.axis(x) for x in old_axes],
              "-" if r.size is None else str(r.size), str(r.rounds),
              n(p.median if p else None), n(p.lo if p else None), n(p.hi if p else None),
              "-" if p is None or p.coverage is None else f"{p.coverage:.4f}",
              n(o.median if o else None), n(o.lo if o else None), n(o.hi if o else None),
              n(r.cpu), fmt_count(pr.heap_peak_bytes) if pr else "-",
              fmt_count(pr.handshake_bytes) if pr else "-", pr.negotiated if pr else "-",
              *[c.axis(x) for x in new_axes])
    return t.csv()


def render_md(a, pct, rank, cons):
    out = ["# ackbench matrix summary", ""]
    for label, m in a.meta.items():
        out.append(f"- {label}: host {m['host']}, {m['cpu']} ({m['cpus']} CPUs), git {m['git']}; "
                   f"seed {m['seed']}, {m['rounds']} rounds of {m['count']} messages per size "
                   f"({m['sizes']}); {m['pinning']}; load average before {m['load_before']}, "
                   f"after {m['load_after']}; runs took {m['run_seconds']} s")
    out += ["", f"""Method: every cell and the plain baseline (tcp for tls, udp for dtls, same mode) run once
per round, rounds in a shuffled order (the seed above), client and server pinned to
different CPUs. A run's p50 is its median over its messages; a cell's p50 is the median
over rounds with a {pct}% distribution-free interval (sign test: order statistics of the
per-round p50s). An overhead is the median of the per-round differences with the
baseline of the same round, with the same interval; 'within noise' when it contains 0.
Times in microseconds; cpu: the client's CPU time per message (its p50), less disturbed
by a busy machine than wall time; vs cheapest: the paired difference with the cheapest cell
of the table (wall time, then CPU time); bytes: handshake both ways; heap: Mbed TLS heap
peak per connection."""]
    ctext = cons.text()
    groups = {}
    for x in a.ranked:
        groups.setdefault(x.group, []).append(x)
    for (label, proto, mode), xs in groups.items():
        size = xs[0].row.size
        what = "the record cost" if mode == "keep" else "the handshake cost (first message included)"
        out += ["", f"## {label}: {proto} {mode}, ranked by {what} at {size} B"
                f"{' (client CPU time)' if rank == 'cpu' else ''}", ""]
        t = Table([Column(h) for h in ("#", "cell", f"overhead [{pct}% CI]", f"p50 [{pct}% CI]",
                                       "vs cheapest", "cpu p50", "cpu vs cheapest", "hs bytes",
                                       "heap peak")])
        for x in xs:
            r = x.row
            cost = "n/a (<6 rounds)" if r.over is None else stats.overhead_text(r.over)
            t.add(str(x.rank), r.cell.cell, cost, with_ci(r.p50), vs_text(x, x.vs), f1(r.cpu),
                  vs_text(x, x.vs_cpu), fmt_count(r.probe.handshake_bytes) if r.probe else "-",
                  fmt_count(r.probe.heap_peak_bytes) if r.probe else "-")
        out.append(t.markdown())
        if ctext:
            fit = next((x for x in xs if x.fits), None)
            if fit:
                cost = ("n/a (<6 rounds)" if fit.row.over is None
                        else stats.overhead_text(fit.row.over))
                verdict = f"{fit.row.cell.cell} ({cost})"
            else:
                verdict = "none (" + "; ".join(f"{x.row.cell.cell}: {' '.join(x.why)}"
                                               for x in xs) + ")"
            out += ["", f"The cheapest that fits ({ctext}): {verdict}"]
    out += ["", "## Every size", ""]
    t = Table([Column(h) for h in ("matrix", "cell", "size", "rounds", f"p50 [{pct}% CI]",
                                   f"overhead [{pct}% CI]", "cpu p50")])
    for r in a.rows:
        if r.status == "run":
            o = "(baseline)" if r.cell.is_baseline else stats.overhead_text(r.over)
            t.add(r.label, r.cell.cell, str(r.size), str(r.rounds), with_ci(r.p50), o,
                  f"{r.cpu or 0:.1f}")
    out += [t.markdown(), "", "## Skipped cells", ""]
    skipped = [f"- {r.label}: {r.cell.cell}: "
               f"{'every run failed: ' if r.status == 'failed' else ''}{r.cell.reason}"
               for r in a.rows if r.status != "run"]
    out += skipped or ["none"]
    out += ["", "## Negotiated (from each cell's probe run)", ""]
    seen = set()
    for r in a.rows:
        k = (r.label, r.cell.cell)
        if r.status == "run" and k not in seen and not r.cell.is_baseline:
            seen.add(k)
            out.append(f"- {r.label}: {r.cell.cell}: {r.probe.negotiated if r.probe else ''}")
    return "\n".join(out) + "\n"


def first_rows(a, pred):
    """The first row (smallest size) per matrix and cell among the rows PRED keeps."""
    seen, out = set(), []
    for r in a.rows:
        if r.status == "run" and not r.cell.is_baseline and pred(r) and \
                (r.label, r.cell.cell) not in seen:
            seen.add((r.label, r.cell.cell))
            out.append(r)
    return out


def bar_plot(title, unit, rows, value, several, fmt="{:.1f}"):
    if not rows:
        return None
    fig, ax = plots.figure(title, xlabel=unit)
    vals = [value(r) for r in rows]
    plots.bars(ax, [r.cell.cell + (f" ({r.label})" if several else "") for r in rows],
               [v[0] for v in vals], [v[1] for v in vals], [v[2] for v in vals],
               series=[r.label for r in rows], fmt=fmt)
    return fig


def render_html(a, summary_md, pct):
    several = len({r.label for r in a.rows}) > 1
    rep = html.Report("ackbench matrix report")
    rep.markdown(summary_md)
    rep.heading("Plots")
    rep.paragraph(f"Whiskers: {pct}% distribution-free intervals over the rounds (see Method).")

    def cost(r):
        if r.over is None:
            return r.p50.median, None, None
        return r.over.median, r.over.lo, r.over.hi

    figs = [bar_plot("Handshake cost per configuration: per-message p50 over the plain "
                     "baseline (first size)", "microseconds",
                     first_rows(a, lambda r: r.cell.mode == "per-message"), cost, several)]
    keep = [r for r in a.rows if r.status == "run" and r.cell.mode == "keep"
            and not r.cell.is_baseline and r.over is not None]
    if keep:
        series = {}
        for r in keep:
            name = (f"{r.label} " if several else "") + r.cell.cell
            s = series.setdefault(name, ([], [], [], []))
            for lst, v in zip(s, (r.size, r.over.median, r.over.lo, r.over.hi)):
                lst.append(v)
        fig, ax = plots.figure("Record cost against message size per configuration (keep: p50 "
                               "over plain TCP/UDP)", xlabel="message size, bytes (log scale)",
                               ylabel="microseconds over the baseline", height=4.5)
        plots.lines(ax, series, logx=True)
        ax.axhline(0, color="#888888", linewidth=0.8, linestyle="--")
        figs.append(fig)
    else:
        figs.append(None)
    heap = first_rows(a, lambda r: r.probe is not None and r.probe.heap_peak_bytes is not None)
    figs.append(bar_plot("Heap peak per connection per configuration (Mbed TLS heap, probe run)",
                         "bytes", heap, lambda r: (r.probe.heap_peak_bytes, None, None), several,
                         "{:.0f}"))
    hsb = first_rows(a, lambda r: r.probe is not None and r.probe.handshake_bytes is not None)
    figs.append(bar_plot("Handshake bytes on the wire per configuration (both ways, probe run)",
                         "bytes", hsb, lambda r: (r.probe.handshake_bytes, None, None), several,
                         "{:.0f}"))
    for fig in figs:
        if fig is None:
            rep.paragraph("(no data for this plot)")
        else:
            rep.figure(fig)
    return rep.html()


def parse_bytes(opt, v):
    t = v[:-1] if v[-1:] in ("K", "k") else v
    if not t.isdigit() or int(t) == 0:
        raise cli.UsageError(f"{opt}: '{v}' is not a size (a number, K = 1024)")
    return int(t) * (1024 if t != v else 1)


def main(argv):
    ap = cli.Parser(PROG, USAGE)
    ap.add_argument("-o", dest="out")
    ap.add_argument("-L", dest="level", default="95")
    ap.add_argument("--rank", default="wall")
    ap.add_argument("--max-heap")
    ap.add_argument("--max-bytes")
    ap.add_argument("--require", action="append", default=[])
    ap.add_argument("dirs", nargs="*")
    a = ap.parse(argv)
    try:
        level = stats.level_of(a.level)
        if a.rank not in ("wall", "cpu"):
            raise cli.UsageError(f"--rank: '{a.rank}' is not wall or cpu")
        cons = Constraints(parse_bytes("--max-heap", a.max_heap) if a.max_heap else None,
                           parse_bytes("--max-bytes", a.max_bytes) if a.max_bytes else None)
        for q in a.require:
            k, _, v = q.partition("=")
            if not k or not v:
                raise cli.UsageError(f"--require: '{q}' is not AXIS=V")
            cons.requires.append((k, v))
    except ValueError as e:
        return cli.fail(PROG, f"-L: {e}", 2)
    except cli.UsageError as e:
        return cli.fail(PROG, str(e), 2)
    if not a.dirs:
        sys.stderr.write(USAGE)
        return 2
    for d in a.dirs:
        if not os.path.isfile(os.path.join(d, "cells.tsv")):
            return cli.fail(PROG, f"'{d}' is not a matrix directory (no cells.tsv)", 2)
    mats = []
    for i, d in enumerate(a.dirs, start=1):
        label = os.path.basename(os.path.abspath(d))
        if len(a.dirs) > 1:
            label = f"{i}:{label}"
        mats.append((label, reader.read_matrix(d, label)))
    res = analyse(mats, level, a.rank, cons)
    out = a.out or a.dirs[0]
    os.makedirs(out, exist_ok=True)
    md = render_md(res, a.level, a.rank, cons)
    with open(os.path.join(out, "cells.csv"), "w") as f:
        f.write(render_csv(res))
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write(md)
    with open(os.path.join(out, "report.html"), "w") as f:
        f.write(render_html(res, md, a.level))
    print(f"{PROG}: wrote {out}/summary.md, {out}/cells.csv, {out}/report.html", file=sys.stderr)
    return 0
