/*
 * sec_ctx.h - what every stack's per-process context holds alike and reads from struct
 * tp_conf the same way, and the per-connection facts every stack reports alike. A stack's
 * context embeds struct sec_ctx as its member `sec` (src/stack/README.md); the stack keeps
 * only its library's objects. No TLS library header here.
 */
#ifndef ACKBENCH_SEC_CTX_H
#define ACKBENCH_SEC_CTX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sec_io.h"
#include "transport.h"

#define SEC_HS_DEADLINE_MS 10000u /* default whole-handshake bound (--hs-deadline) */
#define SEC_PSK_MAX        64     /* bytes of a --psk key (a stack may allow fewer) */
#define SEC_PSK_ID_MAX     128    /* characters of a --psk-identity */
#define SEC_EARLY_MAX      16384u /* --early-data: bytes a server accepts (one record) */
#define SEC_CID_LEN        4      /* --cid: bytes of the CID a server gives its client */

/* The authentication asked for (--psk, --psk-mode). */
enum sec_auth { SEC_AUTH_CERT = 0, SEC_AUTH_PSK, SEC_AUTH_PSK_DHE };

struct port_mutex;

struct sec_ctx {
	const char *prog; /* for messages: "tls_client: ..." */
	int server, datagram;
	int resume;              /* client: offer the last session's ticket on reconnect */
	int early_data;          /* --early-data (TLS 1.3 0-RTT; streams only) */
	int cid;                 /* --cid (DTLS 1.2 Connection ID; datagrams only) */
	int pinned_suite;        /* the suites are ackbench's default pin (AES-128-GCM) */
	int pinned_group;        /* the groups are ackbench's default pin (secp256r1) */
	uint32_t hs_deadline_ms; /* whole-handshake bound */
	const char *server_name; /* client: name checked in the server certificate */
	int lh;                  /* listening handle (server), -1 = none */
	struct port_mutex *lock; /* conns > 1: guards the saved session (NULL: a no-op) */
	FILE *keylog;            /* --keylog, unbuffered, or NULL */
	char own_key[24];        /* "EC-256", "RSA-2048", "none": our certificate's key */
	/* The credentials: --ca, --cert, --key or certs/ca.crt, certs/{client,server}.{crt,key}
	 * (relative to the current directory). */
	const char *ca, *crt, *key;
	/* --psk / --psk-file: the key (never printed), its identity; auth SEC_AUTH_PSK* */
	enum sec_auth auth;
	unsigned char psk[SEC_PSK_MAX];
	size_t psk_len;
	const char *psk_id;
	/* --rpk: the peer's public key file (the stack loads it); auth stays SEC_AUTH_CERT (an
	 * own key pair, suites with a signature) but no X.509 chain or name is checked */
	const char *rpk;
};

/* "cert", "psk", "psk-dhe". */
const char *sec_auth_name(enum sec_auth a);
/* What a handshake of x negotiated, from the wire (the group of io's key exchange). */
enum sec_auth sec_auth_negotiated(const struct sec_ctx *x, const struct sec_io *io);
/* Server: 1 when the identity the client named (len bytes) is ours, else 0 after the line
 * "unknown PSK identity 'x' (ours: 'y'): refused". */
int sec_psk_known(const struct sec_ctx *x, const void *id, size_t len);
/* The body of an OpenSSL-style PSK callback (the openssl and wolfssl stacks' are alike).
 * Client: our identity (with its NUL, in id_max) and key into id and psk. Server: our key
 * into psk when id (the client's, a C string) is ours, else *unknown = 1 (unknown may be
 * NULL) after sec_psk_known's line. Either: the key's length, or 0 (no PSK: the handshake
 * fails). */
unsigned int sec_psk_give(const struct sec_ctx *x, char *id, unsigned int id_max,
                          unsigned char *psk, unsigned int psk_max);
unsigned int sec_psk_take(const struct sec_ctx *x, const char *id, unsigned char *psk,
                          unsigned int psk_max, int *unknown);
/* Server, PSK: a handshake with peer failed in the library (not an unknown identity, a
 * timeout or an EOF): the line saying what it most likely means (a wrong key, the mode). */
void sec_psk_hint(const struct sec_ctx *x, const char *peer);
/* Copies the printable part of a peer's identity (len bytes) into buf, for messages. */
void sec_psk_id_text(const unsigned char *id, size_t len, char *buf, size_t cap);

/* Fills the zeroed x from conf (kept: conf must outlive x); the lock when conf->conns > 1.
 * Refuses a client without a server name to check. 0 or an error (its line printed). */
int sec_ctx_init(struct sec_ctx *x, const struct tp_conf *conf, int datagram);
/* Closes the listening handle and the key log, frees the lock, wipes the key. */
void sec_ctx_free(struct sec_ctx *x);
/* A client with --cert none: own_key "none" and 1 (no certificate to load), else 0. */
int sec_ctx_no_cert(struct sec_ctx *x);
/* --keylog: opens path (NULL: none) for appending, unbuffered, with a warning line. */
int sec_ctx_keylog(struct sec_ctx *x, const char *path);
/* "<prog>: --<opt>: '<val>': <why>"; returns code. */
int sec_ctx_fail(const struct sec_ctx *x, const char *opt, const char *val, const char *why,
                 int code);
/* "<prog>: --<opt>: cannot load '<path>': <why> (run 'make certs' ...)"; ACK_ERR_ARG. */
int sec_ctx_fail_load(const struct sec_ctx *x, const char *opt, const char *path, const char *why);

/* What a connection's describe line names: sec_describe() writes "TLSv1.3
 * TLS_AES_128_GCM_SHA256 secp256r1 EC-256", the key being the server certificate's on a
 * client (peer_key; our own when it is empty) and ours on a server, the group the one
 * the wire showed (sec_io_group), plus notes for a HelloRetryRequest and for the default
 * pins. */
struct sec_names {
	const struct sec_ctx *ctx;
	const char *version, *suite; /* the library's names for them */
	char peer_key[24];           /* client: "EC-256", or empty */
};
void sec_describe(const struct sec_names *n, const struct sec_io *io, char *buf, size_t len);
/* tp_info from io (handshake bytes, resumed, cookie round trip, negotiated
 * authentication: "rpk" with --rpk, the stack having checked the certificate types
 * negotiated) and retrans. */
/* Whether the last handshake on io was resumed, from the wire: (D)TLS 1.2's abbreviated
 * handshake, TLS 1.3's pre_shared_key naming a ticket (not --psk's identity). */
int sec_resumed(const struct sec_ctx *x, const struct sec_io *io);
void sec_info(const struct sec_ctx *x, const struct sec_io *io, uint32_t retrans,
              struct tp_info *out);

#endif
