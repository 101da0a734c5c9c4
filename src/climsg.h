/*
 * climsg.h - inside the client: the run (client.c: sizes, slots, END, reports) and one
 * timed message on one connection slot (climsg.c).
 *
 * --parallel N runs N slots, each on its own thread (slot 0 on the main one) with its own
 * connection, buffers and CPU clock; they take the size's messages one by one from the
 * shared count under the run's lock (NULL, a no-op, with one slot). Each message is timed
 * by its slot exactly as a lone client times it.
 */
#ifndef ACKBENCH_CLIMSG_H
#define ACKBENCH_CLIMSG_H

#include <stdint.h>

#include "bench.h"
#include "port.h"
#include "runend.h"
#include "tlfile.h"
#include "transport.h"

struct run;

struct slot {
	struct run *r;
	unsigned id;
	void *conn;        /* keep mode: the open connection */
	uint8_t *msg;      /* request buffer, largest size */
	uint8_t *reply;    /* reply buffer */
	uint64_t cpu_mark; /* cpu_ns() at the end of the last message; 0: read afresh */
	uint32_t opened;   /* connections opened (dials that succeeded) */
	struct tlfile tlf; /* --timeline: this slot's connection's timeline */
	uint64_t tl_cpu0;  /* cpu_ns() at the start of the connection being made */
	uint32_t conn_no;  /* its number in the run (1, 2 ...) */
	uint32_t retrans;  /* keep mode: the connection's TCP retransmissions so far */
};

struct run {
	const struct transport *tp;
	const struct client_opts *o;
	void *state;
	struct port_addr peer;
	size_t reply_cap;
	uint32_t run_id, reply_len;
	struct run_info *info;
	uint64_t (*cpu_ns)(void); /* process CPU with one slot, the thread's with more */
	struct port_mutex *lock;  /* guards what follows and info's counters */
	uint32_t seq;             /* next sequence number (data messages sent so far) */
	uint32_t conns;           /* connections dialled in this run */
	struct runend end;        /* stopped, or a peer that never answered (runend.h) */
	struct tlfile tlf;        /* --timeline: the file (each slot has its own copy) */
	struct slot *slots;
	unsigned nslots;
	int progress;         /* stderr is a terminal and not --quiet */
	uint32_t size_idx;    /* index of the size being run, for the progress line */
	uint64_t progress_ns; /* last redraw */
};

/* Opens a connection on slot (connect, handshake); t[1], t[2] get their end stamps.
 * early (len bytes, NULL: none): the stamped request, sent as TLS 1.3 early data where
 * the session allows; *sent gets how many bytes of it the server accepted early. */
int climsg_open(struct slot *sl, void **conn, struct sample *s, uint64_t *t, const uint8_t *early,
                size_t len, size_t *sent);
/* One timed message of len bytes with sequence number seq on slot. Fills s; returns 0 when
 * it was acked. */
int climsg_one(struct slot *sl, uint32_t len, uint32_t seq, struct sample *s);
/* Writes the header of the next messages (type, len) into every slot's buffer. */
void climsg_build(struct run *r, uint8_t type, uint32_t len);

#endif
