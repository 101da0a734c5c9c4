/* setup.c - mcu/tls.h on Mbed TLS, outside the connections: the library's start-up, what
 * both sides share for a run (randomness, tickets, cookies), credentials and the
 * per-protocol configurations. Nothing here is measured: it is the image's start-up, the
 * baseline the per-connection heap figures are above. */
#include <string.h>

#include "mbedtls/platform.h"
#include "mbedtls/platform_util.h"
#include "mbedtls/platform_time.h"
#if defined(MBEDTLS_X509_CRT_PARSE_C)
#include "mbedtls/x509.h"
#endif
#include "mem.h"
#include "mps2.h"
#include "port.h"
#include "psa/crypto.h"
#include "tls.h"

/* MBEDTLS_PLATFORM_MS_TIME_ALT: TLS 1.3 ticket ages, on the port's clock. */
mbedtls_ms_time_t mbedtls_ms_time(void)
{
	return (mbedtls_ms_time_t)(port_mono_ns() / 1000000u);
}

int tls_lib_init(void)
{
	psa_status_t st;

	if (mbedtls_platform_set_calloc_free(mem_calloc, mem_free) != 0 ||
	    mbedtls_platform_set_time(mps2_time) != 0)
		return -1;
	st = psa_crypto_init();
	return st == PSA_SUCCESS ? 0 : (int)st;
}

void tls_lib_free(void)
{
	mbedtls_psa_crypto_free();
}

const char *tls_lib_banner(void)
{
	return "mbedtls=" MBEDTLS_VERSION_STRING;
}

unsigned tls_groups(enum hs_proto p)
{
	(void)p;
	return 1u << GR_P256; /* the only curve of the config */
}

void tls_sess_init(struct tls_sess *s)
{
	mbedtls_ssl_session_init(&s->s);
}

void tls_sess_free(struct tls_sess *s)
{
	mbedtls_ssl_session_free(&s->s);
}

void tls_conf_free(struct tls_conf *conf)
{
	mbedtls_ssl_config_free(&conf->c);
}

unsigned tls_protos_built(void)
{
	unsigned p = 1u << HS_TLS12;

#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
	p |= 1u << HS_TLS13;
#endif
#if defined(MBEDTLS_SSL_PROTO_DTLS)
	p |= 1u << HS_DTLS12;
#endif
	return p;
}

int tls_env_init(struct tls_env *env)
{
	static const char pers[] = "ackbench-mcu";
	int r;

	mbedtls_entropy_init(&env->entropy);
	mbedtls_ctr_drbg_init(&env->drbg);
	mbedtls_ssl_ticket_init(&env->ticket);
	mbedtls_ssl_cookie_init(&env->cookie);
	r = mbedtls_ctr_drbg_seed(&env->drbg, mbedtls_entropy_func, &env->entropy,
	                          (const unsigned char *)pers, sizeof(pers) - 1);
	if (r == 0)
		r = mbedtls_ssl_ticket_setup(&env->ticket, mbedtls_ctr_drbg_random, &env->drbg,
		                             MBEDTLS_CIPHER_AES_128_GCM, 86400);
	if (r == 0)
		r = mbedtls_ssl_cookie_setup(&env->cookie, mbedtls_ctr_drbg_random, &env->drbg);
	return r;
}

void tls_env_free(struct tls_env *env)
{
	mbedtls_ssl_cookie_free(&env->cookie);
	mbedtls_ssl_ticket_free(&env->ticket);
	mbedtls_ctr_drbg_free(&env->drbg);
	mbedtls_entropy_free(&env->entropy);
}

#if !defined(TLS_PSK_ONLY)
int tls_cred_load(struct tls_cred *c, struct tls_env *env, const char *ca, const char *crt,
                  const char *key)
{
	int r;

	mbedtls_x509_crt_init(&c->ca);
	mbedtls_x509_crt_init(&c->crt);
	mbedtls_pk_init(&c->key);
	r = mbedtls_x509_crt_parse(&c->ca, (const unsigned char *)ca, strlen(ca) + 1);
	if (r == 0)
		r = mbedtls_x509_crt_parse(&c->crt, (const unsigned char *)crt, strlen(crt) + 1);
	if (r == 0)
		r = mbedtls_pk_parse_key(&c->key, (const unsigned char *)key, strlen(key) + 1, NULL,
		                         0, mbedtls_ctr_drbg_random, &env->drbg);
	return r;
}

