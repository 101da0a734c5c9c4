/* test_sec_io.c - the stack-neutral I/O layer every TLS stack's callbacks call
 * (src/sec_io.c), through the in-memory port (ports/fake/) on fake time: handshake bytes
 * counted both ways only inside the handshake, the stack's tap sees every move with its
 * time, the overall deadline holds against a silent peer and is not restarted by each read,
 * the stack's own read limit (SEC_IO_TIMER) is told apart from the deadline, EOF, the
 * port's error kept for the stack, the DTLS client's cookie round trip timed from the
 * HelloVerifyRequest it receives, the DTLS handshake budget. */
#include <string.h>

#include "check.h"
#include "dtls_wire.h"
#include "fake_port.h"
#include "port.h"
#include "sec_io.h"

static struct {
	unsigned calls, tx_bytes, rx_bytes;
	uint64_t last_ns;
} g_tap;

static void tap(void *arg, int tx, const uint8_t *buf, size_t n, uint64_t now)
{
	(void)arg;
	(void)buf;
	g_tap.calls++;
	if (tx)
		g_tap.tx_bytes += (unsigned)n;
	else
		g_tap.rx_bytes += (unsigned)n;
	g_tap.last_ns = now;
}

/* A connected TCP pair on the fake port: *c the client's handle, *s the server's. */
static void tcp_pair(int *c, int *s)
{
	struct port_addr a;
	uint16_t port;
	int lh;

	port_resolve("127.0.0.1", 0, 0, 1, &a);
	lh = port_listen(&a, 0, &port);
	port_resolve("127.0.0.1", port, 0, 0, &a);
	*c = port_tcp_connect(&a, 1000);
	*s = port_accept(lh, 1000, NULL);
	port_close(lh);
}

static void test_stream(void)
{
	struct sec_io io;
	uint8_t buf[256];
	int c, s, n;
	uint64_t t0;

	fake_reset();
	tcp_pair(&c, &s);
	CHECK(c >= 0 && s >= 0, "a connected pair on the fake port");
	sec_io_init(&io, c, 0, 0);
	io.stack_tap = tap;
	memset(&g_tap, 0, sizeof(g_tap));
	memset(buf, 0x42, sizeof(buf));
	CHECK_I(sec_io_send(&io, buf, 100), 100, "send before the handshake");
	sec_io_hs_begin(&io, 1000);
	CHECK_I(sec_io_send(&io, buf, 60), 60, "send in the handshake");
	port_send(s, buf, 40);
	CHECK_I(sec_io_recv(&io, buf, sizeof(buf), 0), 40, "receive in the handshake");
	sec_io_hs_end(&io);
	port_send(s, buf, 7);
	CHECK_I(sec_io_recv(&io, buf, sizeof(buf), 0), 7, "receive after the handshake");
	CHECK_U(io.hs_tx, 60, "handshake bytes sent: only inside the handshake");
	CHECK_U(io.hs_rx, 40, "handshake bytes received: only inside the handshake");
	CHECK_U(g_tap.calls, 4, "the stack's tap sees every move");
	CHECK_U(g_tap.tx_bytes, 160, "... with its bytes sent");
	CHECK_U(g_tap.rx_bytes, 47, "... and received");
	CHECK_U(g_tap.last_ns, port_mono_ns(), "... and its time");

	/* a silent peer: the handshake deadline, once, for the whole handshake */
	sec_io_hs_begin(&io, 1000);
	t0 = port_mono_ns();
	n = sec_io_recv(&io, buf, sizeof(buf), 0);
	CHECK_I(n, ACK_ERR_TIMEOUT, "silent peer: timed out");
	CHECK(port_mono_ns() - t0 >= 1000000000ull && port_mono_ns() - t0 < 1100000000ull,
	      "... at the deadline (%llu ns)", (unsigned long long)(port_mono_ns() - t0));
	CHECK_I(sec_io_take_err(&io, -1), ACK_ERR_TIMEOUT, "the port's error kept for the stack");
	CHECK_I(sec_io_take_err(&io, -1), -1, "... once");
	t0 = port_mono_ns();
	CHECK_I(sec_io_recv(&io, buf, sizeof(buf), 0), ACK_ERR_TIMEOUT,
	        "past the deadline: a new read times out at once");
	CHECK_U(port_mono_ns() - t0, 0, "... without waiting");
	sec_io_hs_end(&io);
	sec_io_take_err(&io, 0);

	/* the stack's own limit (DTLS timer) ends a read before the deadline */
	sec_io_deadline(&io, 5000);
	t0 = port_mono_ns();
	CHECK_I(sec_io_recv(&io, buf, sizeof(buf), 200), SEC_IO_TIMER, "read limit: SEC_IO_TIMER");
	CHECK(port_mono_ns() - t0 >= 200000000ull && port_mono_ns() - t0 < 300000000ull,
	      "... after the limit");
	CHECK_U(io.timer_expiries, 1, "... counted");
	CHECK_I(io.err, 0, "... not an error");
	sec_io_deadline(&io, 100);
	CHECK_I(sec_io_recv(&io, buf, sizeof(buf), 200), ACK_ERR_TIMEOUT,
	        "deadline sooner than the limit: the deadline");
	sec_io_take_err(&io, 0);

	port_close(s);
	sec_io_deadline(&io, 1000);
	CHECK_I(sec_io_recv(&io, buf, sizeof(buf), 0), SEC_IO_EOF, "peer closed: SEC_IO_EOF");
	sec_io_close(&io);
	CHECK_U(fake_open_handles(), 0, "every handle closed");
}

