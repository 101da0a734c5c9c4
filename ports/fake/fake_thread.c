/* fake_thread.c - the threads part of ports/port.h for the in-memory port, which runs in one
 * thread (fake_port.h): n > 1 threads are refused, mutexes do nothing, a thread's CPU clock
 * is the process's (the fake clock). */
#include "port.h"

struct port_mutex {
	int unused;
};

int port_threads_run(unsigned n, void (*fn)(void *arg, unsigned i), void *arg)
{
	if (n > 1)
		return ACK_ERR_ARG;
	fn(arg, 0);
	return 0;
}

struct port_mutex *port_mutex_new(void)
{
	static struct port_mutex m;

	return &m;
}

void port_mutex_lock(struct port_mutex *m)
{
	(void)m;
}

void port_mutex_unlock(struct port_mutex *m)
{
	(void)m;
}

void port_mutex_free(struct port_mutex *m)
{
	(void)m;
}

uint64_t port_thread_cpu_ns(void)
{
	return port_cpu_ns();
}
