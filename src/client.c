/*
 * client.c - the benchmark loop. For each size: warm-up messages (not recorded), then
 * count messages, each timed phase by phase (climsg.c). With --parallel N, N connection
 * slots take the size's messages one by one, each on its own thread and connection; the
 * size's wall time then gives messages and connections per second.
 */
#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <inttypes.h>
#include <string.h>

#include "err.h"
#include "climsg.h"
#include "clsize.h"
#include "mem.h"
#include "msg.h"
#include "port.h"
#include "report.h"
#include "runend.h"

#define END_TRIES_DGRAM 5

/* END tells the server the run is over; its seq is the number of data messages sent. It
 * goes on slot 0 once the other slots' connections are closed. */
static int send_end(struct run *r)
{
	/* After a stop, one try: the user is waiting. */
	int tries = r->tp->datagram && !r->info->stopped ? END_TRIES_DGRAM : 1, i;
	int e = ACK_ERR_TIMEOUT;
	struct slot *sl = &r->slots[0];
	struct sample s;
	unsigned k;

	for (k = 1; k < r->nslots; k++)
		if (r->slots[k].conn != NULL) {
			r->tp->close(r->slots[k].conn, (int)r->o->timeout_ms);
			r->slots[k].conn = NULL;
		}
	climsg_build(r, MSG_END, MSG_HDR_LEN);
	sl->cpu_mark = 0;
	for (i = 0; i < tries; i++) {
		e = climsg_one(sl, MSG_HDR_LEN, r->seq, &s);
		if (e == 0)
			break;
	}
	if (sl->conn != NULL) {
		r->tp->close(sl->conn, (int)r->o->timeout_ms);
		sl->conn = NULL;
	}
	return e;
}

/* --keep: every slot opens its connection; slot 0's set-up is the one reported. */
static int keep_setup(struct run *r)
{
	struct sample s;
	uint64_t t[3];
	unsigned k;
	int e = 0;

	for (k = 0; k < r->nslots && e == 0; k++) {
		struct slot *sl = &r->slots[k];

		memset(&s, 0, sizeof(s));
		s.start_rt_us = port_real_us();
		sl->tl_cpu0 = r->cpu_ns();
		t[0] = port_mono_ns();
		size_t none;

		e = climsg_open(sl, &sl->conn, &s, t, NULL, 0, &none);
		if (k == 0) {
			r->info->setup_ns[0] = t[1] - t[0];
			r->info->setup_ns[1] = t[2] - t[1];
		}
		tlfile_done(&sl->tlf, sl->conn, r->run_id, sl->conn_no, r->seq);
	}
	return e;
}

/* --keep: one figure, the connection's peak from keep_setup to the end of this size, in
 * every row of the size (written when the size ends). (--mem runs one slot.) */
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
	r->reply_cap = r->reply_len + 1;
	r->slots = calloc(r->nslots, sizeof(*r->slots));
	if (r->slots == NULL)
		return ACK_ERR_NOMEM;
	for (i = 0; i < r->nslots; i++) {
		r->slots[i].r = r;
		r->slots[i].id = i;
		r->slots[i].msg = malloc(max);
		r->slots[i].reply = malloc(r->reply_cap);
		if (r->slots[i].msg == NULL || r->slots[i].reply == NULL ||
		    tlfile_share(&r->tlf, &r->slots[i].tlf, r->cpu_ns) != 0)
			return ACK_ERR_NOMEM;
	}
	if (r->nslots > 1 && (r->lock = port_mutex_new()) == NULL)
		return ACK_ERR_NOMEM;
	for (i = 0; i < nsizes; i++) {
		res[i].s = calloc(count ? count : 1, sizeof(struct sample));
		if (res[i].s == NULL)
			return ACK_ERR_NOMEM;
	}
	return 0;
}

static void free_run(struct run *r, struct size_result *res, uint32_t nsizes)
{
	uint32_t i;

	for (i = 0; r->slots != NULL && i < r->nslots; i++) {
		if (r->slots[i].conn != NULL)
			r->tp->abort(r->slots[i].conn);
		free(r->slots[i].msg);
		free(r->slots[i].reply);
		tlfile_unshare(&r->slots[i].tlf, &r->tlf);
	}
	free(r->slots);
	port_mutex_free(r->lock);
	for (i = 0; i < nsizes; i++)
		free(res[i].s);
	if (r->state != NULL)
		r->tp->teardown(r->state);
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
	r.nslots = o->parallel > 1 ? o->parallel : 1;
	r.cpu_ns = r.nslots > 1 ? port_thread_cpu_ns : port_cpu_ns;
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
		if (clsize_run(&r, &res[i]) != 0)
			goto out;
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
	if (o->early && !o->quiet)
		printf("# early data: offered=%" PRIu32 " accepted=%" PRIu32 " rejected=%" PRIu32
		       " fallback=%" PRIu32 " (rejected requests sent again after the handshake)\n",
		       info.early_offered, info.early_accepted, info.early_rejected,
		       info.early_fallback);
	status = lost == 0 ? 0 : 1;
	for (i = 0; i < nsizes; i++)
		if (res[i].abandoned || res[i].n < o->count)
			status = 1;
	if (report_close(&info, res, nsizes) != 0)
		status = 1;
	for (i = 0; i < r.nslots; i++)
		tlfile_unshare(&r.slots[i].tlf, &r.tlf);
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
	free_run(&r, res, o->sizes.n);
	tlfile_close(&r.tlf);
	return status;
}
