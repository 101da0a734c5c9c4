/* srvlobby.c - see srvlobby.h. Everything here is under the server's lock (s->lock). */
#include "srvlobby.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "srvconn.h"

#define PLACE_SLICE_MS 2 /* a handshake done waits for its place in these */

int srvlobby_wanted(int mem)
{
	return !mem; /* --mem counts one connection's heap at a time */
}

/* struct sec_yield's waiting: a connection waits for a place. */
static int waiting(void *arg)
{
	struct srv *s = ((struct worker *)arg)->s;
	int r;

	port_mutex_lock(s->lock);
	r = s->lobby->waiting > 0;
	port_mutex_unlock(s->lock);
	return r;
}

/* Is w's flight the oldest one still unanswered (the lock held)? */
static int oldest(const struct srv *s, const struct worker *w)
{
	uint64_t mine = w->y.flight_ns;
	unsigned i;

	for (i = 0; i < s->workers; i++) {
		uint64_t f = s->w[i].y.flight_ns;

		if (f != 0 && f < mine)
			return 0;
	}
	return mine != 0;
}

/* struct sec_yield's claim: every thread holds a connection, none is already on its way
 * back to accept, and w's peer has kept silent longest: w goes. Or the server stops. */
static int claim(void *arg)
{
	struct worker *w = arg;
	struct srv *s = w->s;
	int r = 0;

	port_mutex_lock(s->lock);
	if (s->stop || srvconn_stopping()) {
		r = 1;
	} else if (s->active >= s->workers && !s->lobby->claim_out && oldest(s, w)) {
		s->lobby->claim_out = 1;
		s->lobby->pushed++;
		w->claimed = 1;
		r = 1;
	}
	port_mutex_unlock(s->lock);
	return r;
}

/* struct sec_yield's shunned: is from's ClientHello to be dropped? Only while at most the
 * accepting thread is free: a shunned peer still gets a handshake on a quiet server (a
 * client that was only slow once is not locked out), never one that others need. */
static int shunned(void *arg, const struct port_addr *from)
{
	struct srv *s = ((struct worker *)arg)->s;
	struct srvlobby *l = s->lobby;
	uint64_t now = port_mono_ns();
	unsigned i;
	int r = 0;

	port_mutex_lock(s->lock);
	for (i = 0; i < l->nshun && !r && s->active + 1 >= s->workers; i++)
		r = l->shun[i].until_ns > now && port_addr_equal(&l->shun[i].a, from);
	l->dropped += (uint32_t)r;
	port_mutex_unlock(s->lock);
	return r;
}

void srvlobby_worker(struct worker *w)
{
	w->y.waiting = waiting;
	w->y.claim = claim;
	w->y.shunned = shunned;
	w->y.arg = w;
}

int srvlobby_place(struct worker *w)
{
	struct srv *s = w->s;
	struct srvlobby *l = s->lobby;
	uint64_t deadline = sec_deadline((int)s->o->timeout_ms);
	int queued = 0, r;

	for (;;) {
		port_mutex_lock(s->lock);
		r = l->serving < l->places ? 0 : s->stop ? ACK_ERR_STOPPED : 1;
		if (r == 0) {
			l->serving++;
			w->placed = 1;
		}
		if (r != 1 || sec_ms_left(deadline) == 0) {
			l->waiting -= (unsigned)queued;
			port_mutex_unlock(s->lock);
			return r == 1 ? ACK_ERR_TIMEOUT : r;
		}
		l->waiting += (unsigned)!queued;
		queued = 1;
		port_mutex_unlock(s->lock);
		if (srvconn_stopping()) {
			port_mutex_lock(s->lock);
			l->waiting--;
			port_mutex_unlock(s->lock);
			return ACK_ERR_STOPPED;
		}
		port_sleep_ms(PLACE_SLICE_MS);
	}
}

/* Shuns a (the lock held): an entry of its own, a lapsed one, or the one to end first. */
static void shun(struct srvlobby *l, const struct port_addr *a)
{
	uint64_t now = port_mono_ns();
	unsigned i, k = 0;
	int again = 0;

	for (i = 0; i < l->nshun; i++) {
		again = port_addr_equal(&l->shun[i].a, a) && l->shun[i].until_ns > now;
		if (again || l->shun[i].until_ns <= now) {
			k = i;
			break;
		}
		if (l->shun[i].until_ns < l->shun[k].until_ns)
			k = i;
	}
	if (i == l->nshun && l->nshun < SRVLOBBY_SHUN_MAX)
		k = l->nshun++;
	l->shun[k].a = *a;
	l->shun[k].until_ns = now + (uint64_t)SRVLOBBY_SHUN_MS * 1000000u;
	l->shunned += (uint32_t)!again; /* peers, not the times one was shunned again */
}

void srvlobby_done(struct worker *w, int e)
{
	struct srv *s = w->s;
	struct srvlobby *l = s->lobby;

	port_mutex_lock(s->lock);
	if (w->placed)
		l->serving--;
	if (w->claimed)
		l->claim_out = 0;
	if (e != 0 && !w->y.answered && w->y.peer.len != 0 && !s->stop)
		shun(l, &w->y.peer);
	port_mutex_unlock(s->lock);
	w->placed = w->claimed = 0;
	w->y.answered = 0;
	w->y.flight_ns = 0;
	w->y.peer.len = 0;
}

void srvlobby_report(const struct srv *s)
{
	const struct srvlobby *l = s->lobby;

	if (l->pushed + l->shunned + l->dropped != 0)
		fprintf(stderr,
		        "%s: handshake lobby: %" PRIu32 " handshake(s) pushed out, %" PRIu32
		        " silent peer(s) shunned for %u s, %" PRIu32
		        " ClientHello(s) of shunned peers dropped\n",
		        s->prog, l->pushed, l->shunned, SRVLOBBY_SHUN_MS / 1000, l->dropped);
}
