"""ackbench mcu-table (scripts/mcu-table.sh): the tables of one bare-metal run (the mcu.json
scripts/mcu.sh writes): instructions per handshake per side with the estimate at the run's
clock, record cost per message size, rogue-certificate cases, footprint; with -c, a PSK
run (CONFIG=mcu-psk) against a certificate run: what each PSK mode costs per side and what
dropping X.509 saves in flash and RAM."""

import math
import os
import sys

from . import cli, reader

PROG = "mcu-table"
USAGE = """Usage: mcu-table.sh [-f HZ] MCU_JSON
       mcu-table.sh -c CERT_MCU_JSON [-k KEY] PSK_MCU_JSON
Prints the tables of a run of scripts/mcu.sh. -f HZ: the estimate at another clock
(Hz, e.g. 168000000) instead of the run's own.
-c: the full handshakes of a PSK run (scripts/mcu.sh -c mcu-psk) per mode, protocol and
side beside the certificate run's (instructions, heap peak, stack peak, bytes), and the
two images' footprints (flash = text + data, static RAM) with the difference. -k KEY: the
certificate run's key type to compare with (default ec256, else its first).
"""
ORDER = {"tls1.2": 0, "tls1.3": 1, "dtls1.2": 2}
GROUPS = {"secp256r1": 0, "x25519": 1, "x25519mlkem768": 2, "mlkem768": 3}
STACKS = {"mbedtls": "Mbed TLS", "wolfssl": "wolfSSL"}


def jnum(x):
    """A value as jq's tostring writes it (integral numbers without ".0"; null)."""
    if x is None:
        return "null"
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e17:
        return str(int(x))
    return str(x)


def jround(x):
    """jq's round: half away from zero."""
    return math.copysign(math.floor(abs(x) + 0.5), x)


def r(x, n):
    return jnum(x).rjust(n)


def lft(x, n):
    return jnum(x).ljust(n)


