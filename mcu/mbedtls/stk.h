/*
 * stk.h - the Mbed TLS side of mcu/tls.h: its types and codes (make STACK=mbedtls, the
 * default). The config is ports/config/ackbench_config_<CONFIG>.h (CONFIG=mcu...).
 */
#ifndef ACKBENCH_MCU_STK_H
#define ACKBENCH_MCU_STK_H

#include <stdint.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/ssl.h"
#include "mbedtls/ssl_cookie.h"
#include "mbedtls/ssl_ticket.h"

#define TLS_WANT        MBEDTLS_ERR_SSL_WANT_READ
#define TLS_WANT_WRITE  MBEDTLS_ERR_SSL_WANT_WRITE
#define TLS_AGAIN       MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET
#define TLS_CLOSED      MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY
/* The link under mbedtls_ssl_set_bio's callbacks. */
#define LINK_WANT_READ  MBEDTLS_ERR_SSL_WANT_READ
#define LINK_WANT_WRITE MBEDTLS_ERR_SSL_WANT_WRITE
#define LINK_BAD_INPUT  MBEDTLS_ERR_SSL_BAD_INPUT_DATA

/* What both sides share for the whole run: randomness, ticket keys, cookie secret. */
struct tls_env {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_ssl_ticket_context ticket;
	mbedtls_ssl_cookie_ctx cookie;
};

#if defined(MBEDTLS_X509_CRT_PARSE_C)
/* Credentials of one side, parsed from the compiled-in PEM. */
struct tls_cred {
	mbedtls_x509_crt ca, crt;
	mbedtls_pk_context key;
};
#else
/* A config without X.509 (CONFIG=mcu-psk): pre-shared keys only (mcu/creds.h). */
#define TLS_PSK_ONLY 1
struct tls_cred {
	unsigned char key[32];
	const char *id;
	int dhe; /* 1: PSK with ECDHE (psk-dhe), 0: PSK alone */
};
/* Whether a side that failed with err refused a peer holding another key. */
int tls_refused_wrong_key(int err);
#endif

struct tls_conf {
	mbedtls_ssl_config c;
};

struct tls_sess {
	mbedtls_ssl_session s;
};

/* One endpoint's context and its DTLS retransmission timer. */
struct tls_conn {
	mbedtls_ssl_context ssl;
	uint64_t timer_start_ns, timer_int_ms, timer_fin_ms;
};

#endif
