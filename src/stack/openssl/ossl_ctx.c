/*
 * ossl_ctx.c - the per-process half of ossl.h: the SSL_CTX with the same pinned defaults,
 * options and mutual authentication as the mbedtls stack; the key log; the saved session.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ossl.h"
#include "ossl_bio.h"
#include "sec_groups.h"
#include "sec_opts.h"
#include "tls_sniff.h"

/* The same pin as the mbedtls stack: AES-128-GCM with ECDHE on secp256r1; the TLS 1.2
 * suite follows the server's key type, so both the ECDSA and the RSA variant. */
#define DEFAULT_SUITES_13 "TLS_AES_128_GCM_SHA256"
#define DEFAULT_SUITES_12 "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
#define LIST_MAX          512

static int fail(const struct ossl_ctx *t, const char *opt, const char *val, const char *why)
{
	return sec_ctx_fail(&t->sec, opt, val, why, ACK_ERR_ARG);
}

static int fail_load(const struct ossl_ctx *t, const char *opt, const char *path)
{
	ossl_err_keep("load");
	return sec_ctx_fail_load(&t->sec, opt, path, ossl_err_text());
}

/* "EC-256", "RSA-2048" as the mbedtls stack names key types. */
void ossl_key_name(EVP_PKEY *k, char *buf, size_t len)
{
	int id = k != NULL ? EVP_PKEY_get_base_id(k) : 0;

	if (k != NULL && strncmp(EVP_PKEY_get0_type_name(k), "ML-DSA-", 7) == 0) {
		snprintf(buf, len, "%s", EVP_PKEY_get0_type_name(k)); /* "ML-DSA-44" */
		return;
	}
	snprintf(buf, len, "%s-%d",
	         id == EVP_PKEY_EC    ? "EC"
	         : id == EVP_PKEY_RSA ? "RSA"
	                              : (k != NULL ? EVP_PKEY_get0_type_name(k) : "none"),
	         k != NULL ? EVP_PKEY_get_bits(k) : 0);
}

static int load_credentials(struct ossl_ctx *t)
{
	const char *ca = t->sec.ca, *crt = t->sec.crt, *key = t->sec.key;

	if (SSL_CTX_load_verify_file(t->ctx, ca) != 1)
		return fail_load(t, "ca", ca);
	if (sec_ctx_no_cert(&t->sec))
		return 0;
	if (SSL_CTX_use_certificate_chain_file(t->ctx, crt) != 1)
		return fail_load(t, "cert", crt);
	if (SSL_CTX_use_PrivateKey_file(t->ctx, key, SSL_FILETYPE_PEM) != 1)
		return fail_load(t, "key", key);
	if (SSL_CTX_check_private_key(t->ctx) != 1) {
		ERR_clear_error();
		return fail(t, "key", key, "does not match the public key of --cert");
	}
	ossl_key_name(X509_get0_pubkey(SSL_CTX_get0_certificate(t->ctx)), t->sec.own_key,
	              sizeof(t->sec.own_key));
	return 0;
}

static int set_version(struct ossl_ctx *t, const char *v)
{
	int ver;

	if (t->sec.datagram && v != NULL && strcmp(v, "1.2") != 0)
		return fail(t, "tls", v,
		            strcmp(v, "1.3") == 0 ? "DTLS 1.3 is not in the openssl stack (OpenSSL "
		                                    "3.x has DTLS 1.2 only)"
		                                  : "want 1.2 or 1.3");
	if (t->sec.datagram)
		ver = DTLS1_2_VERSION; /* sec_opts: DTLS 1.2 unless --tls says otherwise */
	else if (v == NULL)
		return 0; /* negotiate: 1.3 first, then 1.2 */
	else if (strcmp(v, "1.2") == 0)
		ver = TLS1_2_VERSION;
	else if (strcmp(v, "1.3") == 0)
		ver = TLS1_3_VERSION;
	else
		return fail(t, "tls", v, "want 1.2 or 1.3");
	SSL_CTX_set_min_proto_version(t->ctx, ver);
	SSL_CTX_set_max_proto_version(t->ctx, ver);
	return 0;
}

/* Appends name to list (':' separated). */
static int append(char *list, const char *name, size_t len)
{
	size_t n = strlen(list);

	if (n + len + 2 > LIST_MAX)
		return -1;
	if (n != 0)
		list[n++] = ':';
	memcpy(list + n, name, len);
	list[n + len] = '\0';
	return 0;
}

/* --ciphersuite: OpenSSL's names, TLS 1.3 ones (TLS_...) and TLS 1.2 ones apart, each name
 * checked alone so an unknown one is named. */
