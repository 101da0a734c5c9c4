/*
 * msg.h - the wire format of requests and replies (layout in docs/measuring.md, "Wire format").
 *
 * Every field is written byte by byte in network order; no struct is ever cast onto a
 * buffer. A request is MSG_HDR_LEN bytes of header followed by 'A' padding up to its total
 * length; a reply is REPLY_HDR_LEN bytes followed by 'A' padding up to its total length.
 */
#ifndef ACKBENCH_MSG_H
#define ACKBENCH_MSG_H

#include <stddef.h>
#include <stdint.h>

#define MSG_MAGIC     0x41434B42u /* "ACKB" */
#define MSG_VERSION   1
#define MSG_HDR_LEN   32
#define MSG_LEN_OFF   16 /* offset of the total-length field */
#define REPLY_HDR_LEN 24
#define REPLY_LEN_OFF 12
#define MSG_PAD       'A'

enum msg_type { MSG_DATA = 1, MSG_END = 2 };

/* Reply status: 0 is "ack"; any other value is sent with the tag "nak". */
enum reply_status {
	REPLY_OK = 0,
	REPLY_BAD_HEADER = 1,
	REPLY_BAD_PADDING = 2,
	REPLY_TOO_BIG = 3,
	REPLY_BAD_LENGTH = 4,
	REPLY_AMPLIFY = 5, /* reply larger than the request to a peer that proved no address */
};

struct msg_hdr {
	uint8_t type;
	uint32_t run_id;
	uint32_t seq;
	uint32_t len;       /* total request length, header included */
	uint32_t reply_len; /* total reply length the client asks for */
	uint64_t send_rt_us;
};

struct reply_hdr {
	uint8_t status;
	uint32_t run_id;
	uint32_t seq;
	uint32_t len;      /* total reply length, header included */
	uint64_t rx_rt_us; /* server's realtime clock when the request was complete */
};

/* Writes h into buf[0..MSG_HDR_LEN) and 'A' into buf[MSG_HDR_LEN..h->len).
 * buf must hold h->len bytes, h->len >= MSG_HDR_LEN. */
void msg_build(uint8_t *buf, const struct msg_hdr *h);
/* Rewrites only seq and send time of a built message (the per-send part). */
void msg_stamp(uint8_t *buf, uint32_t seq, uint64_t send_rt_us);
/* Decodes a header from buf (len available bytes). Returns REPLY_OK or REPLY_BAD_HEADER
 * (short, wrong magic, version or type, or a length below MSG_HDR_LEN). */
int msg_parse(const uint8_t *buf, size_t len, struct msg_hdr *h);
/* Checks that buf[MSG_HDR_LEN..len) is all padding. Returns REPLY_OK or REPLY_BAD_PADDING. */
int msg_check_padding(const uint8_t *buf, size_t len);

/* Writes a reply header and padding into buf (which must hold h->len bytes). */
void reply_build(uint8_t *buf, const struct reply_hdr *h);
/* Writes only the REPLY_HDR_LEN header bytes (the padding is already in place). */
void reply_header(uint8_t *buf, const struct reply_hdr *h);
/* Decodes a reply header. Returns 0, or ACK_ERR_PROTO if it is not an ack/nak. */
int reply_parse(const uint8_t *buf, size_t len, struct reply_hdr *h);

/* Big-endian helpers. */
void put_u32(uint8_t *p, uint32_t v);
uint32_t get_u32(const uint8_t *p);
void put_u64(uint8_t *p, uint64_t v);
uint64_t get_u64(const uint8_t *p);

#endif
