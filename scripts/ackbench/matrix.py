"""The analysis of matrix directories (scripts/matrix.sh): per cell and size the p50 over
rounds with its interval, the overhead over the plain baseline of the same rounds, the
ranking per matrix, protocol and mode with the constraints' verdict, and each ranked cell
against the cheapest of its group, paired by round. No I/O: see cmd_matrix_report."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from . import stats
from .records import AXES, Cell, Probe

META_KEYS = ("host", "cpu", "cpus", "git", "seed", "rounds", "count", "sizes", "pinning",
             "load_before", "load_after", "run_seconds")


@dataclass
class CellSize:
    """One line of the joined table: a cell at one size (size None: a cell without data,
    skipped or with every run failed)."""
    label: str
    cell: Cell
    status: str  # run, skipped, failed
    size: Optional[int]
    p50: Optional[stats.MedianCI] = None  # total p50 over rounds
    over: Optional[stats.MedianCI] = None  # paired with the baseline
    cpu: Optional[float] = None  # client CPU p50, median over rounds
    probe: Optional[Probe] = None

    @property
    def rounds(self):
        return self.p50.n if self.p50 else 0


@dataclass
class Ranked:
    """A cell in its group's ranking (at the group's ranking size)."""
    group: tuple  # (label, proto, mode)
    rank: int
    row: CellSize
    cost: float
    fits: bool
    why: List[str] = field(default_factory=list)
    vs: Optional[stats.MedianCI] = None  # wall p50 minus the cheapest's, per round
    vs_cpu: Optional[stats.MedianCI] = None


@dataclass
class Constraints:
    max_heap: Optional[int] = None
    max_bytes: Optional[int] = None
    requires: List[tuple] = field(default_factory=list)  # (axis, value)

    def text(self):
        t = []
        if self.max_heap is not None:
            t.append(f"heap peak <= {self.max_heap} B")
        if self.max_bytes is not None:
            t.append(f"handshake bytes <= {self.max_bytes}")
        t += [f"{a}={v}" for a, v in self.requires]
        return ", ".join(t)

    def verdict(self, row):
        """(fits, [reasons])."""
        why = []
        heap = row.probe.heap_peak_bytes if row.probe else None
        hsb = row.probe.handshake_bytes if row.probe else None
        if self.max_heap is not None and (heap is None or heap > self.max_heap):
            why.append(f"heap {fmt_count(heap)} > {self.max_heap}")
        if self.max_bytes is not None and (hsb is None or hsb > self.max_bytes):
            why.append(f"bytes {fmt_count(hsb)} > {self.max_bytes}")
        for a, v in self.requires:
            if a in AXES and row.cell.axis(a) != v:
                why.append(f"{a}!={v}")
        return not why, why


def fmt_count(x):
    """Bytes as the report writes them: an integer without ".0", "-" for none."""
    if x is None:
        return "-"
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


@dataclass
class Analysis:
    rows: List[CellSize]
    ranked: List[Ranked]
    meta: Dict[str, Dict[str, str]]  # label -> META_KEYS


def analyse(matrices, level=0.95, rank="wall", constraints=None):
    """MATRICES: [(label, records.Matrix)]; RANK: "wall" or "cpu"."""
    constraints = constraints or Constraints()
    rows, meta = [], {}
    wall, cpu = {}, {}  # (label, cell, size) -> {round: p50}
    for label, m in matrices:
        kv = dict(m.env)
        kv.update(m.meta)
        meta[label] = {k: kv.get(k, "?") for k in META_KEYS}
        for cell_id, runs in m.runs.items():
            for s in runs:
                for z in s.sizes:
                    t = z.phase("total")
                    if t is None:
                        continue
                    wall.setdefault((label, cell_id, z.size), {})[s.round] = t.p50
                    c = z.phases.get("cpu")
                    cpu.setdefault((label, cell_id, z.size), {})[s.round] = c.p50 if c else None
        for c in m.cells:
            sizes = sorted(sz for (lb, cid, sz) in wall if lb == label and cid == c.cell)
            probe = m.probes.get(c.cell)
            if c.status != "run" or not sizes:
                rows.append(CellSize(label, c, "failed" if c.status == "run" else c.status,
                                     None, probe=probe))
                continue
            for sz in sizes:
                w = wall[(label, c.cell, sz)]
                over = None
                base = (label, c.baseline, sz)
                if c.baseline != "-" and base in wall:
                    d = stats.paired_differences(w, wall[base])
                    over = stats.median_ci(d, level) if d else None
                cv = [v for v in cpu[(label, c.cell, sz)].values() if v is not None]
                rows.append(CellSize(label, c, "run", sz, stats.median_ci(w.values(), level),
                                     over, stats.median(cv) if cv else None, probe))
    rows.sort(key=lambda r: (r.label, r.cell.cell, r.size or 0))
    return Analysis(rows, rank_cells(rows, wall, cpu, level, rank, constraints), meta)


def ranking_size(rows, group):
    """Per-message groups rank at their first size (the handshake), keep at the last."""
    sizes = [r.size for r in rows if (r.label, r.cell.proto, r.cell.mode) == group]
    return max(sizes) if group[2] == "keep" else min(sizes)


def rank_cells(rows, wall, cpu, level, rank, constraints):
    live = [r for r in rows if r.status == "run" and not r.cell.is_baseline]
    groups = sorted({(r.label, r.cell.proto, r.cell.mode) for r in live})
    out = []
    for g in groups:
        rs = ranking_size(live, g)
        cand = []
        for r in live:
            if (r.label, r.cell.proto, r.cell.mode) != g or r.size != rs:
                continue
            cost = r.cpu if rank == "cpu" else (r.over.median if r.over else r.p50.median)
            fits, why = constraints.verdict(r)
            cand.append(Ranked(g, 0, r, cost, fits, why))
        cand.sort(key=lambda x: (x.cost, x.row.cell.cell))
        best = cand[0].row.cell.cell if cand else None
        for i, x in enumerate(cand, start=1):
            x.rank = i
            if i > 1:
                x.vs = _paired(wall, (g[0], x.row.cell.cell, rs), (g[0], best, rs), level)
                x.vs_cpu = _paired(cpu, (g[0], x.row.cell.cell, rs), (g[0], best, rs), level)
        out += cand
    return out


def _paired(values, key, ref, level):
    a = {r: v for r, v in values.get(key, {}).items() if v is not None}
    b = {r: v for r, v in values.get(ref, {}).items() if v is not None}
    d = stats.paired_differences(a, b)
    return stats.median_ci(d, level) if d else None
