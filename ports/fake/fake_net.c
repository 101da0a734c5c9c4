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

#define BACKLOG      16
#define FOREVER_NS   (60ull * 1000000000u)
#define EPHEMERAL_LO 40000u

enum kind { K_FREE, K_LISTEN, K_STREAM, K_DGRAM };

struct chunk {
	struct chunk *next;
	struct port_addr from;
	uint64_t at;     /* port_mono_ns() when it arrived */
	size_t len, off; /* stream: off bytes already read */
	uint8_t data[];
};

struct sock {
	enum kind kind;
	struct port_addr local, remote; /* remote: stream peer; datagram, if connected */
	int connected;                  /* datagram: remote is set */
	int peer;                       /* stream: the other end's handle, -1 once closed */
	int rd_eof;                     /* stream: the other end will send no more */
	int wr_shut;                    /* stream: we shut down our sending side */
	struct chunk *head, *tail;
	size_t queued;
	uint64_t rx_total;
	int discard;
	int stamps;           /* port_rx_stamps() on */
	uint64_t last_at;     /* arrival of the last bytes read */
	int backlog[BACKLOG]; /* listener: accepted-to-be stream ends */
	unsigned nback;
};

static struct sock g_s[FAKE_SOCKS];
static fake_idle_fn g_idle;
static void *g_idle_arg;
static unsigned g_stalls;
static uint16_t g_next_port = EPHEMERAL_LO;

static struct sock *get(int h, enum kind k)
{
	if (h < 0 || h >= FAKE_SOCKS || g_s[h].kind == K_FREE)
		return NULL;
	return k == K_FREE || g_s[h].kind == k ? &g_s[h] : NULL;
}

static int new_sock(enum kind k)
{
	int h;

	for (h = 0; h < FAKE_SOCKS; h++)
		if (g_s[h].kind == K_FREE) {
			memset(&g_s[h], 0, sizeof(g_s[h]));
			g_s[h].kind = k;
			g_s[h].peer = -1;
			return h;
		}
	return ACK_ERR_SYS(EMFILE);
}

static void drop_queue(struct sock *s)
{
	while (s->head != NULL) {
		struct chunk *c = s->head;

		s->head = c->next;
		free(c);
	}
	s->tail = NULL;
	s->queued = 0;
}

void port_close(int h)
{
	struct sock *s = get(h, K_FREE), *p;
	unsigned i;

	if (s == NULL)
		return;
	if (s->kind == K_STREAM && (p = get(s->peer, K_STREAM)) != NULL) {
		p->rd_eof = 1;
		p->peer = -1;
	}
	for (i = 0; i < s->nback; i++)
		port_close(s->backlog[i]);
	drop_queue(s);
	s->kind = K_FREE;
}

void fake_reset(void)
{
	int h;

	for (h = 0; h < FAKE_SOCKS; h++)
		port_close(h);
	g_idle = NULL;
	g_idle_arg = NULL;
	g_stalls = 0;
	g_next_port = EPHEMERAL_LO;
	fake_sys_reset();
}

void fake_set_idle(fake_idle_fn fn, void *arg)
{
	g_idle = fn;
	g_idle_arg = arg;
}

void fake_discard(int h, int on)
{
	struct sock *s = get(h, K_FREE);

	if (s != NULL)
		s->discard = on;
}

size_t fake_pending(int h)
{
	struct sock *s = get(h, K_FREE);

	return s != NULL ? s->queued : 0;
}

uint64_t fake_rx_total(int h)
{
	struct sock *s = get(h, K_FREE);

	return s != NULL ? s->rx_total : 0;
}

unsigned fake_open_handles(void)
{
	unsigned n = 0;
	int h;

	for (h = 0; h < FAKE_SOCKS; h++)
		n += g_s[h].kind != K_FREE;
	return n;
}

unsigned fake_stalls(void)
{
	return g_stalls;
}

static int readable(int h)
{
	struct sock *s = get(h, K_FREE);

	if (s == NULL)
		return 1; /* the call that follows reports the bad handle */
	if (s->kind == K_LISTEN)
		return s->nback > 0;
	if (s->kind == K_STREAM)
		return s->head != NULL || s->rd_eof;
	return s->head != NULL;
}

/* Until one of h[0..n) is readable: the idle hook, else a jump by the timeout. A poll
 * (timeout 0) and a wait inside the hook itself only look. */
