/*
 * linkmodel.h - what the link shaper decides for each packet of one direction: lose it
 * (random or bursty loss), drop it (its number is on the list), or hold it until a release
 * time (delay and jitter, in order unless reordering is allowed). Pure: no I/O, no clock;
 * the caller passes the time. Seeded, so a run's losses repeat with its seed.
 */
#ifndef ACKBENCH_LINKMODEL_H
#define ACKBENCH_LINKMODEL_H

#include <stdint.h>

#define LM_DROPS_MAX 64 /* packet numbers on one direction's drop list */

enum lm_verdict { LM_PASS = 0, LM_LOST = 1, LM_DROPPED = 2 };

struct lm_dir {
	/* parameters */
	uint64_t delay_ns;
	uint64_t jitter_ns; /* release = delay + uniform(-jitter, +jitter), at least 0 */
	double loss;        /* long-run loss ratio, 0 <= loss < 1 */
	double burst;       /* mean loss burst length in packets; <= 1: independent losses */
	int reorder;        /* 0: a packet never leaves before the one queued before it */
	uint32_t drops[LM_DROPS_MAX]; /* packet numbers (1 = first) to drop, ascending */
	unsigned ndrops;
	/* state */
	uint64_t rng;
	int bad; /* Gilbert model: in the loss state */
	uint64_t last_release_ns;
	uint64_t seq; /* packets seen since lm_arm() */
};

/* Parses a drop list "3+4+10" (ascending or not, no repeats needed) into d->drops.
 * Returns 0, or -1 when the text is not such a list or holds more than LM_DROPS_MAX. */
int lm_parse_drops(struct lm_dir *d, const char *text);

/* Sets the random state from seed and the direction number (0 up, 1 down), and starts the
 * packet numbering again at 1. Called at start and when measurement begins. */
void lm_arm(struct lm_dir *d, uint64_t seed, unsigned dir);

/* Decides the fate of the next packet (numbered by d->seq). With lossless set (calibration),
 * no loss or drop applies and the packet is not numbered. */
enum lm_verdict lm_decide(struct lm_dir *d, int lossless);

/* Release time of a packet that arrives at now_ns and passes. */
uint64_t lm_release_ns(struct lm_dir *d, uint64_t now_ns);

/* A uniform double in [0, 1) from the direction's generator (splitmix64). */
double lm_uniform(struct lm_dir *d);

#endif
