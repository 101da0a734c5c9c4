"""The plots of `ackbench report`: per run latency-MODE (total p50 solid, p99 dashed, per
protocol, log scales) and phases-MODE (stacked mean phases per protocol and size); with
several runs runs-MODE (total p50 by run). PNG 1100x650 and SVG."""

import os
import sys

from matplotlib.ticker import FuncFormatter

from . import plots
from .cmd_report import ORDER, human

PHASES4 = ("connect", "handshake", "exchange", "close")
COLOUR = {p: plots.colour(i) for i, p in enumerate(ORDER)}
SIZE = dict(width=11, height=6.5)


def draw(fig, base):
    os.makedirs(os.path.dirname(base) or ".", exist_ok=True)
    for p in plots.save(fig, base, dpi=100):
        print(f"plot: {p}")
    return 0


def size_axis(ax):
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=10)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: human(int(x)) + "B"
                                               if x >= 1 and float(x).is_integer() else ""))


def run_plots(rows, lbl, pd, bar_sizes):
    """latency-MODE and phases-MODE of one run; 1 when one could not be drawn."""
    status = 0
    for mode in sorted({k[1] for k in rows}):
        fig, ax = plots.figure(f"{lbl}: time per message ({mode}), p50 solid, p99 dashed",
                               xlabel="message size (bytes)",
                               ylabel="total time per message (microseconds)", **SIZE)
        for p in sorted({k[0] for k in rows if k[1] == mode}):
            pts = sorted((k[2], v) for k, v in rows.items()
                         if k[0] == p and k[1] == mode and k[3] == "total")
            xs = [s for s, _ in pts]
            ax.plot(xs, [v.p50 for _, v in pts], color=COLOUR.get(p), marker="o",
                    label=f"{p} p50")
            ax.plot(xs, [v.p99 for _, v in pts], color=COLOUR.get(p), marker="o",
                    markerfacecolor="none", linestyle="--", label=f"{p} p99")
        size_axis(ax)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
        status |= draw(fig, os.path.join(pd, f"latency-{mode}"))
        # Stacked phases: the sizes asked for, else those every protocol has.
        protos = {k[0] for k in rows if k[1] == mode}
        if bar_sizes:
            common = bar_sizes
        else:
            common = sorted(s for s in {k[2] for k in rows if k[1] == mode}
                            if all((p, mode, s, "total") in rows for p in protos))
        bars = []
        for s in common:
            for p in ORDER:
                if any(k[0] == p and k[1] == mode and k[2] == s for k in rows):
                    bars.append((f"{p} {human(s)}", [rows[(p, mode, s, ph)].mean
                                                     if (p, mode, s, ph) in rows else 0
                                                     for ph in PHASES4]))
        if not bars:
            print(f"report: {lbl} {mode}: no size common to every protocol for the stacked "
                  "bars (try -z)", file=sys.stderr)
            continue
        fig, ax = plots.figure(f"{lbl}: mean time of each phase ({mode}); the stack is the "
                               "mean total", ylabel="microseconds (mean)", **SIZE)
        bottom = [0.0] * len(bars)
        for j, ph in enumerate(PHASES4):
            vals = [b[1][j] for b in bars]
            ax.bar(range(len(bars)), vals, 0.75, bottom=bottom, label=ph,
                   color=plots.colour(j), edgecolor="black", linewidth=0.5)
            bottom = [x + y for x, y in zip(bottom, vals)]
        ax.set_xticks(range(len(bars)), [b[0] for b in bars], rotation=-45, ha="left",
                      rotation_mode="anchor")
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
        status |= draw(fig, os.path.join(pd, f"phases-{mode}"))
    return status


def runs_plots(runs, labels, out):
    """runs-MODE: total p50 against size, a line per run and protocol."""
    status = 0
    styles = ["-", "--", ":", "-."]
    for mode in ("per-message", "keep"):
        series = []
        for j, rows in enumerate(runs):
            for p in sorted({k[0] for k in rows if k[1] == mode}):
                pts = sorted((k[2], v.p50) for k, v in rows.items()
                             if k[0] == p and k[1] == mode and k[3] == "total")
                series.append((f"{labels[j]} {p}", p, styles[j % len(styles)], pts))
        if not series:
            continue
        fig, ax = plots.figure(f"total time per message ({mode}), p50, by run",
                               xlabel="message size (bytes)", ylabel="microseconds", **SIZE)
        for name, p, ls, pts in series:
            ax.plot([s for s, _ in pts], [v for _, v in pts], color=COLOUR.get(p),
                    linestyle=ls, marker="o", label=name)
        size_axis(ax)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
        status |= draw(fig, os.path.join(out, f"runs-{mode}"))
    return status
