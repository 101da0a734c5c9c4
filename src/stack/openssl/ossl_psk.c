/*
 * ossl_psk.c - pre-shared key authentication on the openssl stack (--psk, ossl.h): the PSK
 * suites of the mode asked for, the TLS 1.3 key exchange modes, the client's key and
 * identity, the server's identity check. OpenSSL's PSK callbacks serve TLS 1.2 and, with
 * TLS_AES_128_GCM_SHA256 and SHA-256, TLS 1.3 external PSKs as well
 * (SSL_CTX_set_psk_client_callback(3)): one pair of callbacks for every version.
 */

#include <openssl/err.h>

#include "ossl.h"

/* The suites Mbed TLS picks too (docs/tls-dtls.md): OpenSSL has no ECDHE_PSK suite with
 * AES-GCM either, the AES-128 one is CBC-SHA256. */
#define PSK_SUITES_12     "PSK-AES128-GCM-SHA256"
#define PSK_DHE_SUITES_12 "ECDHE-PSK-AES128-CBC-SHA256"
#define PSK_SUITES_13     "TLS_AES_128_GCM_SHA256"

static const struct ossl_ctx *ctx_of(SSL *ssl)
{
	return SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
}

static unsigned int client_cb(SSL *ssl, const char *hint, char *id, unsigned int id_max,
                              unsigned char *psk, unsigned int psk_max)
{
	(void)hint; /* ours never send one */
	return sec_psk_give(&ctx_of(ssl)->sec, id, id_max, psk, psk_max);
}

/* Server: the identity must be ours (else 0: TLS 1.2 sends unknown_psk_identity, TLS 1.3
 * goes on without a PSK and fails, having no certificate). */
static unsigned int server_cb(SSL *ssl, const char *id, unsigned char *psk, unsigned int psk_max)
{
	struct ossl_conn *c = SSL_get_app_data(ssl);

	return sec_psk_take(&ctx_of(ssl)->sec, id, psk, psk_max, c ? &c->psk_unknown : NULL);
}

int ossl_ctx_psk(struct ossl_ctx *t, int user_suites)
{
	int psk_ke = t->sec.auth == SEC_AUTH_PSK;

	/* No certificates on either side: nothing to verify, none asked for. */
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_NONE, NULL);
	if (!user_suites) {
		if (!t->sec.datagram && SSL_CTX_set_ciphersuites(t->ctx, PSK_SUITES_13) != 1)
			return ossl_err_keep("SSL_CTX_set_ciphersuites");
		if (SSL_CTX_set_cipher_list(t->ctx, psk_ke ? PSK_SUITES_12 : PSK_DHE_SUITES_12) !=
		    1)
			return ossl_err_keep("SSL_CTX_set_cipher_list");
	}
	/* TLS 1.3: psk_ke allowed only in psk mode; a server then prefers it. OpenSSL's client
	 * always offers psk_dhe_ke (and a key share) as well, psk_ke only beside it. */
	if (psk_ke)
		SSL_CTX_set_options(t->ctx, SSL_OP_ALLOW_NO_DHE_KEX |
		                                    (t->sec.server ? SSL_OP_PREFER_NO_DHE_KEX : 0));
	if (t->sec.server)
		SSL_CTX_set_psk_server_callback(t->ctx, server_cb);
	else
		SSL_CTX_set_psk_client_callback(t->ctx, client_cb);
	return 0;
}
