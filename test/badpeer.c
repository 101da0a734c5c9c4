/*
 * badpeer.c - a misbehaving client for the integration tests (a test tool, not part of
 * src/: it uses POSIX sockets directly and writes the wire format by hand, so that a bug in
 * src/msg.c cannot hide itself).
 *
 *   badpeer [-a ADDR] [-l LEN] [-r REPLY_LEN] [-w MS] tcp|udp PORT KIND
 *   badpeer [-a ADDR] -n COUNT -t SECS [-i MS] tcp|udp PORT SWARM_KIND
 *
 * KIND: garbage   random bytes (32 on TCP, so the server has read all of them)
 *       truncated a valid header announcing LEN (1000) bytes, then only 100 bytes
 *       overlong  a header announcing LEN (2M) bytes, more than the server's --max-size
 *       badpad    a valid LEN (100) byte message whose last padding byte is 'B'
 *       silent    connect and send nothing
 *       trickle   the first LEN (64) bytes of a valid message, one byte every 200 ms
 *                 (UDP: one-byte datagrams)
 *       valid     a valid LEN (100) byte message asking for a REPLY_LEN (24) byte reply
 *       cut       a valid header announcing LEN (1000) bytes and 100 of them, then FIN
 *                 (TCP; on UDP it is the same as truncated)
 *       cid=HEX   (udp) a DTLS 1.2 record of type tls12_cid (RFC 9146) carrying the
 *                 connection ID HEX (1..8 bytes), epoch 1, a sequence number no client has
 *                 used yet, 48 random bytes as its protected content: a forged record
 *       squat     no traffic: tries to bind PORT on ADDR itself, with SO_REUSEADDR and
 *                 SO_REUSEPORT, as a local process that wants the server's datagrams
 *                 would; prints "bound" or "refused: REASON"
 * Then it waits up to MS (-w, default 5000) for an answer and prints one line:
 *   reply ack|nak status=S seq=N len=L got=B   (B = bytes received of the reply)
 *   closed   (orderly close)   reset   (connection reset)   timeout   (nothing came)
 * With -n, COUNT peers at once for SECS seconds (a slowloris; "started peers=N" once they
 * are, "peers=N restarts=R" at the end; a peer the server closed starts again):
 *   silent       (tcp) connect and send nothing
 *   tls-hello    (tcp) a whole TLS 1.2 ClientHello, then nothing (the server's flight is
 *                read and left unanswered); started again when the server closes
 *   tls-trickle  (tcp) a TLS handshake record header announcing 512 bytes, then one byte
 *                of it every MS (-i, 200)
 *   dtls-silent  (udp) a DTLS 1.2 ClientHello, the cookie back after the
 *                HelloVerifyRequest, then nothing, its socket kept open; with -i MS the
 *                same again from a new port after MS
 *   dtls-trickle (udp) the same, then the ClientHello with its cookie again every MS
 *                (-i, 200): the server's handshake never sees its peer silent for long
 * Exit status: 0 when it ran (whatever it printed), 2 on bad usage, 1 on a local error.
 */
#define _DEFAULT_SOURCE /* SO_REUSEPORT */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "badpeer.h"

#define HDR    32
#define RUN_ID 0xBADBAD01u
#define SEQ    7u

static uint8_t buf[70000];

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A request header (layout: docs/measuring.md "Wire format") followed by 'A' padding up to fill. */
static void request(uint32_t len, uint32_t reply_len, size_t fill)
{
	memset(buf, 'A', fill);
	memcpy(buf, "ACKB", 4);
	buf[4] = 1; /* version */
	buf[5] = 1; /* DATA */
	buf[6] = buf[7] = 0;
	put32(buf + 8, RUN_ID);
	put32(buf + 12, SEQ);
	put32(buf + 16, len);
	put32(buf + 20, reply_len);
	memset(buf + 24, 0, 8); /* send time: not needed */
}

static int send_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits up to ms for something to read; 1 readable, 0 not. */
static int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) > 0;
}

