/* port_thread.c - threads and mutexes of port.h on POSIX threads. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "port.h"
#include "posix_net.h"

/* The wake-up signal for posix_threads_wake(): ignored by default, so one arriving late
 * does nothing; caught here without SA_RESTART, so that it interrupts a blocking call. */
#define WAKE_SIG SIGURG

#define WAKE_MAX 512 /* threads woken: a server's --max-conns 256 and its lobby's 16 */

static pthread_t g_tids[WAKE_MAX];
static atomic_int g_nt;              /* threads in g_tids (set after them) */
static atomic_int g_alive[WAKE_MAX]; /* g_tids[i] still runs its function: may be woken */

struct port_mutex {
	pthread_mutex_t m;
};

struct job {
	void (*fn)(void *arg, unsigned i);
	void *arg;
	unsigned i;
};

static void on_wake(int sig)
{
	(void)sig;
}

/* pthread_kill is async-signal-safe: called from the stop signal's handler. */
void posix_threads_wake(void)
{
	pthread_t self = pthread_self();
	int i, n = g_nt;

	/* the handler runs in the thread that joins them: one alive now is not joined yet */
	for (i = 0; i < n; i++)
		if (g_alive[i] && !pthread_equal(g_tids[i], self))
			pthread_kill(g_tids[i], WAKE_SIG);
}

static void *trampoline(void *p)
{
	struct job *j = p;

	j->fn(j->arg, j->i);
	if (j->i < WAKE_MAX)
		g_alive[j->i] = 0;
	return NULL;
}

int port_threads_run(unsigned n, void (*fn)(void *arg, unsigned i), void *arg)
{
	pthread_t *tid = NULL;
	struct job *jobs = NULL;
	unsigned i, started = 0;
	sigset_t stops, old;
	int r = 0;

	if (n <= 1) {
		fn(arg, 0);
		return 0;
	}
	tid = calloc(n, sizeof(*tid));
	jobs = calloc(n, sizeof(*jobs));
	if (tid == NULL || jobs == NULL) {
		r = ACK_ERR_NOMEM;
		goto out;
	}
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_wake;
		sigemptyset(&sa.sa_mask);
		sigaction(WAKE_SIG, &sa, NULL);
	}
	/* The threads start with SIGINT and SIGTERM blocked (they inherit the mask): a stop
	 * reaches this thread, in its joins, and its handler wakes them. A thread may wait long
	 * for a lock (the server's accept lock, for as long as the server is idle), and a
	 * signal is not always handled inside such a wait: ThreadSanitizer holds it until the
	 * call returns, which kept a stopped server running until its --idle-timeout. */
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stops, &old);
	for (i = 0; i < n; i++) {
		int e;

		jobs[i].fn = fn;
		jobs[i].arg = arg;
		jobs[i].i = i;
		if (i < WAKE_MAX)
			g_alive[i] = 1;
		e = pthread_create(&tid[i], NULL, trampoline, &jobs[i]);
		if (e != 0) {
			if (i < WAKE_MAX)
				g_alive[i] = 0;
			r = ACK_ERR_SYS(e);
			break;
		}
		started++;
	}
	if (started <= WAKE_MAX) {
		memcpy(g_tids, tid, started * sizeof(*tid));
		g_nt = (int)started;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	g_nt = 0;
out:
	free(tid);
	free(jobs);
	return r;
}

struct port_mutex *port_mutex_new(void)
{
	struct port_mutex *m = malloc(sizeof(*m));

	if (m != NULL && pthread_mutex_init(&m->m, NULL) != 0) {
		free(m);
		m = NULL;
	}
	return m;
}

void port_mutex_lock(struct port_mutex *m)
{
	if (m != NULL)
		pthread_mutex_lock(&m->m);
}

void port_mutex_unlock(struct port_mutex *m)
{
	if (m != NULL)
		pthread_mutex_unlock(&m->m);
}

void port_mutex_free(struct port_mutex *m)
{
	if (m != NULL) {
		pthread_mutex_destroy(&m->m);
		free(m);
	}
}

uint64_t port_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
