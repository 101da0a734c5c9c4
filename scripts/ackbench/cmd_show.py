"""ackbench show PATH...: what each PATH is and what the reader finds in it (one line per
record group), to check a run directory before a report and as the reader's smoke test."""

import argparse
import os
import sys

from . import reader


def describe(path):
    kind = reader.kind_of(path)
    if kind is None:
        raise reader.FormatError(path, 0, "not a file or directory ackbench writes")
    if kind == "matrix":
        m = reader.read_matrix(path)
        nrun = sum(len(v) for v in m.runs.values())
        return [f"{path}: matrix: {len(m.cells)} cells, {nrun} round runs, "
                f"{len(m.probes)} probes, seed {m.meta.get('seed', '?')}"]
    if kind == "explore":
        e = reader.read_explore(path)
        st = {}
        for p in e.points:
            st[p.status] = st.get(p.status, 0) + 1
        return [f"{path}: mcu-explore: {len(e.points)} points ("
                + ", ".join(f"{n} {s}" for s, n in sorted(st.items())) + f"), axes {' '.join(e.axes)}"]
    if kind == "mcu":
        r = reader.read_mcu(path)
        return [f"{path}: mcu: {r.target}, {len(r.handshakes)} handshake rows, "
                f"{len(r.records)} record rows, flash {r.footprint.get('flash', '?')} B"]
    if kind == "links":
        r = reader.read_links(path)
        up = [lp for lp in r.links if lp.spec is not None]
        return [f"{path}: bench-links: {len(up)} of {len(r.links)} links measured, "
                f"{sum(len(lp.cells) for lp in up)} cells over them, {len(r.loopback)} on "
                f"loopback, stacks {r.meta.get('stacks', '?')}"]
    if kind == "run":
        d = reader.read_run_dir(path)
        lines = [f"{path}: run directory: {len(d.summaries)} client summaries"]
        for s in d.summaries:
            lines.append(f"  {os.path.basename(s.path)}: {s.proto} {s.mode} round {s.round}, "
                         f"sizes {','.join(str(z.size) for z in s.sizes)}")
        return lines
    if kind == "summary":
        s = reader.read_summary(path)
        return [f"{path}: client summary: {s.proto} {s.mode}, {len(s.sizes)} sizes"]
    if kind == "timeline":
        ev = reader.read_timeline(path)
        conns = {(e.run_id, e.seq) for e in ev}
        return [f"{path}: timeline: {len(ev)} events, {len(conns)} connections"]
    if kind == "samples":
        return [f"{path}: client samples: {len(reader.read_samples(path))} messages"]
    rows = reader.read_server(path)
    return [f"{path}: server rows: {sum(r.kind == 'conn' for r in rows)} connections, "
            f"{sum(r.kind == 'msg' for r in rows)} messages"]


def main(argv):
    ap = argparse.ArgumentParser(prog="ackbench show", description=__doc__)
    ap.add_argument("paths", nargs="+", metavar="PATH")
    a = ap.parse_args(argv)
    for p in a.paths:
        if not os.path.exists(p):
            print(f"ackbench show: '{p}': no such file or directory", file=sys.stderr)
            return 2
        print("\n".join(describe(p)))
    return 0