/* Reads the answer: a reply (datagram or stream), a close, a reset or nothing. */
static void report(int fd, int dgram, int wait_ms)
{
	int64_t end = now_ms() + wait_ms;
	size_t got = 0, want = 24;

	for (;;) {
		int64_t left = end - now_ms();
		ssize_t n;

		if (left <= 0 || !readable(fd, (int)left)) {
			if (got == 0) {
				printf("timeout\n");
				return;
			}
			break;
		}
		n = recv(fd, buf + got, sizeof(buf) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && got == 0 && !dgram) {
			printf("%s\n", errno == ECONNRESET ? "reset" : strerror(errno));
			return;
		}
		if (n < 0 && dgram && errno == ECONNREFUSED) {
			printf("refused\n");
			return;
		}
		if (n <= 0 && got == 0) {
			printf("closed\n");
			return;
		}
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got >= 24)
			want = (size_t)buf[12] << 24 | (size_t)buf[13] << 16 |
			       (size_t)buf[14] << 8 | buf[15];
		if (dgram || (got >= 24 && got >= want))
			break;
	}
	if (got < 24) {
		printf("short reply got=%zu\n", got);
		return;
	}
	printf("reply %.3s status=%u seq=%u len=%zu got=%zu\n",
	       (memcmp(buf, "ack", 3) == 0 || memcmp(buf, "nak", 3) == 0) ? (char *)buf : "???",
	       buf[3], (unsigned)(buf[8] << 24 | buf[9] << 16 | buf[10] << 8 | buf[11]), want, got);
}

/* cid=HEX: the forged tls12_cid record into buf; its length, or 0 on a bad HEX. */
static size_t cid_record(const char *hex)
{
	size_t n = strlen(hex) / 2, i, at;
	unsigned v;

	if (n == 0 || n > 8 || strlen(hex) != 2 * n)
		return 0;
	buf[0] = 25;   /* tls12_cid */
	buf[1] = 0xFE; /* DTLS 1.2 */
	buf[2] = 0xFD;
	buf[3] = 0; /* epoch 1 */
	buf[4] = 1;
	memset(buf + 5, 0, 6);
	buf[5] = 1; /* sequence number 2^40: far ahead of any real one */
	for (i = 0; i < n; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return 0;
		buf[11 + i] = (uint8_t)v;
	}
	at = 11 + n;
	buf[at] = 0;
	buf[at + 1] = 48;
	srand((unsigned)getpid() ^ (unsigned)now_ms());
	for (i = 0; i < 48; i++)
		buf[at + 2 + i] = (uint8_t)rand();
	return at + 2 + 48;
}

static int usage(void)
{
	fprintf(stderr, "usage: badpeer [-a ADDR] [-l LEN] [-r REPLY_LEN] [-w MS] tcp|udp PORT "
	                "garbage|truncated|cut|overlong|badpad|silent|trickle|valid|cid=HEX|squat\n"
	                "       badpeer [-a ADDR] -n COUNT -t SECS [-i MS] tcp|udp PORT "
	                "silent|tls-hello|tls-trickle|dtls-silent|dtls-trickle\n");
	return 2;
}

