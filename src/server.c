/*
 * server.c - serves up to --max-conns client connections at once (one connection is
 * srvconn.c). Concurrency: --max-conns N runs N worker threads (port_threads_run), each the loop
 * that one connection at a time always was: take the accept lock, accept, let go of it, serve that
 * connection to its end with the same blocking, deadline-bounded reads. A silent or trickling peer
 * thus holds one worker for at most its deadlines; the others go on. The per-message path is the
 * sequential one plus one uncontended lock for the shared counts, and N = 1 starts no thread at
 * all. Threads rather than an event loop because every transport (Mbed TLS handshakes with their
 * timers, DTLS reconnects, TCP close) is written as blocking calls with deadlines; an event loop
 * would have to turn each into a state machine, and the one-client latency path would change with
 * it. UDP has no connections to hold: one worker answers every datagram as it comes, from any
 * number of clients.
 */
#include "server.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "loglimit.h"
#include "mem.h"
#include "msg.h"
#include "srvconn.h"
#include "stack.h"
#include "port.h"

/* The wait for the next client is cut into slices, so that a stop (or, with more than one
 * worker, another worker's END) that came just before the wait began is seen within it. */
#define ACCEPT_SLICE_MS   1000
#define ACCEPT_SLICE_N_MS 100 /* more than one worker */

/* Waits for the next connection under the accept lock. Returns 0 with *conn, or 1 when the
 * server stops (END seen, idle timeout, SIGINT/SIGTERM). The idle clock runs only while no
 * connection is being served. */
static int next_conn(struct srv *s, void **conn)
{
	const struct server_opts *o = s->o;
	char eb[160];
	int r = 1;

	port_mutex_lock(s->accept_lock);
	for (;;) {
		uint64_t idle_end, now = port_mono_ns();
		int wait_ms = -1, slice, e, stop, busy;

		port_mutex_lock(s->lock);
		stop = s->stop;
		busy = s->active != 0;
		idle_end = s->idle_ns + (uint64_t)o->idle_timeout_s * 1000000000u;
		port_mutex_unlock(s->lock);
		if (stop || srvconn_stopping())
			break;
		if (o->idle_timeout_s != 0 && !busy) {
			if (now >= idle_end) {
				fprintf(stderr,
				        "%s: no client for %" PRIu32
				        " s (--idle-timeout), exiting\n",
				        s->prog, o->idle_timeout_s);
				port_mutex_lock(s->lock);
				s->stop = 1;
				port_mutex_unlock(s->lock);
				break;
			}
			wait_ms = (int)((idle_end - now + 999999u) / 1000000u);
		}
		slice = s->workers > 1 ? ACCEPT_SLICE_N_MS : ACCEPT_SLICE_MS;
		if (wait_ms < 0 || wait_ms > slice)
			wait_ms = slice;
		if (o->mem)
			mem_mark(); /* the next connection's peak starts at its accept */
		e = s->tp->accept(s->state, wait_ms, conn);
		if (srvconn_stopping()) {
			if (e == 0)
				s->tp->abort(*conn);
			break;
		}
		if (e == 0) {
			port_mutex_lock(s->lock);
			s->active++;
			port_mutex_unlock(s->lock);
			r = 0;
			break;
		}
		if (e == ACK_ERR_TIMEOUT)
			continue;
		loglimit_printf(LOGLIMIT_ACCEPT, "%s: accept failed: %s\n", s->prog,
		                err_str(e, eb, sizeof(eb)));
		port_sleep_ms(10); /* e.g. out of descriptors: do not spin */
	}
	port_mutex_unlock(s->accept_lock);
	return r;
}

/* Allocations of a worker: its request buffer and its reply (padding prefilled). */
static int worker_init(struct worker *w, struct srv *s)
{
	size_t rlen = s->o->max_size > REPLY_HDR_LEN ? s->o->max_size : REPLY_HDR_LEN;

	memset(w, 0, sizeof(*w));
	w->s = s;
	srvlobby_worker(w);
	w->buf = malloc((size_t)s->o->max_size + 1);
	w->reply = malloc(rlen);
	if (w->buf == NULL || w->reply == NULL)
		return ACK_ERR_NOMEM;
	memset(w->reply, MSG_PAD, rlen);
	return 0;
}

