/* port_net.c - POSIX sockets for ports/port.h (IPv4 and IPv6, TCP and UDP); their
 * addresses: port_addr.c. */
#define _GNU_SOURCE
#include "port.h"
#include "posix_dgq.h"
#include "posix_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LISTEN_BACKLOG 1024

static const struct sockaddr *sa_of(const struct port_addr *a)
{
	return (const struct sockaddr *)(const void *)a->raw;
}

static int sys_err(void)
{
	return ACK_ERR_SYS(errno);
}

static void set_nodelay(int fd)
{
	int one = 1;

	/* Without it, write-write-read patterns wait for Nagle + delayed ACK (~40 ms). */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int wait_writable(int h, int timeout_ms)
{
	struct pollfd p = { .fd = h, .events = POLLOUT };
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR && posix_eintr_retry());
	if (r < 0)
		return sys_err();
	return r == 0 ? ACK_ERR_TIMEOUT : 0;
}

#ifdef __linux__
/* Linux bounds a blocking connect by SO_SNDTIMEO (EINPROGRESS when it runs out): three
 * syscalls where a non-blocking connect + poll + SO_ERROR + two fcntl take five. */
static int connect_bounded(int fd, const struct port_addr *a, int timeout_ms)
{
	struct timeval tv = posix_ms_tv(timeout_ms), none = { 0, 0 };
	int r = 0, err = 0;
	socklen_t elen = sizeof(err);

	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0)
		return sys_err();
	if (connect(fd, sa_of(a), a->len) != 0) {
		if (errno == EINPROGRESS)
			return ACK_ERR_TIMEOUT;
		if (errno != EINTR)
			return sys_err();
		/* Interrupted: the connection goes on; wait for its outcome. */
		r = wait_writable(fd, timeout_ms);
		if (r != 0)
			return r;
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
		if (err != 0)
			return ACK_ERR_SYS(err);
	}
	/* Sends stay unbounded, as on any other socket of ours. */
	return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof(none)) != 0 ? sys_err() : 0;
}
#else
static int connect_bounded(int fd, const struct port_addr *a, int timeout_ms)
{
	int r, err = 0, fl = fcntl(fd, F_GETFL);
	socklen_t elen = sizeof(err);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
		return sys_err();
	if (connect(fd, sa_of(a), a->len) != 0) {
		if (errno != EINPROGRESS)
			return sys_err();
		r = wait_writable(fd, timeout_ms);
		if (r != 0)
			return r;
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
		if (err != 0)
			return ACK_ERR_SYS(err);
	}
	/* Blocking from here on: reads carry their own timeout. */
	return fcntl(fd, F_SETFL, fl) != 0 ? sys_err() : 0;
}
#endif

