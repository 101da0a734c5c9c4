/* test_loglimit.c - a server's per-peer lines, limited by kind (src/loglimit.c), on the
 * in-memory port's clock: the first LOGLIMIT_PER_S lines of a kind in a second are printed,
 * the rest counted and told in one line when the next second's first line comes (or at the
 * end), kinds apart; the end summary has every count; before start and after stop lines go
 * out as they come. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "fake_port.h"
#include "loglimit.h"

#define COUNT20 "srv: ... 20 more \"handshake failed\" line(s) suppressed in that second\n"

static FILE *g_out;

/* The lines written to g_out since the last call, into buf; returns how many. */
static unsigned lines(char *buf, size_t len)
{
	unsigned n = 0;
	size_t got;
	char *p;

	fflush(g_out);
	rewind(g_out);
	got = fread(buf, 1, len - 1, g_out);
	buf[got] = '\0';
	for (p = buf; *p != '\0'; p++)
		n += *p == '\n';
	fclose(g_out);
	g_out = tmpfile();
	return n;
}

static void say(enum loglimit_kind k, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		loglimit_printf(k, "srv: conn %u from peer: handshake failed: pushed out\n", i);
}

static void test_window(void)
{
	char buf[8192];
	unsigned long all, shown;
	unsigned n;

	fake_reset();
	g_out = tmpfile();
	CHECK(g_out != NULL && loglimit_start("srv", g_out) == 0, "started");
	say(LOGLIMIT_HANDSHAKE, 25);
	n = lines(buf, sizeof(buf));
	CHECK_U(n, LOGLIMIT_PER_S, "25 lines at once: the first %u printed", LOGLIMIT_PER_S);
	fake_clock_advance(500000000u);
	say(LOGLIMIT_HANDSHAKE, 5);
	say(LOGLIMIT_DROPPED, 3);
	n = lines(buf, sizeof(buf));
	CHECK_U(n, 3, "half a second later: 5 more counted, another kind's 3 printed");
	fake_clock_advance(500000000u);
	say(LOGLIMIT_HANDSHAKE, 1);
	n = lines(buf, sizeof(buf));
	CHECK_U(n, 2, "a second after the first: the count of the others, then the line");
	CHECK(strncmp(buf, COUNT20, strlen(COUNT20)) == 0,
	      "the count line first, with the kind's name");
	loglimit_count(LOGLIMIT_HANDSHAKE, &all, &shown);
	CHECK(all == 31 && shown == 11, "31 lines counted, 11 printed (%lu, %lu)", all, shown);
	say(LOGLIMIT_HANDSHAKE, 12);
	loglimit_report();
	n = lines(buf, sizeof(buf));
	CHECK_U(n, 9 + 2, "the end: 9 more printed, then the 3 held and the summary");
	CHECK(strstr(buf, "srv: ... 3 more \"handshake failed\" line(s) suppressed in that "
	                  "second\nsrv: \"handshake failed\" lines: 43 in all, 20 printed, 23 "
	                  "suppressed (at most 10 a second)\n") != NULL,
	      "the summary keeps every count");
	CHECK(strstr(buf, "connection dropped") == NULL, "no summary for a kind that lost none");
	loglimit_stop();
	fclose(g_out);
	loglimit_count(LOGLIMIT_HANDSHAKE, &all, &shown);
	CHECK(all == 0 && shown == 0, "stopped: counts gone");
}

int main(void)
{
	test_window();
	return check_done();
}
