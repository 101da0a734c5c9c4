/*
 * wolf_conn.h - the wolfssl stack's per-connection level (wolf_conn.c) over wolf_ctx.h:
 *   struct wolf_conn  a WOLFSSL over a port handle whose IO callbacks (wolf_io.h) call
 *                     sec_io.h and nothing else, so byte counts, deadlines and the
 *                     sniffed group/resumed flag are the same code as every other stack's;
 *                     on DTLS with the retransmission timer of wolf_timer.h. Why a
 *                     handshake failed is put in words by wolf_why.h.
 */
#ifndef ACKBENCH_WOLF_CONN_H
#define ACKBENCH_WOLF_CONN_H

#include <stdint.h>

#include "sec_io.h"
#include "wolf_ctx.h"
#include "wolf_timer.h"

/* A TLS 1.3 server with no group in common with the client: wolfSSL 5.5.4 fails with
 * BAD_FUNC_ARG (-173) and sends no alert (wolf_why.c sends handshake_failure itself),
 * 5.9.2 with INVALID_PARAMETER (-425) after its own illegal_parameter; reported as this
 * code, whose text (wolf_why_no_group_text, wolf_why.h) names both sides' groups and the alert
 * sent. */
#define WOLF_ERR_NO_GROUP (-0x18101)
#define WOLF_HELLO_MAX    2048 /* server: the first bytes received, for the ClientHello */

struct wolf_conn {
	struct wolf_ctx *t;
	WOLFSSL *ssl;
	struct sec_io io;
	int hs_done;     /* handshake completed */
	int peer_closed; /* peer's close_notify seen */
	int eof;         /* stream: the peer closed the connection */
	int verr;        /* first certificate error the verify callback saw (X509_V_ERR_*) */
	int verr_depth;
	int psk_unknown;    /* server: the client named an identity not ours (wolf_psk.c) */
	int offers_session; /* client --resume: the last session's ticket is offered */
	int rpk_ok;         /* --rpk: the peer's raw public key was the pinned one */
	int rpk_bad;        /* --rpk: the peer's raw public key was another (wolf_rpk.c) */
	char peer[64];
	/* DTLS: the retransmission timer (wolf_timer.h; tm.min 0 = stream) */
	struct wolf_timer tm;
	uint32_t retrans; /* sends that followed an expiry */
	void *dtls;       /* the DTLS server's per-connection state, or NULL */
	/* TLS server: the first bytes of the handshake received (the ClientHello); DTLS 1.3
	 * server: the datagram the listener's WOLFSSL read (wolf_conn_take_ssl) */
	uint8_t hello[WOLF_HELLO_MAX];
	size_t hello_len;
	/* server --early-data: what came early (SEC_EARLY_MAX), its bytes, given out */
	uint8_t *early;
	size_t early_len, early_off;
};

/* wolf_psk.c: a PSK server's failed handshake (wolfSSL error e): the line saying what it
 * most likely means, unless the identity was unknown (said already) or the peer left. */
void wolf_psk_fail(struct wolf_conn *c, int e);

/* wolf_rpk.c (--rpk). verify: the peer's key (its DER, a SubjectPublicKeyInfo) against
 * the pin: ok unchanged without --rpk, else 1 only for the pinned key. refused: 1 (its line
 * printed) when the key was not the pinned one. check: after the handshake, 0 when both
 * certificate types negotiated are RPK and the peer's key is the pinned one, else an
 * error (its line printed). */
int wolf_rpk_verify(struct wolf_conn *c, int ok, const unsigned char *der, size_t len);
int wolf_rpk_refused(const struct wolf_conn *c);
int wolf_rpk_check(struct wolf_conn *c);

/* Wraps the connected handle h (owned from here on, also on failure); on a datagram
 * handle with the DTLS timer and wolfSSL's non-blocking mode set. */
int wolf_conn_new(struct wolf_ctx *t, int h, const char *peer, struct wolf_conn **out);
/* c goes on with ssl (owned from here on), a DTLS server's WOLFSSL that read the first
 * datagram seen[0..n) from the listening socket (wolf_dsrv13.c); the handshake counts and
 * shows that datagram as received. 0 or an error (c must still be freed). */
int wolf_conn_take_ssl(struct wolf_conn *c, WOLFSSL *ssl, const uint8_t *seen, size_t n);
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
/* sec_ops.retrans and .names (sec_tp.h). */
uint32_t wolf_conn_retrans(void *conn);
void wolf_conn_names(void *conn, struct sec_names *n);
/* wolfSSL_get_error() of r as our code (negative). */
int wolf_err(struct wolf_conn *c, int r);

/* wolf_early.c (--early-data). Server: reads the client's early data into c->early
 * before its handshake goes on (0, or a wolfSSL code for wolfSSL_get_error); take: gives
 * out what is left of it. Client: sec_ops.handshake_early. */
int wolf_early_server(struct wolf_conn *c);
int wolf_early_take(struct wolf_conn *c, uint8_t *buf, size_t cap);
int wolf_conn_handshake_early(void *conn, const uint8_t *buf, size_t len);

/* sec_ops' conn_new (state: a struct wolf_ctx), io and peer (for tls and dtls). */
int wolf_conn_new_ops(void *state, int h, const char *peer, void **conn);
struct sec_io *wolf_conn_io(void *conn);
const char *wolf_conn_peer(void *conn);

#endif
