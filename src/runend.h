/* runend.h - why a client run ends before its last size: a stop request (SIGINT/SIGTERM,
 * port_stop_requested) or a peer that never answered. Asked after every message, outside
 * its timed part; the one place the client looks at either. */
#ifndef ACKBENCH_RUNEND_H
#define ACKBENCH_RUNEND_H

#include <stdint.h>

#include "bench.h"

/* A peer that never answered anything (no connection accepted, no handshake done, no ack)
 * and let this many messages in a row time out is given up: a handshake deadline or
 * --timeout per message, not a whole sweep of them plus END's retries. */
#define RUNEND_SILENT_TRIES 2

struct runend {
	int answered;    /* the peer answered once */
	uint32_t silent; /* messages timed out in a row while it never had */
	int gave_up;     /* the run ends: the peer never answered */
};

/* The peer answered: a connection made, a handshake done or an ack read. */
void runend_answered(struct runend *e);
/* After a message that ended with err (0: acked). Returns 1 when the run must end now:
 * info->stopped is set (a stop request), or e->gave_up (its one stderr line printed). */
int runend_after(struct runend *e, struct run_info *info, int err);

#endif
