/*
 * stk.h - the wolfSSL side of mcu/tls.h: its types and codes (make TARGET=cortex-m4
 * STACK=wolfssl). The settings are ports/config/wolfssl_settings_<CONFIG>.h (CONFIG=mcu:
 * SP math and Thumb-2 assembly; mcu-c: portable C), built by mk/mcu-wolfssl.mk.
 */
#ifndef ACKBENCH_MCU_STK_H
#define ACKBENCH_MCU_STK_H

#include <stdint.h>

#include "user_settings.h"
#include "wolfssl/wolfcrypt/settings.h"

#include "wolfssl/error-ssl.h"
#include "wolfssl/ssl.h"
#include "wolfssl/wolfcrypt/random.h"

#define TLS_WANT        WANT_READ
#define TLS_WANT_WRITE  WANT_WRITE
#define TLS_AGAIN       (-0x7ffe) /* never returned: wolfSSL takes tickets inside its calls */
#define TLS_CLOSED      ZERO_RETURN
/* The link under wolfSSL's I/O callbacks (wolfSSL_SSLSetIORecv/Send). */
#define LINK_WANT_READ  WOLFSSL_CBIO_ERR_WANT_READ
#define LINK_WANT_WRITE WOLFSSL_CBIO_ERR_WANT_WRITE
#define LINK_BAD_INPUT  WOLFSSL_CBIO_ERR_GENERAL

/* The run's randomness for the crypto floor (each context has its own DRBG, seeded from the
 * port like this one). Ticket keys are each server context's own (wolfSSL's default ticket
 * callback). */
struct tls_env {
	WC_RNG rng;
};

/* One side's credentials: the compiled-in PEM, loaded into each context (tls_conf_init). */
struct tls_cred {
	const char *ca, *crt, *key;
};

struct tls_conf {
	WOLFSSL_CTX *ctx;
	int group; /* wolfSSL's code of the one group offered */
	int server, tls13;
};

struct tls_sess {
	WOLFSSL_SESSION *s;
};

struct tls_conn {
	WOLFSSL *ssl;
	int err; /* the last error wolfSSL_get_error() gave */
};

#endif
