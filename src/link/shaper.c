/*
 * shaper.c - link_shaper: the packet-level link emulator of scripts/link.sh. It runs in
 * the router namespace and takes the packets that iptables' NFQUEUE target hands it on
 * the FORWARD hook, one queue per direction (up: client to server on queue Q, down on Q+1),
 * and for each: drops it (its number is on the direction's list), loses it (random or
 * Gilbert bursty loss, seeded), or holds it and accepts it at its release time (one-way
 * delay plus jitter, in order unless -r). Rate and the bounded queue are tc's (tbf) on the
 * router's egress, after this hook. It never touches payloads: TCP's own retransmission
 * and congestion control see a real link.
 *
 * It starts in calibration mode (delay only: no loss, no drop, not counted) unless -a;
 * SIGUSR2 arms it (counters and packet numbers start again at zero, generators reseeded).
 * Counters go to the -s file (key=value lines, written whole and renamed) every 100 ms
 * while they change, at once on SIGUSR1, and at exit (SIGTERM, SIGINT).
 */
#define _GNU_SOURCE /* ppoll: a nanosecond timeout, signals unblocked only while waiting */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libnetfilter_queue/libnetfilter_queue.h>

#include "shaper.h"

#define VERDICT_OK   1 /* NF_ACCEPT (linux/netfilter.h clashes with arpa/inet.h) */
#define VERDICT_DROP 0 /* NF_DROP */
#define STATS_NS     100000000ULL

static volatile sig_atomic_t g_stop, g_dump, g_arm;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		g_dump = 1;
	else if (sig == SIGUSR2)
		g_arm = 1;
	else
		g_stop = 1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void write_dir(FILE *f, const char *name, const struct dir *d)
{
	fprintf(f,
	        "%s.seen=%llu\n%s.passed=%llu\n%s.lost=%llu\n%s.dropped=%llu\n"
	        "%s.overflow=%llu\n%s.bytes=%llu\n%s.held_max=%llu\n%s.tcp_resend=%llu\n",
	        name, (unsigned long long)d->c.seen, name, (unsigned long long)d->c.passed, name,
	        (unsigned long long)d->c.lost, name, (unsigned long long)d->c.dropped, name,
	        (unsigned long long)d->c.overflow, name, (unsigned long long)d->c.bytes, name,
	        (unsigned long long)d->c.held_max, name, (unsigned long long)d->c.tcp_resend);
}

/* Writes the counters to a temporary file and renames it over the stats file, so that a
 * reader never sees half of them. Returns 0 or -1 (reported once by the caller). */
static int stats_write(struct shaper *s)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", s->stats_path) >= (int)sizeof tmp)
		return -1;
	f = fopen(tmp, "w");
	if (f == NULL)
		return -1;
	fprintf(f,
	        "pid=%ld\ngen=%llu\narmed=%d\narms=%llu\nseed=%llu\ncalib.seen=%llu\n"
	        "enobufs=%llu\n",
	        (long)getpid(), (unsigned long long)s->gen, s->armed, (unsigned long long)s->arms,
	        (unsigned long long)s->seed, (unsigned long long)s->calib_seen,
	        (unsigned long long)s->enobufs);
	write_dir(f, "up", &s->dir[0]);
	write_dir(f, "down", &s->dir[1]);
	if (fclose(f) != 0 || rename(tmp, s->stats_path) != 0)
		return -1;
	s->written_gen = s->gen;
	return 0;
}

/* The IP length of a packet from its first bytes (IPv4 total length, IPv6 payload + 40). */
static uint64_t ip_len(const unsigned char *p, int n)
{
	if (n >= 4 && (p[0] >> 4) == 4)
		return ((uint64_t)p[2] << 8) | p[3];
	if (n >= 6 && (p[0] >> 4) == 6)
		return (((uint64_t)p[4] << 8) | p[5]) + 40;
	return 0;
}

/* 1 when p (n bytes of an IP packet) is a TCP segment with payload or SYN. IPv6: the TCP
 * header right after the fixed one (no extension headers, as the programs send). */
