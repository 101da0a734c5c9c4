/*
 * climsg.c - one timed message on one connection slot, phase by phase:
 *   connect   dial() (TCP connect / UDP socket+connect)
 *   handshake handshake() (TLS/DTLS; 0 for plain)
 *   exchange  stamp + send the request .. the matching reply is read
 *   close     close(): our end, then the peer's end seen (bounded)
 * In --keep mode the slot's one connection carries every message, so connect/handshake/close
 * are 0 per row and the set-up is reported once. Nothing is printed or allocated between t0
 * and the last stamp of a message.
 */
#include "climsg.h"

#include <string.h>

#include "io.h"
#include "mem.h"
#include "msg.h"

static int parse_reply_hdr(const uint8_t *hdr, uint32_t *len)
{
	struct reply_hdr h;
	int r = reply_parse(hdr, REPLY_HDR_LEN, &h);

	*len = h.len;
	return r;
}

/* Reads replies until the one for seq arrives. On a datagram transport a reply to an
 * earlier message (late, or duplicated) is dropped and reading goes on until deadline. */
static int await_reply(struct slot *sl, void *conn, uint32_t seq, uint64_t deadline,
                       struct reply_hdr *h)
{
	const struct run *r = sl->r;
	int malformed = 0; /* a datagram came that is no reply at all: say so, not "timed out" */

	for (;;) {
		/* The server sends nothing more until the next request: ask for the whole reply
		 * in the first read. */
		int n = io_read_want(r->tp, conn, sl->reply, r->reply_cap, REPLY_HDR_LEN,
		                     r->reply_len, parse_reply_hdr, deadline);

		if (n == ACK_ERR_PROTO && r->tp->datagram) {
			malformed = 1;
			continue; /* stray datagram: not ours */
		}
		if (n == ACK_ERR_TIMEOUT && malformed)
			return ACK_ERR_PROTO;
		if (n < 0)
			return n;
		reply_parse(sl->reply, (size_t)n, h);
		if (h->run_id != r->run_id || h->seq != seq) {
			if (r->tp->datagram)
				continue;
			return ACK_ERR_PROTO;
		}
		if (h->status != REPLY_OK)
			return ACK_ERR_REFUSED;
		return 0;
	}
}

/* One-way delay from the server's receive stamp, which the peer controls: the difference
 * is clamped to a day, so that a bogus stamp shows as an absurd delay, not an overflow. */
static int64_t owd_ns(uint64_t rx_us, uint64_t tx_us)
{
	const uint64_t day_us = 86400ull * 1000000u;
	uint64_t d = rx_us >= tx_us ? rx_us - tx_us : tx_us - rx_us;
	int64_t ns = (int64_t)(d < day_us ? d : day_us) * 1000;

	return rx_us >= tx_us ? ns : -ns;
}

/* --early-data: the connection's outcome into the run's counts (under its lock). */
static void count_early(struct run *r, const struct tp_info *ti)
{
	if (ti->early == TP_EARLY_NONE)
		return;
	port_mutex_lock(r->lock);
	r->info->early_offered++;
	if (ti->early == TP_EARLY_ACCEPTED)
		r->info->early_accepted++;
	else
		r->info->early_rejected++;
	port_mutex_unlock(r->lock);
}

int climsg_open(struct slot *sl, void **conn, struct sample *s, uint64_t *t, const uint8_t *early,
                size_t len, size_t *sent)
{
	struct run *r = sl->r;
	int e = r->tp->dial(r->state, &r->peer, conn);

	t[1] = port_mono_ns();
	if (e != 0) {
		*conn = NULL;
		t[2] = t[1];
		return e;
	}
	port_mutex_lock(r->lock);
	sl->conn_no = ++r->conns;
	if (!r->tp->datagram) /* a stream connection is an answer; a UDP socket is not */
		runend_answered(&r->end);
	port_mutex_unlock(r->lock);
	tlfile_attach(&sl->tlf, *conn, t[0], sl->tl_cpu0, s->start_rt_us);
	*sent = 0;
	if (early != NULL && r->tp->handshake_early != NULL) {
		e = r->tp->handshake_early(*conn, early, len);
		if (e > 0)
			*sent = (size_t)e;
		e = e > 0 ? 0 : e;
	} else {
		e = r->tp->handshake(*conn);
	}
	t[2] = port_mono_ns();
	if (r->tp->info != NULL) {
		r->tp->info(*conn, &s->info);
		count_early(r, &s->info);
	}
	if (e != 0) {
		r->tp->abort(*conn);
		*conn = NULL;
		return e;
	}
	sl->opened++;
	if (r->tp->stack != NULL) { /* a handshake done */
		port_mutex_lock(r->lock);
		runend_answered(&r->end);
		port_mutex_unlock(r->lock);
	}
	if (sl->id == 0 && r->info->negotiated[0] == '\0' && r->tp->describe != NULL) {
		struct tp_info ti;

		r->tp->describe(*conn, r->info->negotiated, sizeof(r->info->negotiated));
		if (r->tp->info != NULL) {
			r->tp->info(*conn, &ti);
			r->info->auth_neg = ti.auth;
			memcpy(r->info->cid, ti.cid, sizeof(r->info->cid));
		}
	}
	return 0;
}

