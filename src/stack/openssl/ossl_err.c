/* ossl_err.c - see ossl_err.h. */
#include "ossl_err.h"

#include <stdio.h>

#include <openssl/err.h>

/* The last failure's text, per thread (connections run on several with --max-conns and
 * --parallel; OpenSSL's error queue is per thread too). */
static _Thread_local char g_err[256];

int ossl_err_keep(const char *what)
{
	unsigned long e = ERR_get_error(), last = e;
	char buf[200];

	while (e != 0) { /* the first one is the cause; the last one is the most specific */
		last = e;
		e = ERR_get_error();
	}
	if (last == 0) {
		snprintf(g_err, sizeof(g_err), "OpenSSL: %s failed", what);
	} else {
		ERR_error_string_n(last, buf, sizeof(buf));
		snprintf(g_err, sizeof(g_err), "OpenSSL: %s: %s", what, buf);
	}
	return OSSL_ERR_LIB;
}

const char *ossl_err_text(void)
{
	return g_err[0] != '\0' ? g_err : "OpenSSL: failed";
}

int ossl_err_say(const char *text)
{
	snprintf(g_err, sizeof(g_err), "%s", text);
	return OSSL_ERR_LIB;
}
