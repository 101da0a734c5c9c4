/* dtls_wire.c - see dtls_wire.h. Offsets are those of RFC 6347 4.1 and 4.2.2. */
#include "dtls_wire.h"

#include <string.h>

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

static int sniff_handshake(struct dtls_sniff *s, const uint8_t *p, const uint8_t *end)
{
	int hvr = 0;

	while (end - p >= DTLS_HS_HDR) {
		uint32_t off = u24(p + 6), flen = u24(p + 9);
		const uint8_t *body = p + DTLS_HS_HDR;

		if ((size_t)(end - body) < flen)
			break;
		switch (p[0]) {
		case DTLS_HS_HELLO_VERIFY: hvr = s->hvr = 1; break;
		case DTLS_HS_SERVER_HELLO: s->hello = 1; break;
		case DTLS_HS_CERTIFICATE: s->cert = 1; break;
		case DTLS_HS_SERVER_KEY_EXCHANGE:
			/* ECParameters: curve_type 3 = named_curve, then the group (RFC 8422 5.4)
			 */
			if (off == 0 && flen >= 3 && body[0] == 3)
				s->group = (uint16_t)u16(body + 1);
			break;
		default: break;
		}
		p = body + flen;
	}
	return hvr;
}

int dtls_sniff_feed(struct dtls_sniff *s, const uint8_t *d, size_t n)
{
	size_t off = 0;
	int hvr = 0;

	while (n - off >= DTLS_REC_HDR) {
		const uint8_t *r = d + off;
		size_t len = u16(r + 11);

		if (n - off - DTLS_REC_HDR < len)
			break;
		if (u16(r + 3) == 0) { /* epoch 0: plaintext */
			if (r[0] == DTLS_CT_HANDSHAKE)
				hvr |= sniff_handshake(s, r + DTLS_REC_HDR, r + DTLS_REC_HDR + len);
			else if (r[0] == DTLS_CT_CCS && s->hello && !s->cert)
				s->resumed = 1;
		}
		off += DTLS_REC_HDR + len;
	}
	return hvr;
}
