/* srvlog.c - see srvlog.h. */
#include "srvlog.h"

#include <inttypes.h>

int srvlog_open(struct srvlog *l, const char *path, const char *proto, int mem, int retrans,
                int auth)
{
	l->f = NULL;
	l->mem = mem;
	l->retrans = retrans;
	l->auth = auth;
	l->n = 0;
	l->failed = 0;
	l->proto = proto;
	if (path == NULL)
		return 0;
	l->f = fopen(path, "w");
	if (l->f == NULL)
		return -1;
	fprintf(l->f, "kind,proto,conn,seq,size,rt_us,handshake_us,wall_us,cpu_us,status%s%s%s\n",
	        mem ? ",heap_peak_bytes" : "", retrans ? ",tcp_retrans" : "",
	        auth ? ",auth,resumed" : "");
	return 0;
}

static struct srvlog_row *next(struct srvlog *l)
{
	if (l->f == NULL)
		return NULL;
	if (l->n == SRVLOG_ROWS)
		srvlog_flush(l); /* only in very long keep-alive connections */
	return &l->rows[l->n++];
}

void srvlog_msg(struct srvlog *l, uint32_t conn, uint32_t seq, uint32_t size, uint64_t rx_rt_us,
                uint64_t service_ns, int status)
{
	struct srvlog_row *r = next(l);

	if (r == NULL)
		return;
	*r = (struct srvlog_row){ .kind = 'm',
		                  .conn = conn,
		                  .seq = seq,
		                  .size = size,
		                  .rt_us = rx_rt_us,
		                  .wall_ns = service_ns,
		                  .status = status };
}

void srvlog_conn(struct srvlog *l, uint32_t conn, uint32_t msgs, uint64_t start_rt_us,
                 uint64_t hs_ns, uint64_t wall_ns, uint64_t cpu_ns, int status, uint32_t heap_bytes,
                 uint32_t tcp_retrans, const char *auth, int resumed)
{
	struct srvlog_row *r = next(l);

	if (r == NULL)
		return;
	*r = (struct srvlog_row){ .kind = 'c',
		                  .conn = conn,
		                  .seq = msgs,
		                  .rt_us = start_rt_us,
		                  .hs_ns = hs_ns,
		                  .wall_ns = wall_ns,
		                  .cpu_ns = cpu_ns,
		                  .status = status,
		                  .heap_bytes = heap_bytes,
		                  .tcp_retrans = tcp_retrans,
		                  .auth = auth,
		                  .resumed = resumed };
}

void srvlog_flush(struct srvlog *l)
{
	unsigned i;

	if (l->f == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		const struct srvlog_row *r = &l->rows[i];

		if (r->kind == 'm')
			fprintf(l->f,
			        "msg,%s,%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu64 ",,%.3f,,%d",
			        l->proto, r->conn, r->seq, r->size, r->rt_us,
			        (double)r->wall_ns / 1e3, r->status);
		else
			fprintf(l->f,
			        "conn,%s,%" PRIu32 ",%" PRIu32 ",,%" PRIu64 ",%.3f,%.3f,%.3f,%d",
			        l->proto, r->conn, r->seq, r->rt_us, (double)r->hs_ns / 1e3,
			        (double)r->wall_ns / 1e3, (double)r->cpu_ns / 1e3, r->status);
		if (l->mem && r->kind == 'm')
			fputc(',', l->f); /* a per-connection figure: empty on message rows */
		else if (l->mem)
			fprintf(l->f, ",%" PRIu32, r->heap_bytes);
		if (l->retrans && r->kind == 'm')
			fputc(',', l->f);
		else if (l->retrans)
			fprintf(l->f, ",%" PRIu32, r->tcp_retrans);
		if (l->auth && r->kind == 'c')
			fprintf(l->f, ",%s,%d", r->auth != NULL ? r->auth : "", r->resumed);
		else if (l->auth)
			fputs(",,", l->f);
		fputc('\n', l->f);
	}
	l->n = 0;
	if (fflush(l->f) != 0)
		l->failed = 1;
}

int srvlog_close(struct srvlog *l)
{
	if (l->f == NULL)
		return 0;
	srvlog_flush(l);
	if (fclose(l->f) != 0)
		l->failed = 1;
	l->f = NULL;
	return l->failed ? -1 : 0;
}
