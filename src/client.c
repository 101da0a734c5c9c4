/*
 * client.c - the benchmark loop. For each size: warm-up messages (not recorded), then
 * count messages, each timed phase by phase:
 *   connect   dial() (TCP connect / UDP socket+connect)
 *   handshake handshake() (TLS/DTLS; 0 for plain)
 *   exchange  stamp + send the request .. the matching reply is read
 *   close     close(): our end, then the peer's end seen (bounded)
 * In --keep mode one connection carries every message, so connect/handshake/close are 0 per
 * row and the set-up is reported once. Nothing is printed or allocated between t0 and the
 * last stamp of a message.
 */
#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "io.h"
#include "mem.h"
#include "msg.h"
#include "port.h"
#include "report.h"
#include "runend.h"
#include "tlfile.h"

#define END_TRIES_DGRAM 5

struct run {
	const struct transport *tp;
	const struct client_opts *o;
	void *state;
	struct port_addr peer;
	void *conn;     /* keep mode: the open connection */
	uint8_t *msg;   /* request buffer, largest size */
	uint8_t *reply; /* reply buffer */
	size_t reply_cap;
	uint32_t seq, run_id, reply_len;
	struct run_info *info;
	uint64_t cpu_mark;    /* port_cpu_ns() at the end of the last message; 0: read afresh */
	int progress;         /* stderr is a terminal and not --quiet */
	uint32_t size_idx;    /* index of the size being run, for the progress line */
	uint64_t progress_ns; /* last redraw */
	struct tlfile tlf;    /* --timeline */
	struct runend end;    /* stopped, or a peer that never answered (runend.h) */
	uint32_t conns;       /* connections dialled in this run */
	uint64_t tl_cpu0;     /* port_cpu_ns() at the start of the connection being made */
};

static int parse_reply_hdr(const uint8_t *hdr, uint32_t *len)
{
	struct reply_hdr h;
	int r = reply_parse(hdr, REPLY_HDR_LEN, &h);

	*len = h.len;
	return r;
}

/* Reads replies until the one for seq arrives. On a datagram transport a reply to an
 * earlier message (late, or duplicated) is dropped and reading goes on until deadline. */
static int await_reply(struct run *r, void *conn, uint32_t seq, uint64_t deadline,
                       struct reply_hdr *h)
{
	int malformed = 0; /* a datagram came that is no reply at all: say so, not "timed out" */

	for (;;) {
		/* The server sends nothing more until the next request: ask for the whole reply
		 * in the first read. */
		int n = io_read_want(r->tp, conn, r->reply, r->reply_cap, REPLY_HDR_LEN,
		                     r->reply_len, parse_reply_hdr, deadline);

		if (n == ACK_ERR_PROTO && r->tp->datagram) {
			malformed = 1;
			continue; /* stray datagram: not ours */
		}
		if (n == ACK_ERR_TIMEOUT && malformed)
			return ACK_ERR_PROTO;
		if (n < 0)
			return n;
		reply_parse(r->reply, (size_t)n, h);
		if (h->run_id != r->run_id || h->seq != seq) {
			if (r->tp->datagram)
				continue;
			return ACK_ERR_PROTO;
		}
		if (h->status != REPLY_OK)
			return ACK_ERR_REFUSED;
		return 0;
	}
}

static int open_conn(struct run *r, void **conn, struct sample *s, uint64_t *t)
{
	int e = r->tp->dial(r->state, &r->peer, conn);

	t[1] = port_mono_ns();
	if (e != 0) {
		*conn = NULL;
		t[2] = t[1];
		return e;
	}
	r->conns++;
	if (!r->tp->datagram) /* a stream connection is an answer; a UDP socket is not */
		runend_answered(&r->end);
	tlfile_attach(&r->tlf, *conn, t[0], r->tl_cpu0, s->start_rt_us);
	e = r->tp->handshake(*conn);
	t[2] = port_mono_ns();
	if (r->tp->info != NULL)
		r->tp->info(*conn, &s->info);
	if (e != 0) {
		r->tp->abort(*conn);
		*conn = NULL;
		return e;
	}
	if (r->tp->stack != NULL) /* a handshake done */
		runend_answered(&r->end);
	if (r->info->negotiated[0] == '\0' && r->tp->describe != NULL)
		r->tp->describe(*conn, r->info->negotiated, sizeof(r->info->negotiated));
	return 0;
}

