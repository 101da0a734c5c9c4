/* hs.c - see hs.h: a connection's handshake, each side's turn run inside side_call(); what
 * runs between the turns (sniffers, bookkeeping) is nobody's cost. The TLS calls are the
 * stack's (tls.h, mcu/<stack>/). */
#include "hs.h"

#include <stdio.h>
#include <string.h>

#include "dtls_wire.h"
#include "msg.h"
#include "port.h"
#include "tls_sniff.h"

#define MAX_TURNS 400 /* handshake turns per side; a full DTLS handshake needs about 6 */

const char *const hs_proto_name[HS_NPROTO] = { "tls1.2", "tls1.3", "dtls1.2" };
const char *const hs_group_name[GR_N] = { "secp256r1", "x25519", "x25519mlkem768", "mlkem768" };

static int op_open(void *arg)
{
	struct hs_ep *e = arg;

	e->open = 1;
	return tls_open(e);
}

static int op_handshake(void *arg)
{
	return tls_handshake(arg);
}

static int op_free(void *arg)
{
	struct hs_ep *e = arg;

	if (e->open)
		tls_free(e);
	e->open = 0;
	return 0;
}

/* An attempt to read what the peer sent after a failure (its alert). */
static int op_poke(void *arg)
{
	struct hs_ep *e = arg;

	if (!e->done)
		return tls_handshake(e);
	return tls_read(e, e->buf, HS_MSG_MAX);
}

/* ---- the connection ---- */

void hs_conn_init(struct hs_conn *c, enum hs_proto p, struct side *cs, struct side *ss,
                  const struct tls_conf *ccf, const struct tls_conf *scf, uint8_t *c2s_buf,
                  uint8_t *s2c_buf, uint8_t *cbuf, uint8_t *sbuf, struct tls_sess *session)
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

int hs_want(int r)
{
	return r == TLS_WANT || r == TLS_WANT_WRITE;
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
			} else if (!hs_want(rc)) {
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
		r->verify[i] = tls_verify_result(&c->ep[i]);
	}
	r->hs_bytes[CLI] = c->c2s.bytes;
	r->hs_bytes[SRV] = c->s2c.bytes;
	r->hs_writes[CLI] = c->c2s.writes;
	r->hs_writes[SRV] = c->s2c.writes;
	r->resumed = c->proto == HS_DTLS12 ? sn.dtls.resumed : sn.tls.resumed;
	r->group = c->proto == HS_DTLS12 ? sn.dtls.group : sn.tls.group;
	r->psk_ext = c->proto == HS_TLS13 && sn.tls.resumed;
#if defined(TLS_PSK_ONLY)
	/* No tickets in this build: a TLS 1.3 pre_shared_key is the external key, every
	 * handshake a full one by it. */
	if (c->proto == HS_TLS13)
		r->resumed = 0;
#endif
	r->hvr = c->ep[SRV].hvr && sn.dtls.hvr;
	for (i = 0; i < 2; i++)
		snprintf(r->suite[i], sizeof(r->suite[i]), "%s", tls_suite(&c->ep[i]));
	return 0;
}

const char *hs_kex(const struct hs_result *r, enum hs_proto p, int s)
{
	if (p == HS_TLS13)
		return !r->psk_ext ? "ecdhe" : r->group != 0 ? "psk_dhe_ke" : "psk_ke";
	if (strstr(r->suite[s], "ECDHE-PSK") != NULL)
		return "ecdhe_psk";
	return strstr(r->suite[s], "PSK") != NULL ? "psk" : "ecdhe";
}

void hs_conn_abort(struct hs_conn *c, struct hs_result *r)
{
	int i, rc;

	for (i = 0; i < 2; i++) {
		struct hs_ep *e = &c->ep[i];
		if (e->err == 0 && e->open) {
			rc = side_call(e->side, op_poke, e);
			if (rc < 0 && !hs_want(rc))
				e->err = r->err[i] = rc;
		}
		r->verify[i] = e->open ? tls_verify_result(e) : 0;
	}
	for (i = 0; i < 2; i++) {
		side_call(c->ep[i].side, op_free, &c->ep[i]);
		r->heap_peak[i] = c->ep[i].side->heap_peak;
		r->stack_peak[i] = side_stack_peak(c->ep[i].side);
	}
}

int hs_ep_free(struct hs_ep *e)
{
	return side_call(e->side, op_free, e);
}
