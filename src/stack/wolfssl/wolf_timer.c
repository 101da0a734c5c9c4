/* wolf_timer.c - see wolf_timer.h. */
#include "wolf_timer.h"

#include <string.h>

#include "dtls_wire.h"
#include "port.h"

void wolf_timer_start(struct wolf_timer *w, uint32_t min_ms, uint32_t max_ms)
{
	w->min = w->cur = min_ms;
	w->max = max_ms;
	w->end_ns = 0;
	w->expired = 0;
	w->flight_n = 0;
}

uint32_t wolf_timer_limit(const struct wolf_timer *w, const struct sec_io *io)
{
	uint64_t now;

	if (w->min == 0 || !io->in_hs || w->end_ns == 0)
		return 0;
	now = port_mono_ns();
	return now >= w->end_ns ? 1 : (uint32_t)((w->end_ns - now + 999999u) / 1000000u);
}

int wolf_timer_moved(struct wolf_timer *w, const struct sec_io *io, int tx, const uint8_t *buf,
                     size_t n)
{
	size_t used = 0;
	int i, resend = 0;

	if (w->min == 0 || !io->in_hs)
		return 0;
	if (!tx) {
		w->expired = 0;
		w->cur = w->min; /* the peer answered: our next flight starts at MIN */
		w->flight_n = 0; /* what we send next is a new flight */
		return 0;
	}
	for (i = 0; i < w->flight_n; i++)
		used += w->flight_dg[i];
	if (w->flight_n >= 0 && w->flight_n < WOLF_FLIGHT_DG && used + n <= WOLF_FLIGHT_MAX) {
		memcpy(w->flight + used, buf, n);
		w->flight_dg[w->flight_n++] = (uint16_t)n;
	} else {
		w->flight_n = -1;
	}
	if (w->expired) {
		resend = 1;
		w->expired = 0;
	}
	w->end_ns = port_mono_ns() + (uint64_t)w->cur * 1000000u;
	return resend;
}

/* wolfSSL 5.5 drops every plaintext (epoch 0) record once its handshake is done
 * ("Silently dropping plaintext DTLS message on established connection"), so when our
 * last flight is lost (the server's ChangeCipherSpec + Finished of a full handshake, the
 * client's of a resumed one) the peer's retransmissions of its flight, which start with
 * epoch-0 records, never make wolfSSL resend ours, and the peer's handshake times out
 * (RFC 6347 4.2.4 wants the resend). Until the first application data arrives, such a
 * datagram is answered here with our last flight as it was sent (the same records: a
 * lost one is new to the peer, a copy of one it has is dropped by its replay check).
 * Not counted as a retransmission (those are timer expiries), as on Mbed TLS. */
void wolf_timer_answer(const struct wolf_timer *w, struct sec_io *io, const uint8_t *d, size_t n)
{
	size_t off = 0;
	int i;

	if (n < DTLS_REC_HDR + 1 || d[0] != DTLS_CT_HANDSHAKE || d[3] != 0 || d[4] != 0 ||
	    d[DTLS_REC_HDR] == DTLS_HS_CLIENT_HELLO || w->flight_n <= 0)
		return;
	for (i = 0; i < w->flight_n; i++) {
		if (sec_io_send(io, w->flight + off, w->flight_dg[i]) < 0)
			return;
		off += w->flight_dg[i];
	}
}

int wolf_timer_expire(struct wolf_timer *w)
{
	if (w->cur >= w->max)
		return ACK_ERR_TIMEOUT; /* the last (MAX) timeout ran out */
	w->cur = 2 * w->cur > w->max ? w->max : 2 * w->cur;
	/* running again now: wolfSSL's DTLS 1.3 may send nothing on this expiry (only ACKs
	 * after a handshake record arrived, and no resend within a second of the last), and
	 * a timer that waited for a send would then never expire again */
	w->end_ns = port_mono_ns() + (uint64_t)w->cur * 1000000u;
	return 0;
}