static int wait_for(const int *h, unsigned n, int timeout_ms)
{
	static int in_idle;
	unsigned i;
	int acted;

	for (;;) {
		for (i = 0; i < n; i++)
			if (readable(h[i]))
				return (int)i;
		if (timeout_ms == 0 || in_idle)
			return ACK_ERR_TIMEOUT;
		if (g_idle != NULL) {
			in_idle = 1;
			acted = g_idle(g_idle_arg);
			in_idle = 0;
			if (acted)
				continue;
		}
		if (timeout_ms < 0) {
			g_stalls++;
			fake_clock_advance(FOREVER_NS);
		} else {
			fake_clock_advance((uint64_t)timeout_ms * 1000000u);
		}
		return ACK_ERR_TIMEOUT;
	}
}

int port_wait_readable(int h, int timeout_ms)
{
	int r = wait_for(&h, 1, timeout_ms);

	return r < 0 ? r : 0;
}

int port_wait_any(const int *h, unsigned n, int timeout_ms)
{
	if (n == 0 || n > 4)
		return ACK_ERR_ARG; /* as ports/posix */
	return wait_for(h, n, timeout_ms);
}

static int enqueue(struct sock *s, const void *buf, size_t len, const struct port_addr *from)
{
	struct chunk *c;

	s->rx_total += len;
	if (s->discard)
		return 0;
	if (s->queued + len > FAKE_QUEUE_MAX)
		return ACK_ERR_SYS(ENOBUFS); /* nobody reads it: a real send would hang */
	c = malloc(sizeof(*c) + len);
	if (c == NULL)
		return ACK_ERR_NOMEM;
	c->next = NULL;
	c->from = *from;
	c->at = port_mono_ns();
	c->len = len;
	c->off = 0;
	if (len > 0)
		memcpy(c->data, buf, len);
	if (s->tail != NULL)
		s->tail->next = c;
	else
		s->head = c;
	s->tail = c;
	s->queued += len;
	return 0;
}

static void next_local(struct port_addr *a, const struct port_addr *like)
{
	uint8_t ip[16] = { 0 };

	ip[0] = 127, ip[3] = 1;
	if (like->raw[0] == 6)
		memset(ip, 0, 4), ip[15] = 1;
	fake_addr_make(a, like->raw[0], ip, g_next_port++);
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
		if (g_s[h].kind == k && !g_s[h].connected &&
		    (any_addr ? fake_addr_port(&g_s[h].local) == fake_addr_port(a)
		              : addr_matches(&g_s[h].local, a)))
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
	h = new_sock(k);
	if (h < 0)
		return h;
	g_s[h].local = *a;
	if (fake_addr_port(a) == 0)
		fake_addr_make(&g_s[h].local, a->raw[0], a->raw + 4, g_next_port++);
	*bound_port = fake_addr_port(&g_s[h].local);
	return h;
}

int port_tcp_connect(const struct port_addr *a, int timeout_ms)
{
	int lh = bound_to(K_LISTEN, a, 0), c, s;
	struct sock *l;

	(void)timeout_ms;
	if (lh < 0)
		return ACK_ERR_SYS(ECONNREFUSED);
	l = &g_s[lh];
	if (l->nback == BACKLOG)
		return ACK_ERR_SYS(ECONNREFUSED); /* SYN dropped; no retransmission here */
	c = new_sock(K_STREAM);
	if (c < 0)
		return c;
	s = new_sock(K_STREAM);
	if (s < 0) {
		port_close(c);
		return s;
	}
	next_local(&g_s[c].local, a);
	g_s[c].remote = *a;
	g_s[c].peer = s;
	g_s[s].local = *a;
	g_s[s].remote = g_s[c].local;
	g_s[s].peer = c;
	l->backlog[l->nback++] = s;
	return c;
}

int port_accept(int lh, int timeout_ms, struct port_addr *peer)
{
	struct sock *l = get(lh, K_LISTEN);
	int r, h;

	if (l == NULL)
		return ACK_ERR_SYS(EBADF);
	r = port_wait_readable(lh, timeout_ms);
	if (r != 0)
		return r;
	h = l->backlog[0];
	memmove(l->backlog, l->backlog + 1, (--l->nback) * sizeof(l->backlog[0]));
	if (peer != NULL)
		*peer = g_s[h].remote;
	return h;
}

int port_udp_connect(const struct port_addr *a)
{
	int h = new_sock(K_DGRAM);

	if (h < 0)
		return h;
	next_local(&g_s[h].local, a);
	g_s[h].remote = *a;
	g_s[h].connected = 1;
	return h;
}

/* Datagram from `from` to `to`: to the socket connected to `from` on that port, else to
 * the one bound there; nobody there = lost, as UDP does. */
