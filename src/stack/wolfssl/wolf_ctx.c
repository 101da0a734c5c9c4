/*
 * wolf_ctx.c - see wolf_ctx.h: the WOLFSSL_CTX with certificates, verify-required mutual
 * authentication, the pinned suites/groups/version, tickets and the key log.
 */
#include "wolf_ctx.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include <wolfssl/openssl/evp.h>

#include "err.h"
#include "port.h"
#include "sec_groups.h"
#include "sec_opts.h"
#include "sec_pem.h"
#include "tls_sniff.h"

/* Comparison runs pin AES-128-GCM with ECDHE on secp256r1, as on the other stacks; the
 * TLS 1.2 suite follows the server's key type, so ECDSA and RSA are both listed. */
#define DEFAULT_SUITES \
	"TLS13-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"

static FILE *g_keylog; /* one WOLFSSL_CTX per process; its callback has no argument */

static int fail(const struct wolf_ctx *t, const char *opt, const char *val, const char *why,
                int code)
{
	return sec_ctx_fail(&t->sec, opt, val, why, code);
}

/* wolfSSL's load functions say WOLFSSL_BAD_FILE for a file they cannot open, and
 * "no error" through ERR: the OS's reason says more. */
static int fail_load(const struct wolf_ctx *t, const char *opt, const char *path, int code)
{
	FILE *f = fopen(path, "r");
	char eb[160];

	if (f == NULL)
		code = ACK_ERR_SYS(errno);
	else
		fclose(f);
	if (code == 0 || code == WOLFSSL_FAILURE)
		code = WOLFSSL_BAD_FILE;
	return sec_ctx_fail_load(&t->sec, opt, path, err_str(code, eb, sizeof(eb)));
}

static WOLFSSL_METHOD *method(const struct wolf_ctx *t, const char *v)
{
	if (t->sec.datagram && t->dtls13)
		return t->sec.server ? wolfDTLSv1_3_server_method() : wolfDTLSv1_3_client_method();
	if (t->sec.datagram)
		return t->sec.server ? wolfDTLSv1_2_server_method() : wolfDTLSv1_2_client_method();
	if (v != NULL && strcmp(v, "1.2") == 0)
		return t->sec.server ? wolfTLSv1_2_server_method() : wolfTLSv1_2_client_method();
	if (v != NULL && strcmp(v, "1.3") == 0)
		return t->sec.server ? wolfTLSv1_3_server_method() : wolfTLSv1_3_client_method();
	return t->sec.server ? wolfSSLv23_server_method() : wolfSSLv23_client_method();
}

/* Is name one of this build's suites? wolfSSL_CTX_set_cipher_list skips unknown names
 * silently when another one matches. */
static int known_suite(const char *name)
{
	const char *s;
	int i;

	for (i = 0; (s = wolfSSL_get_cipher_list(i)) != NULL; i++)
		if (strcmp(s, name) == 0)
			return 1;
	return 0;
}

static int set_suites(struct wolf_ctx *t, const char *list, const char *version)
{
	char buf[512], *p, *q;
	unsigned n = 0, n13 = 0;

	if (list != NULL && strcmp(list, "any") == 0)
		return 0;
	if (list == NULL) {
		snprintf(t->suite_max, sizeof(t->suite_max), "ECDHE-ECDSA-AES128-GCM-SHA256");
		if (wolfSSL_CTX_set_cipher_list(t->ctx, DEFAULT_SUITES) != WOLFSSL_SUCCESS)
			return fail(t, "ciphersuite", DEFAULT_SUITES, "refused by wolfSSL",
			            ACK_ERR_ARG);
		return 0;
	}
	if (strlen(list) >= sizeof(buf))
		return fail(t, "ciphersuite", list, "too long", ACK_ERR_ARG);
	snprintf(buf, sizeof(buf), "%s", list);
	for (p = buf; p != NULL; p = q) {
		q = strchr(p, ',');
		if (q != NULL)
			*q++ = '\0';
		if (*p == '\0')
			return fail(t, "ciphersuite", list, "not a comma list of suite names",
			            ACK_ERR_ARG);
		if (!known_suite(p))
			return fail(t, "ciphersuite", p,
			            "unknown to this wolfSSL build (names look like "
			            "ECDHE-ECDSA-AES128-GCM-SHA256, TLS13-AES128-GCM-SHA256)",
			            ACK_ERR_ARG);
		n13 += strncmp(p, "TLS13-", 6) == 0;
		n++;
		/* the one with the largest DTLS record expansion: CBC > the rest */
		if (t->suite_max[0] == '\0' || strstr(p, "-CBC-") || strstr(p, "-SHA384"))
			snprintf(t->suite_max, sizeof(t->suite_max), "%.63s", p);
		if (q != NULL)
			q[-1] = ':';
	}
	if (version != NULL && strcmp(version, "1.3") == 0 && n13 == 0)
		return fail(t, "ciphersuite", list, "no TLS 1.3 suite, but --tls 1.3", ACK_ERR_ARG);
	if (version != NULL && strcmp(version, "1.2") == 0 && n13 == n)
		return fail(t, "ciphersuite", list, "only TLS 1.3 suites, but --tls 1.2",
		            ACK_ERR_ARG);
	if (wolfSSL_CTX_set_cipher_list(t->ctx, buf) != WOLFSSL_SUCCESS)
		return fail(t, "ciphersuite", list, "refused by wolfSSL", ACK_ERR_ARG);
	return 0;
}