void tls_cred_free(struct tls_cred *c)
{
	mbedtls_pk_free(&c->key);
	mbedtls_x509_crt_free(&c->crt);
	mbedtls_x509_crt_free(&c->ca);
}
#else
static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* PSK build (mcu/creds.h): ca is the identity, crt the mode, key 64 hex digits. */
int tls_cred_load(struct tls_cred *c, struct tls_env *env, const char *ca, const char *crt,
                  const char *key)
{
	size_t i;

	(void)env;
	memset(c, 0, sizeof(*c));
	if (strlen(key) != 2 * sizeof(c->key))
		return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
	for (i = 0; i < sizeof(c->key); i++) {
		int hi = hexval(key[2 * i]), lo = hexval(key[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
		c->key[i] = (unsigned char)(hi << 4 | lo);
	}
	c->id = ca;
	c->dhe = strcmp(crt, "psk-dhe") == 0;
	return 0;
}

void tls_cred_free(struct tls_cred *c)
{
	mbedtls_platform_zeroize(c->key, sizeof(c->key));
}

/* The PSK configuration: the mode's suites (TLS 1.2 / DTLS 1.2) or key exchange mode
 * (TLS 1.3) only, so a handshake that completes was in that mode on both sides; the key
 * and identity on both (a server without a PSK callback takes the configured identity only,
 * and refuses another as unknown). No certificates, so nothing to verify; no tickets: each
 * handshake is a full one by the key. */
static int conf_psk(mbedtls_ssl_config *conf, const struct tls_cred *cred)
{
	static const int psk[] = { MBEDTLS_TLS1_3_AES_128_GCM_SHA256,
		                   MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256, 0 };
	static const int psk_dhe[] = { MBEDTLS_TLS1_3_AES_128_GCM_SHA256,
		                       MBEDTLS_TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256, 0 };

	mbedtls_ssl_conf_ciphersuites(conf, cred->dhe ? psk_dhe : psk);
	mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_NONE);
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
	mbedtls_ssl_conf_tls13_key_exchange_modes(
	        conf, cred->dhe ? MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL
	                        : MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK);
#endif
	return mbedtls_ssl_conf_psk(conf, cred->key, sizeof(cred->key),
	                            (const unsigned char *)cred->id, strlen(cred->id));
}
#endif

int tls_conf_init(struct tls_conf *tc, struct tls_env *env, enum hs_proto p, enum tls_group g,
                  int server, struct tls_cred *cred)
{
	mbedtls_ssl_config *conf = &tc->c;
	int r;
	mbedtls_ssl_protocol_version v =
	        p == HS_TLS13 ? MBEDTLS_SSL_VERSION_TLS1_3 : MBEDTLS_SSL_VERSION_TLS1_2;

	(void)g; /* P-256, the config's only group */
	mbedtls_ssl_config_init(conf);
	r = mbedtls_ssl_config_defaults(
	        conf, server ? MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT,
	        p == HS_DTLS12 ? MBEDTLS_SSL_TRANSPORT_DATAGRAM : MBEDTLS_SSL_TRANSPORT_STREAM,
	        MBEDTLS_SSL_PRESET_DEFAULT);
	if (r != 0)
		return r;
	mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, &env->drbg);
	mbedtls_ssl_conf_min_tls_version(conf, v);
	mbedtls_ssl_conf_max_tls_version(conf, v);
#if defined(TLS_PSK_ONLY)
	r = conf_psk(conf, cred);
	if (r != 0)
		return r;
	if (server && p == HS_DTLS12)
		mbedtls_ssl_conf_dtls_cookies(conf, mbedtls_ssl_cookie_write,
		                              mbedtls_ssl_cookie_check, &env->cookie);
	if (!server)
		mbedtls_ssl_conf_session_tickets(conf, MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
#else
	/* The server's default is NONE: both sides require the peer's certificate. */
	mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_ca_chain(conf, &cred->ca, NULL);
	r = mbedtls_ssl_conf_own_cert(conf, &cred->crt, &cred->key);
	if (r != 0)
		return r;
	if (server) {
		mbedtls_ssl_conf_session_tickets_cb(conf, mbedtls_ssl_ticket_write,
		                                    mbedtls_ssl_ticket_parse, &env->ticket);
		if (p == HS_DTLS12)
			mbedtls_ssl_conf_dtls_cookies(conf, mbedtls_ssl_cookie_write,
			                              mbedtls_ssl_cookie_check, &env->cookie);
	} else {
		mbedtls_ssl_conf_session_tickets(conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
		/* Since 3.6.1 a TLS 1.3 client drops tickets unless asked to hand them over. */
		mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
		        conf, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
#endif
	}
#endif
#if MBEDTLS_SSL_IN_CONTENT_LEN < 16384
#if !defined(MBEDTLS_SSL_MAX_FRAGMENT_LENGTH) || MBEDTLS_SSL_IN_CONTENT_LEN < 512
#error "an incoming record buffer below 16384 needs MBEDTLS_SSL_MAX_FRAGMENT_LENGTH and at least 512 bytes: the peer must agree to smaller records"
#endif
	/* An incoming buffer below the protocol's 16384: the peer must agree to send smaller
	 * records. TLS/DTLS 1.2: the client asks for max_fragment_length (RFC 6066), which
	 * binds both directions; TLS 1.3: record_size_limit (RFC 8449), which both sides send
	 * when the config has MBEDTLS_SSL_RECORD_SIZE_LIMIT. */
	if (!server && p != HS_TLS13) {
		/* Mbed TLS takes no larger one than both buffers hold (it binds our records too).
		 */
		const size_t len = MBEDTLS_SSL_IN_CONTENT_LEN < MBEDTLS_SSL_OUT_CONTENT_LEN
		                           ? MBEDTLS_SSL_IN_CONTENT_LEN
		                           : MBEDTLS_SSL_OUT_CONTENT_LEN;
		unsigned char code = len >= 4096   ? MBEDTLS_SSL_MAX_FRAG_LEN_4096
		                     : len >= 2048 ? MBEDTLS_SSL_MAX_FRAG_LEN_2048
		                     : len >= 1024 ? MBEDTLS_SSL_MAX_FRAG_LEN_1024
		                                   : MBEDTLS_SSL_MAX_FRAG_LEN_512;
		r = mbedtls_ssl_conf_max_frag_len(conf, code);
		if (r != 0)
			return r;
	}
#endif
	/* Virtual time runs only as fast as the two sides compute: retransmitting would mean
	 * a timer shorter than a handshake's instructions (20 s = 2e10 at shift=0). */
	if (p == HS_DTLS12)
		mbedtls_ssl_conf_handshake_timeout(conf, 20000, 60000);
	return 0;
}
