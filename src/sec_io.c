/* sec_io.c - see sec_io.h. */
#include "sec_io.h"

#include <stdio.h>
#include <string.h>

#include "port.h"
#include "timeline.h"

static _Thread_local struct sec_yield *t_yield;

struct sec_yield *sec_io_yielding(void)
{
	return t_yield;
}

void sec_io_yield(struct sec_yield *y)
{
	t_yield = y;
}

uint64_t sec_deadline(int ms)
{
	return ms < 0 ? SEC_IO_FOREVER : port_mono_ns() + (uint64_t)ms * 1000000u;
}

int sec_ms_left(uint64_t deadline_ns)
{
	uint64_t now = port_mono_ns();

	if (deadline_ns == SEC_IO_FOREVER)
		return -1;
	return now >= deadline_ns ? 0 : (int)((deadline_ns - now + 999999u) / 1000000u);
}

uint32_t sec_hs_budget(uint32_t min, uint32_t max, uint32_t deadline_ms)
{
	uint64_t sum = 0, t = min;

	for (;;) {
		sum += t;
		if (t >= max)
			break;
		t = 2 * t > max ? max : 2 * t;
	}
	return sum < deadline_ms ? (uint32_t)sum : deadline_ms;
}

int sec_io_fin(struct sec_io *io)
{
	uint8_t sink[256];
	int r = port_shutdown_write(io->h);

	while (r >= 0)
		r = port_recv(io->h, sink, sizeof(sink), sec_ms_left(io->deadline_ns), NULL);
	return r == ACK_ERR_EOF ? 0 : r;
}

void sec_io_init(struct sec_io *io, int h, int server, int datagram)
{
	memset(io, 0, sizeof(*io));
	io->h = h;
	io->server = server;
	io->datagram = datagram;
	io->deadline_ns = SEC_IO_FOREVER;
	io->gw.lh = -1;
	io->active_ns = port_mono_ns();
	tls_sniff_init(&io->sniff);
	tls_pskid_init(&io->pskid);
}

void sec_io_give_way(struct sec_io *io, const struct sec_give_way *gw)
{
	io->gw = *gw;
	io->active_ns = port_mono_ns();
}

/* Does io wait by this thread's struct sec_yield? A server's DTLS connection always, a TLS
 * one until its peer answered (then it keeps its place: its client is still connected). */
static int yields(const struct sec_io *io)
{
	return t_yield != NULL && io->server && (io->datagram || !io->answered);
}

/* sec_io_wait with this thread's struct sec_yield: the peer's socket alone, and a look at
 * the others' need once the peer has been silent long enough (no wake-up before). */
static int yield_wait(struct sec_io *io, struct sec_yield *y, uint64_t deadline_ns)
{
	for (;;) {
		uint64_t need =
		        (uint64_t)(io->answered ? io->gw.idle_ms : SEC_PENDING_MS) * 1000000u;
		uint64_t now = port_mono_ns(), silent = now - io->active_ns;
		int ms = sec_ms_left(deadline_ns), look = SEC_YIELD_SLICE, n = 0;

		if (ms == 0)
			return ACK_ERR_TIMEOUT;
		if (port_stop_requested())
			return ACK_ERR_STOPPED; /* the signal may have woken another thread */
		if (sec_cid_pending(io->cidbox))
			return 0; /* its client's record, from another address */
		if (silent < need)
			look = (int)((need - silent + 999999u) / 1000000u);
		else if (!io->answered && y->claim(y->arg))
			n = ACK_ERR_PUSHED_OUT;
		else if (io->answered && y->waiting(y->arg))
			n = ACK_ERR_GAVE_WAY;
		if (look > SEC_YIELD_STOP)
			look = SEC_YIELD_STOP;
		if (io->cidbox != NULL && look > SEC_CID_POLL_MS)
			look = SEC_CID_POLL_MS;
		if (n != 0) {
			if (io->gw.count != NULL)
				(*io->gw.count)++;
			return n;
		}
		n = port_wait_any(&io->h, 1, ms < 0 || look < ms ? look : ms);
		if (n != ACK_ERR_TIMEOUT)
			return n;
	}
}

