/*
 * srvlobby.h - a TLS and DTLS server's handshake lobby (issue 16, defect 2). A DTLS peer
 * that completes the cookie exchange and then goes silent, or only sends its ClientHello
 * again, or a TLS peer that sends a whole ClientHello and then nothing, looks like a client
 * until the server has sent its first flight and waited for an answer; taken one at a
 * time, each such peer cost the next client a handshake timer (DTLS) or --hs-deadline
 * (TLS). So these servers run SRVLOBBY_EXTRA threads beside their --max-conns: handshakes run side
 * by side, each waiting for its own peer, and at most --max-conns connections are served past their
 * handshake at once (a place, srvlobby_place). Giving way (sec_io.h, struct sec_yield):
 *   - when every thread holds a connection (none accepts), a handshake whose peer has not
 *     answered for SEC_PENDING_MS since it was taken is pushed out, one per thread needed;
 *   - DTLS: a served connection silent for one handshake timer gives way to a connection
 *     that finished its handshake and waits for its place (a TLS one keeps its place: its
 *     client is still connected);
 *   - DTLS: a peer whose handshake ended without a word from it (pushed out, timed out) is
 *     shunned for SRVLOBBY_SHUN_MS: its ClientHellos with a cookie are dropped unread, so a
 *     peer that resends one is not taken again.
 * Bounded: SRVLOBBY_SHUN_MAX addresses (the first to end replaced), every wait to a
 * deadline. A single client goes the way it always went: one thread, a free place.
 */
#ifndef ACKBENCH_SRVLOBBY_H
#define ACKBENCH_SRVLOBBY_H

#include <stdint.h>

#include "port.h"

#define SRVLOBBY_EXTRA    16    /* handshake threads beside --max-conns */
#define SRVLOBBY_SHUN_MAX 256   /* shunned addresses and ports */
#define SRVLOBBY_SHUN_MS  30000 /* how long */

struct srv;
struct worker;

struct srvlobby_shun {
	struct port_addr a;
	uint64_t until_ns;
};

struct srvlobby {
	unsigned places;  /* --max-conns */
	unsigned serving; /* connections past their handshake */
	unsigned waiting; /* handshakes done, waiting for a place */
	int claim_out;    /* a pushed-out thread is on its way back to accept */
	uint32_t pushed, dropped, shunned;
	unsigned nshun;
	struct srvlobby_shun shun[SRVLOBBY_SHUN_MAX];
};

/* Whether a TLS or DTLS server (on a thread-safe stack) runs a lobby: not with --mem. It
 * then runs --max-conns + SRVLOBBY_EXTRA threads (server_threads). */
int srvlobby_wanted(int mem);
/* w's struct sec_yield hooks (before its thread starts). */
void srvlobby_worker(struct worker *w);
/* After a handshake: waits (up to the server's --timeout) for a place to serve the
 * connection: 0, ACK_ERR_TIMEOUT, ACK_ERR_STOPPED. */
int srvlobby_place(struct worker *w);
/* The connection ended with e: its place goes back; a peer that never answered is shunned. */
void srvlobby_done(struct worker *w, int e);
/* One stderr line with what the lobby pushed out and dropped, if anything. */
void srvlobby_report(const struct srv *s);

#endif
