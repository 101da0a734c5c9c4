/*
 * tp_dtls.c - the dtls transport of the openssl stack: DTLS 1.2 over UDP (ports/) under
 * OpenSSL 3.0, mutual authentication, HelloVerifyRequest cookies (dtls_srv.c:
 * DTLSv1_listen), the retransmission timer counted (DTLS_set_timer_cb, ossl_conn.c).
 * Here: the handshake timeouts and the largest message one record carries at --mtu.
 */
#include <stdlib.h>
#include <string.h>

#include "dtls_wire.h"
#include "ossl.h"
#include "stack.h"

#define DTLS_HS_MIN_MS  500u
#define DTLS_HS_MAX_MS  8000u
#define DTLS_MTU        1400u
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

static int dtls_setup(const struct tp_conf *conf, void **state)
{
	struct ossl_ctx *t = malloc(sizeof(*t));
	int r;

	if (t == NULL)
		return ACK_ERR_NOMEM;
	r = ossl_ctx_init(t, conf, 1);
	if (r == 0) {
		t->cookies = !conf->no_cookie;
		t->hs_min_ms = conf->hs_timeout[1] ? conf->hs_timeout[0] : DTLS_HS_MIN_MS;
		t->hs_max_ms = conf->hs_timeout[1] ? conf->hs_timeout[1] : DTLS_HS_MAX_MS;
		t->mtu = (uint16_t)(conf->mtu ? conf->mtu : DTLS_MTU);
		t->budget_ms = sec_hs_budget(t->hs_min_ms, t->hs_max_ms, t->hs_deadline_ms);
		t->max_payload = max_payload(t);
		if (conf->server)
			r = ossl_dtls_srv_conf(t);
	}
	if (r != 0) {
		ossl_ctx_free(t);
		free(t);
		return r;
	}
	*state = t;
	return 0;
}

static void dtls_teardown(void *state)
{
	struct ossl_ctx *t = state;

	if (t == NULL)
		return;
	if (t->server)
		ossl_dtls_srv_report(t);
	ossl_ctx_free(t);
	free(t);
}

static uint32_t dtls_max(void *state, const struct port_addr *peer)
{
	const struct ossl_ctx *t = state;

	(void)peer;
	return t->max_payload;
}

static int dtls_dial(void *state, const struct port_addr *peer, void **conn)
{
	char name[80];
	int h = port_udp_connect(peer);

	if (h < 0)
		return h;
	port_addr_str(peer, name, sizeof(name));
	return ossl_conn_new(state, h, name, (struct ossl_conn **)conn);
}

static int dtls_listen(void *state, const struct port_addr *bind, uint16_t *port)
{
	struct ossl_ctx *t = state;

	t->lh = port_listen(bind, 1, port);
	return t->lh < 0 ? t->lh : 0;
}

static int dtls_accept(void *state, int timeout_ms, void **conn)
{
	return ossl_dtls_accept(state, timeout_ms, (struct ossl_conn **)conn);
}

static int dtls_handshake(void *conn)
{
	return ossl_conn_handshake(conn);
}

static int dtls_send(void *conn, const uint8_t *buf, size_t len)
{
	return ossl_conn_send(conn, buf, len); /* one record: len <= max_payload (app.c) */
}

static int dtls_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct ossl_conn *c = conn;

	if (c->t->server)
		return ossl_dtls_srv_recv(c, buf, cap, timeout_ms);
	return ossl_conn_recv(c, buf, cap, timeout_ms);
}

/* close_notify, not waiting for the peer's; its failure does not undo an acked message. */
static int dtls_close(void *conn, int timeout_ms)
{
	ossl_conn_close(conn, timeout_ms);
	return 0;
}

static void dtls_abort(void *conn)
{
	ossl_conn_abort(conn);
}

static void dtls_info(void *conn, struct tp_info *out)
{
	ossl_conn_info(conn, out);
}

static void dtls_describe(void *conn, char *buf, size_t len)
{
	ossl_conn_describe(conn, buf, len);
}

static void dtls_peer(void *conn, char *buf, size_t len)
{
	const struct ossl_conn *c = conn;

	snprintf(buf, len, "%s", c->peer);
}

static void dtls_timeline(void *conn, struct timeline *tl)
{
	struct ossl_conn *c = conn;

	sec_io_timeline(&c->io, tl);
}

const struct transport tp_dtls = {
	.name = "dtls",
	.datagram = 1,
	.default_port = 5004,
	.default_sizes = "32,64,256,1K,4K,16K",
	.stack = &sec_stack,
	.cols = TP_COL_COOKIE,
	.setup = dtls_setup,
	.teardown = dtls_teardown,
	.max_msg = dtls_max,
	.dial = dtls_dial,
	.listen = dtls_listen,
	.accept = dtls_accept,
	.handshake = dtls_handshake,
	.send = dtls_send,
	.recv = dtls_recv,
	.close = dtls_close,
	.abort = dtls_abort,
	.info = dtls_info,
	.describe = dtls_describe,
	.peer = dtls_peer,
	.timeline = dtls_timeline,
	.state_name = ossl_state_name,
};
