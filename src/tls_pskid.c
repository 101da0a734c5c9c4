/* tls_pskid.c - see tls_pskid.h. */
#include "tls_pskid.h"

#include <string.h>

enum { REC_HANDSHAKE = 22, HS_CLIENT_HELLO = 1, EXT_PRE_SHARED_KEY = 41 };

static size_t be16(const uint8_t *p)
{
	return (size_t)p[0] << 8 | p[1];
}

void tls_pskid_init(struct tls_pskid *p)
{
	memset(p, 0, sizeof(*p));
}

/* RFC 8446 4.2.11: extension_type(2) length(2), identities<7..2^16-1>, binders<33..2^16-1>,
 * ending where the ClientHello ends. Searched from the end: the three lengths must all
 * agree, which a stray 0x0029 elsewhere does not make them do. */
int tls_pskid_parse(const uint8_t *b, size_t n, const uint8_t **ids, size_t *len)
{
	size_t q, il;

	for (q = n >= 8 ? n - 8 : 0; n >= 8; q--) {
		if (be16(b + q) == EXT_PRE_SHARED_KEY && be16(b + q + 2) == n - q - 4) {
			il = be16(b + q + 4);
			if (q + 8 + il <= n && be16(b + q + 6 + il) == n - q - 8 - il) {
				*ids = b + q + 6;
				*len = il;
				return 0;
			}
		}
		if (q == 0)
			break;
	}
	return -1;
}

static void keep(struct tls_pskid *p, const uint8_t *b, size_t n)
{
	size_t cap = sizeof(p->tail), drop;

	if (n >= cap) {
		memcpy(p->tail, b + n - cap, cap);
		p->tail_len = (uint16_t)cap;
		return;
	}
	if (p->tail_len + n > cap) {
		drop = p->tail_len + n - cap;
		memmove(p->tail, p->tail + drop, p->tail_len - drop);
		p->tail_len = (uint16_t)(p->tail_len - drop);
	}
	memcpy(p->tail + p->tail_len, b, n);
	p->tail_len = (uint16_t)(p->tail_len + n);
}

/* A record ends: a ClientHello's (one message in one record: the client's first flight
 * is nothing else) leaves its identities, when it has any. */
static void record_end(struct tls_pskid *p)
{
	const uint8_t *ids;
	size_t len;

	if (p->is_hello && tls_pskid_parse(p->tail, p->tail_len, &ids, &len) == 0) {
		memcpy(p->ids, ids, len);
		p->ids_len = (uint16_t)len;
	}
	p->rec_have = 0;
}

void tls_pskid_feed(struct tls_pskid *p, const uint8_t *buf, size_t n)
{
	while (n > 0) {
		size_t take;

		if (p->rec_have < sizeof(p->rec)) {
			p->rec[p->rec_have++] = *buf++;
			n--;
			if (p->rec_have < sizeof(p->rec))
				continue;
			p->rec_left = (uint32_t)be16(p->rec + 3);
			p->rec_seen = 0;
			p->tail_len = 0;
			p->is_hello = 0;
			if (p->rec_left == 0)
				record_end(p);
			continue;
		}
		take = n < p->rec_left ? n : p->rec_left;
		if (p->rec_seen == 0)
			p->is_hello = p->rec[0] == REC_HANDSHAKE && buf[0] == HS_CLIENT_HELLO;
		if (p->is_hello)
			keep(p, buf, take);
		p->rec_seen += (uint32_t)take;
		p->rec_left -= (uint32_t)take;
		buf += take;
		n -= take;
		if (p->rec_left == 0)
			record_end(p);
	}
}

int tls_pskid_is(const struct tls_pskid *p, unsigned sel, const char *id)
{
	size_t off = 0, len, want = strlen(id);
	unsigned i;

	/* PskIdentity: identity<1..2^16-1>, obfuscated_ticket_age(4) */
	for (i = 0; off + 2 <= p->ids_len; i++) {
		len = be16(p->ids + off);
		if (off + 2 + len + 4 > p->ids_len)
			return -1;
		if (i == sel)
			return len == want && memcmp(p->ids + off + 2, id, len) == 0;
		off += 2 + len + 4;
	}
	return -1;
}
