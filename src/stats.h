/* stats.h - order statistics of one phase's samples (nearest-rank percentiles). */
#ifndef ACKBENCH_STATS_H
#define ACKBENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

struct stats {
	size_t n;
	double min_us, p50_us, p90_us, p99_us, max_us, mean_us, stddev_us;
};

/* Sorts v[0..n) (nanoseconds) in place and fills s in microseconds. n == 0 gives zeros. */
void stats_compute(uint64_t *v, size_t n, struct stats *s);
/* Nearest-rank percentile p (0 < p <= 100) of sorted v[0..n): the value at rank
 * ceil(p/100 * n). Returns 0 when n == 0. */
uint64_t stats_percentile(const uint64_t *sorted, size_t n, double p);

#endif
