/* waitroom.c - see waitroom.h. */
#include "waitroom.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sec_io.h"

void waitroom_init(struct waitroom *w, const char *prog, int lh, uint32_t hold_ms,
                   waitroom_need_fn need)
{
	w->prog = prog;
	w->lh = lh;
	w->hold_ms = hold_ms;
	w->need = need;
	w->n = 0;
	w->timed_out = w->evicted = 0;
}

static void drop(struct waitroom *w, unsigned i)
{
	memmove(&w->e[i], &w->e[i + 1], (w->n - i - 1) * sizeof(w->e[0]));
	w->n--;
}

/* Closes e[i], one line for the first WAITROOM_LOG. */
static void close_one(struct waitroom *w, unsigned i, const char *why)
{
	char name[80];

	if (w->timed_out + w->evicted <= WAITROOM_LOG) {
		port_addr_str(&w->e[i].peer, name, sizeof(name));
		fprintf(stderr, "%s: %s: %s: closed%s\n", w->prog, name, why,
		        w->timed_out + w->evicted == WAITROOM_LOG ? " (further ones only counted)"
		                                                  : "");
	}
	port_close(w->e[i].h);
	drop(w, i);
}

/* Closes who waited hold_ms; returns the ms until the next one has (-1: none waits). */
static int expire(struct waitroom *w)
{
	uint64_t hold = (uint64_t)w->hold_ms * 1000000u;
	char why[96];

	while (w->n > 0 && sec_ms_left(w->e[0].since_ns + hold) == 0) {
		w->timed_out++;
		snprintf(why, sizeof(why),
		         "no whole first record within %" PRIu32 " ms (--hs-deadline)", w->hold_ms);
		close_one(w, 0, why);
	}
	return w->n > 0 ? sec_ms_left(w->e[0].since_ns + hold) : -1;
}

static int admit(struct waitroom *w)
{
	struct waitroom_ent *e;
	struct port_addr peer;
	int h = port_accept(w->lh, 0, &peer);

	if (h < 0)
		return h == ACK_ERR_TIMEOUT ? 0 : h; /* gone again (a reset) */
	if (w->n == WAITROOM_MAX) {
		w->evicted++;
		close_one(w, 0, "the waiting room is full: the longest waiting one");
	}
	e = &w->e[w->n++];
	e->h = h;
	e->lowat = 1;
	e->since_ns = port_mono_ns();
	e->peer = peer;
	return 0;
}

/* e[i] is readable: 1 when it is to be handed over, 0 to go on waiting (or closed). */
static int ready(struct waitroom *w, unsigned i)
{
	struct waitroom_ent *e = &w->e[i];
	int n = port_peek_from(e->h, w->head, sizeof(w->head), 0, NULL);
	uint32_t need;

	if (n == ACK_ERR_TIMEOUT)
		return 0;
	if (n < 0) { /* left before it said anything (or failed): nobody to serve */
		port_close(e->h);
		drop(w, i);
		return 0;
	}
	need = w->need(w->head, (size_t)n);
	/* whole; or not ours; or woken with less than it was set to wait for: it closed */
	if (need <= (uint32_t)n || need > WAITROOM_PEEK || need <= e->lowat)
		return 1;
	if (port_rx_lowat(e->h, need) != 0)
		return 1;
	e->lowat = need;
	return 0;
}

int waitroom_take(struct waitroom *w, int timeout_ms, struct port_addr *peer)
{
	uint64_t deadline = sec_deadline(timeout_ms);
	int hs[WAITROOM_MAX + 1];

	for (;;) {
		int ms = sec_ms_left(deadline), next = expire(w), r;
		unsigned i;

		/* the waiting first, in order: a stream of new connections cannot starve them */
		for (i = 0; i < w->n; i++)
			hs[i] = w->e[i].h;
		hs[w->n] = w->lh;
		r = port_wait_any(hs, w->n + 1, next >= 0 && (ms < 0 || next < ms) ? next : ms);
		if (r == ACK_ERR_TIMEOUT) {
			if (sec_ms_left(deadline) == 0)
				return ACK_ERR_TIMEOUT;
			continue;
		}
		if (r < 0)
			return r;
		if ((unsigned)r == w->n) {
			r = admit(w);
			if (r < 0)
				return r;
			continue;
		}
		if (ready(w, (unsigned)r)) {
			int h = w->e[r].h;

			port_rx_lowat(h, 1);
			*peer = w->e[r].peer;
			drop(w, (unsigned)r);
			return h;
		}
	}
}

void waitroom_fini(struct waitroom *w)
{
	while (w->n > 0) {
		port_close(w->e[w->n - 1].h);
		w->n--;
	}
	if (w->timed_out + w->evicted != 0)
		fprintf(stderr,
		        "%s: waiting room: %" PRIu32 " connection(s) closed without a whole first "
		        "record within --hs-deadline, %" PRIu32 " pushed out of a full room\n",
		        w->prog, w->timed_out, w->evicted);
}
