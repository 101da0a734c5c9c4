"""bench-stacks.sh's tables from its run directory: runs.txt and each run's files (read by
benchruns.load_runs), meta.txt and the crypto benchmarks' outputs (floors.py); the *_lines
functions turn the figures of every run into the lines the script prints.

A figure that was not measured (a failed run, a row without a CPU figure, a --mem run
without its heap line) is None and prints as "-": it is never counted as 0.
"""

import os
from dataclasses import dataclass
from typing import Optional

from . import floors, hsflights, reader, stats
from .benchruns import load_runs, median_of as _median

PM_KINDS = ("tls12", "tls13", "dtls")
KEEP_SIZES = (64, 1024, 16384, 1048576)
AUTH_VERSIONS = ("tls12", "tls13", "dtls")
AUTH_KINDS = ("cert", "resume", "0rtt", "psk", "psk-dhe")  # 0rtt: TLS 1.3 only
PQ_KINDS = ("x25519", "X25519MLKEM768", "SecP256r1MLKEM768", "ec256", "mldsa44", "mldsa65")


def load(path):
    """(meta, floors {stack: us}, {(what, stack, kind): {round: RunFigures}}) of a
    bench-stacks.sh directory."""
    path = str(path)
    meta = reader.read_keyvals(os.path.join(path, "meta.txt"))
    cells = load_runs(path)
    fl = {
        "mbedtls": floors.mbedtls_floor(os.path.join(path, "mbedtls-benchmark.txt"),
                                        os.path.join(path, "mbedtls-benchmark.time")),
        "openssl": floors.openssl_floor(os.path.join(path, "openssl-speed.txt")),
        "wolfssl": floors.wolfssl_floor(os.path.join(path, "wolfcrypt-ecc.txt"),
                                        os.path.join(path, "wolfcrypt-kg.txt"),
                                        os.path.join(path, "wolfcrypt-benchmark.time")),
    }
    return meta, {k: v for k, v in fl.items() if v is not None}, cells


def _med(cells, what, stack, kind, attr):
    """The median over rounds of one figure of a cell (None when no round has it)."""
    return _median(getattr(f, attr) for f in cells.get((what, stack, kind), {}).values())


def _delta(cells, stack, kind, ref_kind, attr):
    """The median over rounds of (cell - the plain reference of the same round)."""
    v = {r: getattr(f, attr) for r, f in cells.get(("pm", stack, kind), {}).items()}
    ref = {r: getattr(f, attr) for r, f in cells.get(("pm", "-", ref_kind), {}).items()}
    d = stats.paired_differences({r: x for r, x in v.items() if x is not None},
                                 {r: x for r, x in ref.items() if x is not None})
    return stats.median(d) if d else None


def _kdelta(cells, stack, size):
    v = {r: f.keep[size] for r, f in cells.get(("keep", stack, "keep"), {}).items() if size in f.keep}
    ref = {r: f.keep[size] for r, f in cells.get(("keep", "tcp", "keep"), {}).items() if size in f.keep}
    d = stats.paired_differences(v, ref)
    return stats.median(d) if d else None


def _heap(cells, what, stack, kind, attr):
    f = cells.get((what, stack, kind), {}).get(0)
    return getattr(f, attr) if f else None


def _flights(cells, what, stack, kind):
    conns = [c for f in cells.get((what, stack, kind), {}).values() for c in f.flights]
    fl = hsflights.typical(conns)
    return hsflights.short(fl) if fl else "-"


def _n(x, fmt="{:.1f}"):
    return "-" if x is None else fmt.format(x)


def _ratio(a, b):
    return "-" if a is None or not b else f"{a / b:.2f}"


def _head(meta, what, tail):
    return [what, tail, f"load average: {meta.get('load_start', '?')} at the start, "
            f"{meta.get('load_end', '?')} at the end", ""]


RTT_NOTE = ("rtt: round trips per handshake, measured: in the client's timeline the times it\n"
            "read the server's messages after sending its own, resent DTLS units left out (median\n"
            "of the acked connections; TCP's connect is one more before every TLS handshake;\n"
            "hsflights.py).")
FLIGHTS_NOTE = ("Flights: from both sides' timelines (C1: the client's first, S1: the server's...);\n"
                "bytes: its handshake rows' sum (records with headers, TLS 1.3's encrypted ones as\n"
                "records), segments: computed at MSS 1448 from those bytes (TLS: the kernel cuts the\n"
                "stream; docs/timeline.md), DTLS datagrams: measured (one send time each).")
