/* report_files.c - the client's result files (report.h: report_open, report_size_done,
 * report_close): the -o CSV, appended and flushed size by size, and the --json summary,
 * rewritten after each size, so that a run cut short keeps what it measured. */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "port.h"
#include "stack.h"

#ifndef ACKBENCH_CONFIG
#define ACKBENCH_CONFIG "unknown"
#endif

/* The CSV's column heads; dtls adds cookie_us (the cookie round trip within handshake_us, 0
 * without HelloVerifyRequest) after the others so that they keep their places, and --mem
 * heap_peak_bytes after every other column, optional ones included, but slot (--parallel's
 * connection slot, 0 without): added last of all, so that no column that was there moved;
 * tcp_retrans (tcp, tls: TCP segments this side retransmitted during the message) after it;
 * tls and dtls then auth (the negotiated authentication), after those for the same reason. */
/* --early-data adds early (none, accepted, rejected: the connection's early data; empty on
 * a --keep message that opened none) after auth. */
static int early_col(const struct run_info *info)
{
	return (info->cols & TP_COL_EARLY) != 0 && info->o->early;
}

static void csv_header(FILE *f, const struct run_info *info)
{
	fprintf(f,
	        "proto,mode,size,seq,connect_us,handshake_us,exchange_us,close_us,total_us,ok,"
	        "cpu_us,start_rt_us,hs_tx_bytes,hs_rx_bytes,hs_retrans,resumed,err%s%s%s,slot%s%"
	        "s%s\n",
	        info->o->owd ? ",owd_us" : "",
	        (info->cols & TP_COL_COOKIE) != 0 ? ",cookie_us" : "",
	        info->o->mem ? ",heap_peak_bytes" : "",
	        (info->cols & TP_COL_TCP_RETRANS) != 0 ? ",tcp_retrans" : "",
	        (info->cols & TP_COL_AUTH) != 0 ? ",auth" : "", early_col(info) ? ",early" : "");
}

static void csv_rows(FILE *f, const struct run_info *info, const struct size_result *res)
{
	int cookie = (info->cols & TP_COL_COOKIE) != 0;
	unsigned j;
	int k;

	for (j = 0; j < res->n; j++) {
		const struct sample *s = &res->s[j];

		fprintf(f, "%s,%s,%" PRIu32 ",%" PRIu32, info->proto, info->mode, res->size,
		        s->seq);
		for (k = PH_CONNECT; k <= PH_TOTAL; k++)
			fprintf(f, ",%.3f", (double)s->ns[k] / 1e3);
		fprintf(f, ",%d,%.3f,%" PRIu64 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%d,%d",
		        s->err == 0, (double)s->ns[PH_CPU] / 1e3, s->start_rt_us,
		        s->info.hs_tx_bytes, s->info.hs_rx_bytes, s->info.hs_retrans,
		        s->info.resumed, s->err);
		if (info->o->owd)
			fprintf(f, ",%.3f", (double)s->owd_ns / 1e3);
		if (cookie)
			fprintf(f, ",%.3f", (double)s->info.cookie_ns / 1e3);
		if (info->o->mem)
			fprintf(f, ",%" PRIu32, s->heap_peak_bytes);
		fprintf(f, ",%" PRIu32, s->slot);
		if ((info->cols & TP_COL_TCP_RETRANS) != 0)
			fprintf(f, ",%" PRIu32, s->info.tcp_retrans);
		if ((info->cols & TP_COL_AUTH) != 0) /* empty: no handshake done */
			fprintf(f, ",%s", s->info.auth != NULL ? s->info.auth : "");
		if (early_col(info))
			fprintf(f, ",%s",
			        s->info.auth == NULL                 ? ""
			        : s->info.early == TP_EARLY_ACCEPTED ? "accepted"
			        : s->info.early == TP_EARLY_REJECTED ? "rejected"
			                                             : "none");
		fputc('\n', f);
	}
}

static void json_stats(FILE *f, const char *name, const struct stats *s, int comma)
{
	fprintf(f,
	        "      \"%s\": {\"n\": %zu, \"min\": %.3f, \"p50\": %.3f, \"p90\": %.3f, "
	        "\"p99\": %.3f, \"max\": %.3f, \"mean\": %.3f, \"stddev\": %.3f}%s\n",
	        name, s->n, s->min_us, s->p50_us, s->p90_us, s->p99_us, s->max_us, s->mean_us,
	        s->stddev_us, comma ? "," : "");
}