static int set_suites(struct ossl_ctx *t, const char *list, const char *version)
{
	char l13[LIST_MAX] = "", l12[LIST_MAX] = "", name[64];
	const char *p = list;

	if (list == NULL) {
		if (!t->sec.datagram && SSL_CTX_set_ciphersuites(t->ctx, DEFAULT_SUITES_13) != 1)
			return ossl_err_keep("SSL_CTX_set_ciphersuites");
		if (SSL_CTX_set_cipher_list(t->ctx, DEFAULT_SUITES_12) != 1)
			return ossl_err_keep("SSL_CTX_set_cipher_list");
		return 0;
	}
	if (strcmp(list, "any") == 0)
		return 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		int is13 = strncmp(p, "TLS_", 4) == 0, ok;

		if (len == 0 || len >= sizeof(name))
			return fail(t, "ciphersuite", list, "not a comma list of suite names");
		memcpy(name, p, len);
		name[len] = '\0';
		ok = is13 ? SSL_CTX_set_ciphersuites(t->ctx, name)
		          : SSL_CTX_set_cipher_list(t->ctx, name);
		ERR_clear_error();
		if (ok != 1 || strchr(name, ':') != NULL || (is13 && t->sec.datagram))
			return fail(
			        t, "ciphersuite", name,
			        is13 && t->sec.datagram
			                ? "a TLS 1.3 suite, but DTLS is 1.2"
			                : "unknown to this OpenSSL build (names look like "
			                  "ECDHE-ECDSA-AES128-GCM-SHA256, TLS_AES_128_GCM_SHA256)");
		if (append(is13 ? l13 : l12, name, len) != 0)
			return fail(t, "ciphersuite", list, "too long");
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	if (version != NULL && strcmp(version, "1.3") == 0 && l13[0] == '\0')
		return fail(t, "ciphersuite", list, "no TLS 1.3 suite, but --tls 1.3");
	if (version != NULL && strcmp(version, "1.2") == 0 && l12[0] == '\0')
		return fail(t, "ciphersuite", list, "only TLS 1.3 suites, but --tls 1.2");
	if (!t->sec.datagram && SSL_CTX_set_ciphersuites(t->ctx, l13) != 1)
		return ossl_err_keep("SSL_CTX_set_ciphersuites");
	if (l12[0] != '\0' && SSL_CTX_set_cipher_list(t->ctx, l12) != 1)
		return ossl_err_keep("SSL_CTX_set_cipher_list");
	/* One side of the list empty: that version cannot be negotiated (as with Mbed TLS) */
	if (l12[0] == '\0')
		SSL_CTX_set_min_proto_version(t->ctx, TLS1_3_VERSION);
	if (l13[0] == '\0' && !t->sec.datagram)
		SSL_CTX_set_max_proto_version(t->ctx, TLS1_2_VERSION);
	return 0;
}

/* --groups and --key-shares (sec_groups.c) as one OpenSSL list: a client's key-share
 * groups marked '*' (OpenSSL 3.5; without marks it sends one share, for the first group). */
static int set_groups(struct ossl_ctx *t, const struct tp_conf *c)
{
	char out[LIST_MAX] = "", name[40];
	struct sec_groups g;
	size_t i, j;
	int r = sec_groups_parse(&g, c, "openssl", NULL);

	if (r != 0 || g.any)
		return r;
	for (i = 0; i < g.n; i++) {
		int share = 0;

		for (j = 0; !t->sec.server && j < g.nshare; j++)
			share |= g.share[j] == g.id[i];
		/* OpenSSL takes the registry's names (tls_sniff.c) as well as its own */
		snprintf(name, sizeof(name), "%s%s", share ? "*" : "", tls_group_name(g.id[i]));
		if (append(out, name, strlen(name)) != 0)
			return fail(t, "groups", c->groups, "too many groups");
	}
	if (SSL_CTX_set1_groups_list(t->ctx, out) != 1) {
		ERR_clear_error();
		/* name the group this build lacks: the first one refused alone */
		for (i = 0; i < g.n; i++) {
			if (SSL_CTX_set1_groups_list(t->ctx, tls_group_name(g.id[i])) != 1) {
				ERR_clear_error();
				return sec_opts_refuse(c, "openssl", "groups",
				                       tls_group_name(g.id[i]));
			}
		}
		return fail(t, "groups", c->groups,
		            "not all of these groups are in this OpenSSL build");
	}
	return 0;
}