/* One timed message of len bytes. Fills s; returns 0 when it was acked.
 * Its CPU time runs from the end of the previous message (nothing but the loop runs in
 * between; cpu_mark is 0 after anything else) to its own end: one CPU clock read per
 * message, not two, as each is a syscall where the monotonic clock is not. */
static int one_message(struct run *r, uint32_t len, struct sample *s)
{
	uint64_t t[5], c0 = r->cpu_mark != 0 ? r->cpu_mark : port_cpu_ns();
	void *conn = r->conn;
	struct reply_hdr h;
	int e = 0;

	memset(s, 0, sizeof(*s));
	s->seq = r->seq++;
	if (r->o->mem && !r->o->keep)
		mem_mark(); /* --mem: this connection's peak starts here (keep: client_run) */
	s->start_rt_us = port_real_us();
	r->tl_cpu0 = c0;
	t[0] = port_mono_ns();
	t[1] = t[2] = t[0];
	if (conn == NULL) {
		e = open_conn(r, &conn, s, t);
		if (e != 0) {
			t[3] = t[4] = t[2];
			goto done;
		}
		if (r->o->keep) {
			r->conn = conn;
			r->info->reconnects++;
		}
	}
	{
		uint64_t send_rt = port_real_us();

		msg_stamp(r->msg, s->seq, send_rt);
		e = r->tp->send(conn, r->msg, len);
		if (e == 0)
			e = await_reply(r, conn, s->seq,
			                port_mono_ns() + (uint64_t)r->o->timeout_ms * 1000000u, &h);
		t[3] = port_mono_ns();
		if (e == 0)
			s->owd_ns = ((int64_t)h.rx_rt_us - (int64_t)send_rt) * 1000;
	}
	if (e != 0) {
		r->tp->abort(conn);
		r->conn = NULL;
		t[4] = t[3];
		goto done;
	}
	if (!r->o->keep)
		e = r->tp->close(conn, (int)r->o->timeout_ms);
	t[4] = port_mono_ns();
done:
	s->ns[PH_CONNECT] = t[1] - t[0];
	s->ns[PH_HANDSHAKE] = t[2] - t[1];
	s->ns[PH_EXCHANGE] = t[3] - t[2];
	s->ns[PH_CLOSE] = t[4] - t[3];
	s->ns[PH_TOTAL] = t[4] - t[0];
	r->cpu_mark = port_cpu_ns();
	s->ns[PH_CPU] = r->cpu_mark - c0;
	s->err = e;
	if (r->o->mem && !r->o->keep)
		s->heap_peak_bytes = (uint32_t)mem_peak_since(r->info->heap_baseline);
	if (r->tlf.attached) { /* written now, so outside the CPU time of the next message */
		tlfile_done(&r->tlf, r->conn, r->run_id, r->conns, s->seq);
		r->cpu_mark = 0;
	}
	return e;
}

static void build_msg(struct run *r, uint8_t type, uint32_t len)
{
	struct msg_hdr h = {
		.type = type, .run_id = r->run_id, .len = len, .reply_len = r->reply_len
	};

	msg_build(r->msg, &h);
}

/* Returns 0 normally, or a fatal error (nothing could reach the server at all). */
static int run_size(struct run *r, struct size_result *res)
{
	const struct client_opts *o = r->o;
	struct sample scratch;
	uint32_t i, fails = 0;
	char eb[160];

	build_msg(r, MSG_DATA, res->size);
	r->cpu_mark = 0;
	for (i = 0; i < o->warmup; i++) {
		int e = one_message(r, res->size, &scratch);

		if (runend_after(&r->end, r->info, e))
			return 0;
		if (e != 0 && ++fails >= o->max_loss) {
			fprintf(stderr,
			        "%s: size %u: %u warm-up messages in a row failed, last: %s\n",
			        r->info->prog, res->size, fails, err_str(e, eb, sizeof(eb)));
			break;
		}
		if (e == 0)
			fails = 0;
	}
	for (i = 0; i < o->count; i++) {
		struct sample *s = &res->s[res->n++];
		int e = one_message(r, res->size, s);

		if (r->progress) {
			report_progress(r->info, res, r->size_idx, i + 1, &r->progress_ns);
			r->cpu_mark = 0;
		}
		if (e == 0)
			fails = 0;
		else
			res->lost++;
		if (runend_after(&r->end, r->info, e)) {
			res->abandoned = r->end.gave_up;
			break;
		}
		if (e == 0)
			continue;
		if (++fails >= o->max_loss) {
			if (r->progress)
				report_progress(r->info, res, r->size_idx, UINT32_MAX,
				                &r->progress_ns);
			fprintf(stderr,
			        "%s: size %u: abandoned after %u failures in a row (%u of %u "
			        "sent), last: %s\n",
			        r->info->prog, res->size, fails, i + 1, o->count,
			        err_str(e, eb, sizeof(eb)));
			res->abandoned = 1;
			break;
		}
	}
	if (r->progress)
		report_progress(r->info, res, r->size_idx, UINT32_MAX, &r->progress_ns);
	return 0;
}

