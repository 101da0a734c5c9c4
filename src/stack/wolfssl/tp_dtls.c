/*
 * tp_dtls.c - what the dtls transport (sec_tp.c) needs of the wolfssl stack: DTLS 1.2 or
 * (--tls 1.3) DTLS 1.3 over UDP (ports/) under wolfSSL 5.9, mutual authentication,
 * stateless cookies (wolf_dsrv.c: HelloVerifyRequest; wolf_dsrv13.c: HelloRetryRequest),
 * the MTU, the handshake retransmission timer (wolf_timer.c, run by wolf_conn.c) and
 * --cid (DTLS 1.2 Connection ID: wolf_cid.c).
 */
#include <stddef.h>
#include <string.h>

#include "sec_opts.h"
#include "sec_tp.h"
#include "wolf_dsrv.h"

#define WOLF_MAX_MTU 16384u /* wolfSSL_dtls_set_mtu refuses more (MAX_RECORD_SIZE) */

/* Record expansion of a DTLS 1.2 suite (wolfSSL names): AES-GCM/CCM 8-byte explicit nonce
 * + 16-byte tag (CCM-8: 8), ChaCha20-Poly1305 tag only, CBC IV + MAC + padding. */
static uint32_t suite_expansion(const char *name)
{
	if (strstr(name, "CCM-8") != NULL || strstr(name, "CCM8") != NULL)
		return 16;
	if (strstr(name, "GCM") != NULL || strstr(name, "CCM") != NULL)
		return 24;
	if (strstr(name, "CHACHA20-POLY1305") != NULL)
		return 16;
	return 32u + (strstr(name, "SHA384") ? 48u : strstr(name, "SHA256") ? 32u : 20u);
}

/* The largest payload one record carries at the MTU, for the listed suite with the
 * largest expansion, as wolfSSL 5.5 computes it (wolfSSL_GetMaxFragSize): it reserves a
 * handshake header (12 bytes) in every record, and one more block with CBC. The pinned
 * suites (AES-128-GCM): mtu - 49, where Mbed TLS allows mtu - 37. */
static uint32_t max_payload(const struct wolf_dstate *s)
{
	const char *name = s->t.suite_max[0] != '\0' ? s->t.suite_max : "any-CBC-SHA384";
	uint32_t exp = suite_expansion(name);

	/* DTLS 1.3 (RFC 9147 4): wolfSSL's unified header (flags, 16-bit sequence number,
	 * length: 5 bytes), the inner content type, the AEAD tag (CCM-8: 8 bytes) */
	if (s->t.dtls13)
		return s->mtu - 5u - 1u -
		       (strstr(name, "CCM-8") || strstr(name, "CCM8") ? 8u : 16u);
	if (exp > 24)
		exp += 16; /* CBC: wolfSSL's extra block */
	/* --cid: a client's records carry the server's CID and the inner content type (wolfSSL
	 * pads none); a server's carry neither (its client's CID is empty) */
	if (s->t.sec.cid && !s->t.sec.server)
		exp += SEC_CID_LEN + 1;
	return s->mtu - DTLS_REC_HDR - DTLS_HS_HDR - exp;
}

static int dtls_init(void *state, const struct tp_conf *conf)
{
	struct wolf_dstate *s = state;
	int r;

	if (conf->no_cookie)
		return sec_opts_refuse(
		        conf, "wolfssl", "no-cookie",
		        "its DTLS server always sends a cookie: HelloVerifyRequest, DTLS 1.3: "
		        "HelloRetryRequest");
	if (conf->mtu > WOLF_MAX_MTU)
		return sec_opts_refuse(conf, "wolfssl", "mtu",
		                       "wolfSSL_dtls_set_mtu takes at most 16384");
	s->conns_max = conf->conns > 1 ? conf->conns : 1;
	r = wolf_ctx_init(&s->t, conf, 1);
	sec_dtls_conf(conf, &s->t.hs_min_ms, &s->t.hs_max_ms, &s->mtu);
	if (r == 0)
		r = wolfSSL_CTX_dtls_set_mtu(s->t.ctx, s->mtu) == WOLFSSL_SUCCESS ? 0 : ACK_ERR_ARG;
	if (r == 0 && conf->server)
		r = wolf_dsrv_init(s);
	if (r != 0) {
		wolf_ctx_free(&s->t);
		return r;
	}
	s->budget_ms = sec_hs_budget(s->t.hs_min_ms, s->t.hs_max_ms, s->t.sec.hs_deadline_ms);
	s->max_payload = max_payload(s);
	return 0;
}

static void dtls_fini(void *state)
{
	struct wolf_dstate *s = state;

	if (s->t.sec.server)
		wolf_dsrv_report(s);
	wolf_dsrv13_free(s);
	wolf_ctx_free(&s->t);
	wolf_cid_free(s);
}

static uint32_t dtls_max(void *state)
{
	const struct wolf_dstate *s = state;

	return s->max_payload;
}

static int dtls_accept(void *state, int timeout_ms, void **conn)
{
	return wolf_dsrv_accept(state, timeout_ms, (struct wolf_conn **)conn);
}

static int dtls_handshake(void *conn)
{
	struct wolf_conn *c = conn;

	return c->t->sec.server ? wolf_dsrv_handshake(c) : wolf_conn_handshake(c);
}

static int dtls_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct wolf_conn *c = conn;

	if (c->t->sec.server)
		return wolf_dsrv_recv(c, buf, cap, timeout_ms);
	return wolf_conn_recv(c, buf, cap, timeout_ms);
}

/* close_notify, not waiting for the peer's (it may be lost; a run ends with an
 * acknowledged END). Its failure does not undo an acknowledged message. */
static int dtls_close(void *conn, int timeout_ms)
{
	wolf_conn_close(conn, timeout_ms);
	return 0;
}

const struct sec_ops sec_dtls_ops = {
	.state_size = sizeof(struct wolf_dstate),
	.init = dtls_init,
	.fini = dtls_fini,
	.lh_offset = offsetof(struct wolf_dstate, t.sec.lh),
	.max_msg = dtls_max,
	.conn_new = wolf_conn_new_ops,
	.accept = dtls_accept,
	.handshake = dtls_handshake,
	.send = wolf_conn_send,
	.recv = dtls_recv,
	.close = dtls_close,
	.abort = wolf_conn_abort,
	.retrans = wolf_conn_retrans,
	.names = wolf_conn_names,
	.io = wolf_conn_io,
	.peer = wolf_conn_peer,
};
