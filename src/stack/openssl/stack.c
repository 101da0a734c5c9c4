/* stack.c - the openssl stack's description (stack.h): OpenSSL 3.5 LTS built static from
 * Debian trixie's source package (stack.mk), the text of its failures is ossl_err.c's. */
#include "stack.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/opensslconf.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>

#include "mem.h"
#include "ossl_bio.h"
#include "ossl_err.h"
#include "ossl_build.h" /* ACKBENCH_OSSL_BUILD, written by stack.mk */

static const char *ossl_version(void)
{
	return OpenSSL_version(OPENSSL_VERSION_STRING);
}

static const char *ossl_build_config(void)
{
	static char s[512];

	snprintf(s, sizeof(s), "%s, %s", ACKBENCH_OSSL_BUILD, OpenSSL_version(OPENSSL_PLATFORM));
	return s;
}

static void *m_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return mem_malloc(n);
}

static void *m_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return mem_realloc(p, n);
}

static void m_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	mem_free(p);
}

/* Only before OpenSSL's first allocation: it returns 0 after one. */
static int ossl_mem_install(void)
{
	if (CRYPTO_set_mem_functions(m_malloc, m_realloc, m_free) == 1)
		return 0;
	return ossl_err_say("OpenSSL: CRYPTO_set_mem_functions: too late, OpenSSL already "
	                    "allocated");
}

static int ossl_init(void)
{
	if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS,
	                     NULL) != 1)
		return ossl_err_keep("OPENSSL_init_ssl");
	return 0;
}

static void ossl_deinit(void)
{
	ossl_bio_cleanup();
	OPENSSL_cleanup();
}

static int ossl_strerror(int code, char *buf, size_t len)
{
	if (code != OSSL_ERR_LIB)
		return -1;
	snprintf(buf, len, "%s", ossl_err_text());
	return 0;
}

/* Connections on several threads (src/stack.h, /work/notes/conc-contract.md): an OpenSSL
 * built with threads has a thread-safe RAND, SSL_CTX (read-only after setup) and ticket
 * keys, and a per-thread error queue; ours (ossl_ctx.c, ossl_conn.c, dtls_srv.c): the
 * saved session under a lock, the cookie key read-only, the server's counters atomic or
 * under the core's accept lock, per-connection state in the connection (the ClientHello
 * DTLSv1_listen took, the timer), the listener read only by the accepting worker, one
 * key log write a line, the error text per thread. No threads of its own. */
static int ossl_threads_ok(void)
{
#if defined(OPENSSL_THREADS)
	return 1;
#else
	return 0;
#endif
}

const struct stack sec_stack = {
	.name = "openssl",
	.title = "OpenSSL",
	.version = ossl_version,
	.build_config = ossl_build_config,
	.mem_install = ossl_mem_install,
	.init = ossl_init,
	.deinit = ossl_deinit,
	.strerror = ossl_strerror,
	.threads_ok = ossl_threads_ok,
};
