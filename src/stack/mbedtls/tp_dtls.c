/*
 * tp_dtls.c - the dtls transport: DTLS 1.2 over UDP (ports/) under Mbed TLS 3.6, mutual
 * authentication (verify-required both sides), HelloVerifyRequest cookies. The TLS work is
 * tls_common.c / tls_conn.c, shared with tls; the datagram parts are dtls_conn.c (timer,
 * MTU, retransmissions) and dtls_srv.c (the server's listening socket, cookies,
 * reconnects); the server's flight is read from the wire by sec_io.c. Here: the handshake
 * timeouts, and the largest message one record carries at the MTU. The options are
 * sec_opts.h's shared table.
 */
#include <stdlib.h>
#include <string.h>

#include "dtls_srv.h"
#include "stack.h"
#include "transport.h"

#define DTLS_HS_MIN_MS  500u /* LAN defaults (notes item 8); app.c sets the same */
#define DTLS_HS_MAX_MS  8000u
#define DTLS_MTU        1400u /* 1500-byte Ethernet - IPv6 (40) - UDP (8), 52 bytes spare */
#define AEAD_EXPANSION  24u   /* AES-GCM/CCM: 8-byte explicit nonce + 16-byte tag */
#define WORST_EXPANSION 80u   /* CBC + HMAC-SHA384: 16 IV + 48 MAC + 16 padding */

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
	room = s->mtu - DTLS_REC_HDR - exp;
	return room < MBEDTLS_SSL_OUT_CONTENT_LEN ? room : MBEDTLS_SSL_OUT_CONTENT_LEN;
}

static int dtls_setup(const struct tp_conf *conf, void **state)
{
	struct dtls_state *s = calloc(1, sizeof(*s));
	int r;

	if (s == NULL)
		return ACK_ERR_NOMEM;
	mbedtls_ssl_cookie_init(&s->cookie);
	s->cookies = !conf->no_cookie;
	s->conns_max = conf->conns > 1 ? conf->conns : 1;
	s->hs_min_ms = conf->hs_timeout[1] ? conf->hs_timeout[0] : DTLS_HS_MIN_MS;
	s->hs_max_ms = conf->hs_timeout[1] ? conf->hs_timeout[1] : DTLS_HS_MAX_MS;
	s->mtu = (uint16_t)(conf->mtu ? conf->mtu : DTLS_MTU);
	r = tls_ctx_init(&s->t, conf, 1);
	if (r != 0) {
		tls_ctx_free(&s->t);
		mbedtls_ssl_cookie_free(&s->cookie);
		free(s);
		return r;
	}
	mbedtls_ssl_conf_handshake_timeout(&s->t.conf, s->hs_min_ms, s->hs_max_ms);
	s->budget_ms = sec_hs_budget(s->hs_min_ms, s->hs_max_ms, s->t.hs_deadline_ms);
	s->max_payload = max_payload(s);
	if (conf->server)
		dtls_srv_conf(s);
	*state = s;
	return 0;
}

static void dtls_teardown(void *state)
{
	struct dtls_state *s = state;

	if (s == NULL)
		return;
	if (s->t.server)
		dtls_srv_report(s);
	tls_ctx_free(&s->t);
	mbedtls_ssl_cookie_free(&s->cookie);
	free(s);
}

static uint32_t dtls_max(void *state, const struct port_addr *peer)
{
	const struct dtls_state *s = state;

	(void)peer;
	return s->max_payload;
}

static int dtls_dial(void *state, const struct port_addr *peer, void **conn)
{
	char name[80];
	int h = port_udp_connect(peer);

	if (h < 0)
		return h;
	port_addr_str(peer, name, sizeof(name));
	return dtls_conn_new(state, h, name, (struct dtls_conn **)conn);
}

static int dtls_listen(void *state, const struct port_addr *bind, uint16_t *port)
{
	struct dtls_state *s = state;

	s->t.lh = port_listen(bind, 1, port);
	return s->t.lh < 0 ? s->t.lh : 0;
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

	return tls_conn_send(d->c, buf, len); /* one record: len <= max_payload (app.c) */
}

static int dtls_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct dtls_conn *d = conn;

	if (d->s->t.server)
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
	if (d->s->t.server)
		dtls_srv_forget(d);
	dtls_conn_free(d);
	return 0;
}

static void dtls_abort(void *conn)
{
	struct dtls_conn *d = conn;

	tls_conn_abort(d->c);
	if (d->s->t.server)
		dtls_srv_forget(d);
	dtls_conn_free(d);
}

static void dtls_info(void *conn, struct tp_info *out)
{
	struct dtls_conn *d = conn;

	tls_conn_info(d->c, out);
	out->hs_retrans = d->retrans;
}

static void dtls_describe(void *conn, char *buf, size_t len)
{
	struct dtls_conn *d = conn;

	tls_conn_describe(d->c, buf, len);
}

static void dtls_peer(void *conn, char *buf, size_t len)
{
	const struct dtls_conn *d = conn;

	snprintf(buf, len, "%s", d->c->peer);
}

static void dtls_timeline(void *conn, struct timeline *tl)
{
	struct dtls_conn *d = conn;

	sec_io_timeline(&d->c->io, tl);
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
	.state_name = tls_state_name,
};