MISSING_NOTE = ("'-': not measured (a failed run, no CPU figure in a row, no heap line); a\n"
                "missing figure is left out of the medians, never counted as 0.")


def table_lines(meta, fl, cells, raw):
    """The per-message, resumption, floor and keep-alive tables."""
    stacks = meta.get("stacks", "").split()
    out = _head(meta, f"TLS stacks on loopback, {meta.get('count')} connections per per-message "
                f"run, {meta.get('kcount')} messages per size",
                f"kept alive, {meta.get('rounds')} rounds, client CPU {meta.get('client_cpu')}, "
                f"server CPU {meta.get('server_cpu')} (us; medians over rounds)")
    m = lambda s, k, a: _med(cells, "pm", s, k, a)  # noqa: E731
    out.append("reference: tcp per message total p50 %s p99 %s; udp p50 %s p99 %s" % (
        _n(m("-", "tcp", "total_p50")), _n(m("-", "tcp", "total_p99")),
        _n(m("-", "udp", "total_p50")), _n(m("-", "udp", "total_p99"))))
    out.append("")
    fmt = "%-8s %-6s %9s %9s %8s %8s %7s %9s %9s"
    out.append(fmt % ("stack", "kind", "p50-ref", "p99-ref", "cli_cpu", "srv_cpu", "hs_B",
                      "heap_cli", "heap_srv"))
    for s in stacks:
        for k in PM_KINDS:
            rk = "udp" if k == "dtls" else "tcp"
            out.append(fmt % (s, k, _n(_delta(cells, s, k, rk, "total_p50")),
                              _n(_delta(cells, s, k, rk, "total_p99")), _n(m(s, k, "cpu_p50")),
                              _n(m(s, k, "srv_cpu")), _n(m(s, k, "hs_bytes")),
                              _n(_heap(cells, "heap", s, k, "heap_cli"), "{}"),
                              _n(_heap(cells, "heap", s, k, "heap_srv"), "{}")))
    out.append("")
    fmt2 = "%-8s %12s %12s %10s %12s %10s %s"
    out.append(fmt2 % ("stack", "resumed_hs", "full_hs", "floor", "tls13/floor", "cpu/floor",
                       "keep 64B/1K/16K/1M minus tcp"))
    for s in stacks:
        t13 = _delta(cells, s, "tls13", "tcp", "total_p50")
        cc, sc = m(s, "tls13", "cpu_p50"), m(s, "tls13", "srv_cpu")
        cpu = cc + sc if cc is not None and sc is not None else None
        floor = fl.get(s)
        out.append(fmt2 % (s, _n(m(s, "resume", "hs_p50")), _n(m(s, "tls13", "hs_p50")),
                           _n(floor), _ratio(t13, floor), _ratio(cpu, floor),
                           "/".join(_n(_kdelta(cells, s, z)) for z in KEEP_SIZES)))
    out += [
        "",
        "p50-ref/p99-ref: total per message minus plain TCP (tls) or UDP (dtls) of the same round;",
        "cli_cpu/srv_cpu: CPU per connection; hs_B: handshake bytes, both ways; heap: peak per",
        "connection (bytes, --mem run); floor: 2 ECDHE + 2 ECDSA signs + 4 verifies from the",
        "stack's own crypto benchmark ('-': none measured); tls13/floor: TLS 1.3 extra over TCP",
        "as a multiple of it; cpu/floor: TLS 1.3 client + server CPU per connection over it (on a",
        "loaded host the time ratio includes waiting for a CPU, the CPU ratio does not).",
        MISSING_NOTE,
        f"Raw rows: {raw}",
    ]
    return out