/* NSS key log lines, as OpenSSL formats them (draft-ietf-tls-keylogfile). */
static void keylog_line(const SSL *ssl, const char *line)
{
	struct ossl_ctx *t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

	if (t->sec.keylog != NULL)
		fprintf(t->sec.keylog, "%s\n", line); /* one call a line: stdio locks the FILE */
}

static int open_keylog(struct ossl_ctx *t, const char *path)
{
	int r = sec_ctx_keylog(&t->sec, path);

	if (r == 0 && t->sec.keylog != NULL)
		SSL_CTX_set_keylog_callback(t->ctx, keylog_line);
	return r;
}

/* Client --resume: the newest session (TLS 1.3: from the NewSessionTicket after the
 * handshake) is offered on the next connection. */
static int new_session(SSL *ssl, SSL_SESSION *s)
{
	struct ossl_ctx *t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

	port_mutex_lock(t->sec.lock); /* --parallel: another conn may be reading it */
	SSL_SESSION_free(t->session);
	t->session = s;
	port_mutex_unlock(t->sec.lock);
	return 1; /* we keep the reference */
}

static void conf_tickets(struct ossl_ctx *t)
{
	if (t->sec.server) {
		/* Stateless tickets, one per full handshake (OpenSSL sends 2 in TLS 1.3 by
		 * default; Mbed TLS 1), no server-side session cache. */
		SSL_CTX_set_num_tickets(t->ctx, 1);
		SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_OFF);
		SSL_CTX_set_session_id_context(t->ctx, (const unsigned char *)"ackbench", 8);
		if (t->sec.early_data) {
			/* --early-data: tickets allow SEC_EARLY_MAX bytes; OpenSSL's replay
			 * protection (on by default) keeps each session in the server cache for one
			 * use, so the cache is on and tickets name cache entries (ossl_early.c) */
			SSL_CTX_set_max_early_data(t->ctx, SEC_EARLY_MAX);
			SSL_CTX_set_recv_max_early_data(t->ctx, SEC_EARLY_MAX);
			SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_SERVER);
		}
		return;
	}
	if (!t->sec.resume) {
		SSL_CTX_set_options(t->ctx, SSL_OP_NO_TICKET); /* TLS 1.2: ask for none */
		SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_OFF);
		return;
	}
	SSL_CTX_set_session_cache_mode(t->ctx,
	                               SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(t->ctx, new_session);
}

int ossl_ctx_init(struct ossl_ctx *t, const struct tp_conf *c, int datagram)
{
	int r;

	memset(t, 0, sizeof(*t));
	/* conns > 1 (src/stack.h threads_ok): OpenSSL's SSL_CTX, RAND and ticket keys are
	 * thread-safe; ours to guard: the saved session (sec.lock), and the BIO methods made
	 * here. */
	r = sec_ctx_init(&t->sec, c, datagram);
	if (r != 0)
		return r;
	if (t->sec.cid)
		return sec_opts_refuse(c, "openssl", "cid",
		                       "OpenSSL 3.5 has no DTLS 1.2 Connection ID (RFC 9146)");
	t->conns_max = c->conns > 1 ? c->conns : 1;
	r = ossl_bio_init();
	if (r != 0)
		return r;
	t->ctx = SSL_CTX_new(datagram ? DTLS_method() : TLS_method());
	if (t->ctx == NULL)
		return ossl_err_keep("SSL_CTX_new");
	SSL_CTX_set_app_data(t->ctx, t);
	r = t->sec.auth == SEC_AUTH_CERT ? load_credentials(t) : 0;
	if (r != 0)
		return r;
	/* Mutual authentication, verify-required on both sides */
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	if ((r = set_version(t, c->tls_version)) != 0 ||
	    (r = set_suites(t, c->ciphersuite, c->tls_version)) != 0 || (r = set_groups(t, c)) != 0)
		return r;
	if (t->sec.auth != SEC_AUTH_CERT && (r = ossl_ctx_psk(t, c->ciphersuite != NULL)) != 0)
		return r;
	SSL_CTX_set_options(t->ctx, SSL_OP_NO_RENEGOTIATION);
	if ((r = ossl_rpk_conf(t)) != 0)
		return r;
	conf_tickets(t);
	return open_keylog(t, c->keylog_file);
}

void ossl_ctx_free(struct ossl_ctx *t)
{
	SSL_SESSION_free(t->session);
	t->session = NULL;
	EVP_PKEY_free(t->peer_rpk);
	t->peer_rpk = NULL;
	SSL_CTX_free(t->ctx);
	t->ctx = NULL;
	sec_ctx_free(&t->sec);
}
