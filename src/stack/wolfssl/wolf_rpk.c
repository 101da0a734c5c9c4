/*
 * wolf_rpk.c - --rpk: raw public keys (RFC 7250) on the wolfssl stack (wolfSSL's HAVE_RPK,
 * stack.mk's --enable-rpk). Both sides send the public key of their --cert/--key pair as
 * a SubjectPublicKeyInfo instead of the certificate and accept only the peer's key pinned
 * by the --rpk file: no CA, no name. Both certificate type lists hold RPK alone, so a peer
 * without RPK fails the handshake rather than falling back to X.509 unseen.
 *
 * wolfSSL parses a received raw public key without any trust check (RFC 7250 leaves that
 * to the application) and 5.9 calls no verify callback for it: the pin is compared here,
 * byte for byte against the DER of the pinned key, as soon as the handshake is over and
 * before any application data; a mismatch ends the connection with one line. The
 * verifying side has sent its Finished by then (the other stacks refuse inside the
 * handshake), so the peer learns it from the closed connection, not from an alert.
 */
#include <stdio.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn_public.h>

#include "wolf_conn.h"

#ifdef HAVE_RPK
static const char rpk_only[] = { WOLFSSL_CERT_TYPE_RPK };

static const char *type_name(int type)
{
	return type == WOLFSSL_CERT_TYPE_RPK    ? "rpk"
	       : type == WOLFSSL_CERT_TYPE_X509 ? "x509"
	                                        : "none";
}

/* The DER SubjectPublicKeyInfo of the PEM "PUBLIC KEY" file path into t->peer_rpk. */
static int read_pin(struct wolf_ctx *t, const char *path)
{
	unsigned char pem[WOLF_RPK_MAX * 2];
	DerBuffer *der = NULL;
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return sec_ctx_fail_load(&t->sec, "rpk", path, "cannot open");
	n = fread(pem, 1, sizeof(pem), f);
	fclose(f);
	if (n > 0 && wc_PemToDer(pem, (long)n, PUBLICKEY_TYPE, &der, NULL, NULL, NULL) == 0 &&
	    der->length <= sizeof(t->peer_rpk)) {
		memcpy(t->peer_rpk, der->buffer, der->length);
		t->peer_rpk_len = der->length;
	}
	wc_FreeDer(&der);
	if (t->peer_rpk_len == 0)
		return sec_ctx_fail(
		        &t->sec, "rpk", path,
		        "no PEM public key in it (make one: openssl pkey -in KEY -pubout)",
		        ACK_ERR_ARG);
	return 0;
}

/* Our own key, the public half of --cert's, loaded as the certificate: wolfSSL sends a
 * loaded SubjectPublicKeyInfo as a raw public key (ssl_load.c, isRPK). */
static int load_own(struct wolf_ctx *t)
{
	WOLFSSL_X509 *x = wolfSSL_X509_load_certificate_file(t->sec.crt, WOLFSSL_FILETYPE_PEM);
	unsigned char der[WOLF_RPK_MAX];
	int n = (int)sizeof(der);

	if (x == NULL || wolfSSL_X509_get_pubkey_buffer(x, der, &n) != WOLFSSL_SUCCESS)
		n = 0;
	wolfSSL_X509_free(x);
	if (n == 0)
		return sec_ctx_fail(&t->sec, "cert", t->sec.crt, "no public key to send as --rpk's",
		                    ACK_ERR_ARG);
	if (wolfSSL_CTX_use_certificate_buffer(t->ctx, der, n, WOLFSSL_FILETYPE_ASN1) !=
	    WOLFSSL_SUCCESS)
		return sec_ctx_fail(&t->sec, "cert", t->sec.crt,
		                    "wolfSSL refused its public key as a raw public key",
		                    ACK_ERR_ARG);
	return 0;
}
#endif

int wolf_rpk_conf(struct wolf_ctx *t)
{
#ifdef HAVE_RPK
	int r;

	if (t->sec.rpk == NULL)
		return 0;
	if ((r = read_pin(t, t->sec.rpk)) != 0 || (r = load_own(t)) != 0)
		return r;
	if (wolfSSL_CTX_set_server_cert_type(t->ctx, rpk_only, sizeof(rpk_only)) !=
	            WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_set_client_cert_type(t->ctx, rpk_only, sizeof(rpk_only)) !=
	            WOLFSSL_SUCCESS) {
		fprintf(stderr, "%s: --rpk: wolfSSL refused the certificate types\n", t->sec.prog);
		return ACK_ERR_PROTO;
	}
	return 0;
#else
	(void)t; /* refused by wolf_ctx_init */
	return 0;
#endif
}

int wolf_rpk_verify(struct wolf_conn *c, int ok, const unsigned char *der, size_t len)
{
	const struct wolf_ctx *t = c->t;

	if (t->sec.rpk == NULL)
		return ok;
	if (!ok || der == NULL)
		return 0;
	if (len == t->peer_rpk_len && memcmp(der, t->peer_rpk, len) == 0) {
		c->rpk_ok = 1;
		return 1;
	}
	c->rpk_bad = 1;
	return 0;
}

int wolf_rpk_refused(const struct wolf_conn *c)
{
	const struct wolf_ctx *t = c->t;

	if (!c->rpk_bad)
		return 0;
	fprintf(stderr, "%s: %s: %s raw public key rejected: not the key pinned by --rpk %s\n",
	        t->sec.prog, c->peer, t->sec.server ? "client" : "server", t->sec.rpk);
	return 1;
}

#ifdef HAVE_RPK
/* wolfSSL 5.9 calls no verify callback for a raw public key: the pin is compared with the
 * peer's key as wolfSSL kept it (the DER it received), once the handshake is over. */
static void peer_pin(struct wolf_conn *c)
{
	WOLFSSL_X509 *x = wolfSSL_get_peer_certificate(c->ssl);
	int n = 0;
	const unsigned char *der = x != NULL ? wolfSSL_X509_get_der(x, &n) : NULL;

	(void)wolf_rpk_verify(c, der != NULL, der, n > 0 ? (size_t)n : 0);
	wolfSSL_X509_free(x);
}
#endif

int wolf_rpk_check(struct wolf_conn *c)
{
#ifdef HAVE_RPK
	const struct wolf_ctx *t = c->t;
	int st = WOLFSSL_CERT_TYPE_UNKNOWN, ct = WOLFSSL_CERT_TYPE_UNKNOWN;

	if (t->sec.rpk == NULL)
		return 0;
	/* the pin was compared (wolf_rpk_verify) and both types negotiated are RPK: the "rpk"
	 * in the results is what the handshake did, on both sides */
	wolfSSL_get_negotiated_server_cert_type(c->ssl, &st);
	wolfSSL_get_negotiated_client_cert_type(c->ssl, &ct);
	if (st == WOLFSSL_CERT_TYPE_RPK && ct == WOLFSSL_CERT_TYPE_RPK && !c->rpk_ok)
		peer_pin(c);
	if (c->rpk_bad) {
		wolf_rpk_refused(c);
		return ACK_ERR_PROTO;
	}
	if (c->rpk_ok && st == WOLFSSL_CERT_TYPE_RPK && ct == WOLFSSL_CERT_TYPE_RPK)
		return 0;
	fprintf(stderr,
	        "%s: %s: --rpk: the peer did not negotiate raw public keys (certificate types: "
	        "server %s, client %s)\n",
	        t->sec.prog, c->peer, type_name(st), type_name(ct));
	return ACK_ERR_PROTO;
#else
	(void)c;
	return 0;
#endif
}
