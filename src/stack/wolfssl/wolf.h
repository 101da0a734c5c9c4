/*
 * wolf.h - the wolfssl stack: wolfSSL 5.5.4 (Debian's source package, built with key log
 * and DTLS MTU support, see stack.mk) behind the tls and dtls transports.
 *
 * Two levels, as in wolfSSL itself:
 *   struct wolf_ctx   once per process: the WOLFSSL_CTX (certificates, verify-required
 *                     mutual authentication, pinned suites/groups/version, tickets, key
 *                     log), the saved session for --resume.
 *   struct wolf_conn  once per connection: a WOLFSSL over a port handle whose IO callbacks
 *                     (wolfSSL_CTX_SetIORecv/IOSend) call sec_io.h and nothing else, so
 *                     byte counts, deadlines and the sniffed group/resumed flag are the
 *                     same code as every other stack's.
 * DTLS (wolf_dtls.c, wolf_dsrv.c) adds the retransmission timer (wolfSSL has none with
 * custom IO: sec_io's per-read limit ends a read, then wolfSSL_dtls_got_timeout resends),
 * the MTU, and the server's stateless cookie check.
 *
 * Functions return 0 (or a byte count) or a negative error: ACK_ERR_* or a wolfSSL code
 * (wolfSSL_get_error(), -1 .. -999); err_str() turns either into text.
 */
#ifndef ACKBENCH_WOLF_H
#define ACKBENCH_WOLF_H

#include <stdint.h>
#include <stdio.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "sec_io.h"
#include "transport.h"

#define WOLF_HS_DEADLINE_MS 10000u /* default whole-handshake bound */
#define WOLF_MAX_GROUPS     16
#define WOLF_FLIGHT_MAX     2048 /* DTLS: our last flight kept (a CCS + Finished is 75 B) */
#define WOLF_FLIGHT_DG      4

struct wolf_ctx {
	const char *prog;
	int server, datagram;
	int resume;              /* client: offer the last session's ticket on reconnect */
	int pinned_suite;        /* the suites are ackbench's default pin (AES-128-GCM) */
	int pinned_group;        /* the groups are ackbench's default pin (secp256r1) */
	uint32_t hs_deadline_ms; /* whole-handshake bound */
	const char *server_name; /* client: name checked in the server certificate */
	int lh;                  /* listening handle (server), -1 = none; closed by free */
	WOLFSSL_CTX *ctx;
	WOLFSSL_SESSION *session; /* client: last session, for --resume */
	int groups[WOLF_MAX_GROUPS];
	int ngroups;
	_Atomic int last_verr;   /* client: last verify failure printed (printed once each) */
	struct port_mutex *lock; /* conns > 1: guards session (NULL = no-op otherwise) */
	char own_key[24];        /* "EC-256", "RSA-2048": type of our certificate's key */
	char suite_max[64];      /* DTLS: the listed suite with the largest record expansion */
};

struct wolf_conn {
	struct wolf_ctx *t;
	WOLFSSL *ssl;
	struct sec_io io;
	int hs_done;     /* handshake completed */
	int peer_closed; /* peer's close_notify seen */
	int eof;         /* stream: the peer closed the connection */
	int verr;        /* first certificate error the verify callback saw (X509_V_ERR_*) */
	int verr_depth;
	char peer[64];
	/* DTLS: the retransmission timer, driven here (wolf_dtls.c); 0 = stream */
	uint32_t t_min, t_max, t_cur; /* ms: first, last, current timeout */
	uint64_t t_end_ns;            /* current flight's timer end, 0 = not running */
	int expired;                  /* the timer ran out; the next send is a resend */
	uint32_t retrans;             /* sends that followed an expiry */
	/* Our last handshake flight as sent (datagrams), for wolf_dtls_answer(). */
	uint8_t flight[WOLF_FLIGHT_MAX];
	uint16_t flight_dg[WOLF_FLIGHT_DG]; /* datagram lengths, 0-terminated */
	int flight_n;                       /* datagrams kept; -1: did not fit */
	int got_data;                       /* application data arrived since the handshake */
	void *dtls;                         /* the DTLS server's per-connection state, or NULL */
};

/* wolf_ctx.c. conf must outlive t (its strings are kept). Prints the reason of a failure
 * (naming the option and file) and returns its code; t must still be freed. */
int wolf_ctx_init(struct wolf_ctx *t, const struct tp_conf *conf, int datagram);
void wolf_ctx_free(struct wolf_ctx *t);

/* --keylog on; the CLIENT_RANDOM line of a TLS 1.2 / DTLS 1.2 handshake just done. */
int wolf_keylog_on(void);
void wolf_keylog_tls12(WOLFSSL *ssl);
/* "EC-256", "RSA-2048": the key of certificate x. */
void wolf_key_name(WOLFSSL_X509 *x, char *buf, size_t len);

/* wolf_conn.c. Installs the IO callbacks on ctx (all connections use them). */
void wolf_conn_io(WOLFSSL_CTX *ctx);
/* Wraps the connected handle h (owned from here on, also on failure). */
int wolf_conn_new(struct wolf_ctx *t, int h, const char *peer, struct wolf_conn **out);
/* A new WOLFSSL for c on the same socket (a DTLS client reconnecting from its port). */
int wolf_conn_renew(struct wolf_conn *c);
/* The handshake, bounded by hs_deadline_ms overall; the verifying side prints why it
 * refused a certificate. */
int wolf_conn_handshake(void *conn);
int wolf_conn_send(void *conn, const uint8_t *buf, size_t len);
/* > 0 bytes, ACK_ERR_EOF after close_notify, ACK_ERR_TRUNCATED (closed without one),
 * ACK_ERR_TIMEOUT, or an error. */
int wolf_conn_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms);
/* close_notify, on streams the peer's and FIN both ways; saves the session (--resume).
 * Frees c. */
int wolf_conn_close(void *conn, int timeout_ms);
void wolf_conn_abort(void *conn);
void wolf_conn_info(void *conn, struct tp_info *out);
void wolf_conn_describe(void *conn, char *buf, size_t len);
/* wolfSSL_get_error() of r as our code (negative). */
int wolf_err(struct wolf_conn *c, int r);

/* tp_tls.c: sec_ops' conn_new, io and peer of a wolf_conn (for tls and dtls). */
int wolf_tp_new(void *state, int h, const char *peer, void **conn);
struct sec_io *wolf_tp_io(void *conn);
const char *wolf_tp_peer(void *conn);

/* wolf_dtls.c: the timer's per-read limit (ms, 0 = none) and what a timeout does. */
uint32_t wolf_dtls_limit(struct wolf_conn *c);
/* The timer ran out: resend (wolfSSL_dtls_got_timeout) or give up. 0 or an error. */
int wolf_dtls_timeout(struct wolf_conn *c);
/* Sends/receipts of c, for the timer and the kept flight (tx 1 sent). */
void wolf_dtls_moved(struct wolf_conn *c, int tx, const uint8_t *buf, size_t n);
/* A datagram d[0..n) received after the handshake: when it is a resend of the peer's
 * last flight, resend ours (see wolf_dtls.c). */
void wolf_dtls_answer(struct wolf_conn *c, const uint8_t *d, size_t n);

#endif
