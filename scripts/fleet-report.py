#!/usr/bin/python3
"""fleet-report.py - one report for a fleet run directory (scripts/fleet.sh).

Reads the clients' JSON summaries of every measurement (pairs/CLIENT--SERVER/STACK/rN/
client/run/PROTO-MODE.json) and writes, in OUT: report.txt (per pair and protocol the
handshake and the per-message cost, the median over the rounds with its distribution-free
95% interval, and the record cost of TLS over TCP and DTLS over UDP), a board x board
table of the TLS and DTLS handshake (handshake.tsv), plots (PNG and SVG) and index.html.
Exit status: 0, 1 when the run holds no result, 2 usage error.
"""
from __future__ import annotations

import argparse
import html
import json
import math
import os
import sys
from dataclasses import dataclass
from statistics import median

SECURE = {"tls": "tcp", "dtls": "udp"}


@dataclass(frozen=True)
class Sample:
    """The p50s of one client run (one round of one pair, protocol, mode and size)."""
    client: str
    server: str
    stack: str
    rnd: int
    proto: str
    mode: str
    size: int
    handshake: float
    exchange: float
    total: float


def read_run(run: str) -> tuple[list[Sample], list[str]]:
    """Every client summary of the run, and the boards in schedule order."""
    samples: list[Sample] = []
    boards: list[str] = []
    with open(os.path.join(run, "schedule.tsv"), encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 4:
                continue
            rnd, client, server, stack = cols
            for b in (client, server):
                if b not in boards:
                    boards.append(b)
            d = os.path.join(run, "pairs", f"{client}--{server}", stack, f"r{rnd}", "client", "run")
            if not os.path.isdir(d):
                continue
            for name in sorted(os.listdir(d)):
                if not name.endswith(".json"):
                    continue
                try:
                    with open(os.path.join(d, name), encoding="utf-8") as jf:
                        j = json.load(jf)
                except (OSError, ValueError):
                    continue
                for s in j.get("sizes", []):
                    if s.get("n", 0) == 0:
                        continue
                    samples.append(Sample(client, server, stack, int(rnd), j["proto"], j["mode"],
                                          int(s["size"]), s["handshake"]["p50"],
                                          s["exchange"]["p50"], s["total"]["p50"]))
    return samples, boards


def binom_cdf(n: int, k: int) -> float:
    return sum(math.comb(n, i) for i in range(k + 1)) / 2.0 ** n


def median_ci(values: list[float], level: float = 0.95):
    """Median and its distribution-free interval [X(k), X(n+1-k)] (sign test), as
    lib.sh's lib_ci; the interval is None with too few values (fewer than 6 at 95%)."""
    v = sorted(values)
    n = len(v)
    k = 0
    while k < n / 2 and 2 * binom_cdf(n, k) <= 1 - level:
        k += 1
    ci = (v[k - 1], v[n - k]) if k > 0 else None
    return median(v), ci


def fmt(m: float, ci) -> str:
    if ci is None:
        return f"{m:.1f}"
    return f"{m:.1f} [{ci[0]:.1f}..{ci[1]:.1f}]"


def group(samples, key):
    out: dict = {}
    for s in samples:
        out.setdefault(key(s), []).append(s)
    return out


def pair_rows(samples):
    """Rows (pair, stack, proto, mode, size, rounds, handshake, total, record cost)."""
    rows = []
    by = group(samples, lambda s: (s.client, s.server, s.stack, s.proto, s.mode, s.size))
    for (c, sv, st, p, m, size), ss in sorted(by.items()):
        hs = median_ci([s.handshake for s in ss])
        tot = median_ci([s.total for s in ss])
        rec = ""
        if p in SECURE:
            plain = {s.rnd: s for s in by.get((c, sv, st, SECURE[p], m, size), [])}
            diffs = [s.exchange - plain[s.rnd].exchange for s in ss if s.rnd in plain]
            if diffs:
                rec = fmt(*median_ci(diffs))
        rows.append((f"{c} -> {sv}", st, p, m, size, len(ss), fmt(*hs) if p in SECURE else "-",
                     fmt(*tot), rec or "-"))
    return rows


def handshake_matrix(samples, boards, proto, stack):
    """{(client, server): median over rounds of the handshake p50} of the smallest size,
    per-message mode."""
    ss = [s for s in samples if s.proto == proto and s.stack == stack and s.mode == "per-message"]
    if not ss:
        return {}
    smallest = min(s.size for s in ss)
    by = group([s for s in ss if s.size == smallest], lambda s: (s.client, s.server))
    return {k: median([s.handshake for s in v]) for k, v in by.items()}


def text_table(header, rows) -> str:
    cols = list(zip(header, *rows)) if rows else [[h] for h in header]
    widths = [max(len(str(x)) for x in c) for c in cols]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(r, widths)).rstrip() for r in [header, *rows]]
    return "\n".join(lines)


def matrix_rows(mat, boards):
    used = [b for b in boards if any(b in k for k in mat)]
    rows = []
    for c in used:
        rows.append([c] + [f"{mat[(c, s)]:.0f}" if (c, s) in mat else ("x" if c == s else "-")
                           for s in used])
    return used, rows


