/* server.h - the server loop: accept, handshake, check each request, answer it. */
#ifndef ACKBENCH_SERVER_H
#define ACKBENCH_SERVER_H

#include <stdint.h>

#include "transport.h"

struct server_opts {
	const char *bind;
	uint32_t port;
	int forever, quiet;
	int mem;                 /* --mem: Mbed TLS heap peak per connection */
	uint32_t idle_timeout_s; /* 0 = wait forever for the next client */
	uint32_t timeout_ms;     /* a silent peer is dropped after this */
	uint32_t max_size;       /* largest request and reply accepted */
	uint32_t max_conns;      /* connections served at once (worker threads); 0 = 1 */
	const char *output;      /* server CSV, or NULL */
	const char *timeline;    /* --timeline FILE (TLS, DTLS), or NULL */
};

/* Serves up to max_conns clients at once until an END (unless forever) or the idle timeout.
 * Prints "ready port=N" on stdout once listening. Returns the exit status: 0, or 1 when
 * it could not start or a write of its CSV failed. Bad peers are logged and dropped. */
int server_run(const char *prog, const struct transport *tp, const struct server_opts *o,
               const struct tp_conf *conf);
/* The threads server_run runs: --max-conns (1 on UDP), + a TLS or DTLS server's handshake lobby
 * (srvlobby.h). What a transport's set-up is told (tp_conf.conns): more than one, its
 * connections do not watch the listener themselves. */
unsigned server_threads(const struct transport *tp, const struct server_opts *o);

#endif
