"""Named records for everything ackbench writes (no column positions anywhere else).

A record kind is a dataclass; CSV kinds are read by reader.read_csv(path, Kind), which maps
a file's header names onto the fields (columns only ever appended: an older file lacks the
optional fields, which then keep their defaults; unknown newer columns are ignored).
"""

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

PHASES = ("connect", "handshake", "exchange", "close", "total", "cpu")


class FormatError(Exception):
    """A malformed input file: str() is one line naming the file and line."""

    def __init__(self, path, line, message):
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path, self.line, self.message = str(path), line, message


# --- the client's -o CSV, one row per timed message (src/report_files.c) ---
@dataclass
class Sample:
    proto: str
    mode: str
    size: int
    seq: int
    connect_us: float
    handshake_us: float
    exchange_us: float
    close_us: float
    total_us: float
    ok: int
    cpu_us: float
    start_rt_us: int
    hs_tx_bytes: int = 0
    hs_rx_bytes: int = 0
    hs_retrans: int = 0
    resumed: int = 0
    err: int = 0
    owd_us: Optional[float] = None
    cookie_us: Optional[float] = None
    heap_peak_bytes: Optional[int] = None
    slot: int = 0
    tcp_retrans: Optional[int] = None  # tcp, tls: segments the client retransmitted


# --- the server's -o CSV: a msg row per request, a conn row per connection ---
@dataclass
class ServerRow:
    kind: str
    proto: str
    conn: int
    seq: int
    size: Optional[int]
    rt_us: int
    handshake_us: Optional[float]
    wall_us: float
    cpu_us: Optional[float]
    status: int
    heap_peak_bytes: Optional[int] = None
    tcp_retrans: Optional[int] = None  # conn rows of tcp, tls: segments the server retransmitted


# --- the client's --json summary ---
@dataclass
class PhaseStats:
    n: int
    min: float = 0.0
    p50: float = 0.0
    p90: float = 0.0
    p99: float = 0.0
    max: float = 0.0
    mean: float = 0.0
    stddev: float = 0.0


@dataclass
class SizeSummary:
    size: int
    n: int
    lost: int
    phases: Dict[str, PhaseStats]
    wall_us: Optional[float] = None
    msgs_per_s: Optional[float] = None
    conns_per_s: Optional[float] = None

    def phase(self, name: str) -> Optional[PhaseStats]:
        """The statistics of phase NAME, None when absent or with no sample."""
        p = self.phases.get(name)
        return p if p is not None and p.n > 0 else None


@dataclass
class ClientSummary:
    path: str
    proto: str
    mode: str
    round: int  # TAG-rN.json is round N; 1 without
    sizes: List[SizeSummary]
    negotiated: str = ""
    program: str = ""
    host: str = ""
    stack: str = ""
    config: str = ""
    count: int = 0
    parallel: int = 1
    state: str = ""
    raw: dict = field(default_factory=dict, repr=False)  # every key, for the rare ones

    @property
    def tag(self) -> str:
        """The file's name without -rN.json: "tls-keep" for tls-keep-r3.json."""
        name = self.path.rsplit("/", 1)[-1]
        return re.sub(r"(-r[0-9]+)?\.json$", "", name)


# --- a run directory: loopback.sh, run-all.sh -c, the bench scripts ---
@dataclass
class RunDir:
    path: str
    env: Dict[str, str]  # env.txt (and meta.txt) "key: value" lines
    summaries: List[ClientSummary]
    comparison: Optional[str] = None  # comparison.txt when written

    def samples_path(self, summary: ClientSummary) -> str:
        return summary.path[: -len(".json")] + ".csv"


# --- a matrix directory (scripts/matrix.sh) ---
@dataclass
class Cell:
    """A line of cells.tsv: one configuration, or a plain baseline (base-...)."""
    cell: str
    status: str  # run, skipped
    reason: str
    proto: str
    tls: str
    key: str
    group: str
    suite: str
    resume: str
    config: str
    stack: str
    mode: str
    rep: str
    bin: str = ""
    baseline: str = "-"
    link: str = "-"  # the emulated link's spec (matrix.sh -x link=...), "-" on loopback
    auth: str = "cert"  # cert, psk, psk-dhe (matrix.sh -x auth=...); "-" for a baseline
    chain: str = "single"  # single, inter (matrix.sh -x chain=...); "-" for a baseline

    @property
    def is_baseline(self) -> bool:
        return self.cell.startswith("base-")

    def axis(self, name: str) -> str:
        return getattr(self, name)


AXES = ("proto", "tls", "key", "group", "suite", "resume", "config", "stack", "mode", "rep", "link",
        "auth", "chain")


