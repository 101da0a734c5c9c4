/*
 * fake_queue.c - the in-memory port's socket table, queues and waiting (see fake_port.h
 * and fake_net.c): a wait that would block calls the idle hook, then jumps the clock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fake_int.h"
#include "fake_port.h"
#include "port.h"

#define FOREVER_NS   (60ull * 1000000000u)
#define EPHEMERAL_LO 40000u

struct sock fake_sock[FAKE_SOCKS];
uint16_t fake_next_port = EPHEMERAL_LO;
static fake_idle_fn g_idle;
static void *g_idle_arg;
static unsigned g_stalls;

struct sock *fake_get(int h, enum kind k)
{
	if (h < 0 || h >= FAKE_SOCKS || fake_sock[h].kind == K_FREE)
		return NULL;
	return k == K_FREE || fake_sock[h].kind == k ? &fake_sock[h] : NULL;
}

int fake_new_sock(enum kind k)
{
	int h;

	for (h = 0; h < FAKE_SOCKS; h++)
		if (fake_sock[h].kind == K_FREE) {
			memset(&fake_sock[h], 0, sizeof(fake_sock[h]));
			fake_sock[h].kind = k;
			fake_sock[h].peer = -1;
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
	struct sock *s = fake_get(h, K_FREE), *p;
	unsigned i;

	if (s == NULL)
		return;
	if (s->kind == K_STREAM && (p = fake_get(s->peer, K_STREAM)) != NULL) {
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
	fake_next_port = EPHEMERAL_LO;
	fake_sys_reset();
}

void fake_set_idle(fake_idle_fn fn, void *arg)
{
	g_idle = fn;
	g_idle_arg = arg;
}

void fake_discard(int h, int on)
{
	struct sock *s = fake_get(h, K_FREE);

	if (s != NULL)
		s->discard = on;
}

size_t fake_pending(int h)
{
	struct sock *s = fake_get(h, K_FREE);

	return s != NULL ? s->queued : 0;
}

uint64_t fake_rx_total(int h)
{
	struct sock *s = fake_get(h, K_FREE);

	return s != NULL ? s->rx_total : 0;
}

unsigned fake_open_handles(void)
{
	unsigned n = 0;
	int h;

	for (h = 0; h < FAKE_SOCKS; h++)
		n += fake_sock[h].kind != K_FREE;
	return n;
}

unsigned fake_stalls(void)
{
	return g_stalls;
}

int fake_readable(int h)
{
	struct sock *s = fake_get(h, K_FREE);

	if (s == NULL)
		return 1; /* the call that follows reports the bad handle */
	if (s->kind == K_LISTEN)
		return s->nback > 0;
	if (s->kind == K_STREAM)
		return (s->head != NULL && s->queued >= s->lowat) || s->rd_eof;
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
			if (fake_readable(h[i]))
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
	if (n == 0 || n > PORT_WAIT_MAX)
		return ACK_ERR_ARG; /* as ports/posix */
	return wait_for(h, n, timeout_ms);
}

int fake_enqueue(struct sock *s, const void *buf, size_t len, const struct port_addr *from)
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

/* Copies up to len bytes of s's queue into buf: across chunks on a stream, one whole
 * datagram (truncated) otherwise; consumes them unless peek. Returns the count copied
 * (peek on a datagram: its whole length). */
size_t fake_take(struct sock *s, uint8_t *buf, size_t len, struct port_addr *from, int peek)
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
	if (peek) { /* a stream's waiting bytes, across chunks, left in place */
		const struct chunk *c;

		for (c = s->head; c != NULL && got < len; c = c->next) {
			size_t n = c->len - c->off < len - got ? c->len - c->off : len - got;

			memcpy(buf + got, c->data + c->off, n);
			got += n;
		}
		return got;
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
