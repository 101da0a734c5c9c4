/* sec_cid.c - see sec_cid.h; also sec_io.h's CID calls (sec_io_cid_serve, sec_io_move...). */
#include "sec_cid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "sec_io.h"

#define CID_OFFSET  11 /* DTLS 1.2 record: type, version, epoch, sequence number, CID */
#define CID_LOG_MAX 10 /* dropped records named one by one, then only counted */

int sec_cids_init(struct sec_cids *t, const char *prog)
{
	memset(t, 0, sizeof(*t));
	t->prog = prog;
	t->lock = port_mutex_new();
	return t->lock != NULL ? 0 : ACK_ERR_NOMEM;
}

void sec_cids_free(struct sec_cids *t)
{
	if (t->lock != NULL)
		port_mutex_free(t->lock);
	t->lock = NULL;
}

/* The box owning hdr's CID (the lock held), or NULL. */
static struct sec_cid_box *owner(const struct sec_cids *t, const uint8_t *hdr, size_t hlen)
{
	struct sec_cid_box *b;

	for (b = t->head; b != NULL; b = b->next)
		if (b->cid_len != 0 && hlen >= CID_OFFSET + b->cid_len + 2u &&
		    memcmp(hdr + CID_OFFSET, b->cid, b->cid_len) == 0)
			return b;
	return NULL;
}

static void say_dropped(struct sec_cids *t, uint32_t count, const struct port_addr *from, int n,
                        const char *why)
{
	char name[80];

	if (count > CID_LOG_MAX)
		return;
	port_addr_str(from, name, sizeof(name));
	fprintf(stderr, "%s: %s: %d-byte record with %s: dropped%s\n", t->prog, name, n, why,
	        count == CID_LOG_MAX ? " (further ones only counted)" : "");
}

int sec_cids_route(struct sec_cids *t, int lh, const uint8_t *hdr, size_t hlen, int n)
{
	struct sec_cid_rec rec = { NULL, 0, { { 0 }, 0 } };
	struct sec_cid_box *b;
	uint32_t unknown = 0, full = 0;
	uint8_t sink[1];
	int got;

	if (n <= 0 || hlen == 0 || hdr[0] != SEC_CID_CT)
		return 0;
	rec.buf = malloc((size_t)n);
	if (rec.buf == NULL) { /* read off and dropped */
		port_recv(lh, sink, sizeof(sink), 0, NULL);
		return 1;
	}
	got = port_recv(lh, rec.buf, (size_t)n, 0, &rec.from);
	if (got <= 0) {
		free(rec.buf);
		return 1;
	}
	rec.len = (size_t)got;
	port_mutex_lock(t->lock);
	b = owner(t, rec.buf, rec.len);
	if (b == NULL) {
		unknown = ++t->unknown;
	} else if (b->n == SEC_CID_QUEUE) {
		full = ++t->full;
	} else {
		b->q[b->n] = rec;
		rec.buf = NULL;
		b->n++;
		t->routed++;
	}
	port_mutex_unlock(t->lock);
	free(rec.buf);
	if (unknown != 0)
		say_dropped(t, unknown, &rec.from, got, "an unknown connection ID");
	else if (full != 0)
		say_dropped(t, full, &rec.from, got,
		            "a connection ID whose connection has a backlog");
	return 1;
}

int sec_cid_register(struct sec_cids *t, struct sec_cid_box **box, const uint8_t *cid, size_t len,
                     const struct port_addr *peer)
{
	struct sec_cid_box *b = *box;

	if (len > SEC_CID_MAX)
		return ACK_ERR_ARG;
	if (b == NULL) {
		b = calloc(1, sizeof(*b));
		if (b == NULL)
			return ACK_ERR_NOMEM;
		*box = b;
	}
	port_mutex_lock(t->lock);
	memcpy(b->cid, cid, len);
	b->cid_len = (uint8_t)len;
	b->peer = *peer;
	b->moved = 0;
	if (b->tab == NULL) {
		b->tab = t;
		b->next = t->head;
		t->head = b;
	}
	port_mutex_unlock(t->lock);
	return 0;
}

void sec_cid_unregister(struct sec_cid_box *box)
{
	struct sec_cid_box **p;
	unsigned i;

	if (box == NULL)
		return;
	if (box->tab != NULL) {
		port_mutex_lock(box->tab->lock);
		for (p = &box->tab->head; *p != NULL; p = &(*p)->next)
			if (*p == box) {
				*p = box->next;
				break;
			}
		port_mutex_unlock(box->tab->lock);
	}
	for (i = 0; i < box->n; i++)
		free(box->q[i].buf);
	free(box);
}

int sec_cid_take(struct sec_cid_box *box, uint8_t *buf, size_t len)
{
	struct sec_cid_rec rec;
	unsigned i;

	if (box == NULL || box->tab == NULL || box->n == 0)
		return 0;
	port_mutex_lock(box->tab->lock);
	rec = box->q[0];
	for (i = 1; i < box->n; i++)
		box->q[i - 1] = box->q[i];
	box->n--;
	port_mutex_unlock(box->tab->lock);
	if (rec.len > len)
		rec.len = len;
	memcpy(buf, rec.buf, rec.len);
	free(rec.buf);
	box->moved = 1;
	box->moved_to = rec.from;
	return (int)rec.len;
}

int sec_cid_pending(const struct sec_cid_box *box)
{
	return box != NULL && box->n != 0;
}

/* sec_io.h's side of it: a connection's box, and following its client. */

int sec_io_cid_serve(struct sec_io *io, struct sec_cids *t, const struct port_addr *peer)
{
	if (io->cid_len == 0) {
		sec_cid_unregister(io->cidbox); /* a new handshake without one */
		io->cidbox = NULL;
		return 0;
	}
	return sec_cid_register(t, &io->cidbox, io->cid, io->cid_len, peer);
}

const struct port_addr *sec_io_moved(const struct sec_io *io)
{
	const struct sec_cid_box *b = io->cidbox;

	return b != NULL && b->moved ? &b->moved_to : NULL;
}

int sec_io_move(struct sec_io *io)
{
	struct sec_cid_box *b = io->cidbox;
	int r;

	if (b == NULL || !b->moved)
		return 1;
	b->moved = 0;
	if (port_addr_equal(&b->peer, &b->moved_to))
		return 1; /* routed before the move, read after it */
	r = port_udp_repeer(io->h, &b->moved_to);
	if (r == 0)
		b->peer = b->moved_to;
	return r;
}

int sec_io_follow(struct sec_io *io, const char *prog, char *peer, size_t peer_len,
                  _Atomic uint32_t *moves, struct port_addr *to)
{
	char name[64], eb[160];
	int r;

	*to = *sec_io_moved(io);
	r = sec_io_move(io);
	if (r == 1)
		return 1; /* read after the move that it followed */
	port_addr_str(to, name, sizeof(name));
	if (r != 0) {
		fprintf(stderr, "%s: %s: cannot follow the client to %s: %s\n", prog, peer, name,
		        err_str(r, eb, sizeof(eb)));
		return r;
	}
	(*moves)++;
	fprintf(stderr, "%s: %s: client moved to %s (connection ID): session kept, no handshake\n",
	        prog, peer, name);
	snprintf(peer, peer_len, "%s", name);
	return 0;
}
