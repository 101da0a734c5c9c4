/*
 * fake_net.c - in-memory sockets for ports/port.h (see fake_port.h).
 *
 * A stream connection is two handles, each with the queue of bytes the other sent; reads
 * take what is queued, across sends, as TCP does. A datagram socket has a queue of whole
 * datagrams, each with its sender; a datagram goes to the socket connected to its sender,
 * else to the one bound to its destination (as Linux picks). Blocking is the idle hook,
 * then a clock jump by the timeout (fake_port.h). Arrival stamps are the clock when the
 * bytes were sent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fake_int.h"
#include "fake_port.h"
#include "port.h"

static void next_local(struct port_addr *a, const struct port_addr *like)
{
	uint8_t ip[16] = { 0 };

	ip[0] = 127, ip[3] = 1;
	if (like->raw[0] == 6)
		memset(ip, 0, 4), ip[15] = 1;
	fake_addr_make(a, like->raw[0], ip, fake_next_port++);
}

/* Same port, and the same address unless bound is a wildcard. */
static int addr_matches(const struct port_addr *bound, const struct port_addr *to)
{
	return fake_addr_port(bound) == fake_addr_port(to) &&
	       (fake_addr_is_any(bound) || memcmp(bound->raw + 4, to->raw + 4, 16) == 0);
}

/* The unconnected socket of kind k bound where a points (any_addr: on a's port). */
static int bound_to(enum kind k, const struct port_addr *a, int any_addr)
{
	int h;

	for (h = 0; h < FAKE_SOCKS; h++)
		if (fake_sock[h].kind == k && !fake_sock[h].connected &&
		    (any_addr ? fake_addr_port(&fake_sock[h].local) == fake_addr_port(a)
		              : addr_matches(&fake_sock[h].local, a)))
			return h;
	return -1;
}

int port_listen(const struct port_addr *a, int datagram, uint16_t *bound_port)
{
	enum kind k = datagram ? K_DGRAM : K_LISTEN;
	int h;

	if (a->len != FAKE_ADDR_LEN)
		return ACK_ERR_ARG;
	if (fake_addr_port(a) != 0 && bound_to(k, a, 1) >= 0)
		return ACK_ERR_SYS(EADDRINUSE);
	h = fake_new_sock(k);
	if (h < 0)
		return h;
	fake_sock[h].local = *a;
	if (fake_addr_port(a) == 0)
		fake_addr_make(&fake_sock[h].local, a->raw[0], a->raw + 4, fake_next_port++);
	*bound_port = fake_addr_port(&fake_sock[h].local);
	return h;
}

int port_tcp_connect(const struct port_addr *a, int timeout_ms)
{
	int lh = bound_to(K_LISTEN, a, 0), c, s;
	struct sock *l;

	(void)timeout_ms;
	if (lh < 0)
		return ACK_ERR_SYS(ECONNREFUSED);
	l = &fake_sock[lh];
	if (l->nback == BACKLOG)
		return ACK_ERR_SYS(ECONNREFUSED); /* SYN dropped; no retransmission here */
	c = fake_new_sock(K_STREAM);
	if (c < 0)
		return c;
	s = fake_new_sock(K_STREAM);
	if (s < 0) {
		port_close(c);
		return s;
	}
	next_local(&fake_sock[c].local, a);
	fake_sock[c].remote = *a;
	fake_sock[c].peer = s;
	fake_sock[s].local = *a;
	fake_sock[s].remote = fake_sock[c].local;
	fake_sock[s].peer = c;
	l->backlog[l->nback++] = s;
	return c;
}

int port_accept(int lh, int timeout_ms, struct port_addr *peer)
{
	struct sock *l = fake_get(lh, K_LISTEN);
	int r, h;

	if (l == NULL)
		return ACK_ERR_SYS(EBADF);
	r = port_wait_readable(lh, timeout_ms);
	if (r != 0)
		return r;
	h = l->backlog[0];
	memmove(l->backlog, l->backlog + 1, (--l->nback) * sizeof(l->backlog[0]));
	if (peer != NULL)
		*peer = fake_sock[h].remote;
	return h;
}

int port_udp_connect(const struct port_addr *a)
{
	int h = fake_new_sock(K_DGRAM);

	if (h < 0)
		return h;
	next_local(&fake_sock[h].local, a);
	fake_sock[h].remote = *a;
	fake_sock[h].connected = 1;
	return h;
}

/* Datagram from `from` to `to`: to the socket connected to `from` on that port, else to
 * the one bound there; nobody there = lost, as UDP does. */
static int deliver(const struct port_addr *from, const struct port_addr *to, const void *buf,
                   size_t len)
{
	int h;

	for (h = 0; h < FAKE_SOCKS; h++)
		if (fake_sock[h].kind == K_DGRAM && fake_sock[h].connected &&
		    addr_matches(&fake_sock[h].local, to) &&
		    port_addr_equal(&fake_sock[h].remote, from))
			return fake_enqueue(&fake_sock[h], buf, len, from);
	for (h = 0; h < FAKE_SOCKS; h++)
		if (fake_sock[h].kind == K_DGRAM && !fake_sock[h].connected &&
		    addr_matches(&fake_sock[h].local, to))
			return fake_enqueue(&fake_sock[h], buf, len, from);
	return 0;
}

/* A socket bound to the wildcard sends from loopback, as the kernel picks a source. */
static struct port_addr source_of(const struct sock *s)
{
	struct port_addr a = s->local;

