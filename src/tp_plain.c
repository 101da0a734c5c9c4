/* tp_plain.c - plain TCP and UDP transports (no security layer). */
#include <stdlib.h>

#include "opts.h"
#include "port.h"
#include "transport.h"

/* The largest UDP payload over IPv4 (65535 - 20 - 8); IPv6 allows 20 more, kept equal so a
 * sweep means the same on both. */
#define UDP_MAX_PAYLOAD 65507u

/* udp_server --amplify K: replies up to K times their request (see transport.h). */
static uint32_t udp_amplify = 1;

static const struct opt udp_opts[] = {
	{ "amplify", 0, OPT_UINT, &udp_amplify, 1, 65507, "K",
	  "server: replies up to K times their request's size (1: never larger, as a UDP "
	  "source is not proven; see docs/robustness.md)" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};

struct plain_state {
	int lh; /* listening handle (server) */
	int connect_timeout_ms;
};

struct plain_conn {
	int h;
	int owned;             /* 0: h is the UDP server's shared socket */
	struct port_addr peer; /* UDP server: where replies go */
};

static int plain_setup(const struct tp_conf *conf, void **state)
{
	struct plain_state *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return ACK_ERR_NOMEM;
	s->lh = -1;
	s->connect_timeout_ms = conf->timeout_ms ? (int)conf->timeout_ms : 10000;
	*state = s;
	return 0;
}

static void plain_teardown(void *state)
{
	struct plain_state *s = state;

	if (s != NULL)
		port_close(s->lh);
	free(s);
}

static int new_conn(int h, int owned, void **conn)
{
	struct plain_conn *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		if (owned)
			port_close(h);
		return ACK_ERR_NOMEM;
	}
	c->h = h;
	c->owned = owned;
	*conn = c;
	return 0;
}

static int tcp_dial(void *state, const struct port_addr *peer, void **conn)
{
	struct plain_state *s = state;
	int h = port_tcp_connect(peer, s->connect_timeout_ms);

	if (h < 0)
		return h;
	return new_conn(h, 1, conn);
}

static int udp_dial(void *state, const struct port_addr *peer, void **conn)
{
	int h = port_udp_connect(peer);

	(void)state;
	if (h < 0)
		return h;
	return new_conn(h, 1, conn);
}

static int tcp_listen(void *state, const struct port_addr *bind, uint16_t *port)
{
	struct plain_state *s = state;

	s->lh = port_listen(bind, 0, port);
	return s->lh < 0 ? s->lh : 0;
}

static int udp_listen(void *state, const struct port_addr *bind, uint16_t *port)
{
	struct plain_state *s = state;

	s->lh = port_listen(bind, 1, port);
	return s->lh < 0 ? s->lh : 0;
}

static int tcp_accept(void *state, int timeout_ms, void **conn)
{
	struct plain_state *s = state;
	struct plain_conn *c;
	struct port_addr peer;
	int h = port_accept(s->lh, timeout_ms, &peer);
	int r;

	if (h < 0)
		return h;
	r = new_conn(h, 1, conn);
	if (r == 0) {
		c = *conn;
		c->peer = peer;
	}
	return r;
}

/* UDP has no connections: a "connection" is the shared socket while datagrams keep coming;
 * replies go to the sender of the last request. */
static int udp_accept(void *state, int timeout_ms, void **conn)
{
	struct plain_state *s = state;
	int r = port_wait_readable(s->lh, timeout_ms);

	return r != 0 ? r : new_conn(s->lh, 0, conn);
}

static int plain_handshake(void *conn)
{
	(void)conn;
	return 0;
}

static int plain_send(void *conn, const uint8_t *buf, size_t len)
{
	struct plain_conn *c = conn;
	size_t off = 0;

	if (!c->owned) {
		int n = port_sendto(c->h, buf, len, &c->peer);

		return n < 0 ? n : 0;
	}
	while (off < len) {
		int n = port_send(c->h, buf + off, len - off);

		if (n < 0)
			return n;
		off += (size_t)n;
	}
	return 0;
}

static int plain_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct plain_conn *c = conn;

	return port_recv(c->h, buf, cap, timeout_ms, c->owned ? NULL : &c->peer);
}

static void plain_abort(void *conn)
{
	struct plain_conn *c = conn;

	if (c->owned)
		port_close(c->h);
	free(c);
}

/* Sends our FIN, then drains until the peer's FIN, so that this connection's teardown
 * is over before the next one starts. */
static int tcp_close(void *conn, int timeout_ms)
{
	struct plain_conn *c = conn;
	uint64_t deadline = port_mono_ns() + (uint64_t)timeout_ms * 1000000u;
	uint8_t sink[512];
	int r = port_shutdown_write(c->h);

	while (r >= 0) {
		uint64_t now = port_mono_ns();

		if (now >= deadline) {
			r = ACK_ERR_TIMEOUT;
			break;
		}
		r = port_recv(c->h, sink, sizeof(sink), (int)((deadline - now) / 1000000u + 1),
		              NULL);
	}
	plain_abort(c);
	return r == ACK_ERR_EOF ? 0 : r;
}

static int udp_close(void *conn, int timeout_ms)
{
	(void)timeout_ms;
	plain_abort(conn);
	return 0;
}

static uint32_t tcp_max(void *state, const struct port_addr *peer)
{
	(void)state;
	(void)peer;
	return 0;
}

static uint32_t udp_max(void *state, const struct port_addr *peer)
{
	(void)state;
	(void)peer;
	return UDP_MAX_PAYLOAD;
}

static uint32_t udp_amplify_of(void *state)
{
	(void)state;
	return udp_amplify;
}

static void plain_peer(void *conn, char *buf, size_t len)
{
	struct plain_conn *c = conn;

	port_addr_str(&c->peer, buf, len);
}

static int tcp_retrans(void *conn, uint32_t *n)
{
	return port_tcp_retrans(((struct plain_conn *)conn)->h, n);
}

const struct transport tp_tcp = {
	.name = "tcp",
	.datagram = 0,
	.default_port = 5001,
	.default_sizes = "32,64,256,1K,4K,16K,64K,256K,1M",
	.setup = plain_setup,
	.teardown = plain_teardown,
	.max_msg = tcp_max,
	.dial = tcp_dial,
	.listen = tcp_listen,
	.accept = tcp_accept,
	.handshake = plain_handshake,
	.send = plain_send,
	.recv = plain_recv,
	.close = tcp_close,
	.abort = plain_abort,
	.peer = plain_peer,
	.cols = TP_COL_TCP_RETRANS,
	.tcp_retrans = tcp_retrans,
};

const struct transport tp_udp = {
	.name = "udp",
	.datagram = 1,
	.default_port = 5002,
	.default_sizes = "32,64,256,1K,1472,4K,16K,65507",
	.opts = udp_opts,
	.setup = plain_setup,
	.teardown = plain_teardown,
	.max_msg = udp_max,
	.dial = udp_dial,
	.listen = udp_listen,
	.accept = udp_accept,
	.handshake = plain_handshake,
	.send = plain_send,
	.recv = plain_recv,
	.close = udp_close,
	.abort = plain_abort,
	.peer = plain_peer,
	.amplify = udp_amplify_of,
};
