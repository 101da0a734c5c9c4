"""bench-tls.sh's and bench-dtls.sh's summaries from their run directories: meta.txt (the
options and the load), runs.txt and each run's files (benchruns.load_runs: "pm ROUND - TAG
FILE" per message, TAG tcp, tls, tls-resume, udp, dtls, dtls-nocookie; "keep ROUND - PROTO
FILE" keep-alive), Mbed TLS's benchmark output (benchmark.txt, with benchmark.time's CPU
shares) and, for TLS, openssl s_time's output (stime.out). Figures are medians over the
rounds; a figure no round measured prints as "-" (never as 0).
"""

import os

from . import floors, reader, stats, toolout
from .benchruns import load_runs, median_of
from .records import FormatError

# -t TYPE of bench-tls.sh: the benchmark's signature line and its units
SIGS = {"ec256": ("ECDSA-secp256r1", "sign", "verify"),
        "ec384": ("ECDSA-secp384r1", "sign", "verify"),
        "rsa2048": ("RSA-2048", "private", "public"),
        "rsa3072": ("RSA-3072", "private", "public")}


def _f(x, fmt="%.1f"):
    return "-" if x is None else fmt % x


def _sub(a, b):
    return None if a is None or b is None else a - b


class Runs:
    """The per-message and keep-alive figures of a bench-tls/dtls directory."""

    def __init__(self, cells):
        self.cells = cells

    def rounds(self, tag):
        return self.cells.get(("pm", "-", tag), {})

    def m(self, tag, attr):
        """The median over the rounds of one figure of TAG's per-message runs."""
        return median_of(getattr(f, attr) for f in self.rounds(tag).values())

    def last(self, tag):
        r = self.rounds(tag)
        return r[max(r)] if r else None

    def keep_sizes(self, protos):
        sizes = []
        for p in protos:
            for f in self.cells.get(("keep", "-", p), {}).values():
                sizes += [z for z in f.keep if z not in sizes]
        return sizes

    def keep(self, proto, size):
        return median_of(f.keep.get(size) for f in self.cells.get(("keep", "-", proto), {}).values())

    def keep_round(self, proto, size):
        return {r: f.keep[size] for r, f in self.cells.get(("keep", "-", proto), {}).items()
                if size in f.keep}

    def ratios(self, tag, ref, denominator):
        """Per round where both ran: (TAG total - REF total) / denominator(round) (a round
        whose denominator is None is left out)."""
        a, b = self.rounds(tag), self.rounds(ref)
        out = []
        for r in sorted(set(a) & set(b)):
            d = denominator(r)
            if d and a[r].total_p50 is not None and b[r].total_p50 is not None:
                out.append((a[r].total_p50 - b[r].total_p50) / d)
        return out


def verdict_text(q, target, width=0):
    """"1.05   min..max 1.00..1.10; target <= 1.15: met" for per-round ratios Q (the median
    right-aligned in WIDTH)."""
    m = stats.median(q)
    lo, hi = stats.spread(q)
    return "%*.2f   min..max %.2f..%.2f; target <= %s: %s" % (
        width, m, lo, hi, target, "met" if m <= float(target) else "above")


def negotiated(path, tag):
    p = os.path.join(path, f"{tag}.json")
    s = reader.read_summary(p) if os.path.isfile(p) else None
    return s.negotiated if s is not None and s.negotiated else "unknown"


def mbedtls_floor_parts(path, names, timed=True):
    """(ECDHE/s, sign/s, verify/s, share_ecdhe, share_sig, share_gcm, gcm KiB/s or None) from
    PATH/benchmark.txt (and benchmark.time's shares, 1 when absent); FormatError naming
    the first figure missing."""
    bench = os.path.join(path, "benchmark.txt")
    rates = reader.read_rates(bench)
    sig, su, vu = names
    e = reader.rate(rates, "ECDHE-secp256r1", "ephemeral handshake")
    s, v = reader.rate(rates, sig, su), reader.rate(rates, sig, vu)
    for what, x in (("ECDHE-secp256r1", e), (f"{sig} {su}", s), (f"{sig} {vu}", v)):
        if not x:
            raise FormatError(bench, 0, f"no '{what}' figure")
    tp = os.path.join(path, "benchmark.time")
    t = toolout.read_times(tp) if timed and os.path.isfile(tp) else []
    sh = [t[i].share if i < len(t) else 1.0 for i in range(3)]
    return e, s, v, sh[0], sh[1], sh[2], reader.rate(rates, "AES-GCM-128", "KiB")