	if (fake_addr_is_any(&a)) {
		if (a.raw[0] == 6)
			a.raw[4 + 15] = 1;
		else
			a.raw[4] = 127, a.raw[4 + 3] = 1;
	}
	return a;
}

int port_send(int h, const void *buf, size_t len)
{
	struct sock *s = fake_get(h, K_FREE), *p;
	int r;

	if (s == NULL || s->kind == K_LISTEN)
		return ACK_ERR_SYS(EBADF);
	if (s->kind == K_DGRAM) {
		if (!s->connected)
			return ACK_ERR_SYS(EDESTADDRREQ);
		struct port_addr src = source_of(s);

		r = deliver(&src, &s->remote, buf, len);
		return r < 0 ? r : (int)len;
	}
	p = fake_get(s->peer, K_STREAM);
	if (p == NULL || s->wr_shut)
		return ACK_ERR_SYS(EPIPE);
	r = fake_enqueue(p, buf, len, &s->local);
	return r < 0 ? r : (int)len;
}

int port_sendto(int h, const void *buf, size_t len, const struct port_addr *to)
{
	struct sock *s = fake_get(h, K_DGRAM);
	struct port_addr src;
	int r;

	if (s == NULL)
		return ACK_ERR_SYS(EBADF);
	src = source_of(s);
	r = deliver(&src, to, buf, len);
	return r < 0 ? r : (int)len;
}

int port_recv(int h, void *buf, size_t len, int timeout_ms, struct port_addr *from)
{
	struct sock *s = fake_get(h, K_FREE);
	int r;

	if (s == NULL || s->kind == K_LISTEN)
		return ACK_ERR_SYS(EBADF);
	if (timeout_ms != 0 || !fake_readable(h)) {
		r = port_wait_readable(h, timeout_ms);
		if (r != 0)
			return r;
	}
	if (s->kind == K_STREAM && s->head == NULL)
		return len > 0 ? ACK_ERR_EOF : 0;
	return (int)fake_take(s, buf, len, from, 0);
}

int port_rx_stamps(int h, int on)
{
	struct sock *s = fake_get(h, K_FREE);

	if (s == NULL)
		return ACK_ERR_SYS(EBADF);
	s->stamps = on;
	return 0;
}

uint64_t port_rx_stamp(int h)
{
	struct sock *s = fake_get(h, K_FREE);

	return s != NULL && s->stamps ? s->last_at : 0;
}

int port_peek_from(int h, void *buf, size_t len, int timeout_ms, struct port_addr *from)
{
	struct sock *s = fake_get(h, K_FREE);
	int r;

	if (s == NULL || (s->kind != K_DGRAM && s->kind != K_STREAM))
		return ACK_ERR_SYS(EBADF);
	r = port_wait_readable(h, timeout_ms);
	if (r != 0)
		return r;
	if (s->kind == K_STREAM && s->head == NULL)
		return ACK_ERR_EOF;
	return (int)fake_take(s, buf, len, s->kind == K_STREAM ? NULL : from, 1);
}

/* The in-memory network loses nothing, so nothing is ever retransmitted. */
int port_tcp_retrans(int h, uint32_t *n)
{
	*n = 0;
	return fake_get(h, K_STREAM) != NULL ? 0 : ACK_ERR_ARG;
}

int port_rx_lowat(int h, uint32_t n)
{
	struct sock *s = fake_get(h, K_STREAM);

	if (s == NULL)
		return ACK_ERR_SYS(EBADF);
	if (n < 1 || n > 65536)
		return ACK_ERR_ARG;
	s->lowat = n;
	return 0;
}

/* What other senders had queued on the socket being connected goes to the new listener, in
 * order (port.h); peer's stays. */
static void move_others(struct sock *l, struct sock *nl, const struct port_addr *peer)
{
	struct chunk **pp = &l->head, *c;

	l->tail = NULL;
	while ((c = *pp) != NULL) {
		if (port_addr_equal(&c->from, peer)) {
			l->tail = c;
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		l->queued -= c->len;
		c->next = NULL;
		if (nl->tail != NULL)
			nl->tail->next = c;
		else
			nl->head = c;
		nl->tail = c;
		nl->queued += c->len;
	}
}

int port_udp_adopt(int *lh, const struct port_addr *peer)
{
	struct sock *l = fake_get(*lh, K_DGRAM);
	int nl, conn = *lh;

	if (l == NULL || l->connected)
		return ACK_ERR_SYS(EBADF);
	nl = fake_new_sock(K_DGRAM);
	if (nl < 0)
		return nl;
	l = &fake_sock[conn];
	fake_sock[nl].local = l->local;
	l->remote = *peer;
	l->connected = 1;
	move_others(l, &fake_sock[nl], peer);
	*lh = nl;
	return conn;
}

int port_udp_repeer(int h, const struct port_addr *peer)
{
	struct sock *s = fake_get(h, K_DGRAM);

	if (s == NULL || !s->connected)
		return ACK_ERR_SYS(EBADF);
	s->remote = *peer;
	return 0;
}

int port_shutdown_write(int h)
{
	struct sock *s = fake_get(h, K_STREAM), *p;

	if (s == NULL)
		return ACK_ERR_SYS(ENOTCONN);
	s->wr_shut = 1;
	if ((p = fake_get(s->peer, K_STREAM)) != NULL)
		p->rd_eof = 1;
	return 0;
}