static void worker_free(struct worker *w)
{
	free(w->buf);
	free(w->reply);
}

static void worker_run(void *arg, unsigned i)
{
	struct worker *w = &((struct worker *)arg)[i];
	void *conn;

	if (w->s->lobby != NULL)
		sec_io_yield(&w->y);
	while (next_conn(w->s, &conn) == 0)
		srvconn_serve(w, conn);
	sec_io_yield(NULL);
}

/* Buffers, log, transport set-up, listener. Returns 0, 1 or 2 (the exit status). */
static int srv_start(struct srv *s, struct worker *w, const struct tp_conf *conf)
{
	const struct server_opts *o = s->o;
	struct port_addr bind;
	uint16_t port = 0;
	unsigned i;
	char eb[160];
	int e;

	e = port_resolve(o->bind, (uint16_t)o->port, s->tp->datagram, 1, &bind);
	if (e != 0) {
		fprintf(stderr, "%s: --bind: cannot resolve '%s'\n", s->prog,
		        o->bind ? o->bind : "");
		return 2; /* an option value that names no address */
	}
	for (i = 0; i < s->workers; i++)
		if (worker_init(&w[i], s) != 0) {
			fprintf(stderr,
			        "%s: --max-size %" PRIu32 " x --max-conns %u: out of memory\n",
			        s->prog, o->max_size, s->workers);
			return 1;
		}
	if (s->workers > 1) {
		s->lock = port_mutex_new();
		s->accept_lock = port_mutex_new();
		if (s->lock == NULL || s->accept_lock == NULL) {
			fprintf(stderr, "%s: out of memory\n", s->prog);
			return 1;
		}
	}
	if (srvlog_open(&s->log, o->output, s->tp->name, o->mem,
	                (s->tp->cols & TP_COL_TCP_RETRANS) != 0,
	                (s->tp->cols & TP_COL_AUTH) != 0) != 0) {
		fprintf(stderr, "%s: --output: cannot write '%s'\n", s->prog, o->output);
		return 1;
	}
	if (tlfile_open(&s->tlf, s->prog, o->timeline, s->tp, "server") != 0)
		return 1;
	for (i = 0; i < s->workers; i++)
		if (tlfile_share(&s->tlf, &w[i].tlf, s->cpu_ns) != 0) {
			fprintf(stderr, "%s: --timeline: out of memory\n", s->prog);
			return 1;
		}
	e = s->tp->setup(conf, &s->state);
	if (e == ACK_ERR_ARG)
		return 2; /* the transport named the bad option value itself */
	if (e != 0) {
		fprintf(stderr, "%s: cannot set up %s: %s\n", s->prog, s->tp->name,
		        err_str(e, eb, sizeof(eb)));
		return 1;
	}
	if (port_stop_install(1) != 0)
		fprintf(stderr, "%s: cannot catch SIGINT/SIGTERM: a stop loses the rows\n",
		        s->prog);
	{
		struct port_addr none;
		uint32_t m;

		memset(&none, 0, sizeof(none));
		m = s->tp->max_msg(s->state, &none);
		s->reply_max = m != 0 && m < o->max_size ? m : o->max_size;
		s->amplify = s->tp->amplify != NULL ? s->tp->amplify(s->state) : 0;
	}
	e = s->tp->listen(s->state, &bind, &port);
	if (e != 0) {
		fprintf(stderr, "%s: cannot listen on port %" PRIu32 ": %s\n", s->prog, o->port,
		        err_str(e, eb, sizeof(eb)));
		return 1;
	}
	printf("ready port=%u\n", (unsigned)port);
	fflush(stdout);
	if (o->mem)
		s->heap_base = mem_mark(); /* config, certificates, keys, listener */
	return 0;
}

