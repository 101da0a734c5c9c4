/*
 * tls_common.c - the per-process half of tls_common.h: RNG, certificates, the
 * mbedtls_ssl_config, the key log. The per-connection half is tls_conn.c.
 */
#include "tls_common.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "mbedtls/platform_util.h"
#include "port.h"
#include "sec_groups.h"
#include "sec_opts.h"
#include "sec_pem.h"

/* Comparison runs pin AES-128-GCM with ECDHE on secp256r1: the negotiated default differs
 * between machines (ChaCha20-Poly1305 and x25519 on this x86 build, AES-GCM on boards with
 * Armv8 crypto extensions). The TLS 1.2 suite follows the server's key type, so both the
 * ECDSA and the RSA variant are listed. */
static const char *const default_suites[] = {
	"TLS1-3-AES-128-GCM-SHA256",
	"TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256",
	"TLS-ECDHE-RSA-WITH-AES-128-GCM-SHA256",
};

static int fail(const struct tls_ctx *t, const char *opt, const char *val, const char *why,
                int code)
{
	return sec_ctx_fail(&t->sec, opt, val, why, code);
}

static int fail_load(const struct tls_ctx *t, const char *opt, const char *path, int code)
{
	char eb[160];
	int level = sec_pem_mldsa(path);

	if (level != 0) {
		snprintf(eb, sizeof(eb), "'%s': ML-DSA-%d (Mbed TLS 3.6 has no ML-DSA)", path,
		         level);
		fprintf(stderr, "%s: --%s: not supported by the mbedtls stack (%s)\n", t->sec.prog,
		        opt, eb);
		return ACK_ERR_ARG;
	}
	return sec_ctx_fail_load(&t->sec, opt, path, err_str(code, eb, sizeof(eb)));
}

static int set_suites(struct tls_ctx *t, const char *list, const char *version)
{
	const char *p = list;
	char name[64];
	unsigned n = 0, n13 = 0;
	size_t i;

	if (list == NULL) {
		for (i = 0; i < sizeof(default_suites) / sizeof(default_suites[0]); i++) {
			int id = mbedtls_ssl_get_ciphersuite_id(default_suites[i]);

			if (id != 0) /* a trimmed build may lack the RSA or the 1.3 suite */
				t->suites[n++] = id;
		}
		t->suites[n] = 0;
		return 0;
	}
	if (strcmp(list, "any") == 0)
		return 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		int id;

		if (len == 0 || len >= sizeof(name) || n == TLS_MAX_SUITES)
			return fail(t, "ciphersuite", list, "not a comma list of suite names",
			            ACK_ERR_ARG);
		memcpy(name, p, len);
		name[len] = '\0';
		id = mbedtls_ssl_get_ciphersuite_id(name);
		if (id == 0)
			return fail(t, "ciphersuite", name,
			            "unknown to this Mbed TLS build (names look like "
			            "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256, "
			            "TLS1-3-AES-128-GCM-SHA256)",
			            ACK_ERR_ARG);
		n13 += strncmp(name, "TLS1-3-", 7) == 0;
		t->suites[n++] = id;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	t->suites[n] = 0;
	if (version != NULL && strcmp(version, "1.3") == 0 && n13 == 0)
		return fail(t, "ciphersuite", list, "no TLS 1.3 suite, but --tls 1.3", ACK_ERR_ARG);
	if (version != NULL && strcmp(version, "1.2") == 0 && n13 == n)
		return fail(t, "ciphersuite", list, "only TLS 1.3 suites, but --tls 1.2",
		            ACK_ERR_ARG);
	return 0;
}

/* Is group id in this Mbed TLS build? One it lacks is refused here: offered anyway, it made
 * a TLS 1.2 handshake fail with an internal error (-0x6C00) and a TLS 1.3 one with
 * "feature not available" (-0x7080), before any traffic, with no word of the group. */
static int group_built(uint16_t id)
{
	if (id >= 0x0100 && id <= 0x0104) { /* ffdhe2048..8192 (TLS 1.3, through PSA) */
#if defined(PSA_WANT_ALG_FFDH)
		return 1;
#else
		return 0;
#endif
	}
#if defined(MBEDTLS_ECP_C)
	return mbedtls_ecp_curve_info_from_tls_id(id) != NULL;
#else
	return 1; /* no legacy ECP to ask: the library decides */
#endif
}

