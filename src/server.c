/*
 * server.c - serves one client connection at a time. Each request is read whole (length
 * checked against --max-size before its body is read), its header and padding checked,
 * and answered with an ack (or a nak naming what was wrong) carrying its run id and
 * sequence number. A peer that sends garbage, stops mid-message or goes silent is logged
 * in one line and dropped; the server goes on with the next one.
 */
#include "server.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "io.h"
#include "mem.h"
#include "msg.h"
#include "port.h"
#include "srvlog.h"
#include "tlfile.h"

#define END_LINGER_MS   1000u
/* The wait for the next client is cut into slices of this, so that a stop request that
 * came just before the wait began is seen within it (see server_stopping). */
#define ACCEPT_SLICE_MS 1000

struct srv {
	const char *prog;
	const struct transport *tp;
	const struct server_opts *o;
	uint8_t *buf, *reply;
	struct srvlog log;
	struct tlfile tlf; /* --timeline */
	int64_t conn_seq;  /* first request's sequence number on this connection, -1: none */
	uint32_t conn_run; /* and its run id */
	/* the client run being served (by run id), for the END line */
	uint32_t run_id, run_received, run_valid;
	int have_run;
	/* totals */
	uint32_t conns, messages, valid, invalid, dropped;
	int end_seen;
	uint32_t reply_max; /* largest reply: --max-size, or less if one send carries less */
	uint32_t amplify;   /* tp->amplify(): reply <= amplify x request; 0 = no limit */
	/* --mem: Mbed TLS heap after set-up, largest per-connection peak above it */
	size_t heap_base, heap_max;
};

static int parse_msg_hdr(const uint8_t *hdr, uint32_t *len)
{
	struct msg_hdr h;

	if (msg_parse(hdr, MSG_HDR_LEN, &h) != REPLY_OK)
		return ACK_ERR_PROTO;
	*len = h.len;
	return 0;
}

static void note_run(struct srv *s, uint32_t run_id)
{
	if (s->have_run && s->run_id == run_id)
		return;
	if (s->have_run)
		printf("run %08" PRIx32 " ended without END: received=%" PRIu32 " valid=%" PRIu32
		       "\n",
		       s->run_id, s->run_received, s->run_valid);
	s->have_run = 1;
	s->run_id = run_id;
	s->run_received = s->run_valid = 0;
}

/* SIGINT/SIGTERM (port_stop_install(1)): the only place the server asks. A wait in progress
 * returns at once with an error; the loops then look here, between messages and between
 * connections, and stop: rows written, "done" printed, exit 0. */
static int server_stopping(void)
{
	return port_stop_requested() != 0;
}

/* What a connection ends with when a stop comes: a UDP client that sent its END is done. */
static int stop_status(const struct srv *s)
{
	return s->end_seen ? 0 : ACK_ERR_STOPPED;
}

