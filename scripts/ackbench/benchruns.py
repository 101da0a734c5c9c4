"""The runs a bench script made (its runs.txt, records.BenchRun lines) and each run's
figures from its files: TAG.json (the client's summary), TAG.csv (its samples),
TAG.server.csv (the server's rows), TAG.server (the server's output, its heap line),
TAG.tl.csv and TAG.server.tl.csv (both sides' timelines, where written: round trips and
flights, hsflights.py).

A figure that was not measured (a failed run, a row without a CPU figure, a --mem run
without its heap line) is None: it is left out of every median, never counted as 0.
"""

import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from . import hsflights, reader, stats, toolout
from .bench import server_cpu
from .records import BenchRun


@dataclass
class RunFigures:
    """One run's figures (us, bytes); None where not measured."""
    total_p50: Optional[float] = None
    total_p99: Optional[float] = None
    hs_p50: Optional[float] = None
    cpu_p50: Optional[float] = None  # the client's CPU per connection
    srv_cpu: Optional[float] = None  # median of the server's completed connections
    hs_bytes: Optional[float] = None  # median handshake bytes, both ways, acked rows
    hs_tx: Optional[float] = None  # ... the client sent
    hs_rx: Optional[float] = None  # ... the client received
    keep: Dict[int, float] = field(default_factory=dict)  # size -> total p50
    heap_cli: Optional[int] = None
    heap_srv: Optional[int] = None
    rows: int = 0  # the client's timed rows
    acked: int = 0  # ... acked
    no_hs: int = 0  # ... not acked, without a completed handshake (connect or handshake failed)
    resumed: int = 0  # acked rows with a resumed session
    retrans: int = 0  # rows with a handshake retransmission
    tcp_retrans: int = 0  # segments the client (its rows) and server (conn rows) retransmitted
    cookie_p50: Optional[float] = None  # median cookie round trip of the acked rows (dtls)
    early_offered: Optional[int] = None  # the JSON's early_data (TLS 1.3 0-RTT): connections,
    early_accepted: Optional[int] = None  # warm-up and END included; None without one
    hs_q50: Optional[float] = None  # handshake p50 / p95 of the acked rows (the CSV's)
    hs_q95: Optional[float] = None
    rtt: Optional[float] = None  # median round trips of the acked rows' handshakes (timeline)
    flights: List[hsflights.Flights] = field(default_factory=list)  # per acked connection


def _p50(size, phase):
    p = size.phase(phase)
    return p.p50 if p else None


def median_of(values):
    v = [x for x in values if x is not None]
    return stats.median(v) if v else None


def figures(summary, samples, server_rows, server_heap, events=None):
    """RunFigures from a run's client summary (None when absent), client samples, server
    rows, the server's heap line and both sides' timeline rows (each may be None or empty)."""
    f = RunFigures()
    if summary is not None and summary.sizes:
        s0 = summary.sizes[0]
        f.total_p50, f.hs_p50, f.cpu_p50 = _p50(s0, "total"), _p50(s0, "handshake"), _p50(s0, "cpu")
        t = s0.phase("total")
        f.total_p99 = t.p99 if t else None
        f.keep = {s.size: _p50(s, "total") for s in summary.sizes if _p50(s, "total") is not None}
        heap = summary.raw.get("heap")
        if isinstance(heap, dict) and isinstance(heap.get("conn_peak_p50"), (int, float)):
            f.heap_cli = int(heap["conn_peak_p50"])
        ed = summary.raw.get("early_data")
        if isinstance(ed, dict) and all(isinstance(ed.get(k), int) for k in ("offered", "accepted")):
            f.early_offered, f.early_accepted = ed["offered"], ed["accepted"]
    acked = [s for s in samples or [] if s.ok == 1]
    f.hs_bytes = median_of(s.hs_tx_bytes + s.hs_rx_bytes for s in acked)
    f.hs_tx = median_of(s.hs_tx_bytes for s in acked)
    f.hs_rx = median_of(s.hs_rx_bytes for s in acked)
    f.rows, f.acked = len(samples or []), len(acked)
    f.no_hs = sum(1 for s in samples or [] if s.ok != 1 and not s.handshake_us > 0)
    f.resumed = sum(1 for s in acked if s.resumed)
    f.retrans = sum(1 for s in samples or [] if s.hs_retrans > 0)
    f.tcp_retrans = (sum(s.tcp_retrans or 0 for s in samples or [])
                     + sum(r.tcp_retrans or 0 for r in server_rows or [] if r.kind == "conn"))
    f.cookie_p50 = median_of(s.cookie_us for s in acked)
    hs = [s.handshake_us for s in acked]
    f.hs_q50 = stats.percentile(hs, 50) if hs else None
    f.hs_q95 = stats.percentile(hs, 95) if hs else None
    if events:
        run = next((e.run_id for e in events if e.side == "client"), None)
        sizes = {(run, s.seq): (s.size, s.handshake_us, s.resumed) for s in acked}
        rt = hsflights.round_trips(events)
        f.rtt = hsflights.median_rtt([rt[k] for k in sizes if k in rt])
        fl = hsflights.flights(events, sizes)
        f.flights = [fl[k] for k in sizes if k in fl]
    f.srv_cpu = server_cpu(server_rows or [])
    f.heap_srv = server_heap
    return f


def load_runs(path):
    """{(what, stack, kind): {round: RunFigures}} of the runs in PATH/runs.txt."""
    path = str(path)
    cells = {}
    for r in reader.read_rounds(os.path.join(path, "runs.txt"), BenchRun):
        base = os.path.join(path, r.tag)

        def opt(suffix, fn):
            p = base + suffix
            return fn(p) if os.path.isfile(p) else None
        events = (opt(".tl.csv", reader.read_timeline) or []) + \
            (opt(".server.tl.csv", reader.read_timeline) or [])
        f = figures(opt(".json", lambda p: reader.read_summary(p, r.round)),
                    opt(".csv", reader.read_samples), opt(".server.csv", reader.read_server),
                    opt(".server", toolout.read_server_heap), events)
        cells.setdefault((r.what, r.stack, r.kind), {})[r.round] = f
    return cells
