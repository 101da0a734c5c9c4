/* loglimit.c - see loglimit.h. A token bucket per kind: LOGLIMIT_BURST lines at once,
 * then LOGLIMIT_PER_S a second; the count of the lines held back is told at most once a
 * second, before the kind's next printed line (or at the end). */
#include "loglimit.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "port.h"

#define SECOND_NS 1000000000ull
#define MILLI     1000u /* tokens are kept in thousandths of a line */

static const char *const g_names[LOGLIMIT_KINDS] = {
	[LOGLIMIT_HANDSHAKE] = "handshake failed", [LOGLIMIT_REFUSED] = "peer refused",
	[LOGLIMIT_RETRANS] = "retransmissions",    [LOGLIMIT_RECONNECT] = "reconnect",
	[LOGLIMIT_MESSAGE] = "message refused",    [LOGLIMIT_DROPPED] = "connection dropped",
	[LOGLIMIT_NO_PLACE] = "no place",          [LOGLIMIT_ACCEPT] = "accept failed",
};

struct kind {
	uint64_t last_ns;         /* the last line's time; 0: none yet */
	uint64_t told_ns;         /* when the count of held lines was last told */
	uint64_t tokens;          /* lines that may be printed now, in thousandths */
	unsigned held;            /* suppressed, not told yet */
	unsigned long all, shown; /* since start */
};

static struct {
	int on; /* set before the threads start, cleared after they end */
	const char *prog;
	FILE *out;
	struct port_mutex *lock;
	struct kind k[LOGLIMIT_KINDS];
} g;

int loglimit_start(const char *prog, FILE *out)
{
	memset(&g, 0, sizeof(g));
	g.lock = port_mutex_new();
	if (g.lock == NULL)
		return ACK_ERR_NOMEM;
	g.prog = prog;
	g.out = out;
	g.on = 1;
	return 0;
}

/* The lines held back since the last count, in one line (the lock held). */
static void tell_held(enum loglimit_kind kind, uint64_t now)
{
	struct kind *k = &g.k[kind];

	if (k->held != 0)
		fprintf(g.out, "%s: ... %u more \"%s\" line(s) suppressed\n", g.prog, k->held,
		        g_names[kind]);
	k->held = 0;
	k->told_ns = now;
}

/* Refill KIND's bucket for the time since its last line (the lock held). */
static void refill(struct kind *k, uint64_t now)
{
	uint64_t dt, full = (uint64_t)LOGLIMIT_BURST * MILLI;

	if (k->last_ns == 0) {
		k->tokens = full;
		k->told_ns = now;
	} else {
		dt = now - k->last_ns;
		if (dt > 3600 * SECOND_NS)
			dt = 3600 * SECOND_NS; /* far more than a full bucket, and no overflow */
		k->tokens += dt * LOGLIMIT_PER_S * MILLI / SECOND_NS;
		if (k->tokens > full)
			k->tokens = full;
	}
	k->last_ns = now;
}

void loglimit_printf(enum loglimit_kind kind, const char *fmt, ...)
{
	char line[512];
	struct kind *k;
	uint64_t now;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!g.on) {
		fputs(line, stderr);
		return;
	}
	k = &g.k[kind];
	now = port_mono_ns();
	port_mutex_lock(g.lock);
	k->all++;
	refill(k, now);
	if (k->tokens >= MILLI) {
		k->tokens -= MILLI;
		if (k->held != 0 && now - k->told_ns >= SECOND_NS)
			tell_held(kind, now);
		k->shown++;
		fputs(line, g.out); /* under the lock: after the count line before it */
	} else {
		k->held++;
	}
	port_mutex_unlock(g.lock);
}

void loglimit_report(void)
{
	unsigned i;

	if (!g.on)
		return;
	port_mutex_lock(g.lock);
	for (i = 0; i < LOGLIMIT_KINDS; i++) {
		const struct kind *k = &g.k[i];

		tell_held((enum loglimit_kind)i, port_mono_ns());
		if (k->all != k->shown)
			fprintf(g.out,
			        "%s: \"%s\" lines: %lu in all, %lu printed, %lu suppressed (%u at "
			        "once, then %u a second)\n",
			        g.prog, g_names[i], k->all, k->shown, k->all - k->shown,
			        LOGLIMIT_BURST, LOGLIMIT_PER_S);
	}
	fflush(g.out);
	port_mutex_unlock(g.lock);
}

void loglimit_count(enum loglimit_kind kind, unsigned long *lines, unsigned long *printed)
{
	port_mutex_lock(g.lock);
	*lines = g.k[kind].all;
	*printed = g.k[kind].shown;
	port_mutex_unlock(g.lock);
}

void loglimit_stop(void)
{
	port_mutex_free(g.lock);
	memset(&g, 0, sizeof(g));
}
