/* hs.c - see hs.h. Everything a side does to its own TLS context runs inside
 * side_call(); what runs between the turns (sniffers, bookkeeping) is nobody's cost. */
#include "hs.h"

#include <stdio.h>
#include <string.h>

#include "dtls_wire.h"
#include "msg.h"
#include "port.h"
#include "tls_sniff.h"

#define MAX_TURNS 400 /* handshake turns per side; a full DTLS handshake needs about 6 */

const char *const hs_proto_name[HS_NPROTO] = { "tls1.2", "tls1.3", "dtls1.2" };

/* The server's name for its one client (cookies bind to it, RFC 6347 4.2.1). */
static const unsigned char client_id[] = "in-image-client";

/* ---- BIO and timer of an endpoint ---- */

static int ep_send(void *ctx, const unsigned char *buf, size_t len)
{
	return link_send(((struct hs_ep *)ctx)->tx, buf, len);
}

static int ep_recv(void *ctx, unsigned char *buf, size_t len)
{
	return link_recv(((struct hs_ep *)ctx)->rx, buf, len);
}

static void timer_set(void *ctx, uint32_t int_ms, uint32_t fin_ms)
{
	struct hs_ep *e = ctx;

	e->timer_start_ns = port_mono_ns();
	e->timer_int_ms = int_ms;
	e->timer_fin_ms = fin_ms;
}

static int timer_get(void *ctx)
{
	struct hs_ep *e = ctx;
	uint64_t ms;

	if (e->timer_fin_ms == 0)
		return -1;
	ms = (port_mono_ns() - e->timer_start_ns) / 1000000u;
	return ms >= e->timer_fin_ms ? 2 : ms >= e->timer_int_ms ? 1 : 0;
}

/* ---- what a side does, each run through side_call() ---- */

static int op_open(void *arg)
{
	struct hs_ep *e = arg;
	int r;

	mbedtls_ssl_init(&e->ssl);
	e->open = 1;
	r = mbedtls_ssl_setup(&e->ssl, e->conf);
	if (r != 0)
		return r;
	mbedtls_ssl_set_bio(&e->ssl, e, ep_send, ep_recv, NULL);
	if (e->dtls)
		mbedtls_ssl_set_timer_cb(&e->ssl, e, timer_set, timer_get);
	if (e->server)
		return e->dtls ? mbedtls_ssl_set_client_transport_id(&e->ssl, client_id,
		                                                     sizeof(client_id) - 1)
		               : 0;
	r = mbedtls_ssl_set_hostname(&e->ssl, "localhost");
	if (r == 0 && e->have_session)
		r = mbedtls_ssl_set_session(&e->ssl, e->session);
	return r;
}

