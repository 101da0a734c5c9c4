"""The merge of the client's and the server's handshake timelines (--timeline) connection by
connection, their messages matched and grouped into flights, and per flight and side the
figures of "where the time goes" (cmd_timeline prints and plots them). No I/O here.

A connection is (run id, the sequence number of its first message). Times are absolute
microseconds (the row's realtime start + its monotonic offset); with clock "rtt" the
server's are shifted by the offset that makes the round trip of the first message each side
received symmetric."""

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

NAMES = dict(zip(*[iter(
    "ClientHello CH ServerHello SH HelloRetryRequest HRR HelloVerifyRequest HVR Certificate Cert "
    "ServerKeyExchange SKE CertificateRequest CR ServerHelloDone SHD ClientKeyExchange CKE "
    "CertificateVerify CV Finished Fin NewSessionTicket NST ChangeCipherSpec CCS "
    "EncryptedHandshake Fin* Encrypted Enc Alert Alert EncryptedAlert Alert* "
    "EncryptedExtensions EE".split())] * 2))
# Mbed TLS's state while it reads a record names the message it waits for.
STATE_NAMES = dict(zip(*[iter(
    "ENCRYPTED_EXTENSIONS EE CERTIFICATE_REQUEST CR SERVER_CERTIFICATE Cert CERTIFICATE_VERIFY CV "
    "SERVER_FINISHED Fin CLIENT_CERTIFICATE Cert CLIENT_CERTIFICATE_VERIFY CV CLIENT_FINISHED Fin "
    "TLS1_3_NEW_SESSION_TICKET NST HANDSHAKE_OVER NST".split())] * 2))
NUM_SUFFIX = re.compile(r":[0-9.]+$")
SIDE_TOTAL = 900  # the flight index of "client total" (901: server)


def abbrev(typ, state):
    if typ.startswith("Encrypted:") and state:
        a = STATE_NAMES.get(state, "")
        return "{" + a + "}" if a else "Enc"
    t = NUM_SUFFIX.sub("", typ)
    return NAMES.get(t, t)


@dataclass
class Ev:
    dir: str
    type: str
    t: float
    cpu: Optional[float]
    arr: Optional[float]
    re: int
    st: str
    key: str
    bytes: int = 0


@dataclass
class Msg:
    sender: str
    type: str
    key: str
    tx: Optional[float]
    txcpu: Optional[float]
    re: int
    rx: Optional[float] = None
    rxcpu: Optional[float] = None
    st: str = ""
    arr: Optional[float] = None
    flight: int = 0
    bytes: int = 0

    @property
    def at(self):
        return self.tx if self.tx is not None else self.rx


@dataclass
class Flight:
    sender: str
    re: int
    msgs: List[Msg] = field(default_factory=list)
    name: str = ""

    @property
    def first(self):
        return self.msgs[0]

    @property
    def last(self):
        return self.msgs[-1]


@dataclass
class Conn:
    run: str
    seq: int
    proto: str = ""
    events: Dict[str, List[Ev]] = field(default_factory=lambda: {"client": [], "server": []})
    start: Dict[str, int] = field(default_factory=dict)


@dataclass
class Merged:
    """FLIGHTS: (cfg, size, flight index, flight name, metric, value); CONNS: per
    connection and side a dict (connections.tsv); MSGS: per connection its messages;
    GAPS: (cfg, run, seq, side, from, first_tx, last_tx) relative to the client's start."""
    clock: str
    same: int
    total: int
    flights: list = field(default_factory=list)
    conns: list = field(default_factory=list)
    msgs: list = field(default_factory=list)
    gaps: list = field(default_factory=list)
    unmatched: int = 0
    unsized: int = 0
    noseq: Dict[str, int] = field(default_factory=dict)


class MergeError(Exception):
    pass


