"""Round trips and flights of a run's handshakes, measured from the timelines both sides
wrote (--timeline, docs/timeline.md): no model of the protocol, only what the rows show.

- Round trips: in the client's handshake rows (in_hs 1) of a connection, in order, the
  number of times a received row follows a sent one: the client sent (a flight, or a part
  of one) and then read something the server sent. TLS 1.3 full: 1; TLS 1.2 full: 2;
  resumed: 1; DTLS 1.2 with its cookie: 3; wolfSSL's DTLS 1.3 client also waits for the
  ACK of its Finished. Rows of a DTLS unit sent or received again (retrans 1: a flight
  resent by a timer, or the peer's resend of one) are left out: a resend costs the timer's
  wait, not a round trip of the protocol (the tables count resends apart). TCP's connect (one more round trip before every TLS handshake) is not a
  handshake row, nor is 0-RTT's request: it rides in the first flight.
- Flights: the merge of both sides (timeline.merge), per flight its sender, messages,
  bytes (the rows' sum) and packets (timeline.packets: DTLS datagrams measured, TLS
  segments computed at MSS 1448 from the flight's bytes).
No I/O here."""

from typing import Dict, List, Optional, Sequence, Tuple

from . import stats, timeline

# A connection's flights: (name, bytes, packets) per flight, e.g. ("C1: CH", 1523, 2)
Flights = Tuple[Tuple[str, int, int], ...]


def round_trips(events) -> Dict[Tuple[str, int], int]:
    """{(run id, seq): round trips} of every client connection in EVENTS (timeline rows of
    one or both sides; the server's are ignored)."""
    out, last = {}, {}
    for e in events:
        if e.side != "client" or e.in_hs != 1 or e.seq is None or e.retrans:
            continue
        k = (e.run_id, e.seq)
        out.setdefault(k, 0)
        if e.dir == "rx" and last.get(k) == "tx":
            out[k] += 1
        last[k] = e.dir
    return out


def flights(events, sizes) -> Dict[Tuple[str, int], Flights]:
    """{(run id, seq): Flights} of the connections of SIZES ((run, seq) -> (size, hs_us,
    resumed), the client's timed rows) that both sides have rows of; {} when the rows do not
    merge (one side's file missing or empty)."""
    try:
        m = timeline.merge(events, {}, sizes, clock="same")
    except timeline.MergeError:
        return {}
    out = {}
    for _cf, _sz, run, seq, ms, fl, _c0 in m.msgs:
        if (run, seq) not in sizes:
            continue
        proto = next((e.proto for e in events if e.run_id == run), "tls")
        # "S1 (no rows of its sender): HVR" (the stateless cookie) -> "S1: HVR"
        out[(run, seq)] = tuple((f.name.replace(" (no rows of its sender)", ""),
                                 sum(x.bytes for x in f.msgs),
                                 timeline.packets(proto, f)) for f in fl)
    return out


def median_rtt(rtts: Sequence[int]) -> Optional[float]:
    return stats.median(list(rtts)) if rtts else None


def typical(conns: List[Flights]) -> Flights:
    """The flights of the most common sequence (by name) among CONNS, each flight's bytes
    and packets the median over the connections of that sequence; () when none."""
    if not conns:
        return ()
    count: Dict[Tuple[str, ...], int] = {}
    for c in conns:
        names = tuple(n for n, _, _ in c)
        count[names] = count.get(names, 0) + 1
    best = max(count, key=lambda k: (count[k], -len(k)))
    same = [c for c in conns if tuple(n for n, _, _ in c) == best]
    return tuple((name, int(stats.median([c[i][1] for c in same])),
                  int(stats.median([c[i][2] for c in same]))) for i, name in enumerate(best))


def short(fl: Flights) -> str:
    """'C1 CH 1523/2 | S1 SH Enc*5 2467/2 | ...': per flight its messages, bytes/packets."""
    parts = []
    for name, b, p in fl:
        head, _, msgs = name.partition(": ")
        words = msgs.split()
        # runs of one message abbreviated: "Enc Enc Enc" -> "Enc*3"
        runs: List[List] = []
        for w in words:
            if runs and runs[-1][0] == w:
                runs[-1][1] += 1
            else:
                runs.append([w, 1])
        m = " ".join(w if n == 1 else f"{w}*{n}" for w, n in runs)
        parts.append(f"{head} {m} {b}/{p}")
    return " | ".join(parts)
