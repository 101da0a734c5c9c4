/*
 * dtls_wire.h - the few facts the dtls transport reads from DTLS 1.2 datagrams itself
 * (RFC 6347 4.1 record header, 4.2.2 handshake header), and from DTLS 1.3's (RFC 9147:
 * the plaintext records are 1.2's, the encrypted ones have the unified header), without
 * Mbed TLS:
 *   - the server's listening socket: is the next datagram a ClientHello, and what cookie
 *     does it carry (so a HelloVerifyRequest is sent without any per-client state, and a
 *     stale or garbage datagram is dropped without starting a handshake);
 *   - the HelloVerifyRequest built exactly as Mbed TLS builds it for a reconnecting client
 *     (mbedtls_ssl_check_dtls_clihlo_cookie in library/ssl_msg.c);
 *   - the server's handshake flight as the client receives it: HelloVerifyRequest seen,
 *     key-exchange group (ServerKeyExchange), resumed (ChangeCipherSpec with no
 *     Certificate before it), which Mbed TLS 3.6 has no getters for; DTLS 1.3: the
 *     HelloRetryRequest (its cookie) and the ServerHello's group and pre_shared_key.
 * Only plaintext (epoch 0) records are read. No allocation; bounded work per byte.
 */
#ifndef ACKBENCH_DTLS_WIRE_H
#define ACKBENCH_DTLS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define DTLS_REC_HDR 13 /* type, version(2), epoch(2), sequence number(6), length(2) */
#define DTLS_HS_HDR  12 /* type, length(3), message_seq(2), fragment_offset(3), length(3) */

/* Content types and handshake types used here (RFC 5246, 6347). */
#define DTLS_CT_CCS                 20
#define DTLS_CT_ALERT               21
#define DTLS_CT_HANDSHAKE           22
#define DTLS_CT_APP                 23
#define DTLS_CT_UNIFIED             0x20 /* DTLS 1.3 unified header (RFC 9147 4): 001CSLEE */
#define DTLS_HS_CLIENT_HELLO        1
#define DTLS_HS_SERVER_HELLO        2
#define DTLS_HS_HELLO_VERIFY        3
#define DTLS_HS_CERTIFICATE         11
#define DTLS_HS_SERVER_KEY_EXCHANGE 12
#define DTLS_HS_SERVER_HELLO_DONE   14

/* Returns 1 when the datagram d[0..n) starts with an epoch-0 handshake record holding the
 * first fragment of a ClientHello whose cookie field lies in d; *cookie / *cookie_len then
 * give that field (length 0 = no cookie). Returns 0 for anything else. */
int dtls_wire_client_hello(const uint8_t *d, size_t n, const uint8_t **cookie, size_t *cookie_len);

/* Writes into out the HelloVerifyRequest answering ClientHello ch (as accepted by
 * dtls_wire_client_hello) with cookie[0..cookie_len): record sequence number and
 * message_seq copied from the ClientHello, server_version DTLS 1.0 (RFC 6347 4.2.1).
 * Returns its length, or 0 when cap is too small. */
size_t dtls_wire_hello_verify(const uint8_t *ch, const uint8_t *cookie, size_t cookie_len,
                              uint8_t *out, size_t cap);

struct dtls_sniff {
	int hvr;        /* a HelloVerifyRequest arrived */
	int hello;      /* a ServerHello arrived */
	int cert;       /* a Certificate or ServerHelloDone arrived (full handshake) */
	int resumed;    /* ChangeCipherSpec after ServerHello without Certificate */
	uint16_t group; /* named group of ServerKeyExchange (1.3: ServerHello), 0 = none seen */
	int hrr;        /* DTLS 1.3: a HelloRetryRequest arrived */
};

/* Feeds one datagram the server sent. Returns 1 when it held a HelloVerifyRequest (DTLS
 * 1.3: a HelloRetryRequest, which carries the cookie). */
int dtls_sniff_feed(struct dtls_sniff *s, const uint8_t *d, size_t n);

/* One unit of a datagram: each handshake fragment of a plaintext (epoch 0) record, and
 * each other record whole (ChangeCipherSpec, alert, and every record of a later epoch:
 * the Finished, application data; DTLS 1.3's encrypted records, whose header hides the
 * content type: ctype DTLS_CT_UNIFIED, epoch its low two bits (4 for 0), rseq the low 8
 * or 16 bits of the sequence number). */
struct dtls_wire_unit {
	uint8_t ctype;   /* record content type */
	uint8_t hs_type; /* epoch 0 handshake: message type; else 0 */
	uint16_t epoch;
	uint64_t rseq;                        /* record sequence number (48 bits) */
	uint16_t msg_seq;                     /* handshake message_seq (epoch 0 handshake) */
	uint32_t frag_off, frag_len, msg_len; /* the fragment of the message it carries */
	uint32_t bytes;      /* fragment with its 12-byte header, or record with its header */
	const uint8_t *body; /* the fragment's (or the record's) bytes after its header */
};

typedef void (*dtls_wire_walk_fn)(void *arg, const struct dtls_wire_unit *u);

/* Calls fn(arg, unit) for each unit of the datagram d[0..n), in order; a truncated record
 * ends the walk. */
void dtls_wire_walk(const uint8_t *d, size_t n, dtls_wire_walk_fn fn, void *arg);

#endif