/* END tells the server the run is over; its seq is the number of data messages sent. */
static int send_end(struct run *r)
{
	/* After a stop, one try: the user is waiting. */
	int tries = r->tp->datagram && !r->info->stopped ? END_TRIES_DGRAM : 1, i;
	int e = ACK_ERR_TIMEOUT;
	struct sample s;
	uint32_t data_sent = r->seq;

	build_msg(r, MSG_END, MSG_HDR_LEN);
	r->cpu_mark = 0;
	for (i = 0; i < tries; i++) {
		r->seq = data_sent;
		e = one_message(r, MSG_HDR_LEN, &s);
		if (e == 0)
			break;
	}
	if (r->conn != NULL) {
		r->tp->close(r->conn, (int)r->o->timeout_ms);
		r->conn = NULL;
	}
	return e;
}

static int keep_setup(struct run *r)
{
	struct sample s;
	uint64_t t[3];
	int e;

	memset(&s, 0, sizeof(s));
	s.start_rt_us = port_real_us();
	r->tl_cpu0 = port_cpu_ns();
	t[0] = port_mono_ns();
	e = open_conn(r, &r->conn, &s, t);
	r->info->setup_ns[0] = t[1] - t[0];
	r->info->setup_ns[1] = t[2] - t[1];
	tlfile_done(&r->tlf, r->conn, r->run_id, r->conns, r->seq);
	return e;
}

/* --keep: one figure, the connection's peak from keep_setup to the end of this size, in
 * every row of the size (written when the size ends). */
static void keep_heap(struct run *r, struct size_result *res)
{
	uint32_t peak = (uint32_t)mem_peak_since(r->info->heap_baseline), j;

	for (j = 0; j < res->n; j++)
		res->s[j].heap_peak_bytes = peak;
}

static int alloc_run(struct run *r, struct size_result *res, uint32_t nsizes, uint32_t count)
{
	uint32_t i, max = MSG_HDR_LEN;

	for (i = 0; i < nsizes; i++)
		if (res[i].size > max)
			max = res[i].size;
	r->msg = malloc(max);
	r->reply_cap = r->reply_len + 1;
	r->reply = malloc(r->reply_cap);
	if (r->msg == NULL || r->reply == NULL)
		return ACK_ERR_NOMEM;
	for (i = 0; i < nsizes; i++) {
		res[i].s = calloc(count ? count : 1, sizeof(struct sample));
		if (res[i].s == NULL)
			return ACK_ERR_NOMEM;
	}
	return 0;
}

