/*
 * waitroom.h - a stream server's waiting room. Accepted connections wait here, all in one
 * poll set with the listener, until their first record has arrived whole; only then does
 * the server take one and a worker start its handshake. A peer that connects and sends
 * nothing, or trickles its first record a byte at a time, costs a handle and a poll slot,
 * never a worker: it is closed once it has waited hold_ms (--hs-deadline, the bound of a
 * whole handshake), or when the room is full and it has waited longest. Nothing is read
 * here (the bytes are peeked, and port_rx_lowat makes the poll wait for the whole record),
 * so the stack reads its ClientHello itself, arrival stamp and all, as after port_accept.
 * One thread at a time uses a room (the server's accept lock).
 */
#ifndef ACKBENCH_WAITROOM_H
#define ACKBENCH_WAITROOM_H

#include <stddef.h>
#include <stdint.h>

#include "port.h"

#define WAITROOM_MAX  (PORT_WAIT_MAX - 1) /* connections waiting at once, + the listener */
#define WAITROOM_PEEK 18437               /* largest first record looked at: 5 + 2^14 + 2048 */
#define WAITROOM_LOG  10                  /* closings told one by one, then only counted */

/* How many bytes the first flight needs, from the n bytes that wait (head): more than n to
 * go on waiting, else (or 0: not what the stack speaks, let it refuse at once) it is
 * handed over. */
typedef uint32_t (*waitroom_need_fn)(const uint8_t *head, size_t n);

struct waitroom_ent {
	int h;
	uint32_t lowat; /* what port_rx_lowat was last set to (1 at the start) */
	uint64_t since_ns;
	struct port_addr peer;
};

struct waitroom {
	const char *prog;
	int lh;
	uint32_t hold_ms;
	waitroom_need_fn need;
	unsigned n;                  /* e[0..n), longest waiting first */
	uint32_t timed_out, evicted; /* closed: waited hold_ms; pushed out of a full room */
	struct waitroom_ent e[WAITROOM_MAX];
	uint8_t head[WAITROOM_PEEK];
};

/* lh: the listening handle (not owned). */
void waitroom_init(struct waitroom *w, const char *prog, int lh, uint32_t hold_ms,
                   waitroom_need_fn need);
/* Waits up to timeout_ms (<0 forever) for a connection whose first record is whole (or
 * which closed or sent what the stack will refuse: handed over too, it fails at once).
 * Returns its handle (owned by the caller, as from port_accept) with *peer,
 * ACK_ERR_TIMEOUT, or an error of the listener. */
int waitroom_take(struct waitroom *w, int timeout_ms, struct port_addr *peer);
/* Closes the connections still waiting; says what the room closed, if anything. */
void waitroom_fini(struct waitroom *w);

#endif
