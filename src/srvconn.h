/*
 * srvconn.h - inside the server (server.c: workers, accept, start; srvconn.c: one
 * connection served to its end). What the workers share is struct srv: lock guards the
 * counters, the run table and the log; accept_lock the accept(). Both are NULL (no-ops)
 * with one worker.
 */
#ifndef ACKBENCH_SRVCONN_H
#define ACKBENCH_SRVCONN_H

#include <stdint.h>

#include "port.h"
#include "sec_io.h"
#include "server.h"
#include "srvlog.h"
#include "srvlobby.h"
#include "srvrun.h"
#include "tlfile.h"
#include "transport.h"

struct srv {
	const char *prog;
	const struct transport *tp;
	const struct server_opts *o;
	void *state;
	unsigned workers;         /* threads: --max-conns, + SRVLOBBY_EXTRA with a lobby */
	struct srvlobby *lobby;   /* TLS, DTLS: the handshake lobby (srvlobby.h), or NULL */
	struct worker *w;         /* the workers, [workers] */
	uint64_t (*cpu_ns)(void); /* process CPU with one worker, the thread's with more */
	uint32_t reply_max;       /* largest reply: --max-size, or less if one send carries less */
	uint32_t amplify;         /* tp->amplify(): reply <= amplify x request; 0 = no limit */
	struct port_mutex *lock, *accept_lock;
	struct srvlog log;
	struct tlfile tlf;      /* --timeline: the file (each worker has its own copy) */
	struct srvrun_tab runs; /* client runs being served (by run id), for END lines */
	/* totals */
	uint32_t conns, messages, valid, invalid, dropped;
	uint32_t early_conns, early_bytes; /* TLS 1.3 early data received (failed handshakes too) */
	unsigned active;                   /* connections being served */
	uint64_t idle_ns;                  /* when active last fell to 0 */
	int stop;                          /* END seen (not --forever), or the idle timeout */
	/* --mem: Mbed TLS heap after set-up, largest per-connection peak above it */
	size_t heap_base, heap_max;
	char negotiated[200]; /* the last "# negotiated:" line written (note_negotiated) */
};

/* One worker: its buffers and the connection it serves. */
struct worker {
	struct srv *s;
	uint8_t *buf, *reply;
	uint32_t msgs;       /* messages of the connection being served */
	int end_seen;        /* that connection carried an END */
	struct tlfile tlf;   /* --timeline: this worker's connection's timeline */
	int64_t conn_seq;    /* first request's sequence number on this connection, -1: none */
	uint32_t conn_run;   /* and its run id (the worker's last one when none) */
	struct sec_yield y;  /* with a lobby: this thread's say in giving way */
	int claimed, placed; /* with a lobby: pushed out to accept; holds a place */
};

/* SIGINT/SIGTERM (port_stop_install(1)): the only place the server asks. A wait in progress
 * (in the thread the signal reached) returns at once with an error; the loops then look
 * here, between messages and between connections, and stop: rows written, "done" printed,
 * exit 0. Other workers see it at their next look (a wait for a client: within a slice). */
int srvconn_stopping(void);
/* Serves conn (just accepted by this worker) to its end: handshake, requests, close; its
 * rows go to the log. */
void srvconn_serve(struct worker *w, void *conn);

#endif
