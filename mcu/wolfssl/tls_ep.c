/* tls_ep.c - an endpoint of mcu/tls.h on wolfSSL: the context over the in-memory link
 * (wolfSSL's custom I/O callbacks) and the calls hs.c and xchg.c make inside each side's
 * measured calls. wolfSSL returns WOLFSSL_SUCCESS or a code for wolfSSL_get_error(); here
 * 0 or that (negative) code, TLS_WANT for "the peer's bytes are needed". */
#include "hs.h"

static int ep_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	(void)ssl;
	return link_send(((struct hs_ep *)ctx)->tx, (const unsigned char *)buf, (size_t)sz);
}

static int ep_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	(void)ssl;
	return link_recv(((struct hs_ep *)ctx)->rx, (unsigned char *)buf, (size_t)sz);
}

/* A failed call's code: TLS_WANT/TLS_WANT_WRITE, TLS_CLOSED, or the error (kept). */
static int fail(struct hs_ep *e, int ret)
{
	int err = wolfSSL_get_error(e->tls.ssl, ret);

	if (err == WOLFSSL_ERROR_WANT_READ)
		return TLS_WANT;
	if (err == WOLFSSL_ERROR_WANT_WRITE)
		return TLS_WANT_WRITE;
	if (err == WOLFSSL_ERROR_ZERO_RETURN)
		return TLS_CLOSED;
	if (err >= 0)
		err = WOLFSSL_FATAL_ERROR;
	e->tls.err = err;
	return err;
}

int tls_open(struct hs_ep *e)
{
	WOLFSSL *ssl;
	word16 group = (word16)e->conf->group;

	e->tls.err = 0;
	ssl = e->tls.ssl = wolfSSL_new(e->conf->ctx);
	if (ssl == NULL)
		return MEMORY_E;
	wolfSSL_SSLSetIORecv(ssl, ep_recv);
	wolfSSL_SSLSetIOSend(ssl, ep_send);
	wolfSSL_SetIOReadCtx(ssl, e);
	wolfSSL_SetIOWriteCtx(ssl, e);
	if (e->server)
		return 0;
	if (wolfSSL_check_domain_name(ssl, "localhost") != WOLFSSL_SUCCESS)
		return BAD_FUNC_ARG;
	/* TLS 1.3: the key share of the one group offered, so that no HelloRetryRequest is
	 * needed (RFC 8446 4.2.8). */
	if (e->conf->tls13 && wolfSSL_UseKeyShare(ssl, group) != WOLFSSL_SUCCESS)
		return BAD_FUNC_ARG;
	if (e->have_session && wolfSSL_set_session(ssl, e->session->s) != WOLFSSL_SUCCESS)
		return BAD_FUNC_ARG;
	return 0;
}

int tls_handshake(struct hs_ep *e)
{
	int r = e->server ? wolfSSL_accept(e->tls.ssl) : wolfSSL_connect(e->tls.ssl);

	return r == WOLFSSL_SUCCESS ? 0 : fail(e, r);
}

int tls_write(struct hs_ep *e, const uint8_t *p, size_t len)
{
	int n = wolfSSL_write(e->tls.ssl, p, (int)len);

	return n > 0 ? n : fail(e, n);
}

int tls_read(struct hs_ep *e, uint8_t *p, size_t len)
{
	int n = wolfSSL_read(e->tls.ssl, p, (int)len);

	return n > 0 ? n : fail(e, n);
}

int tls_keep_session(struct hs_ep *e)
{
	if (e->session->s != NULL)
		wolfSSL_SESSION_free(e->session->s);
	e->session->s = wolfSSL_get1_session(e->tls.ssl);
	return e->session->s != NULL;
}

int tls_close_notify(struct hs_ep *e)
{
	int r = wolfSSL_shutdown(e->tls.ssl);

	/* Sent; NOT_DONE: the peer's close_notify is still to come. */
	return r == WOLFSSL_SUCCESS || r == WOLFSSL_SHUTDOWN_NOT_DONE ? 0 : fail(e, r);
}

void tls_free(struct hs_ep *e)
{
	wolfSSL_free(e->tls.ssl);
	e->tls.ssl = NULL;
}

uint32_t tls_verify_result(const struct hs_ep *e)
{
	/* Verification is required: a side that finished verified its peer; a refusal is its
	 * error (ASN_NO_SIGNER_E: not issued by a CA it trusts). */
	return e->tls.err < 0 ? (uint32_t)-e->tls.err : 0;
}

const char *tls_suite(const struct hs_ep *e)
{
	const char *s = wolfSSL_get_cipher_name(e->tls.ssl);

	return s != NULL ? s : "-";
}

int tls_refused_untrusted(int err, uint32_t verify)
{
	(void)verify;
	return err == ASN_NO_SIGNER_E;
}