/* --groups and --key-shares (sec_groups.c). The groups go to both lists wolfSSL keeps:
 * supported_groups (UseSupportedCurve, also what a TLS 1.2 server picks from) and the TLS
 * 1.3 preference (set_groups); the client's key shares are wolf_conn.c's (UseKeyShare). */
static int set_groups(struct wolf_ctx *t, const struct tp_conf *c)
{
	struct sec_groups g;
	size_t i;
	int r = sec_groups_parse(&g, c, "wolfssl", NULL);

	if (r != 0 || g.any)
		return r;
	for (i = 0; i < g.n; i++) {
		t->groups[t->ngroups++] = g.id[i];
		if (wolfSSL_CTX_UseSupportedCurve(t->ctx, g.id[i]) != WOLFSSL_SUCCESS)
			return sec_opts_refuse(c, "wolfssl", "groups", tls_group_name(g.id[i]));
	}
	for (i = 0; i < g.nshare; i++)
		t->shares[t->nshares++] = g.share[i];
	/* DTLS 1.2 and a TLS 1.2-only method have no TLS 1.3 key-share list */
	if ((t->sec.datagram && !t->dtls13) ||
	    (c->tls_version != NULL && strcmp(c->tls_version, "1.2") == 0) ||
	    wolfSSL_CTX_set_groups(t->ctx, t->groups, t->ngroups) == WOLFSSL_SUCCESS)
		return 0;
	return fail(t, "groups", c->groups, "refused by wolfSSL", ACK_ERR_ARG);
}

/* NSS key log format (draft-ietf-tls-keylogfile), as Wireshark reads it; wolfSSL writes
 * the hex in upper case, the other stacks (and our tests) in lower case. wolfSSL 5.5
 * writes TLS 1.2's CLIENT_RANDOM line only on a client doing a full handshake (in its
 * ClientKeyExchange): those are dropped here and wolf_keylog_tls12() writes one for every
 * TLS 1.2 / DTLS 1.2 handshake of either side, resumed ones too. */
static void keylog_line(const WOLFSSL *ssl, const char *line)
{
	char out[400];
	size_t i, sp = strcspn(line, " ");

	(void)ssl;
	if (g_keylog == NULL || strlen(line) >= sizeof(out) - 1 ||
	    strncmp(line, "CLIENT_RANDOM ", 14) == 0)
		return;
	for (i = 0; line[i] != '\0'; i++)
		out[i] = i > sp ? (char)tolower((unsigned char)line[i]) : line[i];
	out[i++] = '\n';
	fwrite(out, 1, i, g_keylog);
	memset(out, 0, sizeof(out));
}

int wolf_verify_mode(const struct wolf_ctx *t)
{
	if (t->sec.auth != SEC_AUTH_CERT) /* --psk: no certificates either side */
		return WOLFSSL_VERIFY_NONE;
	return WOLFSSL_VERIFY_PEER | (t->sec.server ? WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0);
}

int wolf_keylog_on(void)
{
	return g_keylog != NULL;
}

/* The master secret and client random of the handshake just done: the connection kept
 * its arrays for it (wolfSSL_KeepArrays, set by wolf_conn.c with --keylog). */