int sec_io_wait(struct sec_io *io, uint64_t deadline_ns)
{
	const struct sec_give_way *gw = &io->gw;
	int hs[2] = { io->h, gw->lh }, waiting = 0;

	if (yields(io))
		return yield_wait(io, t_yield, deadline_ns);

	for (;;) {
		int ms = sec_ms_left(deadline_ns), n;

		if (ms == 0)
			return ACK_ERR_TIMEOUT;
		if (sec_cid_pending(io->cidbox))
			return 0; /* its client's record, from another address */
		if (io->cidbox != NULL && (ms < 0 || ms > SEC_CID_POLL_MS))
			ms = SEC_CID_POLL_MS; /* routed there by another thread: no wake-up */
		if (waiting) {
			/* a new client waits: give way once this one is silent for a timer */
			int left = sec_ms_left(io->active_ns + (uint64_t)gw->idle_ms * 1000000u);

			if (left == 0) {
				if (gw->count != NULL)
					(*gw->count)++;
				return ACK_ERR_GAVE_WAY;
			}
			n = port_wait_any(hs, 1, ms < 0 || left < ms ? left : ms);
		} else {
			n = port_wait_any(hs, gw->lh >= 0 ? 2 : 1, ms);
		}
		if (n == ACK_ERR_TIMEOUT)
			continue;
		if (n != 1)
			return n; /* 0: the peer's bytes, or an error */
		waiting = gw->newcomer(gw->arg);
	}
}

void sec_io_close(struct sec_io *io)
{
	sec_cid_unregister(io->cidbox);
	io->cidbox = NULL;
	port_close(io->h);
	io->h = -1;
}

void sec_io_hs_begin(struct sec_io *io, uint32_t deadline_ms)
{
	io->deadline_ns = sec_deadline((int)deadline_ms);
	if (io->in_hs)
		return;
	io->in_hs = 1;
	io->hs_start_ns = port_mono_ns();
}

void sec_io_hs_reset(struct sec_io *io)
{
	io->in_hs = 0;
	io->hs_tx = io->hs_rx = 0;
	io->cookie_ns = 0;
	tls_sniff_init(&io->sniff);
	tls_pskid_init(&io->pskid);
	memset(&io->dsniff, 0, sizeof(io->dsniff));
}

void sec_io_hs_end(struct sec_io *io)
{
	io->in_hs = 0;
}

void sec_io_timeline(struct sec_io *io, struct timeline *tl)
{
	io->tl = tl;
	port_rx_stamps(io->h, tl != NULL); /* arrival times: best effort */
}

void sec_io_deadline(struct sec_io *io, int timeout_ms)
{
	io->deadline_ns = sec_deadline(timeout_ms);
}

/* The handshake flight from server to client: the stream sniffer on TLS, the datagram
 * one on DTLS (which also times the cookie round trip). */
static void sniff(struct sec_io *io, const uint8_t *buf, size_t n)
{
	if (!io->datagram)
		tls_sniff_feed(&io->sniff, buf, n);
	else if (dtls_sniff_feed(&io->dsniff, buf, n) && !io->server && io->cookie_ns == 0)
		io->cookie_ns = port_mono_ns() - io->hs_start_ns;
}

/* A DTLS ClientHello on a connection is no sign of life for giving way: a client that
 * lost our flight sends it after its own timer, and a peer that sends nothing else (to
 * keep a handshake it will never finish) must not hold the server. */
static int hello_again(const struct sec_io *io, const uint8_t *buf, size_t n)
{
	const uint8_t *cookie;
	size_t clen;

	return io->datagram && dtls_wire_client_hello(buf, n, &cookie, &clen);
}

/* A server's view of its peer: when it last said something that was more than a
 * ClientHello, and whether it ever answered our first flight (struct sec_yield). */
static void liveness(struct sec_io *io, int tx, const uint8_t *buf, size_t n, uint64_t now)
{
	if (tx && !io->answered && !io->flight) {
		io->flight = 1; /* its silence counts from here, not from our computing it */
		io->active_ns = now != 0 ? now : port_mono_ns();
		if (t_yield != NULL)
			t_yield->flight_ns = io->active_ns;
	}
	/* DTLS: a ClientHello again is no answer; TLS: what came before our flight is the
	 * ClientHello itself */
	if (tx || (io->datagram ? hello_again(io, buf, n) : !io->flight))
		return;
	io->active_ns = now != 0 ? now : port_mono_ns();
	io->answered = 1;
	if (t_yield != NULL) {
		t_yield->answered = 1;
		t_yield->flight_ns = 0;
	}
}

