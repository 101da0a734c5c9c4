/* badpeer.h - between badpeer.c (single peers, main) and badpeer_swarm.c (-n COUNT). */
#ifndef ACKBENCH_BADPEER_H
#define ACKBENCH_BADPEER_H

#include <stdint.h>

#define SWARM_MAX 1000

/* Monotonic milliseconds. */
int64_t now_ms(void);
/* A socket connected to addr:port (TCP, or UDP when dgram), or -1 (said on stderr). */
int dial(const char *addr, const char *port, int dgram);
/* COUNT peers of KIND for SECS seconds; a peer the server closed starts again. Prints
 * "started peers=N", then "peers=N restarts=R". 0, or 1 on a local error. */
int swarm(const char *addr, const char *port, int dgram, const char *kind, unsigned count,
          unsigned secs, int64_t interval);

#endif
