/*
 * ossl_rpk.c - --rpk: raw public keys (RFC 7250) on the openssl stack (OpenSSL 3.2+). Both
 * sides send the public key of their --cert/--key pair instead of the certificate, and
 * accept only the peer's key pinned by the --rpk file: the client's trust in the server is
 * that pin (no CA, no name), as is the server's in the client. Both certificate type lists
 * hold RPK alone, so a peer without RPK fails the handshake rather than falling back to
 * X.509 unseen.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "loglimit.h"
#include "ossl.h"
#include "sec_opts.h"

static const unsigned char rpk_only[] = { TLSEXT_cert_type_rpk };

static const char *type_name(int type)
{
	return type == TLSEXT_cert_type_rpk    ? "rpk"
	       : type == TLSEXT_cert_type_x509 ? "x509"
	                                       : "other";
}

int ossl_rpk_conf(struct ossl_ctx *t)
{
	FILE *f;

	if (t->sec.rpk == NULL)
		return 0;
	f = fopen(t->sec.rpk, "r");
	if (f == NULL)
		return sec_ctx_fail_load(&t->sec, "rpk", t->sec.rpk, "cannot open");
	t->peer_rpk = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (t->peer_rpk == NULL) {
		ERR_clear_error();
		return sec_ctx_fail(
		        &t->sec, "rpk", t->sec.rpk,
		        "no PEM public key in it (make one: openssl pkey -in KEY -pubout)",
		        ACK_ERR_ARG);
	}
	/* OpenSSL checks an expected raw public key as a DANE-EE SPKI record (RFC 7671) */
	if (SSL_CTX_dane_enable(t->ctx) <= 0)
		return ossl_err_keep("SSL_CTX_dane_enable");
	if (SSL_CTX_set1_server_cert_type(t->ctx, rpk_only, sizeof(rpk_only)) != 1 ||
	    SSL_CTX_set1_client_cert_type(t->ctx, rpk_only, sizeof(rpk_only)) != 1)
		return ossl_err_keep("SSL_CTX_set1_server_cert_type");
	return 0;
}

int ossl_rpk_conn(struct ossl_conn *c)
{
	if (c->t->peer_rpk == NULL)
		return 0;
	/* no base domain: no name is checked and no SNI sent; the pin is the check */
	if (SSL_dane_enable(c->ssl, NULL) <= 0 || SSL_add_expected_rpk(c->ssl, c->t->peer_rpk) != 1)
		return ossl_err_keep("SSL_add_expected_rpk");
	return 0;
}

int ossl_rpk_check(struct ossl_conn *c)
{
	const struct ossl_ctx *t = c->t;
	int st, ct;

	if (t->peer_rpk == NULL)
		return 0;
	/* OpenSSL checked the peer's key against the pin; the types are checked here so the
	 * "rpk" in the results is what the handshake negotiated, from both sides */
	st = SSL_get_negotiated_server_cert_type(c->ssl);
	ct = SSL_get_negotiated_client_cert_type(c->ssl);
	if (st == TLSEXT_cert_type_rpk && ct == TLSEXT_cert_type_rpk &&
	    SSL_get0_peer_rpk(c->ssl) != NULL)
		return 0;
	loglimit_printf(
	        LOGLIMIT_REFUSED,
	        "%s: %s: --rpk: the peer did not negotiate raw public keys (certificate types: "
	        "server %s, client %s)\n",
	        t->sec.prog, c->peer, type_name(st), type_name(ct));
	return ACK_ERR_PROTO;
}

int ossl_rpk_refused(const struct ossl_conn *c, long verify)
{
	const struct ossl_ctx *t = c->t;

	/* DANE_NO_MATCH: a key, not the pinned one; RPK_UNTRUSTED: no pin matched at all */
	if (t->peer_rpk == NULL ||
	    (verify != X509_V_ERR_RPK_UNTRUSTED && verify != X509_V_ERR_DANE_NO_MATCH))
		return 0;
	loglimit_printf(LOGLIMIT_REFUSED,
	                "%s: %s: %s raw public key rejected: not the key pinned by --rpk %s\n",
	                t->sec.prog, c->peer, t->sec.server ? "client" : "server", t->sec.rpk);
	return 1;
}