static const char *lacks_group(uint16_t id)
{
	if (sec_group_is_mlkem(id))
		return "Mbed TLS 3.6 has no ML-KEM";
	return group_built(id) ? NULL
	                       : "CONFIG=" ACKBENCH_CONFIG
	                         " leaves it out: ports/config/ackbench_config_" ACKBENCH_CONFIG
	                         ".h";
}

/* --groups and --key-shares (sec_groups.c): Mbed TLS sends one key share, for the first
 * group of its list. */
static int set_groups(struct tls_ctx *t, const struct tp_conf *c)
{
	struct sec_groups g;
	size_t i;
	int r = sec_groups_parse(&g, c, "mbedtls", lacks_group);

	if (r != 0 || g.any)
		return r;
	if (g.nshare != 1 || g.share[0] != g.id[0])
		return sec_opts_refuse(c, "mbedtls", "key-shares",
		                       "Mbed TLS 3.6 sends one key share, for the first group");
	for (i = 0; i < g.n && i < TLS_MAX_GROUPS; i++)
		t->groups[i] = g.id[i];
	t->groups[i] = 0;
	return 0;
}

static int set_version(struct tls_ctx *t, const char *v)
{
	mbedtls_ssl_protocol_version ver;

	if (v == NULL)
		return 0; /* negotiate: the defaults offer 1.3 first, then 1.2 */
	if (strcmp(v, "1.2") == 0)
		ver = MBEDTLS_SSL_VERSION_TLS1_2;
	else if (strcmp(v, "1.3") == 0 && t->sec.datagram)
		return fail(t, "tls", v,
		            "DTLS 1.3 is not in the mbedtls stack (Mbed TLS 3.6 has DTLS 1.2 only)",
		            ACK_ERR_ARG);
	else if (strcmp(v, "1.3") == 0)
		ver = MBEDTLS_SSL_VERSION_TLS1_3;
	else
		return fail(t, "tls", v, "want 1.2 or 1.3", ACK_ERR_ARG);
	mbedtls_ssl_conf_min_tls_version(&t->conf, ver);
	mbedtls_ssl_conf_max_tls_version(&t->conf, ver);
	return 0;
}

/* NSS key log format (draft-ietf-tls-keylogfile): "LABEL <client random> <secret>" in hex,
 * which Wireshark/tshark read with tls.keylog_file. */
