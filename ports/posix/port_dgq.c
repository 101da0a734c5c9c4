/*
 * port_dgq.c - the datagrams port_udp_adopt (port_adopt.c) reads ahead from the old socket.
 *
 * port_udp_adopt connects the listening socket to one client and binds a new listener.
 * What the old socket had queued from OTHER clients before its connect() would stay in it
 * and be read (and dropped) by that client's session: those clients waited for their
 * retransmission timer. So right after the connect posix_dgq_adopt drains the old socket without
 * waiting (one recvmmsg for up to DGQ_BATCH datagrams, the common case): the connected
 * peer's datagrams are kept for the session's handle (it reads them first), every other
 * sender's for the listener's (its receives, peeks and waits return them first, with
 * their sender, before the kernel's). Entries the old handle itself had kept from an earlier
 * adopt are sorted the same way, in order. (On IPv6 the listener stays and a new socket
 * is the session's: port_adopt.c; the same split.)
 *
 * Bounded memory: DGQ_SLOTS slots of DGQ_MAX bytes, shared by all handles. A datagram that
 * finds no free slot, or is longer than DGQ_MAX, is dropped, counted and said (one stderr
 * line per adopt); its client retransmits, as every client did before.
 * Threads: adopt runs in the thread that accepts, each handle's reads in the thread that
 * owns it; the slots are under one mutex, and the per-handle count read on every receive
 * is an atomic (no lock when it is 0: every handle but a fresh session or listener).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "port.h"
#include "posix_dgq.h"
#include "posix_net.h"

#define DGQ_SLOTS   64
#define DGQ_MAX     2048 /* a ClientHello (with cookie) of any of our stacks fits many times */
#define DGQ_BATCH   16
#define DGQ_DRAIN   (4 * DGQ_SLOTS) /* at most this many read per adopt (a flood ends it) */
#define DGQ_HANDLES 1024

struct slot {
	int h; /* owner, -1 = free */
	uint32_t seq;
	uint32_t len;
	socklen_t alen;
	struct sockaddr_storage from;
	uint64_t rx_ns;
	unsigned char data[DGQ_MAX];
};

static struct slot g_slot[DGQ_SLOTS];
static _Atomic unsigned short g_count[DGQ_HANDLES];
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t g_seq;
static int g_ready;
static atomic_ulong g_dropped;

static void ready(void)
{
	unsigned i;

	if (g_ready)
		return;
	for (i = 0; i < DGQ_SLOTS; i++)
		g_slot[i].h = -1;
	g_ready = 1;
}

int posix_dgq_pending(int h)
{
	return h >= 0 && h < DGQ_HANDLES &&
	       atomic_load_explicit(&g_count[h], memory_order_acquire) != 0;
}

static void own(struct slot *s, int h)
{
	if (s->h >= 0)
		atomic_fetch_sub_explicit(&g_count[s->h], 1, memory_order_release);
	s->h = h;
	if (h >= 0)
		atomic_fetch_add_explicit(&g_count[h], 1, memory_order_release);
}

static int same_addr(const struct slot *s, const struct sockaddr *peer, socklen_t plen)
{
	return s->alen == plen && memcmp(&s->from, peer, plen) == 0;
}

/* The oldest slot of h, or NULL. Under g_lock. */
static struct slot *head_of(int h)
{
	struct slot *best = NULL;
	unsigned i;

	for (i = 0; i < DGQ_SLOTS; i++)
		if (g_slot[i].h == h && (best == NULL || (int32_t)(g_slot[i].seq - best->seq) < 0))
			best = &g_slot[i];
	return best;
}

/* One recvmmsg into up to DGQ_BATCH free slots (one datagram, dropped, when none is free);
 * *drops counts what did not fit. Returns 1 when it read all it asked for (more may be
 * queued), else 0: fewer means the queue is empty, so the common adopt (one ClientHello)
 * costs one syscall. */
