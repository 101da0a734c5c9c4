/*
 * port_signal.c - SIGINT and SIGTERM as a request to stop (ports/port.h, "stopping").
 *
 * The handler only records the signal; the loops look at port_stop_requested() between
 * messages. It is installed without SA_RESTART, so a blocking call returns EINTR, and the
 * EINTR loops of port_net.c and port_wait.c ask posix_eintr_retry() whether to go on
 * (client: yes, each wait is bounded and the message is finished) or to return the error
 * (server: its waits for the next client can be endless). SA_RESETHAND: a second signal
 * has its default effect, for a user who does not want to wait.
 */
#include "port.h"
#include "posix_net.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>

/* Set in the handler, read by every thread (--max-conns, --parallel): a lock-free atomic,
 * which a signal handler may write (C11 7.14.1.1) and threads may share. */
static atomic_int g_stop;
static int g_interrupt_waits;

static void on_stop(int sig)
{
	g_stop = sig;
	posix_threads_wake(); /* the signal interrupted one thread's wait: the others' too */
}

int port_stop_install(int interrupt_waits)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	g_interrupt_waits = interrupt_waits;
	if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
		return ACK_ERR_ARG;
	return 0;
}

int port_stop_requested(void)
{
	return g_stop;
}

const char *port_stop_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

int posix_eintr_retry(void)
{
	return !(g_interrupt_waits && g_stop != 0);
}