def pq_lines(meta, cells, raw):
    """The post-quantum table (-Q)."""
    stacks = [s for s in meta.get("stacks", "").split() if s != "mbedtls"]
    out = _head(meta, "Post-quantum TLS 1.3 full handshakes on loopback, mutual authentication, "
                f"{meta.get('count')} connections",
                f"per run, {meta.get('rounds')} rounds, client CPU {meta.get('client_cpu')}, "
                f"server CPU {meta.get('server_cpu')} (medians over rounds)")
    fmt = "%-8s %-18s %8s %8s %8s %8s %9s %4s %9s %9s"
    out.append(fmt % ("stack", "kind", "cli_tx_B", "srv_tx_B", "cli_cpu", "srv_cpu", "hs_p50",
                      "rtt", "heap_cli", "heap_srv"))
    for s in stacks:
        for k in PQ_KINDS:
            m = lambda a: _n(_med(cells, "pq", s, k, a))  # noqa: E731
            out.append(fmt % (s, k, m("hs_tx"), m("hs_rx"), m("cpu_p50"), m("srv_cpu"),
                              m("hs_p50"), _n(_med(cells, "pq", s, k, "rtt"), "{:g}"),
                              _n(_heap(cells, "pqheap", s, k, "heap_cli"), "{}"),
                              _n(_heap(cells, "pqheap", s, k, "heap_srv"), "{}")))
    out += ["", "Flights of the typical connection (all rounds; per flight: its messages, bytes / "
            "TCP segments):"]
    for s in stacks:
        for k in PQ_KINDS:
            out.append("%-8s %-18s %s" % (s, k, _flights(cells, "pq", s, k)))
    out += [
        "",
        "kinds x25519, X25519MLKEM768, SecP256r1MLKEM768: the key exchange (one key share, EC P-256",
        "certificates); ec256, mldsa44, mldsa65: the certificates' keys (CA, server and client;",
        "secp256r1). cli_tx_B/srv_tx_B: handshake bytes the client/server sent (TCP payload);",
        "cli_cpu/srv_cpu: CPU per connection (us); hs_p50: the client's handshake phase (us);",
        "heap: peak per connection (bytes, a separate --mem run of 20 connections).",
        RTT_NOTE,
        FLIGHTS_NOTE,
        MISSING_NOTE,
        f"Raw rows: {raw}",
    ]
    return out + link_lines(meta, cells, "pqlink", [(s, k) for s in stacks for k in PQ_KINDS])


@dataclass
class AuthRow:
    """One row of the authentication table (-A): a stack, version and authentication;
    medians over rounds, None where not measured."""
    stack: str
    version: str  # tls12 tls13 dtls
    auth: str  # cert, resume (certificates, --resume), 0rtt (resume + --early-data), psk, psk-dhe
    cli_tx: Optional[float]  # handshake bytes the client sent
    srv_tx: Optional[float]  # ... the server sent (the client received)
    cli_cpu: Optional[float]  # us per connection
    srv_cpu: Optional[float]
    hs_p50: Optional[float]  # the client's handshake phase, us
    heap_cli: Optional[int]  # peak per connection, bytes (the --mem run)
    heap_srv: Optional[int]
    acked: int  # acked rows over every round
    resumed: int  # ... of them resumed
    early_offered: Optional[int]  # connections that offered / had accepted early data
    early_accepted: Optional[int]  # (all rounds, warm-up included; None: not 0-RTT)
    rtt: Optional[float] = None  # round trips per handshake (hsflights.py), median


def auth_rows(meta, cells):
    """The AuthRows of a -A directory: every stack of meta.txt, version and authentication,
    in the table's order (a cell without runs is a row of None)."""
    out = []
    for s in meta.get("stacks", "").split():
        for v in AUTH_VERSIONS:
            for a in AUTH_KINDS:
                if a == "0rtt" and v != "tls13":
                    continue
                k = f"{v}-{a}"
                m = lambda attr: _med(cells, "auth", s, k, attr)  # noqa: E731
                runs = list(cells.get(("auth", s, k), {}).values())
                eo = [f.early_offered for f in runs if f.early_offered is not None]
                ea = [f.early_accepted for f in runs if f.early_accepted is not None]
                out.append(AuthRow(s, v, a, m("hs_tx"), m("hs_rx"), m("cpu_p50"), m("srv_cpu"),
                                   m("hs_p50"), _heap(cells, "authheap", s, k, "heap_cli"),
                                   _heap(cells, "authheap", s, k, "heap_srv"),
                                   sum(f.acked for f in runs), sum(f.resumed for f in runs),
                                   sum(eo) if eo else None, sum(ea) if ea else None,
                                   m("rtt")))
    return out


