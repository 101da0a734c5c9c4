/* setup.c - mcu/tls.h on wolfSSL, outside the connections: the library's start-up (the
 * counting allocator of src/mem.h under it), the port's seed and time for the settings
 * (CUSTOM_RAND_GENERATE_SEED, XTIME, XGMTIME), credentials and the per-protocol and group
 * contexts. Nothing here is measured: it is the image's start-up, the baseline the
 * per-connection heap figures are above. */
#include <string.h>

#include "mem.h"
#include "mps2.h"
#include "port.h"
#include "tls.h"
#include "wolfssl/wolfcrypt/memory.h"

/* CUSTOM_RAND_GENERATE_SEED: every DRBG of wolfSSL is seeded from the port's entropy
 * source (ports/mps2/entropy_testonly.c under QEMU: TEST-ONLY, NOT RANDOM). */
int ackbench_wolf_seed(unsigned char *out, unsigned int len)
{
	size_t got = 0;

	return port_entropy_poll(NULL, out, len, &got) == 0 && got == len ? 0 : RNG_FAILURE_E;
}

/* XTIME: seconds since reset (ticket lifetimes and ages); XGMTIME: newlib's. Certificate
 * dates are not checked (NO_ASN_TIME_CHECK): there is no calendar. */
time_t ackbench_wolf_time(time_t *t)
{
	return mps2_time(t);
}

struct tm *ackbench_wolf_gmtime(const time_t *t, struct tm *tmp)
{
	return gmtime_r(t, tmp);
}

/* USER_TICKS: seconds (session lifetimes) and milliseconds (TLS 1.3 ticket ages) since
 * reset (wolfSSL declares them in its internal.h). */
word32 LowResTimer(void);
sword64 TimeNowInMilliseconds(void);

word32 LowResTimer(void)
{
	return (word32)(port_mono_ns() / 1000000000u);
}

sword64 TimeNowInMilliseconds(void)
{
	return (sword64)(port_mono_ns() / 1000000u);
}

int tls_lib_init(void)
{
	if (wolfSSL_SetAllocators(mem_malloc, mem_free, mem_realloc) != 0)
		return -1;
	return wolfSSL_Init() == WOLFSSL_SUCCESS ? 0 : -1;
}

void tls_lib_free(void)
{
	wolfSSL_Cleanup();
}

const char *tls_lib_banner(void)
{
	return "stack=wolfssl wolfssl=" LIBWOLFSSL_VERSION_STRING;
}

unsigned tls_protos_built(void)
{
	return 1u << HS_TLS12 | 1u << HS_TLS13;
}

unsigned tls_groups(enum hs_proto p)
{
	unsigned g = 1u << GR_P256 | 1u << GR_X25519;

	/* ML-KEM is TLS 1.3 only (draft-ietf-tls-mlkem, draft-ietf-tls-ecdhe-mlkem). */
	if (p == HS_TLS13)
		g |= 1u << GR_X25519MLKEM768 | 1u << GR_MLKEM768;
	return g;
}

int tls_env_init(struct tls_env *env)
{
	return wc_InitRng(&env->rng);
}

void tls_env_free(struct tls_env *env)
{
	wc_FreeRng(&env->rng);
}

int tls_cred_load(struct tls_cred *c, struct tls_env *env, const char *ca, const char *crt,
                  const char *key)
{
	(void)env;
	c->ca = ca;
	c->crt = crt;
	c->key = key;
	return 0;
}

void tls_cred_free(struct tls_cred *c)
{
	memset(c, 0, sizeof(*c));
}

void tls_sess_init(struct tls_sess *s)
{
	s->s = NULL;
}

void tls_sess_free(struct tls_sess *s)
{
	if (s->s != NULL)
		wolfSSL_SESSION_free(s->s);
	s->s = NULL;
}

void tls_conf_free(struct tls_conf *conf)
{
	if (conf->ctx != NULL)
		wolfSSL_CTX_free(conf->ctx);
	conf->ctx = NULL;
}

static const int group_code[GR_N] = { WOLFSSL_ECC_SECP256R1, WOLFSSL_ECC_X25519,
	                              WOLFSSL_X25519MLKEM768, WOLFSSL_ML_KEM_768 };

static int ok(int r)
{
	return r == WOLFSSL_SUCCESS ? 0 : r < 0 ? r : WOLFSSL_FATAL_ERROR;
}

int tls_conf_init(struct tls_conf *conf, struct tls_env *env, enum hs_proto p, enum tls_group g,
                  int server, struct tls_cred *cred)
{
	WOLFSSL_METHOD *m;
	int groups[1] = { group_code[g] }, r;

	(void)env;
	memset(conf, 0, sizeof(*conf));
	conf->group = group_code[g];
	conf->server = server;
	conf->tls13 = p == HS_TLS13;
	if (p == HS_TLS13)
		m = server ? wolfTLSv1_3_server_method() : wolfTLSv1_3_client_method();
	else if (p == HS_TLS12)
		m = server ? wolfTLSv1_2_server_method() : wolfTLSv1_2_client_method();
	else
		return BAD_FUNC_ARG; /* no DTLS in the settings */
	conf->ctx = wolfSSL_CTX_new(m);
	if (conf->ctx == NULL)
		return MEMORY_E;
	/* Both sides require the peer's certificate (mutual authentication). */
	wolfSSL_CTX_set_verify(conf->ctx, WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT,
	                       NULL);
	r = ok(wolfSSL_CTX_load_verify_buffer(conf->ctx, (const unsigned char *)cred->ca,
	                                      (long)strlen(cred->ca), WOLFSSL_FILETYPE_PEM));
	if (r == 0)
		r = ok(wolfSSL_CTX_use_certificate_buffer(
		        conf->ctx, (const unsigned char *)cred->crt, (long)strlen(cred->crt),
		        WOLFSSL_FILETYPE_PEM));
	if (r == 0)
		r = ok(wolfSSL_CTX_use_PrivateKey_buffer(
		        conf->ctx, (const unsigned char *)cred->key, (long)strlen(cred->key),
		        WOLFSSL_FILETYPE_PEM));
	if (r == 0)
		r = ok(wolfSSL_CTX_set_groups(conf->ctx, groups, 1));
	/* TLS 1.2 tickets are asked for by the client (RFC 5077); TLS 1.3 servers send them. */
	if (r == 0 && !server && p == HS_TLS12)
		r = ok(wolfSSL_CTX_UseSessionTicket(conf->ctx));
	if (r != 0)
		tls_conf_free(conf);
	return r;
}
