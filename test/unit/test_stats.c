/* test_stats.c - nearest-rank percentiles, mean and sample stddev (src/stats.c) against
 * hand-computed values. Inputs are nanoseconds, stats_compute() reports microseconds. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "stats.h"

static uint64_t v[1000];

static void test_percentile_known(void)
{
	uint64_t one = 42;
	size_t i;

	CHECK_U(stats_percentile(&one, 1, 50), 42, "n=1: p50 is the only value");
	CHECK_U(stats_percentile(&one, 1, 99), 42, "n=1: p99 is the only value");
	CHECK_U(stats_percentile(&one, 1, 100), 42, "n=1: p100 is the only value");
	CHECK_U(stats_percentile(v, 0, 50), 0, "n=0: p50 is 0");

	for (i = 0; i < 10; i++)
		v[i] = (i + 1) * 10;
	CHECK_U(stats_percentile(v, 10, 50), 50, "n=10: p50 = 5th value");
	CHECK_U(stats_percentile(v, 10, 90), 90, "n=10: p90 = 9th value");
	CHECK_U(stats_percentile(v, 10, 99), 100, "n=10: p99 = 10th value (rank ceil(9.9))");
	CHECK_U(stats_percentile(v, 10, 1), 10, "n=10: p1 = 1st value");
	CHECK_U(stats_percentile(v, 10, 10), 10, "n=10: p10 = 1st value (exact rank 1)");
	CHECK_U(stats_percentile(v, 10, 11), 20, "n=10: p11 = 2nd value");
	CHECK_U(stats_percentile(v, 10, 100), 100, "n=10: p100 = max");

	for (i = 0; i < 1000; i++)
		v[i] = i + 1;
	CHECK_U(stats_percentile(v, 1000, 50), 500, "n=1000 (1..1000): p50 = 500");
	CHECK_U(stats_percentile(v, 1000, 90), 900, "n=1000: p90 = 900");
	CHECK_U(stats_percentile(v, 1000, 99), 990, "n=1000: p99 = 990");
	CHECK_U(stats_percentile(v, 1000, 99.9), 999, "n=1000: p99.9 = 999");
	CHECK_U(stats_percentile(v, 1000, 100), 1000, "n=1000: p100 = 1000");

	v[0] = 1;
	v[1] = 2;
	v[2] = 3;
	CHECK_U(stats_percentile(v, 2, 50), 1, "n=2: p50 is the lower value (rank 1)");
	CHECK_U(stats_percentile(v, 3, 50), 2, "n=3: p50 is the middle value (rank 2)");
}

static void test_compute_1000(void)
{
	struct stats s;
	size_t i;

	/* 1..1000 us, shuffled: stats_compute must sort. */
	for (i = 0; i < 1000; i++)
		v[i] = (uint64_t)(i + 1) * 1000;
	srand(1);
	for (i = 999; i > 0; i--) {
		size_t j = (size_t)rand() % (i + 1);
		uint64_t t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
	CHECK(v[0] != 1000 || v[999] != 1000000, "input is shuffled");
	stats_compute(v, 1000, &s);
	CHECK_U(s.n, 1000, "unsorted 1..1000 us: n");
	CHECK_NEAR(s.min_us, 1, 1e-9, "unsorted: min");
	CHECK_NEAR(s.max_us, 1000, 1e-9, "unsorted: max");
	CHECK_NEAR(s.p50_us, 500, 1e-9, "unsorted: p50 = 500");
	CHECK_NEAR(s.p90_us, 900, 1e-9, "unsorted: p90 = 900");
	CHECK_NEAR(s.p99_us, 990, 1e-9, "unsorted: p99 = 990");
	CHECK_NEAR(s.mean_us, 500.5, 1e-9, "unsorted: mean = 500.5");
	/* sample variance of 1..n is n(n+1)/12 */
	CHECK_NEAR(s.stddev_us, sqrt(1000.0 * 1001.0 / 12.0), 1e-6, "unsorted: stddev = 288.82");
	CHECK(v[0] == 1000 && v[999] == 1000000, "input sorted in place");
}

static void test_compute_small(void)
{
	/* 2,4,4,4,5,5,7,9 us: mean 5, squared deviations sum to 32, sample var 32/7 */
	uint64_t d[8] = { 9000, 4000, 2000, 5000, 4000, 7000, 4000, 5000 };
	uint64_t dup[5] = { 7000, 7000, 7000, 7000, 7000 };
	uint64_t one[1] = { 1500 };
	uint64_t odd[3] = { 1000, 1000, 4000 };
	struct stats s;

	stats_compute(d, 8, &s);
	CHECK_NEAR(s.mean_us, 5, 1e-9, "2,4,4,4,5,5,7,9: mean 5");
	CHECK_NEAR(s.stddev_us, sqrt(32.0 / 7.0), 1e-9, "2,4,4,4,5,5,7,9: sample stddev 2.138");
	CHECK_NEAR(s.min_us, 2, 1e-9, "duplicates: min 2");
	CHECK_NEAR(s.p50_us, 4, 1e-9, "duplicates: p50 = 4th of 8 = 4");
	CHECK_NEAR(s.p90_us, 9, 1e-9, "duplicates: p90 = 8th of 8 (rank ceil(7.2)) = 9");
	CHECK_NEAR(s.p99_us, 9, 1e-9, "duplicates: p99 = 9");
	CHECK_NEAR(s.max_us, 9, 1e-9, "duplicates: max 9");

	stats_compute(dup, 5, &s);
	CHECK(s.min_us == 7 && s.p50_us == 7 && s.p99_us == 7 && s.max_us == 7,
	      "all equal: every order statistic is the value");
	CHECK_NEAR(s.stddev_us, 0, 1e-12, "all equal: stddev 0");

	stats_compute(one, 1, &s);
	CHECK(s.n == 1 && s.min_us == 1.5 && s.p50_us == 1.5 && s.p99_us == 1.5 &&
	              s.max_us == 1.5 && s.mean_us == 1.5,
	      "n=1: every statistic is the value (1.5 us)");
	CHECK_NEAR(s.stddev_us, 0, 0, "n=1: sample stddev is 0, not NaN");

	stats_compute(odd, 3, &s);
	CHECK_NEAR(s.mean_us, 2, 1e-9, "1,1,4: mean 2");
	CHECK_NEAR(s.stddev_us, sqrt(3.0), 1e-9, "1,1,4: sample stddev sqrt(6/2)");
	CHECK_NEAR(s.p50_us, 1, 1e-9, "1,1,4: p50 = 1");
}

static void test_compute_empty(void)
{
	struct stats s;

	memset(&s, 0x55, sizeof(s));
	stats_compute(v, 0, &s);
	CHECK(s.n == 0 && s.min_us == 0 && s.p50_us == 0 && s.p90_us == 0 && s.p99_us == 0 &&
	              s.max_us == 0 && s.mean_us == 0 && s.stddev_us == 0,
	      "n=0: every field zero");
}

int main(void)
{
	test_percentile_known();
	test_compute_1000();
	test_compute_small();
	test_compute_empty();
	return check_done();
}
