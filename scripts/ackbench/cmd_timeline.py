"""ackbench timeline (scripts/timeline.sh): where the time goes in the handshake, flight by
flight, from the client's and the server's --timeline files, with a swimlane diagram of
the median connection per configuration."""

import json
import os
import re
import subprocess
import sys
import time

from . import cli, reader, timeline
from .records import FormatError, Rate

PROG = "timeline"
USAGE = """Usage: timeline.sh [-c auto|same|rtt] [-F BENCHMARK.txt] [-B BINDIR] [-N] [-o DIR] RUNDIR...
Merges the client's and the server's handshake timelines (the programs' --timeline FILE:
every CSV in RUNDIR whose header is a timeline's) connection by connection (run id and
the sequence number of the connection's first message), and prints per configuration and
message size, over all connections (p50/p90, microseconds), for each flight:
  gap       the sender's compute before it: from the last message it received (of the
            flight it answers) to the first one of this flight it sent; cpu: its CPU in it
  span      from the flight's first message sent to its last (compute between them, e.g.
            the signature between Certificate and ServerKeyExchange); cpu: its CPU
  work      the sender's CPU from the first message of the flight it answers received to
            its last message of this flight sent: the crypto listed beside it happens here,
            and its floor is that crypto at the rate of the stack's own benchmark
  wire      from the last message sent to its arrival on the other side (the kernel's
            receive stamp; without one, until the receiver read it)
  buffered  from that arrival until the receiver read it (it was busy with earlier ones)
  timer     a flight resent (DTLS): from the same sender's previous flight to the resend
  bytes     the flight's handshake bytes; pkts: the datagrams it took (DTLS, measured) or
            the TCP segments its bytes need at MSS 1448 (TLS, computed): a post-quantum
            key share splits a ClientHello over two
and per side its handshake (start to last message), CPU, compute (gaps + spans) and the
rest, waiting (stretches of its own rows that end in a receive), with the CPU it spent
while waiting (reading and checking what came in: a Mbed TLS client verifies the server's
certificate there). The configuration is the client's --json stack and "negotiated" (and its
-o CSV beside it, same name, gives each connection's message size), plus "resumed" and
"cookie" per connection.
Clocks (-c): same: both sides on one host (realtime start + monotonic offsets agree);
rtt: two hosts: the server's events are shifted by the offset that makes the round trip
of the first message each side received symmetric (message order and the measured round
trip; an asymmetric path shifts it by half the asymmetry); auto (default): same when the
server's connections start within the client's.
  -F FILE    output of Mbed TLS's programs/test/benchmark for the floors of Mbed TLS runs
             (other stacks get none: their own benchmarks are not built; default: run it,
             from BINDIR/../mbedtls, for the configurations' group and key, into
             DIR/benchmark.txt, with its figures per CPU second in DIR/benchmark.rates,
             which -F DIR/benchmark.txt then reads; other files are taken as printed)
  -B BINDIR  the programs' build (build/native/bin)
  -N         no plots;  -o DIR  where tables and plots go (RUNDIR/timeline)
Writes DIR/where-the-time-goes.txt (also printed), DIR/connections.tsv (each connection's
figures per side) and DIR/swimlane-N.{png,svg} (the median connection of each
configuration: arrows for the messages, compute gaps shaded).
Exit status: 0; 1 bad input (no timelines, runs without the other side) or a failed plot;
2 usage error.
"""
TL_HEAD = "run_id,conn,seq,side,proto,dir,type,"


def inputs(dirs):
    """(timeline files, run id -> configuration, (run, seq) -> (size, hs_us, resumed))."""
    files, labels, sizes = [], {}, {}
    for d in dirs:
        if not os.path.isdir(d):
            raise cli.UsageError(f"{d}: not a directory")
        found = False
        for n in sorted(os.listdir(d)):
            p = os.path.join(d, n)
            if n.endswith(".csv") and os.path.isfile(p):
                with open(p) as f:
                    if f.readline().startswith(TL_HEAD):
                        files.append(p)
                        found = True
        if not found:
            raise cli.UsageError(f"{d}: no timeline CSV in it (the programs write one with "
                                 "--timeline FILE)")
    for d in dirs:
        for n in sorted(os.listdir(d)):
            if not n.endswith(".json"):
                continue
            try:
                with open(os.path.join(d, n)) as f:
                    j = json.load(f)
            except (OSError, ValueError):
                continue
            if not isinstance(j, dict) or not j.get("run_id"):
                continue
            run = j["run_id"]
            neg = f"{j.get('proto') or ''} {j.get('stack') or 'mbedtls'} {j.get('negotiated') or ''}"
            labels[run] = re.sub(r" \(pinned by default[^)]*\)", "", neg)
            csv = os.path.join(d, n[:-5] + ".csv")
            if os.path.isfile(csv):
                for s in reader.read_samples(csv):
                    sizes[(run, s.seq)] = (s.size, s.handshake_us, s.resumed)
    return files, labels, sizes


