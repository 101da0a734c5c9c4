/*
 * tp_dtls.c - what the dtls transport (sec_tp.c) needs of the openssl stack: DTLS 1.2 over UDP
 * (ports/) under OpenSSL 3.0, mutual authentication, HelloVerifyRequest cookies (dtls_srv.c:
 * DTLSv1_listen), the retransmission timer counted (DTLS_set_timer_cb, ossl_conn.c).
 * Here: the handshake timeouts and the largest message one record carries at --mtu.
 */
#include <stddef.h>
#include <string.h>

#include "dtls_wire.h"
#include "ossl.h"
#include "sec_tp.h"

#define AEAD_EXPANSION  24u /* AES-GCM/CCM: 8-byte explicit nonce + 16-byte tag */
#define WORST_EXPANSION 80u /* CBC + HMAC-SHA384: 16 IV + 48 MAC + 16 padding */
#define MAX_PLAIN       16384u

/* Record expansion of a DTLS 1.2 suite by its OpenSSL name. */
static uint32_t suite_expansion(const char *name)
{
	if (strstr(name, "GCM") != NULL || strstr(name, "CCM") != NULL)
		return AEAD_EXPANSION; /* CCM8 is 16 */
	if (strstr(name, "CHACHA20-POLY1305") != NULL)
		return 16; /* tag only, implicit nonce */
	if (strstr(name, "SHA384") != NULL)
		return 32u + 48u;
	if (strstr(name, "SHA256") != NULL)
		return 32u + 32u;
	return 32u + 20u; /* CBC with HMAC-SHA1 */
}

/* The largest payload one record carries at the MTU: the worst of the suites allowed. */
static uint32_t max_payload(const struct ossl_ctx *t)
{
	STACK_OF(SSL_CIPHER) *l = SSL_CTX_get_ciphers(t->ctx);
	uint32_t exp = 0, e, room;
	int i;

	for (i = 0; l != NULL && i < sk_SSL_CIPHER_num(l); i++) {
		const char *name = SSL_CIPHER_get_name(sk_SSL_CIPHER_value(l, i));

		if (strncmp(name, "TLS_", 4) == 0)
			continue; /* the TLS 1.3 suites the list also holds: not for DTLS 1.2 */
		e = suite_expansion(name);
		exp = e > exp ? e : exp;
	}
	if (exp == 0)
		exp = WORST_EXPANSION;
	room = t->mtu - DTLS_REC_HDR - exp;
	return room < MAX_PLAIN ? room : MAX_PLAIN;
}

static int dtls_init(void *state, const struct tp_conf *conf)
{
	struct ossl_ctx *t = state;
	int r = ossl_ctx_init(t, conf, 1);

	if (r == 0) {
		t->cookies = !conf->no_cookie;
		sec_dtls_conf(conf, &t->hs_min_ms, &t->hs_max_ms, &t->mtu);
		t->budget_ms = sec_hs_budget(t->hs_min_ms, t->hs_max_ms, t->sec.hs_deadline_ms);
		t->max_payload = max_payload(t);
		if (conf->server)
			r = ossl_dtls_srv_conf(t);
	}
	if (r != 0)
		ossl_ctx_free(t);
	return r;
}

static void dtls_fini(void *state)
{
	struct ossl_ctx *t = state;

	if (t->sec.server)
		ossl_dtls_srv_report(t);
	ossl_ctx_free(t);
}

static uint32_t dtls_max(void *state)
{
	const struct ossl_ctx *t = state;

	return t->max_payload;
}

static int dtls_accept(void *state, int timeout_ms, void **conn)
{
	return ossl_dtls_accept(state, timeout_ms, (struct ossl_conn **)conn);
}

static int dtls_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct ossl_conn *c = conn;

	if (c->t->sec.server)
		return ossl_dtls_srv_recv(c, buf, cap, timeout_ms);
	return ossl_conn_recv(c, buf, cap, timeout_ms);
}

/* close_notify, not waiting for the peer's; its failure does not undo an acked message. */
static int dtls_close(void *conn, int timeout_ms)
{
	ossl_conn_close(conn, timeout_ms);
	return 0;
}

const struct sec_ops sec_dtls_ops = {
	.state_size = sizeof(struct ossl_ctx),
	.init = dtls_init,
	.fini = dtls_fini,
	.lh_offset = offsetof(struct ossl_ctx, sec.lh),
	.max_msg = dtls_max,
	.conn_new = ossl_tp_new,
	.accept = dtls_accept,
	.handshake = ossl_conn_handshake,
	.send = ossl_conn_send,
	.recv = dtls_recv,
	.close = dtls_close,
	.abort = ossl_conn_abort,
	.retrans = ossl_conn_retrans,
	.names = ossl_conn_names,
	.io = ossl_tp_io,
	.peer = ossl_tp_peer,
	.state_name = ossl_state_name,
};