def ev_key(proto, typ, epoch, mseq, foff, rseq=None):
    if proto != "dtls":
        return typ
    # DTLS 1.3's encrypted records (epochs 2 and 3; DTLS 1.2 has 0 and 1 here) are told
    # apart by their record number, the same on both sides (a resend has a new one); a
    # DTLS 1.2 resent encrypted record has a new number too, so it is left out there
    if epoch is not None and epoch >= 2 and rseq is not None:
        return f"{re.sub(r':[0-9]+$', '', typ)}/{epoch}/r{rseq}"
    return f"{re.sub(r':[0-9]+$', '', typ)}/{'' if epoch is None else epoch}/" \
           f"{'' if mseq is None else mseq}/{'' if foff is None else foff}"


def collect(events):
    """Connections from timeline rows (records.TimelineEvent), in order first seen."""
    conns, noseq = {}, {}
    for e in events:
        if e.seq is None:
            noseq[e.side] = noseq.get(e.side, 0) + 1
            continue
        if e.in_hs == 0 and (e.retrans == 0 or "Alert" in e.type):
            continue  # after the handshake: resends only
        c = conns.get((e.run_id, e.seq))
        if c is None:
            c = conns[(e.run_id, e.seq)] = Conn(e.run_id, e.seq)
        c.events.setdefault(e.side, []).append(Ev(
            e.dir, e.type, e.start_rt_us + e.t_us, e.cpu_us,
            None if e.arrival_us is None else e.start_rt_us + e.arrival_us, e.retrans, e.state,
            ev_key(e.proto, e.type, e.epoch, e.msg_seq, e.frag_off, e.record_seq), e.bytes))
        c.start[e.side] = e.start_rt_us
        c.proto = e.proto
    return conns, noseq


def _arrived(e):
    return e.arr if e.arr is not None else e.t


def offset(c):
    """The server's clock offset against the client's (us), or None."""
    srv, cli = c.events["server"], c.events["client"]
    a = b = None
    for i, e in enumerate(srv):
        if a is None and e.dir == "rx":
            a = i
        if b is not None and e.dir == "rx":
            break
        if e.dir == "tx":
            b = i
    if a is None or b is None:
        return None
    ka, kb = srv[a].key, srv[b].key
    ca = cb = None
    for i, e in enumerate(cli):
        if cb is None and e.dir == "rx" and e.key == kb:
            cb = i
        if cb is None and e.dir == "tx" and e.key == ka:
            ca = i
    if ca is None or cb is None:
        return None
    return ((_arrived(srv[a]) - cli[ca].t) + (srv[b].t - _arrived(cli[cb]))) / 2


def messages(c, off):
    """Every sent row a message; each received row matched to the latest unmatched send of
    the same message before it (else a message seen only received). In time order."""
    ms = []
    for sd in ("client", "server"):
        sh = off if sd == "server" else 0
        for e in c.events[sd]:
            if e.dir == "tx":
                # until a receive names it: the sender's state after writing it (Mbed TLS
                # has moved on by then; only its ticket state names the message)
                ms.append(Msg(sd, e.type, e.key, e.t - sh, e.cpu, e.re,
                              st="TLS1_3_NEW_SESSION_TICKET"
                              if "NEW_SESSION_TICKET_FLUSH" in e.st else "", bytes=e.bytes))
    for rd in ("server", "client"):
        sd = "client" if rd == "server" else "server"
        sh = off if rd == "server" else 0
        for e in c.events[rd]:
            if e.dir != "rx":
                continue
            t = (e.arr if e.arr is not None else e.t) - sh
            best = None
            for m in ms:
                if m.sender == sd and m.key == e.key and m.rx is None and m.tx is not None \
                        and m.tx <= t + 2000 and (best is None or m.tx > best.tx):
                    best = m
            if best is None:
                best = Msg(sd, e.type, e.key, None, None, e.re, bytes=e.bytes)
                ms.append(best)
            best.rx, best.rxcpu, best.st = e.t - sh, e.cpu, e.st
            best.arr = None if e.arr is None else e.arr - sh
    return sorted(ms, key=lambda m: m.at)


def flights(ms):
    fl = []
    keys = set()
    for m in ms:
        if not fl or m.sender != fl[-1].sender or (m.re and not fl[-1].re) or m.key in keys:
            fl.append(Flight(m.sender, m.re))
            keys = set()
        fl[-1].msgs.append(m)
        keys.add(m.key)
        m.flight = len(fl)
    return fl


