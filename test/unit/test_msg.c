/* test_msg.c - the wire format (src/msg.c): encode/decode round trips, the byte layout at
 * its fixed offsets in network order, and every malformed header, padding and reply refused. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "msg.h"
#include "port.h"

static uint8_t buf[4096];

static void build(uint32_t len)
{
	struct msg_hdr h = { .type = MSG_DATA,
		             .run_id = 0x01020304u,
		             .seq = 0x05060708u,
		             .len = len,
		             .reply_len = 0x0A0B0C0Du,
		             .send_rt_us = 0x1112131415161718ull };

	memset(buf, 0xEE, sizeof(buf));
	msg_build(buf, &h);
}

static void test_helpers(void)
{
	uint8_t b[8];

	put_u32(b, 0xDEADBEEFu);
	CHECK(b[0] == 0xDE && b[1] == 0xAD && b[2] == 0xBE && b[3] == 0xEF,
	      "put_u32 writes big-endian");
	CHECK_U(get_u32(b), 0xDEADBEEFu, "get_u32 reads it back");
	put_u64(b, 0x0102030405060708ull);
	CHECK(b[0] == 1 && b[3] == 4 && b[4] == 5 && b[7] == 8, "put_u64 writes big-endian");
	CHECK_U(get_u64(b), 0x0102030405060708ull, "get_u64 reads it back");
	put_u64(b, UINT64_MAX);
	CHECK_U(get_u64(b), UINT64_MAX, "get_u64 of all ones");
}

static void test_layout(void)
{
	static const uint8_t want[MSG_HDR_LEN] = {
		'A',  'C',  'K',  'B',  MSG_VERSION, MSG_DATA, 0,    0,
		0x01, 0x02, 0x03, 0x04,                                    /* run_id */
		0x05, 0x06, 0x07, 0x08,                                    /* seq */
		0x00, 0x00, 0x00, 100,                                     /* len */
		0x0A, 0x0B, 0x0C, 0x0D,                                    /* reply_len */
		0x11, 0x12, 0x13, 0x14, 0x15,        0x16,     0x17, 0x18, /* send_rt_us */
	};
	size_t i;
	int pad_ok = 1;

	build(100);
	CHECK(memcmp(buf, want, MSG_HDR_LEN) == 0, "header bytes at their fixed offsets");
	CHECK_U(MSG_HDR_LEN, 32, "header is 32 bytes");
	CHECK_U(get_u32(buf + MSG_LEN_OFF), 100, "length field at MSG_LEN_OFF");
	for (i = MSG_HDR_LEN; i < 100; i++)
		if (buf[i] != 'A')
			pad_ok = 0;
	CHECK(pad_ok, "padding is 'A' up to the total length");
	CHECK_U(buf[100], 0xEE, "nothing written past the total length");

	msg_stamp(buf, 0xCAFEBABEu, 0x2122232425262728ull);
	CHECK_U(get_u32(buf + 12), 0xCAFEBABEu, "msg_stamp rewrites seq");
	CHECK_U(get_u64(buf + 24), 0x2122232425262728ull, "msg_stamp rewrites the send time");
	CHECK(memcmp(buf, want, 12) == 0 && memcmp(buf + 16, want + 16, 8) == 0,
	      "msg_stamp leaves the other fields alone");
}

static void test_round_trip(void)
{
	struct msg_hdr in = { .type = MSG_END,
		              .run_id = 0xFFFFFFFFu,
		              .seq = 0,
		              .len = MSG_HDR_LEN,
		              .reply_len = REPLY_HDR_LEN,
		              .send_rt_us = UINT64_MAX };
	struct msg_hdr out;

	memset(&out, 0, sizeof(out));
	msg_build(buf, &in);
	CHECK_I(msg_parse(buf, MSG_HDR_LEN, &out), REPLY_OK, "END header of 32 bytes parses");
	CHECK(out.type == in.type && out.run_id == in.run_id && out.seq == in.seq &&
	              out.len == in.len && out.reply_len == in.reply_len &&
	              out.send_rt_us == in.send_rt_us,
	      "END header round trip (extreme values)");
	CHECK_I(msg_check_padding(buf, MSG_HDR_LEN), REPLY_OK, "no padding is valid padding");

	build(4096);
	memset(&out, 0, sizeof(out));
	CHECK_I(msg_parse(buf, 4096, &out), REPLY_OK, "DATA header of 4096 bytes parses");
	CHECK(out.type == MSG_DATA && out.run_id == 0x01020304u && out.seq == 0x05060708u &&
	              out.len == 4096 && out.reply_len == 0x0A0B0C0Du &&
	              out.send_rt_us == 0x1112131415161718ull,
	      "DATA header round trip");
	CHECK_I(msg_check_padding(buf, 4096), REPLY_OK, "built padding checks");
}