def plot_matrix(mat, boards, title, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    used = [b for b in boards if any(b in k for k in mat)]
    n = len(used)
    grid = [[mat.get((c, s), float("nan")) for s in used] for c in used]
    side = max(3.0, min(0.45 * n + 2.0, 14.0))
    fig, ax = plt.subplots(figsize=(side + 1.5, side))
    im = ax.imshow(grid, cmap="viridis")
    ax.set_xticks(range(n), used, rotation=90 if n > 6 else 0, fontsize=8 if n > 10 else 10)
    ax.set_yticks(range(n), used, fontsize=8 if n > 10 else 10)
    ax.set_xlabel("server")
    ax.set_ylabel("client")
    ax.set_title(title)
    if n <= 12:
        for i, c in enumerate(used):
            for j, s in enumerate(used):
                if (c, s) in mat:
                    ax.text(j, i, f"{mat[(c, s)]:.0f}", ha="center", va="center", color="w", fontsize=8)
    fig.colorbar(im, ax=ax, label="handshake p50 (us)")
    fig.tight_layout()
    for ext in ("png", "svg"):
        fig.savefig(f"{path}.{ext}")
    plt.close(fig)


def plot_pairs(samples, proto, stack, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ss = [s for s in samples if s.proto == proto and s.stack == stack and s.mode == "per-message"]
    if not ss:
        return False
    smallest = min(s.size for s in ss)
    by = group([s for s in ss if s.size == smallest], lambda s: f"{s.client}->{s.server}")
    names = sorted(by)
    meds = [median([s.total for s in by[k]]) for k in names]
    los = [m - min(s.total for s in by[k]) for k, m in zip(names, meds)]
    his = [max(s.total for s in by[k]) - m for k, m in zip(names, meds)]
    fig, ax = plt.subplots(figsize=(6.0, max(2.0, 0.3 * len(names) + 1.0)))
    ax.barh(range(len(names)), meds, xerr=[los, his], color="tab:blue", ecolor="k", capsize=2)
    ax.set_yticks(range(len(names)), names, fontsize=8 if len(names) > 20 else 10)
    ax.invert_yaxis()
    ax.set_xlabel(f"{proto} per-message total p50 at {smallest} B (us; bars: median of the rounds, "
                  "whiskers: min..max)")
    fig.tight_layout()
    for ext in ("png", "svg"):
        fig.savefig(f"{path}.{ext}")
    plt.close(fig)
    return True


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", dest="out", help="output directory (RUN/report)")
    ap.add_argument("run", help="fleet run directory")
    try:
        a = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    if not os.path.isfile(os.path.join(a.run, "schedule.tsv")):
        print(f"fleet-report: {a.run}: not a fleet run directory (no schedule.tsv)", file=sys.stderr)
        return 2
    out = a.out or os.path.join(a.run, "report")
    samples, boards = read_run(a.run)
    if not samples:
        print(f"fleet-report: {a.run}: no client results yet", file=sys.stderr)
        return 1
    os.makedirs(out, exist_ok=True)
    stacks = sorted({s.stack for s in samples})
    rows = pair_rows(samples)
    header = ("pair", "stack", "proto", "mode", "size", "rounds", "handshake us", "total us",
              "record cost us")
    parts = [f"# fleet report: {os.path.abspath(a.run)}",
             "# medians over the rounds of each run's p50, [95% interval] (6 rounds or more);",
             "# record cost: exchange of tls (dtls) minus tcp (udp), same round, same pair", ""]
    parts.append(text_table(header, rows))
    tsv = ["\t".join(("client", "server", "stack", "proto", "handshake_p50_us"))]
    figs = []
    for st in stacks:
        for p in ("tls", "dtls"):
            mat = handshake_matrix(samples, boards, p, st)
            if not mat:
                continue
            used, mrows = matrix_rows(mat, boards)
            parts += ["", f"# {p} handshake p50 (us), {st}, per-message, smallest size: client (rows) x server (columns)",
                      text_table(["client \\ server", *used], mrows)]
            tsv += [f"{c}\t{s}\t{st}\t{p}\t{v:.1f}" for (c, s), v in sorted(mat.items())]
            name = f"handshake-{p}-{st}"
            plot_matrix(mat, boards, f"{p} handshake, {st}", os.path.join(out, name))
            figs.append(name)
        for p in ("tcp", "tls", "udp", "dtls"):
            name = f"pairs-{p}-{st}"
            if plot_pairs(samples, p, st, os.path.join(out, name)):
                figs.append(name)
    text = "\n".join(parts) + "\n"
    with open(os.path.join(out, "report.txt"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(out, "handshake.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(tsv) + "\n")
    body = [f"<h1>Fleet report</h1><p>{html.escape(os.path.abspath(a.run))}: {len(boards)} boards, "
            f"{len({(s.client, s.server) for s in samples})} pairs</p>"]
    body += [f'<p><img src="{n}.svg" alt="{n}"></p>' for n in figs]
    body.append(f"<pre>{html.escape(text)}</pre>")
    with open(os.path.join(out, "index.html"), "w", encoding="utf-8") as f:
        f.write("<!doctype html><html><head><meta charset=\"utf-8\"><title>fleet report</title>"
                "<style>body{font-family:sans-serif} pre{font-size:12px}</style></head><body>"
                + "\n".join(body) + "</body></html>\n")
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