@dataclass
class Probe:
    """A cell's probe run (--mem): heap peak, handshake bytes both ways (median), negotiated."""
    cell: str
    heap_peak_bytes: Optional[int]
    handshake_bytes: Optional[float]
    negotiated: str


@dataclass
class Matrix:
    path: str
    label: str
    env: Dict[str, str]
    meta: Dict[str, str]
    cells: List[Cell]
    runs: Dict[str, List[ClientSummary]]  # cell -> its rounds' summaries (round set)
    probes: Dict[str, Probe]


# --- a timeline CSV (--timeline; src/timeline.c) ---
@dataclass
class TimelineEvent:
    run_id: str
    conn: int
    seq: Optional[int]
    side: str
    proto: str
    dir: str
    type: str
    epoch: Optional[int]
    record_seq: Optional[int]
    msg_seq: Optional[int]
    frag_off: Optional[int]
    frag_len: Optional[int]
    bytes: int
    t_us: float
    cpu_us: Optional[float]
    retrans: int
    in_hs: int
    state: str
    start_rt_us: int
    arrival_us: Optional[float] = None


# --- an MCU run (scripts/mcu.sh: mcu.json) ---
@dataclass
class McuHandshake:
    key: str
    proto: str
    kind: str
    side: str
    n: int
    ok: int
    instr: int
    instr_min: int = 0
    instr_max: int = 0
    est_ms: float = 0.0
    xchg_instr: Optional[int] = None
    close_instr: Optional[int] = None
    heap_peak: Optional[int] = None
    stack_peak: Optional[int] = None
    hs_bytes_out: Optional[int] = None
    hs_bytes_in: Optional[int] = None
    suite: str = ""
    group: str = ""
    kex: str = ""


@dataclass
class McuRecord:
    key: str
    proto: str
    size: int
    side: str
    n: int
    instr: int
    est_us: float = 0.0
    bytes_out: Optional[int] = None
    group: str = ""


@dataclass
class McuRun:
    path: str
    target: str
    machine: str
    cpu: str
    config: str
    mbedtls: str
    estimate_hz: int
    handshakes: List[McuHandshake]
    records: List[McuRecord]
    negatives: List[dict]
    floor: List[dict]
    floor_sym: Optional[dict]
    footprint: Dict[str, int]
    summary: dict
    counted_by: str = ""
    env: Dict[str, str] = field(default_factory=dict)
    stack: str = "mbedtls"
    stack_version: str = ""
    floor_kex: List[dict] = field(default_factory=list)
    floor_kem: List[dict] = field(default_factory=list)
    baseline_heap: List[dict] = field(default_factory=list)


# --- Mbed TLS's programs/test/benchmark output ("  NAME  :  1234 UNIT/s") ---
@dataclass
class Rate:
    name: str
    per_s: float
    unit: str


# --- scripts/mcu-explore.sh: points.csv (a row per point and target), handshakes.csv ---
@dataclass
class ExplorePoint:
    target: str
    point: str  # "AXIS=V;AXIS=V" as the space named it ("base": none)
    hash: str
    status: str  # ok, failed, refused
    reason: str = ""
    shipped: str = ""  # the shipped config this point is, if any
    flash: Optional[int] = None
    ram_static: Optional[int] = None
    text: Optional[int] = None
    data: Optional[int] = None
    bss: Optional[int] = None
    handshakes: Optional[int] = None
    handshakes_failed: Optional[int] = None
    rogue: Optional[int] = None
    rogue_refused: Optional[int] = None
    build_s: Optional[int] = None
    run_s: Optional[int] = None
    dir: str = ""
    axes: Dict[str, str] = field(default_factory=dict)  # every axis column: its value
    components: Dict[str, int] = field(default_factory=dict)  # flash_* columns


@dataclass
class ExploreHandshake:
    target: str
    point: str
    hash: str
    proto: str
    key: str
    kind: str
    side: str
    n: int
    ok: int
    instr: int
    instr_min: Optional[int] = None
    instr_max: Optional[int] = None
    heap_peak: Optional[int] = None
    stack_peak: Optional[int] = None
    hs_bytes_out: Optional[int] = None
    hs_bytes_in: Optional[int] = None
    suite: str = ""


@dataclass
class Explore:
    path: str
    points: List[ExplorePoint]
    handshakes: List[ExploreHandshake]
    axes: List[str]  # the axis columns, in the file's order
    env: Dict[str, str] = field(default_factory=dict)


