"""ackbench mcu-explore DIR: the configuration space a sweep of scripts/mcu-explore.sh
measured, as Pareto fronts over flash, RAM and instructions per full handshake (one per
protocol, key and side; all minimised), "the cheapest that fits" a part (--max-flash,
--max-ram, --max-ms at -f clock), what each axis buys against the shipped mcu config, and
an HTML report with the plots (flash and RAM against instructions, the front and the
shipped configs marked).

RAM of a point and side = the image's static RAM (.data + .bss) + that side's heap peak
+ its stack peak. The image holds BOTH endpoints, so its flash and static RAM count the
client and the server (a device running one side needs less). Times are instructions /
clock: ONE INSTRUCTION PER CYCLE, a lower bound, not a measurement of any chip."""

import argparse
import os
import sys
from dataclasses import dataclass
from typing import Dict, List, Optional

from . import html, plots, reader, stats
from .records import FormatError
from .tables import Column, Table

PROTOS = ("tls1.2", "tls1.3", "dtls1.2")
SIDES = ("client", "server")


@dataclass
class Metric:
    """One point on one (protocol, key, side): what the front is made of."""
    point: str
    shipped: str
    flash: int
    ram: int  # static + heap peak + stack peak
    instr: int  # full handshake, median
    ram_static: int
    heap_peak: int
    stack_peak: int
    resumed_instr: Optional[int] = None
    on_front: bool = False


def metrics(ex, proto, key, side, target=None):
    """The Metric of every point of EX (an reader.Explore) that ran and has a full
    handshake of PROTO/KEY on SIDE; the others are left out (see missing())."""
    hs: Dict[tuple, list] = {}
    for h in ex.handshakes:
        if h.proto == proto and h.key == key and h.side == side and \
                (target is None or h.target == target):
            hs.setdefault((h.target, h.hash), []).append(h)
    out = []
    for p in ex.points:
        rows = hs.get((p.target, p.hash))
        if p.status != "ok" or not rows or p.flash is None or p.ram_static is None:
            continue
        full = [h for h in rows if h.kind == "full"]
        if not full:
            continue
        res = [h for h in rows if h.kind == "resumed"]
        heap = max((h.heap_peak or 0) for h in rows)
        stack = max((h.stack_peak or 0) for h in rows)
        out.append(Metric(p.point, p.shipped, p.flash, p.ram_static + heap + stack,
                          full[0].instr, p.ram_static, heap, stack,
                          res[0].instr if res else None))
    return out


def mark_front(ms: List[Metric]):
    """Sets on_front on the points no other point beats in flash, RAM and instructions."""
    for i in stats.pareto_front([(m.flash, m.ram, m.instr) for m in ms]):
        ms[i].on_front = True
    return ms


def fits(ms: List[Metric], hz, max_flash=None, max_ram=None, max_ms=None):
    """The points within the limits, cheapest first: fewest instructions per full
    handshake, then less RAM, then less flash."""
    ok = [m for m in ms if (max_flash is None or m.flash <= max_flash)
          and (max_ram is None or m.ram <= max_ram)
          and (max_ms is None or m.instr / hz * 1000 <= max_ms)]
    return sorted(ok, key=lambda m: (m.instr, m.ram, m.flash, m.point))


def size_arg(text):
    """Bytes: 262144, 256K (x1024), 1M (x1048576)."""
    t = text.strip()
    mult = {"k": 1024, "m": 1024 * 1024}.get(t[-1:].lower(), 1)
    num = t[:-1] if mult > 1 else t
    try:
        v = float(num)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a size (bytes, K or M)") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive size")
    return int(v * mult)


def hz_arg(text):
    """A clock as scripts/mcu.sh -f takes it: 64M, 168MHz, 1.2G, 48000000."""
    t = text.strip()
    low = t.lower()
    if low.endswith("hz"):
        low = low[:-2]
    mult = {"k": 1e3, "m": 1e6, "g": 1e9}.get(low[-1:], 1)
    num = low[:-1] if mult > 1 else low
    try:
        v = float(num) * mult
    except ValueError:
        v = 0
    if not 1e3 <= v <= 1e10:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a clock frequency (e.g. 64M, 168MHz; 1 kHz..10 GHz)")
    return v


def positive(text):
    try:
        v = float(text)
    except ValueError:
        v = 0
    if v <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive number")
    return v


def base_point(ex, target):
    for p in ex.points:
        if p.target == target and p.shipped == "mcu" and p.status == "ok":
            return p
    return None


def axis_changes(ex, p, base):
    """The axes where P differs from BASE, as 'AXIS=V' (the base's value elsewhere)."""
    if base is None:
        return p.point
    d = [f"{a}={p.axes.get(a)}" for a in ex.axes if p.axes.get(a) != base.axes.get(a)]
    return ";".join(d) if d else "(the base)"


