"""The summaries of the bench scripts (scripts/bench-*.sh), from their rounds.txt records:
each returns the lines the script prints (users and tests grep them)."""

from . import stats


def _groups(records, key):
    """{key: [records]} in the order each key first appears."""
    out = {}
    for r in records:
        out.setdefault(key(r), []).append(r)
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
            a = [getattr(r, field) for r in groups.get(c, [])]
            b = [getattr(r, field) for r in groups.get(c + "-tl", [])]
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
