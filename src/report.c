/* report.c - see report.h. Output lines are stable: tests and scripts grep them. */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "port.h"
#include "stack.h"

#ifndef ACKBENCH_CONFIG
#define ACKBENCH_CONFIG "unknown"
#endif
#ifndef ACKBENCH_TARGET
#define ACKBENCH_TARGET "unknown"
#endif
#if defined(__clang__)
#define COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define COMPILER "gcc " __VERSION__
#else
#define COMPILER "unknown"
#endif

#define PROGRESS_NS 200000000u /* redraw the progress line at most every 200 ms */

const char *const phase_names[PH_N] = {
	"connect", "handshake", "exchange", "close", "total", "cpu"
};

void report_build(const struct stack *st, char *buf, size_t len)
{
	if (st == NULL) {
		snprintf(buf, len, "compiler=\"%s\" stack=none config=%s target=%s", COMPILER,
		         ACKBENCH_CONFIG, ACKBENCH_TARGET);
		return;
	}
	snprintf(buf, len, "compiler=\"%s\" stack=%s %s=%s config=%s target=%s", COMPILER, st->name,
	         st->name, st->version(), ACKBENCH_CONFIG, ACKBENCH_TARGET);
}

void report_size_stats(struct size_result *res)
{
	uint64_t *v = malloc((res->n ? res->n : 1) * sizeof(*v));
	uint32_t i, k, m;

	if (v == NULL)
		return;
	for (k = 0; k <= PH_N; k++) {
		for (i = 0, m = 0; i < res->n; i++) {
			if (res->s[i].err != 0)
				continue;
			if (k < PH_N)
				v[m++] = res->s[i].ns[k];
			else if (res->s[i].owd_ns >= 0)
				v[m++] = (uint64_t)res->s[i].owd_ns;
		}
		stats_compute(v, m, k < PH_N ? &res->st[k] : &res->owd);
	}
	free(v);
}

void report_header(FILE *f, const struct run_info *info)
{
	const struct client_opts *o = info->o;
	char gov[64], sys[160], host[64], build[256];

	port_cpu_governor(gov, sizeof(gov));
	port_system(sys, sizeof(sys));
	port_hostname(host, sizeof(host));
	report_build(info->stack, build, sizeof(build));
	fprintf(f, "# ackbench %s %s: proto=%s mode=%s peer=%s run=%08" PRIx32 "\n",
	        ACKBENCH_VERSION, info->prog, info->proto, info->mode, info->peer, info->run_id);
	fprintf(f,
	        "# count=%" PRIu32 " per size, warmup=%" PRIu32
	        " per size (not counted), timeout=%" PRIu32 " ms, reply=%" PRIu32 " bytes\n",
	        o->count, o->warmup, o->timeout_ms, o->reply_size);
	fprintf(f, "# clock: monotonic, resolution %" PRIu64 " ns; cpu governor: %s\n",
	        port_clock_res_ns(), gov);
	fprintf(f, "# host: %s (%s)\n# build: %s\n", host, sys, build);
	if (info->negotiated[0] != '\0')
		fprintf(f, "# negotiated: %s\n", info->negotiated);
	if (o->keep)
		fprintf(f,
		        "# keep: one connection for all messages; set-up connect=%.1f us "
		        "handshake=%.1f us\n",
		        (double)info->setup_ns[0] / 1e3, (double)info->setup_ns[1] / 1e3);
	if (o->owd)
		fprintf(f, "# owd: one-way delay needs the two hosts' clocks synchronised "
		           "(PTP/NTP)\n");
	if (info->stack != NULL)
		fprintf(f, "# stack: %s %s (%s)\n", info->stack->name, info->stack->version(),
		        info->stack->build_config());
	if (o->mem)
		fprintf(f, "# mem: %s heap accounting on (--mem): times include its overhead\n",
		        info->stack != NULL ? info->stack->title : "no TLS stack");
	if (o->parallel > 1)
		fprintf(f,
		        "# parallel: %" PRIu32 " connection slots in flight at once, each message "
		        "timed by its own slot; cpu is the slot thread's\n",
		        o->parallel);
	fprintf(f, "# times in microseconds; percentiles nearest-rank over acked messages\n");
	fflush(f); /* at once, also into a pipe or file: the run has started (--keep: connected) */
}

