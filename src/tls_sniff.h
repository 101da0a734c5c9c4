/*
 * tls_sniff.h - reads the server's handshake flight as it passes through the BIO callbacks
 * (stream TLS: 5-byte record headers, RFC 8446 5.1 / RFC 5246 6.2), to learn two facts
 * Mbed TLS 3.6 has no getter for: the key-exchange group and whether the session was
 * resumed. What the wire shows is also what a capture would show, so the result does not
 * depend on library internals. Only the plaintext part is read:
 *   TLS 1.3: ServerHello (supported_versions, key_share, pre_shared_key = resumed);
 *            HelloRetryRequest is noted (one more round trip).
 *   TLS 1.2: ServerKeyExchange (ECParameters: named group); a ChangeCipherSpec before any
 *            Certificate message = abbreviated (resumed) handshake.
 * Feeding stops at the first encrypted record. No allocation; constant work per byte.
 *
 * Walking (the handshake timeline, timeline.h): with a walk callback set, the same reading
 * reports every unit as it completes, in either direction, and goes on past the first
 * encrypted record (record headers only): each plaintext handshake message, and each
 * other record (ChangeCipherSpec, alert, and every encrypted record: TLS 1.3's handshake
 * after the ServerHello, TLS 1.2's Finished after the CCS) as one unit.
 */
#ifndef ACKBENCH_TLS_SNIFF_H
#define ACKBENCH_TLS_SNIFF_H

#include <stddef.h>
#include <stdint.h>

/* ServerHello with an ffdhe8192 key share is ~1100 bytes: keep the whole of it. */
#define TLS_SNIFF_BODY 1280

/* One unit of the walk. */
struct tls_sniff_unit {
	uint8_t ctype;    /* record content type (20 CCS, 21 alert, 22 handshake, 23 data) */
	uint8_t hs_type;  /* plaintext handshake message type; 0 for a record unit */
	uint8_t enc;      /* 1: an encrypted record */
	uint8_t hrr;      /* a ServerHello that is a HelloRetryRequest */
	uint8_t alert[2]; /* plaintext alert: level, description */
	uint32_t bytes;   /* handshake message with its 4-byte header, or record with its 5 */
};

typedef void (*tls_sniff_walk_fn)(void *arg, const struct tls_sniff_unit *u);

struct tls_sniff {
	uint8_t rec[5]; /* record header being read */
	uint8_t rec_have;
	uint8_t hs[4]; /* handshake message header being read */
	uint8_t hs_have;
	uint8_t msg_type;  /* current handshake message */
	uint32_t rec_left; /* payload bytes left in the current record */
	uint32_t msg_left; /* body bytes left in the current handshake message */
	uint32_t body_have;
	uint32_t body_skipped;        /* body bytes of the message not kept */
	uint8_t rec_enc;              /* the current record is encrypted */
	uint8_t body[TLS_SNIFF_BODY]; /* first bytes of ServerHello / ServerKeyExchange */
	/* results */
	int done;         /* 1 once an encrypted record (or the 1.2 CCS) was seen */
	int saw_hello;    /* a ServerHello (not a HelloRetryRequest) was parsed */
	int saw_cert;     /* a plaintext Certificate or ServerHelloDone (TLS 1.2 full handshake) */
	int hrr;          /* the server sent a HelloRetryRequest */
	int resumed;      /* 1: abbreviated handshake (TLS 1.2) / PSK accepted (TLS 1.3) */
	uint16_t psk_sel; /* TLS 1.3, resumed: the index of the client's PSK taken */
	uint16_t version; /* 0x0303 or 0x0304 once the ServerHello was parsed */
	uint16_t group;   /* IANA TLS group of the key exchange, 0 = none seen */
	/* walking (NULL: sniffing only) */
	tls_sniff_walk_fn walk;
	void *walk_arg;
	uint8_t alert_have, alert[2];
};

void tls_sniff_init(struct tls_sniff *s);
/* Feeds the next n bytes the server sent to the client, in order (walking: the next n
 * bytes of one direction). */
void tls_sniff_feed(struct tls_sniff *s, const uint8_t *p, size_t n);
/* Sets s up for walking one direction: fn(arg, unit) for every unit, in order. */
void tls_sniff_walk(struct tls_sniff *s, tls_sniff_walk_fn fn, void *arg);
/* Walking the client's direction: the version and HelloRetryRequest learnt from the
 * server's, which tell whether a handshake record after a CCS is encrypted (TLS 1.2) or
 * not (TLS 1.3's compatibility CCS). */
void tls_sniff_learn(struct tls_sniff *s, const struct tls_sniff *from);
/* The supported_groups of the TLS ClientHello whose record starts at rec[0] (record header
 * and handshake message whole in rec[0..n)): up to max ids into out. Returns how many, or
 * -1 when rec holds no whole ClientHello record, or one without the extension. */
int tls_hello_groups(const uint8_t *rec, size_t n, uint16_t *out, int max);
/* 1 when the ServerHello body b[0..len) is a HelloRetryRequest (RFC 8446 4.1.3's random). */
int tls_sniff_is_hrr(const uint8_t *b, size_t len);
/* Reads a ServerHello (or HelloRetryRequest) body b[0..len) into s's results (version,
 * group, resumed, hrr, saw_hello) as the stream feed does; a body cut short (a DTLS 1.3
 * ServerHello's first fragment) is read as far as it goes, a key share's group included. */
void tls_sniff_hello(struct tls_sniff *s, const uint8_t *b, size_t len);
/* The named group of a TLS 1.2 ServerKeyExchange body of n bytes (ECDHE with a
 * certificate, or ECDHE_PSK after its identity hint), 0 when none. */
uint16_t tls_ske_group(const uint8_t *b, size_t n);
/* Name of an IANA TLS group id ("secp256r1", "x25519", ...), or NULL if unknown. */
const char *tls_group_name(uint16_t id);
/* IANA TLS group id of a name, case-insensitive (also accepts P-256, P-384, P-521,
 * prime256v1, and ML_KEM_768 / ML-KEM-768 for MLKEM768, ...), or 0. */
uint16_t tls_group_id(const char *name, size_t len);

/* A stream server's first flight (waitroom.h): from the n bytes a client sent first, how
 * many make its first record whole (5 + the record's length; 5 while the header is not
 * all there, so the stack always sees a whole header); 0 when that header is not a TLS
 * handshake record's. */
uint32_t tls_sniff_first_need(const uint8_t *head, size_t n);

#endif