# --- a fleet run directory (scripts/fleet.sh) ---
@dataclass
class FleetMeasurement:
    """One line of schedule.tsv: CLIENT ran the clients against SERVER's servers."""
    round: int
    client: str
    server: str
    stack: str
    status: str  # its status file's first line: "ok", "failed: ...", "skipped: ...", "" not run
    summaries: List[ClientSummary]  # the client side's --json files (round = ROUND)


@dataclass
class FleetRun:
    path: str
    boards: List[str]  # in the order schedule.tsv first names them
    measurements: List[FleetMeasurement]
    board_info: Dict[str, Dict[str, str]]  # board -> arch, status (ok/FAILED), cpu


# --- the bench scripts' rounds.txt: one whitespace-separated line per round, no header ---
@dataclass
class LoopbackRound:  # bench-loopback.sh: ours against the reference, one pair of runs
    kind: str  # keep, per-message
    proto: str
    size: int
    round: int
    ours_us: float  # our p50
    ref_us: float  # the reference's p50


@dataclass
class LoopbackRun:  # bench-loopback.sh's runs.txt: the same pair, ours still a --json file
    kind: str  # keep (p50 of exchange), per-message (p50 of total)
    proto: str
    size: int
    round: int
    ours_json: str  # our client's --json summary, in the run directory
    ref_us: float  # the reference's p50 (sockperf's or ref_tcp_loop's own line)


@dataclass
class TimelineRun:  # bench-timeline.sh's runs.txt: one run's files, in the run directory
    conf: str
    round: int
    client_json: str  # the client's --json summary: handshake and CPU p50
    server_csv: str  # the server's -o CSV: its connections' CPU


@dataclass
class TimelineRound:  # bench-timeline.sh: one run with or without --timeline
    conf: str  # tls12, tls13, dtls; "-tl" appended with --timeline
    round: int
    handshake_us: float  # client p50s
    cpu_us: float
    server_cpu_us: Optional[float]  # median of the server's conn rows ("-": none had one)


# --- bench-links.sh: cells (a stack's configuration) run over emulated links ---
@dataclass
class LinkSpec:  # link.sh's normalised spec
    delay_up_us: float = 0.0
    delay_down_us: float = 0.0
    jitter_us: float = 0.0
    loss_up: float = 0.0  # ratio
    loss_down: float = 0.0
    burst: float = 1.0
    rate_up_bit: float = 0.0  # 0: not limited
    rate_down_bit: float = 0.0
    queue: int = 100
    mtu: int = 1500

    @property
    def rtt_ms(self):
        return (self.delay_up_us + self.delay_down_us) / 1000


@dataclass
class LinkCell:  # one stack x cell, over one link or on loopback
    stack: str
    cell: str
    samples: List[Sample]
    server: List[ServerRow] = field(default_factory=list)
    shaper: Dict[str, str] = field(default_factory=dict)  # the shaper's counters after the run


@dataclass
class LinkPoint:  # one link of a sweep and its cells
    index: int
    given: str  # the spec as given (a profile name, or pairs)
    spec: Optional[LinkSpec]  # None: the link did not come up
    calibration: Dict[str, str] = field(default_factory=dict)
    cells: List[LinkCell] = field(default_factory=list)
    error: str = ""


@dataclass
class LinksRun:  # a bench-links.sh directory
    path: str
    meta: Dict[str, str]
    loopback: List[LinkCell]
    links: List[LinkPoint]


@dataclass
class BenchRun:  # a bench script's runs.txt (bench-stacks, -tls, -dtls): one run it made
    what: str  # pm (per message), keep, heap (--mem), pq, pqheap, auth, authheap, pqlink...
    round: int  # 0 for the --mem runs (not timed); *link: the link's number (meta's links)
    stack: str  # "-" for the plain tcp/udp reference (bench-stacks), else "-" or the stack
    kind: str  # tcp udp tls12 tls13 dtls resume...; keep; a group or certificate type (pq)
    tag: str  # its files: TAG.json, TAG.csv, TAG.server.csv, TAG.server


@dataclass
class LoadRun:  # bench-load.sh's runs.txt: one run (its times and the server's CPU ticks)
    what: str  # ours, stime (N s_time against tls_server), sserver (s_time vs s_server)
    label: str  # tls1.2, tls1.3, dtls
    n: int  # clients in parallel
    tag: str  # its files: TAG.json, TAG.server.csv (ours, stime), TAG.*.out or TAG.out
    t0_ns: int  # wall clock around the s_time runs (0 for ours)
    t1_ns: int
    cpu0_ticks: int  # the server process's user + system CPU before and after (0: none)
    cpu1_ticks: int
