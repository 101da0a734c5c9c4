"""Plots with matplotlib's object API in one style (readable on screen and in print:
the colour-blind-safe Tol palette, markers as well as colours, grid, sans-serif).

    fig, ax = figure("Handshake cost", xlabel="microseconds")
    bars(ax, labels, values, lo, hi)        # horizontal bars with interval whiskers
    lines(ax, {"tls": (xs, ys, lo, hi)})    # series against x, optional whiskers
    save(fig, "out/plot")                   # out/plot.png and out/plot.svg
    svg_text(fig)                           # inline SVG for html.Report
"""

import io
import re
import textwrap

import matplotlib

matplotlib.use("Agg")  # no display: files only
from matplotlib.figure import Figure  # noqa: E402  (after use())

# Paul Tol's "bright" scheme: distinct for colour-blind readers and in grey print.
COLOURS = ["#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb",
           "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
STYLE = {
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",  # text stays text in SVG: searchable, small
    "svg.hashsalt": "ackbench",  # the same input gives the same SVG
    "savefig.dpi": 150,
}


def figure(title, xlabel="", ylabel="", width=8.0, height=4.0):
    """A figure with one axes in the house style (matplotlib.figure.Figure: no pyplot
    state, so a report can make many)."""
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(width, height), layout="constrained")
        ax = fig.add_subplot()
    # The figure's title, at its left edge and wrapped to its width (an axes title starts
    # after the bars' labels and ran off the edge); constrained layout makes room for it.
    title = "\n".join(textwrap.fill(t, int(width * 12)) for t in title.split("\n"))
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold",
                 fontsize=STYLE["axes.titlesize"])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig._ackbench_style = STYLE
    return fig, ax


def figure_cols(title, n, xlabel="", ylabel="", width=11.0, height=3.6):
    """A figure with N axes side by side sharing the y axis, in the house style."""
    fig, ax = figure(title, xlabel, ylabel, width, height)
    fig.delaxes(ax)
    with matplotlib.rc_context(STYLE):
        axes = fig.subplots(1, n, sharey=True)
    for a in axes:
        a.set_xlabel(xlabel)
    axes[0].set_ylabel(ylabel)
    return fig, list(axes)


def colour(i):
    return COLOURS[i % len(COLOURS)]


def bars(ax, labels, values, lo=None, hi=None, series=None, fmt="{:.1f}"):
    """Horizontal bars, top to bottom in the order given, with [lo, hi] whiskers where
    both are given (None: no whisker for that bar) and the value written beside each (in
    FMT). SERIES: a name per bar (bars of one series share a colour; a legend names them)."""
    n = len(labels)
    ys = list(range(n))[::-1]
    names = list(dict.fromkeys(series)) if series else []
    cols = [colour(names.index(s)) if series else colour(0) for s in (series or [None] * n)]
    ax.barh(ys, values, color=cols, height=0.7)
    for i, y in enumerate(ys):
        if lo is not None and hi is not None and lo[i] is not None and hi[i] is not None:
            e = ax.errorbar([values[i]], [y], xerr=[[values[i] - lo[i]], [hi[i] - values[i]]],
                            fmt="none", ecolor="black", capsize=3, linewidth=1)
            mark(e, "whisker", i)
        right = max(values[i], hi[i] if hi is not None and hi[i] is not None else values[i])
        ax.annotate(fmt.format(values[i]), (right, y), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.set_yticks(ys, labels)
    ax.margins(x=0.18)  # room for the values written right of the bars
    ax.axvline(0, color="#888888", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    if len(names) > 1:
        from matplotlib.patches import Patch
        ax.legend(handles=[Patch(color=colour(i), label=s) for i, s in enumerate(names)],
                  loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.figure.set_figheight(max(2.0, 0.8 + 0.22 * n))


def lines(ax, series, logx=False):
    """SERIES: name -> (xs, ys) or (xs, ys, lo, hi); lo/hi lists may hold None."""
    for i, (name, s) in enumerate(series.items()):
        xs, ys = s[0], s[1]
        (ln,) = ax.plot(xs, ys, marker=MARKERS[i % len(MARKERS)], color=colour(i), label=name,
                        linewidth=1.5, markersize=4)
        ln.set_gid(f"series-{i}")
        if len(s) == 4:
            for j, (x, y, lo, hi) in enumerate(zip(xs, ys, s[2], s[3])):
                if lo is not None and hi is not None:
                    e = ax.errorbar([x], [y], yerr=[[y - lo], [hi - y]], fmt="none",
                                    ecolor=colour(i), capsize=2, linewidth=1)
                    mark(e, "whisker", f"{i}-{j}")
    if logx:
        # A log axis ticked at the x values themselves (message sizes: 64, 1024, ...).
        ax.set_xscale("log", base=2)
        xs = sorted({x for s in series.values() for x in s[0]})
        ax.set_xticks(xs, [f"{x:g}" for x in xs])
        ax.minorticks_off()
    if series:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)


def mark(container, kind, n):
    """Names an errorbar's lines KIND-N-K in SVG, with class KIND (svg_text): a report's
    style sheet or a test can find the whiskers."""
    for k, a in enumerate(container.get_children()):
        a.set_gid(f"{kind}-{n}-{k}")


def save(fig, base, formats=("png", "svg"), dpi=None):
    """BASE.png and BASE.svg (or the FORMATS given; DPI: the PNG's pixels per inch, 150
    by default); returns the paths."""
    out = []
    with matplotlib.rc_context(STYLE):
        for ext in formats:
            fig.savefig(f"{base}.{ext}", format=ext, dpi=dpi or STYLE["savefig.dpi"])
            out.append(f"{base}.{ext}")
    return out


GID_RE = re.compile(r'<g id="(whisker|series)-([0-9-]+)"')


def svg_text(fig, css_class="plot"):
    """The figure as an inline <svg class=CSS_CLASS> element (no XML prologue, no
    DOCTYPE); the groups of series lines and whiskers get class="series"/"whisker"."""
    buf = io.StringIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format="svg")
    s = buf.getvalue()
    s = s[s.index("<svg"):].replace("<svg ", f'<svg class="{css_class}" ', 1)
    return GID_RE.sub(r'<g id="\1-\2" class="\1"', s)
