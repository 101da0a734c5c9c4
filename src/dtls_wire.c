/* dtls_wire.c - see dtls_wire.h. Offsets are those of RFC 6347 4.1 and 4.2.2. */
#include "dtls_wire.h"

#include <string.h>

#include "tls_sniff.h"

static uint32_t u16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t u24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static void put_u24(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

/* Datagram layout of a ClientHello in its first record:
 *   0 type, 1 version (0xFE..), 3 epoch, 5 sequence number, 11 record length,
 *  13 handshake type, 14 length, 17 message_seq, 19 fragment_offset, 22 fragment_length,
 *  25 client_version, 27 random[32], 59 session_id length, 60 session_id, then the cookie
 *  length byte and the cookie. */
int dtls_wire_client_hello(const uint8_t *d, size_t n, const uint8_t **cookie, size_t *cookie_len)
{
	size_t end, sid, at;

	if (n < 61 || d[0] != DTLS_CT_HANDSHAKE || d[1] != 0xFE || u16(d + 3) != 0 ||
	    d[13] != DTLS_HS_CLIENT_HELLO || u24(d + 19) != 0)
		return 0;
	end = DTLS_REC_HDR + u16(d + 11);
	if (end > n)
		return 0;
	sid = d[59];
	at = 60 + sid; /* cookie length byte */
	if (at + 1 > end || at + 1 + d[at] > end)
		return 0;
	*cookie = d + at + 1;
	*cookie_len = d[at];
	return 1;
}

size_t dtls_wire_hello_verify(const uint8_t *ch, const uint8_t *cookie, size_t cookie_len,
                              uint8_t *out, size_t cap)
{
	size_t len = 28 + cookie_len;

	if (cookie_len > 255 || cap < len)
		return 0;
	memcpy(out, ch, 25); /* record header (epoch 0, the ClientHello's sequence number) and
	                      * handshake header (its message_seq) */
	out[13] = DTLS_HS_HELLO_VERIFY;
	out[25] = 0xFE; /* server_version: DTLS 1.0 whatever is negotiated (RFC 6347 4.2.1) */
	out[26] = 0xFF;
	out[27] = (uint8_t)cookie_len;
	memcpy(out + 28, cookie, cookie_len);
	put_u24(out + 14, len - 25); /* message length = fragment length: one fragment */
	put_u24(out + 22, len - 25);
	out[11] = (uint8_t)((len - 13) >> 8);
	out[12] = (uint8_t)(len - 13);
	return len;
}

static uint64_t u48(const uint8_t *p)
{
	return (uint64_t)u24(p) << 24 | u24(p + 3);
}

static void walk_handshake(const uint8_t *r, const uint8_t *p, const uint8_t *end,
                           dtls_wire_walk_fn fn, void *arg)
{
	while (end - p >= DTLS_HS_HDR) {
		struct dtls_wire_unit u = { 0 };

		u.ctype = DTLS_CT_HANDSHAKE;
		u.hs_type = p[0];
		u.rseq = u48(r + 5);
		u.msg_len = u24(p + 1);
		u.msg_seq = (uint16_t)u16(p + 4);
		u.frag_off = u24(p + 6);
		u.frag_len = u24(p + 9);
		if ((size_t)(end - p - DTLS_HS_HDR) < u.frag_len)
			break;
		u.bytes = DTLS_HS_HDR + u.frag_len;
		u.body = p + DTLS_HS_HDR;
		fn(arg, &u);
		p += DTLS_HS_HDR + u.frag_len;
	}
}

/* A DTLS 1.3 record with the unified header at r[0..left): its length (header included),
 * 0 when cut short. Without the L bit it runs to the datagram's end; with a connection ID
 * (C bit, whose length only the endpoints know) it is taken to as well. */
static size_t unified(const uint8_t *r, size_t left, struct dtls_wire_unit *u)
{
	size_t hdr = 1 + ((r[0] & 0x08) ? 2 : 1), len;

	u->ctype = DTLS_CT_UNIFIED;
	u->epoch = (r[0] & 0x03) != 0 ? (uint16_t)(r[0] & 0x03) : 4;
	if (r[0] & 0x10) { /* connection ID: header length unknown here */
		u->bytes = u->frag_len = (uint32_t)left;
		u->body = r;
		return left;
	}
	if ((r[0] & 0x04) == 0) { /* no length: the rest of the datagram */
		if (left < hdr)
			return 0;
		len = left - hdr;
	} else {
		if (left < hdr + 2)
			return 0;
		len = u16(r + hdr);
		hdr += 2;
		if (left - hdr < len)
			return 0;
	}
	u->rseq = (r[0] & 0x08) ? u16(r + 1) : r[1];
	u->bytes = (uint32_t)(hdr + len);
	u->frag_len = (uint32_t)len;
	u->body = r + hdr;
	return hdr + len;
}

void dtls_wire_walk(const uint8_t *d, size_t n, dtls_wire_walk_fn fn, void *arg)
{
	size_t off = 0, len;

	while (off < n) {
		const uint8_t *r = d + off;
		struct dtls_wire_unit u = { 0 };

		if ((r[0] & 0xE0) == DTLS_CT_UNIFIED) {
			len = unified(r, n - off, &u);
			if (len == 0)
				break;
			fn(arg, &u);
			off += len;
			continue;
		}
		if (n - off < DTLS_REC_HDR)
			break;
		len = u16(r + 11);
		if (n - off - DTLS_REC_HDR < len)
			break;
		u.ctype = r[0];
		u.epoch = (uint16_t)u16(r + 3);
		if (u.epoch == 0 && u.ctype == DTLS_CT_HANDSHAKE) {
			walk_handshake(r, r + DTLS_REC_HDR, r + DTLS_REC_HDR + len, fn, arg);
		} else {
			u.rseq = u48(r + 5);
			u.bytes = (uint32_t)(DTLS_REC_HDR + len);
			u.frag_len = (uint32_t)len;
			u.body = r + DTLS_REC_HDR;
			fn(arg, &u);
		}
		off += DTLS_REC_HDR + len;
	}
}

struct sniff_walk {
	struct dtls_sniff *s;
	int hvr;
};

/* A ServerHello's first fragment: DTLS 1.3's HelloRetryRequest (with the cookie), group
 * and pre_shared_key, read as TLS 1.3's (the body is the same, RFC 9147 5.3). */
static void sniff_hello(struct sniff_walk *w, const struct dtls_wire_unit *u)
{
	struct tls_sniff t;

	tls_sniff_init(&t);
	tls_sniff_hello(&t, u->body, u->frag_len);
	if (t.hrr) {
		w->s->hrr = w->hvr = 1;
		w->s->hello = 0; /* the real ServerHello is still to come */
		w->s->resumed = 0;
	}
	/* a key_share is DTLS 1.3's (wolfSSL puts it before supported_versions, which a
	 * first fragment may then not reach) */
	if (t.group != 0)
		w->s->group = t.group;
	if (t.resumed && !t.hrr) /* a HelloRetryRequest resumes nothing */
		w->s->resumed = 1;
}

static void sniff_unit(void *arg, const struct dtls_wire_unit *u)
{
	struct sniff_walk *w = arg;
	struct dtls_sniff *s = w->s;

	if (u->epoch != 0)
		return; /* encrypted */
	if (u->ctype == DTLS_CT_CCS && s->hello && !s->cert)
		s->resumed = 1;
	switch (u->ctype == DTLS_CT_HANDSHAKE ? u->hs_type : 0) {
	case DTLS_HS_HELLO_VERIFY: w->hvr = s->hvr = 1; break;
	case DTLS_HS_SERVER_HELLO:
		s->hello = 1;
		if (u->frag_off == 0)
			sniff_hello(w, u);
		break;
	case DTLS_HS_CERTIFICATE:
	case DTLS_HS_SERVER_HELLO_DONE: s->cert = 1; break; /* a full handshake (PSK: no cert) */
	case DTLS_HS_SERVER_KEY_EXCHANGE:
		/* ECParameters (RFC 8422 5.4), after the identity hint with ECDHE_PSK */
		if (u->frag_off == 0)
			s->group = tls_ske_group(u->body, u->frag_len);
		break;
	default: break;
	}
}

int dtls_sniff_feed(struct dtls_sniff *s, const uint8_t *d, size_t n)
{
	struct sniff_walk w = { s, 0 };

	dtls_wire_walk(d, n, sniff_unit, &w);
	return w.hvr;
}
