/* bench.h - what one client run measures, shared by the loop (client.c) and the output
 * (report.c). All durations are nanoseconds from port_mono_ns(). */
#ifndef ACKBENCH_BENCH_H
#define ACKBENCH_BENCH_H

#include <stdint.h>
#include <stdio.h>

#include "opts.h"
#include "stats.h"
#include "transport.h"

#define ACKBENCH_VERSION "0.1.0"

enum phase { PH_CONNECT, PH_HANDSHAKE, PH_EXCHANGE, PH_CLOSE, PH_TOTAL, PH_CPU, PH_N };

extern const char *const phase_names[PH_N];

struct sample {
	uint64_t ns[PH_N];
	uint64_t start_rt_us; /* realtime clock at the start of the message */
	int64_t owd_ns;       /* server receive stamp - client send stamp */
	uint32_t seq;
	uint32_t slot; /* --parallel: the connection slot (thread) that sent it, 0 .. N-1 */
	int err;       /* 0 when acked */
	struct tp_info info;
	uint32_t heap_peak_bytes; /* --mem: Mbed TLS heap peak of its connection - baseline */
};

struct size_result {
	uint32_t size;
	uint32_t n;       /* rows filled (acked + failed), at most count */
	uint32_t lost;    /* rows not acked */
	int abandoned;    /* stopped after too many failures in a row */
	uint64_t wall_ns; /* first timed message's start .. last one's end, all slots */
	uint32_t conns;   /* connections the timed messages opened */
	struct sample *s;
	struct stats st[PH_N]; /* over acked rows only */
	struct stats owd;
};

struct client_opts {
	const char *addr;
	uint32_t port;
	struct sizes sizes;
	uint32_t count, warmup;
	uint32_t parallel; /* connection slots in flight at once (1) */
	int keep, quiet, owd, mem;
	const char *output, *json;
	const char *auth;     /* TLS, DTLS: authentication asked, "cert", "psk", "psk-dhe" */
	const char *timeline; /* --timeline FILE (TLS, DTLS), or NULL */
	int early;            /* --early-data: requests as TLS 1.3 early data when resumed */
	int cid;              /* --cid: DTLS 1.2 Connection ID asked for */
	uint32_t timeout_ms, reply_size, max_loss;
};

/* Everything a report needs about the run besides the per-size results. */
struct run_info {
	const char *prog, *proto, *mode;
	const struct stack *stack; /* the transport's TLS stack, NULL for tcp/udp */
	unsigned cols;             /* optional columns the transport fills (TP_COL_*) */
	char peer[80];
	char negotiated[160]; /* transport's describe() of the first connection, or "" */
	const char *auth_neg; /* its negotiated authentication (tp_info.auth), or NULL */
	char cid[17];         /* its DTLS Connection ID (tp_info.cid), "" none */
	uint32_t run_id;
	const struct client_opts *o;
	uint64_t setup_ns[2]; /* keep mode: connect and handshake of the first connection */
	uint32_t reconnects;  /* keep mode: connections re-made after a failure */
	/* --early-data, per connection: offered (accepted + rejected), accepted, rejected,
	 * and the requests sent again after the handshake (the rejected ones' fallback) */
	uint32_t early_offered, early_accepted, early_rejected, early_fallback;
	int end_acked;
	uint64_t started_rt_us;
	/* --mem (mem.h): Mbed TLS heap after set-up, and the per-connection peaks above it
	 * (acked connections; --keep: the one connection's) */
	uint32_t heap_baseline, heap_p50, heap_max, heap_conns;
	/* result files (report_open .. report_close) */
	FILE *csv, *json;
	int files_failed; /* bit 1: CSV, bit 2: JSON (one error line each) */
	int stopped;      /* port_stop_requested() that ended the run early, 0 = none */
	int finished;     /* every size run (or stopped): the JSON's last version */
};

#endif
