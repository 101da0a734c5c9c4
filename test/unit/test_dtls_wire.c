/* test_dtls_wire.c - the DTLS datagram reading of src/dtls_wire.c on hand-built datagrams
 * (RFC 6347 layouts): ClientHello recognition and its cookie, refusals of everything else,
 * the HelloVerifyRequest's bytes, and the server-flight sniffer (HelloVerifyRequest, group,
 * resumed); DTLS 1.3 (RFC 9147): HelloRetryRequest, the group of a ServerHello's first
 * fragment, records with the unified header. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "dtls_wire.h"

static uint8_t d[512];

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put24(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 16);
	put16(p + 1, v);
}

/* A record at d + at: type, DTLS 1.2, epoch, sequence number 5, body of len. Returns the
 * offset after its header. */
static size_t record(size_t at, uint8_t type, unsigned epoch, size_t len)
{
	d[at] = type;
	d[at + 1] = 0xFE;
	d[at + 2] = 0xFD;
	put16(d + at + 3, epoch);
	memset(d + at + 5, 0, 6);
	d[at + 10] = 5;
	put16(d + at + 11, len);
	return at + DTLS_REC_HDR;
}

/* A whole handshake message at d + at (one fragment). Returns the offset of its body. */
static size_t handshake(size_t at, uint8_t type, unsigned seq, size_t len)
{
	d[at] = type;
	put24(d + at + 1, len);
	put16(d + at + 4, seq);
	put24(d + at + 6, 0);
	put24(d + at + 9, len);
	return at + DTLS_HS_HDR;
}

/* A ClientHello with a cookie of clen bytes (each 0xC0 + i) and one suite; its length. */
static size_t client_hello(size_t clen)
{
	size_t body = 2 + 32 + 1 + 1 + clen + 2 + 2 + 2, p;

	memset(d, 0, sizeof(d));
	p = record(0, DTLS_CT_HANDSHAKE, 0, DTLS_HS_HDR + body);
	p = handshake(p, DTLS_HS_CLIENT_HELLO, 1, body);
	d[p] = 0xFE;
	d[p + 1] = 0xFD;
	memset(d + p + 2, 0x11, 32); /* random */
	d[p + 34] = 0;               /* session id */
	d[p + 35] = (uint8_t)clen;
	for (size_t i = 0; i < clen; i++)
		d[p + 36 + i] = (uint8_t)(0xC0 + i);
	p += 36 + clen;
	put16(d + p, 2); /* cipher suites */
	put16(d + p + 2, 0xC02B);
	d[p + 4] = 1; /* compression: null */
	d[p + 5] = 0;
	return p + 6;
}

static void test_client_hello(void)
{
	const uint8_t *ck = NULL;
	size_t clen = 99, n;

	n = client_hello(0);
	CHECK(dtls_wire_client_hello(d, n, &ck, &clen), "ClientHello without cookie recognised");
	CHECK_U(clen, 0, "... its cookie is empty");
	n = client_hello(32);
	CHECK(dtls_wire_client_hello(d, n, &ck, &clen), "ClientHello with a cookie recognised");
	CHECK_U(clen, 32, "... cookie length");
	CHECK(ck == d + 61 && ck[0] == 0xC0 && ck[31] == 0xDF, "... cookie bytes located");
	CHECK(!dtls_wire_client_hello(d, 60, &ck, &clen), "shorter than the cookie field: refused");
	CHECK(!dtls_wire_client_hello(d, 80, &ck, &clen),
	      "record cut short (the datagram ends first): refused");
	d[3] = 0;
	d[4] = 1;
	CHECK(!dtls_wire_client_hello(d, n, &ck, &clen), "epoch 1: refused");
	n = client_hello(32);
	d[21] = 1;
	CHECK(!dtls_wire_client_hello(d, n, &ck, &clen), "not the first fragment: refused");
	n = client_hello(32);
	d[13] = DTLS_HS_SERVER_HELLO;
	CHECK(!dtls_wire_client_hello(d, n, &ck, &clen), "another handshake type: refused");
	n = client_hello(32);
	d[0] = DTLS_CT_ALERT;
	CHECK(!dtls_wire_client_hello(d, n, &ck, &clen), "an alert record: refused");
	n = client_hello(32);
	d[1] = 0x03;
	CHECK(!dtls_wire_client_hello(d, n, &ck, &clen), "a TLS (not DTLS) version: refused");
	n = client_hello(4);
	d[60] = 200; /* cookie length beyond the record */
	CHECK(!dtls_wire_client_hello(d, n, &ck, &clen),
	      "cookie length beyond the record: refused");
}