static void json_str(FILE *f, const char *key, const char *v)
{
	fprintf(f, "  \"%s\": \"", key);
	for (; *v != '\0'; v++)
		if (*v == '"' || *v == '\\')
			fprintf(f, "\\%c", *v);
		else if ((unsigned char)*v >= 0x20)
			fputc(*v, f);
	fprintf(f, "\",\n");
}

/* The whole JSON document over the n sizes done so far, into f (rewritten each time). */
static void write_json(FILE *f, const struct run_info *info, const struct size_result *res,
                       unsigned n)
{
	const struct client_opts *o = info->o;
	char gov[64], sys[160], host[64], build[256];
	unsigned i;
	int k;

	port_cpu_governor(gov, sizeof(gov));
	port_system(sys, sizeof(sys));
	port_hostname(host, sizeof(host));
	report_build(info->stack, build, sizeof(build));
	fprintf(f, "{\n  \"tool\": \"ackbench\",\n  \"version\": \"%s\",\n", ACKBENCH_VERSION);
	json_str(f, "program", info->prog);
	json_str(f, "proto", info->proto);
	json_str(f, "mode", info->mode);
	json_str(f, "peer", info->peer);
	json_str(f, "negotiated", info->negotiated);
	if (info->stack != NULL) {
		json_str(f, "auth", o->auth != NULL ? o->auth : "cert");
		json_str(f, "auth_negotiated", info->auth_neg != NULL ? info->auth_neg : "");
	}
	json_str(f, "build", build);
	json_str(f, "host", host);
	json_str(f, "system", sys);
	json_str(f, "governor", gov);
	json_str(f, "stack", info->stack != NULL ? info->stack->name : "none");
	json_str(f, "stack_version", info->stack != NULL ? info->stack->version() : "");
	json_str(f, "stack_build", info->stack != NULL ? info->stack->build_config() : "");
	if (info->stack != NULL) /* the key older readers know: "mbedtls": "3.6.6" */
		json_str(f, info->stack->name, info->stack->version());
	fprintf(f, "  \"config\": \"%s\",\n", ACKBENCH_CONFIG);
	fprintf(f, "  \"clock_res_ns\": %" PRIu64 ",\n  \"run_id\": \"%08" PRIx32 "\",\n",
	        port_clock_res_ns(), info->run_id);
	fprintf(f, "  \"started_rt_us\": %" PRIu64 ",\n", info->started_rt_us);
	fprintf(f, "  \"count\": %" PRIu32 ",\n  \"warmup\": %" PRIu32 ",\n", o->count, o->warmup);
	fprintf(f, "  \"parallel\": %" PRIu32 ",\n", o->parallel ? o->parallel : 1);
	fprintf(f, "  \"timeout_ms\": %" PRIu32 ",\n  \"reply_size\": %" PRIu32 ",\n",
	        o->timeout_ms, o->reply_size);
	fprintf(f, "  \"setup_us\": {\"connect\": %.3f, \"handshake\": %.3f},\n",
	        (double)info->setup_ns[0] / 1e3, (double)info->setup_ns[1] / 1e3);
	if (o->cid)
		json_str(f, "cid", info->cid);
	if (o->early)
		fprintf(f,
		        "  \"early_data\": {\"offered\": %" PRIu32 ", \"accepted\": %" PRIu32
		        ", \"rejected\": %" PRIu32 ", \"fallback\": %" PRIu32 "},\n",
		        info->early_offered, info->early_accepted, info->early_rejected,
		        info->early_fallback);
	fprintf(f, "  \"reconnects\": %" PRIu32 ",\n  \"end_acked\": %s,\n", info->reconnects,
	        info->end_acked ? "true" : "false");
	/* "running" while sizes are still to come, "stopped" after SIGINT/SIGTERM */
	fprintf(f, "  \"state\": \"%s\",\n  \"stopped_by\": %s%s%s,\n",
	        info->stopped    ? "stopped"
	        : info->finished ? "complete"
	                         : "running",
	        info->stopped ? "\"" : "", info->stopped ? port_stop_name(info->stopped) : "null",
	        info->stopped ? "\"" : "");
	if (o->mem)
		fprintf(f,
		        "  \"heap\": {\"unit\": \"bytes\", \"baseline\": %" PRIu32
		        ", \"conn_peak_p50\": %" PRIu32 ", \"conn_peak_max\": %" PRIu32
		        ", \"connections\": %" PRIu32 "},\n",
		        info->heap_baseline, info->heap_p50, info->heap_max, info->heap_conns);
	fprintf(f, "  \"unit\": \"us\",\n  \"sizes\": [\n");
	for (i = 0; i < n; i++) {
		fprintf(f,
		        "    {\"size\": %" PRIu32 ", \"n\": %" PRIu32 ", \"lost\": %" PRIu32
		        ", \"abandoned\": %s,\n",
		        res[i].size, res[i].n, res[i].lost, res[i].abandoned ? "true" : "false");
		fprintf(f, "     \"wall_us\": %.3f, \"msgs_per_s\": %.1f, \"conns_per_s\": %.1f,\n",
		        (double)res[i].wall_ns / 1e3,
		        report_rate(res[i].n - res[i].lost, res[i].wall_ns),
		        report_rate(res[i].conns, res[i].wall_ns));
		if ((info->cols & TP_COL_TCP_RETRANS) != 0) {
			uint64_t rt = 0;
			uint32_t j;

			for (j = 0; j < res[i].n; j++)
				rt += res[i].s[j].info.tcp_retrans;
			fprintf(f, "     \"tcp_retrans\": %" PRIu64 ",\n", rt);
		}
		for (k = 0; k < PH_N; k++)
			json_stats(f, phase_names[k], &res[i].st[k], k + 1 < PH_N || o->owd);
		if (o->owd)
			json_stats(f, "owd", &res[i].owd, 0);
		fprintf(f, "    }%s\n", i + 1 < n ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
}

/* One line per file and failure kind; later failures of the same file stay quiet. */
static int file_failed(struct run_info *info, int which, const char *opt, const char *path)
{
	if (!(info->files_failed & which))
		fprintf(stderr, "%s: %s: cannot write '%s': %s\n", info->prog, opt, path,
		        strerror(errno));
	info->files_failed |= which;
	return -1;
}

int report_open(struct run_info *info)
{
	const struct client_opts *o = info->o;

	if (o->output != NULL) {
		info->csv = fopen(o->output, "w");
		if (info->csv == NULL)
			return file_failed(info, 1, "--output", o->output);
		csv_header(info->csv, info);
		if (fflush(info->csv) != 0)
			return file_failed(info, 1, "--output", o->output);
	}
	if (o->json != NULL) {
		info->json = fopen(o->json, "w");
		if (info->json == NULL)
			return file_failed(info, 2, "--json", o->json);
	}
	return 0;
}

int report_size_done(struct run_info *info, const struct size_result *res, unsigned n)
{
	const struct client_opts *o = info->o;
	int r = 0;

	if (info->csv != NULL && n > 0) {
		errno = 0;
		csv_rows(info->csv, info, &res[n - 1]);
		if (fflush(info->csv) != 0 || ferror(info->csv))
			r = file_failed(info, 1, "--output", o->output);
	}
	if (info->json != NULL) {
		errno = 0;
		info->json = freopen(o->json, "w", info->json);
		if (info->json == NULL)
			return file_failed(info, 2, "--json", o->json);
		write_json(info->json, info, res, n);
		if (fflush(info->json) != 0 || ferror(info->json))
			r = file_failed(info, 2, "--json", o->json);
	}
	return r;
}

int report_close(struct run_info *info, const struct size_result *res, unsigned n)
{
	int r = info->files_failed ? -1 : 0;

	info->finished = 1;
	if (info->json != NULL) {
		errno = 0;
		info->json = freopen(info->o->json, "w", info->json);
		if (info->json == NULL)
			return file_failed(info, 2, "--json", info->o->json);
		write_json(info->json, info, res, n);
		if (fclose(info->json) != 0)
			r = file_failed(info, 2, "--json", info->o->json);
		info->json = NULL;
	}
	if (info->csv != NULL) {
		errno = 0;
		if (fclose(info->csv) != 0)
			r = file_failed(info, 1, "--output", info->o->output);
		info->csv = NULL;
	}
	return r;
}