static void test_bad_headers(void)
{
	struct msg_hdr h;

	build(100);
	CHECK_I(msg_parse(buf, MSG_HDR_LEN - 1, &h), REPLY_BAD_HEADER, "31 bytes: short header");
	CHECK_I(msg_parse(buf, 0, &h), REPLY_BAD_HEADER, "0 bytes: short header");
	buf[0] = 'a';
	CHECK_I(msg_parse(buf, 100, &h), REPLY_BAD_HEADER, "bad magic (first byte)");
	build(100);
	buf[3] = 'C';
	CHECK_I(msg_parse(buf, 100, &h), REPLY_BAD_HEADER, "bad magic (last byte)");
	build(100);
	buf[4] = MSG_VERSION + 1;
	CHECK_I(msg_parse(buf, 100, &h), REPLY_BAD_HEADER, "unknown version");
	build(100);
	buf[5] = 0;
	CHECK_I(msg_parse(buf, 100, &h), REPLY_BAD_HEADER, "type 0");
	buf[5] = 3;
	CHECK_I(msg_parse(buf, 100, &h), REPLY_BAD_HEADER, "type 3");
	build(100);
	buf[6] = 1;
	CHECK_I(msg_parse(buf, 100, &h), REPLY_BAD_HEADER, "reserved byte 6 not zero");
	build(100);
	buf[7] = 0x80;
	CHECK_I(msg_parse(buf, 100, &h), REPLY_BAD_HEADER, "reserved byte 7 not zero");
	build(100);
	put_u32(buf + MSG_LEN_OFF, MSG_HDR_LEN - 1);
	CHECK_I(msg_parse(buf, 100, &h), REPLY_BAD_HEADER, "length 31: below the header size");
	put_u32(buf + MSG_LEN_OFF, 0);
	CHECK_I(msg_parse(buf, 100, &h), REPLY_BAD_HEADER, "length 0");
	put_u32(buf + MSG_LEN_OFF, MSG_HDR_LEN);
	CHECK_I(msg_parse(buf, 100, &h), REPLY_OK, "length 32: exactly the header is valid");
}

static void test_padding(void)
{
	build(100);
	buf[MSG_HDR_LEN] = 'B';
	CHECK_I(msg_check_padding(buf, 100), REPLY_BAD_PADDING,
	        "wrong byte at the first pad position");
	build(100);
	buf[99] = 'a';
	CHECK_I(msg_check_padding(buf, 100), REPLY_BAD_PADDING,
	        "wrong byte at the last pad position");
	build(100);
	buf[60] = 0;
	CHECK_I(msg_check_padding(buf, 100), REPLY_BAD_PADDING, "NUL in the middle of the padding");
	build(100);
	buf[100] = 'B';
	CHECK_I(msg_check_padding(buf, 100), REPLY_OK, "a byte past the length is not checked");
	buf[0] = 'X';
	CHECK_I(msg_check_padding(buf, 100), REPLY_OK, "header bytes are not padding");
}

static void test_reply(void)
{
	struct reply_hdr in = { .status = REPLY_OK,
		                .run_id = 0x01020304u,
		                .seq = 0x05060708u,
		                .len = 64,
		                .rx_rt_us = 0x1112131415161718ull };
	static const uint8_t want[REPLY_HDR_LEN] = {
		'a', 'c', 'k', 0,  0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0,   0,   0,   64, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
	};
	struct reply_hdr out;
	size_t i;
	int pad_ok = 1;

	memset(buf, 0xEE, sizeof(buf));
	reply_build(buf, &in);
	CHECK(memcmp(buf, want, REPLY_HDR_LEN) == 0, "reply bytes at their fixed offsets");
	for (i = REPLY_HDR_LEN; i < 64; i++)
		if (buf[i] != 'A')
			pad_ok = 0;
	CHECK(pad_ok && buf[64] == 0xEE, "reply padded with 'A' to its length, not beyond");
	memset(&out, 0, sizeof(out));
	CHECK_I(reply_parse(buf, 64, &out), 0, "ack parses");
	CHECK(out.status == in.status && out.run_id == in.run_id && out.seq == in.seq &&
	              out.len == in.len && out.rx_rt_us == in.rx_rt_us,
	      "ack round trip");

	in.status = REPLY_BAD_PADDING;
	in.len = REPLY_HDR_LEN;
	reply_header(buf, &in);
	CHECK(memcmp(buf, "nak", 3) == 0 && buf[3] == REPLY_BAD_PADDING,
	      "a non-zero status is tagged nak");
	CHECK_I(reply_parse(buf, REPLY_HDR_LEN, &out), 0, "nak parses");
	CHECK_U(out.status, REPLY_BAD_PADDING, "nak status decoded");

	memcpy(buf, "ack", 3);
	CHECK_I(reply_parse(buf, REPLY_HDR_LEN, &out), ACK_ERR_PROTO,
	        "ack tag with a non-zero status refused");
	memcpy(buf, "nak", 3);
	buf[3] = REPLY_OK;
	CHECK_I(reply_parse(buf, REPLY_HDR_LEN, &out), ACK_ERR_PROTO,
	        "nak tag with status 0 refused");
	memcpy(buf, "ACK", 3);
	CHECK_I(reply_parse(buf, REPLY_HDR_LEN, &out), ACK_ERR_PROTO, "unknown tag refused");
	in.status = REPLY_OK;
	reply_header(buf, &in);
	CHECK_I(reply_parse(buf, REPLY_HDR_LEN - 1, &out), ACK_ERR_PROTO, "23-byte reply refused");
	put_u32(buf + REPLY_LEN_OFF, REPLY_HDR_LEN - 1);
	CHECK_I(reply_parse(buf, REPLY_HDR_LEN, &out), ACK_ERR_PROTO, "reply length 23 refused");
	put_u32(buf + REPLY_LEN_OFF, REPLY_HDR_LEN);
	CHECK_I(reply_parse(buf, REPLY_HDR_LEN, &out), 0, "reply length 24 accepted");
}

int main(void)
{
	test_helpers();
	test_layout();
	test_round_trip();
	test_bad_headers();
	test_padding();
	test_reply();
	return check_done();
}
