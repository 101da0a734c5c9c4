/* test_io.c - reading whole messages off a stream (src/io.c) through a fake transport
 * whose peer's bytes arrive in scripted bursts: how many reads each reader takes, that
 * io_read_want refuses bytes past the message, and that io_read_carry keeps them for the
 * next message (a peer that sends before it is answered), whatever the burst boundaries. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "io.h"
#include "msg.h"
#include "port.h"

#define CAP 8192

/* The peer's bytes, and where each burst ends: a read returns at most what has arrived. */
static struct {
	uint8_t data[3 * CAP];
	size_t len, pos;
	size_t burst_end[8];
	unsigned bursts, cur, reads;
} g;

static int fake_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms)
{
	size_t n;

	(void)conn;
	(void)timeout_ms;
	if (g.pos >= g.len)
		return ACK_ERR_EOF;
	while (g.cur < g.bursts && g.burst_end[g.cur] <= g.pos)
		g.cur++; /* the next burst "arrives" once the previous ones are read */
	n = (g.cur < g.bursts ? g.burst_end[g.cur] : g.len) - g.pos;
	if (n > cap)
		n = cap;
	memcpy(buf, g.data + g.pos, n);
	g.pos += n;
	g.reads++;
	return (int)n;
}

static const struct transport fake_stream = { .name = "fake", .datagram = 0, .recv = fake_recv };

static int parse_hdr(const uint8_t *hdr, uint32_t *len)
{
	struct msg_hdr h;

	if (msg_parse(hdr, MSG_HDR_LEN, &h) != REPLY_OK)
		return ACK_ERR_PROTO;
	*len = h.len;
	return 0;
}

static void reset(void)
{
	memset(&g, 0, sizeof(g));
}

/* Appends a request of len bytes with sequence number seq. */
static void add_msg(uint32_t seq, uint32_t len)
{
	struct msg_hdr h = { .type = MSG_DATA,
		             .run_id = 0xABCD0001u,
		             .seq = seq,
		             .len = len,
		             .reply_len = REPLY_HDR_LEN };

	msg_build(g.data + g.len, &h);
	g.len += len;
}

/* Ends a burst after the bytes added so far (plus extra: negative = before them). */
static void burst(long extra)
{
	g.burst_end[g.bursts++] = (size_t)((long)g.len + extra);
}

static uint64_t deadline(void)
{
	return port_mono_ns() + 1000000000u;
}

static uint32_t seq_of(const uint8_t *buf)
{
	struct msg_hdr h;

	msg_parse(buf, MSG_HDR_LEN, &h);
	return h.seq;
}

static uint8_t buf[CAP];

static void test_read_counts(void)
{
	reset();
	add_msg(1, 100);
	burst(0);
	CHECK_I(io_read(&fake_stream, NULL, buf, CAP, MSG_HDR_LEN, parse_hdr, deadline()), 100,
	        "io_read: a 100-byte message");
	CHECK_U(g.reads, 2, "io_read: header, then body (two reads)");

	reset();
	add_msg(1, 100);
	burst(0);
	CHECK_I(io_read_want(&fake_stream, NULL, buf, CAP, MSG_HDR_LEN, 100, parse_hdr, deadline()),
	        100, "io_read_want 100: the message");
	CHECK_U(g.reads, 1, "io_read_want 100: one read");

	reset();
	add_msg(1, 100);
	burst(-60);
	burst(-30);
	CHECK_I(io_read_want(&fake_stream, NULL, buf, CAP, MSG_HDR_LEN, 100, parse_hdr, deadline()),
	        100, "io_read_want: a message arriving in three bursts");
	CHECK_U(g.reads, 3, "io_read_want: one read per burst");
	CHECK_I(msg_check_padding(buf, 100), REPLY_OK, "io_read_want: bytes in order");

	reset();
	add_msg(1, 100);
	add_msg(2, 40);
	burst(0);
	CHECK_I(io_read_want(&fake_stream, NULL, buf, CAP, MSG_HDR_LEN, 140, parse_hdr, deadline()),
	        ACK_ERR_PROTO, "io_read_want: bytes past the message refused");

	reset();
	add_msg(1, 2 * CAP);
	burst(0);
	CHECK_I(io_read_want(&fake_stream, NULL, buf, CAP, MSG_HDR_LEN, CAP, parse_hdr, deadline()),
	        ACK_ERR_TOO_BIG, "io_read_want: a length above cap refused");
}

static void test_carry(void)
{
	struct io_carry c = { 0, 0 };

	reset();
	add_msg(1, 100);
	add_msg(2, 40);
	burst(0);
	add_msg(3, 5000);
	burst(-4000);
	burst(-1);
	add_msg(4, 32);
	burst(-20); /* 12 bytes of message 4's header come with the end of message 3 */
	CHECK_I(io_read_carry(&fake_stream, NULL, buf, CAP, MSG_HDR_LEN, parse_hdr, deadline(), &c),
	        100, "carry: first message");
	CHECK_U(seq_of(buf), 1, "carry: first message is seq 1");
	CHECK_U(g.reads, 1, "carry: two messages in one read");
	CHECK_U(c.have, 40, "carry: the second message kept");
	CHECK_I(io_read_carry(&fake_stream, NULL, buf, CAP, MSG_HDR_LEN, parse_hdr, deadline(), &c),
	        40, "carry: second message, from what was kept");
	CHECK_U(g.reads, 1, "carry: no read for it");
	CHECK_U(seq_of(buf), 2, "carry: second message is seq 2, moved to the start");
	CHECK_I(msg_check_padding(buf, 40), REPLY_OK, "carry: second message whole");
	CHECK_I(io_read_carry(&fake_stream, NULL, buf, CAP, MSG_HDR_LEN, parse_hdr, deadline(), &c),
	        5000, "carry: third message, split over bursts");
	CHECK_U(seq_of(buf), 3, "carry: third message is seq 3");
	CHECK_I(msg_check_padding(buf, 5000), REPLY_OK, "carry: third message whole");
	CHECK_I(io_read_carry(&fake_stream, NULL, buf, CAP, MSG_HDR_LEN, parse_hdr, deadline(), &c),
	        32, "carry: fourth message, its header split across reads");
	CHECK_U(seq_of(buf), 4, "carry: fourth message is seq 4");
	CHECK_I(io_read_carry(&fake_stream, NULL, buf, CAP, MSG_HDR_LEN, parse_hdr, deadline(), &c),
	        ACK_ERR_EOF, "carry: then the peer's end");
}

int main(void)
{
	test_read_counts();
	test_carry();
	return check_done();
}