/* One timed message of len bytes. Fills s; returns 0 when it was acked.
 * Its CPU time runs from the end of the previous message (nothing but the loop runs in
 * between; cpu_mark is 0 after anything else) to its own end: one CPU clock read per
 * message, not two, as each is a syscall where the monotonic clock is not. */
int climsg_one(struct slot *sl, uint32_t len, uint32_t seq, struct sample *s)
{
	struct run *r = sl->r;
	uint64_t t[5], c0 = sl->cpu_mark != 0 ? sl->cpu_mark : r->cpu_ns();
	void *conn = sl->conn;
	struct reply_hdr h;
	uint64_t send_rt = 0;
	size_t sent = 0; /* bytes of the request the server took as early data */
	int e = 0;

	memset(s, 0, sizeof(*s));
	s->seq = seq;
	s->slot = sl->id;
	if (r->o->mem && !r->o->keep)
		mem_mark(); /* --mem: this connection's peak starts here (keep: client_run) */
	s->start_rt_us = port_real_us();
	sl->tl_cpu0 = c0;
	t[0] = port_mono_ns();
	t[1] = t[2] = t[0];
	if (conn == NULL) {
		const uint8_t *early = NULL;

		if (r->o->early) { /* stamped now: it may leave with the ClientHello */
			send_rt = port_real_us();
			msg_stamp(sl->msg, s->seq, send_rt);
			early = sl->msg;
		}
		e = climsg_open(sl, &conn, s, t, early, len, &sent);
		if (e != 0) {
			t[3] = t[4] = t[2];
			goto done;
		}
		sl->retrans = 0; /* a new connection counts its retransmissions from zero */
		if (r->o->keep) {
			sl->conn = conn;
			port_mutex_lock(r->lock);
			r->info->reconnects++;
			port_mutex_unlock(r->lock);
		}
	}
	{
		if (send_rt == 0) {
			send_rt = port_real_us();
			msg_stamp(sl->msg, s->seq, send_rt);
		}
		/* the rest of an early request, or all of it when the server rejected it */
		if (sent < len)
			e = r->tp->send(conn, sl->msg + sent, len - sent);
		if (e == 0 && s->info.early == TP_EARLY_REJECTED) {
			port_mutex_lock(r->lock);
			r->info->early_fallback++;
			port_mutex_unlock(r->lock);
		}
		if (e == 0)
			e = await_reply(sl, conn, s->seq,
			                port_mono_ns() + (uint64_t)r->o->timeout_ms * 1000000u, &h);
		t[3] = port_mono_ns();
		if (e == 0)
			s->owd_ns = owd_ns(h.rx_rt_us, send_rt);
	}
	if (r->tp->tcp_retrans != NULL) { /* untimed: after the ack, before the close */
		uint32_t n = 0;

		if (r->tp->tcp_retrans(conn, &n) == 0 && n >= sl->retrans)
			s->info.tcp_retrans = n - sl->retrans;
		sl->retrans = r->o->keep ? n : 0;
	}
	if (e != 0) {
		r->tp->abort(conn);
		sl->conn = NULL;
		t[4] = t[3];
		goto done;
	}
	if (!r->o->keep)
		e = r->tp->close(conn, (int)r->o->timeout_ms);
	t[4] = port_mono_ns();
done:
	s->ns[PH_CONNECT] = t[1] - t[0];
	s->ns[PH_HANDSHAKE] = t[2] - t[1];
	s->ns[PH_EXCHANGE] = t[3] - t[2];
	s->ns[PH_CLOSE] = t[4] - t[3];
	s->ns[PH_TOTAL] = t[4] - t[0];
	sl->cpu_mark = r->cpu_ns();
	s->ns[PH_CPU] = sl->cpu_mark - c0;
	s->err = e;
	if (r->o->mem && !r->o->keep)
		s->heap_peak_bytes = (uint32_t)mem_peak_since(r->info->heap_baseline);
	if (sl->tlf.attached) { /* written now, so outside the CPU time of the next message */
		port_mutex_lock(r->lock);
		tlfile_done(&sl->tlf, sl->conn, r->run_id, sl->conn_no, s->seq);
		port_mutex_unlock(r->lock);
		sl->cpu_mark = 0;
	}
	return e;
}

void climsg_build(struct run *r, uint8_t type, uint32_t len)
{
	struct msg_hdr h = {
		.type = type, .run_id = r->run_id, .len = len, .reply_len = r->reply_len
	};
	unsigned i;

	for (i = 0; i < r->nslots; i++)
		msg_build(r->slots[i].msg, &h);
}
