/*
 * badpeer_swarm.c - badpeer's -n COUNT: many peers at once, for -t SECS (the slowloris test
 * and benchmark): silent and trickling TCP connections, whole TLS ClientHellos left
 * unanswered, DTLS peers silent after their cookie exchange or resending their ClientHello
 * (the kinds are listed in badpeer.c). Plain POSIX sockets, the wire bytes written by hand.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "badpeer.h"

struct peer {
	int fd;
	int phase;       /* dtls: 0 ClientHello sent, 1 cookie sent (then silent or trickling) */
	int64_t next_ms; /* the next byte (tls-trickle), resend (dtls) or redo */
	size_t sent;     /* tls-trickle: bytes of the record sent */
	uint8_t cookie[255];
	size_t clen;
	uint16_t rseq; /* dtls record sequence number */
	uint8_t random[32];
};

/* A DTLS 1.2 ClientHello (RFC 6347 4.2.1) any of the servers answers with its flight:
 * ECDHE-ECDSA/RSA-AES128-GCM-SHA256, secp256r1, with cookie (clen bytes) or without. */
static size_t dtls_hello(uint8_t *out, const uint8_t *random, const uint8_t *cookie, size_t clen,
                         uint16_t msg_seq, uint16_t rseq)
{
	static const uint8_t suites[] = { 0, 4, 0xc0, 0x2b, 0xc0, 0x2f };
	static const uint8_t ext[] = { 0x00, 0x0a, 0, 4, 0, 2, 0x00, 0x17, /* groups */
		                       0x00, 0x0b, 0, 2, 1, 0,             /* points */
		                       0x00, 0x0d, 0, 8, 0, 6, 4,    3,
		                       8,    4,    4, 1,      /* sig algs */
		                       0x00, 0x17, 0, 0,      /* EMS */
		                       0xff, 0x01, 0, 1, 0 }; /* reneg info */
	uint8_t *b = out + 25, *p = b;
	size_t blen;

	*p++ = 0xfe;
	*p++ = 0xfd;
	memcpy(p, random, 32);
	p += 32;
	*p++ = 0; /* session id */
	*p++ = (uint8_t)clen;
	if (clen > 0) /* the first ClientHello has no cookie (NULL): memcpy wants a pointer */
		memcpy(p, cookie, clen);
	p += clen;
	memcpy(p, suites, sizeof(suites));
	p += sizeof(suites);
	*p++ = 1;
	*p++ = 0; /* compression: null */
	*p++ = 0;
	*p++ = sizeof(ext);
	memcpy(p, ext, sizeof(ext));
	p += sizeof(ext);
	blen = (size_t)(p - b);
	/* record header: handshake, DTLS 1.2, epoch 0, sequence number, length */
	memset(out, 0, 13);
	out[0] = 22;
	out[1] = 0xfe;
	out[2] = 0xfd;
	out[9] = (uint8_t)(rseq >> 8);
	out[10] = (uint8_t)rseq;
	out[11] = (uint8_t)((blen + 12) >> 8);
	out[12] = (uint8_t)(blen + 12);
	/* handshake header: client_hello, length, message_seq, offset 0, fragment = length */
	out[13] = 1;
	out[14] = 0;
	out[15] = (uint8_t)(blen >> 8);
	out[16] = (uint8_t)blen;
	out[17] = (uint8_t)(msg_seq >> 8);
	out[18] = (uint8_t)msg_seq;
	memset(out + 19, 0, 3);
	out[22] = 0;
	out[23] = (uint8_t)(blen >> 8);
	out[24] = (uint8_t)blen;
	return 25 + blen;
}

/* The same ClientHello over TLS 1.2 (RFC 5246 7.4.1.2): 5- and 4-byte headers, no cookie. */
static size_t tls_hello(uint8_t *out, const uint8_t *random)
{
	uint8_t d[512];
	size_t n = dtls_hello(d, random, NULL, 0, 0, 0), blen = n - 26;

	out[0] = 22; /* handshake record, TLS 1.0 on the record as clients send it */
	out[1] = 3;
	out[2] = 1;
	out[3] = (uint8_t)((blen + 4) >> 8);
	out[4] = (uint8_t)(blen + 4);
	out[5] = 1; /* client_hello, length */
	out[6] = 0;
	out[7] = (uint8_t)(blen >> 8);
	out[8] = (uint8_t)blen;
	out[9] = 3; /* TLS 1.2 */
	out[10] = 3;
	memcpy(out + 11, d + 27, 33);     /* random, session id (empty) */
	memcpy(out + 44, d + 61, n - 61); /* what follows the cookie: suites, compression, ext */
	return 9 + blen;
}

static unsigned g_starts;

