/* stack.c - the mbedtls stack's description (stack.h): Mbed TLS 3.6, built from its
 * release tarball with ports/config/ackbench_config_<CONFIG>.h. */
#include "stack.h"

#include <stdio.h>

#include "mbedtls/build_info.h"
#include "mbedtls/error.h"
#include "mbedtls/platform.h"
#include "mem.h"
#include "psa/crypto.h"

#ifndef ACKBENCH_CONFIG
#define ACKBENCH_CONFIG "unknown"
#endif

static const char *mbt_version(void)
{
	return MBEDTLS_VERSION_STRING;
}

static const char *mbt_build_config(void)
{
	return "release tarball, ports/config/ackbench_config_" ACKBENCH_CONFIG ".h";
}

/* Needs MBEDTLS_PLATFORM_MEMORY (both ports/config files set it). */
static int mbt_mem_install(void)
{
	return mbedtls_platform_set_calloc_free(mem_calloc, mem_free);
}

static int mbt_init(void)
{
	psa_status_t r = psa_crypto_init();

	return r == PSA_SUCCESS ? 0 : (int)r;
}

static void mbt_deinit(void)
{
	mbedtls_psa_crypto_free();
}

/* Mbed TLS codes are -0x0001 .. -0x7FFF; PSA's (psa_crypto_init) -128 .. -255 among them. */
static int mbt_strerror(int code, char *buf, size_t len)
{
	char mb[160];

	if (code >= 0 || code < -0x7FFF)
		return -1;
	mbedtls_strerror(code, mb, sizeof(mb));
	snprintf(buf, len, "%s (-0x%04X)", mb, (unsigned)-code);
	return 0;
}

/* MBEDTLS_THREADING_C locks the DRBG, ticket and cookie keys and PSA's key store; the
 * connections' own state is per connection (tls_conn, dtls_conn, a thread-local current
 * connection for the cookie check). */
static int mbt_threads_ok(void)
{
#if defined(MBEDTLS_THREADING_C)
	return 1;
#else
	return 0;
#endif
}

const struct stack sec_stack = {
	.name = "mbedtls",
	.title = "Mbed TLS",
	.version = mbt_version,
	.build_config = mbt_build_config,
	.mem_install = mbt_mem_install,
	.init = mbt_init,
	.deinit = mbt_deinit,
	.strerror = mbt_strerror,
	.threads_ok = mbt_threads_ok,
};
