/* test_timeline.c - the handshake timeline (src/timeline.c) on hand-built TLS records:
 * message rows in order, across split reads and coalesced records, the plaintext/encrypted
 * boundary of TLS 1.2 (CCS) and TLS 1.3 (after a HelloRetryRequest and its compatibility
 * CCS), byte counts. DTLS: test_timeline_dtls.c. */
#define _GNU_SOURCE
#include "check.h"
#include "tl_records.h"

static const uint8_t hrr_random[32] = {
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
	0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
	0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
};

/* A handshake message of type t with a body of len bytes (0x42), or body if given. */
static void msg(uint8_t t, size_t len, const uint8_t *body)
{
	b[bn] = t;
	b[bn + 1] = (uint8_t)(len >> 16);
	put16(b + bn + 2, len);
	bn += 4;
	if (body)
		memcpy(b + bn, body, len);
	else
		memset(b + bn, 0x42, len);
	bn += len;
}

/* ServerHello body: version 0x0303, random, empty session id, suite, compression, and a
 * supported_versions extension when v13. */
static size_t server_hello(uint8_t *o, int hrr, int v13)
{
	size_t n = 0;

	o[n++] = 3;
	o[n++] = 3;
	if (hrr)
		memcpy(o + n, hrr_random, 32);
	else
		memset(o + n, 0x33, 32);
	n += 32;
	o[n++] = 0;
	put16(o + n, 0x1301);
	n += 2;
	o[n++] = 0;
	put16(o + n, v13 ? 6 : 0);
	n += 2;
	if (v13) {
		put16(o + n, 43);
		put16(o + n + 2, 2);
		put16(o + n + 4, 0x0304);
		n += 6;
	}
	return n;
}

static void io(int tx, size_t from, size_t to)
{
	timeline_io(&tl, tx, b + from, to - from, 1000000 + tl.n * 1000, 1, -1);
}

static void test_tls12(void)
{
	uint8_t sh[64];
	size_t shn = server_hello(sh, 0, 0), r, a, c;

	timeline_begin(&tl, 0, 1000000, 0, 7);
	bn = 0;
	r = rec(22);
	msg(1, 100, NULL);
	rec_end(r);
	io(1, 0, bn); /* ClientHello */
	a = bn;
	r = rec(22);
	msg(2, shn, sh);
	rec_end(r);
	r = rec(22);
	msg(11, 600, NULL);
	rec_end(r);
	c = bn;
	r = rec(22); /* three messages in one record */
	msg(12, 100, NULL);
	msg(13, 20, NULL);
	msg(14, 0, NULL);
	rec_end(r);
	/* read as Mbed TLS reads: header, then body; and byte by byte for a while */
	io(0, a, a + 5);
	io(0, a + 5, a + 9);
	io(0, a + 9, c - 300);
	for (size_t i = c - 300; i < c + 10; i++)
		io(0, i, i + 1);
	io(0, c + 10, bn);
	a = bn;
	r = rec(22);
	msg(11, 300, NULL);
	msg(16, 66, NULL);
	rec_end(r);
	r = rec(20);
	b[bn++] = 1;
	rec_end(r);
	r = rec(22); /* the encrypted Finished: not a message to parse */
	memset(b + bn, 0x14, 40);
	bn += 40;
	rec_end(r);
	io(1, a, bn);
	a = bn;
	r = rec(20);
	b[bn++] = 1;
	rec_end(r);
	r = rec(22);
	memset(b + bn, 0x01, 40);
	bn += 40;
	rec_end(r);
	io(0, a, bn);
	CHECK_STR(types(),
	          "tx:ClientHello rx:ServerHello rx:Certificate rx:ServerKeyExchange "
	          "rx:CertificateRequest rx:ServerHelloDone tx:Certificate tx:ClientKeyExchange "
	          "tx:ChangeCipherSpec tx:EncryptedHandshake:1 rx:ChangeCipherSpec "
	          "rx:EncryptedHandshake:1",
	          "TLS 1.2: messages in order, across split reads and shared records");
	CHECK_U(bytes_of(2), 604, "Certificate: its 4-byte header and 600-byte body");
	CHECK_U(bytes_of(5), 4, "ServerHelloDone: header only");
	CHECK_U(bytes_of(9), 45, "encrypted Finished: the whole record");
	CHECK(tl.ev[1].t_ns < tl.ev[2].t_ns && tl.ev[2].t_ns < tl.ev[3].t_ns,
	      "each row stamped when its message completed");
	CHECK_U(tl.lost, 0, "nothing lost");
}

static void test_tls13_hrr(void)
{
	uint8_t sh[64];
	size_t shn, r, a;
	int i;

	timeline_begin(&tl, 0, 1000000, 0, 7);
	bn = 0;
	r = rec(22);
	msg(1, 200, NULL);
	rec_end(r);
	io(0, 0, bn); /* the server reads ClientHello */
	a = bn;
	shn = server_hello(sh, 1, 1);
	r = rec(22);
	msg(2, shn, sh);
	rec_end(r);
	r = rec(20);
	b[bn++] = 1;
	rec_end(r);
	io(1, a, bn); /* HelloRetryRequest, compatibility CCS */
	a = bn;
	r = rec(20);
	b[bn++] = 1;
	rec_end(r);
	r = rec(22);
	msg(1, 230, NULL);
	rec_end(r);
	io(0, a, bn); /* the client's CCS and second ClientHello: still plaintext */
	a = bn;
	shn = server_hello(sh, 0, 1);
	r = rec(22);
	msg(2, shn, sh);
	rec_end(r);
	for (i = 0; i < 5; i++) {
		r = rec(23);
		memset(b + bn, 0x17, 50u + (unsigned)i);
		bn += 50u + (unsigned)i;
		rec_end(r);
	}
	io(1, a, bn);
	a = bn;
	r = rec(23);
	memset(b + bn, 0x17, 30);
	bn += 30;
	rec_end(r);
	io(0, a, bn);
	CHECK_STR(types(),
	          "rx:ClientHello tx:HelloRetryRequest tx:ChangeCipherSpec rx:ChangeCipherSpec "
	          "rx:ClientHello tx:ServerHello tx:Encrypted:1 tx:Encrypted:2 tx:Encrypted:3 "
	          "tx:Encrypted:4 tx:Encrypted:5 rx:Encrypted:1",
	          "TLS 1.3 with HelloRetryRequest: plaintext until the ServerHello, then "
	          "encrypted records numbered per direction");
	CHECK_U(bytes_of(10), 59, "the fifth encrypted record: 5 + 54 bytes");
}

int main(void)
{
	test_tls12();
	test_tls13_hrr();
	return check_done();
}