def front_table(ms, hz):
    t = Table([Column("point", 44, "<"), Column("shipped", 9, "<"), Column("flash", 8),
               Column("ram", 7), Column("static", 7), Column("heap", 7), Column("stack", 6),
               Column("instr_full", 11), Column("ms", 8, fmt="{:.1f}"), Column("front", 6)])
    for m in sorted(ms, key=lambda m: (not m.on_front, m.instr)):
        t.add(m.point, m.shipped or "", m.flash, m.ram, m.ram_static, m.heap_peak,
              m.stack_peak, m.instr, m.instr / hz * 1000, "*" if m.on_front else "")
    return t


def effect_table(ex, target, ms, hz):
    """What each point changes against the shipped mcu config (same protocol and side)."""
    base = base_point(ex, target)
    by = {m.point: m for m in ms}
    bm = by.get(base.point) if base else None
    t = Table([Column("change", 50, "<"), Column("d_flash", 8), Column("d_ram", 7),
               Column("d_instr", 11), Column("d_ms", 8, fmt="{:+.1f}"),
               Column("instr_ratio", 11, fmt="{:.3f}")])
    if bm is None:
        return t
    rows = []
    for p in ex.points:
        m = by.get(p.point)
        if p.target != target or m is None or m is bm:
            continue
        rows.append((axis_changes(ex, p, base), m))
    for ch, m in sorted(rows, key=lambda r: r[0]):
        t.add(ch, m.flash - bm.flash, m.ram - bm.ram, m.instr - bm.instr,
              (m.instr - bm.instr) / hz * 1000, m.instr / bm.instr)
    return t


def scatter(title, ms, ylabel, yof, hz):
    """Y (flash or RAM, KiB) against instructions (millions); the front joined and
    ringed, the shipped configs named."""
    fig, ax = plots.figure(title, xlabel="instructions per full handshake (millions)",
                           ylabel=ylabel)
    top = ax.secondary_xaxis("top", functions=(lambda x: x * 1e9 / hz, lambda t: t * hz / 1e9))
    top.set_xlabel(f"ms at {hz / 1e6:g} MHz (one instruction per cycle: a lower bound)")
    xs = [m.instr / 1e6 for m in ms]
    ys = [yof(m) / 1024 for m in ms]
    ax.scatter(xs, ys, color=plots.colour(0), marker=plots.MARKERS[0], s=18, label="point")
    fr = sorted((m for m in ms if m.on_front), key=lambda m: m.instr)
    if fr:
        ax.scatter([m.instr / 1e6 for m in fr], [yof(m) / 1024 for m in fr], s=60,
                   facecolors="none", edgecolors=plots.colour(1), linewidths=1.5,
                   label="on the front (flash, RAM, instructions)")
    sh = [m for m in ms if m.shipped]
    if sh:
        ax.scatter([m.instr / 1e6 for m in sh], [yof(m) / 1024 for m in sh], s=40,
                   color=plots.colour(2), marker=plots.MARKERS[1], label="shipped config")
        for m in sh:
            ax.annotate(m.shipped, (m.instr / 1e6, yof(m) / 1024), xytext=(5, 4),
                        textcoords="offset points", fontsize=8, color=plots.colour(2))
    ax.legend(fontsize=8)
    return fig


