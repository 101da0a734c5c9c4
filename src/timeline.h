/*
 * timeline.h - the handshake timeline (--timeline FILE): one row per handshake message a
 * connection sent or received, with its time and the side's CPU time since the
 * connection's start, written between connections.
 *
 * The events come from the I/O layer: timeline_io() is handed every record or datagram the
 * connection moves, as it moves it, and reads it with the project's own parsers
 * (tls_sniff.c for TLS records, dtls_wire.c for DTLS datagrams), so the rows are the same
 * for every TLS stack and need no library internals. What is encrypted (TLS 1.3 after the
 * ServerHello, TLS 1.2 and DTLS after the ChangeCipherSpec) is one row per record,
 * numbered in order per direction; a stack that can tell its handshake state gives it
 * beside the row (timeline_io's state argument, named by a function of the stack).
 *
 * In the timed path it only appends to the pre-sized array of struct timeline (one read
 * of the CPU clock per I/O call): no allocation, no output. One struct timeline per
 * connection being served; it is reused for the next one after timeline_write().
 */
#ifndef ACKBENCH_TIMELINE_H
#define ACKBENCH_TIMELINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tls_sniff.h"

#define TIMELINE_EVENTS 96 /* a DTLS handshake with every flight resent several times */

struct timeline_event {
	uint64_t t_ns;   /* since the connection's start (a send: before the call) */
	uint64_t cpu_ns; /* the side's CPU since the connection's start; UINT64_MAX: not read */
	int64_t arr_ns;  /* received: when its bytes reached the host (kernel stamp), since the
	                  * start (before it: a DTLS ClientHello queued before the accept) */
	uint8_t has_arr; /* arr_ns is known */
	uint64_t rseq;   /* DTLS record sequence number */
	uint32_t bytes;
	uint32_t frag_off, frag_len; /* DTLS handshake fragment */
	uint16_t epoch, msg_seq;     /* DTLS */
	int16_t state;               /* the stack's handshake state at the I/O, -1: none */
	uint8_t tx;                  /* 1 sent, 0 received */
	uint8_t ctype, hs_type;      /* record content type; handshake type (0: a record row) */
	uint8_t enc;                 /* an encrypted record: its number in its direction */
	uint8_t in_hs;               /* inside the handshake call (0: after it, DTLS resends) */
	uint8_t hrr, alert[2];
};

struct timeline {
	int datagram;
	uint64_t (*cpu_clock)(void); /* the side's CPU clock: port_cpu_ns unless set (a
	                              * threaded loop gives its thread's) */
	uint64_t start_ns, start_cpu_ns, start_rt_us;
	unsigned n, lost; /* events kept; events past TIMELINE_EVENTS */
	uint8_t enc[2];   /* encrypted records so far, per direction (rx, tx) */
	/* per I/O call being read */
	uint64_t now_ns, now_cpu_ns, arr_ns;
	int16_t state;
	uint8_t tx, in_hs;
	struct tls_sniff walk[2]; /* stream: one reader per direction (rx, tx) */
	struct timeline_event ev[TIMELINE_EVENTS];
};

/* Identifies the connection in the rows written. */
struct timeline_id {
	uint32_t run_id;
	uint32_t conn; /* the side's connection number (client: in the run; server: since start) */
	int64_t seq;   /* sequence number of the connection's first message, -1: none */
	const char *side;  /* "client" / "server" */
	const char *proto; /* "tls" / "dtls" */
};

/* Clears tl for a new connection started at start_ns (port_mono_ns), start_cpu_ns
 * (port_cpu_ns) and start_rt_us (port_real_us). */
void timeline_begin(struct timeline *tl, int datagram, uint64_t start_ns, uint64_t start_cpu_ns,
                    uint64_t start_rt_us);
/* One record (stream: any part of the byte stream) or datagram the connection moved at
 * now_ns: tx 1 sent, 0 received; in_hs: inside the handshake (a stream after it is not
 * read; a datagram after it only for handshake records resent). state: the stack's
 * handshake state at this I/O, or -1. Reads the CPU clock once when it keeps a row. */
void timeline_io(struct timeline *tl, int tx, const uint8_t *buf, size_t n, uint64_t now_ns,
                 int in_hs, int state);
/* Before timeline_io() of a receive: when its bytes reached the host (port_rx_stamp(),
 * port_mono_ns() time; 0 unknown). Read time and arrival differ when the side was busy
 * with earlier messages while these waited in its socket buffer. */
void timeline_rx_arrival(struct timeline *tl, uint64_t arrival_ns);
/* The CSV header line (with its newline). */
void timeline_header(FILE *f);
/* Writes tl's rows; state_name (may be NULL) names a state. A unit seen again in the same
 * direction (a DTLS handshake message or record resent, by timer or in answer to the
 * peer's) is marked retrans. Returns 0 or -1. */
int timeline_write(const struct timeline *tl, FILE *f, const struct timeline_id *id,
                   const char *(*state_name)(int state));
/* Name of a handshake message type ("ClientHello", ...), or NULL when unknown. */
const char *timeline_hs_name(uint8_t hs_type);

#endif