# --- crypto floors: the stack's own benchmark, for each configuration's group and key ---
RATE_LINE = re.compile(r":\s+([0-9.]+) ([^/]+)/s")


def rates_of(text, cpu_share=1.0):
    """Mbed TLS benchmark lines "NAME : N UNIT/s" as rates per CPU second (the figure over
    the invocation's CPU share: on a busy host it got less than a CPU)."""
    out = []
    for line in text.splitlines():
        m = RATE_LINE.search(line)
        if m:
            name = line.split(":", 1)[0].replace(" ", "")
            # the unit stripped: Mbed TLS prints RSA's as " public" (two spaces before it)
            out.append(Rate(name, float(f"{float(m.group(1)) / cpu_share:.1f}"),
                            m.group(2).strip()))
    return out


def read_rates_file(path):
    """DIR/benchmark.rates: "NAME|UNIT|RATE" lines."""
    out = []
    with open(path) as f:
        for i, line in enumerate(f, start=1):
            p = line.rstrip("\n").split("|")
            if len(p) != 3:
                raise FormatError(path, i, "not NAME|UNIT|RATE")
            out.append(Rate(p[0], float(p[2]), p[1].strip()))
    return out


def run_benchmark(prog, args, out_txt):
    """One invocation, its output appended to OUT_TXT (and "REAL USER SYS" to .time)."""
    t0 = time.monotonic()
    r0 = os.times()
    p = subprocess.run([prog, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, errors="replace")
    real = time.monotonic() - t0
    r1 = os.times()
    user, sys_ = r1.children_user - r0.children_user, r1.children_system - r0.children_system
    with open(out_txt, "a") as f:
        f.write(p.stdout)
    with open(out_txt[:-4] + ".time", "a") as f:
        f.write(f"{real:.3f} {user:.3f} {sys_:.3f}\n")
    share = (user + sys_) / real if real > 0 else 1
    return rates_of(p.stdout, share if 0 < share <= 1 else 1)


def floors(a, outdir, configs):
    if a.F and os.path.isfile(a.F[:-4] + ".rates" if a.F.endswith(".txt") else a.F + ".rates"):
        return read_rates_file(a.F[:-4] + ".rates" if a.F.endswith(".txt") else a.F + ".rates")
    if a.F:
        with open(a.F) as f:
            return rates_of(f.read())  # as printed: a figure per wall-clock second
    prog = os.path.join(a.B, "..", "mbedtls", "programs", "test", "benchmark")
    out_txt = os.path.join(outdir, "benchmark.txt")
    for p in (out_txt, out_txt[:-4] + ".time"):
        open(p, "w").close()
    rates = []
    if os.access(prog, os.X_OK):
        algs = sorted({(w[4], w[5].rstrip(",")) for w in (c.split(" ") for c in configs)
                       if len(w) > 5 and w[1] == "mbedtls"})
        for g, key in algs:
            print(f"{PROG}: crypto floor: {prog} ecdh {g}, and the signatures of {key} "
                  f"(into {out_txt})", file=sys.stderr)
            rates += run_benchmark(prog, ["ecdh", g], out_txt)
            sig = {"EC-256": ["ecdsa", "secp256r1"], "EC-384": ["ecdsa", "secp384r1"]}.get(key)
            if sig is None and key.startswith("RSA-"):
                sig = ["rsa"]
            if sig:
                rates += run_benchmark(prog, sig, out_txt)
    else:
        print(f"{PROG}: warning: no {prog} (make it, or give -F): no crypto floors",
              file=sys.stderr)
    with open(out_txt[:-4] + ".rates", "w") as f:
        f.writelines(f"{r.name}|{r.unit}|{r.per_s:.1f}\n" for r in rates)
    return rates


def crypto(cf, name):
    """The crypto of a flight, from its messages and the configuration."""
    v13 = " TLSv1.3 " in cf
    res = "resumed" in cf
    if "resent" in name:
        return "- (the same bytes again)"
    if "HVR" in name:
        return "cookie (HMAC)"
    if "HRR" in name or "total" in name:
        return "-" if "HRR" in name else ""
    if v13:
        if ": CH" in name:
            return "keygen"
        if re.match(r"S[0-9]*: SH", name):
            return "keygen+ECDH" if res else "keygen+ECDH+sign"
        if name.startswith("C"):
            return "ECDH" if res else "2 verify+ECDH+sign"
        if name.startswith("S"):
            return "-" if res else "2 verify"
        return ""
    if ": CH" in name:
        return "-"
    if "SKE" in name:
        return "keygen+sign"
    if re.search(r"CKE.*CV", name):
        return "2 verify+keygen+ECDH+sign"
    if re.match(r"S.*CCS", name) and not res:
        return "2 verify+ECDH"
    if "CCS" in name:
        return "-"
    return ""


def floor_of(cf, ops, rates):
    """The floor of OPS in us at the rates of Mbed TLS's own benchmark ("" for other stacks,
    "?" when a figure is missing)."""
    w = cf.split(" ")
    if len(w) < 2 or w[1] != "mbedtls":
        return ""
    g = w[4] if len(w) > 4 else ""
    key = w[5].rstrip(",") if len(w) > 5 else ""

    def us(name, unit, times=1):
        r = reader.rate(rates, name, unit)
        return None if not r else times * 1e6 / r

    e2, e1 = us(f"ECDHE-{g}", "ephemeral handshake"), us(f"ECDH-{g}", "static handshake")
    # keygen: an ECDHE (keygen + shared secret) less a static ECDH (shared secret)
    kx = e2 - e1 if e2 is not None and e1 is not None and e2 > e1 else \
        us(f"ECDHE-{g}", "ephemeral handshake", 0.5)
    dh = e1 if e1 is not None else kx
    sg = vf = None
    if key in ("EC-256", "EC-384"):
        curve = "secp256r1" if key == "EC-256" else "secp384r1"
        sg, vf = us(f"ECDSA-{curve}", "sign"), us(f"ECDSA-{curve}", "verify")
    elif key.startswith("RSA-"):
        sg, vf = us(key, "private"), us(key, "public")
    if ops == "" or ops.startswith("-") or "HMAC" in ops:
        return "" if ops == "" else "0"
    each = {"keygen": kx, "ECDH": dh, "sign": sg, "verify": vf}
    t = 0.0
    for part in ops.split("+"):
        m = re.match(r"([0-9]+) (.*)", part)
        times, op = (int(m.group(1)), m.group(2)) if m else (1, part)
        if op in each:
            if each[op] is None:
                return "?"
            t += times * each[op]
    return f"{t:.0f}"


def table(merged, pct, rates):
    def pp(k, metric):
        v = pct.get(k + (metric,))
        return f"{v[0]:6.0f}/{v[1]:<6.0f}" if v else f"{'-':>13}"

    def p1(k, metric):
        v = pct.get(k + (metric,))
        return f"{v[0]:6.0f}" if v else f"{'-':>6}"

    def p4(k, metric):
        v = pct.get(k + (metric,))
        return f"{v[0]:4.0f}" if v else f"{'-':>4}"

    rows, groups, nmax = [], [], {}
    for cf, sz, i, name, metric in pct:
        k = (cf, sz, i, name)
        if k not in nmax:
            rows.append(k)
            nmax[k] = 0
        nmax[k] = max(nmax[k], pct[k + (metric,)][2])
        if (cf, sz) not in groups:
            groups.append((cf, sz))
    clocks = ("one host (monotonic, realtime start)" if merged.clock == "same" else
              "two hosts (server shifted by the offset from message order and the round trip)")
    out = ["# where the time goes in the handshake (us, p50/p90 over connections); clocks: "
           + clocks]
    for cf, sz in groups:
        out += ["", f"## {cf}, size {sz}",
                f"{'flight':<44} {'n':>5} {'bytes':>6} {'pkts':>4} {'gap':>13} {'cpu':>6} {'span':>13} {'cpu':>6} "
                f"{'work cpu':>13}  {'crypto':<27} {'floor':>6} {'wire':>13} {'buffered':>13} "
                f"{'timer':>13}"]
        for k in rows:
            if k[:2] != (cf, sz) or k[2] >= timeline.SIDE_TOTAL:
                continue
            name = k[3] if len(k[3]) <= 44 else k[3][:41] + "..."
            ops = crypto(cf, k[3])
            out.append(f"{name:<44} {nmax[k]:5d} {p1(k, 'bytes')} {p4(k, 'pkts')} {pp(k, 'gap')} {p1(k, 'gap_cpu')} "
                       f"{pp(k, 'span')} {p1(k, 'span_cpu')} {pp(k, 'work_cpu')}  {ops:<27} "
                       f"{floor_of(cf, ops, rates):>6} {pp(k, 'wire')} {pp(k, 'buffered')} "
                       f"{pp(k, 'timer')}")
        out.append(f"{'side':<44} {'n':>5} {'handshake':>13} {'cpu':>13} {'compute':>13} "
                   f"{'waiting':>13} {'cpu waiting':>13}")
        for k in rows:
            if k[:2] == (cf, sz) and k[2] >= timeline.SIDE_TOTAL:
                out.append(f"{k[3]:<44} {nmax[k]:5d} {pp(k, 'wall')} {pp(k, 'cpu')} "
                           f"{pp(k, 'compute')} {pp(k, 'wait')} {pp(k, 'wait_cpu')}")
    out += ["",
            "# gap: last received .. first sent; span: first .. last sent; work cpu: the sender's CPU from the first",
            "# message of the flight it answers received to its last sent (the crypto beside it; floor: that",
            "# crypto at the rate per CPU second of the stack's own benchmark: ECDH its static figure, keygen",
            "# its ECDHE figure less that, the signatures of the key type); wire: last sent .. arrived on the",
            "# other side; buffered: arrived .. read; timer: a resent flight after its sender's previous one.",
            "# bytes: the flight's handshake bytes (p50); pkts: DTLS: the datagrams it took (measured), TLS: the",
            f"# TCP segments its bytes need at MSS {timeline.MSS} (a 1500-byte Ethernet path; computed, not seen)."]
    return "\n".join(out) + "\n"


def f1(x):
    return "" if x is None else f"{x:.1f}"


def conns_tsv(merged):
    lines = ["config\tsize\trun_id\tseq\tside\thandshake_us\tcpu_us\tcompute_us\twaiting_us\t"
             "first_row_us\tcsv_handshake_us\tflights\tclock_offset_us"]
    for c in merged.conns:
        lines.append("\t".join([
            c["config"], str(c["size"]), c["run_id"], str(c["seq"]), c["side"],
            f1(c["handshake_us"]), "" if c["cpu_us"] is None else f"{c['cpu_us']:.3f}",
            f1(c["compute_us"]), f1(c["waiting_us"]), f1(c["first_row_us"]),
            "" if c["csv_handshake_us"] is None else f"{c['csv_handshake_us']:.3f}",
            str(c["flights"]), f1(c["clock_offset_us"])]))
    return "\n".join(lines) + "\n"


def main(argv):
    ap = cli.Parser(PROG, USAGE)
    ap.add_argument("-c", dest="clock", default="auto")
    ap.add_argument("-F", dest="F", default="")
    ap.add_argument("-B", dest="B", default=os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
        "build", "native", "bin"))
    ap.add_argument("-N", dest="noplots", action="store_true")
    ap.add_argument("-o", dest="out", default="")
    ap.add_argument("dirs", nargs="*")
    a = ap.parse(argv)
    if not a.dirs:
        sys.stderr.write(USAGE)
        return 2
    if a.clock not in ("auto", "same", "rtt"):
        return cli.fail(PROG, f"-c: '{a.clock}': want auto, same or rtt", 2)
    if a.F and not os.access(a.F, os.R_OK):
        return cli.fail(PROG, f"-F: cannot read '{a.F}'", 2)
    try:
        files, labels, sizes = inputs(a.dirs)
        events = [e for f in files for e in reader.read_timeline(f)]
        merged = timeline.merge(events, labels, sizes, a.clock)
    except cli.UsageError as e:
        return cli.fail(PROG, str(e))
    except timeline.MergeError as e:
        return cli.fail(PROG, f"{' '.join(a.dirs)}: {e}")
    if not merged.flights:
        return cli.fail(PROG, f"{' '.join(a.dirs)}: no connection has both sides' timelines")
    outdir = a.out or os.path.join(a.dirs[0], "timeline")
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "connections.tsv"), "w") as f:
        f.write(conns_tsv(merged))
    rates = floors(a, outdir, {fl[0] for fl in merged.flights})
    text = table(merged, timeline.percentiles(merged.flights), rates)
    with open(os.path.join(outdir, "where-the-time-goes.txt"), "w") as f:
        f.write(text)
    sys.stdout.write(text)
    if merged.unmatched:
        print(f"{PROG}: {merged.unmatched} connection(s) with one side only, not merged",
              file=sys.stderr)
    if a.noplots:
        return 0
    from . import swimlane  # matplotlib: only when plotting
    sys.stdout.flush()
    return swimlane.plot_all(merged, outdir)
