/*
 * tls_psk.c - pre-shared key authentication on the mbedtls stack (--psk, tls_common.h):
 * the PSK suites and TLS 1.3 key exchange modes of the mode asked for, the client's key and
 * identity, the server's identity check.
 */
#include "tls_common.h"

#include <string.h>

#include "port.h"

/* No certificates: AES-128-GCM as the certificate runs pin, except for ECDHE_PSK, whose
 * only AES suites in Mbed TLS 3.6 are CBC ones (docs/tls-dtls.md). */
static const char *const psk_suites[] = { "TLS1-3-AES-128-GCM-SHA256",
	                                  "TLS-PSK-WITH-AES-128-GCM-SHA256" };
static const char *const psk_dhe_suites[] = { "TLS1-3-AES-128-GCM-SHA256",
	                                      "TLS-ECDHE-PSK-WITH-AES-128-CBC-SHA256" };

/* Server: the identity the client named must be ours; then the handshake uses our key. */
static int psk_cb(void *p, mbedtls_ssl_context *ssl, const unsigned char *id, size_t len)
{
	const struct tls_ctx *t = p;
	struct tls_conn *c = mbedtls_ssl_get_user_data_p(ssl);

	if (sec_psk_known(&t->sec, id, len))
		return mbedtls_ssl_set_hs_psk(ssl, t->sec.psk, t->sec.psk_len);
	if (c != NULL)
		c->psk_unknown = 1;
	return -1;
}

void tls_conn_psk_hint(struct tls_conn *c, int r)
{
	if (c->psk_unknown || c->io.err != 0 || r == MBEDTLS_ERR_SSL_CONN_EOF ||
	    r == MBEDTLS_ERR_SSL_TIMEOUT)
		return;
	sec_psk_hint(&c->t->sec, c->peer);
}

int tls_ctx_psk(struct tls_ctx *t, int user_suites)
{
	const char *const *names = t->sec.auth == SEC_AUTH_PSK ? psk_suites : psk_dhe_suites;
	unsigned i, n = 0;
	int r;

	if (t->sec.psk_len > MBEDTLS_PSK_MAX_LEN) {
		fprintf(stderr, "%s: --psk: a %u-byte key: the mbedtls stack takes at most %u\n",
		        t->sec.prog, (unsigned)t->sec.psk_len, (unsigned)MBEDTLS_PSK_MAX_LEN);
		return ACK_ERR_ARG;
	}
	if (!user_suites) {
		for (i = 0; i < 2; i++) {
			int id = mbedtls_ssl_get_ciphersuite_id(names[i]);

			if (id != 0)
				t->suites[n++] = id;
		}
		t->suites[n] = 0;
		mbedtls_ssl_conf_ciphersuites(&t->conf, t->suites);
		if (n == 0) {
			fprintf(stderr,
			        "%s: --psk-mode %s: not supported by the mbedtls stack (no "
			        "such suite in this build)\n",
			        t->sec.prog, sec_auth_name(t->sec.auth));
			return ACK_ERR_ARG;
		}
	}
	/* No certificates on either side: nothing to verify. */
	mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_NONE);
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
	mbedtls_ssl_conf_tls13_key_exchange_modes(
	        &t->conf, t->sec.auth == SEC_AUTH_PSK
	                          ? MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK
	                          : MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL);
#endif
	if (t->sec.server) {
		mbedtls_ssl_conf_psk_cb(&t->conf, psk_cb, t);
		return 0;
	}
	r = mbedtls_ssl_conf_psk(&t->conf, t->sec.psk, t->sec.psk_len,
	                         (const unsigned char *)t->sec.psk_id, strlen(t->sec.psk_id));
	return r;
}