static int peer_start(struct peer *pe, const char *addr, const char *port, int dgram,
                      const char *kind)
{
	uint8_t out[512];
	size_t n;

	memset(pe, 0, sizeof(*pe));
	memset(pe->random, 0x5a, sizeof(pe->random));
	memcpy(pe->random, &g_starts, sizeof(g_starts)); /* each start its own ClientHello */
	g_starts++;
	pe->fd = dial(addr, port, dgram);
	if (pe->fd < 0)
		return -1;
	pe->next_ms = now_ms();
	if (!dgram && strcmp(kind, "tls-hello") == 0) {
		n = tls_hello(out, pe->random);
		send(pe->fd, out, n, MSG_NOSIGNAL);
		pe->next_ms = now_ms() + 3600000; /* then silent: the server's flight unanswered */
	}
	if (!dgram)
		return 0;
	n = dtls_hello(out, pe->random, NULL, 0, 0, pe->rseq++);
	send(pe->fd, out, n, 0);
	pe->next_ms = now_ms() + 1000; /* no HelloVerifyRequest by then: again */
	return 0;
}

/* What the server sent: a TCP close (1: start again), a HelloVerifyRequest (the cookie
 * goes back), anything else (its flight: dropped, we stay silent). */
static int peer_read(struct peer *pe, int dgram, int64_t interval)
{
	uint8_t in[2048], out[512];
	ssize_t k = recv(pe->fd, in, sizeof(in), MSG_DONTWAIT);
	size_t n;

	if (!dgram)
		return k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR);
	/* HelloVerifyRequest: record(13), handshake header(12, type 3), version(2), cookie */
	if (k >= 28 && in[0] == 22 && in[13] == 3 && pe->phase == 0 && (size_t)k >= 28u + in[27]) {
		pe->clen = in[27];
		memcpy(pe->cookie, in + 28, pe->clen);
		n = dtls_hello(out, pe->random, pe->cookie, pe->clen, 1, pe->rseq++);
		send(pe->fd, out, n, 0);
		pe->phase = 1;
		pe->next_ms = now_ms() + (interval ? interval : 1);
	}
	return 0;
}

/* The peer's next step at its time: a trickled byte, a resent ClientHello, a new start. */
static int peer_tick(struct peer *pe, const char *addr, const char *port, int dgram,
                     const char *kind, int64_t interval)
{
	uint8_t out[512];
	size_t n;

	if (!dgram && strcmp(kind, "tls-trickle") == 0) {
		/* a handshake record announcing 512 bytes, one byte at a time */
		static const uint8_t hdr[5] = { 22, 3, 1, 2, 0 };
		uint8_t b = pe->sent < 5 ? hdr[pe->sent] : 'x';

		if (pe->sent < 517 && send(pe->fd, &b, 1, MSG_NOSIGNAL) == 1)
			pe->sent++;
		pe->next_ms = now_ms() + interval;
		return 0;
	}
	if (!dgram) {
		pe->next_ms = now_ms() + 3600000;
		return 0;
	}
	if (pe->phase == 1 && strcmp(kind, "dtls-silent") == 0 && interval == 0) {
		pe->next_ms = now_ms() + 3600000; /* silent for good, its socket open: no ICMP
		                                   * error ends the server's wait for it */
		return 0;
	}
	if (pe->phase == 0) { /* no HelloVerifyRequest yet: the ClientHello again */
		n = dtls_hello(out, pe->random, NULL, 0, 0, pe->rseq++);
		send(pe->fd, out, n, 0);
		pe->next_ms = now_ms() + 1000;
		return 0;
	}
	if (strcmp(kind, "dtls-silent") == 0) { /* -i: start over from a new port */
		close(pe->fd);
		return peer_start(pe, addr, port, dgram, kind);
	}
	n = dtls_hello(out, pe->random, pe->cookie, pe->clen, 1, pe->rseq++); /* dtls-trickle */
	send(pe->fd, out, n, 0);
	pe->next_ms = now_ms() + interval;
	return 0;
}

/* COUNT peers of KIND for SECS seconds; a TCP peer the server closed starts again (a
 * slowloris keeps its connections). Prints "peers=N restarts=R". */
int swarm(const char *addr, const char *port, int dgram, const char *kind, unsigned count,
          unsigned secs, int64_t interval)
{
	static struct peer pe[SWARM_MAX];
	static struct pollfd pf[SWARM_MAX];
	int64_t end = now_ms() + (int64_t)secs * 1000;
	unsigned i, restarts = 0;

	g_starts = (unsigned)getpid() << 16;
	for (i = 0; i < count; i++)
		if (peer_start(&pe[i], addr, port, dgram, kind) != 0)
			return 1;
	printf("started peers=%u\n", count);
	fflush(stdout);
	while (now_ms() < end) {
		int64_t wake = end;

		for (i = 0; i < count; i++) {
			pf[i].fd = pe[i].fd;
			pf[i].events = POLLIN;
			if (pe[i].next_ms < wake)
				wake = pe[i].next_ms;
		}
		wake -= now_ms();
		poll(pf, count, wake > 0 ? (int)wake : 0);
		for (i = 0; i < count; i++) {
			int again = (pf[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0 &&
			            peer_read(&pe[i], dgram, interval);

			if (!again && now_ms() >= pe[i].next_ms &&
			    peer_tick(&pe[i], addr, port, dgram, kind, interval) != 0)
				return 1;
			if (again) {
				close(pe[i].fd);
				restarts++;
				if (peer_start(&pe[i], addr, port, dgram, kind) != 0)
					return 1;
			}
		}
	}
	for (i = 0; i < count; i++)
		close(pe[i].fd);
	printf("peers=%u restarts=%u\n", count, restarts);
	return 0;
}