def tls_floor(path, meta):
    """(floor us at a full CPU, gcm KiB/s at a full CPU or None, the floor's lines)."""
    names = SIGS.get(meta.get("type", "ec256"), SIGS["ec256"])
    e, s, v, a, b, c, gcm = mbedtls_floor_parts(path, names)
    floor = floors.handshake_floor_us(e, s, v, a, b)
    lines = ["crypto floor (programs/test/benchmark, same Mbed TLS build), us per operation:",
             "  ECDHE-secp256r1 %.1f, %s sign %.1f, verify %.1f" % (1e6 * a / e, names[0],
                                                                    1e6 * b / s, 1e6 * b / v),
             "  mutual auth: 2 ECDHE + 2 sign + 4 verify = %.1f" % floor]
    if a < 0.95 or b < 0.95:
        lines += ["  (busy host: the benchmark had %.0f%% and %.0f%% of a CPU, %.1f as it counted;"
                  % (100 * a, 100 * b, floors.handshake_floor_us(e, s, v)),
                  "   figures above are at a full CPU)"]
    return floor, (round(gcm / c) if gcm else None), lines


def tls_lines(path):
    path = str(path)
    meta = reader.read_keyvals(os.path.join(path, "meta.txt"))
    floor, gcm, floor_lines = tls_floor(path, meta)
    runs = Runs(load_runs(path))
    target = meta.get("target", "1.15")
    out = [f"# bench-tls: TLS {meta.get('version')}, {meta.get('type')} keys, ECDHE "
           f"{meta.get('groups')}, AES-128-GCM; {meta.get('rounds')} rounds;",
           f"#   client on CPU {meta.get('client_cpu')}, server on CPU {meta.get('server_cpu')}; "
           f"load average {meta.get('load_start')} -> {meta.get('load_end')}",
           f"# negotiated: {negotiated(path, 'tls-r1')}",
           f"# mbedtls: {meta.get('mbedtls')}; {meta.get('openssl')}"] + floor_lines
    m = runs.m
    row = lambda label, x, tail="": "  %-38s %10s%s" % (label, x, tail)  # noqa: E731
    q = runs.ratios("tls", "tcp", lambda r: floor)
    out += ["per message, 64 B, a new connection each (p50 us, median of the rounds):",
            row("tcp total", _f(m("tcp", "total_p50"))),
            row("tls total", _f(m("tls", "total_p50")), "   (handshake phase %s)" % _f(m("tls", "hs_p50"))),
            row("tls - tcp", _f(_sub(m("tls", "total_p50"), m("tcp", "total_p50"))))]
    if q:
        out.append("  %-38s %s" % ("(tls - tcp) / floor", verdict_text(q, target, 10)))
    for side, attr in (("client", "cpu_p50"), ("server", "srv_cpu")):
        out.append(row(f"{side} CPU per connection, tls", _f(m("tls", attr)), "   tcp %s, difference %s" % (
            _f(m("tcp", attr)), _f(_sub(m("tls", attr), m("tcp", attr))))))
    parts = [m("tls", "cpu_p50"), m("tls", "srv_cpu"), m("tcp", "cpu_p50"), m("tcp", "srv_cpu")]
    cpu = None if None in parts else parts[0] + parts[1] - parts[2] - parts[3]
    out.append(row("CPU / floor", _f(cpu / floor if cpu is not None else None, "%.2f"),
                   "   (client + server CPU, tls - tcp: %s)" % _f(cpu)))
    last = runs.last("tls-resume")
    out.append(row("tls --resume handshake", _f(m("tls-resume", "hs_p50")),
                   "   (total %s; resumed %s timed rows, last round)" % (
                       _f(m("tls-resume", "total_p50")),
                       f"{last.resumed}/{last.acked}" if last else "-")))
    out.append(row("tls --resume client CPU per connection", _f(m("tls-resume", "cpu_p50")),
                   "   server %s" % _f(m("tls-resume", "srv_cpu"))))
    st = stime_figures(path, meta)
    if st:
        out += ["openssl s_time -new (OpenSSL client and server, same certificates; %d connections):" % st[2],
                "  %-38s %10.1f" % ("wall time per connection", st[0]),
                "  %-38s %10.1f" % ("client user CPU per connection", st[1])]
    out.append("keep-alive, one connection (total p50 us per message, median of the rounds):")
    if gcm:
        out += ["  (gcm floor: AES-128-GCM at %.0f MB/s: the request encrypted, its last record" % (gcm * 1.024 / 1000),
                "   decrypted (the rest overlaps on the two CPUs), the reply both ways)"]
    out.append("  %8s %10s %10s %10s %8s %10s %9s" % ("size", "tcp", "tls", "tls-tcp", "tls/tcp",
                                                      "gcm floor", "diff/flr"))
    for k in runs.keep_sizes(("tcp", "tls")):
        t1, t2 = runs.keep("tcp", k), runs.keep("tls", k)
        g = (k + min(k, 16384) + 48) / (gcm * 1024) * 1e6 if gcm else None
        d = _sub(t2, t1)
        out.append("  %8s %10s %10s %10s %8s %10s %9s" % (
            k, _f(t1), _f(t2), _f(d), _f(t2 / t1 if t1 and t2 is not None else None, "%.2f"),
            _f(g), _f(d / g if g and d is not None else None, "%.2f")))
    out.append("'-': not measured (no round gave the figure): never counted as 0.")
    out.append(f"# raw: {path}/runs.txt and {path}/*.json, *.csv")
    return out


