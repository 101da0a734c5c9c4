/*
 * ref_tcp_loop.c - the reference for tcp_client's per-message mode (a benchmark tool, not
 * part of src/): the least a program can do per message against tcp_server, with plain
 * blocking POSIX sockets and none of our code. Per message, timed with CLOCK_MONOTONIC:
 *   socket, connect, TCP_NODELAY, send SIZE bytes, read the 24-byte reply,
 *   shutdown(SHUT_WR), read until EOF, close.
 * The request is written by hand (layout: docs/measuring.md "Wire format"); a last connection
 * sends END so that tcp_server ends its run as it does for tcp_client.
 *
 *   ref_tcp_loop [-a ADDR] [-p PORT] [-s SIZE] [-n COUNT] [-w WARMUP]
 *
 * Prints one line:
 *   ref proto=tcp mode=per-message size=S n=N min_us=.. p50_us=.. p90_us=.. p99_us=.. max_us=..
 * Exit status: 0 every message acked, 1 a message failed, 2 usage error.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HDR       32
#define REPLY     24
#define RUN_ID    0x52454630u /* "REF0" */
#define MAX_SIZE  (1024u * 1024u)
#define MAX_COUNT 10000000ul

static uint8_t msg[MAX_SIZE];

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void request(uint8_t type, uint32_t seq, uint32_t len)
{
	memset(msg, 'A', len);
	memcpy(msg, "ACKB", 4);
	msg[4] = 1; /* version */
	msg[5] = type;
	msg[6] = msg[7] = 0;
	put32(msg + 8, RUN_ID);
	put32(msg + 12, seq);
	put32(msg + 16, len);
	put32(msg + 20, REPLY);
	memset(msg + 24, 0, 8); /* send time: unused here */
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One message on a new connection. Returns 0 when the ack came and the close completed. */
static int one(const struct addrinfo *ai, uint32_t len)
{
	uint8_t reply[REPLY], sink[256];
	size_t off = 0;
	int yes = 1, r = -1;
	ssize_t n;
	int fd = socket(ai->ai_family, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)
		goto out;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
	while (off < len) {
		n = send(fd, msg + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			goto out;
		off += (size_t)n;
	}
	for (off = 0; off < REPLY; off += (size_t)n) {
		n = recv(fd, reply + off, REPLY - off, 0);
		if (n <= 0)
			goto out;
	}
	if (memcmp(reply, "ack", 3) != 0)
		goto out;
	shutdown(fd, SHUT_WR);
	while ((n = recv(fd, sink, sizeof(sink), 0)) > 0)
		;
	r = n == 0 ? 0 : -1;
out:
	close(fd);
	return r;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank, as src/stats.c: the ceil(p/100 * n)-th smallest value. */
static double pct_us(const uint64_t *v, size_t n, unsigned p)
{
	size_t k = (p * n + 99) / 100;

	return (double)v[k ? k - 1 : 0] / 1e3;
}

static int number(const char *opt, const char *s, unsigned long lo, unsigned long hi,
                  unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *out < lo || *out > hi) {
		fprintf(stderr, "ref_tcp_loop: %s: '%s' is not a number in %lu..%lu\n", opt, s, lo,
		        hi);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *addr = "127.0.0.1", *port = "5001";
	unsigned long size = 64, count = 1000, warmup = 10, i;
	struct addrinfo hints, *ai = NULL;
	uint64_t *t;
	int c;

	while ((c = getopt(argc, argv, "a:p:s:n:w:h")) != -1) {
		switch (c) {
		case 'a': addr = optarg; break;
		case 'p': port = optarg; break;
		case 's':
			if (number("-s", optarg, HDR, MAX_SIZE, &size) != 0)
				return 2;
			break;
		case 'n':
			if (number("-n", optarg, 1, MAX_COUNT, &count) != 0)
				return 2;
			break;
		case 'w':
			if (number("-w", optarg, 0, MAX_COUNT, &warmup) != 0)
				return 2;
			break;
		default:
			fprintf(stderr,
			        "Usage: %s [-a ADDR] [-p PORT] [-s SIZE] [-n COUNT] [-w WARMUP]\n",
			        argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(addr, port, &hints, &ai) != 0 || ai == NULL) {
		fprintf(stderr, "ref_tcp_loop: -a/-p: cannot resolve '%s' port '%s'\n", addr, port);
		return 2;
	}
	t = malloc(count * sizeof(*t));
	if (t == NULL)
		return 1;
	request(1, 0, (uint32_t)size);
	for (i = 0; i < warmup + count; i++) {
		uint64_t t0;

		put32(msg + 12, (uint32_t)i);
		t0 = now_ns();
		if (one(ai, (uint32_t)size) != 0) {
			fprintf(stderr, "ref_tcp_loop: message %lu to %s:%s failed: %s\n", i, addr,
			        port, strerror(errno));
			return 1;
		}
		if (i >= warmup)
			t[i - warmup] = now_ns() - t0;
	}
	request(2, (uint32_t)(warmup + count), HDR);
	if (one(ai, HDR) != 0)
		fprintf(stderr, "ref_tcp_loop: END was not acknowledged by %s:%s\n", addr, port);
	qsort(t, count, sizeof(*t), cmp_u64);
	printf("ref proto=tcp mode=per-message size=%lu n=%lu min_us=%.1f p50_us=%.1f p90_us=%.1f "
	       "p99_us=%.1f max_us=%.1f\n",
	       size, count, (double)t[0] / 1e3, pct_us(t, count, 50), pct_us(t, count, 90),
	       pct_us(t, count, 99), (double)t[count - 1] / 1e3);
	free(t);
	freeaddrinfo(ai);
	return 0;
}
