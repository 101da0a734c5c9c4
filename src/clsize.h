/*
 * clsize.h - one message size of a client run (client.c): warm-up messages (not recorded),
 * then the timed ones, taken one by one by the run's connection slots (--parallel N: each
 * on its own thread and connection, climsg.c sends and times each); the size's wall time
 * from the first message's start to the last one's end.
 */
#ifndef ACKBENCH_CLSIZE_H
#define ACKBENCH_CLSIZE_H

#include "climsg.h"

/* Runs res->size for r: 0, or an error when the slots could not be started (said). */
int clsize_run(struct run *r, struct size_result *res);

#endif
