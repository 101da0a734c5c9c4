/*
 * tls_pskid.h - which pre-shared key a TLS 1.3 handshake used, from the wire. A ServerHello
 * with pre_shared_key (tls_sniff) says only that the server took one of the client's PSKs
 * and which one by its index (selected_identity, RFC 8446 4.2.11); with an external PSK
 * (--psk) every handshake has one. Whether it was the external key (a full PSK handshake)
 * or a ticket's (a resumption) is in the ClientHello: its identity at that index. This
 * reads the client's flight (either side: a client's sent bytes, a server's received
 * ones) and keeps the identities of the last plaintext ClientHello's pre_shared_key,
 * which is always its last extension, so only the record's tail is kept. Streams only;
 * bounded memory, no allocation.
 */
#ifndef ACKBENCH_TLS_PSKID_H
#define ACKBENCH_TLS_PSKID_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of a ClientHello record's end kept: a pre_shared_key with a ticket of a few hundred
 * bytes and the external identity fits. */
#define TLS_PSKID_TAIL 768

struct tls_pskid {
	uint8_t rec[5]; /* record header being read */
	uint8_t rec_have;
	uint8_t is_hello; /* the current record is a handshake record starting a ClientHello */
	uint32_t rec_left;
	uint32_t rec_seen; /* payload bytes of the current record so far */
	uint16_t tail_len;
	uint8_t tail[TLS_PSKID_TAIL]; /* the current record's last bytes */
	/* result: the identities vector's contents of the last ClientHello with one */
	uint16_t ids_len;
	uint8_t ids[TLS_PSKID_TAIL];
};

void tls_pskid_init(struct tls_pskid *p);
/* Feeds the next n bytes the client sent, in order. */
void tls_pskid_feed(struct tls_pskid *p, const uint8_t *buf, size_t n);
/* 1 when the identity at index sel of the last ClientHello's pre_shared_key is id (a C
 * string), 0 when it is another one, -1 when no such identity was seen. */
int tls_pskid_is(const struct tls_pskid *p, unsigned sel, const char *id);
/* Reads the pre_shared_key extension at the end of a ClientHello's last n bytes b (its
 * identities vector's contents into *ids, *len): 0, or -1 when b does not end with one. */
int tls_pskid_parse(const uint8_t *b, size_t n, const uint8_t **ids, size_t *len);

#endif
