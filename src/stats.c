/* stats.c - nearest-rank percentiles, mean and sample standard deviation. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

uint64_t stats_percentile(const uint64_t *sorted, size_t n, double p)
{
	size_t rank;

	if (n == 0)
		return 0;
	/* Rank ceil(p*n/100) computed in integers where possible to avoid 0.99*100 = 98.99.. */
	rank = (size_t)ceil(p * (double)n / 100.0 - 1e-9);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

void stats_compute(uint64_t *v, size_t n, struct stats *s)
{
	double sum = 0, sq = 0, mean;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (n == 0)
		return;
	qsort(v, n, sizeof(*v), cmp_u64);
	for (i = 0; i < n; i++)
		sum += (double)v[i];
	mean = sum / (double)n;
	for (i = 0; i < n; i++)
		sq += ((double)v[i] - mean) * ((double)v[i] - mean);
	s->n = n;
	s->min_us = (double)v[0] / 1e3;
	s->max_us = (double)v[n - 1] / 1e3;
	s->p50_us = (double)stats_percentile(v, n, 50) / 1e3;
	s->p90_us = (double)stats_percentile(v, n, 90) / 1e3;
	s->p99_us = (double)stats_percentile(v, n, 99) / 1e3;
	s->mean_us = mean / 1e3;
	s->stddev_us = n > 1 ? sqrt(sq / (double)(n - 1)) / 1e3 : 0;
}
