/*
 * srvconn.c - one connection served to its end. Each request is read whole (length
 * checked against --max-size before its body is read), its header and padding checked,
 * and answered with an ack (or a nak naming what was wrong) carrying its run id and
 * sequence number. A peer that sends garbage, stops mid-message or goes silent is logged
 * in one line and dropped; the worker goes on with the next connection.
 */
#include "srvconn.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "io.h"
#include "loglimit.h"
#include "mem.h"
#include "msg.h"

#define END_LINGER_MS 1000u

static int parse_msg_hdr(const uint8_t *hdr, uint32_t *len)
{
	struct msg_hdr h;

	if (msg_parse(hdr, MSG_HDR_LEN, &h) != REPLY_OK)
		return ACK_ERR_PROTO;
	*len = h.len;
	return 0;
}

int srvconn_stopping(void)
{
	return port_stop_requested() != 0;
}

/* What a connection ends with when a stop comes: a UDP client that sent its END is done. */
static int stop_status(const struct worker *w)
{
	return w->end_seen ? 0 : ACK_ERR_STOPPED;
}

/* The sender of the last datagram (a UDP "connection" has several); only for error lines. */
static void dgram_peer(const struct srv *s, void *conn, char *peer, size_t len)
{
	if (s->tp->datagram && s->tp->peer != NULL)
		s->tp->peer(conn, peer, len);
}

/* Answers one complete request of n bytes. Returns 0, or an error that ends the conn. */
/* Counted before the reply goes out: a client's END (on another connection, with
 * --parallel) may follow the ack at once, and its line must include this message. */
static void count_msg(struct worker *w, const struct msg_hdr *h, int st)
{
	struct srv *s = w->s;

	port_mutex_lock(s->lock);
	if (h->type == MSG_END) {
		srvrun_end(&s->runs, h->run_id, h->seq);
		w->end_seen = 1;
		if (!s->o->forever)
			s->stop = 1;
	} else {
		srvrun_msg(&s->runs, h->run_id, st == REPLY_OK);
		s->messages++;
		w->msgs++;
		if (st == REPLY_OK)
			s->valid++;
		else
			s->invalid++;
	}
	port_mutex_unlock(s->lock);
}

static void why_refused(const struct srv *s, int st, const struct msg_hdr *h, char *buf, size_t len)
{
	if (st == REPLY_AMPLIFY)
		snprintf(buf, len,
		         "reply of %" PRIu32 " bytes above %" PRIu32
		         " x the request to an unproven address (--amplify)",
		         h->reply_len, s->amplify);
	else if (st == REPLY_TOO_BIG && s->reply_max < s->o->max_size)
		snprintf(buf, len, "reply size above the largest %s message (%" PRIu32 " bytes)",
		         s->tp->name, s->reply_max);
	else if (st == REPLY_TOO_BIG)
		snprintf(buf, len, "reply size above --max-size");
	else
		snprintf(buf, len, "padding is not 'A'");
}

static int answer(struct worker *w, void *conn, int n, uint64_t rx_rt, uint64_t t_rx, uint32_t cno,
                  char *peer, size_t peer_len)
{
	struct srv *s = w->s;
	struct msg_hdr h;
	struct reply_hdr rh;
	char why[96];
	int st, e;

	msg_parse(w->buf, (size_t)n, &h);
	if (w->conn_seq < 0) {
		w->conn_seq = h.seq;
		w->conn_run = h.run_id;
	}
	st = msg_check_padding(w->buf, (size_t)n);
	if (st == REPLY_OK && h.reply_len > s->reply_max)
		st = REPLY_TOO_BIG;
	if (st == REPLY_OK && s->amplify != 0 &&
	    (uint64_t)h.reply_len > (uint64_t)s->amplify * (uint32_t)n)
		st = REPLY_AMPLIFY;
	count_msg(w, &h, st);
	rh.status = (uint8_t)st;
	rh.run_id = h.run_id;
	rh.seq = h.seq;
	rh.len = st == REPLY_OK && h.reply_len > REPLY_HDR_LEN ? h.reply_len : REPLY_HDR_LEN;
	rh.rx_rt_us = rx_rt;
	reply_header(w->reply, &rh);
	e = s->tp->send(conn, w->reply, rh.len);
	port_mutex_lock(s->lock);
	srvlog_msg(&s->log, cno, h.seq, h.len, rx_rt, port_mono_ns() - t_rx, st);
	port_mutex_unlock(s->lock);
	if (h.type == MSG_END)
		return e;
	if (st != REPLY_OK) {
		dgram_peer(s, conn, peer, peer_len);
		why_refused(s, st, &h, why, sizeof(why));
		loglimit_printf(LOGLIMIT_MESSAGE,
		                "%s: conn %" PRIu32 " from %s: message seq=%" PRIu32
		                " size=%" PRIu32 " refused: %s\n",
		                s->prog, cno, peer, h.seq, h.len, why);
	}
	return e;
}

