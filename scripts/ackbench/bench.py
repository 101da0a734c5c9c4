"""The summaries of the bench scripts (scripts/bench-*.sh), from their rounds.txt records
(or runs.txt: the runs' own files, read here): each returns the lines the script prints
(users and tests grep them)."""

import os

from . import reader, stats
from .records import FormatError, LoopbackRound, TimelineRound


def _groups(records, key):
    """{key: [records]} in the order each key first appears."""
    out = {}
    for r in records:
        out.setdefault(key(r), []).append(r)
    return out


def p50_of(path, phase):
    """The p50 (us) of PHASE (exchange, total, handshake, cpu...) of the first size of a
    client's --json summary; FormatError naming the file when it has none."""
    summary = reader.read_summary(path)
    if summary is None or not summary.sizes:
        raise FormatError(path, 0, "not a client summary with a size")
    ph = summary.sizes[0].phases.get(phase)
    if ph is None or ph.n == 0:
        raise FormatError(path, 0, f"sizes[0].{phase}: no figure")
    return ph.p50


def loopback_rounds(directory, runs):
    """bench-loopback.sh's LoopbackRun records (runs.txt in DIRECTORY) as LoopbackRound
    ones: our p50 read from each run's --json file, exchange with --keep, else total."""
    return [LoopbackRound(r.kind, r.proto, r.size, r.round,
                          p50_of(os.path.join(directory, r.ours_json),
                                 "exchange" if r.kind == "keep" else "total"), r.ref_us)
            for r in runs]


def timeline_rounds(directory, runs):
    """bench-timeline.sh's TimelineRun records (runs.txt in DIRECTORY) as TimelineRound
    ones: the client's handshake and CPU p50s from its --json file, the server's median
    CPU from its CSV (None when no connection completed)."""
    out = []
    for r in runs:
        j = os.path.join(directory, r.client_json)
        out.append(TimelineRound(r.conf, r.round, p50_of(j, "handshake"), p50_of(j, "cpu"),
                                 server_cpu(reader.read_server(
                                     os.path.join(directory, r.server_csv)))))
    return out


def loopback_lines(rounds, target):
    """bench-loopback.sh: per kind/proto/size, the medians over the rounds of our p50 and
    the reference's, the median of the per-round ratios ours/ref with their min..max, and
    "met" when that median is at most TARGET, else "above"."""
    lines = ["%-12s %-5s %6s %10s %10s %7s %13s   %s" % (
        "mode", "proto", "size", "ours p50", "ref p50", "ratio", "min..max", f"target <= {target}")]
    groups = _groups(rounds, lambda r: (r.kind, r.proto, r.size))
    for (kind, proto, size), rs in groups.items():
        q = [r.ours_us / r.ref_us for r in rs]
        m = stats.median(q)
        lo, hi = stats.spread(q)
        lines.append("%-12s %-5s %6s %10.1f %10.1f %7.2f %6.2f..%-6.2f   %s" % (
            kind, proto, size, stats.median(r.ours_us for r in rs),
            stats.median(r.ref_us for r in rs), m, lo, hi, "met" if m <= float(target) else "above"))
    return lines


def timeline_lines(rounds, confs=("tls12", "tls13", "dtls")):
    """bench-timeline.sh: per configuration, the medians over the rounds of the handshake,
    client CPU and server CPU p50s without and with --timeline (conf "C-tl"), and the ratio
    with/without ("-" where a configuration has no rounds)."""
    head = "%-6s %12s %12s %7s %12s %12s %7s %12s %12s %7s" % (
        "conf", "handshake us", "+timeline", "ratio", "cli cpu us", "+timeline", "ratio",
        "srv cpu us", "+timeline", "ratio")
    lines = [head]
    groups = _groups(rounds, lambda r: r.conf)
    for c in confs:
        row = "%-6s" % c
        for field in ("handshake_us", "cpu_us", "server_cpu_us"):
            # a round without the figure ("-": not measured) is left out, never taken as 0
            a = [getattr(r, field) for r in groups.get(c, []) if getattr(r, field) is not None]
            b = [getattr(r, field) for r in groups.get(c + "-tl", []) if getattr(r, field) is not None]
            ma = stats.median(a) if a else None
            mb = stats.median(b) if b else None
            ratio = mb / ma if ma and mb is not None else None
            row += " %12s %12s %7s" % (
                "-" if ma is None else f"{ma:.1f}", "-" if mb is None else f"{mb:.1f}",
                "-" if ratio is None else f"{ratio:.3f}")
        lines.append(row)
    return lines


def server_cpu(rows):
    """The median CPU time (us) of the server's completed connections (conn rows with
    status 0 and a CPU figure); None when there are none."""
    v = [r.cpu_us for r in rows if r.kind == "conn" and r.status == 0 and r.cpu_us is not None]
    return stats.median(v) if v else None


SLOWLORIS_FMT = "%-5s %-5s %-8s %4s %10s %10s %10s %10s %8s %6s"


def slowloris_head():
    return SLOWLORIS_FMT % ("proto", "conns", "kind", "K", "p50_ms", "p95_ms", "+p50_ms",
                            "+p95_ms", "p50x", "lost")


def slowloris_line(proto, conns, kind, k, alone, attacked):
    """bench-slowloris.sh: one cell's line from the good client's samples alone and with
    the K peers (every round's rows together): handshake p50 and p95 alone (ms, nearest
    rank), the extra with the peers at each, the ratio of the p50s and the messages the
    client lost with the peers. Returns (line, ok): ok is False when either side has no
    completed handshake (its figures print as "-")."""
    def hs_ms(samples):
        return [s.handshake_us / 1000 for s in samples if s.ok == 1]
    b, a = hs_ms(alone), hs_ms(attacked)
    lost = sum(1 for s in attacked if s.ok != 1)
    if not b or not a:
        f = lambda v, p: "-" if not v else "%.2f" % stats.percentile(v, p)  # noqa: E731
        return SLOWLORIS_FMT % (proto, conns, kind, k, f(b, 50), f(b, 95), "-", "-", "-",
                                lost), False
    b50, b95 = stats.percentile(b, 50), stats.percentile(b, 95)
    a50, a95 = stats.percentile(a, 50), stats.percentile(a, 95)
    return SLOWLORIS_FMT % (proto, conns, kind, k, "%.2f" % b50, "%.2f" % b95, "%.2f" % (a50 - b50),
                            "%.2f" % (a95 - b95), "%.2f" % (a50 / b50), lost), True
