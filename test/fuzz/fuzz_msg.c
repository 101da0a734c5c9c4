/* fuzz_msg.c - the request and reply headers and the padding check (src/msg.c), on any
 * bytes: a header that parses is rebuilt byte for byte by msg_build/reply_header, and
 * the 8-bytes-a-step padding check agrees with a plain byte loop. */
#include <string.h>

#include "fuzz.h"
#include "msg.h"

static int padding_ref(const uint8_t *b, size_t n)
{
	size_t i;

	for (i = MSG_HDR_LEN; i < n; i++)
		if (b[i] != MSG_PAD)
			return REPLY_BAD_PADDING;
	return REPLY_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static uint8_t b[4096];
	struct msg_hdr h;
	struct reply_hdr r;

	FUZZ_ASSERT(msg_check_padding(d, n) == padding_ref(d, n));
	if (msg_parse(d, n, &h) == REPLY_OK) {
		FUZZ_ASSERT(n >= MSG_HDR_LEN && h.len >= MSG_HDR_LEN);
		FUZZ_ASSERT(h.type == MSG_DATA || h.type == MSG_END);
		if (h.len <= sizeof(b)) {
			msg_build(b, &h);
			FUZZ_ASSERT(memcmp(b, d, MSG_HDR_LEN) == 0);
			FUZZ_ASSERT(msg_check_padding(b, h.len) == REPLY_OK);
		}
	}
	if (reply_parse(d, n, &r) == 0) {
		FUZZ_ASSERT(n >= REPLY_HDR_LEN && r.len >= REPLY_HDR_LEN);
		reply_header(b, &r);
		FUZZ_ASSERT(memcmp(b, d, REPLY_HDR_LEN) == 0);
	}
	return 0;
}
