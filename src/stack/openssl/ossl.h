/*
 * ossl.h - the OpenSSL 3.0 layer of the openssl stack, shared by its tls and dtls
 * transports (see src/stack/README.md). The same two levels as the mbedtls stack:
 *   struct ossl_ctx   once per process: the SSL_CTX (verify-required on both sides, pinned
 *                     suites/groups/version, tickets, key log), the saved session for
 *                     --resume, the DTLS cookie secret;
 *   struct ossl_conn  once per connection: an SSL over our own BIO (ossl_bio.c), whose
 *                     read/write call sec_io.h, so byte counts, deadlines, sniffing and the
 *                     timeline are the same code as every other stack's.
 * Every function returns 0 (or a byte count) or a negative error: ACK_ERR_* or
 * OSSL_ERR_LIB (its text: the OpenSSL error queue at the failure, ossl_err.h).
 */
#ifndef ACKBENCH_OSSL_H
#define ACKBENCH_OSSL_H

#include <stdint.h>
#include <stdio.h>

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include "ossl_err.h"
#include "port.h"
#include "sec_ctx.h"
#include "sec_io.h"
#include "transport.h"

#define OSSL_COOKIE_LEN 32u
#define OSSL_PEEK_MAX   4096 /* a DTLS ClientHello (with a ticket) fits */

struct ossl_ctx {
	struct sec_ctx sec; /* prog, side, pins, lock, key log, own key, ... (sec_ctx.h) */
	SSL_CTX *ctx;
	SSL_SESSION *session;    /* client: the last session, for --resume */
	EVP_PKEY *peer_rpk;      /* --rpk: the peer's pinned public key, or NULL */
	_Atomic int last_verify; /* client: last verify failure printed (printed once each) */
	unsigned conns_max;      /* connections run at once (tp_conf.conns) */
	/* DTLS */
	uint16_t mtu;
	uint32_t hs_min_ms, hs_max_ms, budget_ms, max_payload;
	int cookies, warned;
	uint8_t cookie_key[32];
	struct port_addr cookie_peer; /* server: the address DTLSv1_listen is answering */
	/* DTLS server counters, printed at the end: the accept's (conns, hvr, dl.stray) counted
	 * under the core's accept lock, the connections' own atomically */
	uint32_t conns, hvr;
	_Atomic uint32_t superseded, retrans, retrans_conns, reconnects;
	struct sec_listen dl; /* the next/last datagram of the listening socket, strays */
	size_t last_len;      /* of the last one the listening BIO read */
};

struct ossl_conn {
	struct ossl_ctx *t;
	SSL *ssl;
	struct sec_io io;
	int hs_done, peer_closed;
	int psk_unknown; /* server: the client named an identity not ours (ossl_psk.c) */
	char peer[80];
	/* server --early-data: what came early (SEC_EARLY_MAX), its bytes, how many recv gave
	 * out; early_open: the client's early data may still come (handshake not over) */
	uint8_t *early;
	size_t early_len, early_off;
	int early_open;
	/* DTLS */
	uint64_t timer_ns;     /* the retransmission deadline OpenSSL set on the BIO, 0 none */
	int timer_expired;     /* the last read ended at that deadline */
	uint32_t timer_us;     /* the current timeout (DTLS_set_timer_cb) */
	uint32_t retrans;      /* timer expiries (each followed by a resend of the flight) */
	struct port_addr addr; /* server: the client's address (its cookie's) */
	int first_read;        /* server: no request yet since the handshake */
	uint8_t hello[OSSL_PEEK_MAX]; /* server: the ClientHello DTLSv1_listen consumed */
	uint8_t random[32];           /* server: the random of this session's ClientHello */
	size_t hello_len;
};

/* ossl_ctx.c */
int ossl_ctx_init(struct ossl_ctx *t, const struct tp_conf *conf, int datagram);
void ossl_ctx_free(struct ossl_ctx *t);