static void test_hello_verify(void)
{
	uint8_t cookie[32], out[128];
	size_t len;

	for (size_t i = 0; i < sizeof(cookie); i++)
		cookie[i] = (uint8_t)i;
	client_hello(0);
	d[10] = 9; /* record sequence number */
	d[18] = 3; /* message_seq */
	len = dtls_wire_hello_verify(d, cookie, sizeof(cookie), out, sizeof(out));
	CHECK_U(len, 60, "HelloVerifyRequest: 13 + 12 + 2 + 1 + 32 bytes");
	CHECK(out[0] == DTLS_CT_HANDSHAKE && out[3] == 0 && out[4] == 0,
	      "... handshake record, epoch 0");
	CHECK_U(out[10], 9, "... record sequence number of the ClientHello");
	CHECK_U((unsigned)out[11] << 8 | out[12], 47, "... record length");
	CHECK_U(out[13], DTLS_HS_HELLO_VERIFY, "... handshake type 3");
	CHECK_U((unsigned)out[14] << 16 | (unsigned)out[15] << 8 | out[16], 35,
	        "... message length");
	CHECK_U(out[18], 3, "... message_seq of the ClientHello");
	CHECK_U((unsigned)out[22] << 16 | (unsigned)out[23] << 8 | out[24], 35,
	        "... one whole fragment");
	CHECK(out[25] == 0xFE && out[26] == 0xFF, "... server_version DTLS 1.0");
	CHECK(out[27] == 32 && memcmp(out + 28, cookie, 32) == 0, "... the cookie");
	CHECK_U(dtls_wire_hello_verify(d, cookie, sizeof(cookie), out, 59), 0,
	        "... refused when it does not fit");
}

static void test_sniff(void)
{
	struct dtls_sniff s;
	size_t p, q;

	memset(&s, 0, sizeof(s));
	memset(d, 0, sizeof(d));
	p = record(0, DTLS_CT_HANDSHAKE, 0, DTLS_HS_HDR + 3);
	handshake(p, DTLS_HS_HELLO_VERIFY, 0, 3);
	CHECK(dtls_sniff_feed(&s, d, DTLS_REC_HDR + DTLS_HS_HDR + 3), "HelloVerifyRequest seen");
	/* full handshake flight: ServerHello, Certificate, ServerKeyExchange in one record */
	memset(&s, 0, sizeof(s));
	p = record(0, DTLS_CT_HANDSHAKE, 0, 3 * DTLS_HS_HDR + 2 + 4 + 5);
	q = handshake(p, DTLS_HS_SERVER_HELLO, 1, 2);
	q = handshake(q + 2, DTLS_HS_CERTIFICATE, 2, 4);
	q = handshake(q + 4, DTLS_HS_SERVER_KEY_EXCHANGE, 3, 5);
	d[q] = 3; /* named_curve */
	put16(d + q + 1, 0x0017);
	CHECK(!dtls_sniff_feed(&s, d, q + 5), "full flight: no HelloVerifyRequest");
	CHECK(s.hello && s.cert, "full flight: ServerHello and Certificate");
	CHECK_U(s.group, 0x0017, "full flight: group from ServerKeyExchange (secp256r1)");
	record(0, DTLS_CT_CCS, 0, 1);
	dtls_sniff_feed(&s, d, DTLS_REC_HDR + 1);
	CHECK(!s.resumed, "full flight: ChangeCipherSpec after a Certificate is not a resumption");
	/* abbreviated: ServerHello, then ChangeCipherSpec in a second record of the datagram */
	memset(&s, 0, sizeof(s));
	p = record(0, DTLS_CT_HANDSHAKE, 0, DTLS_HS_HDR + 2);
	q = handshake(p, DTLS_HS_SERVER_HELLO, 1, 2) + 2;
	record(q, DTLS_CT_CCS, 0, 1);
	record(q + DTLS_REC_HDR + 1, DTLS_CT_HANDSHAKE, 1, 40); /* encrypted Finished */
	dtls_sniff_feed(&s, d, q + 2 * DTLS_REC_HDR + 1 + 40);
	CHECK(s.hello && !s.cert && s.resumed, "abbreviated flight: resumed");
	memset(&s, 0, sizeof(s));
	record(0, DTLS_CT_HANDSHAKE, 0, 400);
	CHECK(!dtls_sniff_feed(&s, d, 100) && !s.hello, "record longer than the datagram: ignored");
}

