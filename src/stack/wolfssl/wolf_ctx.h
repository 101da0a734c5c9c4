/*
 * wolf_ctx.h - the wolfssl stack's per-process level (wolf_ctx.c): wolfSSL 5.9 (Debian's
 * source package, built as stack.mk says: key log, DTLS 1.2 and 1.3, the MTU, ML-KEM).
 *   struct wolf_ctx   the WOLFSSL_CTX (certificates, verify-required mutual
 *                     authentication, pinned suites/groups/version, tickets, key log), the
 *                     saved session for --resume, the DTLS timer's settings.
 * The per-connection level is wolf_conn.h; DTLS adds wolf_timer.h (the retransmission
 * timer) and wolf_dsrv.h (the server's stateless cookies), tp_tls.c and tp_dtls.c make the
 * transports. Each file includes only the headers of the levels below it.
 *
 * Functions return 0 (or a byte count) or a negative error: ACK_ERR_* or a wolfSSL code
 * (wolfSSL_get_error(), -1 .. -999); err_str() turns either into text.
 */
#ifndef ACKBENCH_WOLF_CTX_H
#define ACKBENCH_WOLF_CTX_H

#include <stdint.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "sec_ctx.h"
#include "transport.h"

#define WOLF_MAX_GROUPS 16
#define WOLF_RPK_MAX    4096 /* a raw public key's DER: ML-DSA-87's is 2614 bytes */

struct wolf_ctx {
	struct sec_ctx sec; /* prog, side, pins, lock, key log, own key, ... (sec_ctx.h) */
	WOLFSSL_CTX *ctx;
	WOLFSSL_SESSION *session; /* client: last session, for --resume */
	int groups[WOLF_MAX_GROUPS];
	int ngroups;
	uint16_t shares[WOLF_MAX_GROUPS]; /* client: groups sent a TLS 1.3 key share */
	int nshares;
	_Atomic int last_verr; /* client: last verify failure printed (printed once each) */
	char suite_max[64];    /* DTLS: the listed suite with the largest record expansion */
	uint32_t hs_min_ms, hs_max_ms; /* DTLS: the retransmission timer (wolf_timer.h) */
	int dtls13;                    /* DTLS 1.3 (--tls 1.3), else DTLS 1.2 */
	/* --rpk: the peer's pinned key, DER SubjectPublicKeyInfo (wolf_rpk.c) */
	unsigned char peer_rpk[WOLF_RPK_MAX];
	size_t peer_rpk_len;
};

/* conf must outlive t (its strings are kept). Prints the reason of a failure (naming the
 * option and file) and returns its code; t must still be freed. */
int wolf_ctx_init(struct wolf_ctx *t, const struct tp_conf *conf, int datagram);
void wolf_ctx_free(struct wolf_ctx *t);

/* wolf_psk.c: --psk on t's WOLFSSL_CTX (suites unless the user named them, TLS 1.3 modes,
 * the client's key or the server's identity check). 0 or an error, its line printed. */
int wolf_ctx_psk(struct wolf_ctx *t, int user_suites);

/* wolf_rpk.c: --rpk on t's WOLFSSL_CTX (the own public key sent as a raw public key, the
 * peer's pinned, both certificate types RPK only); 0 without --rpk. 0 or an error, its
 * line printed. */
int wolf_rpk_conf(struct wolf_ctx *t);

/* The verify mode of t's connections (verify-required both sides). */
int wolf_verify_mode(const struct wolf_ctx *t);
/* --keylog on; the CLIENT_RANDOM line of a TLS 1.2 / DTLS 1.2 handshake just done. */
int wolf_keylog_on(void);
void wolf_keylog_tls12(WOLFSSL *ssl);
/* "EC-256", "RSA-2048": the key of certificate x. */
void wolf_key_name(WOLFSSL_X509 *x, char *buf, size_t len);

#endif
