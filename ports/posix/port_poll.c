/*
 * port_poll.c - the poll waits of ports/port.h: port_wait_readable and port_wait_any. A
 * handle with datagrams kept for it (port_dgq.c) is readable at once. Below port_net.c and
 * port_wait.c, which call these; it calls neither.
 */
#include <errno.h>
#include <poll.h>

#include "port.h"
#include "posix_dgq.h"
#include "posix_net.h"

static int sys_err(void)
{
	return ACK_ERR_SYS(errno);
}

int port_wait_readable(int h, int timeout_ms)
{
	struct pollfd p = { .fd = h, .events = POLLIN };
	int r;

	if (posix_dgq_pending(h))
		return 0;
	do
		r = poll(&p, 1, timeout_ms < 0 ? -1 : timeout_ms);
	while (r < 0 && errno == EINTR && posix_eintr_retry());
	if (r < 0)
		return sys_err();
	return r == 0 ? ACK_ERR_TIMEOUT : 0;
}

int port_wait_any(const int *h, unsigned n, int timeout_ms)
{
	struct pollfd p[PORT_WAIT_MAX];
	unsigned i;
	int r, kept = 0;

	if (n == 0 || n > sizeof(p) / sizeof(p[0]))
		return ACK_ERR_ARG;
	for (i = 0; i < n; i++) {
		p[i].fd = h[i];
		p[i].events = POLLIN;
		p[i].revents = posix_dgq_pending(h[i]) ? POLLIN : 0;
		kept |= p[i].revents != 0;
	}
	/* Datagrams kept (port_dgq.c) are readable now: only look at the others. */
	do
		r = poll(p, n, kept ? 0 : timeout_ms < 0 ? -1 : timeout_ms);
	while (r < 0 && errno == EINTR && posix_eintr_retry());
	if (r < 0)
		return sys_err();
	for (i = 0; i < n; i++)
		if (p[i].revents != 0 || posix_dgq_pending(h[i]))
			return (int)i;
	return ACK_ERR_TIMEOUT;
}