static void keylog_export(void *p, mbedtls_ssl_key_export_type type, const unsigned char *secret,
                          size_t secret_len, const unsigned char client_random[32],
                          const unsigned char server_random[32], mbedtls_tls_prf_types prf)
{
	struct tls_ctx *t = p;
	const char *label = NULL;
	char line[320];
	size_t i, n;

	(void)server_random;
	(void)prf;
	switch (type) {
	case MBEDTLS_SSL_KEY_EXPORT_TLS12_MASTER_SECRET: label = "CLIENT_RANDOM"; break;
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
	case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_EARLY_SECRET:
		label = "CLIENT_EARLY_TRAFFIC_SECRET";
		break;
	case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_EARLY_EXPORTER_SECRET:
		label = "EARLY_EXPORTER_SECRET";
		break;
	case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_HANDSHAKE_TRAFFIC_SECRET:
		label = "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
		break;
	case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_SERVER_HANDSHAKE_TRAFFIC_SECRET:
		label = "SERVER_HANDSHAKE_TRAFFIC_SECRET";
		break;
	case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_APPLICATION_TRAFFIC_SECRET:
		label = "CLIENT_TRAFFIC_SECRET_0";
		break;
	case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_SERVER_APPLICATION_TRAFFIC_SECRET:
		label = "SERVER_TRAFFIC_SECRET_0";
		break;
#endif
	default: break;
	}
	if (label == NULL || t->sec.keylog == NULL || secret_len > 64)
		return;
	n = (size_t)snprintf(line, sizeof(line), "%s ", label);
	for (i = 0; i < 32; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%02x", client_random[i]);
	line[n++] = ' ';
	for (i = 0; i < secret_len; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%02x", secret[i]);
	line[n++] = '\n';
	fwrite(line, 1, n, t->sec.keylog);
	fflush(t->sec.keylog);
	mbedtls_platform_zeroize(line, sizeof(line));
}

void tls_conn_keylog(struct tls_conn *c)
{
	if (c->t->sec.keylog != NULL)
		mbedtls_ssl_set_export_keys_cb(&c->ssl, keylog_export, c->t);
}

static int load_credentials(struct tls_ctx *t)
{
	const char *ca = t->sec.ca, *crt = t->sec.crt, *key = t->sec.key;
	int r;

	r = mbedtls_x509_crt_parse_file(&t->ca, ca);
	if (r != 0)
		return fail_load(t, "ca", ca, r);
	if (sec_ctx_no_cert(&t->sec))
		return 0;
	r = mbedtls_x509_crt_parse_file(&t->cert, crt);
	if (r != 0)
		return fail_load(t, "cert", crt, r);
	r = mbedtls_pk_parse_keyfile(&t->key, key, NULL, mbedtls_ctr_drbg_random, &t->drbg);
	if (r != 0)
		return fail_load(t, "key", key, r);
	r = mbedtls_pk_check_pair(&t->cert.pk, &t->key, mbedtls_ctr_drbg_random, &t->drbg);
	if (r != 0)
		return fail(t, "key", key, "does not match the public key of --cert", ACK_ERR_ARG);
	snprintf(t->sec.own_key, sizeof(t->sec.own_key), "%s-%u", mbedtls_pk_get_name(&t->cert.pk),
	         (unsigned)mbedtls_pk_get_bitlen(&t->cert.pk));
	return 0;
}

static void conf_tickets(struct tls_ctx *t)
{
#if defined(MBEDTLS_SSL_SESSION_TICKETS)
	if (t->sec.server) {
		/* One ticket per full handshake (Mbed TLS's default count in TLS 1.3), as common
		 * servers do; the client uses it only with --resume. */
		mbedtls_ssl_conf_session_tickets_cb(&t->conf, mbedtls_ssl_ticket_write,
		                                    mbedtls_ssl_ticket_parse, &t->ticket);
		return;
	}
	/* Without --resume the client asks for no ticket, so full-handshake runs carry none
	 * in TLS 1.2; TLS 1.3 needs the signal or Mbed TLS ignores tickets (since 3.6.1). */
	mbedtls_ssl_conf_session_tickets(&t->conf, t->sec.resume
	                                                   ? MBEDTLS_SSL_SESSION_TICKETS_ENABLED
	                                                   : MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
	mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
	        &t->conf, t->sec.resume ? MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED
	                                : MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_DISABLED);
#endif
#endif
}

/* --early-data (RFC 8446 2.3): a server takes up to SEC_EARLY_MAX bytes (its tickets say
 * so); a client sends early data on sessions whose ticket allows it. Mbed TLS keeps no
 * record of tickets or ClientHellos seen, so a server accepts a replayed flight again
 * (ssl.h, mbedtls_ssl_read_early_data: no anti-replay defence of RFC 8446 section 8). */
static int conf_early(struct tls_ctx *t, const struct tp_conf *c)
{
	if (!t->sec.early_data)
		return 0;
#if defined(MBEDTLS_SSL_EARLY_DATA) && defined(MBEDTLS_SSL_PROTO_TLS1_3)
	(void)c;
	mbedtls_ssl_conf_early_data(&t->conf, MBEDTLS_SSL_EARLY_DATA_ENABLED);
	if (t->sec.server)
		mbedtls_ssl_conf_max_early_data_size(&t->conf, SEC_EARLY_MAX);
	return 0;
#else
	return sec_opts_refuse(c, "mbedtls", "early-data",
	                       "MBEDTLS_SSL_EARLY_DATA is not in this build's config");
#endif
}

/* --cid (RFC 9146): CIDs we expect in incoming records are SEC_CID_LEN bytes on a
 * server, empty on a client (dtls_conn.c sets them per connection); a record with
 * another CID is dropped silently, as any unauthenticated datagram is. */
static int conf_cid(struct tls_ctx *t, const struct tp_conf *c)
{
	if (!t->sec.cid)
		return 0;
#if defined(MBEDTLS_SSL_DTLS_CONNECTION_ID)
	(void)c;
	return mbedtls_ssl_conf_cid(&t->conf, t->sec.server ? SEC_CID_LEN : 0,
	                            MBEDTLS_SSL_UNEXPECTED_CID_IGNORE);
#else
	return sec_opts_refuse(c, "mbedtls", "cid",
	                       "MBEDTLS_SSL_DTLS_CONNECTION_ID is not in this build's config");
#endif
}

int tls_ctx_init(struct tls_ctx *t, const struct tp_conf *c, int datagram)
{
	static const char pers[] = "ackbench";
	int r;

	memset(t, 0, sizeof(*t));
	mbedtls_entropy_init(&t->entropy);
	mbedtls_ctr_drbg_init(&t->drbg);
	mbedtls_x509_crt_init(&t->ca);
	mbedtls_x509_crt_init(&t->cert);
	mbedtls_pk_init(&t->key);
	mbedtls_ssl_config_init(&t->conf);
	mbedtls_ssl_ticket_init(&t->ticket);
	mbedtls_ssl_session_init(&t->session);
	/* conns > 1 (the core checked mbt_threads_ok: MBEDTLS_THREADING_C): the DRBG, ticket
	 * and cookie keys and PSA's key store lock themselves; the saved session is ours
	 * (sec.lock) */
	r = sec_ctx_init(&t->sec, c, datagram);
	if (r != 0)
		return r;
	if (c->rpk_file != NULL) /* RFC 7250: not in Mbed TLS 3.6 */
		return sec_opts_refuse(c, "mbedtls", "rpk", "Mbed TLS 3.6 has no raw public keys");

	/* The platform's strong source feeds the DRBG: the same code on boards without
	 * /dev/urandom (ports/<board> implements port_entropy_poll). */
	r = mbedtls_entropy_add_source(&t->entropy, port_entropy_poll, NULL, 32,
	                               MBEDTLS_ENTROPY_SOURCE_STRONG);
	if (r == 0)
		r = mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy,
		                          (const unsigned char *)pers, sizeof(pers) - 1);
	if (r != 0) {
		fprintf(stderr, "%s: cannot seed the random generator (-0x%04X)\n", t->sec.prog,
		        (unsigned)-r);
		return r;
	}
	r = t->sec.auth == SEC_AUTH_CERT ? load_credentials(t) : 0;
	if (r != 0)
		return r;
	r = mbedtls_ssl_config_defaults(
	        &t->conf, t->sec.server ? MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT,
	        datagram ? MBEDTLS_SSL_TRANSPORT_DATAGRAM : MBEDTLS_SSL_TRANSPORT_STREAM,
	        MBEDTLS_SSL_PRESET_DEFAULT);
	if (r != 0)
		return r;
	mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
	/* Mutual authentication: the server's default is NONE (notes item 2). */
	mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
	if (t->sec.auth == SEC_AUTH_CERT && strcmp(t->sec.own_key, "none") != 0) {
		r = mbedtls_ssl_conf_own_cert(&t->conf, &t->cert, &t->key);
		if (r != 0)
			return r;
	}
	if ((r = set_version(t, c->tls_version)) != 0 ||
	    (r = set_suites(t, c->ciphersuite, c->tls_version)) != 0 || (r = set_groups(t, c)) != 0)
		return r;
	if (t->suites[0] != 0)
		mbedtls_ssl_conf_ciphersuites(&t->conf, t->suites);
	if (t->groups[0] != 0)
		mbedtls_ssl_conf_groups(&t->conf, t->groups);
	if (t->sec.auth != SEC_AUTH_CERT && (r = tls_ctx_psk(t, c->ciphersuite != NULL)) != 0)
		return r;
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
	/* Resumption keeps an ECDHE (psk_dhe_ke), as OpenSSL and browsers do: no psk_ke. */
	if (t->sec.auth == SEC_AUTH_CERT)
		mbedtls_ssl_conf_tls13_key_exchange_modes(
		        &t->conf, MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ALL);
#endif
#if defined(MBEDTLS_SSL_SESSION_TICKETS) && defined(MBEDTLS_SSL_SRV_C)
	if (t->sec.server) {
		r = mbedtls_ssl_ticket_setup(&t->ticket, mbedtls_ctr_drbg_random, &t->drbg,
		                             MBEDTLS_CIPHER_AES_256_GCM, 86400);
		if (r != 0)
			return r;
	}
#endif
	conf_tickets(t);
	r = conf_early(t, c);
	if (r == 0)
		r = conf_cid(t, c);
	if (r != 0)
		return r;
	return sec_ctx_keylog(&t->sec, c->keylog_file);
}

void tls_ctx_free(struct tls_ctx *t)
{
	sec_ctx_free(&t->sec);
	mbedtls_ssl_session_free(&t->session);
	mbedtls_ssl_ticket_free(&t->ticket);
	mbedtls_ssl_config_free(&t->conf);
	mbedtls_pk_free(&t->key);
	mbedtls_x509_crt_free(&t->cert);
	mbedtls_x509_crt_free(&t->ca);
	mbedtls_ctr_drbg_free(&t->drbg);
	mbedtls_entropy_free(&t->entropy);
}
