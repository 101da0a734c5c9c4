/* clsize.c - see clsize.h. */
#include "clsize.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "msg.h"
#include "port.h"
#include "report.h"

/* The size being run, shared by the slots (under r->lock). */
struct size_run {
	struct run *r;
	struct size_result *res;
	uint32_t warm_left; /* warm-up messages not yet taken */
	uint32_t taken;     /* timed messages taken (rows res->s[0 .. taken-1]) */
	uint32_t done;      /* of them, finished */
	uint32_t fails;     /* failures in a row, warm-up and timed alike */
	int stop;           /* abandoned */
	int warm_over;      /* warm-up given up after max_loss failures (said once) */
	uint64_t t0, t1;    /* first timed message's start, last one's end */
	uint32_t opened0;   /* connections opened by the slots before the size */
};

/* Takes the next message of the size for a slot: 1 a warm-up, 2 a timed one (*row), 0 none
 * left. Its sequence number goes to *seq. */
static int take(struct size_run *z, struct sample **row, uint32_t *seq)
{
	struct run *r = z->r;
	int k = 0;

	port_mutex_lock(r->lock);
	/* after a stop request (SIGINT/SIGTERM) or a peer that never answered (runend_after
	 * in finish()) no slot takes another message; those in progress are finished */
	if (!z->stop && !r->info->stopped && !r->end.gave_up) {
		if (z->warm_left > 0) {
			z->warm_left--;
			k = 1;
		} else if (z->res->n < r->o->count) {
			*row = &z->res->s[z->res->n++];
			if (z->res->n == 1)
				z->t0 = port_mono_ns();
			k = 2;
		}
		if (k != 0)
			*seq = r->seq++;
	}
	port_mutex_unlock(r->lock);
	return k;
}

/* Accounts a finished message (kind as take() gave it, e its result). */
static void finish(struct size_run *z, struct slot *sl, int kind, int e, int opened)
{
	struct run *r = z->r;
	const struct client_opts *o = r->o;
	struct size_result *res = z->res;
	char eb[160];

	port_mutex_lock(r->lock);
	if (kind == 1) {
		if (runend_after(&r->end, r->info, e)) {
			z->stop = 1;
			goto out;
		}
		if (e == 0)
			z->fails = 0;
		else if (++z->fails >= o->max_loss && !z->warm_over) {
			fprintf(stderr,
			        "%s: size %u: %u warm-up messages in a row failed, last: %s\n",
			        r->info->prog, res->size, z->fails, err_str(e, eb, sizeof(eb)));
			z->warm_left = 0; /* on with the timed ones */
			z->warm_over = 1;
		}
		goto out;
	}
	z->done++;
	z->t1 = port_mono_ns();
	res->conns += opened != 0;
	if (r->progress) {
		report_progress(r->info, res, r->size_idx, z->done, &r->progress_ns);
		sl->cpu_mark = 0;
	}
	if (e != 0)
		res->lost++;
	if (runend_after(&r->end, r->info, e)) {
		res->abandoned |= r->end.gave_up;
		z->stop = 1;
		goto out;
	}
	if (e == 0) {
		z->fails = 0;
		goto out;
	}
	if (++z->fails >= o->max_loss && !z->stop) {
		if (r->progress)
			report_progress(r->info, res, r->size_idx, UINT32_MAX, &r->progress_ns);
		fprintf(stderr,
		        "%s: size %u: abandoned after %u failures in a row (%u of %u "
		        "sent), last: %s\n",
		        r->info->prog, res->size, z->fails, res->n, o->count,
		        err_str(e, eb, sizeof(eb)));
		res->abandoned = 1;
		z->stop = 1;
	}
out:
	port_mutex_unlock(r->lock);
}

/* One slot's share of a size: messages as long as there are some to take. */
static void slot_size(void *arg, unsigned i)
{
	struct size_run *z = arg;
	struct slot *sl = &z->r->slots[i];
	struct sample scratch, *row = NULL;
	uint32_t seq = 0;
	int k;

	sl->cpu_mark = 0;
	while ((k = take(z, &row, &seq)) != 0) {
		uint32_t opened = sl->opened;
		int e = climsg_one(sl, z->res->size, seq, k == 2 ? row : &scratch);

		finish(z, sl, k, e, sl->opened != opened);
	}
}

int clsize_run(struct run *r, struct size_result *res)
{
	struct size_run z;
	char eb[160];
	int e;

	memset(&z, 0, sizeof(z));
	z.r = r;
	z.res = res;
	z.warm_left = r->o->warmup;
	climsg_build(r, MSG_DATA, res->size);
	e = port_threads_run(r->nslots, slot_size, &z);
	if (e != 0)
		fprintf(stderr, "%s: --parallel %u: cannot start the slots: %s\n", r->info->prog,
		        r->nslots, err_str(e, eb, sizeof(eb)));
	if (r->progress)
		report_progress(r->info, res, r->size_idx, UINT32_MAX, &r->progress_ns);
	res->wall_ns = res->n > 0 ? z.t1 - z.t0 : 0;
	return e;
}