static int deliver(const struct port_addr *from, const struct port_addr *to, const void *buf,
                   size_t len)
{
	int h;

	for (h = 0; h < FAKE_SOCKS; h++)
		if (g_s[h].kind == K_DGRAM && g_s[h].connected && addr_matches(&g_s[h].local, to) &&
		    port_addr_equal(&g_s[h].remote, from))
			return enqueue(&g_s[h], buf, len, from);
	for (h = 0; h < FAKE_SOCKS; h++)
		if (g_s[h].kind == K_DGRAM && !g_s[h].connected && addr_matches(&g_s[h].local, to))
			return enqueue(&g_s[h], buf, len, from);
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
	struct sock *s = get(h, K_FREE), *p;
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
	p = get(s->peer, K_STREAM);
	if (p == NULL || s->wr_shut)
		return ACK_ERR_SYS(EPIPE);
	r = enqueue(p, buf, len, &s->local);
	return r < 0 ? r : (int)len;
}

int port_sendto(int h, const void *buf, size_t len, const struct port_addr *to)
{
	struct sock *s = get(h, K_DGRAM);
	struct port_addr src;
	int r;

	if (s == NULL)
		return ACK_ERR_SYS(EBADF);
	src = source_of(s);
	r = deliver(&src, to, buf, len);
	return r < 0 ? r : (int)len;
}

/* Copies up to len bytes of s's queue into buf: across chunks on a stream, one whole
 * datagram (truncated) otherwise; consumes them unless peek. Returns the count copied
 * (peek on a datagram: its whole length). */
static size_t take(struct sock *s, uint8_t *buf, size_t len, struct port_addr *from, int peek)
{
	size_t got = 0;

	if (from != NULL)
		*from = s->head->from;
	if (s->kind == K_DGRAM) {
		struct chunk *c = s->head;
		size_t n = c->len < len ? c->len : len;

		memcpy(buf, c->data, n);
		if (peek)
			return c->len;
		s->last_at = c->at;
		s->head = c->next;
		if (s->head == NULL)
			s->tail = NULL;
		s->queued -= c->len;
		free(c);
		return n;
	}
	while (got < len && s->head != NULL) {
		struct chunk *c = s->head;
		size_t n = c->len - c->off < len - got ? c->len - c->off : len - got;

		memcpy(buf + got, c->data + c->off, n);
		s->last_at = c->at;
		got += n;
		c->off += n;
		s->queued -= n;
		if (c->off == c->len) {
			s->head = c->next;
			if (s->head == NULL)
				s->tail = NULL;
			free(c);
		}
	}
	return got;
}

int port_recv(int h, void *buf, size_t len, int timeout_ms, struct port_addr *from)
{
	struct sock *s = get(h, K_FREE);
	int r;

	if (s == NULL || s->kind == K_LISTEN)
		return ACK_ERR_SYS(EBADF);
	if (timeout_ms != 0 || !readable(h)) {
		r = port_wait_readable(h, timeout_ms);
		if (r != 0)
			return r;
	}
	if (s->kind == K_STREAM && s->head == NULL)
		return len > 0 ? ACK_ERR_EOF : 0;
	return (int)take(s, buf, len, from, 0);
}

int port_rx_stamps(int h, int on)
{
	struct sock *s = get(h, K_FREE);

	if (s == NULL)
		return ACK_ERR_SYS(EBADF);
	s->stamps = on;
	return 0;
}

uint64_t port_rx_stamp(int h)
{
	struct sock *s = get(h, K_FREE);

	return s != NULL && s->stamps ? s->last_at : 0;
}

int port_peek_from(int h, void *buf, size_t len, int timeout_ms, struct port_addr *from)
{
	struct sock *s = get(h, K_DGRAM);
	int r;

	if (s == NULL)
		return ACK_ERR_SYS(EBADF);
	r = port_wait_readable(h, timeout_ms);
	if (r != 0)
		return r;
	return (int)take(s, buf, len, from, 1);
}

int port_udp_adopt(int *lh, const struct port_addr *peer)
{
	struct sock *l = get(*lh, K_DGRAM);
	int nl, conn = *lh;

	if (l == NULL || l->connected)
		return ACK_ERR_SYS(EBADF);
	nl = new_sock(K_DGRAM);
	if (nl < 0)
		return nl;
	l = &g_s[conn];
	g_s[nl].local = l->local;
	l->remote = *peer;
	l->connected = 1;
	*lh = nl;
	return conn;
}

int port_shutdown_write(int h)
{
	struct sock *s = get(h, K_STREAM), *p;

	if (s == NULL)
		return ACK_ERR_SYS(ENOTCONN);
	s->wr_shut = 1;
	if ((p = get(s->peer, K_STREAM)) != NULL)
		p->rd_eof = 1;
	return 0;
}
