/*
 * plan.h - what one run of the image does, and doing it: for every compiled-in key type,
 * every protocol and every key exchange group the stack offers for it, N full and N resumed
 * handshakes (client and server measured apart); on each protocol's first group also the
 * record cost of each message size over one established session and the negative cases
 * (a client and a server with certificates of a rogue CA must be refused). Results are
 * printed as one line each ("hs ...", "rec ...", "neg ...", key=value), for scripts/mcu.sh.
 */
#ifndef ACKBENCH_MCU_PLAN_H
#define ACKBENCH_MCU_PLAN_H

#include <stddef.h>

#include "hs.h"

#define PLAN_MAX_SIZES 8

struct plan {
	unsigned n;    /* handshakes of each kind */
	unsigned reps; /* messages per size for the record cost */
	size_t sizes[PLAN_MAX_SIZES];
	unsigned nsizes;
	unsigned protos; /* bit per enum hs_proto */
	unsigned groups; /* bit per enum tls_group, 0: all the stack offers for a protocol */
	unsigned keys;   /* bit per mcu_cred_sets[] entry */
	int negatives;   /* run the rogue-certificate cases */
};

struct plan_tally {
	unsigned handshakes, failed, negatives, refused, records, record_failed;
};

/* Runs p; counts into t. Returns 0 when everything passed, else -1. */
int plan_run(const struct plan *p, struct tls_env *env, struct plan_tally *t);

#endif
