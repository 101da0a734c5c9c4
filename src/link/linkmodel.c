/* linkmodel.c - per-packet loss, drop and delay decisions of one link direction. */
#include "linkmodel.h"

#include <errno.h>
#include <stdlib.h>

int lm_parse_drops(struct lm_dir *d, const char *text)
{
	const char *p = text;
	unsigned i, j;

	d->ndrops = 0;
	if (*p == '\0')
		return -1;
	for (;;) {
		char *end;
		unsigned long v;

		if (*p < '0' || *p > '9')
			return -1;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno != 0 || v == 0 || v > UINT32_MAX || d->ndrops == LM_DROPS_MAX)
			return -1;
		d->drops[d->ndrops++] = (uint32_t)v;
		if (*end == '\0')
			break;
		if (*end != '+')
			return -1;
		p = end + 1;
	}
	/* insertion sort: the list is short */
	for (i = 1; i < d->ndrops; i++) {
		uint32_t v = d->drops[i];

		for (j = i; j > 0 && d->drops[j - 1] > v; j--)
			d->drops[j] = d->drops[j - 1];
		d->drops[j] = v;
	}
	return 0;
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

double lm_uniform(struct lm_dir *d)
{
	return (double)(splitmix64(&d->rng) >> 11) * (1.0 / 9007199254740992.0);
}

void lm_arm(struct lm_dir *d, uint64_t seed, unsigned dir)
{
	d->rng = seed * 2 + dir;
	d->bad = 0;
	d->seq = 0;
}

static int on_list(const struct lm_dir *d, uint64_t n)
{
	unsigned i;

	for (i = 0; i < d->ndrops && d->drops[i] <= n; i++)
		if (d->drops[i] == n)
			return 1;
	return 0;
}

/* Gilbert's two-state model with a lossless good state and a lossy bad one: leaving bad
 * with r = 1/burst gives bursts of mean length burst; entering it with q = loss r/(1-loss)
 * makes the stationary loss ratio q/(q+r) = loss. burst <= 1 is independent loss. */
static int model_loses(struct lm_dir *d)
{
	double u;

	if (d->loss <= 0.0)
		return 0;
	u = lm_uniform(d);
	if (d->burst <= 1.0)
		return u < d->loss;
	if (d->bad) {
		if (u < 1.0 / d->burst)
			d->bad = 0;
	} else if (u < d->loss / (d->burst * (1.0 - d->loss))) {
		d->bad = 1;
	}
	return d->bad;
}

enum lm_verdict lm_decide(struct lm_dir *d, int lossless)
{
	if (lossless)
		return LM_PASS;
	d->seq++;
	if (on_list(d, d->seq))
		return LM_DROPPED;
	return model_loses(d) ? LM_LOST : LM_PASS;
}

uint64_t lm_release_ns(struct lm_dir *d, uint64_t now_ns)
{
	int64_t wait = (int64_t)d->delay_ns;
	uint64_t t;

	if (d->jitter_ns > 0) {
		double j = (2.0 * lm_uniform(d) - 1.0) * (double)d->jitter_ns;

		wait += (int64_t)j;
		if (wait < 0)
			wait = 0;
	}
	t = now_ns + (uint64_t)wait;
	if (!d->reorder && t < d->last_release_ns)
		t = d->last_release_ns;
	d->last_release_ns = t;
	return t;
}
