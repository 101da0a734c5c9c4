"""links DIR [-o OUTDIR] [-a]: the report of a bench-links.sh directory.

Prints the handshake table (per link, stack and cell: p50/p95/p99, round trips,
retransmissions, the model k x RTT + CPU + serialisation, measured/model, the cause where
it exceeds the model), then every other phase that exceeds its model. Writes to OUTDIR
(default DIR): links.txt (every phase), links.csv, links-rtt, links-loss and links-bytes
(.png and .svg: handshake p50/p95/p99 against RTT, loss and bytes at low rates, where
the sweep has such links) and links.html.
  -o OUTDIR  where the files go (default: DIR)
  -a         print every phase, not only the handshake and the phases over their model
"""

import os

from . import links, plots, reader
from .cli import Parser, fail

PROG = "links"
USAGE = f"Usage: python3 -m ackbench {PROG} DIR [-o OUTDIR] [-a]\n\n" + __doc__.split("\n\n", 1)[1]


def main(argv):
    p = Parser(PROG, USAGE)
    p.add_argument("dir", nargs="?")  # optional for argparse, so that -h alone works
    p.add_argument("-o", dest="out")
    p.add_argument("-a", dest="all", action="store_true")
    a = p.parse(argv)
    if a.dir is None:
        return fail(PROG, "which directory? (see -h)", 2)
    if not os.path.isdir(a.dir):
        return fail(PROG, f"'{a.dir}': not a directory", 2)
    run = reader.read_links(a.dir)
    rows = links.phase_rows(run)
    if not rows:
        return fail(PROG, f"{a.dir}: no cell ran over a link")
    out = a.out or a.dir
    os.makedirs(out, exist_ok=True)
    m = run.meta
    head = (f"# bench-links: {m.get('date', '?')}, load {m.get('load_start', '?')} .. "
            f"{m.get('load_end', '?')}, {m.get('count', '?')} messages per cell, "
            f"stacks {m.get('stacks', '?')}" + (f", {m['sched']}" if m.get('sched') else ""))
    every = links.table(rows).text()
    with open(os.path.join(out, "links.txt"), "w") as f:
        f.write(head + "\n" + every + "\n")
    with open(os.path.join(out, "links.csv"), "w") as f:
        f.write(links.csv_table(rows).csv())
    figs = links.figures(rows)
    for name, fig in figs:
        plots.save(fig, os.path.join(out, name))
    with open(os.path.join(out, "links.html"), "w") as f:
        f.write(links.report_html(run, rows, figs))
    print(head)
    if m.get("skipped"):
        print(f"# skipped (cells a stack does not have, bench-links.sh says why): {m['skipped']}")
    for lp in run.links:
        if lp.spec is None:
            print(f"# link {lp.given}: not measured ({lp.error})")
    print(links.table(rows, ("handshake",)).text())
    if a.all:
        print("\n# every phase\n" + every)
    else:
        over = [r for r in rows if r.phase != "handshake" and r.cause]
        if over:
            print("\n# other phases over their model")
            print(links.table(over).text())
    print(f"\n# files: {out}/links.txt, links.csv, links.html"
          + "".join(f", {n}.png/.svg" for n, _ in figs))
    return 0
