/*
 * port_adopt.c - port_udp_adopt (port.h): a DTLS server's listening socket becomes one
 * client's, a new one listens. Over port_net.c (the bind) and port_dgq.c (what the old
 * socket had queued), which know nothing of this file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "port.h"
#include "posix_dgq.h"
#include "posix_net.h"

static void reuse_port_set(int fd, int on)
{
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
}

/* The new listener must bind the port the old one holds. Linux allows that only while every
 * socket on the port has SO_REUSEPORT (and the same user), so both get it for the bind and
 * lose it right after: from then on any other bind of the port fails again (EADDRINUSE),
 * while the two sockets keep it. The connected socket gets its peer's datagrams (the kernel
 * prefers an exact 4-tuple match), the new listener everyone else's. What the old socket
 * had queued before its connect() is drained without waiting (posix_dgq_adopt, port_dgq.c): the
 * peer's stays with it, the other clients' go to the new listener, so none of them is lost. */
int port_udp_adopt(int *lh, const struct port_addr *peer)
{
	struct sockaddr_storage local;
	socklen_t llen = sizeof(local);
	struct port_addr la;
	int nl, r = 0;

	if (getsockname(*lh, (struct sockaddr *)&local, &llen) != 0)
		return ACK_ERR_SYS(errno);
	memset(&la, 0, sizeof(la));
	memcpy(la.raw, &local, llen);
	la.len = llen;
	reuse_port_set(*lh, 1);
	nl = posix_open_bound(&la, 1, 1);
	if (nl >= 0 &&
	    connect(*lh, (const struct sockaddr *)(const void *)peer->raw, peer->len) != 0)
		r = ACK_ERR_SYS(errno);
	reuse_port_set(*lh, 0);
	if (nl < 0)
		return nl;
	reuse_port_set(nl, 0);
	if (r != 0) {
		port_close(nl);
		return r;
	}
	posix_dgq_adopt(*lh, nl, (const struct sockaddr *)(const void *)peer->raw,
	                (socklen_t)peer->len);
	r = *lh;
	*lh = nl;
	return r;
}
