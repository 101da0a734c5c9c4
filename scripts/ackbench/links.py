"""Handshakes over emulated links (bench-links.sh), explained in round trips: per link,
stack, cell and phase, the measured p50/p95/p99 beside the model

    model = k x RTT + CPU + serialisation at the rate

k: the phase's round trips for the cell (CELLS); CPU: the same phase's p50 on loopback
(same stack and cell); serialisation: per direction, the phase's bytes on the wire
(payload, the handshake's as on loopback, + Ethernet/IP/TCP or UDP headers) beyond tbf's
bucket, at that direction's rate.
Without loss the model has no timer term; where a phase exceeds its model by more than
noise, cause() names the likely reason (a retransmission timer, the rate's queue, jitter,
CPU). Renderers return text or figures; nothing here reads files (reader.read_links does).
"""

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from . import stats
from .tables import Column, Table

PHASES = ("connect", "handshake", "exchange", "close")


@dataclass(frozen=True)
class CellKind:
    proto: str  # "tls" (over TCP) or "dtls" (over UDP)
    version: str
    variant: str  # full, resumed, hrr (HelloRetryRequest), cookie, hrr-cookie, pq-split
    rtts: Tuple[int, int, int, int]  # round trips of connect, handshake, exchange, close
    flights: Tuple[int, int]  # the handshake's flights up (client to server) and down

    @property
    def label(self):
        return f"{'DTLS' if self.proto == 'dtls' else 'TLS'} {self.version} {self.variant}"


# Round trips per phase. connect: TCP's SYN, SYN-ACK (UDP: none). handshake: until the
# client has sent its Finished (TLS 1.2 full: ClientHello / ServerHello..Done, then
# Certificate..Finished / ChangeCipherSpec, Finished; resumed: one exchange; TLS 1.3: one,
# two with a HelloRetryRequest; DTLS 1.2 with cookie: HelloVerifyRequest first, three;
# DTLS 1.3 (wolfSSL): the cookie is a HelloRetryRequest's, then the server's flight, then
# the client's Finished and the server's ACK of it, which wolfSSL's client waits for before
# its handshake returns (the timeline: the ACK, epoch 3, inside the handshake): three;
# TLS 1.3 with X25519MLKEM768: its ClientHello (about 1.5 KB) is split over two TCP
# segments, which costs bytes and a packet, not a round trip, as long as a flight fits
# TCP's initial window (slow_start_rtts adds the round trips when it does not).
# exchange: request / ack. close: TLS waits for the server's end (one round trip); DTLS
# sends close_notify and does not wait (docs/measuring.md).
CELLS = {
    "tls12": CellKind("tls", "1.2", "full", (1, 2, 1, 1), (2, 2)),
    "tls12r": CellKind("tls", "1.2", "resumed", (1, 1, 1, 1), (2, 1)),
    "tls13": CellKind("tls", "1.3", "full", (1, 1, 1, 1), (2, 1)),
    "tls13r": CellKind("tls", "1.3", "resumed", (1, 1, 1, 1), (2, 1)),
    "tls13hrr": CellKind("tls", "1.3", "hrr", (1, 2, 1, 1), (3, 2)),
    "dtls12": CellKind("dtls", "1.2", "cookie", (0, 3, 1, 0), (3, 3)),
    # up: ClientHello, ClientHello with cookie, Finished; down: HelloRetryRequest, the
    # server's flight, its ACK of the Finished
    "dtls13": CellKind("dtls", "1.3", "hrr-cookie", (0, 3, 1, 0), (3, 3)),
    "tls13pq": CellKind("tls", "1.3", "pq-split", (1, 1, 1, 1), (2, 1)),
}
TCP_HEADER = 14 + 20 + 32  # Ethernet, IPv4, TCP with timestamps: what tbf counts
UDP_HEADER = 14 + 20 + 8
RECORD_OVERHEAD = 29  # a TLS 1.2 AES-GCM record: header 5, explicit nonce 8, tag 16
DTLS_HS_MIN_MS = 500  # --hs-timeout's default minimum (bench-links.sh does not set it)
DTLS13_RTX_MS = 1000  # wolfSSL's DTLS 1.3 resends a flight at most once a second
TCP_INIT_CWND = 10  # Linux's initial congestion window, in segments (RFC 6928)
TCP_RTO_MIN_MS = 200  # Linux TCP's minimum retransmission timeout
TCP_SYN_RTO_MS = 1000  # and its initial one (a lost SYN)


