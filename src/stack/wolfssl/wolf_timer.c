/* wolf_timer.c - see wolf_timer.h. */
#include "wolf_timer.h"

#include "port.h"

void wolf_timer_start(struct wolf_timer *w, uint32_t min_ms, uint32_t max_ms)
{
	w->min = w->cur = min_ms;
	w->max = max_ms;
	w->end_ns = 0;
	w->expired = 0;
}

uint32_t wolf_timer_limit(const struct wolf_timer *w, const struct sec_io *io)
{
	uint64_t now;

	if (w->min == 0 || !io->in_hs || w->end_ns == 0)
		return 0;
	now = port_mono_ns();
	return now >= w->end_ns ? 1 : (uint32_t)((w->end_ns - now + 999999u) / 1000000u);
}

int wolf_timer_moved(struct wolf_timer *w, const struct sec_io *io, int tx)
{
	int resend = 0;

	if (w->min == 0 || !io->in_hs)
		return 0;
	if (!tx) {
		w->expired = 0;
		w->cur = w->min; /* the peer answered: our next flight starts at MIN */
		return 0;
	}
	if (w->expired) {
		resend = 1;
		w->expired = 0;
	}
	w->end_ns = port_mono_ns() + (uint64_t)w->cur * 1000000u;
	return resend;
}

/* wolfSSL 5.5 dropped every plaintext (epoch 0) record once its DTLS handshake was done,
 * so a lost last flight was never resent on the peer's retransmissions, and ackbench
 * answered them with its copy of that flight. 5.9 resends it itself (checked 2026-12-07
 * over the link emulation, the server's and the client's last flight dropped): that copy
 * is gone. */
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