static int op_handshake(void *arg)
{
	struct hs_ep *e = arg;
	int r = mbedtls_ssl_handshake(&e->ssl);

	if (r == MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED && e->server) {
		/* The cookie round (RFC 6347 4.2.1): start over, the next ClientHello has it. */
		e->hvr = 1;
		r = mbedtls_ssl_session_reset(&e->ssl);
		if (r == 0)
			r = mbedtls_ssl_set_client_transport_id(&e->ssl, client_id,
			                                        sizeof(client_id) - 1);
		return r != 0 ? r : MBEDTLS_ERR_SSL_WANT_READ;
	}
	/* TLS 1.3: a NewSessionTicket before the client's handshake call returned 0; not an
	 * error, call again (the session is taken at close). */
	if (r == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
		return MBEDTLS_ERR_SSL_WANT_READ;
	return r;
}

static int write_all(struct hs_ep *e, const uint8_t *p, size_t len)
{
	size_t off = 0;
	int n;

	while (off < len) {
		n = mbedtls_ssl_write(&e->ssl, p + off, len - off);
		if (n == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
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
		n = mbedtls_ssl_read(&e->ssl, e->buf + e->have, want);
		/* TLS 1.3: a NewSessionTicket came first. Mbed TLS reports it in two steps
		 * (WANT_READ with the message kept, then RECEIVED_NEW_SESSION_TICKET); the
		 * session is taken at close. */
		if (n == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET ||
		    (n == MBEDTLS_ERR_SSL_WANT_READ && e->rx->len > e->rx->head && spins++ < 8))
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

	mbedtls_ssl_session_free(e->session);
	mbedtls_ssl_session_init(e->session);
	e->have_session = mbedtls_ssl_get_session(&e->ssl, e->session) == 0;
	return mbedtls_ssl_close_notify(&e->ssl);
}

/* Reads the peer's close_notify (anything else is an error), answers (server), frees. */
static int op_close_read(void *arg)
{
	struct hs_ep *e = arg;
	int n = mbedtls_ssl_read(&e->ssl, e->buf, HS_MSG_MAX);

	if (n == MBEDTLS_ERR_SSL_WANT_READ)
		return n;
	if (n == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
		n = e->server ? mbedtls_ssl_close_notify(&e->ssl) : 0;
	else if (n >= 0)
		n = ACK_ERR_PROTO;
	mbedtls_ssl_free(&e->ssl);
	e->open = 0;
	return n;
}

static int op_free(void *arg)
{
	struct hs_ep *e = arg;

	if (e->open)
		mbedtls_ssl_free(&e->ssl);
	e->open = 0;
	return 0;
}

/* An attempt to read what the peer sent after a failure (its alert). */
static int op_poke(void *arg)
{
	struct hs_ep *e = arg;

	if (!e->done)
		return op_handshake(e);
	return mbedtls_ssl_read(&e->ssl, e->buf, HS_MSG_MAX);
}

/* ---- the connection ---- */

void hs_conn_init(struct hs_conn *c, enum hs_proto p, struct side *cs, struct side *ss,
                  const mbedtls_ssl_config *ccf, const mbedtls_ssl_config *scf, uint8_t *c2s_buf,
                  uint8_t *s2c_buf, uint8_t *cbuf, uint8_t *sbuf, mbedtls_ssl_session *session)
{
	int i;

	memset(c, 0, sizeof(*c));
	c->proto = p;
	link_reset(&c->c2s, c2s_buf, p == HS_DTLS12);
	link_reset(&c->s2c, s2c_buf, p == HS_DTLS12);
	c->ep[CLI].side = cs;
	c->ep[CLI].conf = ccf;
	c->ep[CLI].tx = &c->c2s;
	c->ep[CLI].rx = &c->s2c;
	c->ep[CLI].buf = cbuf;
	c->ep[CLI].session = session;
	c->ep[SRV].side = ss;
	c->ep[SRV].conf = scf;
	c->ep[SRV].tx = &c->s2c;
	c->ep[SRV].rx = &c->c2s;
	c->ep[SRV].buf = sbuf;
	c->ep[SRV].server = 1;
	for (i = 0; i < 2; i++)
		c->ep[i].dtls = p == HS_DTLS12;
}

static int want(int r)
{
	return r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE;
}

/* The link's state: unchanged over a round of both sides means nobody can go on. */
static uint64_t link_sig(const struct hs_conn *c)
{
	return c->c2s.bytes * 31u + c->s2c.bytes * 7u + (c->c2s.len - c->c2s.head) * 3u +
	       (c->s2c.len - c->s2c.head);
}

struct sniffers {
	struct tls_sniff tls;
	struct dtls_sniff dtls;
};

/* Feeds the server's new output (written during its last turn) to the sniffer. */
static void sniff_new(const struct hs_conn *c, struct sniffers *sn, uint64_t bytes0,
                      uint64_t writes0)
{
	const struct link_pipe *p = &c->s2c;
	size_t n = (size_t)(p->bytes - bytes0), k = (size_t)(p->writes - writes0), i, off = 0;
	const uint8_t *q = link_tail(p, n);

	if (q == NULL || n == 0)
		return;
	if (!p->datagram) {
		tls_sniff_feed(&sn->tls, q, n);
		return;
	}
	for (i = p->ndg - k; i < p->ndg; i++) {
		dtls_sniff_feed(&sn->dtls, q + off, p->dg_len[i]);
		off += p->dg_len[i];
	}
}

int hs_conn_handshake(struct hs_conn *c, struct hs_result *r)
{
	struct sniffers sn;
	int turn, i, rc;
	uint64_t sig, b0, w0;

	memset(r, 0, sizeof(*r));
	memset(&sn, 0, sizeof(sn));
	tls_sniff_init(&sn.tls);
	for (i = 0; i < 2; i++) {
		side_begin(c->ep[i].side);
		rc = side_call(c->ep[i].side, op_open, &c->ep[i]);
		if (rc != 0) {
			c->ep[i].err = r->err[i] = rc;
			return rc;
		}
	}
	for (turn = 0; turn < MAX_TURNS && !(c->ep[CLI].done && c->ep[SRV].done); turn++) {
		sig = link_sig(c);
		for (i = 0; i < 2; i++) {
			struct hs_ep *e = &c->ep[i];
			if (e->done)
				continue;
			b0 = c->s2c.bytes;
			w0 = c->s2c.writes;
			rc = side_call(e->side, op_handshake, e);
			if (i == SRV)
				sniff_new(c, &sn, b0, w0);
			if (rc == 0) {
				e->done = 1;
			} else if (!want(rc)) {
				e->err = r->err[i] = rc;
				return rc;
			}
		}
		if (link_sig(c) == sig && !(c->ep[CLI].done && c->ep[SRV].done)) {
			r->err[CLI] = ACK_ERR_PROTO; /* neither side moved: a stuck handshake */
			return ACK_ERR_PROTO;
		}
	}
	if (!(c->ep[CLI].done && c->ep[SRV].done))
		return r->err[CLI] = ACK_ERR_TIMEOUT;
	for (i = 0; i < 2; i++) {
		r->instr[i][PH_HS] = c->ep[i].side->instr;
		r->verify[i] = mbedtls_ssl_get_verify_result(&c->ep[i].ssl);
	}
	r->hs_bytes[CLI] = c->c2s.bytes;
	r->hs_bytes[SRV] = c->s2c.bytes;
	r->hs_writes[CLI] = c->c2s.writes;
	r->hs_writes[SRV] = c->s2c.writes;
	r->resumed = c->proto == HS_DTLS12 ? sn.dtls.resumed : sn.tls.resumed;
	r->hvr = c->ep[SRV].hvr && sn.dtls.hvr;
	snprintf(r->suite, sizeof(r->suite), "%s", mbedtls_ssl_get_ciphersuite(&c->ep[CLI].ssl));
	return 0;
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
		side_call(c->ep[i].side, op_free, &c->ep[i]);
		r->instr[i][PH_CLOSE] = c->ep[i].side->instr - i0[i];
		r->heap_peak[i] = c->ep[i].side->heap_peak;
		r->stack_peak[i] = side_stack_peak(c->ep[i].side);
	}
	return rc;
}

void hs_conn_abort(struct hs_conn *c, struct hs_result *r)
{
	int i, rc;

	for (i = 0; i < 2; i++) {
		struct hs_ep *e = &c->ep[i];
		if (e->err == 0 && e->open) {
			rc = side_call(e->side, op_poke, e);
			if (rc < 0 && !want(rc))
				e->err = r->err[i] = rc;
		}
		r->verify[i] = e->open ? mbedtls_ssl_get_verify_result(&e->ssl) : 0;
	}
	for (i = 0; i < 2; i++) {
		side_call(c->ep[i].side, op_free, &c->ep[i]);
		r->heap_peak[i] = c->ep[i].side->heap_peak;
		r->stack_peak[i] = side_stack_peak(c->ep[i].side);
	}
}
