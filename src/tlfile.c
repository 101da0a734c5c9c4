/* tlfile.c - see tlfile.h. */
#include "tlfile.h"

#include <stdlib.h>

#include "port.h"

int tlfile_open(struct tlfile *t, const char *prog, const char *path, const struct transport *tp,
                const char *side)
{
	t->f = NULL;
	t->tl = NULL;
	t->tp = tp;
	t->side = side;
	t->attached = t->failed = 0;
	if (path == NULL)
		return 0;
	t->tl = calloc(1, sizeof(*t->tl));
	t->f = t->tl ? fopen(path, "w") : NULL;
	if (t->f == NULL) {
		fprintf(stderr, "%s: --timeline: cannot write '%s'\n", prog, path);
		free(t->tl);
		t->tl = NULL;
		return -1;
	}
	timeline_header(t->f);
	port_rx_stamps(-1, 1); /* arrival stamps on from the first connection */
	return 0;
}

void tlfile_attach(struct tlfile *t, void *conn, uint64_t start_ns, uint64_t start_cpu_ns,
                   uint64_t start_rt_us)
{
	if (t->f == NULL)
		return;
	timeline_begin(t->tl, t->tp->datagram, start_ns, start_cpu_ns, start_rt_us);
	t->tp->timeline(conn, t->tl);
	t->attached = 1;
}

void tlfile_done(struct tlfile *t, void *conn, uint32_t run_id, uint32_t conn_no, int64_t seq)
{
	struct timeline_id id = { run_id, conn_no, seq, t->side, t->tp->name };

	if (t->f == NULL || !t->attached)
		return;
	if (conn != NULL)
		t->tp->timeline(conn, NULL);
	t->attached = 0;
	if (timeline_write(t->tl, t->f, &id, t->tp->state_name) != 0)
		t->failed = 1;
}

void tlfile_cpu_clock(struct tlfile *t, uint64_t (*clock_ns)(void))
{
	if (t->tl != NULL)
		t->tl->cpu_clock = clock_ns;
}

int tlfile_share(const struct tlfile *t, struct tlfile *copy, uint64_t (*cpu_ns)(void))
{
	*copy = *t;
	copy->tl = NULL;
	if (t->f == NULL)
		return 0;
	copy->tl = calloc(1, sizeof(*copy->tl));
	if (copy->tl == NULL)
		return -1;
	tlfile_cpu_clock(copy, cpu_ns);
	return 0;
}

void tlfile_unshare(struct tlfile *copy, struct tlfile *t)
{
	if (copy->failed)
		t->failed = 1;
	copy->failed = 0;
	copy->f = NULL;
	free(copy->tl);
	copy->tl = NULL;
}

int tlfile_close(struct tlfile *t)
{
	int r;

	if (t->f == NULL)
		return 0;
	r = fclose(t->f) != 0 || t->failed ? -1 : 0;
	t->f = NULL;
	free(t->tl);
	t->tl = NULL;
	return r;
}
