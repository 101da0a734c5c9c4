/* tlfile.h - the --timeline file of a client or server loop: one struct timeline for the
 * connection being served, handed to the transport when the connection starts, and its
 * rows written once the connection is over (outside the timed path). */
#ifndef ACKBENCH_TLFILE_H
#define ACKBENCH_TLFILE_H

#include <stdint.h>
#include <stdio.h>

#include "timeline.h"
#include "transport.h"

struct tlfile {
	FILE *f; /* NULL: no --timeline */
	const struct transport *tp;
	const char *side;
	struct timeline *tl;
	int attached; /* rows of a connection not written yet */
	int failed;
};

/* Opens path (NULL: no timeline, every call below then does nothing) and writes the
 * header. Returns 0, or -1 after printing "prog: --timeline: ..." on stderr. */
int tlfile_open(struct tlfile *t, const char *prog, const char *path, const struct transport *tp,
                const char *side);
/* A new connection conn started at start_ns/start_cpu_ns/start_rt_us: its records go to
 * the timeline from now on. */
void tlfile_attach(struct tlfile *t, void *conn, uint64_t start_ns, uint64_t start_cpu_ns,
                   uint64_t start_rt_us);
/* Writes the rows of the attached connection (conn: still open, detached from the
 * timeline; NULL: already closed). seq: its first message's sequence number, -1 none. */
void tlfile_done(struct tlfile *t, void *conn, uint32_t run_id, uint32_t conn_no, int64_t seq);
/* The CPU clock of the rows (port_cpu_ns by default). A loop serving connections on
 * several threads keeps one struct timeline per worker, serialises the writes to the one
 * FILE, and gives each its thread's CPU clock. */
void tlfile_cpu_clock(struct tlfile *t, uint64_t (*clock_ns)(void));
/* --max-conns, --parallel: copy becomes t for another thread, with its own timeline and
 * cpu_ns as its CPU clock (tlfile_cpu_clock); the file stays t's (the caller serialises
 * tlfile_done() calls). Returns 0 or -1 (out of memory). tlfile_unshare() frees the copy's timeline
 * and passes a failed write on to t; call it before tlfile_close(t). */
int tlfile_share(const struct tlfile *t, struct tlfile *copy, uint64_t (*cpu_ns)(void));
void tlfile_unshare(struct tlfile *copy, struct tlfile *t);
/* Closes the file. Returns 0, or -1 when a write failed. */
int tlfile_close(struct tlfile *t);

#endif
