/*
 * tls_common.h - the Mbed TLS 3.6 layer shared by the tls and dtls transports of the
 * mbedtls stack (src/stack/README.md).
 *
 * Two levels, as in Mbed TLS itself:
 *   struct tls_ctx   once per process: RNG, certificates, key, the mbedtls_ssl_config
 *                    (verify-required on both sides, pinned suites/groups/version, tickets),
 *                    the saved session for --resume, the key log.
 *   struct tls_conn  once per connection: an mbedtls_ssl_context over a port handle, with
 *                    our own BIO callbacks over sec_io.h (port_send/port_recv, handshake
 *                    byte counts, deadlines so a trickling peer is dropped, sniffing, the
 *                    timeline tap), the same code for every stack.
 *
 * The transport kind (stream or datagram) is a parameter of tls_ctx_init(). What only DTLS
 * needs (timer callbacks, cookies, client transport id, MTU) is not here: a DTLS transport
 * calls tls_conn_new() on its connected datagram handle, then tls_conn_prepare(), adds its
 * settings to conn->ssl / ctx->conf, hooks its datagram work on conn->io.stack_tap, and
 * uses the rest as is.
 *
 * Every function returns 0 (or a byte count) or a negative error: ACK_ERR_* (port.h) or an
 * Mbed TLS code; err_str() turns either into text. Messages go to stderr, one line each,
 * prefixed with conf->prog.
 */
#ifndef ACKBENCH_TLS_COMMON_H
#define ACKBENCH_TLS_COMMON_H

#include <stdint.h>
#include <stdio.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/ssl.h"
#include "mbedtls/ssl_ticket.h"
#include "mbedtls/x509_crt.h"
#include "sec_ctx.h"
#include "sec_io.h"
#include "transport.h"

#define TLS_MAX_SUITES 16
#define TLS_MAX_GROUPS 16

struct tls_ctx {
	struct sec_ctx sec; /* prog, side, pins, lock, key log, own key, ... (sec_ctx.h) */
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_x509_crt ca, cert;
	mbedtls_pk_context key;
	mbedtls_ssl_config conf;
	mbedtls_ssl_ticket_context ticket; /* server: session ticket keys */
	mbedtls_ssl_session session;       /* client: last session, for --resume */
	int have_session;
	int suites[TLS_MAX_SUITES + 1]; /* 0-terminated */
	uint16_t groups[TLS_MAX_GROUPS + 1];
	/* print-once flags, shared by --parallel's slots */
	_Atomic uint32_t last_flags; /* client: last verify failure printed (once each) */
	_Atomic int mac_hint;        /* client: the TLS 1.3 "MAC failed" hint was printed */
	_Atomic int hrr_told;        /* client: the bad HelloRetryRequest line was printed */
};

struct tls_conn {
	struct tls_ctx *t;
	mbedtls_ssl_context ssl;
	struct sec_io io; /* handle (owned), deadline, byte counts, sniffers, taps */
	int ready;        /* tls_conn_prepare() done */
	int hs_done;      /* handshake completed */
	int peer_closed;  /* peer's close_notify seen */
	int ticket;       /* TLS 1.3 client: a NewSessionTicket arrived */
	int psk_unknown;  /* server: the client named an identity not ours (tls_psk.c) */
	uint16_t bad_hrr; /* client: a HelloRetryRequest asked for this group, not offered */
	uint8_t *early;   /* server: the early data received (SEC_EARLY_MAX), or NULL */
	size_t early_len, early_off; /* its bytes, and how many recv gave out */
	char peer[64];
};

/* Per process. conf must outlive ctx (its strings are kept). Loads the CA, certificate
 * and key (default paths: certs/ca.crt, certs/{client,server}.{crt,key} relative to the
 * current directory), seeds the DRBG from port_entropy_poll(), builds the config.
 * datagram: MBEDTLS_SSL_TRANSPORT_DATAGRAM instead of STREAM. Prints the reason of a
 * failure (naming the option and file) and returns its code; ctx must still be freed. */
int tls_ctx_init(struct tls_ctx *t, const struct tp_conf *conf, int datagram);
void tls_ctx_free(struct tls_ctx *t);

/* Wraps the connected handle h (ownership passes to the conn, also on failure). peer is
 * the address text for messages. No Mbed TLS work yet. */
int tls_conn_new(struct tls_ctx *t, int h, const char *peer, struct tls_conn **out);
/* mbedtls_ssl_setup, BIO, server name, session to resume, key log. Called by
 * tls_conn_handshake() if not done; call it first to add settings to c->ssl. */
int tls_conn_prepare(struct tls_conn *c);
/* The handshake, bounded by the ctx's hs_deadline_ms overall. On a refused certificate
 * the verifying side prints mbedtls_x509_crt_verify_info()'s reason. */
int tls_conn_handshake(void *conn);
/* Client --early-data: the handshake, buf sent as early data where the session allows;
 * the bytes the server accepted as early data (0: none) or an error (sec_ops). */
int tls_conn_handshake_early(void *conn, const uint8_t *buf, size_t len);
/* Writes all of buf, record by record (at most 16383 bytes each in TLS 1.3). */
int tls_conn_send(void *conn, const uint8_t *buf, size_t len);
/* Reads what is there, waiting up to timeout_ms (< 0 = forever): > 0 bytes;
 * ACK_ERR_EOF after the peer's close_notify; ACK_ERR_TRUNCATED when the transport closed
 * without one; ACK_ERR_TIMEOUT; or an error. */
int tls_conn_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms);
/* Sends close_notify, waits (up to timeout_ms) for the peer's, then on a stream ends the
 * TCP connection the same way tcp does (FIN, wait for the peer's). A client with --resume
 * keeps the session for the next connection. Frees c; returns 0 or the error seen. */
int tls_conn_close(void *conn, int timeout_ms);
/* Frees c at once (no close_notify). */
void tls_conn_abort(void *conn);
/* sec_ops.names: "TLSv1.3", "TLS1-3-AES-128-GCM-SHA256" and the server certificate's key
 * type (sec_describe() writes the line). */
void tls_conn_names(void *conn, struct sec_names *n);

/* tls_psk.c: --psk on t's config (suites unless the user named them, TLS 1.3 modes, the
 * client's key or the server's identity check). 0 or an error, its line printed. */
int tls_ctx_psk(struct tls_ctx *t, int user_suites);
/* A PSK server's handshake failed with r: one line saying what it most likely means. */
void tls_conn_psk_hint(struct tls_conn *c, int r);
/* tls_refuse.c: a handshake failed with r: the refusal's alert and lines, then a short
 * drain so that the peer reads the alert (a stream). */
void tls_conn_refused(struct tls_conn *c, int r);
/* A TLS 1.3 client's read failed with r: once, what a MAC failure there usually means. */
void tls_conn_mac_hint(struct tls_conn *c, int r);

/* Name of an Mbed TLS handshake state (mbedtls_ssl_states), for timeline rows. */
const char *tls_state_name(int state);

/* Internal to tls_common.c / tls_conn.c: installs the key log callback on c->ssl. */
void tls_conn_keylog(struct tls_conn *c);

#endif