def bucket_bytes(rate_bit, mtu):
    """tbf's bucket as link.sh sets it: 5 ms at the rate, at least a frame and 100 bytes."""
    return max(int(rate_bit) // 8 // 200, mtu + 100)


def wire_bytes(payload, flights, proto, mtu):
    """PAYLOAD bytes sent in FLIGHTS flights as frames: at least a packet per flight, one
    more per full segment, each with its headers."""
    hdr = UDP_HEADER if proto == "dtls" else TCP_HEADER
    per = mtu - (hdr - 14)
    packets = flights + int(payload) // per if payload else 0
    return payload + packets * hdr


def slow_start_rtts(payload, proto, mtu, iw=TCP_INIT_CWND):
    """The round trips TCP's slow start adds to PAYLOAD bytes sent at once: none while they
    fit the initial window of IW segments, then one per doubling of the window. DTLS has no
    congestion window: 0."""
    if proto == "dtls" or not payload:
        return 0
    segs = -(-int(payload) // (mtu - (TCP_HEADER - 14)))
    extra, cwnd = 0, iw
    while segs > cwnd:
        segs -= cwnd
        cwnd *= 2
        extra += 1
    return extra


def dtls_timer_ms(kind):
    """The least time a lost DTLS flight waits: --hs-timeout's minimum, but a second with
    wolfSSL's DTLS 1.3 whatever --hs-timeout says (docs/tls-dtls.md)."""
    return DTLS13_RTX_MS if kind.version == "1.3" else DTLS_HS_MIN_MS


def serialisation_ms(payload, flights, proto, spec, up):
    """The time the rate adds to PAYLOAD bytes in one direction: the bytes beyond one
    bucket (the largest flight passes its first bucket at line rate; the rest of the
    handshake's flights are small and find the bucket refilled after a round trip) at the
    rate. 0 when that direction is not rate-limited."""
    rate = spec.rate_up_bit if up else spec.rate_down_bit
    if not rate:
        return 0.0
    b = wire_bytes(payload, flights, proto, spec.mtu)
    return max(0, b - bucket_bytes(rate, spec.mtu)) * 8 / rate * 1000


@dataclass
class PhaseRow:
    link: str
    rtt_ms: float
    loss: float  # percent, the larger of the two directions
    stack: str
    cell: str
    phase: str
    n: int
    lost: int
    p50: Optional[float]  # ms
    p95: Optional[float]
    p99: Optional[float]
    k: int
    cpu: Optional[float]
    ser: float
    model: Optional[float]
    rtts: Optional[int]  # measured round trips: round((p50 - CPU - ser) / RTT)
    retrans: int  # the cell's retransmissions (TCP: both sides; DTLS: handshake flights)
    shaper_lost: int  # packets the shaper lost or dropped in the cell's run
    cause: str  # why p50 (or p95) exceeds the model, "" when it does not
    hs_bytes: Optional[float] = None  # handshake bytes both ways (p50 of each), handshake rows
    rate_bit: float = 0.0  # the slower direction's rate (1e12: not limited)
    spec_rtt_ms: float = 0.0  # the spec's round trip (rtt_ms: the calibrated one)

    @property
    def ratio(self):
        return self.p50 / self.model if self.p50 is not None and self.model else None


def _rows(cell):
    """The rows of a LinkCell that count: acknowledged, resumed ones for a resumed cell
    and full ones otherwise; and the number of messages not acknowledged."""
    want = 1 if CELLS[cell.cell].variant == "resumed" else 0
    mine = [s for s in cell.samples if s.resumed == want or not s.ok]
    ok = [s for s in mine if s.ok]
    return ok, len(mine) - len(ok)


def _q(values, q):
    return stats.percentile(values, q) if values else None


def _retrans(cell, rows):
    if CELLS[cell.cell].proto == "dtls":
        return sum(s.hs_retrans for s in rows)
    return (sum(s.tcp_retrans or 0 for s in rows)
            + sum(r.tcp_retrans or 0 for r in cell.server if r.kind == "conn"))


def _server_retrans(cell):
    """{message seq: the server's TCP retransmissions on that message's connection}: a
    server's msg rows name the connection each message came on, its conn rows the
    segments it retransmitted there (per message mode: one message per connection)."""
    conn_seq = {r.conn: r.seq for r in cell.server if r.kind == "msg"}
    return {conn_seq[r.conn]: r.tcp_retrans or 0 for r in cell.server
            if r.kind == "conn" and r.conn in conn_seq}


def _row_retrans(cell, s, server):
    """A message's retransmissions: DTLS's handshake flights; TCP's segments, both sides."""
    if CELLS[cell.cell].proto == "dtls":
        return s.hs_retrans
    return (s.tcp_retrans or 0) + server.get(s.seq, 0)


def _shaper_lost(cell):
    n = 0
    for d in ("up", "down"):
        for k in ("lost", "dropped", "overflow"):
            try:
                n += int(cell.shaper.get(f"{d}.{k}", 0))
            except ValueError:
                pass
    return n


def cause(kind, phase, spec, excess, noise, frac_retrans, ser, bytes_up, bytes_down):
    """The likely reason a phase took EXCESS ms over its model ("" when within NOISE).
    FRAC_RETRANS: the share of the phase's slow messages that retransmitted."""
    if excess <= noise:
        return ""
    if frac_retrans >= 0.5:
        if kind.proto == "dtls" and kind.version == "1.3":
            return f"DTLS 1.3 retransmission (wolfSSL: a flight at most every {DTLS13_RTX_MS} ms)"
        if kind.proto == "dtls":
            return f"DTLS retransmission timer (--hs-timeout, from {DTLS_HS_MIN_MS} ms)"
        if phase == "connect" and excess >= 0.8 * TCP_SYN_RTO_MS:
            return f"TCP SYN retransmission ({TCP_SYN_RTO_MS} ms initial timeout)"
        # Linux's RTO is about the smoothed RTT + 200 ms; a tail-loss probe fires after about
        # two RTTs, a fast retransmission after one
        if excess >= 0.75 * (TCP_RTO_MIN_MS + spec.rtt_ms):
            return f"TCP retransmission timer (RTO: RTT + {TCP_RTO_MIN_MS} ms at least)"
        return "TCP retransmission (tail-loss probe or fast retransmit: 1-2 RTT)"
    limited = spec.rate_up_bit or spec.rate_down_bit
    if limited and ser > 0:
        return "queueing at the rate limit (tbf: the bytes beyond its bucket)"
    if kind.proto == "dtls" and spec.rtt_ms + ser >= dtls_timer_ms(kind) and phase == "handshake":
        return f"DTLS timer ({dtls_timer_ms(kind)} ms) below the round trip: flights sent twice"
    if spec.jitter_us:
        return "jitter, held in order (a flight waits for its slowest packet)"
    if frac_retrans > 0:
        return "retransmissions in some messages"
    return "CPU or scheduling (the loopback CPU term is from another moment)"


def link_rtt_ms(lp):
    """The link's round trip as its calibration measured it (the median one-way delays up
    and down: the shaper's own cost and jitter held in order included), else the spec's;
    the spec's too under 5 ms, where the probes' own cost (about half a millisecond on a
    busy machine) outweighs the delay."""
    if lp.spec.rtt_ms < 5:
        return lp.spec.rtt_ms
    try:
        return float(lp.calibration["up_ms_p50"]) + float(lp.calibration["down_ms_p50"])
    except (KeyError, ValueError):
        return lp.spec.rtt_ms


def phase_rows(run) -> List[PhaseRow]:
    """A PhaseRow per link, stack, cell and phase of a LinksRun (links that did not come
    up are left out; a cell without a loopback figure has no CPU term and no model)."""
    loop = {(c.stack, c.cell): c for c in run.loopback}
    out = []
    for lp in run.links:
        if lp.spec is None:
            continue
        spec = lp.spec
        rtt = link_rtt_ms(lp)
        loss = 100 * max(spec.loss_up, spec.loss_down)
        for cell in lp.cells:
            if cell.cell not in CELLS:
                continue
            kind = CELLS[cell.cell]
            rows, lost = _rows(cell)
            lrows = _rows(loop[(cell.stack, cell.cell)])[0] if (cell.stack, cell.cell) in loop else []
            retrans = _retrans(cell, rows)
            srv = _server_retrans(cell)
            tx = _q([s.hs_tx_bytes for s in rows], 50)
            rx = _q([s.hs_rx_bytes for s in rows], 50)
            # the model's bytes: the handshake's own, from loopback, where no flight is sent
            # twice (over a link a timer below the round trip resends whole flights)
            mtx = _q([s.hs_tx_bytes for s in lrows], 50) if lrows else tx
            mrx = _q([s.hs_rx_bytes for s in lrows], 50) if lrows else rx
            for i, ph in enumerate(PHASES):
                vals = [getattr(s, f"{ph}_us") / 1000 for s in rows]
                lv = [getattr(s, f"{ph}_us") / 1000 for s in lrows]
                cpu = _q(lv, 50)
                k = kind.rtts[i]
                if ph == "handshake" and mtx is not None:
                    up, down = mtx, mrx
                    fl = kind.flights
                    # a direction's handshake bytes beyond the initial window (an upper
                    # bound: they are counted as if sent in one flight)
                    k += max(slow_start_rtts(b, kind.proto, spec.mtu) for b in (up, down))
                elif ph == "exchange":
                    up = down = int(run.meta.get("size", 64)) + RECORD_OVERHEAD
                    fl = (1, 1)
                else:
                    up = down = 0
                    fl = (0, 0)
                ser = (serialisation_ms(up, fl[0], kind.proto, spec, True)
                       + serialisation_ms(down, fl[1], kind.proto, spec, False))
                model = k * rtt + cpu + ser if cpu is not None else None
                p50, p95, p99 = _q(vals, 50), _q(vals, 95), _q(vals, 99)
                rtts = None
                if p50 is not None and cpu is not None and rtt >= max(cpu, 5.0):
                    rtts = round((p50 - cpu - ser) / rtt)
                why = ""
                if model is not None and p50 is not None:
                    spread = (_q(lv, 95) - cpu) if lv else 0.0
                    noise = max(2.0, 0.05 * model) + spec.jitter_us / 1000 * max(k, 1) + spread
                    # the slow messages: p50 explained by the upper half, p95 by the top 5%
                    for q, thr in ((p50, p50), (p95, p95)):
                        slow = [s for s, v in zip(rows, vals) if v >= thr]
                        frac = (sum(1 for s in slow if _row_retrans(cell, s, srv) > 0) / len(slow)
                                if slow else 0.0)
                        why = cause(kind, ph, spec, q - model, noise, frac, ser, up, down)
                        if why:
                            why = why if q is p50 else f"p95: {why}"
                            break
                out.append(PhaseRow(lp.given, rtt, loss, cell.stack, cell.cell, ph,
                                    len(vals), lost, p50, p95, p99, k, cpu, ser, model, rtts,
                                    retrans, _shaper_lost(cell), why,
                                    (tx + rx) if ph == "handshake" and tx is not None else None,
                                    min(x for x in (spec.rate_up_bit, spec.rate_down_bit, 1e12) if x),
                                    spec.rtt_ms))
    return out


def table(rows, phases=PHASES, wide=True) -> Table:
    """The rows as a Table (text, markdown or CSV)."""
    cols = [Column("link", 22, "<"), Column("stack", 7, "<"), Column("cell", 8, "<")]
    if len(phases) > 1:
        cols.append(Column("phase", 9, "<"))
    cols += [Column("n", 3), Column("lost", 4), Column("p50_ms", 8, fmt="{:.1f}"),
             Column("p95_ms", 8, fmt="{:.1f}"), Column("p99_ms", 8, fmt="{:.1f}"),
             Column("k", 2), Column("rtts", 4), Column("retrans", 7), Column("cpu_ms", 7, fmt="{:.1f}"),
             Column("ser_ms", 7, fmt="{:.1f}"), Column("model_ms", 8, fmt="{:.1f}"),
             Column("meas/mod", 8, fmt="{:.2f}")]
    if wide:
        cols.append(Column("cause", 0, "<", sep="  "))
    t = Table(cols)
    for r in rows:
        if r.phase not in phases:
            continue
        v = [r.link, r.stack, r.cell] + ([r.phase] if len(phases) > 1 else [])
        v += [r.n, r.lost, r.p50, r.p95, r.p99, r.k, r.rtts, r.retrans, r.cpu, r.ser, r.model,
              r.ratio]
        t.add(*(v + ([r.cause or "-"] if wide else [])))
    return t


def csv_table(rows) -> Table:
    """Every row and figure, for a spreadsheet (links.csv)."""
    t = Table([Column(n) for n in (
        "link", "rtt_ms", "loss_pct", "stack", "cell", "proto", "version", "variant", "phase",
        "n", "lost", "p50_ms", "p95_ms", "p99_ms", "k", "rtts", "retrans", "shaper_lost",
        "cpu_ms", "ser_ms", "model_ms", "measured_over_model", "hs_bytes", "cause")])
    for r in rows:
        kd = CELLS[r.cell]
        f = (lambda x: None if x is None else round(x, 3))
        t.add(r.link, f(r.rtt_ms), f(r.loss), r.stack, r.cell, kd.proto, kd.version,
              kd.variant, r.phase, r.n, r.lost, f(r.p50), f(r.p95), f(r.p99), r.k, r.rtts,
              r.retrans, r.shaper_lost, f(r.cpu), f(r.ser), f(r.model), f(r.ratio),
              r.hs_bytes, r.cause)
    return t


def series(rows, x_of, pick) -> Dict[str, Tuple[list, list, list, list]]:
    """Handshake rows chosen by PICK(row) -> {"stack cell": (xs, p50s, p95s, p99s)}, by x."""
    out: Dict[str, list] = {}
    for r in rows:
        if r.phase != "handshake" or r.p50 is None or not pick(r):
            continue
        out.setdefault(f"{r.stack} {CELLS[r.cell].label}", []).append(
            (x_of(r), r.p50, r.p95, r.p99))
    return {k: tuple(list(t) for t in zip(*sorted(v))) for k, v in out.items()}


def sweep_rtt(rows):
    """The round trip of the loss sweep: the spec RTT shared by the most loss rates (None
    when no RTT has two)."""
    by = {}
    for r in rows:
        if r.phase == "handshake":
            by.setdefault(r.spec_rtt_ms, set()).add(r.loss)
    best = max(by.items(), key=lambda kv: len(kv[1]), default=(None, set()))
    return best[0] if len(best[1]) >= 2 else None


def figures(rows):
    """[(name, Figure)]: handshake p50/p95/p99 against RTT (links with loss below 1%),
    against loss (the links at the sweep's RTT without a rate limit) and, on links of 1
    Mbit/s or less, against the handshake's bytes; a figure only where it has points."""
    from . import plots
    out = []
    lim = 1e12
    for name, title, xlabel, x_of, pick, logx in (
            ("links-rtt", "Handshake time against round trip (links with loss below 1%)",
             "RTT (ms)", lambda r: r.spec_rtt_ms, lambda r: r.loss < 1, True),
            ("links-loss", f"Handshake time against loss at RTT {sweep_rtt(rows)} ms",
             "loss each way (%)", lambda r: r.loss,
             lambda r: r.spec_rtt_ms == sweep_rtt(rows) and r.rate_bit >= lim, False),
            ("links-bytes", "Handshake time against its bytes on the wire, links of 1 Mbit/s or less",
             "handshake bytes, both ways", lambda r: r.hs_bytes,
             lambda r: r.rate_bit <= 1e6 and r.hs_bytes is not None, False)):
        ser = series(rows, x_of, pick)
        if not ser or all(len(v[0]) < 1 for v in ser.values()):
            continue
        fig, axes = plots.figure_cols(title, 3, xlabel, "handshake (ms)")
        for ax, q, col in zip(axes, ("p50", "p95", "p99"), (1, 2, 3)):
            plots.lines(ax, {k: (v[0], v[col]) for k, v in ser.items()}, logx=False)
            ax.set_title(q, fontsize=9)
            if logx:  # RTTs from 0.5 to 600 ms: both axes logarithmic
                ax.set_xscale("log")
                ax.set_yscale("log")
            if ax is not axes[-1] and ax.get_legend():
                ax.get_legend().remove()
        out.append((name, fig))
    return out


def report_html(run, rows, figs):
    """The links section as a self-contained HTML page (html.Report)."""
    from .html import Report
    r = Report("ackbench: handshakes over emulated links")
    r.heading("Handshakes over emulated links", 1)
    m = run.meta
    r.paragraph(f"{m.get('date', '?')}, load {m.get('load_start', '?')} .. {m.get('load_end', '?')}, "
                f"{m.get('count', '?')} messages per cell, stacks {m.get('stacks', '?')}, "
                f"git {m.get('git', '?')}" + (f", {m['sched']}" if m.get('sched') else "")
                + ". Times in ms; p50/p95/p99 by nearest rank.")
    if m.get("skipped"):
        r.paragraph(f"skipped (cells a stack does not have): {m['skipped']}")
    bad = [lp for lp in run.links if lp.spec is None]
    for lp in bad:
        r.paragraph(f"link {lp.given}: not measured ({lp.error})")
    r.paragraph("model = k x RTT + CPU (the phase's p50 on loopback) + serialisation (bytes "
                "beyond tbf's bucket at the rate); rtts = round((p50 - CPU - ser) / RTT); "
                "cause: why the phase exceeds its model by more than noise.")
    r.heading("Handshake")
    r.table(table(rows, ("handshake",)))
    for _, f in figs:
        r.figure(f)
    r.heading("Every phase against its model")
    r.table(table(rows))
    return r.html()