static int tcp_must_resend(const unsigned char *p, int n)
{
	unsigned ip_len, hdr, tcp, doff;

	if (n >= 20 && (p[0] >> 4) == 4 && p[9] == 6) {
		ip_len = ((unsigned)p[2] << 8) | p[3];
		hdr = (p[0] & 0x0Fu) * 4;
	} else if (n >= 40 && (p[0] >> 4) == 6 && p[6] == 6) {
		ip_len = (((unsigned)p[4] << 8) | p[5]) + 40;
		hdr = 40;
	} else {
		return 0;
	}
	tcp = hdr;
	if ((unsigned)n < tcp + 14)
		return 0;
	doff = (p[tcp + 12] >> 4) * 4u;
	if ((p[tcp + 13] & 0x02) != 0) /* SYN */
		return 1;
	return ip_len > hdr + doff;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
                     void *data)
{
	struct dir *d = data;
	struct shaper *s = d->s;
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	unsigned char *payload = NULL;
	int n = nfq_get_payload(nfa, &payload);
	uint32_t id;
	enum lm_verdict v;

	(void)msg;
	if (ph == NULL)
		return 0;
	id = ntohl(ph->packet_id);
	s->gen++;
	if (!s->armed)
		s->calib_seen++;
	else
		d->c.seen++;
	v = lm_decide(&d->m, !s->armed);
	if (v != LM_PASS) {
		d->c.tcp_resend += (uint64_t)tcp_must_resend(payload, n);
		if (v == LM_LOST)
			d->c.lost++;
		else
			d->c.dropped++;
		return nfq_set_verdict(qh, id, VERDICT_DROP, 0, NULL);
	}
	if (d->nhold == HOLD_MAX) {
		d->c.overflow++;
		return nfq_set_verdict(qh, id, VERDICT_DROP, 0, NULL);
	}
	if (s->armed)
		d->c.bytes += ip_len(payload, n);
	d->hold[d->nhold].id = id;
	d->hold[d->nhold].release_ns = lm_release_ns(&d->m, mono_ns());
	d->nhold++;
	if (d->nhold > d->c.held_max)
		d->c.held_max = d->nhold;
	return 0;
}

/* Accepts every held packet whose time has come; returns the next release time (0: none). */
static uint64_t release_due(struct dir *d, uint64_t now)
{
	uint64_t next = 0;
	unsigned i, keep = 0;

	for (i = 0; i < d->nhold; i++) {
		struct held h = d->hold[i];

		if (h.release_ns <= now) {
			nfq_set_verdict(d->qh, h.id, VERDICT_OK, 0, NULL);
			d->c.passed += d->s->armed;
			continue;
		}
		if (next == 0 || h.release_ns < next)
			next = h.release_ns;
		d->hold[keep++] = h;
	}
	d->nhold = keep;
	return next;
}

static void arm(struct shaper *s)
{
	unsigned i;

	for (i = 0; i < 2; i++) {
		memset(&s->dir[i].c, 0, sizeof s->dir[i].c);
		lm_arm(&s->dir[i].m, s->seed, i);
	}
	s->armed = 1;
	s->arms++;
	s->gen++;
}

