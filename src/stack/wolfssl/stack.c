/* stack.c - the wolfssl stack's description (stack.h): wolfSSL 5.9 from Debian's source
 * package, built static in one configuration (stack.mk, recorded by build_config). */
#include "stack.h"

#include <stdio.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "mem.h"
#include "wolf_why.h"
#include "wolf_build.h" /* ACKBENCH_WOLFSSL_BUILD, written by stack.mk */

static const char *wolf_version(void)
{
	return wolfSSL_lib_version();
}

static const char *wolf_build_config(void)
{
	return ACKBENCH_WOLFSSL_BUILD;
}

/* Before wolfSSL_Init: every block wolfSSL allocates (XMALLOC) is counted. */
static int wolf_mem_install(void)
{
	return wolfSSL_SetAllocators(mem_malloc, mem_free, mem_realloc);
}

static int wolf_init(void)
{
	int r = wolfSSL_Init();

	return r == WOLFSSL_SUCCESS ? 0 : r;
}

static void wolf_deinit(void)
{
	wolfSSL_Cleanup();
}

/* wolfSSL and wolfCrypt codes are -1 .. -999 (wolfssl/error-ssl.h, wolfcrypt/error.h). */
static int wolf_strerror(int code, char *buf, size_t len)
{
	char wb[WOLFSSL_MAX_ERROR_SZ];

	if (code == WOLF_ERR_NO_GROUP) {
		snprintf(buf, len, "%s", wolf_why_no_group_text());
		return 0;
	}
	if (code >= 0 || code <= -1000)
		return -1;
	wolfSSL_ERR_error_string_n((unsigned long)code, wb, sizeof(wb));
	snprintf(buf, len, "%s (wolfSSL %d)", wb, code);
	return 0;
}

/* Connections on several threads (src/stack.h, /work/notes/conc-contract.md): a wolfSSL
 * built with threads (not SINGLE_THREADED) gives every WOLFSSL its own RNG, locks the
 * default ticket keys and its session cache; WOLFSSL_CTX is read-only after setup. Ours
 * (wolf_ctx.c, wolf_conn.c, wolf_dsrv.c): the saved session under a lock, the cookie key
 * read-only (per-client secrets derived into the connection), the server's counters
 * atomic or under the core's accept lock, the listener and its buffer only the accepting
 * worker's, per-connection state in the connection, one key log write a line, error text
 * into the caller's buffer. No threads of its own. */
static int wolf_threads_ok(void)
{
#if defined(SINGLE_THREADED)
	return 0;
#else
	return 1;
#endif
}

const struct stack sec_stack = {
	.name = "wolfssl",
	.title = "wolfSSL",
	.version = wolf_version,
	.build_config = wolf_build_config,
	.mem_install = wolf_mem_install,
	.init = wolf_init,
	.deinit = wolf_deinit,
	.strerror = wolf_strerror,
	.threads_ok = wolf_threads_ok,
};
