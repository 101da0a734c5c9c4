/*
 * port_adopt.c - port_udp_adopt (port.h): a DTLS server's listening socket becomes one
 * client's, a new one listens. Over port_net.c (the bind) and port_dgq.c (what the old
 * socket had queued), which know nothing of this file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "port.h"
#include "posix_dgq.h"
#include "posix_net.h"

static void reuse_port_set(int fd, int on)
{
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
}

/* The new socket must bind the port the old one holds. Linux allows that only while the
 * sockets on the port have SO_REUSEPORT (and the same user), so both get it for the bind and
 * lose it right after: from then on any other bind of the port fails again (EADDRINUSE),
 * while our sockets keep it. The connected socket gets its peer's datagrams (the kernel
 * prefers an exact 4-tuple match), the listener everyone else's. What the old socket had
 * queued before the connect() is drained without waiting (posix_dgq_adopt, port_dgq.c):
 * the peer's goes to the session, the other clients' to the listener, so none is lost.
 * Which socket stays the listener depends on the family, because Linux's bind check
 * (udp_lib_lport_inuse) decides on the first socket of the port's chain alone, and the
 * chain is kept newest first on IPv4 but oldest first on IPv6 (a SO_REUSEPORT socket is
 * put at its tail): on IPv4 the new socket listens and the old one carries the session (as
 * mbedtls_net_accept does), on IPv6 the first listener stays and the new socket carries
 * the session. Either way the socket the check looks at is the listener, without
 * SO_REUSEPORT between two adopts, and several sessions can be open at once. */
int port_udp_adopt(int *lh, const struct port_addr *peer)
{
	const struct sockaddr *pa = (const struct sockaddr *)(const void *)peer->raw;
	struct sockaddr_storage local;
	socklen_t llen = sizeof(local);
	struct port_addr la;
	int nl, r = 0, v6;

	if (getsockname(*lh, (struct sockaddr *)&local, &llen) != 0)
		return ACK_ERR_SYS(errno);
	v6 = local.ss_family == AF_INET6;
	memset(&la, 0, sizeof(la));
	memcpy(la.raw, &local, llen);
	la.len = llen;
	reuse_port_set(*lh, 1);
	nl = posix_open_bound(&la, 1, 1);
	if (nl >= 0 && connect(v6 ? nl : *lh, pa, peer->len) != 0)
		r = ACK_ERR_SYS(errno);
	reuse_port_set(*lh, 0);
	if (nl < 0)
		return nl;
	reuse_port_set(nl, 0);
	if (r != 0) {
		port_close(nl);
		return r;
	}
	if (v6) {
		posix_dgq_adopt(*lh, nl, *lh, pa, (socklen_t)peer->len);
		return nl;
	}
	posix_dgq_adopt(*lh, *lh, nl, pa, (socklen_t)peer->len);
	r = *lh;
	*lh = nl;
	return r;
}

int port_udp_repeer(int h, const struct port_addr *peer)
{
	if (connect(h, (const struct sockaddr *)(const void *)peer->raw, peer->len) != 0)
		return ACK_ERR_SYS(errno);
	return 0;
}
