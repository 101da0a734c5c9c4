/* loglimit.c - see loglimit.h. A fixed window per kind: it opens at the first line after
 * the last one closed, and holds LOGLIMIT_PER_S lines for one second. */
#include "loglimit.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "port.h"

#define WINDOW_NS 1000000000ull

static const char *const g_names[LOGLIMIT_KINDS] = {
	[LOGLIMIT_HANDSHAKE] = "handshake failed", [LOGLIMIT_REFUSED] = "peer refused",
	[LOGLIMIT_RETRANS] = "retransmissions",    [LOGLIMIT_RECONNECT] = "reconnect",
	[LOGLIMIT_MESSAGE] = "message refused",    [LOGLIMIT_DROPPED] = "connection dropped",
	[LOGLIMIT_NO_PLACE] = "no place",          [LOGLIMIT_ACCEPT] = "accept failed",
};

struct kind {
	uint64_t win_ns;          /* the window's start; 0: none open */
	unsigned in_win, held;    /* printed, and suppressed, in the window */
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

/* The window's suppressed lines, in one line (the lock held). */
static void tell_held(enum loglimit_kind kind)
{
	struct kind *k = &g.k[kind];

	if (k->held != 0)
		fprintf(g.out, "%s: ... %u more \"%s\" line(s) suppressed in that second\n", g.prog,
		        k->held, g_names[kind]);
	k->held = 0;
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
	if (k->win_ns == 0 || now - k->win_ns >= WINDOW_NS) {
		tell_held(kind);
		k->win_ns = now;
		k->in_win = 0;
	}
	if (k->in_win < LOGLIMIT_PER_S) {
		k->in_win++;
		k->shown++;
		fputs(line, g.out); /* under the lock: after its window's "suppressed" line */
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

		tell_held((enum loglimit_kind)i);
		if (k->all != k->shown)
			fprintf(g.out,
			        "%s: \"%s\" lines: %lu in all, %lu printed, %lu suppressed (at "
			        "most "
			        "%u a second)\n",
			        g.prog, g_names[i], k->all, k->shown, k->all - k->shown,
			        LOGLIMIT_PER_S);
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
