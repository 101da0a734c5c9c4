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
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "port.h"
#include "posix_net.h"

#define HANDLE_SLOTS 1024

/* A slot is the handle's owner's, but a handle number is used again as soon as it is
 * closed: port_close clears the slot before close(), and the next socket() or accept()
 * that gets the number, in any thread, records it after. The kernel orders the two, not
 * the C memory model, so every field is a relaxed atomic (a plain load or store on the
 * CPUs here): no data race, and no cost in the timed path. */
static struct {
	_Atomic signed char kind;
	_Atomic signed char stamps; /* SO_TIMESTAMPNS on: reads go through recvmsg */
	_Atomic int rcvtimeo;       /* timeout_ms + 2 last set (1: none, forever); 0: not known */
	_Atomic uint64_t rx_ns;     /* arrival of the last read's bytes (port_mono_ns), 0 unknown */
} g_handle[HANDLE_SLOTS];

#define LOAD(x)     atomic_load_explicit(&(x), memory_order_relaxed)
#define STORE(x, v) atomic_store_explicit(&(x), (v), memory_order_relaxed)

void posix_handle_new(int h, int kind)
{
	if (h >= 0 && h < HANDLE_SLOTS) {
		STORE(g_handle[h].kind, (signed char)kind);
		STORE(g_handle[h].rcvtimeo, 0); /* accepted sockets inherit the listener's */
		STORE(g_handle[h].stamps, 0);
		STORE(g_handle[h].rx_ns, 0);
	}
}

/* Linux stamps packets only while some socket asks for it, and turns that on lazily (a
 * deferred static key): packets of a connection whose socket asked just now, after the
 * last stamping socket closed, may go unstamped. One socket that keeps asking, opened at
 * the first call, keeps it on for the whole process. */
static int keeper_fd = -1;

static void keep_stamping(void)
{
	int on = 1;

	if (keeper_fd >= 0)
		return;
	keeper_fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (keeper_fd >= 0)
		setsockopt(keeper_fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
}

int port_rx_stamps(int h, int on)
{
	if (on)
		keep_stamping();
	if (h < 0 || h >= HANDLE_SLOTS || LOAD(g_handle[h].kind) == POSIX_H_UNKNOWN)
		return 0; /* not ours (h < 0: only getting ready): no stamps */
	if (setsockopt(h, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) != 0)
		return ACK_ERR_SYS(errno);
	STORE(g_handle[h].stamps, on != 0);
	STORE(g_handle[h].rx_ns, 0);
	return 0;
}

uint64_t port_rx_stamp(int h)
{
	return h >= 0 && h < HANDLE_SLOTS ? LOAD(g_handle[h].rx_ns) : 0;
}

int posix_stamping(void)
{
	return keeper_fd >= 0;
}

void posix_stamp_socket(int h)
{
	int on = 1;

	setsockopt(h, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
}

void posix_rx_stamp_set(int h, uint64_t ns)
{
	if (h >= 0 && h < HANDLE_SLOTS)
		STORE(g_handle[h].rx_ns, ns);
}

/* The kernel's realtime stamp of the bytes just read (SCM_TIMESTAMPNS; on TCP the last
 * segment read), as port_mono_ns() time; 0 when m carries none. */
uint64_t posix_stamp_of(struct msghdr *m)
{
	struct cmsghdr *c;
	struct timespec ts, now_rt;
	uint64_t rt, now_mono, age, ns = 0;

	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS)
			continue;
		memcpy(&ts, CMSG_DATA(c), sizeof(ts));
		now_mono = port_mono_ns();
		clock_gettime(CLOCK_REALTIME, &now_rt);
		rt = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		age = (uint64_t)now_rt.tv_sec * 1000000000u + (uint64_t)now_rt.tv_nsec;
		age = age > rt ? age - rt : 0;
		ns = now_mono > age ? now_mono - age : 0;
	}
	return ns;
}

/* recvfrom, through recvmsg when h's reads are stamped. */
static ssize_t rx(int h, void *buf, size_t len, int flags, struct sockaddr *sa, socklen_t *slen)
{
	union {
		char b[CMSG_SPACE(sizeof(struct timespec)) * 2];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { buf, len };
	struct msghdr m;
	ssize_t n;

	if (h < 0 || h >= HANDLE_SLOTS || !LOAD(g_handle[h].stamps))
		return recvfrom(h, buf, len, flags, sa, slen);
	memset(&m, 0, sizeof(m));
	m.msg_name = sa;
	m.msg_namelen = slen ? *slen : 0;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl.b;
	m.msg_controllen = sizeof(ctl.b);
	n = recvmsg(h, &m, flags);
	if (n >= 0) {
		if (slen)
			*slen = m.msg_namelen;
		STORE(g_handle[h].rx_ns, posix_stamp_of(&m));
	}
	return n;
}

int posix_handle_is_stream(int h)
{
	int type = 0;
	socklen_t tl = sizeof(type);

	if (h >= 0 && h < HANDLE_SLOTS && LOAD(g_handle[h].kind) != POSIX_H_UNKNOWN)
		return LOAD(g_handle[h].kind) == POSIX_H_STREAM;
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

	if (h < 0 || h >= HANDLE_SLOTS || LOAD(g_handle[h].kind) == POSIX_H_UNKNOWN)
		return -1;
	if (ms < 0)
		ms = -1;
	if (LOAD(g_handle[h].rcvtimeo) == ms + 2)
		return 0;
	if (setsockopt(h, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) {
		STORE(g_handle[h].rcvtimeo, 0);
		return -1;
	}
	STORE(g_handle[h].rcvtimeo, ms + 2);
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
			n = rx(h, buf, len, 0, sa, slen);
		while (n < 0 && errno == EINTR && posix_eintr_retry());
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
		n = rx(h, buf, len, MSG_DONTWAIT, sa, slen);
	while (n < 0 && errno == EINTR && posix_eintr_retry());
	return n;
}