/* Serves requests until the peer closes, goes silent or breaks the framing. */
static int serve_conn(struct worker *w, void *conn, uint32_t cno, char *peer, size_t peer_len)
{
	struct srv *s = w->s;
	struct io_carry carry = { 0, 0 }; /* one read per request: see io.h */
	char eb[160];

	for (;;) {
		uint32_t wait_ms = s->o->timeout_ms;
		uint64_t deadline;

		if (srvconn_stopping())
			return stop_status(w);

		/* After a UDP client's END, linger only briefly: long enough to answer a repeated
		 * END whose ack was lost, not a whole --timeout. */
		if (w->end_seen && !s->o->forever && s->tp->datagram && wait_ms > END_LINGER_MS)
			wait_ms = END_LINGER_MS;
		deadline = port_mono_ns() + (uint64_t)wait_ms * 1000000u;
		int n = io_read_carry(s->tp, conn, w->buf, s->o->max_size + 1u, MSG_HDR_LEN,
		                      parse_msg_hdr, deadline, &carry);
		uint64_t t_rx = port_mono_ns(), rx_rt = port_real_us();

		if (n > (int)s->o->max_size)
			n = ACK_ERR_TOO_BIG;
		if (n == ACK_ERR_EOF)
			return 0;
		if (n < 0 && srvconn_stopping())
			return stop_status(w);
		if ((n == ACK_ERR_TIMEOUT || n == ACK_ERR_GAVE_WAY) && s->tp->datagram)
			return 0; /* a UDP "connection" is a burst of datagrams; a DTLS one
			           * silent while a new client waits gave way (sec_io_wait) */
		if (n < 0)
			dgram_peer(s, conn, peer, peer_len);
		if (n == ACK_ERR_TOO_BIG) {
			struct reply_hdr rh = { .status = REPLY_TOO_BIG, .len = REPLY_HDR_LEN };

			rh.run_id = get_u32(w->buf + 8);
			rh.seq = get_u32(w->buf + 12);
			reply_header(w->reply, &rh);
			s->tp->send(conn, w->reply, rh.len);
			port_mutex_lock(s->lock);
			s->invalid++;
			port_mutex_unlock(s->lock);
			loglimit_printf(LOGLIMIT_MESSAGE,
			                "%s: conn %" PRIu32 " from %s: message of %" PRIu32
			                " bytes refused: above --max-size %" PRIu32 "%s\n",
			                s->prog, cno, peer, get_u32(w->buf + MSG_LEN_OFF),
			                s->o->max_size,
			                s->tp->datagram ? "" : "; connection closed");
			if (s->tp->datagram)
				continue;
			return ACK_ERR_TOO_BIG;
		}
		if (n < 0) {
			port_mutex_lock(s->lock);
			s->dropped++;
			port_mutex_unlock(s->lock);
			loglimit_printf(LOGLIMIT_DROPPED, "%s: conn %" PRIu32 " from %s: %s%s\n",
			                s->prog, cno, peer,
			                n == ACK_ERR_PROTO ? "not an ackbench message"
			                                   : err_str(n, eb, sizeof(eb)),
			                s->tp->datagram && n == ACK_ERR_PROTO
			                        ? "; datagram dropped"
			                        : "; connection dropped");
			if (s->tp->datagram && n == ACK_ERR_PROTO)
				continue;
			return n;
		}
		n = answer(w, conn, n, rx_rt, t_rx, cno, peer, peer_len);
		if (n != 0) {
			loglimit_printf(LOGLIMIT_DROPPED,
			                "%s: conn %" PRIu32 " from %s: reply failed: %s\n", s->prog,
			                cno, peer, err_str(n, eb, sizeof(eb)));
			return n;
		}
	}
}

/* --mem: the connection's peak (its accept, whose mem_mark() is in next_conn, .. close).
 * --mem runs one worker only (app.c): the counter is process-wide. */
static uint32_t heap_peak(struct srv *s)
{
	size_t p;

	if (!s->o->mem)
		return 0;
	p = mem_peak_since(s->heap_base);
	if (p > s->heap_max)
		s->heap_max = p;
	return (uint32_t)p;
}

