/* test_timeline_dtls.c - the handshake timeline (src/timeline.c) on hand-built DTLS
 * datagrams: one row per message of a shared datagram, DTLS resends marked, a bounded
 * array, arrival stamps. TLS: test_timeline.c. */
#define _GNU_SOURCE
#include "check.h"
#include "tl_records.h"

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
	test_dtls();
	test_overflow();
	test_arrival();
	return check_done();
}
