/*
 * tls.h - what the image's stack-neutral code (hs.c, xchg.c, plan.c, main.c) asks of the TLS
 * stack it is built with (make TARGET=cortex-m4 STACK=mbedtls|wolfssl): one implementation
 * per stack in mcu/<stack>/, whose stk.h defines the types below and the three codes
 *   TLS_WANT    the call needs the peer's next bytes: let the other side run;
 *   TLS_AGAIN   the call did something else first (a TLS 1.3 NewSessionTicket): call again;
 *   TLS_CLOSED  tls_read: the peer's close_notify.
 * Functions returning int give 0 (or a byte count) or a negative code of the stack, which
 * the image prints as -0x%04x.
 */
#ifndef ACKBENCH_MCU_TLS_H
#define ACKBENCH_MCU_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "stk.h"

enum hs_proto { HS_TLS12, HS_TLS13, HS_DTLS12, HS_NPROTO };
/* Key exchange groups (IANA names); a stack offers the ones its config has. */
enum tls_group { GR_P256, GR_X25519, GR_X25519MLKEM768, GR_MLKEM768, GR_N };

extern const char *const hs_proto_name[HS_NPROTO];
extern const char *const hs_group_name[GR_N];

struct hs_ep;

/* Once per run, before anything else: the counting allocator (src/mem.h) under the stack,
 * the library's own start-up. */
int tls_lib_init(void);
void tls_lib_free(void);
/* "Mbed TLS 3.6.6", for the banner: the key=value pair "NAME=VERSION" without blanks. */
const char *tls_lib_banner(void);
/* The protocols this build's config has (a bit per enum hs_proto), and the groups each
 * protocol offers (a bit per enum tls_group; the first is the one records are run on). */
unsigned tls_protos_built(void);
unsigned tls_groups(enum hs_proto p);

int tls_env_init(struct tls_env *env);
void tls_env_free(struct tls_env *env);
/* One side's credentials from the compiled-in PEM (NUL-terminated) strings. */
int tls_cred_load(struct tls_cred *c, struct tls_env *env, const char *ca, const char *crt,
                  const char *key);
void tls_cred_free(struct tls_cred *c);
/* One side's configuration: protocol version pinned, the one group g, verification of the
 * peer required (mutual authentication), own certificate, session tickets (server: issued;
 * client: asked for and kept), DTLS cookies. */
int tls_conf_init(struct tls_conf *conf, struct tls_env *env, enum hs_proto p, enum tls_group g,
                  int server, struct tls_cred *cred);
void tls_conf_free(struct tls_conf *conf);
void tls_sess_init(struct tls_sess *s);
void tls_sess_free(struct tls_sess *s);

/* An endpoint (hs.h), each called inside side_call() on its own side. */
/* Creates the context from e->conf on e's link pipes; a client offers e->session when
 * e->have_session. */
int tls_open(struct hs_ep *e);
/* One step of the handshake: 0 when done, TLS_WANT, or an error. A DTLS server's cookie
 * round sets e->hvr. */
int tls_handshake(struct hs_ep *e);
/* Bytes written (part of len possibly), TLS_AGAIN, or an error. */
int tls_write(struct hs_ep *e, const uint8_t *p, size_t len);
/* Bytes read, TLS_WANT, TLS_AGAIN, TLS_CLOSED, or an error. */
int tls_read(struct hs_ep *e, uint8_t *p, size_t len);
/* Client: keeps the session in e->session for the next connection; 1 when it did. */
int tls_keep_session(struct hs_ep *e);
/* Sends close_notify: 0 or an error. */
int tls_close_notify(struct hs_ep *e);
void tls_free(struct hs_ep *e);
/* The outcome of verifying the peer's certificate: 0 verified, else the stack's flags
 * (Mbed TLS) or error code (wolfSSL) of the failure. */
uint32_t tls_verify_result(const struct hs_ep *e);
const char *tls_suite(const struct hs_ep *e);
/* Whether a side that failed with err (and verify) refused its peer's certificate as not
 * issued by its CA. */
int tls_refused_untrusted(int err, uint32_t verify);

/* The crypto floor (what one side's public-key operations cost alone, same build and keys;
 * "floor ..." lines) and the symmetric per-KiB costs ("floor_sym ..."). */
int floor_pk(const char *key, struct tls_cred *cred, struct tls_env *env);
int floor_sym(struct tls_env *env);

#endif