def render(run, hz):
    f = hz
    mhz = jnum(f / 1e6)
    if mhz.endswith(".0"):
        mhz = mhz[:-2]
    # A group column when the run has more than one key exchange group (wolfSSL).
    groups = len({h.group for h in run.handshakes}) > 1
    gcol = (lambda g: lft(g, 15)) if groups else (lambda g: "")
    name = STACKS.get(run.stack, run.stack)
    out = [f"# {run.target} (QEMU {run.machine}, {run.cpu}), {name} {run.stack_version}, config {run.config}",
           f"# instructions counted by {run.counted_by}; client and server in one image,",
           f"# each side measured apart; median of n handshakes. ms@{mhz}MHz = instructions / clock:",
           "# ONE INSTRUCTION PER CYCLE ASSUMED - an estimate, not a measurement of any chip.", "",
           "".join(lft(x, 8) for x in ("key", "proto")) + gcol("group")
           + "".join(lft(x, 8) for x in ("kind", "side")) + r("n", 3)
           + r("instructions", 14) + r(f"ms@{mhz}MHz", 12) + r("heap_peak", 11)
           + r("stack_peak", 11) + r("bytes_out", 10) + r("bytes_in", 9)]
    hs = sorted(run.handshakes, key=lambda h: (h.key, ORDER.get(h.proto, 9),
                                               GROUPS.get(h.group, 9), h.kind != "full", h.side))
    for h in hs:
        if h.kind == "records":
            continue
        ms = jround(h.instr / f * 1000 * 10) / 10
        out.append("".join(lft(x, 8) for x in (h.key, h.proto)) + gcol(h.group)
                   + "".join(lft(x, 8) for x in (h.kind, h.side)) + r(h.n, 3)
                   + r(h.instr, 14) + r(ms, 12) + r(h.heap_peak, 11) + r(h.stack_peak, 11)
                   + r(h.hs_bytes_out, 10) + r(h.hs_bytes_in, 9)
                   + (f"  FAILED {h.n - h.ok}" if h.ok != h.n else ""))
    out += ["", "# crypto floor of one side, measured alone (ECDHE P-256 gen + shared, one signature, two",
            "# verifications) and the full P-256 handshake over it (median of client and server, all protocols):"]
    for fl in run.floor:
        k, side = fl.get("key"), fl.get("side")
        ratios = [h.instr / side for h in run.handshakes if h.key == k and h.kind == "full"
                  and h.group in ("", "secp256r1")]
        rng = "-" if not ratios else \
            f"{jnum(jround(min(ratios) * 100) / 100)}..{jnum(jround(max(ratios) * 100) / 100)}"
        out.append(lft(k, 8) + f"gen {jnum(fl.get('ecdhe_gen'))}  shared {jnum(fl.get('ecdhe_shared'))}"
                   f"  sign {jnum(fl.get('sign'))}  verify {jnum(fl.get('verify'))}  side {jnum(side)}"
                   f"  full/floor {rng}")
    for fl in run.floor_kex:
        out.append(lft(fl.get("group"), 16) + f"gen {jnum(fl.get('gen'))}  shared {jnum(fl.get('shared'))}")
    for fl in run.floor_kem:
        out.append(lft(fl.get("group"), 16) + f"keygen {jnum(fl.get('keygen'))}  encaps "
                   f"{jnum(fl.get('encaps'))}  decaps {jnum(fl.get('decaps'))}")
    if run.floor_sym:
        out.append(f"# symmetric: SHA-256 {jnum(run.floor_sym.get('sha256_per_kib'))} and AES-128-GCM "
                   f"{jnum(run.floor_sym.get('aes128gcm_per_kib'))} instructions per KiB")
    out += ["", "# record cost over an established session: one request of SIZE bytes and its 24-byte reply",
            "".join(lft(x, 8) for x in ("key", "proto")) + r("size", 6) + "  side    "
            + r("instr/msg", 11) + r(f"us@{mhz}MHz", 12) + r("bytes_out/msg", 14)]
    for x in sorted(run.records, key=lambda x: (x.key, ORDER.get(x.proto, 9), x.size, x.side)):
        out.append("".join(lft(v, 8) for v in (x.key, x.proto)) + r(x.size, 6) + "  "
                   + lft(x.side, 8) + r(x.instr, 11) + r(jround(x.instr / f * 1e7) / 10, 12)
                   + r(x.bytes_out, 14))
    refused = [n for n in run.negatives if n.get("refused") == 1]
    bad = [n for n in run.negatives if n.get("refused") != 1]
    wrong_key = any(n.get("case") == "wrong-key-client" for n in run.negatives)
    line = f"# rogue certificates (another CA): {len(refused)} of {len(run.negatives)} refused"
    if wrong_key:
        line = (f"# clients with another PSK: {len(refused)} of {len(run.negatives)} refused by the "
                "server (" + ", ".join(sorted({f"{n.get('proto')} {n.get('server_err')}"
                                               for n in refused}, key=lambda x: ORDER.get(x.split()[0], 9)))
                + "; the client gets its alert)")
    if bad:
        line += ": NOT refused: " + " ".join(f"{n.get('key')}/{n.get('proto')}/{n.get('case')}"
                                             for n in bad)
    fp = run.footprint
    out += ["", line, "",
            f"# footprint (bytes): flash {jnum(fp.get('flash'))}, static RAM "
            f"{jnum(fp.get('ram_static'))} (.data + .bss);",
            "# a connection adds its heap peak and stack peak (above); the benchmark itself holds",
            f"# {jnum(fp.get('bench_noinit'))} more (side stacks, link buffers) that a device would not"]
    for k, v in fp.items():
        if k.startswith("component_"):
            out.append("  " + lft(k[len("component_"):], 14) + r(v, 8) + " flash")
    return "\n".join(out) + "\n"


