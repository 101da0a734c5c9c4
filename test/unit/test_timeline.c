/* test_timeline.c - the handshake timeline (src/timeline.c) on hand-built TLS records and
 * DTLS datagrams: message rows in order, across split reads and coalesced records, the
 * plaintext/encrypted boundary of TLS 1.2 (CCS) and TLS 1.3 (after a HelloRetryRequest and
 * its compatibility CCS), byte counts, and DTLS resends marked. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "timeline.h"

static struct timeline tl;
static uint8_t b[4096];
static size_t bn;

static const uint8_t hrr_random[32] = {
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
	0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
	0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
};

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Starts a TLS record of type ct at the end of b; rec_end() fills its length. */
static size_t rec(uint8_t ct)
{
	size_t at = bn;

	b[bn++] = ct;
	b[bn++] = 3;
	b[bn++] = 3;
	bn += 2;
	return at;
}

static void rec_end(size_t at)
{
	put16(b + at + 3, bn - at - 5);
}

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

/* The rows' type column joined with spaces ("tx:ClientHello rx:ServerHello ..."). */
static char *types(void)
{
	static char out[2048];
	struct timeline_id id = { 1, 1, 0, "client", "tls" };
	char *text = NULL, *line, *save;
	size_t len = 0, o = 0;
	FILE *f = open_memstream(&text, &len);

	timeline_write(&tl, f, &id, NULL);
	fclose(f);
	out[0] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *fld[20], *p = line;
		int i;

		for (i = 0; i < 20 && p; i++)
			fld[i] = strsep(&p, ",");
		if (i < 19)
			continue;
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s:%s%s", o ? " " : "", fld[5],
		                      fld[6], strcmp(fld[15], "1") == 0 ? "(re)" : "");
	}
	free(text);
	return out;
}

