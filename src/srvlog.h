/* srvlog.h - the server's own CSV: one row per message and one per connection, buffered
 * in a fixed array and written between connections (or when the array is full), never
 * while a request is being answered. */
#ifndef ACKBENCH_SRVLOG_H
#define ACKBENCH_SRVLOG_H

#include <stdint.h>
#include <stdio.h>

#define SRVLOG_ROWS 4096

struct srvlog_row {
	uint8_t kind; /* 'm' message, 'c' connection */
	uint32_t conn, seq, size;
	uint64_t rt_us, hs_ns, wall_ns, cpu_ns;
	int status;
	uint32_t heap_bytes;  /* 'c': Mbed TLS heap peak above the baseline (--mem) */
	uint32_t tcp_retrans; /* 'c': TCP segments the server retransmitted (tcp, tls) */
	const char *auth;     /* 'c': negotiated authentication (tp_info.auth), or NULL */
	int resumed;          /* 'c': the handshake was resumed (tp_info.resumed) */
};

struct srvlog {
	FILE *f; /* NULL: not asked for */
	const char *proto;
	int mem;     /* heap_peak_bytes column */
	int retrans; /* tcp_retrans column (after every other) */
	int auth;    /* auth and resumed columns (tls, dtls; after every other) */
	unsigned n;
	int failed;
	struct srvlog_row rows[SRVLOG_ROWS];
};

/* Opens path (NULL = no log) and writes the header row; mem adds the heap_peak_bytes
 * column, retrans the tcp_retrans column, auth the auth and resumed columns. Returns 0 or -1. */
int srvlog_open(struct srvlog *l, const char *path, const char *proto, int mem, int retrans,
                int auth);
/* Records one answered message: its receive stamp, service time (complete .. replied). */
void srvlog_msg(struct srvlog *l, uint32_t conn, uint32_t seq, uint32_t size, uint64_t rx_rt_us,
                uint64_t service_ns, int status);
/* Records one finished connection: messages, start stamp, handshake, wall and CPU time,
 * (--mem) its Mbed TLS heap peak above the baseline, the negotiated authentication (NULL:
 * none, an empty cell) and whether its handshake was resumed. */
void srvlog_conn(struct srvlog *l, uint32_t conn, uint32_t msgs, uint64_t start_rt_us,
                 uint64_t hs_ns, uint64_t wall_ns, uint64_t cpu_ns, int status, uint32_t heap_bytes,
                 uint32_t tcp_retrans, const char *auth, int resumed);
/* Writes buffered rows. */
void srvlog_flush(struct srvlog *l);
/* Flushes and closes. Returns 0, or -1 if any write failed. */
int srvlog_close(struct srvlog *l);

#endif
