/* tls_ep.c - an endpoint of mcu/tls.h on Mbed TLS: the context over the in-memory link
 * (mbedtls_ssl_set_bio), its DTLS timer, and the calls hs.c and xchg.c make inside each
 * side's measured calls. */
#include "hs.h"
#include "port.h"

/* The server's name for its one client (cookies bind to it, RFC 6347 4.2.1). */
static const unsigned char client_id[] = "in-image-client";

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
	struct tls_conn *t = &((struct hs_ep *)ctx)->tls;

	t->timer_start_ns = port_mono_ns();
	t->timer_int_ms = int_ms;
	t->timer_fin_ms = fin_ms;
}

static int timer_get(void *ctx)
{
	struct tls_conn *t = &((struct hs_ep *)ctx)->tls;
	uint64_t ms;

	if (t->timer_fin_ms == 0)
		return -1;
	ms = (port_mono_ns() - t->timer_start_ns) / 1000000u;
	return ms >= t->timer_fin_ms ? 2 : ms >= t->timer_int_ms ? 1 : 0;
}

int tls_open(struct hs_ep *e)
{
	mbedtls_ssl_context *ssl = &e->tls.ssl;
	int r;

	mbedtls_ssl_init(ssl); /* the timer is zero: hs_conn_init cleared the endpoint */
	r = mbedtls_ssl_setup(ssl, &e->conf->c);
	if (r != 0)
		return r;
	mbedtls_ssl_set_bio(ssl, e, ep_send, ep_recv, NULL);
	if (e->dtls)
		mbedtls_ssl_set_timer_cb(ssl, e, timer_set, timer_get);
	if (e->server)
		return e->dtls ? mbedtls_ssl_set_client_transport_id(ssl, client_id,
		                                                     sizeof(client_id) - 1)
		               : 0;
#if defined(TLS_PSK_ONLY)
	r = 0; /* no certificate, so no name to check it against (and no SNI in the config) */
#else
	r = mbedtls_ssl_set_hostname(ssl, "localhost");
#endif
	if (r == 0 && e->have_session)
		r = mbedtls_ssl_set_session(ssl, &e->session->s);
	return r;
}

int tls_handshake(struct hs_ep *e)
{
	mbedtls_ssl_context *ssl = &e->tls.ssl;
	int r = mbedtls_ssl_handshake(ssl);

	if (r == MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED && e->server) {
		/* The cookie round (RFC 6347 4.2.1): start over, the next ClientHello has it. */
		e->hvr = 1;
		r = mbedtls_ssl_session_reset(ssl);
		if (r == 0)
			r = mbedtls_ssl_set_client_transport_id(ssl, client_id,
			                                        sizeof(client_id) - 1);
		return r != 0 ? r : MBEDTLS_ERR_SSL_WANT_READ;
	}
	/* TLS 1.3: a NewSessionTicket before the client's handshake call returned 0; not an
	 * error, call again (the session is taken at close). */
	if (r == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
		return MBEDTLS_ERR_SSL_WANT_READ;
	return r;
}

int tls_write(struct hs_ep *e, const uint8_t *p, size_t len)
{
	return mbedtls_ssl_write(&e->tls.ssl, p, len);
}

int tls_read(struct hs_ep *e, uint8_t *p, size_t len)
{
	return mbedtls_ssl_read(&e->tls.ssl, p, len);
}

int tls_keep_session(struct hs_ep *e)
{
	mbedtls_ssl_session_free(&e->session->s);
	mbedtls_ssl_session_init(&e->session->s);
	return mbedtls_ssl_get_session(&e->tls.ssl, &e->session->s) == 0;
}

int tls_close_notify(struct hs_ep *e)
{
	return mbedtls_ssl_close_notify(&e->tls.ssl);
}

void tls_free(struct hs_ep *e)
{
	mbedtls_ssl_free(&e->tls.ssl);
}

uint32_t tls_verify_result(const struct hs_ep *e)
{
#if defined(TLS_PSK_ONLY)
	/* No certificate to verify (Mbed TLS says 0xffffffff, "not available"): the peer
	 * proved the key with its Finished (and in TLS 1.3 its binder) or the handshake failed. */
	(void)e;
	return 0;
#else
	return mbedtls_ssl_get_verify_result(&e->tls.ssl);
#endif
}

const char *tls_suite(const struct hs_ep *e)
{
	return mbedtls_ssl_get_ciphersuite(&e->tls.ssl);
}

#if defined(TLS_PSK_ONLY)
int tls_refused_untrusted(int err, uint32_t verify)
{
	(void)err;
	(void)verify;
	return 0; /* no certificates in this build */
}

int tls_refused_wrong_key(int err)
{
	/* TLS 1.2 / DTLS 1.2: the client's Finished, under keys from another PSK, does not
	 * decrypt (bad_record_mac); TLS 1.3: the PSK binder of the ClientHello does not
	 * verify (RFC 8446 4.2.11: decrypt_error, which Mbed TLS reports as a failed handshake).
	 */
	return err == MBEDTLS_ERR_SSL_INVALID_MAC || err == MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE;
}
#else
int tls_refused_untrusted(int err, uint32_t verify)
{
	return err == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED &&
	       (verify & MBEDTLS_X509_BADCERT_NOT_TRUSTED) != 0;
}
#endif