/* The sender of the last datagram (a UDP "connection" has several); only for error lines. */
static void dgram_peer(const struct srv *s, void *conn, char *peer, size_t len)
{
	if (s->tp->datagram && s->tp->peer != NULL)
		s->tp->peer(conn, peer, len);
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

/* Answers one complete request of n bytes. Returns 0, or an error that ends the conn. */
static int answer(struct srv *s, void *conn, int n, uint64_t rx_rt, uint64_t t_rx, uint32_t cno,
                  char *peer, size_t peer_len)
{
	struct msg_hdr h;
	struct reply_hdr rh;
	char why[96];
	int st, e;

	msg_parse(s->buf, (size_t)n, &h);
	note_run(s, h.run_id);
	if (s->conn_seq < 0) {
		s->conn_seq = h.seq;
		s->conn_run = h.run_id;
	}
	st = msg_check_padding(s->buf, (size_t)n);
	if (st == REPLY_OK && h.reply_len > s->reply_max)
		st = REPLY_TOO_BIG;
	if (st == REPLY_OK && s->amplify != 0 &&
	    (uint64_t)h.reply_len > (uint64_t)s->amplify * (uint32_t)n)
		st = REPLY_AMPLIFY;
	rh.status = (uint8_t)st;
	rh.run_id = h.run_id;
	rh.seq = h.seq;
	rh.len = st == REPLY_OK && h.reply_len > REPLY_HDR_LEN ? h.reply_len : REPLY_HDR_LEN;
	rh.rx_rt_us = rx_rt;
	reply_header(s->reply, &rh);
	e = s->tp->send(conn, s->reply, rh.len);
	srvlog_msg(&s->log, cno, h.seq, h.len, rx_rt, port_mono_ns() - t_rx, st);
	if (h.type == MSG_END) {
		printf("end run=%08" PRIx32 " sent=%" PRIu32 " received=%" PRIu32 " valid=%" PRIu32
		       "\n",
		       h.run_id, h.seq, s->run_received, s->run_valid);
		fflush(stdout);
		s->have_run = 0;
		s->end_seen = 1;
		return e;
	}
	s->messages++;
	s->run_received++;
	if (st == REPLY_OK) {
		s->valid++;
		s->run_valid++;
	} else {
		s->invalid++;
		dgram_peer(s, conn, peer, peer_len);
		why_refused(s, st, &h, why, sizeof(why));
		fprintf(stderr,
		        "%s: conn %" PRIu32 " from %s: message seq=%" PRIu32 " size=%" PRIu32
		        " refused: %s\n",
		        s->prog, cno, peer, h.seq, h.len, why);
	}
	return e;
}

/* Serves requests until the peer closes, goes silent or breaks the framing. */
static int serve_conn(struct srv *s, void *conn, uint32_t cno, char *peer, size_t peer_len)
{
	struct io_carry carry = { 0, 0 }; /* one read per request: see io.h */
	char eb[160];

	for (;;) {
		uint32_t wait_ms = s->o->timeout_ms;
		uint64_t deadline;

		if (server_stopping())
			return stop_status(s);

		/* After a UDP client's END, linger only briefly: long enough to answer a repeated
		 * END whose ack was lost, not a whole --timeout. */
		if (s->end_seen && !s->o->forever && s->tp->datagram && wait_ms > END_LINGER_MS)
			wait_ms = END_LINGER_MS;
		deadline = port_mono_ns() + (uint64_t)wait_ms * 1000000u;
		int n = io_read_carry(s->tp, conn, s->buf, s->o->max_size + 1u, MSG_HDR_LEN,
		                      parse_msg_hdr, deadline, &carry);
		uint64_t t_rx = port_mono_ns(), rx_rt = port_real_us();

		if (n > (int)s->o->max_size)
			n = ACK_ERR_TOO_BIG;
		if (n == ACK_ERR_EOF)
			return 0;
		if (n < 0 && server_stopping())
			return stop_status(s);
		if (n == ACK_ERR_TIMEOUT && s->tp->datagram)
			return 0; /* a UDP "connection" is a burst of datagrams */
		if (n < 0)
			dgram_peer(s, conn, peer, peer_len);
		if (n == ACK_ERR_TOO_BIG) {
			struct reply_hdr rh = { .status = REPLY_TOO_BIG, .len = REPLY_HDR_LEN };

			rh.run_id = get_u32(s->buf + 8);
			rh.seq = get_u32(s->buf + 12);
			reply_header(s->reply, &rh);
			s->tp->send(conn, s->reply, rh.len);
			s->invalid++;
			fprintf(stderr,
			        "%s: conn %" PRIu32 " from %s: message of %" PRIu32
			        " bytes refused: above --max-size %" PRIu32 "%s\n",
			        s->prog, cno, peer, get_u32(s->buf + MSG_LEN_OFF), s->o->max_size,
			        s->tp->datagram ? "" : "; connection closed");
			if (s->tp->datagram)
				continue;
			return ACK_ERR_TOO_BIG;
		}
		if (n < 0) {
			s->dropped++;
			fprintf(stderr, "%s: conn %" PRIu32 " from %s: %s%s\n", s->prog, cno, peer,
			        n == ACK_ERR_PROTO ? "not an ackbench message"
			                           : err_str(n, eb, sizeof(eb)),
			        s->tp->datagram && n == ACK_ERR_PROTO ? "; datagram dropped"
			                                              : "; connection dropped");
			if (s->tp->datagram && n == ACK_ERR_PROTO)
				continue;
			return n;
		}
		n = answer(s, conn, n, rx_rt, t_rx, cno, peer, peer_len);
		if (n != 0) {
			fprintf(stderr, "%s: conn %" PRIu32 " from %s: reply failed: %s\n", s->prog,
			        cno, peer, err_str(n, eb, sizeof(eb)));
			return n;
		}
	}
}

/* --mem: the connection's peak (its accept, whose mem_mark() is in server_run, .. close). */
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

static void serve_one(struct srv *s, void *conn)
{
	uint64_t t0 = port_mono_ns(), c0 = port_cpu_ns(), rt0 = port_real_us(), t_hs;
	uint32_t cno = ++s->conns, m0 = s->messages;
	char peer[80] = "?", eb[160];
	int e;

	s->conn_seq = -1;
	s->conn_run = s->run_id;
	tlfile_attach(&s->tlf, conn, t0, c0, rt0);
	e = s->tp->handshake(conn);
	t_hs = port_mono_ns();
	if (s->tp->peer != NULL)
		s->tp->peer(conn, peer, sizeof(peer));
	if (e != 0) {
		if (server_stopping())
			e = ACK_ERR_STOPPED;
		else
			fprintf(stderr, "%s: conn %" PRIu32 " from %s: handshake failed: %s\n",
			        s->prog, cno, peer, err_str(e, eb, sizeof(eb)));
		s->tp->abort(conn);
	} else {
		e = serve_conn(s, conn, cno, peer, sizeof(peer));
		if (e == ACK_ERR_STOPPED)
			fprintf(stderr, "%s: conn %" PRIu32 " from %s: cut off by the stop\n",
			        s->prog, cno, peer);
		if (e == 0)
			e = s->tp->close(conn, (int)s->o->timeout_ms);
		else
			s->tp->abort(conn);
	}
	srvlog_conn(&s->log, cno, s->messages - m0, rt0, t_hs - t0, port_mono_ns() - t0,
	            port_cpu_ns() - c0, e, heap_peak(s));
	srvlog_flush(&s->log);
	tlfile_done(&s->tlf, NULL, s->conn_run, cno, s->conn_seq);
}

/* The next client within --idle-timeout, waited for in slices (ACCEPT_SLICE_MS) so that a
 * stop is seen even when it came just before a wait began. */
static int accept_next(struct srv *s, void *state, void **conn)
{
	uint64_t idle_ns = (uint64_t)s->o->idle_timeout_s * 1000000000u;
	uint64_t t0 = port_mono_ns();

	for (;;) {
		uint64_t spent = port_mono_ns() - t0;
		int slice = ACCEPT_SLICE_MS, e;

		if (idle_ns != 0 && spent >= idle_ns)
			return ACK_ERR_TIMEOUT;
		if (idle_ns != 0 && idle_ns - spent < (uint64_t)slice * 1000000u)
			slice = (int)((idle_ns - spent) / 1000000u) + 1;
		e = s->tp->accept(state, slice, conn);
		if (e != ACK_ERR_TIMEOUT || server_stopping())
			return e;
	}
}

int server_run(const char *prog, const struct transport *tp, const struct server_opts *o,
               const struct tp_conf *conf)
{
	struct srv s;
	struct port_addr bind;
	void *state = NULL, *conn;
	uint16_t port = 0;
	int e, status = 1;
	char eb[160];

	memset(&s, 0, sizeof(s));
	s.prog = prog;
	s.tp = tp;
	s.o = o;
	e = port_resolve(o->bind, (uint16_t)o->port, tp->datagram, 1, &bind);
	if (e != 0) {
		fprintf(stderr, "%s: --bind: cannot resolve '%s'\n", prog, o->bind ? o->bind : "");
		return 2; /* an option value that names no address */
	}
	s.buf = malloc((size_t)o->max_size + 1);
	s.reply = malloc(o->max_size > REPLY_HDR_LEN ? o->max_size : REPLY_HDR_LEN);
	if (s.buf == NULL || s.reply == NULL) {
		fprintf(stderr, "%s: --max-size %" PRIu32 ": out of memory\n", prog, o->max_size);
		goto out;
	}
	memset(s.reply, MSG_PAD, o->max_size > REPLY_HDR_LEN ? o->max_size : REPLY_HDR_LEN);
	if (srvlog_open(&s.log, o->output, tp->name, o->mem) != 0) {
		fprintf(stderr, "%s: --output: cannot write '%s'\n", prog, o->output);
		goto out;
	}
	if (tlfile_open(&s.tlf, prog, o->timeline, tp, "server") != 0)
		goto out;
	e = tp->setup(conf, &state);
	if (e == ACK_ERR_ARG) {
		status = 2; /* the transport named the bad option value itself */
		goto out;
	}
	if (e != 0) {
		fprintf(stderr, "%s: cannot set up %s: %s\n", prog, tp->name,
		        err_str(e, eb, sizeof(eb)));
		goto out;
	}
	if (port_stop_install(1) != 0)
		fprintf(stderr, "%s: cannot catch SIGINT/SIGTERM: a stop loses the rows\n", prog);
	{
		struct port_addr none;
		uint32_t m;

		memset(&none, 0, sizeof(none));
		m = tp->max_msg(state, &none);
		s.reply_max = m != 0 && m < o->max_size ? m : o->max_size;
		s.amplify = tp->amplify != NULL ? tp->amplify(state) : 0;
	}
	e = tp->listen(state, &bind, &port);
	if (e != 0) {
		fprintf(stderr, "%s: cannot listen on port %" PRIu32 ": %s\n", prog, o->port,
		        err_str(e, eb, sizeof(eb)));
		goto out;
	}
	printf("ready port=%u\n", (unsigned)port);
	fflush(stdout);
	if (o->mem)
		s.heap_base = mem_mark(); /* config, certificates, keys, listener */
	for (;;) {
		if (o->mem)
			mem_mark(); /* the next connection's peak starts at its accept */
		e = accept_next(&s, state, &conn);
		if (server_stopping()) {
			if (e == 0)
				tp->abort(conn);
			break;
		}
		if (e == ACK_ERR_TIMEOUT) {
			fprintf(stderr,
			        "%s: no client for %" PRIu32 " s (--idle-timeout), exiting\n", prog,
			        o->idle_timeout_s);
			break;
		}
		if (e != 0) {
			fprintf(stderr, "%s: accept failed: %s\n", prog,
			        err_str(e, eb, sizeof(eb)));
			port_sleep_ms(10); /* e.g. out of descriptors: do not spin */
			continue;
		}
		serve_one(&s, conn);
		if ((s.end_seen && !o->forever) || server_stopping())
			break;
		s.end_seen = 0;
	}
	if (server_stopping())
		fprintf(stderr, "%s: stopped by %s\n", prog, port_stop_name(port_stop_requested()));
	if (o->mem)
		printf("heap conn_peak_max=%zu baseline=%zu\n", s.heap_max, s.heap_base);
	printf("done conns=%" PRIu32 " messages=%" PRIu32 " valid=%" PRIu32 " invalid=%" PRIu32
	       " dropped=%" PRIu32 "\n",
	       s.conns, s.messages, s.valid, s.invalid, s.dropped);
	status = srvlog_close(&s.log) == 0 ? 0 : 1;
	if (tlfile_close(&s.tlf) != 0) {
		fprintf(stderr, "%s: --timeline: write failed\n", prog);
		status = 1;
	}
out:
	tlfile_close(&s.tlf);
	if (state != NULL)
		tp->teardown(state);
	free(s.buf);
	free(s.reply);
	return status;
}