static void row(FILE *f, uint32_t size, const char *name, const struct stats *s, uint32_t lost)
{
	fprintf(f,
	        "%-8" PRIu32 " %-9s %6zu %5" PRIu32 " %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n",
	        size, name, s->n, lost, s->min_us, s->p50_us, s->p90_us, s->p99_us, s->max_us,
	        s->mean_us, s->stddev_us);
}

/* Per second over the size's wall time (first timed message's start .. last one's end). */
double report_rate(uint32_t n, uint64_t wall_ns)
{
	return wall_ns > 0 ? (double)n * 1e9 / (double)wall_ns : 0.0;
}

void report_size_table(FILE *f, const struct run_info *info, const struct size_result *res,
                       int first)
{
	int k;

	if (first)
		fprintf(f, "%-8s %-9s %6s %5s %9s %9s %9s %9s %9s %9s %9s\n", "size", "phase", "n",
		        "lost", "min", "p50", "p90", "p99", "max", "mean", "stddev");
	for (k = 0; k < PH_N; k++)
		row(f, res->size, phase_names[k], &res->st[k], res->lost);
	if (info->o->owd)
		row(f, res->size, "owd", &res->owd, res->lost);
	if (res->wall_ns > 0)
		fprintf(f,
		        "# size %" PRIu32 " rate: %.1f msg/s, %.1f conn/s over %.3f s with %" PRIu32
		        " in parallel\n",
		        res->size, report_rate(res->n - res->lost, res->wall_ns),
		        report_rate(res->conns, res->wall_ns), (double)res->wall_ns / 1e9,
		        info->o->parallel ? info->o->parallel : 1);
	if (res->abandoned)
		fprintf(f,
		        "# size %" PRIu32 " abandoned after %" PRIu32 " of %" PRIu32 " messages\n",
		        res->size, res->n, info->o->count);
	fflush(f);
}

void report_heap(FILE *f, struct run_info *info, const struct size_result *res, unsigned n)
{
	struct stats st;
	uint64_t *v;
	size_t m = 0, cap = 1;
	unsigned i, j;

	for (i = 0; i < n; i++)
		cap += res[i].n;
	v = malloc(cap * sizeof(*v));
	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		for (j = 0; j < res[i].n; j++)
			if (res[i].s[j].err == 0)
				v[m++] = res[i].s[j].heap_peak_bytes;
	stats_compute(v, m, &st); /* sorts v */
	info->heap_p50 = (uint32_t)stats_percentile(v, m, 50);
	info->heap_max = m > 0 ? (uint32_t)v[m - 1] : 0;
	info->heap_conns = info->o->keep ? 1 + info->reconnects : (uint32_t)m;
	free(v);
	if (f != NULL)
		fprintf(f,
		        "# heap: per connection peak p50=%" PRIu32 " max=%" PRIu32
		        " bytes (%s heap, baseline %" PRIu32 " bytes after setup%s)\n",
		        info->heap_p50, info->heap_max,
		        info->stack != NULL ? info->stack->title : "no TLS stack",
		        info->heap_baseline, info->o->keep ? "; --keep: one connection" : "");
}

void report_result_line(FILE *f, const struct run_info *info, const struct size_result *res,
                        unsigned n)
{
	uint32_t sent = 0, lost = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		sent += res[i].n;
		lost += res[i].lost;
	}
	fprintf(f,
	        "result proto=%s mode=%s sizes=%u messages=%" PRIu32 " acked=%" PRIu32
	        " lost=%" PRIu32 " end=%s\n",
	        info->proto, info->mode, n, sent, sent - lost, lost,
	        info->end_acked ? "acked" : "lost");
}

void report_progress(const struct run_info *info, const struct size_result *res, unsigned idx,
                     uint32_t done, uint64_t *last_ns)
{
	uint64_t now = port_mono_ns();
	char line[96];

	if (done == UINT32_MAX) {
		fprintf(stderr, "\r%-79s\r", "");
		return;
	}
	if (*last_ns != 0 && now - *last_ns < PROGRESS_NS)
		return;
	*last_ns = now;
	snprintf(line, sizeof(line), "%s: size %u (%u of %u): %u/%u, %u lost", info->prog,
	         res->size, idx + 1, info->o->sizes.n, done, info->o->count, res->lost);
	fprintf(stderr, "\r%-79s", line);
}
