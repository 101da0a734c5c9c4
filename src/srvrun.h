/*
 * srvrun.h - the server's per-run accounting, shared by the connections it serves at once
 * (--max-conns): each client run (by its run id) counts the data messages it sent and how
 * many were valid, over all its connections, for the "end run=..." line its END asks for.
 * A small table: with one connection at a time it holds one run (a new run id ends the
 * previous one, as before); with N at once, 2N, the least recently active run giving way.
 * The caller holds the server's lock around every call.
 */
#ifndef ACKBENCH_SRVRUN_H
#define ACKBENCH_SRVRUN_H

#include <stdint.h>

#define SRVRUN_MAX 512

struct srvrun {
	uint32_t id, received, valid;
	uint64_t last; /* activity order */
};

struct srvrun_tab {
	unsigned cap, n;
	uint64_t tick;
	struct srvrun r[SRVRUN_MAX];
};

/* cap: how many runs are tracked at once (1 .. SRVRUN_MAX). */
void srvrun_init(struct srvrun_tab *t, unsigned cap);
/* Counts one data message of run id (valid: its checks passed). A run pushed out of the
 * table is printed as "run ... ended without END". */
void srvrun_msg(struct srvrun_tab *t, uint32_t id, int valid);
/* Prints run id's "end run=..." line (sent = the client's count) and forgets the run. */
void srvrun_end(struct srvrun_tab *t, uint32_t id, uint32_t sent);

#endif