struct walked {
	int n;
	struct dtls_wire_unit u[4];
};

static void walk_unit(void *arg, const struct dtls_wire_unit *u)
{
	struct walked *w = arg;

	if (w->n < 4)
		w->u[w->n] = *u;
	w->n++;
}

/* A DTLS 1.3 ServerHello (one fragment of frag bytes of a body of len) with a key_share
 * extension for group, its random RFC 8446 4.1.3's HelloRetryRequest one when hrr. */
static size_t server_hello13(int hrr, uint16_t group, size_t len, size_t frag)
{
	static const uint8_t hrr_random[32] = { 0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11,
		                                0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
		                                0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E,
		                                0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C };
	size_t p, ks = len - 2 - 32 - 1 - 3 - 2 - 4;

	memset(d, 0, sizeof(d));
	p = record(0, DTLS_CT_HANDSHAKE, 0, DTLS_HS_HDR + frag);
	handshake(p, DTLS_HS_SERVER_HELLO, 1, len);
	put24(d + p + 9, frag);
	p += DTLS_HS_HDR;
	d[p] = 0xFE;
	d[p + 1] = 0xFD;
	if (hrr)
		memcpy(d + p + 2, hrr_random, 32);
	p += 2 + 32 + 1 + 3;      /* random, empty session id, suite, compression */
	put16(d + p, 4 + ks);     /* extensions */
	put16(d + p + 2, 0x0033); /* key_share */
	put16(d + p + 4, ks);
	put16(d + p + 6, group);
	return DTLS_REC_HDR + DTLS_HS_HDR + frag;
}

static void test_dtls13(void)
{
	struct dtls_sniff s;
	struct walked w;
	size_t n;

	memset(&s, 0, sizeof(s));
	n = server_hello13(1, 0x11EC, 2 + 32 + 1 + 3 + 2 + 4 + 2, 2 + 32 + 1 + 3 + 2 + 4 + 2);
	CHECK(dtls_sniff_feed(&s, d, n), "DTLS 1.3 HelloRetryRequest: the cookie round trip");
	CHECK(s.hrr && !s.hello, "HelloRetryRequest noted, not a ServerHello");
	CHECK_U(s.group, 0x11EC, "HelloRetryRequest: the group asked for");
	/* a PQ ServerHello's first fragment: the 1,124-byte key share cut short */
	memset(&s, 0, sizeof(s));
	n = server_hello13(0, 0x11EC, 2 + 32 + 1 + 3 + 2 + 4 + 1124, 100);
	CHECK(!dtls_sniff_feed(&s, d, n) && s.hello && !s.hrr, "ServerHello first fragment");
	CHECK_U(s.group, 0x11EC, "ServerHello first fragment: its group (X25519MLKEM768)");
	/* after it in the same datagram: a unified-header record with length (epoch 2,
	 * 16-bit sequence number 0x0102), then one without length (to the end) */
	d[n] = 0x2E; /* 001 C=0 S=1 L=1 EE=10 */
	put16(d + n + 1, 0x0102);
	put16(d + n + 3, 30);
	d[n + 5 + 30] = 0x23; /* S=0 L=0 EE=11: 8-bit sequence number */
	d[n + 5 + 30 + 1] = 7;
	memset(&w, 0, sizeof(w));
	dtls_wire_walk(d, n + 5 + 30 + 2 + 20, walk_unit, &w);
	CHECK_U(w.n, 3, "walk: the fragment and two unified records");
	CHECK(w.u[1].ctype == DTLS_CT_UNIFIED && w.u[1].epoch == 2 && w.u[1].rseq == 0x0102 &&
	              w.u[1].bytes == 35,
	      "unified record with length: epoch bits, sequence number, 5-byte header");
	CHECK(w.u[2].ctype == DTLS_CT_UNIFIED && w.u[2].epoch == 3 && w.u[2].rseq == 7 &&
	              w.u[2].bytes == 22,
	      "unified record without length: to the datagram's end, 2-byte header");
	memset(&w, 0, sizeof(w));
	dtls_wire_walk(d + n, 5 + 20, walk_unit, &w);
	CHECK_U(w.n, 0, "unified record longer than the datagram: ignored");
}

int main(void)
{
	test_client_hello();
	test_hello_verify();
	test_sniff();
	test_dtls13();
	return check_done();
}
