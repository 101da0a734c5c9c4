/* xchg.c - the exchange and close phases of a connection (hs.h): a request of the wire
 * format (src/msg.h) and its reply, then session kept, close_notify both ways, contexts
 * freed; each side's part run inside side_call(). */
#include <string.h>

#include "hs.h"
#include "msg.h"
#include "port.h"

static int write_all(struct hs_ep *e, const uint8_t *p, size_t len)
{
	size_t off = 0;
	int n;

	while (off < len) {
		n = tls_write(e, p + off, len - off);
		if (n == TLS_AGAIN)
			continue; /* TLS 1.3, see read_msg */
		if (n < 0)
			return n; /* the link holds a whole message: WANT_WRITE is an error here */
		off += (size_t)n;
	}
	return 0;
}

/* Reads into e->buf until the message whose header says its length is complete
 * (hdr_len bytes of header first on a stream, so nothing of the next one is taken). */
static int read_msg(struct hs_ep *e, size_t hdr_len, size_t len_off)
{
	int n, spins = 0;

	while (e->len == 0 || e->have < e->len) {
		size_t want =
		        e->dtls ? HS_MSG_MAX - e->have : (e->len != 0 ? e->len : hdr_len) - e->have;
		n = tls_read(e, e->buf + e->have, want);
		/* TLS 1.3: a NewSessionTicket came first (Mbed TLS reports it in two steps:
		 * TLS_WANT with the message kept, then TLS_AGAIN); the session is taken at
		 * close. */
		if (n == TLS_AGAIN || (n == TLS_WANT && e->rx->len > e->rx->head && spins++ < 8))
			continue;
		if (n < 0)
			return n;
		if (n == 0)
			return ACK_ERR_EOF;
		e->have += (size_t)n;
		if (e->len == 0 && e->have >= hdr_len) {
			e->len = get_u32(e->buf + len_off);
			if (e->len < hdr_len || e->len > HS_MSG_MAX)
				return ACK_ERR_PROTO;
		}
	}
	return e->have == e->len ? 0 : ACK_ERR_PROTO;
}

static int op_request(void *arg)
{
	struct hs_ep *e = arg;

	return write_all(e, e->buf, e->len);
}

static int op_serve(void *arg)
{
	struct hs_ep *e = arg;
	struct msg_hdr h;
	struct reply_hdr rh;
	int r = read_msg(e, MSG_HDR_LEN, MSG_LEN_OFF);

	if (r != 0)
		return r;
	if (msg_parse(e->buf, e->len, &h) != REPLY_OK || h.reply_len != REPLY_HDR_LEN ||
	    msg_check_padding(e->buf, e->len) != REPLY_OK)
		return ACK_ERR_PROTO;
	rh.status = REPLY_OK;
	rh.run_id = h.run_id;
	rh.seq = h.seq;
	rh.len = REPLY_HDR_LEN;
	rh.rx_rt_us = port_real_us();
	reply_build(e->buf, &rh);
	e->have = e->len = 0;
	return write_all(e, e->buf, REPLY_HDR_LEN);
}

static int op_reply(void *arg)
{
	struct hs_ep *e = arg;
	struct reply_hdr rh;
	int r = read_msg(e, REPLY_HDR_LEN, REPLY_LEN_OFF);

	if (r != 0)
		return r;
	e->have = e->len = 0;
	if (reply_parse(e->buf, REPLY_HDR_LEN, &rh) != 0 || rh.status != REPLY_OK ||
	    rh.seq != e->seq)
		return ACK_ERR_PROTO;
	return 0;
}

/* Client: keep the session for the next connection, then close_notify. */
static int op_close_client(void *arg)
{
	struct hs_ep *e = arg;

	e->have_session = tls_keep_session(e);
	return tls_close_notify(e);
}

/* Reads the peer's close_notify (anything else is an error), answers (server), frees. */
static int op_close_read(void *arg)
{
	struct hs_ep *e = arg;
	int n = tls_read(e, e->buf, HS_MSG_MAX);

	if (n == TLS_WANT)
		return n;
	if (n == TLS_CLOSED)
		n = e->server ? tls_close_notify(e) : 0;
	else if (n >= 0)
		n = ACK_ERR_PROTO;
	tls_free(e);
	e->open = 0;
	return n;
}

int hs_conn_exchange(struct hs_conn *c, size_t size, uint64_t instr[2])
{
	struct hs_ep *cl = &c->ep[CLI], *sv = &c->ep[SRV];
	struct msg_hdr h;
	uint64_t i0[2] = { cl->side->instr, sv->side->instr };
	int r;

	if (size < MSG_HDR_LEN || size > HS_MSG_MAX)
		return ACK_ERR_TOO_BIG;
	/* The message is built outside the measured calls, as the Linux client does. */
	memset(&h, 0, sizeof(h));
	h.type = MSG_DATA;
	h.run_id = 0x6d637531u;
	h.seq = ++cl->seq;
	h.len = (uint32_t)size;
	h.reply_len = REPLY_HDR_LEN;
	msg_build(cl->buf, &h);
	cl->len = size;
	r = side_call(cl->side, op_request, cl);
	cl->len = 0;
	if (r == 0)
		r = side_call(sv->side, op_serve, sv);
	if (r == 0)
		r = side_call(cl->side, op_reply, cl);
	instr[CLI] += cl->side->instr - i0[CLI];
	instr[SRV] += sv->side->instr - i0[SRV];
	return r;
}

int hs_conn_close(struct hs_conn *c, struct hs_result *r)
{
	struct hs_ep *cl = &c->ep[CLI], *sv = &c->ep[SRV];
	uint64_t i0[2] = { cl->side->instr, sv->side->instr };
	int rc, i;

	rc = side_call(cl->side, op_close_client, cl);
	if (rc == 0)
		rc = side_call(sv->side, op_close_read, sv);
	if (rc == 0)
		rc = side_call(cl->side, op_close_read, cl);
	for (i = 0; i < 2; i++) {
		hs_ep_free(&c->ep[i]);
		r->instr[i][PH_CLOSE] = c->ep[i].side->instr - i0[i];
		r->heap_peak[i] = c->ep[i].side->heap_peak;
		r->stack_peak[i] = side_stack_peak(c->ep[i].side);
	}
	return rc;
}