def versus(cert, psk, key):
    """The PSK run's full handshakes beside the certificate run's (key KEY), and both
    footprints."""
    def full(run, k):
        return {(h.proto, h.side): h for h in run.handshakes if h.key == k and h.kind == "full"
                and h.group in ("", "secp256r1", "none")}
    base = full(cert, key)
    out = [f"# PSK vs certificate handshakes, {cert.target} ({cert.machine}), "
           f"{STACKS.get(cert.stack, cert.stack)} {cert.stack_version}: full handshakes, median per side",
           f"# cert: config {cert.config}, key {key} (mutual authentication); "
           f"psk: config {psk.config} (no X.509)",
           f"# instructions counted by {cert.counted_by}: independent of the host's load;",
           "# x_cert = instructions / the certificate handshake's, same protocol and side", "",
           "".join(lft(x, 8) for x in ("auth", "proto", "side")) + lft("kex", 11)
           + r("instructions", 13) + r("x_cert", 8) + r("heap_peak", 10) + r("stack_peak", 11)
           + r("bytes_out", 10) + r("bytes_in", 9)]
    modes = [(key, cert, base)] + [(k, psk, full(psk, k)) for k in
                                   sorted({h.key for h in psk.handshakes}, key=lambda k: (len(k), k))]
    for proto in sorted({p for p, _ in base} | {h.proto for h in psk.handshakes},
                        key=lambda p: ORDER.get(p, 9)):
        for side in ("client", "server"):
            b = base.get((proto, side))
            for k, run, rows in modes:
                h = rows.get((proto, side))
                if h is None:
                    continue
                x = "-" if b is None or not b.instr else jround(h.instr / b.instr * 1000) / 1000
                out.append("".join(lft(v, 8) for v in ("cert" if run is cert else k, proto, side))
                           + lft(h.kex or "-", 11) + r(h.instr, 13) + r(x, 8) + r(h.heap_peak, 10)
                           + r(h.stack_peak, 11) + r(h.hs_bytes_out, 10) + r(h.hs_bytes_in, 9)
                           + (f"  FAILED {h.n - h.ok}" if h.ok != h.n else ""))
    cf, pf = cert.footprint, psk.footprint
    out += ["", "# footprint (bytes)      cert       psk     saved  (flash = text + data; static RAM"
            " = data + bss)"]
    items = [("flash", "flash"), ("ram_static", "static RAM")] + \
        [(k, k[len("component_"):]) for k in sorted(set(cf) | set(pf)) if k.startswith("component_")]
    for k, label in items:
        a, b = cf.get(k, 0), pf.get(k, 0)
        out.append("  " + lft(label, 18) + r(a, 10) + r(b, 10) + r(a - b, 10))

    def held(run, keys):
        v = [b.get("heap") for b in run.baseline_heap if b.get("key") in keys]
        return max(v) if v else None
    a, b = held(cert, {key}), held(psk, {h.key for h in psk.handshakes})
    if a is not None and b is not None:
        out += ["  " + lft("heap held", 18) + r(a, 10) + r(b, 10) + r(a - b, 10),
                "# heap held: between connections, by both sides' credentials and configs, the DRBG",
                "# and PSA (the cert run holds a rogue peer's credentials too); the heap peaks above",
                "# are per connection, on top of it"]
    return "\n".join(out) + "\n"


def main(argv):
    ap = cli.Parser(PROG, USAGE)
    ap.add_argument("-f", dest="hz", default="")
    ap.add_argument("-c", dest="cert", default="")
    ap.add_argument("-k", dest="key", default="")
    ap.add_argument("path", nargs="*")
    a = ap.parse(argv)
    if len(a.path) != 1 or not os.path.isfile(a.path[0]):
        sys.stderr.write(USAGE)
        return 2
    if a.cert:
        if not os.path.isfile(a.cert):
            return cli.fail(PROG, f"-c: '{a.cert}' is not an mcu.json", 2)
        cert, psk = reader.read_mcu(a.cert), reader.read_mcu(a.path[0])
        keys = [h.key for h in cert.handshakes]
        key = a.key or ("ec256" if "ec256" in keys else (keys[0] if keys else ""))
        if key not in keys:
            return cli.fail(PROG, f"-k: the certificate run has no key '{key}'", 2)
        if not any(h.key.startswith("psk") for h in psk.handshakes):
            return cli.fail(PROG, f"{a.path[0]}: not a PSK run (scripts/mcu.sh -c mcu-psk)", 2)
        sys.stdout.write(versus(cert, psk, key))
        return 0
    if a.hz and not a.hz.isdigit():
        return cli.fail(PROG, f"-f: '{a.hz}' is not a number of Hz", 2)
    run = reader.read_mcu(a.path[0])
    sys.stdout.write(render(run, int(a.hz) if a.hz else run.estimate_hz))
    return 0
