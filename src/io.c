/* io.c - see io.h. */
#include "io.h"

#include "port.h"

int io_ms_left(uint64_t deadline_ns)
{
	uint64_t now = port_mono_ns();

	if (now >= deadline_ns)
		return 0;
	/* Round up so that a sub-millisecond remainder still waits. */
	return (int)((deadline_ns - now + 999999u) / 1000000u);
}

static int read_exact(const struct transport *tp, void *conn, uint8_t *buf, size_t len,
                      uint64_t deadline_ns)
{
	size_t got = 0;

	while (got < len) {
		int n = tp->recv(conn, buf + got, len - got, io_ms_left(deadline_ns));

		if (n < 0)
			return n;
		got += (size_t)n;
	}
	return 0;
}

int io_read(const struct transport *tp, void *conn, uint8_t *buf, size_t cap, size_t hdr_len,
            io_hdr_fn parse, uint64_t deadline_ns)
{
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
	r = read_exact(tp, conn, buf, hdr_len, deadline_ns);
	if (r != 0)
		return r;
	r = parse(buf, &len);
	if (r != 0)
		return r;
	if (len > cap)
		return ACK_ERR_TOO_BIG;
	r = read_exact(tp, conn, buf + hdr_len, len - hdr_len, deadline_ns);
	return r != 0 ? r : (int)len;
}