/* ossl_psk.c: --psk on t's SSL_CTX (suites unless the user named them, TLS 1.3 modes, the
 * client's key or the server's identity check). 0 or an error. */
int ossl_ctx_psk(struct ossl_ctx *t, int user_suites);

/* "EC-256", "RSA-2048": the key type, as the mbedtls stack names it. */
void ossl_key_name(EVP_PKEY *k, char *buf, size_t len);

/* ossl_conn.c. new: wraps the connected handle h (owned from here on, also on failure). */
int ossl_conn_new(struct ossl_ctx *t, int h, const char *peer, struct ossl_conn **out);
/* The same on an SSL made already (the DTLS server's, after DTLSv1_listen; NULL: new). */
int ossl_conn_take(struct ossl_ctx *t, int h, const char *peer, SSL *ssl, struct ossl_conn **out);
/* A new server SSL for c on the same socket (a DTLS client reconnecting from its address
 * and port); its ClientHello is still queued there. */
int ossl_conn_renew(struct ossl_conn *c);
int ossl_conn_handshake(void *conn);
int ossl_conn_send(void *conn, const uint8_t *buf, size_t len);
int ossl_conn_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms);
int ossl_conn_close(void *conn, int timeout_ms);
void ossl_conn_abort(void *conn);
/* sec_ops.retrans and .names (sec_tp.h). */
uint32_t ossl_conn_retrans(void *conn);
void ossl_conn_names(void *conn, struct sec_names *n);
/* The error of a failed SSL call r (SSL_get_error), the port's error first. */
int ossl_conn_err(struct ossl_conn *c, int r);

/* ossl_early.c (--early-data). Server: the handshake's start, SSL_read_early_data (1: early
 * data came, the handshake ends in recv; 0: none, go on; or an error); recv and send
 * while the early phase is open (recv: > 0 bytes, 0 the handshake is over now, or an
 * error). Client: sec_ops.handshake_early. */
int ossl_early_server_start(struct ossl_conn *c);
int ossl_early_recv(struct ossl_conn *c, uint8_t *buf, size_t cap);
int ossl_early_send(struct ossl_conn *c, const uint8_t *buf, size_t len);
int ossl_conn_handshake_early(void *conn, const uint8_t *buf, size_t len);

/* ossl_rpk.c, --rpk (RFC 7250). conf: loads the pinned key, RPK-only certificate types on
 * the SSL_CTX (0 without --rpk). conn: the pin on c's SSL. check: after the handshake,
 * refuses (one line, ACK_ERR_PROTO) any certificate type but RPK. refused: after a failed
 * handshake, 1 when the peer's key was not the pinned one (its line printed), else 0. */
int ossl_rpk_conf(struct ossl_ctx *t);
int ossl_rpk_conn(struct ossl_conn *c);
int ossl_rpk_check(struct ossl_conn *c);
int ossl_rpk_refused(const struct ossl_conn *c, long verify);

/* ossl_state.c: OpenSSL's handshake state of conn (SSL_get_state) and its name, for the
 * timeline rows (sec_io.h hs_state, transport.state_name). */
int ossl_state_of(void *conn);
const char *ossl_state_name(int state);

/* tp_tls.c: sec_ops' conn_new, io and peer of a ossl_conn (for tls and dtls). */
int ossl_tp_new(void *state, int h, const char *peer, void **conn);
struct sec_io *ossl_tp_io(void *conn);
const char *ossl_tp_peer(void *conn);

/* dtls_srv.c */
int ossl_dtls_srv_conf(struct ossl_ctx *t);
int ossl_dtls_accept(struct ossl_ctx *t, int timeout_ms, struct ossl_conn **out);
int ossl_dtls_srv_recv(struct ossl_conn *c, uint8_t *buf, size_t cap, int timeout_ms);
void ossl_dtls_srv_report(const struct ossl_ctx *t);

#endif
