"""The swimlane diagrams of `ackbench timeline`: per configuration its median connection
(by the client's handshake time), client and server as two lanes, time downwards, an arrow
per message, the senders' compute shaded. OUTDIR/swimlane-N.{png,svg}; OUTDIR/swimlanes.txt
says which configuration each N is."""

import os

from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from . import plots

CLIENT, SERVER, RESENT, WAIT = "#1f5fbf", "#bf3f1f", "#2f9f2f", "#7f7f7f"
GAP, SPAN = "#f4a640", "#f9d49c"


def medians(merged):
    """(cfg, run, seq) of each configuration's median connection (the lower median of the
    client's handshake times), configurations in sorted order."""
    by = {}
    for c in merged.conns:
        if c["side"] == "client":
            by.setdefault(c["config"], []).append((c["handshake_us"], c["run_id"], c["seq"]))
    out = []
    for cf in sorted(by):
        v = sorted(by[cf])
        _, run, seq = v[(len(v) + 1) // 2 - 1]
        out.append((cf, run, seq))
    return out


def swimlane(cf, run, seq, ms, gaps):
    ends = [x for m in ms for x in (m.tx, m.rx) if x is not None]
    c0 = ms[0].c0
    ymax = (max(ends) - c0) / 1000 * 1.05 + 0.01 if ends else 1
    fig, ax = plots.figure(f"{cf}\nmedian connection (run {run}, message {seq})",
                           ylabel="ms since the client started the connection",
                           width=9, height=9)
    for g in gaps:
        x = 0 if g[3] == "client" else 1
        ax.add_patch(Rectangle((x - 0.07, g[4] / 1000), 0.14, (g[5] - g[4]) / 1000, color=GAP,
                               alpha=0.7, linewidth=0, zorder=0))
        if g[6] is not None and g[6] > g[5]:
            ax.add_patch(Rectangle((x - 0.07, g[5] / 1000), 0.14, (g[6] - g[5]) / 1000,
                                   color=SPAN, alpha=0.7, linewidth=0, zorder=0))
    for x in (0, 1):
        ax.plot([x, x], [0, ymax], color="#888888", linewidth=2, zorder=1)
    lasty, last_from = None, None
    for m in ms:
        xs = 0 if m.sender == "client" else 1
        xr = 1 - xs
        col = RESENT if m.re else (CLIENT if xs == 0 else SERVER)
        tx = None if m.tx is None else (m.tx - c0) / 1000
        rx = None if m.rx is None else (m.rx - c0) / 1000
        ar = None if m.arr is None else (m.arr - c0) / 1000
        # without a send row (a stateless HelloVerifyRequest): from half way, as it arrived
        ys = tx if tx is not None else (ar if ar is not None else rx)
        x0 = xs if tx is not None else 0.5
        yr = ar if ar is not None else (rx if rx is not None else ys)
        xe = xr if rx is not None else 0.5  # not received in the handshake: half way
        ax.annotate("", xy=(xe, yr), xytext=(x0, ys), zorder=3,
                    arrowprops=dict(arrowstyle="-|>", color=col, linewidth=1.5,
                                    linestyle="--" if m.re else "-"))
        if ar is not None and rx is not None and rx - ar > 0:  # waited in the buffer
            xb = xr + (0.03 if xr else -0.03)
            ax.plot([xb, xb], [yr, rx], color=WAIT, linestyle=":", linewidth=3, zorder=2)
        # labels beside the sender, moved down when rows share a time (one datagram)
        ly = ys
        if lasty is not None and m.sender == last_from and ly - lasty < ymax / 45:
            ly = lasty + ymax / 45
        lasty, last_from = ly, m.sender
        label = m.label + (" (resent)" if m.re else "") + (" (no receive row)" if rx is None else "")
        ax.text(-0.1 if xs == 0 else 1.1, ly, label, fontsize=8, va="center",
                ha="right" if xs == 0 else "left")
    ax.set_xlim(-0.7, 1.7)
    ax.set_ylim(ymax, 0)
    ax.set_xticks([0, 1], ["client", "server"])
    ax.grid(axis="x", visible=False)
    ax.legend(handles=[Patch(color=GAP, alpha=0.7, label="compute: last received .. first sent"),
                       Patch(color=SPAN, alpha=0.7, label="compute within the flight"),
                       Line2D([], [], color=CLIENT, linewidth=1.5, label="client -> server"),
                       Line2D([], [], color=SERVER, linewidth=1.5, label="server -> client"),
                       Line2D([], [], color=RESENT, linewidth=1.5, linestyle="--",
                              label="resent (DTLS timer)"),
                       Line2D([], [], color=WAIT, linewidth=3, linestyle=":",
                              label="arrived, waiting to be read")],
              loc="upper center", bbox_to_anchor=(0.5, -0.05), ncol=3, fontsize=8)
    return fig


class _M:
    """A message with what the plot needs, relative to nothing (c0 carried along)."""

    def __init__(self, m, c0):
        from .timeline import abbrev
        self.sender, self.tx, self.rx, self.arr, self.re = m.sender, m.tx, m.rx, m.arr, m.re
        self.label, self.c0 = abbrev(m.type, m.st), c0


def plot_all(merged, outdir):
    lines = []
    msgs = {(cf, run, seq): (ms, c0) for cf, _, run, seq, ms, _, c0 in merged.msgs}
    for i, (cf, run, seq) in enumerate(medians(merged), start=1):
        ms, c0 = msgs[(cf, run, seq)]
        gaps = [g for g in merged.gaps if g[:3] == (cf, run, seq)]
        fig = swimlane(cf, run, seq, [_M(m, c0) for m in ms], gaps)
        plots.save(fig, os.path.join(outdir, f"swimlane-{i}"))
        lines.append(f"swimlane-{i}: {cf} (run {run}, message {seq})")
        print(lines[-1], flush=True)
    with open(os.path.join(outdir, "swimlanes.txt"), "w") as f:
        f.write("".join(x + "\n" for x in lines))
    return 0
