/* link.c - see link.h. */
#include "link.h"

#include <string.h>

#include "stk.h" /* the codes of the stack's I/O callbacks: LINK_WANT_READ... */

void link_reset(struct link_pipe *p, uint8_t *buf, int datagram)
{
	memset(p, 0, sizeof(*p));
	p->buf = buf;
	p->datagram = datagram;
}

int link_send(void *pipe, const unsigned char *buf, size_t len)
{
	struct link_pipe *p = pipe;

	if (len == 0)
		return 0;
	if (p->datagram) {
		/* A datagram is written whole or not at all. */
		if (len > LINK_CAP || len > UINT16_MAX)
			return LINK_BAD_INPUT;
		if (p->ndg == LINK_MAXDG)
			return LINK_WANT_WRITE;
	}
	if (LINK_CAP - p->len < len && p->head > 0) {
		memmove(p->buf, p->buf + p->head, p->len - p->head);
		p->len -= p->head;
		p->head = 0;
	}
	if (LINK_CAP - p->len < len) {
		if (p->datagram || p->len == LINK_CAP)
			return LINK_WANT_WRITE;
		len = LINK_CAP - p->len;
	}
	if (p->datagram)
		p->dg_len[p->ndg++] = (uint16_t)len;
	memcpy(p->buf + p->len, buf, len);
	p->len += len;
	p->bytes += len;
	p->writes++;
	return (int)len;
}

const uint8_t *link_tail(const struct link_pipe *p, size_t n)
{
	return n <= p->len - p->head ? p->buf + p->len - n : NULL;
}

int link_recv(void *pipe, unsigned char *buf, size_t len)
{
	struct link_pipe *p = pipe;
	size_t take, used;

	if (p->len == p->head)
		return LINK_WANT_READ;
	if (p->datagram) {
		used = p->dg_len[0];
		take = used < len ? used : len; /* the rest of a long datagram is lost, as in UDP */
		memmove(p->dg_len, p->dg_len + 1, (p->ndg - 1) * sizeof(p->dg_len[0]));
		p->ndg--;
	} else {
		used = p->len - p->head;
		take = used = used < len ? used : len;
	}
	memcpy(buf, p->buf + p->head, take);
	p->head += used;
	if (p->head == p->len)
		p->head = p->len = 0;
	return (int)take;
}