int server_run(const char *prog, const struct transport *tp, const struct server_opts *o,
               const struct tp_conf *conf)
{
	struct srv s;
	struct worker *w;
	unsigned i, n;
	int e, status;
	char eb[160];

	memset(&s, 0, sizeof(s));
	s.prog = prog;
	s.tp = tp;
	s.o = o;
	/* UDP: one worker answers all (a datagram comes whole: no peer can hold it) */
	s.workers = server_threads(tp, o);
	if (s.workers > (o->max_conns == 0 ? 1 : o->max_conns)) {
		s.lobby = calloc(1, sizeof(*s.lobby));
		if (s.lobby == NULL) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 1;
		}
		s.lobby->places = o->max_conns == 0 ? 1 : o->max_conns;
	}
	s.cpu_ns = s.workers > 1 ? port_thread_cpu_ns : port_cpu_ns;
	/* the runs of the connections served at once (a lobby's handshakes serve none) */
	srvrun_init(&s.runs, o->max_conns > 1 ? 2 * o->max_conns : 1);
	n = s.workers;
	w = calloc(n, sizeof(*w));
	if (w == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		free(s.lobby);
		return 1;
	}
	s.w = w;
	status = srv_start(&s, w, conf);
	if (status != 0)
		goto out;
	s.idle_ns = port_mono_ns();
	if (loglimit_start(prog, stderr) != 0) {
		fprintf(stderr, "%s: out of memory\n", prog);
		status = 1;
		goto out;
	}
	e = port_threads_run(n, worker_run, w);
	if (e != 0) {
		fprintf(stderr, "%s: --max-conns %u: cannot start the workers: %s\n", prog, n,
		        err_str(e, eb, sizeof(eb)));
		status = 1;
		goto out;
	}
	if (srvconn_stopping())
		fprintf(stderr, "%s: stopped by %s\n", prog, port_stop_name(port_stop_requested()));
	if (s.lobby != NULL)
		srvlobby_report(&s);
	loglimit_report();
	if (o->mem)
		printf("heap conn_peak_max=%zu baseline=%zu\n", s.heap_max, s.heap_base);
	if (s.early_conns != 0)
		printf("early data: conns=%" PRIu32 " bytes=%" PRIu32 "\n", s.early_conns,
		       s.early_bytes);
	printf("done conns=%" PRIu32 " messages=%" PRIu32 " valid=%" PRIu32 " invalid=%" PRIu32
	       " dropped=%" PRIu32 "\n",
	       s.conns, s.messages, s.valid, s.invalid, s.dropped);
	status = srvlog_close(&s.log) == 0 ? 0 : 1;
	for (i = 0; i < n; i++)
		tlfile_unshare(&w[i].tlf, &s.tlf);
	if (tlfile_close(&s.tlf) != 0) {
		fprintf(stderr, "%s: --timeline: write failed\n", prog);
		status = 1;
	}
out:
	loglimit_stop();
	for (i = 0; i < n; i++)
		tlfile_unshare(&w[i].tlf, &s.tlf);
	tlfile_close(&s.tlf);
	if (s.state != NULL)
		tp->teardown(s.state);
	for (i = 0; i < n; i++)
		worker_free(&w[i]);
	free(w);
	port_mutex_free(s.lock);
	port_mutex_free(s.accept_lock);
	free(s.lobby);
	return status;
}

unsigned server_threads(const struct transport *tp, const struct server_opts *o)
{
	unsigned n = o->max_conns == 0 ? 1 : o->max_conns;

	if (tp == &tp_udp)
		return 1; /* a datagram comes whole: no peer can hold it */
	if (tp->stack != NULL && tp->stack->threads_ok != NULL && tp->stack->threads_ok() &&
	    srvlobby_wanted(o->mem))
		n += SRVLOBBY_EXTRA; /* a TLS library that is not thread-safe: none */
	return n;
}
