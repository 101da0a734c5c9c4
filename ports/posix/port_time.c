/* port_time.c - POSIX clocks, sleep, entropy and environment facts for ports/port.h. */
#define _GNU_SOURCE
#include "port.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

uint64_t port_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts_ns(&ts);
}

uint64_t port_real_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts_ns(&ts) / 1000u;
}

uint64_t port_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts_ns(&ts);
}

uint64_t port_clock_res_ns(void)
{
	struct timespec ts;

	if (clock_getres(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return ts_ns(&ts);
}

void port_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void port_cpu_governor(char *buf, size_t len)
{
	FILE *f = fopen("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "r");

	snprintf(buf, len, "unknown");
	if (f == NULL)
		return;
	if (fgets(buf, (int)len, f) == NULL)
		snprintf(buf, len, "unknown");
	buf[strcspn(buf, "\r\n")] = '\0';
	fclose(f);
}

void port_system(char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u) != 0) {
		snprintf(buf, len, "unknown");
		return;
	}
	snprintf(buf, len, "%s %s %s", u.sysname, u.release, u.machine);
}

void port_hostname(char *buf, size_t len)
{
	if (len == 0)
		return;
	if (gethostname(buf, len) != 0)
		snprintf(buf, len, "unknown");
	buf[len - 1] = '\0';
}

int port_entropy_poll(void *data, unsigned char *out, size_t len, size_t *olen)
{
	size_t got = 0;

	(void)data;
	while (got < len) {
		ssize_t r = getrandom(out + got, len - got, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	*olen = got;
	return 0;
}

const char *port_sys_strerror(int e)
{
	return strerror(e);
}
