"""Distribution-free statistics of the comparison method (no I/O, no printing).

The interval of a median from n values is [x(k), x(n+1-k)] of the sorted values, k the
largest rank with 2 P(Bin(n, 1/2) <= k-1) <= 1 - level (the sign test's order-statistic
interval; Hollander & Wolfe, Nonparametric Statistical Methods, ch. 3). Binomial sums are
exact (integers); above 1000 values the normal approximation is used, as scripts/lib.sh did.
"""

from dataclasses import dataclass
from math import ceil, comb, sqrt
from typing import Iterable, Mapping, Optional, Sequence

LEVELS = {"90": 0.90, "95": 0.95, "99": 0.99, "99.9": 0.999}
EXACT_MAX_N = 1000


@dataclass(frozen=True)
class MedianCI:
    """A median with its interval; lo, hi and coverage are None when n is too small."""
    n: int
    median: float
    lo: Optional[float] = None
    hi: Optional[float] = None
    coverage: Optional[float] = None

    @property
    def has_interval(self) -> bool:
        return self.lo is not None


def level_of(percent: str) -> float:
    """The level for a -L PERCENT option (90, 95, 99 or 99.9); ValueError otherwise."""
    if percent not in LEVELS:
        raise ValueError(f"'{percent}' is not a confidence level (90, 95, 99 or 99.9)")
    return LEVELS[percent]


def median(values: Iterable[float]) -> float:
    """Median (mean of the two middle values for an even count); ValueError when empty."""
    v = sorted(values)
    n = len(v)
    if n == 0:
        raise ValueError("median of no values")
    return v[(n - 1) // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def binom_half_cdf(n: int, k: int) -> float:
    """P(Bin(n, 1/2) <= k), exact up to the final division."""
    if k < 0:
        return 0.0
    return sum(comb(n, i) for i in range(min(k, n) + 1)) / 2**n


def _z(level: float) -> float:
    # The two-sided normal quantiles lib.sh used for n > 1000.
    if level >= 0.999:
        return 3.290527
    if level >= 0.99:
        return 2.575829
    if level >= 0.95:
        return 1.959964
    return 1.644854


def ci_rank(n: int, level: float = 0.95) -> int:
    """Rank k of the interval [x(k), x(n+1-k)] of a median of n values; 0 when n is too
    small for the level (at 95%: n < 6; at 99.9%: n < 11)."""
    if n > EXACT_MAX_N:
        k = int(n / 2 - _z(level) * sqrt(n) / 2)
        return k if k >= 1 else 0
    alpha = 1 - level
    k = 0
    # Integer sums: compare 2 * S / 2**n <= alpha without rounding the sum.
    s = 0
    while k < n / 2:
        s += comb(n, k)
        if 2 * s / 2**n > alpha:
            break
        k += 1
    return k


def ci_coverage(n: int, k: int, level: float = 0.95) -> float:
    """Exact coverage of [x(k), x(n+1-k)]: 1 - 2 P(Bin(n, 1/2) <= k-1)."""
    if n > EXACT_MAX_N:
        return level
    return 1 - 2 * binom_half_cdf(n, k - 1)


def median_ci(values: Iterable[float], level: float = 0.95) -> MedianCI:
    """The median of VALUES with its distribution-free interval at LEVEL."""
    v = sorted(values)
    n = len(v)
    m = median(v)
    k = ci_rank(n, level)
    if not k:
        return MedianCI(n, m)
    return MedianCI(n, m, v[k - 1], v[n - k], ci_coverage(n, k, level))


def paired_differences(values: Mapping[object, float], refs: Mapping[object, float]) -> list:
    """VALUES[r] - REFS[r] for every round r that has both (in VALUES' order), so that
    drift common to a round cancels out."""
    return [v - refs[r] for r, v in values.items() if r in refs]


def within_noise(ci: MedianCI) -> bool:
    """True when the interval holds 0 (an A/A pair should be)."""
    return ci.has_interval and ci.lo <= 0 <= ci.hi


def overhead_text(ci: Optional[MedianCI]) -> str:
    """An overhead for a table: "+12.3 [10.1..14.0]"; "within noise" when the interval
    holds 0; "lower by 2.0 [0.5..3.1]" when all of it is below 0; "n/a (too few rounds)"
    without an interval. Never a negative cost."""
    if ci is None or not ci.has_interval:
        return "n/a (too few rounds)"
    if ci.lo <= 0 <= ci.hi:
        return "within noise"
    if ci.hi < 0:
        return f"lower by {-ci.median:.1f} [{-ci.hi:.1f}..{-ci.lo:.1f}]"
    return f"+{ci.median:.1f} [{ci.lo:.1f}..{ci.hi:.1f}]"


def spread(values: Sequence[float]) -> tuple:
    """(min, max) of VALUES: the spread of per-round ratios in the benchmark scripts."""
    return (min(values), max(values))


def aa_check(ci: MedianCI) -> str:
    """The verdict on two identical configurations: "within noise" as expected, else which
    way they differ (at the level the interval was taken: 1 - level of true A/A pairs fail)."""
    if not ci.has_interval:
        return "n/a (too few rounds)"
    return "within noise" if within_noise(ci) else ("apart: " + overhead_text(ci))


def pareto_front(points: Sequence[Sequence[float]]) -> list:
    """Indices of the points no other point dominates, every coordinate minimised: q
    dominates p when q is no worse in every coordinate and better in one. Equal points
    do not dominate each other (both stay). In the order given."""
    out = []
    for i, p in enumerate(points):
        if not any(all(a <= b for a, b in zip(q, p)) and any(a < b for a, b in zip(q, p))
                   for j, q in enumerate(points) if j != i):
            out.append(i)
    return out


def percentile(values: Iterable[float], q: float) -> float:
    """The Q-th percentile (0 < Q <= 100) by nearest rank, as the programs print theirs:
    the ceil(Q/100 * n)-th smallest value; ValueError when empty."""
    v = sorted(values)
    if not v:
        raise ValueError("percentile of no values")
    r = ceil(q / 100 * len(v) - 1e-9)
    return v[min(max(r, 1), len(v)) - 1]
