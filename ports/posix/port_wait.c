/*
 * port_wait.c - waiting for data in one syscall instead of two (see posix_net.h).
 *
 * poll + recv costs two syscalls per wait, and in a ping-pong loop every read waits:
 * that was a fifth of a loopback round trip. A blocking recv (and, on Linux, accept)
 * carries its timeout itself as SO_RCVTIMEO, set again only when the timeout changes (in a
 * loop it hardly does). For that this file keeps, per handle port_net.c created (below
 * HANDLE_SLOTS), its kind and the receive timeout last set on it; port_net.c records every
 * handle it creates and forgets it on port_close, which keeps the table true. The kind
 * also tells a stream's EOF from an empty datagram without a getsockopt per zero read.
 * A handle not recorded, or a socket found non-blocking, takes the poll path.
 */
#define _GNU_SOURCE
#include <errno.h>

#include "port.h"
#include "posix_net.h"

#define HANDLE_SLOTS 1024

static struct {
	signed char kind;
	int rcvtimeo; /* timeout_ms + 2 last set (1: none, wait forever); 0: not known */
} g_handle[HANDLE_SLOTS];

void posix_handle_new(int h, int kind)
{
	if (h >= 0 && h < HANDLE_SLOTS) {
		g_handle[h].kind = (signed char)kind;
		g_handle[h].rcvtimeo = 0; /* accepted sockets inherit the listener's */
	}
}

int posix_handle_is_stream(int h)
{
	int type = 0;
	socklen_t tl = sizeof(type);

	if (h >= 0 && h < HANDLE_SLOTS && g_handle[h].kind != POSIX_H_UNKNOWN)
		return g_handle[h].kind == POSIX_H_STREAM;
	getsockopt(h, SOL_SOCKET, SO_TYPE, &type, &tl);
	return type == SOCK_STREAM;
}

struct timeval posix_ms_tv(int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	return tv;
}

int posix_rcvtimeo_set(int h, int ms)
{
	struct timeval tv = posix_ms_tv(ms < 0 ? 0 : ms); /* 0: no timeout */

	if (h < 0 || h >= HANDLE_SLOTS || g_handle[h].kind == POSIX_H_UNKNOWN)
		return -1;
	if (ms < 0)
		ms = -1;
	if (g_handle[h].rcvtimeo == ms + 2)
		return 0;
	if (setsockopt(h, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) {
		g_handle[h].rcvtimeo = 0;
		return -1;
	}
	g_handle[h].rcvtimeo = ms + 2;
	return 0;
}

int posix_timed_out(uint64_t t0, int ms)
{
	return ms >= 0 && port_mono_ns() - t0 >= (uint64_t)ms * 1000000u;
}

ssize_t posix_recv_wait(int h, void *buf, size_t len, int timeout_ms, struct sockaddr *sa,
                        socklen_t *slen)
{
	ssize_t n;
	int r;

	if (timeout_ms != 0 && posix_rcvtimeo_set(h, timeout_ms) == 0) {
		uint64_t t0 = port_mono_ns(), spent_ms;

		do
			n = recvfrom(h, buf, len, 0, sa, slen);
		while (n < 0 && errno == EINTR);
		if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK) ||
		    posix_timed_out(t0, timeout_ms))
			return n;
		/* Back at once: a non-blocking socket. Poll for what is left of the timeout. */
		spent_ms = (port_mono_ns() - t0) / 1000000u;
		if (timeout_ms > 0)
			timeout_ms -= (int)spent_ms < timeout_ms ? (int)spent_ms : timeout_ms - 1;
	}
	if (timeout_ms != 0) {
		r = port_wait_readable(h, timeout_ms);
		if (r != 0) {
			errno = r == ACK_ERR_TIMEOUT ? EAGAIN : ACK_ERR_SYS_NUM(r);
			return -1;
		}
	}
	do
		n = recvfrom(h, buf, len, MSG_DONTWAIT, sa, slen);
	while (n < 0 && errno == EINTR);
	return n;
}
