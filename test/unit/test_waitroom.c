/* test_waitroom.c - a stream server's waiting room (src/waitroom.c) through the in-memory
 * port (ports/fake/) on fake time: a connection is handed over only once its first TLS
 * record is whole, in the order they became whole, whatever arrived before it; silent and
 * trickling ones stay and cost nothing; each is closed once it has waited its hold time;
 * a full room pushes out the one that waited longest; a peer that leaves is forgotten;
 * a header that is not a handshake record's is handed over at once. */
#include <string.h>

#include "check.h"
#include "fake_port.h"
#include "port.h"
#include "tls_sniff.h"
#include "waitroom.h"

static struct waitroom g_room;
static struct port_addr g_srv;

static int dial(void)
{
	return port_tcp_connect(&g_srv, 1000);
}

static int setup(uint32_t hold_ms)
{
	struct port_addr a;
	uint16_t port;
	int lh;

	fake_reset();
	port_resolve("127.0.0.1", 0, 0, 1, &a);
	lh = port_listen(&a, 0, &port);
	port_resolve("127.0.0.1", port, 0, 0, &g_srv);
	waitroom_init(&g_room, "test", lh, hold_ms, tls_sniff_first_need);
	return lh;
}

/* A handshake record header announcing len bytes, and n of them. */
static void record(int c, uint16_t len, size_t n)
{
	uint8_t b[600];

	memset(b, 1, sizeof(b));
	b[0] = 22;
	b[1] = 3;
	b[2] = 1;
	b[3] = (uint8_t)(len >> 8);
	b[4] = (uint8_t)len;
	port_send(c, b, 5 + n);
}

static void test_order(void)
{
	struct port_addr peer;
	uint8_t b[8];
	int lh = setup(10000), silent, trick, good, h, h2;

	silent = dial();
	trick = dial();
	good = dial();
	CHECK(silent >= 0 && trick >= 0 && good >= 0, "three connections");
	record(trick, 512, 3); /* 8 of 517 bytes */
	record(good, 100, 100);
	h = waitroom_take(&g_room, 100, &peer);
	CHECK(h >= 0, "a whole first record is handed over (got %d)", h);
	CHECK(g_room.n == 2, "the silent and the trickling one still wait (%u)", g_room.n);
	CHECK(port_peek_from(h, b, sizeof(b), 0, NULL) == 8 && b[0] == 22,
	      "nothing of it was read: the stack reads its ClientHello itself");
	port_close(h);
	h = waitroom_take(&g_room, 500, &peer);
	CHECK(h == ACK_ERR_TIMEOUT, "partial and silent ones are not handed over (got %d)", h);
	record(silent, 200, 0); /* the silent one starts: a header only */
	h = waitroom_take(&g_room, 100, &peer);
	CHECK(h == ACK_ERR_TIMEOUT, "a header alone is not a whole record (got %d)", h);
	memset(b, 2, sizeof(b));
	for (h2 = 0; h2 < 25; h2++)
		port_send(silent, b, 8); /* 200 bytes */
	h = waitroom_take(&g_room, 100, &peer);
	CHECK(h >= 0 && g_room.n == 1, "... and is handed over once the rest came (%d, %u)", h,
	      g_room.n);
	port_close(h);
	port_close(trick); /* the trickler leaves */
	h = waitroom_take(&g_room, 100, &peer);
	CHECK(h >= 0, "a peer that leaves mid-record is handed over (its stack sees the EOF)");
	port_close(h);
	CHECK(g_room.n == 0, "the room is empty (%u)", g_room.n);
	port_close(silent);
	port_close(good);
	waitroom_fini(&g_room);
	port_close(lh);
	CHECK(fake_open_handles() == 0, "every handle closed (%u open)", fake_open_handles());
}

static void test_hold(void)
{
	struct port_addr peer;
	int lh = setup(1000), c[3], i, h;

	for (i = 0; i < 3; i++)
		c[i] = dial();
	record(c[2], 512, 0);
	h = waitroom_take(&g_room, 600, &peer);
	CHECK(h == ACK_ERR_TIMEOUT && g_room.n == 3, "three wait (%d, %u)", h, g_room.n);
	h = waitroom_take(&g_room, 600, &peer);
	CHECK(h == ACK_ERR_TIMEOUT && g_room.n == 0 && g_room.timed_out == 3,
	      "each is closed once it waited its hold time (%u left, %u timed out)", g_room.n,
	      g_room.timed_out);
	for (i = 0; i < 3; i++)
		port_close(c[i]);
	waitroom_fini(&g_room);
	port_close(lh);
	CHECK(fake_open_handles() == 0, "every handle closed (%u open)", fake_open_handles());
}

static void test_not_tls(void)
{
	struct port_addr peer;
	int lh = setup(1000), c = dial(), h;

	port_send(c, "ACKB\001", 5);
	h = waitroom_take(&g_room, 100, &peer);
	CHECK(h >= 0, "a header that is not a handshake record's is handed over at once");
	port_close(h);
	port_close(c);
	waitroom_fini(&g_room);
	port_close(lh);
}

int main(void)
{
	test_order();
	test_hold();
	test_not_tls();
	return check_done();
}