static int drain_once(int old, int to_peer, int to_other, const struct sockaddr *peer,
                      socklen_t plen, unsigned *drops, unsigned *reads)
{
	struct mmsghdr mm[DGQ_BATCH];
	struct iovec iov[DGQ_BATCH];
	union {
		char b[CMSG_SPACE(sizeof(struct timespec)) * 2];
		struct cmsghdr align;
	} ctl[DGQ_BATCH];
	struct slot *sl[DGQ_BATCH];
	unsigned char sink[1];
	unsigned i, n = 0;
	int got;

	for (i = 0; i < DGQ_SLOTS && n < DGQ_BATCH; i++)
		if (g_slot[i].h < 0)
			sl[n++] = &g_slot[i];
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < (n > 0 ? n : 1); i++) {
		iov[i].iov_base = n > 0 ? sl[i]->data : sink;
		iov[i].iov_len = n > 0 ? DGQ_MAX : sizeof(sink);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		if (n > 0) {
			mm[i].msg_hdr.msg_name = &sl[i]->from;
			mm[i].msg_hdr.msg_namelen = sizeof(sl[i]->from);
			mm[i].msg_hdr.msg_control = ctl[i].b;
			mm[i].msg_hdr.msg_controllen = sizeof(ctl[i].b);
		}
	}
	/* No free slot: read (and count) one datagram at a time, so the loop still ends. */
	do
		got = recvmmsg(old, mm, n > 0 ? n : 1, MSG_DONTWAIT, NULL);
	while (got < 0 && errno == EINTR);
	if (got <= 0)
		return 0;
	if (n == 0) {
		*drops += 1;
		return 1;
	}
	*reads += (unsigned)got;
	for (i = 0; i < (unsigned)got; i++) {
		struct slot *s = sl[i];

		if (mm[i].msg_hdr.msg_flags & MSG_TRUNC) {
			*drops += 1; /* longer than DGQ_MAX: not a handshake start of ours */
			continue;
		}
		s->len = mm[i].msg_len;
		s->alen = mm[i].msg_hdr.msg_namelen;
		s->rx_ns = posix_stamp_of(&mm[i].msg_hdr);
		s->seq = g_seq++;
		own(s, same_addr(s, peer, plen) ? to_peer : to_other);
	}
	return (unsigned)got == n;
}

void posix_dgq_adopt(int old, int to_peer, int to_other, const struct sockaddr *peer,
                     socklen_t plen)
{
	unsigned i, drops = 0, reads = 0, n = 0;
	struct slot *order[DGQ_SLOTS];

	if (old < 0 || old >= DGQ_HANDLES || to_peer < 0 || to_peer >= DGQ_HANDLES ||
	    to_other < 0 || to_other >= DGQ_HANDLES)
		return; /* beyond the table: as before, the session reads what is queued */
	pthread_mutex_lock(&g_lock);
	ready();
	/* Kept from an earlier adopt (old was the listener then): sorted the same way,
	 * renumbered in their order, so that they come before what is drained now. */
	while (n < DGQ_SLOTS) {
		struct slot *s = head_of(old);

		if (s == NULL)
			break;
		own(s, -2); /* out of old's list while sorting */
		order[n++] = s;
	}
	for (i = 0; i < n; i++) {
		order[i]->seq = g_seq++;
		own(order[i], same_addr(order[i], peer, plen) ? to_peer : to_other);
	}
	if (posix_stamping()) {
		posix_stamp_socket(old);
		if (to_peer != old)
			posix_stamp_socket(to_peer);
	}
	while (reads + drops < DGQ_DRAIN &&
	       drain_once(old, to_peer, to_other, peer, plen, &drops, &reads))
		;
	pthread_mutex_unlock(&g_lock);
	if (drops > 0) {
		unsigned long total = atomic_fetch_add(&g_dropped, drops) + drops;

		fprintf(stderr,
		        "port: UDP listener backlog (%u slots of %u bytes) full or datagram "
		        "longer: %u queued datagram(s) dropped (%lu in all)%s; their senders "
		        "retransmit\n",
		        (unsigned)DGQ_SLOTS, (unsigned)DGQ_MAX, drops, total,
		        reads + drops >= DGQ_DRAIN ? ", more left to the session" : "");
	}
}

ssize_t posix_dgq_take(int h, void *buf, size_t len, int peek, struct sockaddr *sa, socklen_t *slen)
{
	struct slot *s;
	ssize_t n = -1;

	pthread_mutex_lock(&g_lock);
	s = posix_dgq_pending(h) ? head_of(h) : NULL;
	if (s != NULL) {
		memcpy(buf, s->data, s->len < len ? s->len : len);
		n = peek ? (ssize_t)s->len : (ssize_t)(s->len < len ? s->len : len);
		if (sa != NULL && slen != NULL) {
			socklen_t c = *slen < s->alen ? *slen : s->alen;

			memcpy(sa, &s->from, c);
			*slen = s->alen;
		}
		posix_rx_stamp_set(h, s->rx_ns);
		if (!peek)
			own(s, -1);
	}
	pthread_mutex_unlock(&g_lock);
	return n;
}

void posix_dgq_forget(int h)
{
	unsigned i;

	if (!posix_dgq_pending(h))
		return;
	pthread_mutex_lock(&g_lock);
	for (i = 0; i < DGQ_SLOTS; i++)
		if (g_slot[i].h == h)
			own(&g_slot[i], -1);
	pthread_mutex_unlock(&g_lock);
}
