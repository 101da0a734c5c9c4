/*
 * tp_dtls.c - what the dtls transport (sec_tp.c) needs of the mbedtls stack: DTLS 1.2 over
 * UDP (ports/) under Mbed TLS 3.6, mutual
 * authentication (verify-required both sides), HelloVerifyRequest cookies. The TLS work is
 * tls_common.c / tls_conn.c, shared with tls; the datagram parts are dtls_conn.c (timer,
 * MTU, retransmissions) and dtls_srv.c (the server's listening socket, cookies,
 * reconnects); the server's flight is read from the wire by sec_io.c. Here: the handshake
 * timeouts, and the largest message one record carries at the MTU.
 */
#include <stddef.h>
#include <string.h>

#include "dtls_srv.h"
#include "sec_tp.h"

#define AEAD_EXPANSION  24u /* AES-GCM/CCM: 8-byte explicit nonce + 16-byte tag */
#define WORST_EXPANSION 80u /* CBC + HMAC-SHA384: 16 IV + 48 MAC + 16 padding */

/* Record expansion (header + cipher) of a DTLS 1.2 suite, as
 * mbedtls_ssl_get_record_expansion() computes it once negotiated. */
static uint32_t suite_expansion(const char *name)
{
	if (strstr(name, "-GCM-") != NULL || strstr(name, "-CCM") != NULL)
		return AEAD_EXPANSION; /* CCM-8 is 16 */
	if (strstr(name, "CHACHA20-POLY1305") != NULL)
		return 16; /* tag only, implicit nonce */
	if (strstr(name, "-CBC-") != NULL)
		return 32u + (strstr(name, "SHA384") ? 48u : strstr(name, "SHA256") ? 32u : 20u);
	return WORST_EXPANSION; /* unknown: assume the worst */
}

/* The largest payload one record carries at the MTU: exact for the pinned suites (both
 * AES-128-GCM), the worst of the listed suites otherwise. The client checks it against
 * mbedtls_ssl_get_max_out_record_payload() after its first handshake. */
static uint32_t max_payload(const struct dtls_state *s)
{
	uint32_t exp = 0, e, room;
	size_t i;

	if (s->t.suites[0] == 0)
		exp = WORST_EXPANSION; /* 'any' */
	for (i = 0; s->t.suites[i] != 0; i++) {
		e = suite_expansion(mbedtls_ssl_get_ciphersuite_name(s->t.suites[i]));
		exp = e > exp ? e : exp;
	}
	/* --cid: the CID in each record, the inner content type and padding up to
	 * MBEDTLS_SSL_CID_TLS1_3_PADDING_GRANULARITY (16, used for DTLS 1.2 CID records too) */
	if (s->t.sec.cid)
		exp += SEC_CID_LEN + MBEDTLS_SSL_CID_TLS1_3_PADDING_GRANULARITY;
	room = s->mtu - DTLS_REC_HDR - exp;
	return room < MBEDTLS_SSL_OUT_CONTENT_LEN ? room : MBEDTLS_SSL_OUT_CONTENT_LEN;
}

static int dtls_init(void *state, const struct tp_conf *conf)
{
	struct dtls_state *s = state;
	int r;

	mbedtls_ssl_cookie_init(&s->cookie);
	s->cookies = !conf->no_cookie;
	s->conns_max = conf->conns > 1 ? conf->conns : 1;
	sec_dtls_conf(conf, &s->hs_min_ms, &s->hs_max_ms, &s->mtu);
	r = tls_ctx_init(&s->t, conf, 1);
	if (r != 0) {
		tls_ctx_free(&s->t);
		mbedtls_ssl_cookie_free(&s->cookie);
		return r;
	}
	mbedtls_ssl_conf_handshake_timeout(&s->t.conf, s->hs_min_ms, s->hs_max_ms);
	s->budget_ms = sec_hs_budget(s->hs_min_ms, s->hs_max_ms, s->t.sec.hs_deadline_ms);
	s->max_payload = max_payload(s);
	if (conf->server)
		dtls_srv_conf(s);
	sec_listen_init(&s->dl, s->t.sec.prog, &s->t.sec.lh);
	if (conf->server && s->t.sec.cid) {
		r = sec_cids_init(&s->cids, s->t.sec.prog);
		if (r != 0) {
			tls_ctx_free(&s->t);
			mbedtls_ssl_cookie_free(&s->cookie);
			return r;
		}
		s->dl.cids = &s->cids;
	}
	return 0;
}

static void dtls_fini(void *state)
{
	struct dtls_state *s = state;

	if (s->t.sec.server)
		dtls_srv_report(s);
	tls_ctx_free(&s->t);
	mbedtls_ssl_cookie_free(&s->cookie);
	sec_cids_free(&s->cids);
}

static uint32_t dtls_max(void *state)
{
	const struct dtls_state *s = state;

	return s->max_payload;
}

static int dtls_new(void *state, int h, const char *peer, void **conn)
{
	return dtls_conn_new(state, h, peer, (struct dtls_conn **)conn);
}

static int dtls_accept(void *state, int timeout_ms, void **conn)
{
	return dtls_srv_accept(state, timeout_ms, (struct dtls_conn **)conn);
}

static int dtls_handshake(void *conn)
{
	return dtls_conn_handshake(conn);
}

static int dtls_send(void *conn, const uint8_t *buf, size_t len)
{
	struct dtls_conn *d = conn;

	return tls_conn_send(d->c, buf, len);
}

static int dtls_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct dtls_conn *d = conn;

	if (d->s->t.sec.server)
		return dtls_srv_recv(d, buf, cap, timeout_ms);
	return tls_conn_recv(d->c, buf, cap, timeout_ms);
}

/* close_notify, not waiting for the peer's (tls_conn_close on datagrams): it may be lost,
 * and a run ends with an acknowledged END. Its failure (e.g. the peer's port already
 * closed) does not undo an acknowledged message. */
static int dtls_close(void *conn, int timeout_ms)
{
	struct dtls_conn *d = conn;

	tls_conn_close(d->c, timeout_ms);
	if (d->s->t.sec.server)
		dtls_srv_forget(d);
	dtls_conn_free(d);
	return 0;
}

static void dtls_abort(void *conn)
{
	struct dtls_conn *d = conn;

	tls_conn_abort(d->c);
	if (d->s->t.sec.server)
		dtls_srv_forget(d);
	dtls_conn_free(d);
}

static uint32_t dtls_retrans(void *conn)
{
	const struct dtls_conn *d = conn;

	return d->retrans;
}

static void dtls_names(void *conn, struct sec_names *n)
{
	struct dtls_conn *d = conn;

	tls_conn_names(d->c, n);
}

static struct sec_io *dtls_io(void *conn)
{
	struct dtls_conn *d = conn;

	return &d->c->io;
}

static const char *dtls_peer(void *conn)
{
	const struct dtls_conn *d = conn;

	return d->c->peer;
}

const struct sec_ops sec_dtls_ops = {
	.state_size = sizeof(struct dtls_state),
	.init = dtls_init,
	.fini = dtls_fini,
	.lh_offset = offsetof(struct dtls_state, t.sec.lh),
	.max_msg = dtls_max,
	.conn_new = dtls_new,
	.accept = dtls_accept,
	.handshake = dtls_handshake,
	.send = dtls_send,
	.recv = dtls_recv,
	.close = dtls_close,
	.abort = dtls_abort,
	.retrans = dtls_retrans,
	.names = dtls_names,
	.io = dtls_io,
	.peer = dtls_peer,
	.state_name = tls_state_name,
};
