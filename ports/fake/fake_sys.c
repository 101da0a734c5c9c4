/* fake_sys.c - clock, environment, entropy and addresses of the in-memory port. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_int.h"
#include "fake_port.h"
#include "port.h"

#define REAL0_US 1767225600000000ull /* 2026-01-01T00:00:00Z */

static uint64_t g_now = FAKE_T0_NS;
static uint64_t g_rand = 0x9E3779B97F4A7C15ull;
static int g_stop;

void fake_sys_reset(void)
{
	g_now = FAKE_T0_NS;
	g_rand = 0x9E3779B97F4A7C15ull;
	g_stop = 0;
}

void fake_stop_request(int sig)
{
	g_stop = sig;
}

/* Stopping: no signals here; a test requests a stop with fake_stop_request(). */
int port_stop_install(int interrupt_waits)
{
	(void)interrupt_waits;
	return 0;
}

int port_stop_requested(void)
{
	return g_stop;
}

const char *port_stop_name(int sig)
{
	return sig == 2 ? "SIGINT" : sig == 15 ? "SIGTERM" : "a signal";
}

void fake_clock_set(uint64_t ns)
{
	if (ns > g_now) /* never backwards (port.h) */
		g_now = ns;
}

void fake_clock_advance(uint64_t ns)
{
	g_now += ns;
}

uint64_t port_mono_ns(void)
{
	return g_now;
}

uint64_t port_real_us(void)
{
	return REAL0_US + (g_now - FAKE_T0_NS) / 1000u;
}

/* The process "runs" all the time it waits: CPU time is the clock. */
uint64_t port_cpu_ns(void)
{
	return g_now - FAKE_T0_NS;
}

uint64_t port_clock_res_ns(void)
{
	return 1;
}

void port_sleep_ms(unsigned ms)
{
	g_now += (uint64_t)ms * 1000000u;
}

void port_cpu_governor(char *buf, size_t len)
{
	snprintf(buf, len, "fake");
}

void port_system(char *buf, size_t len)
{
	snprintf(buf, len, "fake port");
}

void port_hostname(char *buf, size_t len)
{
	snprintf(buf, len, "fake");
}

int port_stderr_is_tty(void)
{
	return 0;
}

/* xorshift64*: the same bytes after every fake_reset(), so a fuzz input replays exactly. */
int port_entropy_poll(void *data, unsigned char *out, size_t len, size_t *olen)
{
	size_t i;

	(void)data;
	for (i = 0; i < len; i++) {
		g_rand ^= g_rand >> 12;
		g_rand ^= g_rand << 25;
		g_rand ^= g_rand >> 27;
		out[i] = (unsigned char)((g_rand * 0x2545F4914F6CDD1Dull) >> 56);
	}
	*olen = len;
	return 0;
}

void fake_addr_make(struct port_addr *a, int family, const uint8_t *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->raw[0] = (unsigned char)family;
	a->raw[1] = (unsigned char)(port >> 8);
	a->raw[2] = (unsigned char)port;
	memcpy(a->raw + 4, ip, 16);
	a->len = FAKE_ADDR_LEN;
}

uint16_t fake_addr_port(const struct port_addr *a)
{
	return (uint16_t)(a->raw[1] << 8 | a->raw[2]);
}

int fake_addr_is_any(const struct port_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->raw + 4, zero, 16) == 0;
}

/* "a.b.c.d" into ip[0..4); returns 0 or -1. */
static int parse_ipv4(const char *s, uint8_t *ip)
{
	int i;

	for (i = 0; i < 4; i++) {
		char *end;
		unsigned long v;

		if (*s < '0' || *s > '9')
			return -1;
		v = strtoul(s, &end, 10);
		if (v > 255 || (i < 3 && *end != '.') || (i == 3 && *end != '\0'))
			return -1;
		ip[i] = (uint8_t)v;
		s = end + 1;
	}
	return 0;
}

int port_resolve(const char *host, uint16_t port, int datagram, int passive, struct port_addr *out)
{
	uint8_t ip[16] = { 0 };
	int family = 4;

	(void)datagram;
	if (host == NULL || host[0] == '\0') {
		if (!passive)
			ip[0] = 127, ip[3] = 1; /* as getaddrinfo: no host = loopback */
	} else if (strcmp(host, "localhost") == 0) {
		ip[0] = 127, ip[3] = 1;
	} else if (strcmp(host, "::") == 0 || strcmp(host, "::1") == 0) {
		family = 6;
		ip[15] = host[2] == '1';
	} else if (parse_ipv4(host, ip) != 0) {
		return ACK_ERR_RESOLVE;
	}
	fake_addr_make(out, family, ip, port);
	return 0;
}

void port_addr_str(const struct port_addr *a, char *buf, size_t len)
{
	const uint8_t *ip = a->raw + 4;

	if (a->len != FAKE_ADDR_LEN)
		snprintf(buf, len, "(none)");
	else if (a->raw[0] == 6)
		snprintf(buf, len, "[::%s]:%u", ip[15] ? "1" : "", (unsigned)fake_addr_port(a));
	else
		snprintf(buf, len, "%u.%u.%u.%u:%u", ip[0], ip[1], ip[2], ip[3],
		         (unsigned)fake_addr_port(a));
}

int port_addr_equal(const struct port_addr *a, const struct port_addr *b)
{
	return a->len == b->len && memcmp(a->raw, b->raw, a->len) == 0;
}

const char *port_sys_strerror(int e)
{
	return strerror(e);
}
