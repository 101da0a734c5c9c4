"""One reader for every kind of run directory ackbench writes; it returns the records of
records.py and raises records.FormatError (file and line) on malformed input.

    read_summary(path)       a client --json summary -> ClientSummary (None: not ackbench's)
    read_csv(path, Kind)     a CSV with a header row -> [Kind] by column name
    read_samples(path)       a client's -o CSV -> [Sample]
    read_server(path)        a server's -o CSV -> [ServerRow]
    read_keyvals(path)       env.txt / meta.txt "key: value" lines -> dict ({} if absent)
    read_run_dir(path)       loopback.sh / run-all.sh / bench-*.sh directory -> RunDir
    read_matrix(path)        matrix.sh directory -> Matrix
    read_timeline(path)      a --timeline CSV -> [TimelineEvent]
    read_mcu(path)           mcu.sh directory or its mcu.json -> McuRun
    read_rates(path)         Mbed TLS benchmark output -> [Rate]
    read_explore(path)       mcu-explore.sh directory -> Explore
    read_fleet(path)         fleet.sh run directory -> FleetRun
    read_links(path)         bench-links.sh directory -> LinksRun
    kind_of(path)            "matrix", "explore", "mcu", "links", "run", "summary", "timeline",
                             "samples", "server" or None
"""

import csv
import dataclasses
import json
import os
import re
import typing
from functools import lru_cache

from .records import (Cell, ClientSummary, Explore, ExploreHandshake, ExplorePoint,
                      FleetMeasurement, FleetRun, FormatError, LinkCell, LinkPoint, LinkSpec,
                      LinksRun, Matrix, McuHandshake, McuRecord, McuRun, PhaseStats, Probe,
                      Rate, RunDir, Sample, ServerRow, SizeSummary, TimelineEvent)
from . import stats

ROUND_RE = re.compile(r"-r([0-9]+)\.json$")


def _number(conv, text):
    if conv is int:
        try:
            return int(text)
        except ValueError:
            return int(float(text))  # "12.0" from a tool that wrote a float
    return float(text)


