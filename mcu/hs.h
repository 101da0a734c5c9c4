/*
 * hs.h - one client and one server of the image, joined by the in-memory link (link.h),
 * each running on its own measured side (side.h): configurations per protocol, and a
 * connection's phases, each side's share measured separately:
 *   handshake  the context's set-up and the handshake until both sides are done (the
 *              DTLS server's HelloVerifyRequest round and its session reset included);
 *   exchange   one request of the wire format (src/msg.h) and its reply;
 *   close      client: session saved (for resumption), close_notify; server: reads it,
 *              answers with its own; both free their context.
 * Verification is required on both sides (mutual authentication). The TLS calls are the
 * stack's (tls.h); the exchange and close phases are in xchg.c.
 */
#ifndef ACKBENCH_MCU_HS_H
#define ACKBENCH_MCU_HS_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

#include "link.h"
#include "side.h"
#include "tls.h"

/* newlib's inttypes.h (arm-none-eabi, Debian 12) leaves the 64-bit ones out; uint64_t is
 * unsigned long long there. */
#ifndef PRIu64
#define PRIu64 "llu"
#endif

enum hs_phase { PH_HS, PH_XCHG, PH_CLOSE, PH_N };
enum { CLI = 0, SRV = 1 };

#define HS_MSG_MAX 4096 /* largest request (the config's outgoing record) */

struct hs_ep {
	struct side *side;
	struct tls_conn tls; /* the stack's context (stk.h) */
	const struct tls_conf *conf;
	struct link_pipe *tx, *rx;
	int server, dtls, open, done, hvr;
	int err;                  /* first error of this side (0 = none) */
	struct tls_sess *session; /* client: offered (if valid) and saved again at close */
	int have_session;
	uint8_t *buf; /* HS_MSG_MAX bytes */
	size_t len, have;
	uint32_t seq;
};

struct hs_result {
	int ok, resumed, hvr;
	int err[2];
	uint32_t verify[2];      /* tls_verify_result */
	uint64_t instr[2][PH_N]; /* per side and phase */
	size_t heap_peak[2], stack_peak[2];
	uint64_t hs_bytes[2];  /* bytes each side sent during the handshake */
	uint64_t hs_writes[2]; /* its writes: records (TLS) / datagrams (DTLS) */
	char suite[2][56];     /* as each side's own context reports it */
	uint16_t group;        /* IANA group of the key exchange on the wire, 0 = none */
	int psk_ext;           /* TLS 1.3: the ServerHello accepted a PSK (pre_shared_key) */
};

struct hs_conn {
	struct hs_ep ep[2];
	struct link_pipe c2s, s2c;
	enum hs_proto proto;
};

/* Binds the two endpoints to their sides, configs and the link's buffers. */
void hs_conn_init(struct hs_conn *c, enum hs_proto p, struct side *cs, struct side *ss,
                  const struct tls_conf *ccf, const struct tls_conf *scf, uint8_t *c2s_buf,
                  uint8_t *s2c_buf, uint8_t *cbuf, uint8_t *sbuf, struct tls_sess *session);
/* Opens both contexts and runs the handshake. The client offers *session when it holds
 * one. Fills r (handshake phase). 0 when both sides finished. */
int hs_conn_handshake(struct hs_conn *c, struct hs_result *r);
/* One request of size bytes and its reply; instructions of each side added to instr[]. */
int hs_conn_exchange(struct hs_conn *c, size_t size, uint64_t instr[2]);
/* Close phase (session saved, close_notify both ways, contexts freed); fills r. */
int hs_conn_close(struct hs_conn *c, struct hs_result *r);
/* Frees e's context (if open), inside its side. Returns 0. */
int hs_ep_free(struct hs_ep *e);
/* The key exchange of side s: TLS 1.2 / DTLS 1.2 from the suite its own context
 * negotiated ("ecdhe", "psk", "ecdhe_psk"); TLS 1.3 from the ServerHello, whose
 * extensions name it ("ecdhe", "psk_ke": pre_shared_key without key_share, "psk_dhe_ke":
 * both; RFC 8446 4.2.9). */
const char *hs_kex(const struct hs_result *r, enum hs_proto p, int s);
/* Whether a stack's code means "let the other side run" (TLS_WANT, TLS_WANT_WRITE). */
int hs_want(int r);
/* After a failed handshake: lets the side that did not fail read what it was sent (the
 * alert), records its error, frees both contexts. */
void hs_conn_abort(struct hs_conn *c, struct hs_result *r);

#endif
