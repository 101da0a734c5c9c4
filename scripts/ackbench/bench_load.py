"""bench-load.sh's table from its run directory: meta.txt (count, CPUs, load, clk_tck),
runs.txt (records.LoadRun lines) and each run's files. Rows sorted by protocol, client, N.
A figure not measured prints as "-" (never as 0)."""

import glob
import os

from . import reader, stats, toolout
from .records import LoadRun

FMT = "%-7s %3s %-8s %9s %9s %9s %9s %9s %11s %11s %6s"


def _f(x):
    return "-" if x is None else "%.1f" % x


def _median(v):
    v = [x for x in v if x is not None]
    return stats.median(v) if v else None


def row(path, run, hz):
    """The table's fields for one run."""
    base = os.path.join(path, run.tag)
    conns = None
    srv_cpu = proc = None
    if run.what in ("ours", "stime") and os.path.isfile(base + ".server.csv"):
        rows = [r for r in reader.read_server(base + ".server.csv") if r.kind == "conn"]
        conns = len(rows)
        if run.what == "ours":
            srv_cpu = _median(r.cpu_us for r in rows if r.status == 0)
        else:  # s_time resets its connections after the handshake: every row with one
            srv_cpu = _median(r.cpu_us for r in rows if (r.handshake_us or 0) > 0)
        if conns and run.cpu1_ticks >= run.cpu0_ticks > 0:
            proc = (run.cpu1_ticks - run.cpu0_ticks) * 1e6 / hz / conns
    ns = run.t1_ns - run.t0_ns
    if run.what == "ours":
        s = reader.read_summary(base + ".json")
        z = s.sizes[0] if s is not None and s.sizes else None
        tot, hs = (z.phase("total"), z.phase("handshake")) if z else (None, None)
        return (run.label, run.n, "ours", _f(z.conns_per_s if z else None),
                _f(tot.p50 if tot else None), _f(tot.p99 if tot else None),
                _f(hs.p50 if hs else None), _f(hs.p99 if hs else None), _f(srv_cpu), _f(proc),
                "-" if conns is None else conns)
    if run.what == "stime":
        total = sum((toolout.read_stime(p) or (0, 0))[0] for p in sorted(glob.glob(base + ".*.out")))
        return (run.label, run.n, "s_time", _f(total * 1e9 / ns if ns > 0 else None),
                "-", "-", "-", "-", _f(srv_cpu), _f(proc), "-" if conns is None else conns)
    st = toolout.read_stime(base + ".out") if os.path.isfile(base + ".out") else None
    c = st[0] if st else None
    return (run.label, 1, "s_server", _f(c * 1e9 / ns if c is not None and ns > 0 else None),
            "-", "-", "-", "-", "-", "-", "-" if c is None else c)


def lines(path):
    path = str(path)
    meta = reader.read_keyvals(os.path.join(path, "meta.txt"))
    hz = float(meta.get("clk_tck", "100"))
    rows = [row(path, r, hz) for r in reader.read_rounds(os.path.join(path, "runs.txt"), LoadRun)]
    rows.sort(key=lambda r: (r[0], r[2], r[1]))
    out = [f"# bench-load: {meta.get('count')} connections (64-byte message each) per run; client "
           f"CPU {meta.get('client_cpu')}, server CPU {meta.get('server_cpu')}; load average "
           f"{meta.get('load_start')} (start), {meta.get('load_end')} (end)",
           FMT % ("proto", "N", "client", "hs/s", "p50 us", "p99 us", "hs p50", "hs p99",
                  "srv cpu/hs", "srv proc/hs", "conns")]
    out += [FMT % r for r in rows]
    out += ["# hs/s: handshakes (connections) per second over the run's wall time; p50/p99: the",
            "# client's whole connection (connect..close) and its handshake; srv cpu/hs: the server",
            "# CSV's per-connection CPU (its worker thread), median; srv proc/hs: the server",
            "# process's CPU (all threads) over its connections, warm-up and END included.",
            "# '-': not measured (a failed run, no CPU figure): never counted as 0."]
    return out