/* now: a send is stamped before the call (when the bytes leave: a sender preempted after
 * it would stamp them late), a receive after it. */
static void moved(struct sec_io *io, int tx, const uint8_t *buf, size_t n, uint64_t now)
{
	if (io->server)
		liveness(io, tx, buf, n, now);
	if (io->in_hs) {
		if (tx)
			io->hs_tx += (uint32_t)n;
		else
			io->hs_rx += (uint32_t)n;
		if (tx == io->server)
			sniff(io, buf, n);
		else if (!io->datagram)
			tls_pskid_feed(&io->pskid, buf, n);
	}
	if (io->stack_tap != NULL)
		io->stack_tap(io->stack_arg, tx, buf, n, now);
	if (io->tl != NULL) {
		if (!tx)
			timeline_rx_arrival(io->tl, port_rx_stamp(io->h));
		timeline_io(io->tl, tx, buf, n, now, io->in_hs,
		            io->hs_state != NULL ? io->hs_state(io->state_arg) : -1);
	}
}

static uint64_t stamp(const struct sec_io *io)
{
	return io->tl != NULL || io->stack_tap != NULL ? port_mono_ns() : 0;
}

void sec_io_seen(struct sec_io *io, int tx, const uint8_t *buf, size_t n)
{
	moved(io, tx, buf, n, port_mono_ns());
}

int sec_io_send(struct sec_io *io, const uint8_t *buf, size_t len)
{
	uint64_t now = stamp(io);
	int n = port_send(io->h, buf, len);

	if (n < 0) {
		io->err = n;
		return n;
	}
	moved(io, 1, buf, (size_t)n, now);
	return n;
}

int sec_io_recv(struct sec_io *io, uint8_t *buf, size_t len, uint32_t limit_ms)
{
	int ms = sec_ms_left(io->deadline_ns), n;
	int by_limit = limit_ms != 0 && (ms < 0 || (uint32_t)ms > limit_ms);
	int wait_ms = by_limit ? (int)limit_ms : ms;

	if (io->deadline_ns != SEC_IO_FOREVER && ms == 0 && io->in_hs) {
		io->err = ACK_ERR_TIMEOUT; /* the overall handshake deadline passed */
		return ACK_ERR_TIMEOUT;
	}
	n = sec_cid_take(io->cidbox, buf, len);
	if (n == 0 && (io->gw.lh >= 0 || yields(io) || io->cidbox != NULL) && wait_ms != 0) {
		/* a silent peer gives way while it is waited for, in the handshake too */
		n = sec_io_wait(io, sec_deadline(wait_ms));
		if (n != 0 && n != ACK_ERR_TIMEOUT) {
			io->err = n;
			return n;
		}
		wait_ms = 0; /* the wait is over: only what is there now */
		n = sec_cid_take(io->cidbox, buf, len);
	}
	if (n > 0) { /* its client's record from another address (sec_cids_route) */
		moved(io, 0, buf, (size_t)n, port_mono_ns());
		return n;
	}
	n = port_recv(io->h, buf, len, wait_ms, NULL);
	if (n > 0 && io->cidbox != NULL)
		io->cidbox->moved = 0;
	if (n == ACK_ERR_TIMEOUT && by_limit) {
		io->timer_expiries++;
		return SEC_IO_TIMER;
	}
	if (n == ACK_ERR_EOF)
		return SEC_IO_EOF;
	if (n < 0) {
		io->err = n;
		return n;
	}
	moved(io, 0, buf, (size_t)n, stamp(io));
	return n;
}

int sec_io_take_err(struct sec_io *io, int r)
{
	int e = io->err;

	io->err = 0;
	return e != 0 ? e : r;
}

uint16_t sec_io_group(const struct sec_io *io)
{
	return io->datagram ? io->dsniff.group : io->sniff.group;
}

int sec_io_resumed(const struct sec_io *io)
{
	return io->datagram ? io->dsniff.resumed : io->sniff.resumed;
}

int sec_io_hrr(const struct sec_io *io)
{
	return io->datagram ? io->dsniff.hrr : io->sniff.hrr;
}