def stime_figures(path, meta):
    """(wall us per connection, client user CPU us per connection, connections) of openssl
    s_time, from stime.out and the wall time the script measured (meta stime_ns); None
    when it did not run."""
    p = os.path.join(path, "stime.out")
    ns = meta.get("stime_ns")
    if not ns or not os.path.isfile(p):
        return None
    st = toolout.read_stime(p)
    if st is None:
        return None
    conns, per_user_s = st
    return float(ns) / 1e3 / conns, 1e6 / per_user_s, conns


def dtls_floor(path):
    """(floor us, the floor's lines): bench-dtls.sh pins the benchmark but does not time it."""
    e, s, v, _, _, _, _ = mbedtls_floor_parts(path, SIGS["ec256"], timed=False)
    floor = floors.handshake_floor_us(e, s, v)
    return floor, ["crypto floor (programs/test/benchmark, same Mbed TLS build), us per operation:",
                   "  ECDHE-secp256r1 %.1f, ECDSA-secp256r1 sign %.1f, verify %.1f" % (
                       1e6 / e, 1e6 / s, 1e6 / v),
                   "  mutual auth: 2 ECDHE + 2 sign + 4 verify = %.1f" % floor]


def dtls_lines(path):
    path = str(path)
    meta = reader.read_keyvals(os.path.join(path, "meta.txt"))
    floor, floor_lines = dtls_floor(path)
    runs = Runs(load_runs(path))
    target = meta.get("target", "1.15")
    rtt = runs.keep_round("udp", 64)
    m = runs.m
    out = [f"# bench-dtls: DTLS 1.2, EC P-256 keys, ECDHE secp256r1, AES-128-GCM; "
           f"{meta.get('rounds')} rounds;",
           f"#   client on CPU {meta.get('client_cpu')}, server on CPU {meta.get('server_cpu')}; "
           f"load average {meta.get('load_start')} -> {meta.get('load_end')}",
           f"# negotiated: {negotiated(path, 'dtls-r1')}",
           f"# mbedtls: {meta.get('mbedtls')}"] + floor_lines + [
           "round trip (udp --keep, 64 B, p50, median of the rounds): %s us" % _f(median_of(rtt.values()))]
    row = lambda label, x, tail="": "  %-40s %10s%s" % (label, x, tail)  # noqa: E731

    def ratio(tag, with_rtt):
        q = runs.ratios(tag, "udp", lambda r: floor + (rtt[r] if with_rtt else 0) if r in rtt else None)
        return verdict_text(q, target) if q else "n/a"
    rk = {t: sum(f.retrans for f in runs.rounds(t).values()) for t in ("dtls", "dtls-nocookie")}
    rn = {t: sum(f.rows for f in runs.rounds(t).values()) for t in ("dtls", "dtls-nocookie")}
    out += ["per message, 64 B, a new session each (p50 us, median of the rounds):",
            row("udp total", _f(m("udp", "total_p50"))),
            row("dtls total, cookies", _f(m("dtls", "total_p50")),
                "   (handshake %s, of which cookie round trip %s)" % (_f(m("dtls", "hs_p50")),
                                                                      _f(m("dtls", "cookie_p50")))),
            row("dtls total, --no-cookie", _f(m("dtls-nocookie", "total_p50")),
                "   (handshake %s)" % _f(m("dtls-nocookie", "hs_p50"))),
            row("dtls - udp, cookies", _f(_sub(m("dtls", "total_p50"), m("udp", "total_p50")))),
            row("dtls - udp, --no-cookie", _f(_sub(m("dtls-nocookie", "total_p50"), m("udp", "total_p50")))),
            "  %-40s %s" % ("(dtls - udp) / (floor + RTT), cookies", ratio("dtls", True)),
            "  %-40s %s" % ("(dtls - udp) / floor, --no-cookie", ratio("dtls-nocookie", False)),
            "  %-40s %d of %d (cookies), %d of %d (--no-cookie); target: none" % (
                "sessions with a handshake retransmission", rk["dtls"], rn["dtls"],
                rk["dtls-nocookie"], rn["dtls-nocookie"]),
            row("CPU per session, dtls client", _f(m("dtls", "cpu_p50")), "   server %s (udp: client %s)" % (
                _f(m("dtls", "srv_cpu")), _f(m("udp", "cpu_p50")))),
            "keep-alive, one session (total p50 us per message, median of the rounds):",
            "  %8s %10s %10s %10s %8s" % ("size", "udp", "dtls", "dtls-udp", "dtls/udp")]
    for k in runs.keep_sizes(("udp", "dtls")):
        t1, t2 = runs.keep("udp", k), runs.keep("dtls", k)
        out.append("  %8s %10s %10s %10s %8s" % (k, _f(t1), _f(t2), _f(_sub(t2, t1)),
                                                 _f(t2 / t1 if t1 and t2 is not None else None, "%.2f")))
    out.append("'-': not measured (no round gave the figure): never counted as 0.")
    out.append(f"# raw: {path}/runs.txt and {path}/*.json, *.csv")
    return out