/* A HelloVerifyRequest datagram (RFC 6347 4.2.1) with an 8-byte cookie. */
static size_t hello_verify(uint8_t *d)
{
	size_t body = 2 + 1 + 8, n = 0;

	memset(d, 0, 64);
	d[n++] = DTLS_CT_HANDSHAKE;
	d[n++] = 0xfe;
	d[n++] = 0xff;
	n += 8; /* epoch 0, sequence 0 */
	d[n++] = 0;
	d[n++] = (uint8_t)(DTLS_HS_HDR + body);
	d[n++] = DTLS_HS_HELLO_VERIFY;
	d[n + 2] = (uint8_t)body; /* length */
	n += 3 + 2 + 3;           /* length, message_seq, fragment_offset */
	d[n + 2] = (uint8_t)body; /* fragment_length */
	n += 3;
	d[n++] = 0xfe;
	d[n++] = 0xff;
	d[n++] = 8;
	memset(d + n, 0xab, 8);
	return n + 8;
}

static void test_datagram(void)
{
	struct port_addr a, from;
	uint8_t d[128], buf[128];
	struct sec_io io;
	uint16_t port;
	size_t len;
	int lh, h;

	fake_reset();
	port_resolve("127.0.0.1", 0, 1, 1, &a);
	lh = port_listen(&a, 1, &port);
	port_resolve("127.0.0.1", port, 1, 0, &a);
	h = port_udp_connect(&a);
	sec_io_init(&io, h, 0, 1);
	sec_io_hs_begin(&io, 1000);
	memset(buf, 1, sizeof(buf));
	CHECK_I(sec_io_send(&io, buf, 90), 90, "ClientHello-sized datagram sent");
	CHECK_I(port_recv(lh, d, sizeof(d), 0, &from), 90, "... reaches the server");
	fake_clock_advance(3000000u);
	len = hello_verify(d);
	CHECK(port_sendto(lh, d, len, &from) > 0, "HelloVerifyRequest sent back");
	CHECK_I(sec_io_recv(&io, buf, sizeof(buf), 0), (int)len, "... received");
	CHECK_U(io.cookie_ns, 3000000u, "cookie round trip: handshake start .. HelloVerifyRequest");
	CHECK_U(io.hs_rx, len, "its bytes counted");
	sec_io_hs_reset(&io);
	CHECK_U(io.hs_tx + io.hs_rx + io.cookie_ns, 0, "hs_reset forgets the last handshake");
	sec_io_close(&io);
	port_close(lh);
	CHECK_U(fake_open_handles(), 0, "every handle closed");
}

static void test_budget(void)
{
	CHECK_U(sec_hs_budget(100, 3200, 10000), 6300, "timer series 100..3200: 6.3 s");
	CHECK_U(sec_hs_budget(500, 8000, 10000), 10000, "500..8000 capped by --hs-deadline");
	CHECK_U(sec_hs_budget(1000, 1000, 10000), 1000, "MIN = MAX: one timeout");
	CHECK_U(sec_hs_budget(300, 1000, 60000), 300 + 600 + 1000, "doubling stops at MAX");
}

int main(void)
{
	test_stream();
	test_datagram();
	test_budget();
	return check_done();
}
