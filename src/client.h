/* client.h - the client's benchmark loop over a transport. */
#ifndef ACKBENCH_CLIENT_H
#define ACKBENCH_CLIENT_H

#include "bench.h"
#include "transport.h"

/* Runs the whole sweep against o->addr:o->port over state (tp->setup()'s, done once by
 * the caller; torn down here) and writes the results (stdout, -o CSV, --json). Returns the
 * exit status: 0 all messages acked, 1 some failed or were lost or the run could not
 * start. */
int client_run(const char *prog, const struct transport *tp, const struct client_opts *o,
               void *state);

#endif