int port_tcp_connect(const struct port_addr *a, int timeout_ms)
{
	int fd = socket(sa_of(a)->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int r;

	if (fd < 0)
		return sys_err();
	r = connect_bounded(fd, a, timeout_ms);
	if (r != 0) {
		close(fd);
		return r;
	}
	set_nodelay(fd);
	posix_handle_new(fd, POSIX_H_STREAM);
	return fd;
}

int port_udp_connect(const struct port_addr *a)
{
	int fd = socket(sa_of(a)->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return sys_err();
	if (connect(fd, sa_of(a), a->len) != 0) {
		int r = sys_err();

		close(fd);
		return r;
	}
	posix_handle_new(fd, POSIX_H_DGRAM);
	return fd;
}

static int bound_port_of(int fd, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return sys_err();
	if (ss.ss_family == AF_INET6)
		*port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

int posix_open_bound(const struct port_addr *a, int datagram, int reuse_port)
{
	int fd = socket(sa_of(a)->sa_family, (datagram ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC,
	                0);
	int one = 1;

	if (fd < 0)
		return sys_err();
	/* TCP: a restarted server may rebind while old connections sit in TIME_WAIT (safe: it
	 * never lets two listeners share a port). UDP gets no reuse option at all: with
	 * SO_REUSEADDR or SO_REUSEPORT a second server, or any process of the same user, could
	 * bind the port too and take part of the clients' datagrams. A port in use is refused
	 * (EADDRINUSE). port_udp_adopt shares the port only for an instant (port_dgq.c). */
	if (!datagram)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	else if (reuse_port)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(fd, sa_of(a), a->len) != 0) {
		int r = sys_err();

		close(fd);
		return r;
	}
	posix_handle_new(fd, datagram ? POSIX_H_DGRAM : POSIX_H_STREAM);
	return fd;
}

int port_listen(const struct port_addr *a, int datagram, uint16_t *bound_port)
{
	int fd = posix_open_bound(a, datagram, 0);
	int r;

	if (fd < 0)
		return fd;
	/* A long queue: connections wait in it while the one worker (--max-conns 1) serves;
	 * the kernel caps it at net.core.somaxconn. Idle peers no longer fill it: the
	 * waiting room (src/waitroom.c) takes them out as soon as it is polled. */
	if (!datagram && listen(fd, LISTEN_BACKLOG) != 0) {
		r = sys_err();
		goto fail;
	}
	r = bound_port_of(fd, bound_port);
	if (r != 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return r;
}

int port_accept(int lh, int timeout_ms, struct port_addr *peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int r, fd = -1;

#ifdef __linux__
	/* Linux bounds a blocking accept by SO_RCVTIMEO: one syscall instead of poll + accept. */
	if (timeout_ms != 0 && posix_rcvtimeo_set(lh, timeout_ms) == 0) {
		uint64_t t0 = port_mono_ns();

		do
			fd = accept4(lh, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
		while (fd < 0 && errno == EINTR && posix_eintr_retry());
		if (fd < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return sys_err();
		if (fd < 0 && posix_timed_out(t0, timeout_ms))
			return ACK_ERR_TIMEOUT;
	}
#endif
	if (fd < 0) {
		r = port_wait_readable(lh, timeout_ms);
		if (r != 0)
			return r;
		len = sizeof(ss);
		fd = accept4(lh, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
		if (fd < 0)
			return sys_err();
	}
	posix_handle_new(fd, POSIX_H_STREAM);
	set_nodelay(fd);
	if (peer != NULL) {
		memset(peer, 0, sizeof(*peer));
		memcpy(peer->raw, &ss, len);
		peer->len = len;
	}
	return fd;
}

int port_send(int h, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = send(h, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR && posix_eintr_retry());
	return n < 0 ? sys_err() : (int)n;
}

int port_sendto(int h, const void *buf, size_t len, const struct port_addr *to)
{
	ssize_t n;

	do
		n = sendto(h, buf, len, MSG_NOSIGNAL, sa_of(to), to->len);
	while (n < 0 && errno == EINTR && posix_eintr_retry());
	return n < 0 ? sys_err() : (int)n;
}

int port_recv(int h, void *buf, size_t len, int timeout_ms, struct port_addr *from)
{
	struct sockaddr_storage ss;
	socklen_t slen = sizeof(ss);
	ssize_t n = -1;

	if (posix_dgq_pending(h))
		n = posix_dgq_take(h, buf, len, 0, (struct sockaddr *)&ss, &slen);
	if (n < 0)
		n = posix_recv_wait(h, buf, len, timeout_ms, (struct sockaddr *)&ss, &slen);
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? ACK_ERR_TIMEOUT : sys_err();
	/* A zero-length datagram is data; a zero read on a stream is the peer's FIN. */
	if (n == 0 && len > 0 && posix_handle_is_stream(h))
		return ACK_ERR_EOF;
	if (from != NULL) {
		memset(from, 0, sizeof(*from));
		memcpy(from->raw, &ss, slen);
		from->len = slen;
	}
	return (int)n;
}

int port_peek_from(int h, void *buf, size_t len, int timeout_ms, struct port_addr *from)
{
	struct sockaddr_storage ss;
	socklen_t slen = sizeof(ss);
	ssize_t n = -1;
	int r = port_wait_readable(h, timeout_ms), stream = posix_handle_is_stream(h);

	if (r != 0)
		return r;
	if (!stream && posix_dgq_pending(h))
		n = posix_dgq_take(h, buf, len, 1, (struct sockaddr *)&ss, &slen);
	/* MSG_TRUNC: the return value is the datagram's real length (Linux, FreeBSD); on a
	 * stream it would discard the bytes instead. */
	if (n < 0 && stream) {
		do
			n = recv(h, buf, len, MSG_PEEK | MSG_DONTWAIT);
		while (n < 0 && errno == EINTR && posix_eintr_retry());
		if (n == 0)
			return ACK_ERR_EOF;
		slen = 0;
	} else if (n < 0) {
		do
			n = recvfrom(h, buf, len, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT,
			             (struct sockaddr *)&ss, &slen);
		while (n < 0 && errno == EINTR && posix_eintr_retry());
	}
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? ACK_ERR_TIMEOUT : sys_err();
	if (stream)
		return (int)n;
	if (from != NULL) {
		memset(from, 0, sizeof(*from));
		memcpy(from->raw, &ss, slen);
		from->len = slen;
	}
	return (int)n;
}

int port_rx_lowat(int h, uint32_t n)
{
	int v = (int)n;

	if (n < 1 || n > 65536)
		return ACK_ERR_ARG;
	return setsockopt(h, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof(v)) != 0 ? sys_err() : 0;
}

int port_tcp_retrans(int h, uint32_t *n)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	*n = 0;
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(h, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
		return sys_err();
	if (len < offsetof(struct tcp_info, tcpi_total_retrans) + sizeof(ti.tcpi_total_retrans))
		return ACK_ERR_ARG;
	*n = ti.tcpi_total_retrans;
	return 0;
}

int port_shutdown_write(int h)
{
	return shutdown(h, SHUT_WR) != 0 ? sys_err() : 0;
}

void port_close(int h)
{
	posix_handle_new(h, POSIX_H_UNKNOWN);
	posix_dgq_forget(h);
	if (h >= 0)
		close(h);
}