def main(argv):
    ap = argparse.ArgumentParser(prog="ackbench mcu-explore", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", metavar="DIR", help="a scripts/mcu-explore.sh output directory")
    ap.add_argument("-P", dest="proto", default="tls1.3", choices=PROTOS,
                    help="protocol of the front shown (default tls1.3)")
    ap.add_argument("-k", dest="key", default="ec256", help="key type (default ec256)")
    ap.add_argument("-S", dest="side", default="client", choices=SIDES,
                    help="side (default client)")
    ap.add_argument("-T", dest="target", default=None,
                    help="target (default: the first of the sweep)")
    ap.add_argument("-f", dest="hz", type=hz_arg, default=64e6,
                    help="clock of the time estimate (default 64M; 1 instruction per cycle)")
    ap.add_argument("--max-flash", type=size_arg, help="flash of the part (bytes, K, M)")
    ap.add_argument("--max-ram", type=size_arg, help="RAM of the part (bytes, K, M)")
    ap.add_argument("--max-ms", type=positive, help="longest full handshake, ms at -f")
    ap.add_argument("-o", dest="out", default=None,
                    help="where fronts.csv and report.html go (default DIR)")
    ap.add_argument("-q", dest="quiet", action="store_true", help="write files only")
    a = ap.parse_args(argv)
    if not os.path.isdir(a.dir):
        print(f"ackbench mcu-explore: '{a.dir}': not a directory", file=sys.stderr)
        return 2
    ex = reader.read_explore(a.dir)
    targets = list(dict.fromkeys(p.target for p in ex.points))
    target = a.target or (targets[0] if targets else None)
    if target not in targets:
        print(f"ackbench mcu-explore: -T: no target '{a.target}' in {a.dir} "
              f"(it has {', '.join(targets) or 'none'})", file=sys.stderr)
        return 2
    out = a.out or a.dir
    os.makedirs(out, exist_ok=True)

    # Every front: per target, protocol, key and side.
    keys = sorted({h.key for h in ex.handshakes})
    allf = Table([Column(n) for n in ("target", "proto", "key", "side", "point", "shipped",
                                      "flash", "ram", "ram_static", "heap_peak",
                                      "stack_peak", "instr_full", "instr_resumed",
                                      "est_ms", "on_front")])
    for t in targets:
        for pr in PROTOS:
            for k in keys:
                for s in SIDES:
                    for m in mark_front(metrics(ex, pr, k, s, t)):
                        allf.add(t, pr, k, s, m.point, m.shipped, m.flash, m.ram, m.ram_static,
                                 m.heap_peak, m.stack_peak, m.instr, m.resumed_instr,
                                 f"{m.instr / a.hz * 1000:.3f}", int(m.on_front))
    with open(os.path.join(out, "fronts.csv"), "w") as f:
        f.write(allf.csv())

    ms = mark_front(metrics(ex, a.proto, a.key, a.side, target))
    mhz = f"{a.hz / 1e6:g}"
    lines = [f"# {target}: {a.proto} {a.key} {a.side} side, {len(ms)} points that ran "
             f"(of {sum(p.target == target for p in ex.points)}); * = on the Pareto front "
             "over flash, RAM and instructions per full handshake",
             "# flash and static RAM are the image's: it holds BOTH endpoints. "
             "ram = static + heap peak + stack peak of this side.",
             f"# ms at {mhz} MHz = instructions / clock: ONE INSTRUCTION PER CYCLE "
             "ASSUMED (a lower bound, not a measurement of any chip)", ""]
    ft = front_table(ms, a.hz)
    lines.append(ft.text())
    refused = [p for p in ex.points if p.target == target and p.status != "ok"]
    if refused:
        lines += ["", "# points that did not run or did not pass:"]
        lines += [f"  {p.point}: {p.status}: {p.reason}" for p in refused]
    missing = [p.point for p in ex.points if p.target == target and p.status == "ok"
               and p.point not in {m.point for m in ms}]
    if missing:
        lines += ["", f"# without a {a.proto} {a.key} handshake (not on this front): "
                  + ", ".join(missing)]
    et = effect_table(ex, target, ms, a.hz)
    lines += ["", "# what each point changes against the shipped mcu config "
              f"({a.proto} {a.side} side; d_ = point - mcu)", et.text()]
    limits = [(a.max_flash, "flash <= {} B"), (a.max_ram, "RAM <= {} B"),
              (a.max_ms, "full handshake <= {} ms at " + mhz + " MHz")]
    asked = [txt.format(v) for v, txt in limits if v is not None]
    fit = None
    if asked:
        ok = fits(ms, a.hz, a.max_flash, a.max_ram, a.max_ms)
        lines.append("")
        if ok:
            fit = ok[0]
            lines.append(f"# the cheapest that fits ({', '.join(asked)}): {fit.point}"
                         f"{' (shipped ' + fit.shipped + ')' if fit.shipped else ''}: "
                         f"flash {fit.flash}, ram {fit.ram}, {fit.instr} instructions = "
                         f"{fit.instr / a.hz * 1000:.1f} ms ({len(ok)} of {len(ms)} fit)")
        else:
            lines.append(f"# nothing fits ({', '.join(asked)}): "
                         f"smallest flash {min((m.flash for m in ms), default=0)}, "
                         f"smallest RAM {min((m.ram for m in ms), default=0)}, "
                         f"fastest {min((m.instr for m in ms), default=0) / a.hz * 1000:.1f} ms")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out, "front.txt"), "w") as f:
        f.write(text)

    r = html.Report(f"ackbench mcu-explore: {target}")
    r.heading(f"Configuration space of the bare-metal image: {target}", 1)
    r.paragraph(f"{a.proto}, key {a.key}, {a.side} side. Flash and static RAM are the "
                "image's, which holds BOTH endpoints; RAM = static + this side's heap peak + "
                f"stack peak. ms at {mhz} MHz assumes ONE INSTRUCTION PER CYCLE: a lower "
                "bound, not a measurement of any chip. Environment: "
                + "; ".join(f"{k} {v}" for k, v in ex.env.items()
                            if k in ("date", "cpu", "mbedtls", "git", "sweep_seconds")))
    if ms:
        r.figure(scatter("Flash against instructions", ms, "flash (KiB)", lambda m: m.flash,
                         a.hz))
        r.figure(scatter("RAM (static + heap peak + stack peak) against instructions", ms,
                         "RAM (KiB)", lambda m: m.ram, a.hz))
    if fit is not None:
        r.paragraph(f"The cheapest that fits ({', '.join(asked)}): {fit.point}.")
    r.heading("Points (the front first)")
    r.table(ft)
    r.heading("What each point changes against the shipped mcu config")
    r.table(et)
    if refused:
        r.heading("Points that did not run or did not pass")
        rt = Table([Column("point", 0, "<"), Column("status", 0, "<"), Column("reason", 0, "<")])
        for p in refused:
            rt.add(p.point, p.status, p.reason)
        r.table(rt)
    with open(os.path.join(out, "report.html"), "w") as f:
        f.write(r.html())
    if not a.quiet:
        sys.stdout.write(text)
    return 0


__all__ = ["main", "metrics", "mark_front", "fits", "FormatError"]
