/* fuzz_dtls_wire.c - the DTLS server's stateless ClientHello/cookie reader and the
 * client's flight sniffer (src/dtls_wire.c), on any datagram: a cookie found lies inside
 * the datagram, the HelloVerifyRequest built from it has the announced length and is
 * recognised by the client's own sniffer, and sniffing never reads past the datagram (a
 * cookie reported means a HelloVerifyRequest, or in DTLS 1.3 a HelloRetryRequest).
 * ("resumed" implies a ServerHello; a Certificate after the CCS is garbage, not a check.) */
#include <string.h>

#include "dtls_wire.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	uint8_t hvr[DTLS_REC_HDR + DTLS_HS_HDR + 3 + 255];
	const uint8_t *cookie = NULL;
	size_t cookie_len = 0, len;
	struct dtls_sniff s;

	if (dtls_wire_client_hello(d, n, &cookie, &cookie_len)) {
		FUZZ_ASSERT(cookie >= d && cookie_len <= (size_t)(d + n - cookie));
		len = dtls_wire_hello_verify(d, cookie, cookie_len, hvr, sizeof(hvr));
		FUZZ_ASSERT(len == 28 + cookie_len);
		FUZZ_ASSERT(memcmp(hvr + 28, cookie, cookie_len) == 0);
		FUZZ_ASSERT(dtls_wire_hello_verify(d, cookie, cookie_len, hvr, len - 1) == 0);
		memset(&s, 0, sizeof(s));
		FUZZ_ASSERT(dtls_sniff_feed(&s, hvr, len) == 1 && s.hvr);
		FUZZ_ASSERT(!dtls_wire_client_hello(hvr, len, &cookie, &cookie_len));
	}
	memset(&s, 0, sizeof(s));
	if (dtls_sniff_feed(&s, d, n)) /* 1.2's HelloVerifyRequest or 1.3's HelloRetryRequest */
		FUZZ_ASSERT(s.hvr || s.hrr);
	FUZZ_ASSERT(!s.resumed || s.hello);
	return 0;
}
