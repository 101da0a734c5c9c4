/* sec_listen.c - see sec_io.h: a DTLS server's listening socket, whose datagrams are
 * peeked, sorted (ClientHello, a moved client's record, garbage) and taken by one thread at
 * a time. */
#include <stdio.h>

#include "port.h"
#include "sec_io.h"

#define STRAY_LOG_MAX 10 /* stray datagrams named one by one, then only counted */

void sec_listen_init(struct sec_listen *l, const char *prog, const int *lh)
{
	l->prog = prog;
	l->lh = lh;
	l->len = 0;
	l->stray = 0;
	l->cids = NULL;
}

void sec_listen_consume(struct sec_listen *l)
{
	port_recv(*l->lh, l->pk, sizeof(l->pk), 0, NULL);
}

void sec_listen_drop(struct sec_listen *l, const struct port_addr *from, int n)
{
	char name[80];

	sec_listen_consume(l);
	if (++l->stray > STRAY_LOG_MAX)
		return;
	port_addr_str(from, name, sizeof(name));
	fprintf(stderr,
	        "%s: %s: %d-byte datagram is not a ClientHello (stale or garbage): dropped%s\n",
	        l->prog, name, n, l->stray == STRAY_LOG_MAX ? " (further ones only counted)" : "");
}

int sec_listen_next(struct sec_listen *l, int timeout_ms, struct port_addr *from)
{
	struct sec_yield *y = sec_io_yielding();
	const uint8_t *cookie;
	size_t clen;
	int n = port_peek_from(*l->lh, l->pk, sizeof(l->pk), timeout_ms, from);

	if (n < 0)
		return n;
	l->len = (size_t)n < sizeof(l->pk) ? (size_t)n : sizeof(l->pk);
	if (!dtls_wire_client_hello(l->pk, l->len, &cookie, &clen)) {
		if (l->cids == NULL || !sec_cids_route(l->cids, *l->lh, l->pk, l->len, n))
			sec_listen_drop(l, from, n);
		return 0;
	}
	if (y != NULL && clen > 0 && y->shunned(y->arg, from)) {
		sec_listen_consume(l); /* counted by the lobby */
		return 0;
	}
	if (y != NULL)
		y->peer = *from;
	return 1;
}

int sec_listen_newcomer(void *arg)
{
	struct port_addr from;

	return sec_listen_next(arg, 0, &from) == 1;
}
