/*
 * wolf_timer.h - the wolfssl stack's DTLS handshake retransmission timer (wolf_timer.c). wolfSSL
 * with custom IO has no timer of its own to call (its blocking mode waits whole seconds in the IO
 * callback): a connection is non-blocking to wolfSSL, each handshake read is limited (sec_io_recv's
 * limit_ms) to the current flight's timer, which starts at --hs-timeout MIN when we send a new
 * flight and doubles after each expiry up to MAX; the connection then asks wolfSSL to resend its
 * last flight (wolfSSL_dtls_got_timeout), and after MAX has run out the handshake fails, as Mbed
 * TLS's does. Knows sec_io.h only.
 */
#ifndef ACKBENCH_WOLF_TIMER_H
#define ACKBENCH_WOLF_TIMER_H

#include <stddef.h>
#include <stdint.h>

#include "sec_io.h"

struct wolf_timer {
	uint32_t min, max, cur; /* ms: first, last, current timeout; min 0: no timer (TLS) */
	uint64_t end_ns;        /* current flight's timer end, 0 = not running */
	int expired;            /* the timer ran out; the next send is a resend */
};

/* A new handshake: the timer at min_ms (to max_ms). */
void wolf_timer_start(struct wolf_timer *w, uint32_t min_ms, uint32_t max_ms);
/* The limit of the next read (ms, 0 = none): the timer, in a handshake of io. */
uint32_t wolf_timer_limit(const struct wolf_timer *w, const struct sec_io *io);
/* A datagram moved in a handshake of io (tx 1 sent): restarts the timer. Returns 1 when it
 * was a send after an expiry (a retransmission). */
int wolf_timer_moved(struct wolf_timer *w, const struct sec_io *io, int tx);
/* The timer ran out: 0 with the next timeout doubled (the caller has wolfSSL resend), or
 * ACK_ERR_TIMEOUT when the last (MAX) one did. */
int wolf_timer_expire(struct wolf_timer *w);

#endif