static uint32_t bytes_of(unsigned i)
{
	return i < tl.n ? tl.ev[i].bytes : 0;
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

/* DTLS: a record at b + bn of type ct, epoch ep, record sequence number rs. */
static size_t drec(uint8_t ct, unsigned ep, unsigned rs)
{
	size_t at = bn;

	b[bn++] = ct;
	b[bn++] = 0xFE;
	b[bn++] = 0xFD;
	put16(b + bn, ep);
	memset(b + bn + 2, 0, 6);
	b[bn + 7] = (uint8_t)rs;
	bn += 10;
	return at;
}

static void drec_end(size_t at)
{
	put16(b + at + 11, bn - at - 13);
}

static void dmsg(uint8_t t, unsigned seq, size_t len)
{
	b[bn] = t;
	b[bn + 1] = 0;
	put16(b + bn + 2, len);
	put16(b + bn + 4, seq);
	memset(b + bn + 6, 0, 3);
	b[bn + 9] = 0;
	put16(b + bn + 10, len);
	memset(b + bn + 12, 0x42, len);
	bn += 12 + len;
}

static void dgram(int tx, void (*fill)(void))
{
	bn = 0;
	fill();
	timeline_io(&tl, tx, b, bn, 1000000 + tl.n * 1000, 1, -1);
}

static void d_ch1(void)
{
	size_t r = drec(22, 0, 0);

	dmsg(1, 0, 80);
	drec_end(r);
}

static void d_hvr(void)
{
	size_t r = drec(22, 0, 0);

	dmsg(3, 0, 20);
	drec_end(r);
}

static void d_ch2(void)
{
	size_t r = drec(22, 0, 1);

	dmsg(1, 1, 100);
	drec_end(r);
}

static void d_flight2(void)
{
	static const uint8_t t[] = { 2, 11, 12, 13, 14 };
	unsigned i;

	for (i = 0; i < sizeof(t); i++) {
		size_t r = drec(22, 0, 1 + i);

		dmsg(t[i], 1 + i, 30);
		drec_end(r);
	}
}

static void d_flight3(void)
{
	static const uint8_t t[] = { 11, 16, 15 };
	unsigned i;
	size_t r;

	for (i = 0; i < sizeof(t); i++) {
		r = drec(22, 0, 2 + i);
		dmsg(t[i], 2 + i, 30);
		drec_end(r);
	}
	r = drec(20, 0, 5);
	b[bn++] = 1;
	drec_end(r);
	r = drec(22, 1, 0);
	memset(b + bn, 0x14, 40);
	bn += 40;
	drec_end(r);
}

static void test_dtls(void)
{
	timeline_begin(&tl, 1, 1000000, 0, 7);
	dgram(1, d_ch1);
	dgram(0, d_hvr);
	dgram(1, d_ch2);
	dgram(0, d_flight2);
	dgram(1, d_flight3);
	dgram(1, d_flight3); /* the timer expired: the same flight again */
	CHECK_STR(types(),
	          "tx:ClientHello rx:HelloVerifyRequest tx:ClientHello rx:ServerHello "
	          "rx:Certificate rx:ServerKeyExchange rx:CertificateRequest rx:ServerHelloDone "
	          "tx:Certificate tx:ClientKeyExchange tx:CertificateVerify tx:ChangeCipherSpec "
	          "tx:EncryptedHandshake:1 tx:Certificate(re) tx:ClientKeyExchange(re) "
	          "tx:CertificateVerify(re) tx:ChangeCipherSpec(re) tx:EncryptedHandshake:2(re)",
	          "DTLS: cookie round trip, one row per message of a shared datagram, the resent "
	          "flight marked");
	CHECK_U(tl.ev[1].msg_seq, 0, "HelloVerifyRequest message_seq 0");
	CHECK_U(tl.ev[2].msg_seq, 1, "second ClientHello message_seq 1");
	CHECK_U(tl.ev[12].epoch, 1, "Finished in epoch 1");
	CHECK_U(bytes_of(3), 42, "a fragment: 12-byte header and its 30 bytes");
	/* after the handshake: application data is not kept, a resent flight is */
	bn = 0;
	{
		size_t r = drec(23, 1, 3);

		memset(b + bn, 0x17, 60);
		bn += 60;
		drec_end(r);
	}
	timeline_io(&tl, 0, b, bn, 9000000, 0, -1);
	CHECK_U(tl.n, 18, "DTLS application data after the handshake: no row");
	timeline_io(&tl, 0, b, 5, 9000000, 1, -1);
	CHECK_U(tl.n, 18, "a truncated datagram: no row");
}

static void test_overflow(void)
{
	unsigned i;

	timeline_begin(&tl, 1, 1000000, 0, 7);
	for (i = 0; i < TIMELINE_EVENTS + 5; i++)
		dgram(1, d_ch1);
	CHECK_U(tl.n, TIMELINE_EVENTS, "the array never grows");
	CHECK_U(tl.lost, 5, "what did not fit is counted");
	/* a stream after the handshake is not read at all */
	timeline_begin(&tl, 0, 1000000, 0, 7);
	bn = 0;
	rec_end(rec(23));
	timeline_io(&tl, 1, b, bn, 1000000, 0, -1);
	CHECK_U(tl.n, 0, "stream data after the handshake: no row");
}

/* Arrival stamps: kept per read, signed (a datagram queued before the connection started),
 * never on a sent row, and not carried over to the next read. */
static void test_arrival(void)
{
	timeline_begin(&tl, 1, 1000000, 0, 7);
	timeline_rx_arrival(&tl, 900000); /* 100 us before the start */
	dgram(0, d_ch2);
	timeline_rx_arrival(&tl, 2500000);
	dgram(1, d_flight2);
	dgram(0, d_flight3);
	CHECK(tl.ev[0].has_arr && tl.ev[0].arr_ns == -100000,
	      "a receive keeps its arrival, before the start too");
	CHECK(!tl.ev[1].has_arr, "a send carries no arrival");
	CHECK(!tl.ev[tl.n - 1].has_arr, "a read without a stamp has none (not the last one's)");
	CHECK_U(tl.n, 1 + 5 + 5, "one row per unit");
}

int main(void)
{
	test_tls12();
	test_tls13_hrr();
	test_dtls();
	test_overflow();
	test_arrival();
	return check_done();
}
