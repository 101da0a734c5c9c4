/* stack.c - the wolfssl stack's description (stack.h): wolfSSL 5.5.4 from Debian's source
 * package, configured as Debian's libwolfssl-dev plus key log and DTLS MTU (stack.mk). */
#include "stack.h"

#include <stdio.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "mem.h"
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

	if (code >= 0 || code <= -1000)
		return -1;
	wolfSSL_ERR_error_string_n((unsigned long)code, wb, sizeof(wb));
	snprintf(buf, len, "%s (wolfSSL %d)", wb, code);
	return 0;
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
};