void wolf_keylog_tls12(WOLFSSL *ssl)
{
	unsigned char *ms = NULL, *sr = NULL, *cr = NULL;
	unsigned int msl = 0, srl = 0, crl = 0, i;
	char line[16 + 2 * 32 + 1 + 2 * 48 + 2];
	size_t n;

	if (g_keylog == NULL ||
	    wolfSSL_get_keys(ssl, &ms, &msl, &sr, &srl, &cr, &crl) != WOLFSSL_SUCCESS ||
	    msl != 48 || crl != 32)
		return;
	n = (size_t)snprintf(line, sizeof(line), "CLIENT_RANDOM ");
	for (i = 0; i < crl; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%02x", cr[i]);
	line[n++] = ' ';
	for (i = 0; i < msl; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%02x", ms[i]);
	line[n++] = '\n';
	fwrite(line, 1, n, g_keylog);
	memset(line, 0, sizeof(line));
}

static int open_keylog(struct wolf_ctx *t, const char *path)
{
	int r = sec_ctx_keylog(&t->sec, path);

	g_keylog = t->sec.keylog;
	if (g_keylog != NULL)
		wolfSSL_CTX_set_keylog_callback(t->ctx, keylog_line);
	return r;
}

void wolf_key_name(WOLFSSL_X509 *x, char *buf, size_t len)
{
	WOLFSSL_EVP_PKEY *k = x != NULL ? wolfSSL_X509_get_pubkey(x) : NULL;
	int id = k != NULL ? wolfSSL_EVP_PKEY_base_id(k) : 0, sz = 0;
	const unsigned char *der;

	if (x != NULL && id != EVP_PKEY_EC && id != EVP_PKEY_RSA &&
	    (der = wolfSSL_X509_get_der(x, &sz)) != NULL && sec_der_mldsa(der, (size_t)sz) != 0) {
		snprintf(buf, len, "ML-DSA-%d", sec_der_mldsa(der, (size_t)sz));
		wolfSSL_EVP_PKEY_free(k);
		return;
	}
	snprintf(buf, len, "%s-%d",
	         id == EVP_PKEY_EC    ? "EC"
	         : id == EVP_PKEY_RSA ? "RSA"
	                              : "key",
	         k != NULL ? wolfSSL_EVP_PKEY_bits(k) : 0);
	wolfSSL_EVP_PKEY_free(k);
}

static int load_credentials(struct wolf_ctx *t)
{
	const char *ca = t->sec.ca, *crt = t->sec.crt, *key = t->sec.key;
	WOLFSSL_X509 *x;
	int r;

	r = wolfSSL_CTX_load_verify_locations(t->ctx, ca, NULL);
	if (r != WOLFSSL_SUCCESS)
		return fail_load(t, "ca", ca, r);
	if (sec_ctx_no_cert(&t->sec))
		return 0;
	r = wolfSSL_CTX_use_certificate_chain_file(t->ctx, crt);
	if (r != WOLFSSL_SUCCESS)
		return fail_load(t, "cert", crt, r);
	r = wolfSSL_CTX_use_PrivateKey_file(t->ctx, key, WOLFSSL_FILETYPE_PEM);
	if (r != WOLFSSL_SUCCESS)
		return fail_load(t, "key", key, r);
	/* wolfSSL 5.9 checks the pair itself (5.5 only checked an EC public point was valid) */
	if (wolfSSL_CTX_check_private_key(t->ctx) != WOLFSSL_SUCCESS)
		return fail(t, "key", key, "does not match the public key of --cert", ACK_ERR_ARG);
	x = wolfSSL_X509_load_certificate_file(crt, WOLFSSL_FILETYPE_PEM);
	wolf_key_name(x, t->sec.own_key, sizeof(t->sec.own_key));
	wolfSSL_X509_free(x);
	return 0;
}

int wolf_ctx_init(struct wolf_ctx *t, const struct tp_conf *c, int datagram)
{
	int r;

	memset(t, 0, sizeof(*t));
	/* conns > 1 (src/stack.h threads_ok): each WOLFSSL has its own RNG, the default ticket
	 * key callback locks its keys; ours to guard: the saved session (sec.lock). */
	r = sec_ctx_init(&t->sec, c, datagram);
	if (r != 0)
		return r;
#ifndef HAVE_RPK
	if (c->rpk_file != NULL) /* RFC 7250: wolfSSL's HAVE_RPK (stack.mk's --enable-rpk) */
		return sec_opts_refuse(c, "wolfssl", "rpk",
		                       "raw public keys are not in this wolfSSL build (HAVE_RPK)");
#endif
#ifndef WOLFSSL_DTLS_CID
	if (t->sec.cid) /* RFC 9146: stack.mk's --enable-dtlscid */
		return sec_opts_refuse(
		        c, "wolfssl", "cid",
		        "Connection ID is not in this wolfSSL build (WOLFSSL_DTLS_CID)");
#endif
	if (t->sec.cid && c->tls_version != NULL && strcmp(c->tls_version, "1.3") == 0)
		return sec_opts_refuse(
		        c, "wolfssl", "cid",
		        "its Connection ID is DTLS 1.2's here (RFC 9146), not 1.3's");
	if (c->tls_version != NULL && strcmp(c->tls_version, "1.2") != 0 &&
	    strcmp(c->tls_version, "1.3") != 0)
		return fail(t, "tls", c->tls_version, "want 1.2 or 1.3", ACK_ERR_ARG);
	t->dtls13 = datagram && c->tls_version != NULL && strcmp(c->tls_version, "1.3") == 0;
	t->ctx = wolfSSL_CTX_new(method(t, c->tls_version));
	if (t->ctx == NULL) {
		fprintf(stderr, "%s: wolfSSL_CTX_new failed\n", t->sec.prog);
		return ACK_ERR_NOMEM;
	}
	if (c->tls_version == NULL && !datagram &&
	    wolfSSL_CTX_SetMinVersion(t->ctx, WOLFSSL_TLSV1_2) != WOLFSSL_SUCCESS)
		return ACK_ERR_PROTO;
	r = t->sec.auth == SEC_AUTH_CERT ? load_credentials(t) : 0;
	if (r != 0 || (r = wolf_rpk_conf(t)) != 0)
		return r;
	/* Mutual authentication, verify-required both sides. mutual_auth makes a TLS 1.2
	 * server answer an empty client Certificate with a fatal handshake_failure alert
	 * (RFC 5246 7.4.6); FAIL_IF_NO_PEER_CERT alone only closes. */
	wolfSSL_CTX_set_verify(t->ctx, wolf_verify_mode(t), NULL); /* wolf_conn.c adds its
	                                                            * callback per connection */
	if (t->sec.server && t->sec.auth == SEC_AUTH_CERT)
		wolfSSL_CTX_mutual_auth(t->ctx, 1);
	if ((r = set_suites(t, c->ciphersuite, c->tls_version)) != 0 || (r = set_groups(t, c)) != 0)
		return r;
	if (t->sec.auth != SEC_AUTH_CERT && (r = wolf_ctx_psk(t, c->ciphersuite != NULL)) != 0)
		return r;
	/* Tickets only: the server keeps no session cache (as the other stacks), so a
	 * resumed handshake is a ticket's; the client asks for one only with --resume. */
	if (t->sec.server && !t->sec.early_data) /* early data: see below */
		wolfSSL_CTX_set_session_cache_mode(t->ctx, WOLFSSL_SESS_CACHE_OFF);
	else if (t->sec.resume)
		wolfSSL_CTX_UseSessionTicket(t->ctx);
	if (t->sec.early_data) {
#if defined(WOLFSSL_EARLY_DATA)
		/* tickets allow SEC_EARLY_MAX bytes (wolf_early.c); the server keeps its session
		 * cache on (not off, above): wolfSSL 5.9 rejects all early data without it, as
		 * its 0-RTT anti-replay evicts a ticket's session from that cache */
		if (t->sec.server &&
		    wolfSSL_CTX_set_max_early_data(t->ctx, SEC_EARLY_MAX) != WOLFSSL_SUCCESS)
			return ACK_ERR_PROTO;
#else
		return sec_opts_refuse(c, "wolfssl", "early-data",
		                       "wolfSSL built without --enable-earlydata");
#endif
	}
	return open_keylog(t, c->keylog_file);
}

void wolf_ctx_free(struct wolf_ctx *t)
{
	g_keylog = NULL;
	if (t->session != NULL)
		wolfSSL_SESSION_free(t->session);
	t->session = NULL;
	if (t->ctx != NULL)
		wolfSSL_CTX_free(t->ctx);
	t->ctx = NULL;
	sec_ctx_free(&t->sec);
}
