/* io.c - see io.h. */
#include "io.h"

#include <string.h>

#include "port.h"

int io_ms_left(uint64_t deadline_ns)
{
	uint64_t now = port_mono_ns();

	if (now >= deadline_ns)
		return 0;
	/* Round up so that a sub-millisecond remainder still waits. */
	return (int)((deadline_ns - now + 999999u) / 1000000u);
}

/* Reads until *got >= min, asking for up to max - *got bytes each time. */
static int read_min(const struct transport *tp, void *conn, uint8_t *buf, size_t min, size_t max,
                    size_t *got, uint64_t deadline_ns)
{
	while (*got < min) {
		int n = tp->recv(conn, buf + *got, max - *got, io_ms_left(deadline_ns));

		/* A close between messages is the peer's normal end; within one it is not. */
		if (n == ACK_ERR_EOF && *got > 0)
			return ACK_ERR_CUT;
		if (n < 0)
			return n;
		*got += (size_t)n;
	}
	return 0;
}

/* The three readers in one: want = what the first stream read asks for; carry = NULL:
 * bytes past the message are an error, else they are kept (see io.h). */
static int read_msg(const struct transport *tp, void *conn, uint8_t *buf, size_t cap,
                    size_t hdr_len, size_t want, io_hdr_fn parse, uint64_t deadline_ns,
                    struct io_carry *carry)
{
	size_t got = 0;
	uint32_t len;
	int r;

	if (tp->datagram) {
		int n = tp->recv(conn, buf, cap, io_ms_left(deadline_ns));

		if (n < 0)
			return n;
		if ((size_t)n < hdr_len)
			return ACK_ERR_PROTO;
		r = parse(buf, &len);
		if (r != 0)
			return r;
		if (len > cap)
			return ACK_ERR_TOO_BIG;
		return len == (uint32_t)n ? n : ACK_ERR_PROTO;
	}
	if (want < hdr_len || want > cap)
		want = hdr_len;
	if (carry != NULL && carry->have > 0) {
		memmove(buf, buf + carry->off, carry->have);
		got = carry->have;
		carry->off = carry->have = 0;
	}
	r = read_min(tp, conn, buf, hdr_len, want, &got, deadline_ns);
	if (r != 0)
		return r;
	r = parse(buf, &len);
	if (r != 0)
		return r;
	if (len > cap)
		return ACK_ERR_TOO_BIG;
	if (got > len) {
		if (carry == NULL)
			return ACK_ERR_PROTO;
		carry->off = len;
		carry->have = got - len;
		return (int)len;
	}
	r = read_min(tp, conn, buf, len, len, &got, deadline_ns);
	return r != 0 ? r : (int)len;
}

int io_read(const struct transport *tp, void *conn, uint8_t *buf, size_t cap, size_t hdr_len,
            io_hdr_fn parse, uint64_t deadline_ns)
{
	return io_read_want(tp, conn, buf, cap, hdr_len, hdr_len, parse, deadline_ns);
}

int io_read_want(const struct transport *tp, void *conn, uint8_t *buf, size_t cap, size_t hdr_len,
                 size_t want, io_hdr_fn parse, uint64_t deadline_ns)
{
	return read_msg(tp, conn, buf, cap, hdr_len, want, parse, deadline_ns, NULL);
}

int io_read_carry(const struct transport *tp, void *conn, uint8_t *buf, size_t cap, size_t hdr_len,
                  io_hdr_fn parse, uint64_t deadline_ns, struct io_carry *carry)
{
	return read_msg(tp, conn, buf, cap, hdr_len, cap, parse, deadline_ns, carry);
}
