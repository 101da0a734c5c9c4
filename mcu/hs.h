/*
 * hs.h - one client and one server of the image, joined by the in-memory link (link.h),
 * each running on its own measured side (side.h): configurations per protocol, and a
 * connection's phases, each side's share measured separately:
 *   handshake  ssl setup + mbedtls_ssl_handshake until both sides are done (the DTLS
 *              server's HelloVerifyRequest round and its session reset included);
 *   exchange   one request of the wire format (src/msg.h) and its reply;
 *   close      client: session saved (for resumption), close_notify; server: reads it,
 *              answers with its own; both free their context.
 * Verification is required on both sides (mutual authentication).
 */
#ifndef ACKBENCH_MCU_HS_H
#define ACKBENCH_MCU_HS_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

#include "link.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/ssl.h"
#include "mbedtls/ssl_cookie.h"
#include "mbedtls/ssl_ticket.h"
#include "side.h"

/* newlib's inttypes.h (arm-none-eabi, Debian 12) leaves the 64-bit ones out; uint64_t is
 * unsigned long long there. */
#ifndef PRIu64
#define PRIu64 "llu"
#endif

enum hs_proto { HS_TLS12, HS_TLS13, HS_DTLS12, HS_NPROTO };
enum hs_phase { PH_HS, PH_XCHG, PH_CLOSE, PH_N };
enum { CLI = 0, SRV = 1 };

#define HS_MSG_MAX 4096 /* largest request (the config's outgoing record) */

/* What both sides share for the whole run: randomness, ticket keys, cookie secret. */
struct hs_env {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_ssl_ticket_context ticket;
	mbedtls_ssl_cookie_ctx cookie;
};

/* Credentials of one side, parsed from the compiled-in PEM. */
struct hs_cred {
	mbedtls_x509_crt ca, crt;
	mbedtls_pk_context key;
};

struct hs_ep {
	struct side *side;
	mbedtls_ssl_context ssl;
	const mbedtls_ssl_config *conf;
	struct link_pipe *tx, *rx;
	int server, dtls, open, done, hvr;
	int err;                      /* first error of this side (0 = none) */
	mbedtls_ssl_session *session; /* client: offered (if valid) and saved again at close */
	int have_session, want_ticket;
	uint8_t *buf; /* HS_MSG_MAX bytes */
	size_t len, have;
	uint32_t seq;
	uint64_t timer_start_ns, timer_int_ms, timer_fin_ms; /* DTLS retransmission timer */
};

struct hs_result {
	int ok, resumed, hvr;
	int err[2];
	uint32_t verify[2];      /* mbedtls_ssl_get_verify_result */
	uint64_t instr[2][PH_N]; /* per side and phase */
	size_t heap_peak[2], stack_peak[2];
	uint64_t hs_bytes[2];  /* bytes each side sent during the handshake */
	uint64_t hs_writes[2]; /* its writes: records (TLS) / datagrams (DTLS) */
	char suite[56];
};

struct hs_conn {
	struct hs_ep ep[2];
	struct link_pipe c2s, s2c;
	enum hs_proto proto;
};

extern const char *const hs_proto_name[HS_NPROTO];
/* The protocols this build's config has (a bit per enum hs_proto). */
unsigned hs_protos_built(void);

/* Seeds the DRBG from the port's entropy, sets up tickets and cookies. 0 or Mbed TLS error. */
int hs_env_init(struct hs_env *env);
void hs_env_free(struct hs_env *env);
/* Parses one side's credentials (PEM strings). 0 or an Mbed TLS error. */
int hs_cred_load(struct hs_cred *c, struct hs_env *env, const char *ca, const char *crt,
                 const char *key);
void hs_cred_free(struct hs_cred *c);
/* Defaults for proto and role: versions pinned, verification required, own certificate,
 * tickets (server: issued; client: asked for and kept), DTLS cookies. */
int hs_conf(mbedtls_ssl_config *conf, struct hs_env *env, enum hs_proto p, int server,
            struct hs_cred *cred);

/* Binds the two endpoints to their sides, configs and the link's buffers. */
void hs_conn_init(struct hs_conn *c, enum hs_proto p, struct side *cs, struct side *ss,
                  const mbedtls_ssl_config *ccf, const mbedtls_ssl_config *scf, uint8_t *c2s_buf,
                  uint8_t *s2c_buf, uint8_t *cbuf, uint8_t *sbuf, mbedtls_ssl_session *session);
/* Opens both contexts and runs the handshake. The client offers *session when it holds
 * one. Fills r (handshake phase). 0 when both sides finished. */
int hs_conn_handshake(struct hs_conn *c, struct hs_result *r);
/* One request of size bytes and its reply; instructions of each side added to instr[]. */
int hs_conn_exchange(struct hs_conn *c, size_t size, uint64_t instr[2]);
/* Close phase (session saved, close_notify both ways, contexts freed); fills r. */
int hs_conn_close(struct hs_conn *c, struct hs_result *r);
/* After a failed handshake: lets the side that did not fail read what it was sent (the
 * alert), records its error, frees both contexts. */
void hs_conn_abort(struct hs_conn *c, struct hs_result *r);

#endif
