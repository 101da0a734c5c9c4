"""The statistics against textbook values: the sign-test interval of a median is
[x(k), x(n+1-k)], k from the Binomial(n, 1/2) tail (e.g. Conover, Practical
Nonparametric Statistics, table A3: n = 6 -> k = 1, n = 20 -> k = 6, n = 100 -> k = 40)."""

import random

import pytest

from ackbench import stats


@pytest.mark.parametrize("n,k", [(5, 0), (6, 1), (8, 1), (9, 2), (10, 2), (20, 6), (100, 40)])
def test_rank_95(n, k):
    assert stats.ci_rank(n, 0.95) == k


def test_rank_other_levels():
    assert stats.ci_rank(10, 0.999) == 0
    assert stats.ci_rank(12, 0.999) == 1
    assert stats.ci_rank(100, 0.99) == 37
    # n = 20: 2 P(X <= 5) = 0.041 but 2 P(X <= 6) = 0.115, so 90% gives the same k as 95%
    assert stats.ci_rank(20, 0.90) == 6
    assert stats.ci_rank(30, 0.90) == 11


def test_coverage_exact():
    # n = 6, k = 1: 1 - 2/64; n = 10, k = 2: 1 - 2 * 11/1024; n = 20, k = 6: 0.9586
    assert stats.ci_coverage(6, 1) == 1 - 2 / 64
    assert stats.ci_coverage(10, 2) == 1 - 2 * 11 / 1024
    assert round(stats.ci_coverage(20, 6), 4) == 0.9586
    assert round(stats.ci_coverage(100, 40), 4) == 0.9648


def test_binomial_cdf():
    assert stats.binom_half_cdf(6, 0) == 1 / 64
    assert stats.binom_half_cdf(4, 2) == 11 / 16
    assert stats.binom_half_cdf(3, -1) == 0


def shuffled(v):
    v = list(v)
    random.Random(1).shuffle(v)
    return v


def test_median_ci_values():
    c = stats.median_ci(shuffled(range(1, 11)))
    assert (c.n, c.median, c.lo, c.hi) == (10, 5.5, 2, 9)
    c = stats.median_ci(shuffled(range(101, 121)))
    assert (c.median, c.lo, c.hi) == (110.5, 106, 115)
    c = stats.median_ci([7, 3, 9, 1, 5, 11])
    assert (c.median, c.lo, c.hi) == (6, 1, 11)
    c = stats.median_ci([1, 2, 3, 4, 5])
    assert (c.median, c.lo, c.hi, c.coverage) == (3, None, None, None)
    assert not c.has_interval


def test_large_n_as_lib_sh():
    # the exact sums up to 1000 values, the normal approximation above (as scripts/lib.sh)
    c = stats.median_ci(range(1, 1001))
    assert (c.lo, c.hi) == (469, 532)
    c = stats.median_ci(range(1, 2001))
    assert (c.lo, c.hi, c.coverage) == (956, 1045, 0.95)
    c = stats.median_ci(range(1, 2001), 0.999)
    assert (c.lo, c.hi) == (926, 1075)


def test_median():
    assert stats.median([3, 1, 2]) == 2
    assert stats.median([4, 1, 3, 2]) == 2.5
    with pytest.raises(ValueError):
        stats.median([])


def test_paired_differences_only_rounds_with_both():
    assert stats.paired_differences({1: 15, 2: 103, 3: 50}, {1: 10, 2: 100}) == [5, 3]


def test_overhead_text():
    M = stats.MedianCI
    assert stats.overhead_text(M(6, 12.34, 10, 14)) == "+12.3 [10.0..14.0]"
    assert stats.overhead_text(M(6, -15.4, -30, 2)) == "within noise"
    assert stats.overhead_text(M(6, -3, -5, -1)) == "lower by 3.0 [1.0..5.0]"
    assert stats.overhead_text(M(4, 4)) == "n/a (too few rounds)"
    assert stats.overhead_text(None) == "n/a (too few rounds)"
    assert stats.overhead_text(M(6, 0, 0, 3)) == "within noise"  # 0 at the edge


def test_aa():
    M = stats.MedianCI
    assert stats.aa_check(M(6, 0.5, -1, 2)) == "within noise"
    assert stats.aa_check(M(6, 3, 1, 5)) == "apart: +3.0 [1.0..5.0]"
    assert stats.within_noise(M(6, 0.5, -1, 2))
    assert not stats.within_noise(M(3, 0.5))


def test_levels():
    assert stats.level_of("99.9") == 0.999
    with pytest.raises(ValueError, match="'97' is not a confidence level"):
        stats.level_of("97")


def test_percentile_edges():
    assert stats.percentile(range(1, 101), 95) == 95  # 95.0 exactly, not the 96th
    assert stats.percentile([3, 1, 2], 50) == 2 and stats.percentile([7], 1) == 7
    assert stats.percentile([1, 2, 3, 4], 50) == 2  # the lower middle value
