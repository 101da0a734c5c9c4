/* test_tls_pskid.c - which PSK a TLS 1.3 handshake used (src/tls_pskid.c), on hand-built
 * ClientHello records (RFC 8446 4.1.2, 4.2.11): the identities of the pre_shared_key
 * extension read from the record's tail, fed whole and byte by byte; a ticket's identity
 * told from the external one; a record without the extension, a garbled one, a later
 * ClientHello (after a HelloRetryRequest) replacing the first, an encrypted TLS 1.2
 * handshake record left alone; a ticket longer than the tail kept. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "tls_pskid.h"

static uint8_t rec[2048];

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A ClientHello record: filler extensions of pad bytes, then pre_shared_key with the
 * identities ids[0..n) (NULL: none) and one 33-byte binder each. Returns its length. */
static size_t hello(const char *const *ids, int n, size_t pad, size_t ticket_len)
{
	size_t off = 5 + 4, ext, pos, i;

	memset(rec, 0, sizeof(rec));
	rec[0] = 22;
	rec[1] = 3;
	rec[2] = 1;
	rec[5] = 1; /* client_hello */
	put16(rec + off, 0x0303);
	off += 2 + 32;
	rec[off++] = 0;      /* session id */
	put16(rec + off, 2); /* one suite */
	put16(rec + off + 2, 0x1301);
	off += 4;
	rec[off++] = 1; /* compression: null */
	rec[off++] = 0;
	ext = off;
	off += 2;
	put16(rec + off, 0x0029 + 0x10); /* an extension that is not pre_shared_key, but whose */
	put16(rec + off + 2, pad);       /* contents hold 0x0029 (a lookalike) */
	memset(rec + off + 4, 0x29, pad);
	off += 4 + pad;
	if (ids != NULL || ticket_len > 0) {
		size_t il = 0, e = off;

		put16(rec + e, 41);
		pos = e + 6;
		for (i = 0; i < (size_t)n; i++) {
			size_t l = ids[i] != NULL ? strlen(ids[i]) : ticket_len;

			put16(rec + pos, l);
			if (ids[i] != NULL)
				memcpy(rec + pos + 2, ids[i], l);
			else
				memset(rec + pos + 2, 0xA5, l);
			memset(rec + pos + 2 + l, 0, 4);
			pos += 2 + l + 4;
			il += 2 + l + 4;
		}
		put16(rec + e + 4, il);
		put16(rec + pos, (size_t)n * 33);
		for (i = 0; i < (size_t)n; i++) {
			rec[pos + 2 + i * 33] = 32;
			memset(rec + pos + 3 + i * 33, 0x5A, 32);
		}
		pos += 2 + (size_t)n * 33;
		put16(rec + e + 2, pos - e - 4);
		off = pos;
	}
	put16(rec + ext, off - ext - 2);
	put16(rec + 3, off - 5);
	rec[6] = (uint8_t)((off - 9) >> 16);
	put16(rec + 7, off - 9);
	return off;
}

static void feed_bytes(struct tls_pskid *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		tls_pskid_feed(p, rec + i, 1);
}

int main(void)
{
	static const char *const ext_only[] = { "dev-1" };
	static const char *const ticket_then_ext[] = { NULL, "dev-1" };
	struct tls_pskid p;
	size_t n;

	tls_pskid_init(&p);
	CHECK_I(tls_pskid_is(&p, 0, "dev-1"), -1, "nothing fed: not known");
	n = hello(ext_only, 1, 40, 0);
	tls_pskid_feed(&p, rec, n);
	CHECK_I(tls_pskid_is(&p, 0, "dev-1"), 1, "one external identity, fed whole: index 0 is it");
	CHECK_I(tls_pskid_is(&p, 0, "dev-2"), 0, "another name is not it");
	CHECK_I(tls_pskid_is(&p, 1, "dev-1"), -1, "index 1: none");

	tls_pskid_init(&p);
	n = hello(ticket_then_ext, 2, 300, 180);
	feed_bytes(&p, n);
	CHECK_I(tls_pskid_is(&p, 0, "dev-1"), 0, "ticket first, byte by byte: index 0 is a ticket");
	CHECK_I(tls_pskid_is(&p, 1, "dev-1"), 1, "index 1 is the external identity");

	/* a second ClientHello (after a HelloRetryRequest) with the external identity only */
	n = hello(ext_only, 1, 10, 0);
	tls_pskid_feed(&p, rec, n);
	CHECK_I(tls_pskid_is(&p, 0, "dev-1"), 1, "a later ClientHello replaces the first");

	/* no pre_shared_key: what was known stays (a ClientHello without one names none) */
	tls_pskid_init(&p);
	n = hello(NULL, 0, 60, 0);
	tls_pskid_feed(&p, rec, n);
	CHECK_I(tls_pskid_is(&p, 0, "dev-1"), -1, "no pre_shared_key: not known");

	/* a garbled length: not read */
	tls_pskid_init(&p);
	n = hello(ext_only, 1, 40, 0);
	rec[n - 33 - 2] ^= 1; /* the binders' length */
	tls_pskid_feed(&p, rec, n);
	CHECK_I(tls_pskid_is(&p, 0, "dev-1"), -1, "binders' length garbled: not read");

	/* a ClientHello larger than the tail, its extension within the tail */
	tls_pskid_init(&p);
	n = hello(ticket_then_ext, 2, 1200, 200);
	tls_pskid_feed(&p, rec, 100);
	tls_pskid_feed(&p, rec + 100, n - 100);
	CHECK(n > TLS_PSKID_TAIL, "a %zu-byte record, longer than the tail", n);
	CHECK_I(tls_pskid_is(&p, 1, "dev-1"), 1, "long record: the identities still read");

	/* then an encrypted TLS 1.2 handshake record (type 22, first byte 1 by chance) */
	memset(rec, 0x01, 64);
	rec[0] = 22;
	put16(rec + 3, 59);
	tls_pskid_feed(&p, rec, 64);
	CHECK_I(tls_pskid_is(&p, 1, "dev-1"), 1, "an encrypted record changes nothing");
	return check_done();
}