@lru_cache(maxsize=None)
def _fields(cls):
    """(name, converter, optional, has_default) per field of a record class."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        t = hints[f.name]
        optional = typing.get_origin(t) is typing.Union and type(None) in typing.get_args(t)
        if optional:
            t = [a for a in typing.get_args(t) if a is not type(None)][0]
        has_default = (f.default is not dataclasses.MISSING
                       or f.default_factory is not dataclasses.MISSING)
        out.append((f.name, t if t in (int, float) else str, optional, has_default))
    return tuple(out)


def _convert(path, line, cls, row):
    """A record of CLS from ROW (name -> text); FormatError naming the column."""
    kw = {}
    for name, conv, optional, has_default in _fields(cls):
        text = row.get(name)
        if text is None:
            if has_default or optional:
                continue
            raise FormatError(path, line, f"no column '{name}'")
        if conv is str:
            kw[name] = text
        elif text == "" and optional:
            kw[name] = None
        else:
            try:
                kw[name] = _number(conv, text)
            except ValueError:
                raise FormatError(path, line, f"{name}: '{text}' is not a number") from None
    return cls(**kw)


def read_csv(path, cls, delimiter=","):
    """The rows of a CSV (header row first) as CLS records, by column name."""
    path = str(path)
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f, delimiter=delimiter))
    except OSError as e:
        raise FormatError(path, 0, f"cannot read: {e.strerror}") from None
    if not rows:
        raise FormatError(path, 1, "empty (no header row)")
    head = rows[0]
    _check_header(path, cls, head)
    out = []
    for i, r in enumerate(rows[1:], start=2):
        if not r:
            continue
        if len(r) != len(head):
            raise FormatError(path, i, f"{len(r)} fields, the header has {len(head)}")
        out.append(_convert(path, i, cls, dict(zip(head, r))))
    return out


def _check_header(path, cls, head):
    need = [n for n, _, opt, dflt in _fields(cls) if not opt and not dflt]
    missing = [n for n in need if n not in head]
    if missing:
        raise FormatError(path, 1, f"not a {cls.__name__} file: no column {', '.join(missing)}")


def read_samples(path):
    return read_csv(path, Sample)


def read_server(path):
    return read_csv(path, ServerRow)


def read_rounds(path, cls):
    """The lines of a bench script's rounds.txt as CLS records: whitespace-separated
    fields in the order of CLS's fields (the file has no header); blank lines skipped. A
    "-" in an optional number field is None (not measured)."""
    path = str(path)
    names = [f[0] for f in _fields(cls)]
    missing_ok = {n for n, conv, opt, _ in _fields(cls) if opt and conv is not str}
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise FormatError(path, 0, f"cannot read: {e.strerror}") from None
    out = []
    for i, line in enumerate(lines, start=1):
        w = line.split()
        if not w:
            continue
        if len(w) != len(names):
            raise FormatError(path, i, f"{len(w)} fields, a {cls.__name__} line has {len(names)}")
        row = {n: ("" if x == "-" and n in missing_ok else x) for n, x in zip(names, w)}
        out.append(_convert(path, i, cls, row))
    return out


def read_keyvals(path):
    """"key: value" lines (env.txt, meta.txt); later lines win; {} when the file is absent.
    A "pinning: ..." line keeps its whole text under "pinning" (how reports quote it)."""
    out = {}
    try:
        with open(path) as f:
            for line in f:
                line = line.rstrip("\n")
                k, sep, v = line.partition(": ")
                if sep and k and " " not in k:
                    out[k] = v
                if line.startswith("pinning: "):
                    out["pinning"] = line
    except FileNotFoundError:
        pass
    return out


def _phase(path, where, d):
    if not isinstance(d, dict) or "n" not in d:
        raise FormatError(path, 0, f"{where}: not a phase's statistics (no n)")
    try:
        return PhaseStats(**{k: d[k] for k in ("n", "min", "p50", "p90", "p99", "max",
                                                "mean", "stddev") if k in d})
    except TypeError:
        raise FormatError(path, 0, f"{where}: malformed") from None


def read_summary(path, round_no=None):
    """A client's --json summary; None when the file is JSON but not ackbench's client
    summary (another tool's). Round: ROUND_NO, else -rN in the name, else 1."""
    path = str(path)
    try:
        with open(path) as f:
            d = json.load(f)
    except OSError as e:
        raise FormatError(path, 0, f"cannot read: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise FormatError(path, e.lineno, f"not JSON: {e.msg}") from None
    if not isinstance(d, dict) or d.get("tool") != "ackbench":
        return None
    if round_no is None:
        m = ROUND_RE.search(path)
        round_no = int(m.group(1)) if m else 1
    sizes = []
    for i, s in enumerate(d.get("sizes") or []):
        if not isinstance(s, dict) or "size" not in s:
            raise FormatError(path, 0, f"sizes[{i}]: no size")
        phases = {k: _phase(path, f"sizes[{i}].{k}", v) for k, v in s.items()
                  if isinstance(v, dict)}
        # Older summaries (and made-up ones) lack the per-size n: the total's.
        tot = phases.get("total")
        sizes.append(SizeSummary(size=int(s["size"]), n=int(s.get("n", tot.n if tot else 0)),
                                 lost=int(s.get("lost", 0)), phases=phases,
                                 wall_us=s.get("wall_us"), msgs_per_s=s.get("msgs_per_s"),
                                 conns_per_s=s.get("conns_per_s")))
    if "proto" not in d or "mode" not in d:
        raise FormatError(path, 0, "no proto or mode")
    return ClientSummary(path=path, proto=d["proto"], mode=d["mode"], round=round_no,
                         sizes=sizes, negotiated=d.get("negotiated") or "",
                         program=d.get("program", ""), host=d.get("host", ""),
                         stack=d.get("stack", ""), config=d.get("config", ""),
                         count=int(d.get("count", 0)), parallel=int(d.get("parallel", 1)),
                         state=d.get("state", ""), raw=d)


def summaries_in(paths):
    """The client summaries among PATHS (directories: their *.json files, sorted)."""
    files = []
    for p in paths:
        p = str(p)
        if os.path.isdir(p):
            files += sorted(os.path.join(p, n) for n in os.listdir(p) if n.endswith(".json"))
        elif os.path.isfile(p):
            files.append(p)
        else:
            raise FileNotFoundError(p)
    out = []
    for f in files:
        s = read_summary(f)
        if s is not None:
            out.append(s)
    return out


def read_run_dir(path):
    """A loopback.sh, run-all.sh -c or bench script's directory."""
    path = str(path)
    if not os.path.isdir(path):
        raise FormatError(path, 0, "not a directory")
    env = read_keyvals(os.path.join(path, "env.txt"))
    env.update(read_keyvals(os.path.join(path, "meta.txt")))
    comparison = None
    cp = os.path.join(path, "comparison.txt")
    if os.path.exists(cp):
        with open(cp) as f:
            comparison = f.read()
    return RunDir(path=path, env=env, summaries=summaries_in([path]), comparison=comparison)


def _median_or_none(values):
    return stats.median(values) if values else None


def read_matrix(path, label=None):
    """A matrix directory: cells.tsv, cells/ID/rN.json, cells/ID/probe.{json,csv},
    env.txt, meta.txt. LABEL: the name reports give it (default: the directory's)."""
    path = str(path)
    tsv = os.path.join(path, "cells.tsv")
    if not os.path.isfile(tsv):
        raise FormatError(path, 0, "not a matrix directory (no cells.tsv)")
    cells = read_csv(tsv, Cell, delimiter="\t")
    runs, probes = {}, {}
    base = os.path.join(path, "cells")
    for c in cells:
        d = os.path.join(base, c.cell)
        if not os.path.isdir(d):
            continue
        rs = []
        for n in os.listdir(d):
            m = re.fullmatch(r"r([0-9]+)\.json", n)
            if m:
                s = read_summary(os.path.join(d, n), int(m.group(1)))
                if s is not None:
                    rs.append(s)
        runs[c.cell] = sorted(rs, key=lambda s: s.round)
        pj = os.path.join(d, "probe.json")
        if os.path.isfile(pj):
            probes[c.cell] = _probe(c.cell, pj)
    return Matrix(path=path, label=label or os.path.basename(os.path.abspath(path)),
                  env=read_keyvals(os.path.join(path, "env.txt")),
                  meta=read_keyvals(os.path.join(path, "meta.txt")),
                  cells=cells, runs=runs, probes=probes)


def _probe(cell, pj):
    try:
        with open(pj) as f:
            d = json.load(f)
    except json.JSONDecodeError as e:
        raise FormatError(pj, e.lineno, f"not JSON: {e.msg}") from None
    heap = (d.get("heap") or {}).get("conn_peak_max")
    hs = None
    pc = pj[: -len(".json")] + ".csv"
    if os.path.isfile(pc):
        hs = _median_or_none([s.hs_tx_bytes + s.hs_rx_bytes for s in read_samples(pc)
                              if s.hs_tx_bytes + s.hs_rx_bytes > 0])
    return Probe(cell=cell, heap_peak_bytes=heap, handshake_bytes=hs,
                 negotiated=d.get("negotiated") or "")


TL_HEAD = [f.name for f in dataclasses.fields(TimelineEvent)]


def read_timeline(path):
    """A --timeline CSV (client or server side); a file of several runs is fine."""
    path = str(path)
    out = []
    opt_int = (int, True)
    conv = [(str, False), (int, False), opt_int, (str, False), (str, False), (str, False),
            (str, False), opt_int, opt_int, opt_int, opt_int, opt_int, (int, False),
            (float, False), (float, True), (int, False), (int, False), (str, False),
            (int, False), (float, True)]
    try:
        f = open(path, newline="")
    except OSError as e:
        raise FormatError(path, 0, f"cannot read: {e.strerror}") from None
    with f:
        for i, r in enumerate(csv.reader(f), start=1):
            if not r or r[0] == "run_id":
                continue
            if len(r) == 19:  # older files: no arrival_us
                r.append("")
            if len(r) != 20:
                raise FormatError(path, i, f"{len(r)} fields, a timeline row has 20")
            vals = []
            for (c, opt), t, name in zip(conv, r, TL_HEAD):
                if c is str:
                    vals.append(t)
                elif t == "" and opt:
                    vals.append(None)
                else:
                    try:
                        vals.append(c(t))
                    except ValueError:
                        raise FormatError(path, i, f"{name}: '{t}' is not a number") from None
            out.append(TimelineEvent(*vals))
    return out


def read_mcu(path):
    """An MCU run (scripts/mcu.sh): its directory or its mcu.json."""
    path = str(path)
    jp = os.path.join(path, "mcu.json") if os.path.isdir(path) else path
    try:
        with open(jp) as f:
            d = json.load(f)
    except OSError as e:
        raise FormatError(jp, 0, f"cannot read: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise FormatError(jp, e.lineno, f"not JSON: {e.msg}") from None
    if not isinstance(d, dict) or d.get("tool") != "ackbench-mcu":
        raise FormatError(jp, 0, "not an MCU run's summary (tool is not ackbench-mcu)")

    def recs(cls, items, where):
        out = []
        names = {f.name for f in dataclasses.fields(cls)}
        for i, x in enumerate(items or []):
            try:
                out.append(cls(**{k: v for k, v in x.items() if k in names}))
            except TypeError as e:
                raise FormatError(jp, 0, f"{where}[{i}]: {e}") from None
        return out

    try:
        return McuRun(path=jp, target=d.get("target", ""), machine=d.get("machine", ""),
                      cpu=d.get("cpu", ""), config=d.get("config", ""),
                      mbedtls=d.get("mbedtls", ""), estimate_hz=int(d["estimate_hz"]),
                      handshakes=recs(McuHandshake, d.get("handshakes"), "handshakes"),
                      records=recs(McuRecord, d.get("records"), "records"),
                      negatives=list(d.get("negatives") or []),
                      floor=list(d.get("floor") or []), floor_sym=d.get("floor_sym"),
                      footprint=dict(d.get("footprint") or {}),
                      summary=dict(d.get("summary") or {}), counted_by=d.get("counted_by", ""),
                      env=read_keyvals(os.path.join(os.path.dirname(jp), "env.txt")),
                      stack=d.get("stack") or "mbedtls",
                      stack_version=d.get("stack_version") or d.get("mbedtls", ""),
                      floor_kex=list(d.get("floor_kex") or []),
                      floor_kem=list(d.get("floor_kem") or []),
                      baseline_heap=list(d.get("baseline_heap") or []))
    except (KeyError, ValueError, TypeError) as e:
        raise FormatError(jp, 0, f"malformed: {e}") from None


RATE_RE = re.compile(r"^\s*(.+?)\s*:\s*([0-9.]+)\s+([A-Za-z][A-Za-z ]*?)/s\b")


def read_rates(path):
    """The "  NAME  :  1234 UNIT/s" lines of Mbed TLS's programs/test/benchmark."""
    out = []
    with open(path) as f:
        for line in f:
            m = RATE_RE.match(line)
            if m:
                out.append(Rate(m.group(1), float(m.group(2)), m.group(3)))
    return out


def rate(rates, name, unit):
    """The per-second figure of NAME in UNIT among RATES, None when absent."""
    for r in rates:
        if r.name == name and r.unit == unit:
            return r.per_s
    return None


def kind_of(path):
    """What PATH is, from its names and first line (None: nothing ackbench writes)."""
    path = str(path)
    if os.path.isdir(path):
        if os.path.isfile(os.path.join(path, "cells.tsv")):
            return "matrix"
        if os.path.isfile(os.path.join(path, "points.csv")):
            return "explore"
        if os.path.isfile(os.path.join(path, "mcu.json")):
            return "mcu"
        if (os.path.isfile(os.path.join(path, "meta.txt"))
                and os.path.isdir(os.path.join(path, "loopback"))):
            return "links"
        if any(n.endswith(".json") for n in os.listdir(path)):
            return "run"
        return None
    if path.endswith(".json"):
        try:
            with open(path) as f:
                tool = json.load(f).get("tool")
        except (OSError, ValueError, AttributeError):
            return None
        return {"ackbench": "summary", "ackbench-mcu": "mcu"}.get(tool)
    try:
        with open(path) as f:
            head = f.readline()
    except (OSError, UnicodeDecodeError):
        return None
    if head.startswith("run_id,conn,seq,side,"):
        return "timeline"
    if head.startswith("proto,mode,size,seq,"):
        return "samples"
    if head.startswith("kind,proto,conn,seq,"):
        return "server"
    return None


def read_explore(path):
    """A sweep of scripts/mcu-explore.sh: points.csv (the axis columns sit between
    'shipped' and 'flash'; flash_* columns are the split by component) and handshakes.csv."""
    path = str(path)
    pp = os.path.join(path, "points.csv")
    points = read_csv(pp, ExplorePoint)
    with open(pp, newline="") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    if "shipped" not in head or "flash" not in head:
        raise FormatError(pp, 1, "no 'shipped' and 'flash' columns around the axes")
    axes = head[head.index("shipped") + 1:head.index("flash")]
    comps = [c for c in head if c.startswith("flash_")]
    for p, r in zip(points, (r for r in rows[1:] if r)):
        d = dict(zip(head, r))
        p.axes = {a: d[a] for a in axes}
        for c in comps:
            if d[c] != "":
                try:
                    p.components[c[len("flash_"):]] = int(d[c])
                except ValueError:
                    raise FormatError(pp, rows.index(r) + 1, f"{c}: '{d[c]}' is not a number") from None
    hs = read_csv(os.path.join(path, "handshakes.csv"), ExploreHandshake)
    return Explore(path=path, points=points, handshakes=hs, axes=axes,
                   env=read_keyvals(os.path.join(path, "env.txt")))


def read_fleet(path):
    """A fleet run directory (scripts/fleet.sh): schedule.tsv, each measurement's status and
    client summaries (pairs/CLIENT--SERVER/STACK/rN/), the boards' check and summary lines."""
    path = str(path)
    sched = os.path.join(path, "schedule.tsv")
    try:
        with open(sched) as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise FormatError(sched, 0, f"cannot read: {e.strerror}") from None
    boards, ms = [], []
    for i, line in enumerate(lines, 1):
        cols = line.split("\t")
        if len(cols) != 4 or not cols[0].isdigit():
            raise FormatError(sched, i, "not ROUND<TAB>CLIENT<TAB>SERVER<TAB>STACK")
        rnd, client, server, stack = int(cols[0]), cols[1], cols[2], cols[3]
        for b in (client, server):
            if b not in boards:
                boards.append(b)
        d = os.path.join(path, "pairs", f"{client}--{server}", stack, f"r{rnd}")
        status = ""
        if os.path.isfile(os.path.join(d, "status")):
            with open(os.path.join(d, "status")) as f:
                status = f.readline().strip()
        sums = []
        cdir = os.path.join(d, "client", "run")
        if os.path.isdir(cdir):
            for n in sorted(os.listdir(cdir)):
                if n.endswith(".json"):
                    s = read_summary(os.path.join(cdir, n), rnd)
                    if s is not None:
                        sums.append(s)
        ms.append(FleetMeasurement(rnd, client, server, stack, status, sums))
    boards.sort(key=lambda b: [int(t) if t.isdigit() else t for t in re.split(r"([0-9]+)", b)])
    info = {b: {} for b in boards}
    for b in boards:
        check = read_keyvals_eq(os.path.join(path, "boards", b, "check.txt"))
        if "arch_used" in check:
            info[b]["arch"] = check["arch_used"]
    summary = os.path.join(path, "summary.txt")
    if os.path.isfile(summary):
        with open(summary) as f:
            for line in f:
                m = re.match(r"^(ok|FAILED) board (\S+): ", line)
                if m and m.group(2) in info:
                    info[m.group(2)]["status"] = m.group(1)
    for m in ms:
        for side, b in (("client", m.client), ("server", m.server)):
            if "cpu" in info[b]:
                continue
            env = read_keyvals(os.path.join(path, "pairs", f"{m.client}--{m.server}", m.stack,
                                            f"r{m.round}", side, "run", "env.txt"))
            if env.get("cpu"):
                info[b]["cpu"] = env["cpu"]
    return FleetRun(path=os.path.abspath(path), boards=boards, measurements=ms, board_info=info)


def read_keyvals_eq(path):
    """KEY=VALUE lines (a fleet board's check.txt); {} when absent."""
    out = {}
    if os.path.isfile(path):
        with open(path) as f:
            for line in f:
                k, sep, v = line.rstrip("\n").partition("=")
                if sep and k and " " not in k:
                    out[k] = v
    return out


SPEC_KEYS = {"delay.up": ("delay_up_us", "us"), "delay.down": ("delay_down_us", "us"),
             "jitter": ("jitter_us", "us"), "loss.up": ("loss_up", ""),
             "loss.down": ("loss_down", ""), "burst": ("burst", ""),
             "rate.up": ("rate_up_bit", "bit"), "rate.down": ("rate_down_bit", "bit"),
             "queue": ("queue", ""), "mtu": ("mtu", "")}


def parse_link_spec(text):
    """link.sh's normalised spec (delay.up=25000us:...:rate.up=5000000bit:...) -> LinkSpec;
    keys it does not model (seed, engine, drop lists) are skipped."""
    kw = {}
    for pair in text.split(":"):
        k, sep, v = pair.partition("=")
        if not sep or k not in SPEC_KEYS:
            continue
        name, unit = SPEC_KEYS[k]
        if unit and v.endswith(unit):
            v = v[:-len(unit)]
        try:
            kw[name] = int(v) if name in ("queue", "mtu") else float(v)
        except ValueError:
            raise FormatError("spec", 0, f"{k}: '{v}' is not a number") from None
    return LinkSpec(**kw)


def _link_cells(d, names):
    """The cells STACK-CELL.csv in directory D, in the order of NAMES [(stack, cell)]."""
    out = []
    for stack, cell in names:
        base = os.path.join(d, f"{stack}-{cell}")
        if not os.path.isfile(base + ".csv") or os.path.getsize(base + ".csv") == 0:
            continue
        srv = read_server(base + ".server.csv") if os.path.isfile(base + ".server.csv") else []
        out.append(LinkCell(stack, cell, read_samples(base + ".csv"), srv,
                            read_keyvals_eq(base + ".link")))
    return out


def read_links(path):
    """A bench-links.sh directory: meta.txt, loopback/STACK-CELL.*, links/N/{spec.txt,
    link.txt, STACK-CELL.*} -> LinksRun."""
    path = str(path)
    meta = read_keyvals(os.path.join(path, "meta.txt"))
    if not meta:
        raise FormatError(path, 0, "not a bench-links directory (no meta.txt)")
    names = [(s, c) for s in meta.get("stacks", "").split() for c in meta.get("cells", "").split()]
    loop = _link_cells(os.path.join(path, "loopback"), names)
    links = []
    ld = os.path.join(path, "links")
    for n in sorted((int(x) for x in os.listdir(ld) if x.isdigit()) if os.path.isdir(ld) else []):
        d = os.path.join(ld, str(n))
        try:
            with open(os.path.join(d, "spec.txt")) as f:
                given = f.read().strip()
        except OSError:
            raise FormatError(d, 0, "no spec.txt") from None
        info = read_keyvals_eq(os.path.join(d, "link.txt"))
        if "spec" not in info:
            err = ""
            if os.path.isfile(os.path.join(d, "link.err")):
                with open(os.path.join(d, "link.err")) as f:
                    err = f.read().strip().splitlines()[-1:] or [""]
                err = err[0]
            links.append(LinkPoint(n, given, None, error=err or "the link did not come up"))
            continue
        calib = {k[6:]: v for k, v in info.items() if k.startswith("calib.")}
        links.append(LinkPoint(n, given, parse_link_spec(info["spec"]), calib,
                               _link_cells(d, names)))
    return LinksRun(path=os.path.abspath(path), meta=meta, loopback=loop, links=links)