int client_run(const char *prog, const struct transport *tp, const struct client_opts *o,
               void *state)
{
	struct size_result res[SIZES_MAX];
	struct run_info info;
	struct run r;
	uint32_t i, lost = 0, nsizes = 0;
	int e, status = 1;
	size_t olen;
	char eb[160];

	memset(res, 0, sizeof(res));
	memset(&info, 0, sizeof(info));
	memset(&r, 0, sizeof(r));
	r.tp = tp;
	r.o = o;
	r.state = state;
	r.info = &info;
	info.prog = prog;
	info.proto = tp->name;
	info.stack = tp->stack;
	info.cols = tp->cols;
	info.mode = o->keep ? "keep" : "per-message";
	info.o = o;
	r.progress = !o->quiet && port_stderr_is_tty();
	port_entropy_poll(NULL, (unsigned char *)&r.run_id, sizeof(r.run_id), &olen);
	info.run_id = r.run_id;
	r.reply_len = o->reply_size > REPLY_HDR_LEN ? o->reply_size : REPLY_HDR_LEN;
	for (i = 0; i < o->sizes.n; i++)
		res[i].size = o->sizes.v[i];

	e = port_resolve(o->addr, (uint16_t)o->port, tp->datagram, 0, &r.peer);
	if (e != 0) {
		fprintf(stderr, "%s: --addr: cannot resolve '%s'\n", prog, o->addr);
		status = 2; /* an option value that names no address */
		goto out;
	}
	port_addr_str(&r.peer, info.peer, sizeof(info.peer));
	if (tlfile_open(&r.tlf, prog, o->timeline, tp, "client") != 0)
		goto out;
	if (port_stop_install(0) != 0)
		fprintf(stderr, "%s: cannot catch SIGINT/SIGTERM: a stop loses the results\n",
		        prog);
	/* Before any traffic: a result file that cannot be written is a usage error. */
	if (report_open(&info) != 0) {
		status = 2;
		goto out;
	}
	e = alloc_run(&r, res, o->sizes.n, o->count);
	if (e != 0) {
		fprintf(stderr, "%s: setup failed: %s\n", prog, err_str(e, eb, sizeof(eb)));
		goto out;
	}
	/* --mem: the baseline holds config, certificates and keys (and PSA's own state) */
	if (o->mem)
		info.heap_baseline = (uint32_t)mem_mark();
	info.started_rt_us = port_real_us();
	if (o->keep) {
		e = keep_setup(&r);
		if (e != 0) {
			fprintf(stderr, "%s: cannot open a connection to %s: %s\n", prog, info.peer,
			        err_str(e, eb, sizeof(eb)));
			goto out;
		}
	}
	if (!o->quiet)
		report_header(stdout, &info);
	for (i = 0; i < o->sizes.n && !info.stopped && !r.end.gave_up; i++) {
		r.size_idx = i;
		r.progress_ns = 0; /* each size shows its line at once */
		run_size(&r, &res[i]);
		nsizes = i + 1;
		report_size_stats(&res[i]);
		lost += res[i].lost;
		if (res[i].n == res[i].lost && i == 0 && res[i].n > 0 && !o->keep &&
		    !r.end.gave_up) {
			fprintf(stderr, "%s: no message of size %u was acknowledged by %s: %s\n",
			        prog, res[i].size, info.peer,
			        err_str(res[i].s[0].err, eb, sizeof(eb)));
		}
		/* Per-message mode knows the negotiated parameters only after its first
		 * connection, i.e. after the header. */
		if (!o->quiet && i == 0 && !o->keep && info.negotiated[0] != '\0')
			printf("# negotiated: %s\n", info.negotiated);
		if (!o->quiet)
			report_size_table(stdout, &info, &res[i], i == 0);
		if (o->mem && o->keep)
			keep_heap(&r, &res[i]);
		report_size_done(&info, res, nsizes);
	}
	/* END to a peer that never answered would only cost its retries' time. */
	e = r.end.gave_up ? ACK_ERR_TIMEOUT : send_end(&r);
	info.end_acked = e == 0;
	if (e != 0 && !r.end.gave_up)
		fprintf(stderr, "%s: the server did not acknowledge END (%s)\n", prog,
		        err_str(e, eb, sizeof(eb)));
	if (o->mem)
		report_heap(o->quiet ? NULL : stdout, &info, res, nsizes);
	status = lost == 0 ? 0 : 1;
	for (i = 0; i < nsizes; i++)
		if (res[i].abandoned || res[i].n < o->count)
			status = 1;
	if (report_close(&info, res, nsizes) != 0)
		status = 1;
	if (tlfile_close(&r.tlf) != 0) {
		fprintf(stderr, "%s: --timeline: write failed\n", prog);
		status = 1;
	}
	report_result_line(stdout, &info, res, nsizes);
	if (info.stopped) {
		fprintf(stderr,
		        "%s: stopped by %s after %u of %u sizes (%u of %u messages of the last); "
		        "what was measured is written\n",
		        prog, port_stop_name(info.stopped), nsizes, o->sizes.n,
		        nsizes ? res[nsizes - 1].n : 0, o->count);
		status = 128 + info.stopped;
	}
out:
	report_close(&info, res, nsizes);
	if (r.conn != NULL)
		tp->abort(r.conn);
	tlfile_close(&r.tlf);
	for (i = 0; i < o->sizes.n; i++)
		free(res[i].s);
	free(r.msg);
	free(r.reply);
	if (r.state != NULL)
		tp->teardown(r.state);
	return status;
}