/* Reads every queued packet message there is now; returns 0, or -1 on a socket error. */
static int drain(struct shaper *s, struct nfq_handle *h, int fd)
{
	static char buf[65536] __attribute__((aligned));
	unsigned n;

	for (n = 0; n < 100000; n++) {
		ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);

		if (r > 0) {
			nfq_handle_packet(h, buf, (int)r);
		} else if (r < 0 && errno == ENOBUFS) {
			s->enobufs++; /* the kernel dropped messages: counted, not fatal */
		} else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			return 0;
		} else {
			fprintf(stderr, "link_shaper: queue socket: %s\n",
			        r == 0 ? "closed" : strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int run(struct shaper *s, struct nfq_handle *h, const sigset_t *waitmask)
{
	struct pollfd pfd = { .fd = nfq_fd(h), .events = POLLIN };
	uint64_t last_write = 0;
	int stats_failed = 0;

	while (!g_stop) {
		uint64_t now = mono_ns(), next = 0, wait_ns = 0;
		struct timespec ts, *tsp = NULL;
		unsigned i;

		for (i = 0; i < 2; i++) {
			uint64_t t = release_due(&s->dir[i], now);

			if (t != 0 && (next == 0 || t < next))
				next = t;
		}
		if (g_arm) {
			g_arm = 0;
			arm(s);
		}
		if (g_dump || (s->gen != s->written_gen && now - last_write >= STATS_NS)) {
			g_dump = 0;
			last_write = now;
			if (stats_write(s) != 0 && !stats_failed++)
				fprintf(stderr, "link_shaper: cannot write %s: %s\n", s->stats_path,
				        strerror(errno));
		}
		if (next != 0)
			wait_ns = next > now ? next - now : 0;
		if (s->gen != s->written_gen && (wait_ns == 0 || wait_ns > STATS_NS) && next == 0)
			wait_ns = STATS_NS;
		if (next != 0 || s->gen != s->written_gen) {
			ts.tv_sec = (time_t)(wait_ns / 1000000000ULL);
			ts.tv_nsec = (long)(wait_ns % 1000000000ULL);
			tsp = &ts;
		}
		if (ppoll(&pfd, 1, tsp, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "link_shaper: poll: %s\n", strerror(errno));
			return -1;
		}
		if ((pfd.revents & POLLIN) && drain(s, h, pfd.fd) != 0)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct shaper s;
	struct nfq_handle *h = NULL;
	struct sigaction sa;
	sigset_t block, orig;
	uint64_t queue = 0;
	unsigned i;
	int rc;

	s.seed = 1;
	for (i = 0; i < 2; i++) {
		s.dir[i].s = &s;
		s.dir[i].m.burst = 1.0;
	}
	rc = shaper_parse_args(&s, &queue, argc, argv);
	if (rc >= 0)
		return rc;
	rc = 1;
	for (i = 0; i < 2; i++)
		lm_arm(&s.dir[i].m, s.seed, i);

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, &orig);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);

	h = nfq_open();
	if (h == NULL) {
		fprintf(stderr, "link_shaper: cannot open a netfilter queue handle: %s\n",
		        strerror(errno));
		goto out;
	}
	for (i = 0; i < 2; i++) {
		struct dir *d = &s.dir[i];

		d->qh = nfq_create_queue(h, (uint16_t)(queue + i), on_packet, d);
		if (d->qh == NULL) {
			fprintf(stderr,
			        "link_shaper: cannot bind NFQUEUE %llu (taken, or no "
			        "nfnetlink_queue in this kernel)\n",
			        (unsigned long long)(queue + i));
			goto out;
		}
		if (nfq_set_mode(d->qh, NFQNL_COPY_PACKET, COPY_BYTES) < 0 ||
		    nfq_set_queue_maxlen(d->qh, HOLD_MAX) < 0) {
			fprintf(stderr, "link_shaper: cannot configure NFQUEUE %llu\n",
			        (unsigned long long)(queue + i));
			goto out;
		}
	}
	/* room for a full hold of small packets' messages in the socket */
	nfnl_rcvbufsiz(nfq_nfnlh(h), 8u << 20);
	if (stats_write(&s) != 0) {
		fprintf(stderr, "link_shaper: cannot write %s: %s\n", s.stats_path,
		        strerror(errno));
		goto out;
	}
	if (run(&s, h, &orig) == 0)
		rc = 0;
out:
	for (i = 0; i < 2; i++) {
		struct dir *d = &s.dir[i];
		unsigned k;

		for (k = 0; d->qh != NULL && k < d->nhold; k++)
			nfq_set_verdict(d->qh, d->hold[k].id, VERDICT_OK, 0, NULL);
		d->nhold = 0;
		if (d->qh != NULL)
			nfq_destroy_queue(d->qh);
	}
	if (h != NULL)
		nfq_close(h);
	if (s.stats_path != NULL && rc == 0 && stats_write(&s) != 0) {
		fprintf(stderr, "link_shaper: cannot write %s: %s\n", s.stats_path,
		        strerror(errno));
		rc = 1;
	}
	return rc;
}