MSS = 1448  # a TCP segment's payload on a 1500-byte Ethernet path (IPv4, timestamps)


def packets(proto, f):
    """The datagrams a DTLS flight took (measured: the units of one datagram share its send
    time; a flight with no rows of its sender, the stateless cookie, by receive times), or
    the TCP segments a TLS flight's bytes need at MSS (computed: the stream's segmentation
    is the kernel's, not in the rows)."""
    if proto == "dtls":
        ts = {m.tx for m in f.msgs if m.tx is not None} or {m.rx for m in f.msgs}
        return len(ts)
    return -(-sum(m.bytes for m in f.msgs) // MSS)


def _d(a, b):
    return None if a is None or b is None else a - b


def merge(events, labels, sizes, clock="auto"):
    """EVENTS: every timeline row of both sides; LABELS: run id -> configuration;
    SIZES: (run, seq) -> (size, csv handshake_us, resumed) from the clients' CSVs."""
    conns, noseq = collect(events)
    if not conns:
        raise MergeError("no timeline rows with a sequence number (a run without messages?)")
    runs = {(side, c.run) for c in conns.values() for side in c.events if c.events[side]}
    for side, run in sorted(runs):
        other = "server" if side == "client" else "client"
        if (other, run) not in runs:
            raise MergeError(f"run {run} has {side} timeline rows but no {other} rows (give both "
                             "sides' --timeline files of the same run)")
    both = [c for c in conns.values() if c.events["client"] and c.events["server"]]
    same = sum(1 for c in both if c.start["client"] - 1000 <= c.start["server"]
               <= c.events["client"][-1].t)
    mode = clock if clock != "auto" else ("same" if both and same >= 0.9 * len(both) else "rtt")
    out = Merged(mode, same, len(both), noseq=noseq)
    sized_runs = {r for r, _ in sizes}
    for c in conns.values():
        if not c.events["client"] or not c.events["server"]:
            out.unmatched += 1
            continue
        cf = labels.get(c.run, f"{c.proto} run {c.run}")
        sz_info = sizes.get((c.run, c.seq))
        if sz_info and sz_info[2]:
            cf += ", resumed"
        if any(e.type == "HelloVerifyRequest" for e in c.events["client"]):
            cf += ", cookie"
        if c.run in sized_runs and sz_info is None:
            out.unsized += 1  # warm-up, END
            continue
        sz = sz_info[0] if sz_info else "all"
        off = 0
        if mode == "rtt":
            off = offset(c)
            if off is None:
                out.unmatched += 1
                continue
        _connection(out, c, cf, sz, off, sz_info)
    return out


def _connection(out, c, cf, sz, off, sz_info):
    ms = messages(c, off)
    fl = flights(ms)
    c0 = c.start["client"]
    cnt = {"client": 0, "server": 0}
    comp = {"client": 0.0, "server": 0.0}
    for f in fl:
        cnt[f.sender] += 1
        f.name = (("C" if f.sender == "client" else "S") + str(cnt[f.sender])
                  + (" resent" if f.re else "")
                  + (" (no rows of its sender)" if f.first.tx is None else "") + ": "
                  + " ".join(abbrev(m.type, m.st) for m in f.msgs))

    def put(i, metric, val):
        if val is not None:
            out.flights.append((cf, sz, i, fl[i - 1].name if i < SIDE_TOTAL else
                                ("client" if i == SIDE_TOTAL else "server") + " total",
                                metric, val))

    for i, f in enumerate(fl, start=1):
        s, a, b = f.sender, f.first, f.last
        put(i, "bytes", sum(m.bytes for m in f.msgs))
        put(i, "pkts", packets(c.proto, f))
        pf = next((g for g in reversed(fl[:i - 1]) if g.sender != s), None)
        prx = pf.last.rx if pf else None
        pcpu = pf.last.rxcpu if pf else None
        fcpu = None  # the CPU stamp of the first message of the flight answered, received
        if pf:
            m = next((m for m in ms if m.flight == fl.index(pf) + 1 and m.rx is not None), None)
            if m:
                fcpu = m.rxcpu
        if pf is None and s == "client":
            prx, pcpu = c0, 0.0  # from the connection's start
        if f.re:
            prx = None  # a resend: no compute before it, its wait is the timer
        if a.tx is not None and prx is not None:
            out.gaps.append((cf, c.run, c.seq, s, prx - c0, a.tx - c0,
                             None if b.tx is None else b.tx - c0))
            put(i, "gap", a.tx - prx)
            comp[s] += a.tx - prx
            if a.txcpu is not None and pcpu is not None:
                put(i, "gap_cpu", a.txcpu - pcpu)
        if a.tx is not None and b.tx is not None:
            put(i, "span", b.tx - a.tx)
            comp[s] += b.tx - a.tx
            if b.txcpu is not None and a.txcpu is not None:
                put(i, "span_cpu", b.txcpu - a.txcpu)
        if f.re:
            fcpu = None
        if b.txcpu is not None and fcpu is not None:
            put(i, "work_cpu", b.txcpu - fcpu)
        elif b.txcpu is not None and pf is None and not f.re:
            put(i, "work_cpu", b.txcpu)
        if a.tx is None and pf and pf.last.tx is not None and b.rx is not None:
            # sent with no row of its sender (the DTLS server's stateless
            # HelloVerifyRequest): the receiver's round trip, under wire
            put(i, "wire", (b.arr if b.arr is not None else b.rx) - pf.last.tx)
        if b.tx is not None and b.rx is not None:
            arr = b.arr if b.arr is not None else b.rx
            put(i, "wire", arr - b.tx)
            if b.arr is not None:
                put(i, "buffered", b.rx - arr)
        if f.re:  # the timer: from the same sender's previous flight
            g = next((g for g in reversed(fl[:i - 1]) if g.sender == s), None)
            if g and g.last.tx is not None and a.tx is not None:
                put(i, "timer", a.tx - g.last.tx)
    # per side: first to last event, its CPU, the time it computed (gaps + spans), and
    # waiting: every stretch of its own rows that ends in a receive, with the CPU spent in it
    for x, s in enumerate(("client", "server")):
        evs = c.events[s]
        sh = off if x else 0
        st0 = c.start[s] - off if x else c0
        wall = evs[-1].t - sh - st0
        wt = wc = 0.0
        prev, pc = st0, 0.0
        for e in evs:
            tt = e.t - sh
            if e.dir == "rx":
                wt += tt - prev
                if e.cpu is not None and pc is not None:
                    wc += e.cpu - pc
            prev, pc = tt, e.cpu
        for metric, val in (("wall", wall), ("cpu", evs[-1].cpu), ("compute", comp[s]),
                            ("wait", wt), ("wait_cpu", wc)):
            put(SIDE_TOTAL + x, metric, val)
        out.conns.append(dict(config=cf, size=sz, run_id=c.run, seq=c.seq, side=s,
                              handshake_us=wall, cpu_us=evs[-1].cpu, compute_us=comp[s],
                              waiting_us=wt, first_row_us=evs[0].t - sh - c0,
                              csv_handshake_us=sz_info[1] if sz_info else None,
                              flights=len(fl), clock_offset_us=off if x else None))
    out.msgs.append((cf, sz, c.run, c.seq, ms, fl, c0))


def percentiles(flights):
    """(cfg, size, flight, name, metric) -> (p50, p90, n), nearest-rank below (as the
    shell version: the value at int((n-1) q) + 1 of the sorted ones); keys sorted by
    configuration, size (numeric; "all" first), flight and metric."""
    groups = {}
    for cf, sz, i, name, metric, val in flights:
        groups.setdefault((cf, sz, i, name, metric), []).append(val)
    out = {}
    for k in sorted(groups, key=lambda k: (k[0], 0 if k[1] == "all" else k[1], k[2], k[4], k[3])):
        v = sorted(groups[k])
        n = len(v)
        out[k] = (v[int((n - 1) * 0.5)], v[int((n - 1) * 0.9)], n)
    return out
