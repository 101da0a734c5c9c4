/* test_loglimit.c - a server's per-peer lines, limited by kind (src/loglimit.c), on the
 * in-memory port's clock: LOGLIMIT_BURST lines of a kind at once, then LOGLIMIT_PER_S a
 * second; the rest counted and told in one line at most once a second, before the kind's
 * next printed line (or at the end); kinds apart; a bucket refills to its burst, no more;
 * the end summary has every count; before start and after stop lines go out as they come. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "fake_port.h"
#include "loglimit.h"

#define COUNT11 "srv: ... 11 more \"handshake failed\" line(s) suppressed\n"

static FILE *g_out; /* the module writes here from loglimit_start to loglimit_stop */
static long g_seen; /* what lines() has read of it */

/* The lines written to g_out since the last call, into buf; returns how many. The file
 * stays the one the module holds: it is read from where the last call ended, then left at
 * its end for the module's next line. */
static unsigned lines(char *buf, size_t len)
{
	unsigned n = 0;
	size_t got;
	char *p;

	fflush(g_out);
	fseek(g_out, g_seen, SEEK_SET);
	got = fread(buf, 1, len - 1, g_out);
	buf[got] = '\0';
	g_seen += (long)got;
	fseek(g_out, 0, SEEK_END);
	for (p = buf; *p != '\0'; p++)
		n += *p == '\n';
	return n;
}

static void say(enum loglimit_kind k, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		loglimit_printf(k, "srv: conn %u from peer: handshake failed: pushed out\n", i);
}

static void test_bucket(void)
{
	char buf[16384];
	unsigned long all, shown;
	unsigned n;

	fake_reset();
	g_out = tmpfile();
	g_seen = 0;
	CHECK(g_out != NULL && loglimit_start("srv", g_out) == 0, "started");
	say(LOGLIMIT_HANDSHAKE, LOGLIMIT_BURST + 10);
	n = lines(buf, sizeof(buf));
	CHECK_U(n, LOGLIMIT_BURST, "%u lines at once: the first %u printed", LOGLIMIT_BURST + 10,
	        LOGLIMIT_BURST);
	fake_clock_advance(500000000u);
	say(LOGLIMIT_HANDSHAKE, 6);
	say(LOGLIMIT_DROPPED, 3);
	n = lines(buf, sizeof(buf));
	CHECK_U(n, 5 + 3, "half a second later: 5 more printed (no count yet), another kind's 3");
	fake_clock_advance(500000000u);
	say(LOGLIMIT_HANDSHAKE, 1);
	n = lines(buf, sizeof(buf));
	CHECK_U(n, 2, "a second after the first: the count of the others, then the line");
	CHECK(strncmp(buf, COUNT11 "srv: conn 0", strlen(COUNT11) + 11) == 0,
	      "the count line first, with the kind's name");
	loglimit_count(LOGLIMIT_HANDSHAKE, &all, &shown);
	CHECK(all == LOGLIMIT_BURST + 17 && shown == LOGLIMIT_BURST + 6,
	      "every line counted, the printed ones apart (%lu, %lu)", all, shown);
	fake_clock_advance(400000000u);
	say(LOGLIMIT_HANDSHAKE, 12);
	loglimit_report();
	n = lines(buf, sizeof(buf));
	CHECK_U(n, 8 + 2,
	        "the end: 8 more printed (4 left, 4 refilled), then the 4 held and the summary");
	CHECK(strstr(buf, "srv: ... 4 more \"handshake failed\" line(s) suppressed\n"
	                  "srv: \"handshake failed\" lines: 79 in all, 64 printed, 15 suppressed "
	                  "(50 at once, then 10 a second)\n") != NULL,
	      "the summary keeps every count");
	CHECK(strstr(buf, "connection dropped") == NULL, "no summary for a kind that lost none");
	fake_clock_advance(3600000000000ull);
	say(LOGLIMIT_HANDSHAKE, LOGLIMIT_BURST + 1);
	n = lines(buf, sizeof(buf));
	CHECK_U(n, LOGLIMIT_BURST, "an hour later the bucket is full again, and no fuller");
	loglimit_stop();
	fclose(g_out);
	loglimit_count(LOGLIMIT_HANDSHAKE, &all, &shown);
	CHECK(all == 0 && shown == 0, "stopped: counts gone");
}

int main(void)
{
	test_bucket();
	return check_done();
}