int dial(const char *addr, const char *port, int dgram)
{
	struct addrinfo hints, *ai;
	int fd;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = dgram ? SOCK_DGRAM : SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(addr, port, &hints, &ai) != 0) {
		fprintf(stderr, "badpeer: cannot resolve %s port %s\n", addr, port);
		return -1;
	}
	fd = socket(ai->ai_family, ai->ai_socktype, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		fprintf(stderr, "badpeer: connect %s port %s: %s\n", addr, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* squat: bind the server's port as a stranger would, with every reuse option set. */
static int squat(const char *addr, const char *port, int dgram)
{
	struct addrinfo hints, *ai;
	int fd, one = 1, r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = dgram ? SOCK_DGRAM : SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(addr, port, &hints, &ai) != 0) {
		fprintf(stderr, "badpeer: cannot resolve %s port %s\n", addr, port);
		return 1;
	}
	fd = socket(ai->ai_family, ai->ai_socktype, 0);
	if (fd < 0) {
		freeaddrinfo(ai);
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	r = bind(fd, ai->ai_addr, ai->ai_addrlen);
	if (r == 0)
		printf("bound\n");
	else
		printf("refused: %s\n", strerror(errno));
	close(fd);
	freeaddrinfo(ai);
	return 0;
}

int main(int argc, char **argv)
{
	const char *addr = "127.0.0.1", *kind;
	unsigned long len = 0, reply_len = 24, wait_ms = 5000, count = 0, secs = 0, ival = 0;
	int opt, fd, dgram, e = 0;
	size_t i;

	while ((opt = getopt(argc, argv, "a:l:r:w:n:t:i:")) != -1) {
		switch (opt) {
		case 'n': count = strtoul(optarg, NULL, 10); break;
		case 't': secs = strtoul(optarg, NULL, 10); break;
		case 'i': ival = strtoul(optarg, NULL, 10); break;
		case 'a': addr = optarg; break;
		case 'l': len = strtoul(optarg, NULL, 10); break;
		case 'r': reply_len = strtoul(optarg, NULL, 10); break;
		case 'w': wait_ms = strtoul(optarg, NULL, 10); break;
		default: return usage();
		}
	}
	if (argc - optind != 3 || len > UINT32_MAX || wait_ms > 3600000)
		return usage();
	dgram = strcmp(argv[optind], "udp") == 0;
	if (!dgram && strcmp(argv[optind], "tcp") != 0)
		return usage();
	kind = argv[optind + 2];
	if (strcmp(kind, "squat") == 0)
		return squat(addr, argv[optind + 1], dgram);
	if (count != 0) {
		if (count > SWARM_MAX || secs == 0 || secs > 3600 || ival > 60000 ||
		    (strcmp(kind, dgram ? "dtls-silent" : "silent") != 0 &&
		     strcmp(kind, dgram ? "dtls-trickle" : "tls-trickle") != 0 &&
		     (dgram || strcmp(kind, "tls-hello") != 0)))
			return usage();
		if (ival == 0 && strcmp(kind, "dtls-silent") != 0)
			ival = 200;
		return swarm(addr, argv[optind + 1], dgram, kind, (unsigned)count, (unsigned)secs,
		             (int64_t)ival);
	}
	fd = dial(addr, argv[optind + 1], dgram);
	if (fd < 0)
		return 1;
	if (strcmp(kind, "garbage") == 0) {
		srand((unsigned)getpid() ^ (unsigned)now_ms());
		for (i = 0; i < 64; i++)
			buf[i] = (uint8_t)rand();
		buf[0] = 0xFF; /* never "ACKB" */
		e = send_all(fd, buf, dgram ? 64 : HDR);
	} else if (strcmp(kind, "truncated") == 0 || strcmp(kind, "cut") == 0) {
		request(len ? (uint32_t)len : 1000, 24, 100);
		e = send_all(fd, buf, 100);
		if (e == 0 && kind[0] == 'c' && !dgram)
			shutdown(fd, SHUT_WR);
	} else if (strcmp(kind, "overlong") == 0) {
		/* The header alone: the server must refuse on the announced length. */
		request(len ? (uint32_t)len : 2u << 20, 24, HDR);
		e = send_all(fd, buf, HDR);
	} else if (strcmp(kind, "badpad") == 0 || strcmp(kind, "valid") == 0) {
		len = len ? len : 100;
		if (len < HDR || len > sizeof(buf))
			return usage();
		request((uint32_t)len, (uint32_t)reply_len, len);
		if (kind[0] == 'b')
			buf[len - 1] = 'B';
		e = send_all(fd, buf, len);
	} else if (strcmp(kind, "trickle") == 0) {
		/* LEN bytes of a message of max(LEN, 32) bytes; stops early once the server
		 * has answered or closed. */
		len = len ? len : 64;
		if (len > sizeof(buf))
			return usage();
		request(len < HDR ? HDR : (uint32_t)len, 24, len < HDR ? HDR : len);
		for (i = 0; i < len && e == 0 && !readable(fd, i ? 200 : 0); i++)
			e = send_all(fd, buf + i, 1);
	} else if (strncmp(kind, "cid=", 4) == 0 && dgram) {
		len = cid_record(kind + 4);
		if (len == 0) {
			close(fd);
			return usage();
		}
		e = send_all(fd, buf, len);
	} else if (strcmp(kind, "silent") != 0) {
		close(fd);
		return usage();
	}
	if (e != 0 && !(errno == EPIPE || errno == ECONNRESET || errno == ECONNREFUSED)) {
		fprintf(stderr, "badpeer: send: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	report(fd, dgram, (int)wait_ms);
	close(fd);
	return 0;
}