def auth_lines(meta, rows, raw, cells=None):
    """The authentication table (-A) of AuthRows, and the table over links (-L) of CELLS."""
    out = _head(meta, "Certificate vs PSK vs PSK+ECDHE on loopback, "
                f"{meta.get('count')} connections per run (64 B each),",
                f"{meta.get('rounds')} rounds, client CPU {meta.get('client_cpu')}, server CPU "
                f"{meta.get('server_cpu')} (medians over rounds)")
    fmt = "%-8s %-6s %-8s %8s %8s %8s %8s %9s %4s %9s %9s %8s %7s"
    out.append(fmt % ("stack", "ver", "auth", "cli_tx_B", "srv_tx_B", "cli_cpu", "srv_cpu",
                      "hs_p50", "rtt", "heap_cli", "heap_srv", "resumed", "early"))
    for r in rows:
        out.append(fmt % (r.stack, r.version, r.auth, _n(r.cli_tx), _n(r.srv_tx), _n(r.cli_cpu),
                          _n(r.srv_cpu), _n(r.hs_p50), _n(r.rtt, "{:g}"), _n(r.heap_cli, "{}"),
                          _n(r.heap_srv, "{}"), f"{r.resumed}/{r.acked}",
                          "-" if r.early_offered is None else
                          f"{_n(r.early_accepted, '{}')}/{r.early_offered}"))
    out += [
        "",
        "auth cert: certificates (EC P-256, mutual), full handshakes; resume: the same with",
        "--resume (the first connection full, the next ones resumed when the server agrees;",
        "a PSK session is not resumed, --resume refuses --psk); 0rtt: TLS 1.3 resumed with",
        "--early-data (the 64-byte request in the first flight); psk, psk-dhe: an external PSK",
        "(--psk-mode), without and with ECDHE on secp256r1. cli_tx_B/srv_tx_B: handshake bytes",
        "the client/server sent (TLS records or DTLS datagrams' payloads, median of the acked",
        "connections); cli_cpu/srv_cpu: CPU per connection (us; the client's covers handshake,",
        "one 64-byte exchange and close); hs_p50: the client's handshake phase (us; wall time,",
        "on a loaded host mostly waiting for a CPU); heap: peak per connection (bytes, a",
        "separate --mem run of 20 connections); resumed: resumed/acked connections, all rounds;",
        "early: connections whose early data the server accepted / that offered it (the JSON's",
        "early_data, all rounds, warm-up included; '-': not a 0-RTT row).",
        RTT_NOTE,
        MISSING_NOTE,
        f"Raw rows: {raw}",
    ]
    keys = [(s, f"{v}-{a}") for s in meta.get("stacks", "").split() for v in AUTH_VERSIONS
            for a in AUTH_KINDS if a != "0rtt" or v == "tls13"]
    if cells:
        out += ["", "Flights of the typical connection (all rounds; per flight: its messages, "
                "bytes / TCP segments or datagrams):"]
        out += ["%-8s %-16s %s" % (s, k, _flights(cells, "auth", s, k)) for s, k in keys]
        out.append(FLIGHTS_NOTE)
    return out + link_lines(meta, cells or {}, "authlink", keys)


def link_lines(meta, cells, what, keys):
    """The table over the links of -L: per link (meta.txt's links, numbered from 1), stack
    and kind (KEYS: (stack, kind) in order), the handshakes acked and failed, their p50 and
    p95 (ms), round trips and retransmissions. [] without links."""
    links = meta.get("links", "").split()
    if not links:
        return []
    want = int(meta.get("link_count", "0") or 0)
    out = ["", f"Over emulated links (scripts/link.sh profiles), {want} handshakes per cell after "
           "one warm-up, one run", f"per cell, {meta.get('link_secs', '?')} s in all (ms; p95 of "
           "few handshakes is near the slowest)", ""]
    fmt = "%-7s %-8s %-22s %6s %5s %5s %9s %9s %4s %7s"
    out.append(fmt % ("link", "stack", "kind", "acked", "fail", "no_hs", "hs_p50", "hs_p95",
                      "rtt", "retrans"))
    for i, name in enumerate(links, start=1):
        for s, k in keys:
            f = cells.get((what, s, k), {}).get(i)
            if f is None:
                out.append(fmt % (name, s, k, "-", "-", "-", "-", "-", "-", "-"))
                continue
            q = lambda x: _n(None if x is None else x / 1000)  # noqa: E731
            out.append(fmt % (name, s, k, f.acked, max(want - f.acked, f.rows - f.acked),
                              f.no_hs, q(f.hs_q50), q(f.hs_q95), _n(f.rtt, "{:g}"),
                              f.retrans if k.startswith("dtls") else f.tcp_retrans))
    out += [
        "",
        "acked: handshakes whose message was acknowledged; fail: the others of the cell (lost",
        "messages, handshakes that failed or never ran: a run stopped early counts all it did",
        "not do); no_hs: failed ones whose connect or handshake never completed (the others",
        "lost the request, its answer or the close); hs_p50/hs_p95: the client's handshake",
        "phase of the acked ones, nearest rank;",
        "rtt: round trips per handshake as above (resent flights left out: their cost is the",
        "timer's wait, in hs_p50/p95); retrans: DTLS: connections with a handshake retransmission;",
        "TLS: TCP segments the client and the server retransmitted (tcp_info), all rows.",
    ]
    return out
