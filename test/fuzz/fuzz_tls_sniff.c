/* fuzz_tls_sniff.c - the client's reader of the server's TLS handshake flight
 * (src/tls_sniff.c) on any byte stream. The stream arrives through the BIO in pieces of
 * any size, so the pieces must not matter: fed whole and fed in the pieces the first
 * input byte picks, the sniffer must reach the same facts. */
#include <string.h>

#include "fuzz.h"
#include "tls_sniff.h"

static void same(const struct tls_sniff *a, const struct tls_sniff *b)
{
	FUZZ_ASSERT(a->done == b->done && a->saw_hello == b->saw_hello);
	FUZZ_ASSERT(a->saw_cert == b->saw_cert && a->hrr == b->hrr);
	FUZZ_ASSERT(a->resumed == b->resumed && a->version == b->version);
	FUZZ_ASSERT(a->group == b->group);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static struct tls_sniff whole, pieces;
	size_t off, step;
	uint16_t id;

	if (n < 1)
		return 0;
	tls_sniff_init(&whole);
	tls_sniff_feed(&whole, d + 1, n - 1);
	tls_sniff_init(&pieces);
	/* pieces of 1..16 bytes, growing and shrinking as the bits of d[0] say */
	for (off = 1, step = (d[0] & 15u) + 1; off < n;) {
		size_t k = step < n - off ? step : n - off;

		tls_sniff_feed(&pieces, d + off, k);
		off += k;
		step = ((step * 5u + (d[0] >> 4)) & 15u) + 1;
	}
	same(&whole, &pieces);
	if (whole.group != 0 && tls_group_name(whole.group) != NULL)
		FUZZ_ASSERT(tls_group_id(tls_group_name(whole.group),
		                         strlen(tls_group_name(whole.group))) == whole.group);
	id = tls_group_id((const char *)d, n);
	FUZZ_ASSERT(id == 0 || tls_group_name(id) != NULL);
	return 0;
}