/* The server's own view of what was negotiated (version, suite, group, key), on stdout
 * as "# negotiated: conn=N ..." whenever it differs from the previous connection's: the
 * far side's check of what a client claims, one line per change, not per connection. */
static void note_negotiated(struct srv *s, void *conn, uint32_t cno)
{
	char d[sizeof(s->negotiated)];

	if (s->tp->describe == NULL)
		return;
	s->tp->describe(conn, d, sizeof(d));
	port_mutex_lock(s->lock);
	if (strcmp(d, s->negotiated) != 0) {
		memcpy(s->negotiated, d, sizeof(d));
		printf("# negotiated: conn=%" PRIu32 " %s\n", cno, d);
		fflush(stdout);
	}
	port_mutex_unlock(s->lock);
}

void srvconn_serve(struct worker *w, void *conn)
{
	struct srv *s = w->s;
	/* realtime first: start + wall then never reaches past the connection's real end, so
	 * a worker's rows never overlap in time (test/load.sh counts overlaps) */
	uint64_t rt0 = port_real_us(), t0 = port_mono_ns(), c0 = s->cpu_ns(), t_hs;
	uint32_t cno;
	char peer[80] = "?", eb[160];
	uint32_t rtx = 0;
	struct tp_info ti = { 0 };
	int e;

	port_mutex_lock(s->lock);
	cno = ++s->conns;
	port_mutex_unlock(s->lock);
	w->msgs = 0;
	w->end_seen = 0;
	w->conn_seq = -1;
	tlfile_attach(&w->tlf, conn, t0, c0, rt0);
	e = s->tp->handshake(conn);
	t_hs = port_mono_ns();
	if (s->tp->peer != NULL)
		s->tp->peer(conn, peer, sizeof(peer));
	/* read again after the messages; a failed handshake keeps this one */
	if (s->tp->tcp_retrans != NULL)
		s->tp->tcp_retrans(conn, &rtx);
	if (s->tp->info != NULL) /* a failed handshake's too: early data it took (a replay) */
		s->tp->info(conn, &ti);
	if (ti.early == TP_EARLY_ACCEPTED) {
		port_mutex_lock(s->lock);
		s->early_conns++;
		s->early_bytes += ti.early_bytes;
		port_mutex_unlock(s->lock);
	}
	if (e != 0) {
		char early[64] = "";

		if (ti.early == TP_EARLY_ACCEPTED)
			snprintf(early, sizeof(early),
			         " (after receiving %" PRIu32 " bytes of early data)",
			         ti.early_bytes);
		if (srvconn_stopping())
			e = ACK_ERR_STOPPED;
		else
			loglimit_printf(LOGLIMIT_HANDSHAKE,
			                "%s: conn %" PRIu32 " from %s: handshake failed: %s%s\n",
			                s->prog, cno, peer, err_str(e, eb, sizeof(eb)), early);
		s->tp->abort(conn);
		ti.auth = NULL; /* no authentication was negotiated */
	} else if (s->lobby != NULL && (e = srvlobby_place(w)) != 0) {
		loglimit_printf(LOGLIMIT_NO_PLACE,
		                "%s: conn %" PRIu32
		                " from %s: no place to serve it within --timeout "
		                "(--max-conns): %s\n",
		                s->prog, cno, peer, err_str(e, eb, sizeof(eb)));
		s->tp->abort(conn);
		ti.auth = NULL;
	} else {
		note_negotiated(s, conn, cno);
		e = serve_conn(w, conn, cno, peer, sizeof(peer));
		if (e == ACK_ERR_STOPPED)
			loglimit_printf(LOGLIMIT_DROPPED,
			                "%s: conn %" PRIu32 " from %s: cut off by the stop\n",
			                s->prog, cno, peer);
		if (s->tp->tcp_retrans != NULL) /* before the close: it frees conn */
			s->tp->tcp_retrans(conn, &rtx);
		if (e == 0)
			e = s->tp->close(conn, (int)s->o->timeout_ms);
		else
			s->tp->abort(conn);
	}
	if (s->lobby != NULL)
		srvlobby_done(w, e);
	port_mutex_lock(s->lock);
	srvlog_conn(&s->log, cno, w->msgs, rt0, t_hs - t0, port_mono_ns() - t0, s->cpu_ns() - c0, e,
	            heap_peak(s), rtx, ti.auth, ti.resumed);
	srvlog_flush(&s->log);
	tlfile_done(&w->tlf, NULL, w->conn_run, cno, w->conn_seq);
	if (--s->active == 0)
		s->idle_ns = port_mono_ns();
	port_mutex_unlock(s->lock);
}
