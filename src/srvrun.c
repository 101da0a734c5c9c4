/* srvrun.c - see srvrun.h. */
#include "srvrun.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void srvrun_init(struct srvrun_tab *t, unsigned cap)
{
	memset(t, 0, sizeof(*t));
	t->cap = cap < 1 ? 1 : cap > SRVRUN_MAX ? SRVRUN_MAX : cap;
}

static struct srvrun *find(struct srvrun_tab *t, uint32_t id)
{
	unsigned i;

	for (i = 0; i < t->n; i++)
		if (t->r[i].id == id)
			return &t->r[i];
	return NULL;
}

static void drop(struct srvrun_tab *t, struct srvrun *r)
{
	*r = t->r[--t->n];
}

static struct srvrun *add(struct srvrun_tab *t, uint32_t id)
{
	struct srvrun *r;
	unsigned i, old = 0;

	if (t->n == t->cap) {
		for (i = 1; i < t->n; i++)
			if (t->r[i].last < t->r[old].last)
				old = i;
		r = &t->r[old];
		printf("run %08" PRIx32 " ended without END: received=%" PRIu32 " valid=%" PRIu32
		       "\n",
		       r->id, r->received, r->valid);
		drop(t, r);
	}
	r = &t->r[t->n++];
	memset(r, 0, sizeof(*r));
	r->id = id;
	return r;
}

void srvrun_msg(struct srvrun_tab *t, uint32_t id, int valid)
{
	struct srvrun *r = find(t, id);

	if (r == NULL)
		r = add(t, id);
	r->last = ++t->tick;
	r->received++;
	r->valid += valid != 0;
}

void srvrun_end(struct srvrun_tab *t, uint32_t id, uint32_t sent)
{
	struct srvrun *r = find(t, id);

	if (r == NULL)
		r = add(t, id); /* an END alone: received=0 (and the oldest run may give way) */
	printf("end run=%08" PRIx32 " sent=%" PRIu32 " received=%" PRIu32 " valid=%" PRIu32 "\n",
	       id, sent, r->received, r->valid);
	fflush(stdout);
	drop(t, r);
}
