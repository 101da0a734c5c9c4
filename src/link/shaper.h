/*
 * shaper.h - the state of link_shaper (shaper.c) and its command line (shaper_opts.c).
 */
#ifndef ACKBENCH_SHAPER_H
#define ACKBENCH_SHAPER_H

#include <stdint.h>

#include "linkmodel.h"

#define HOLD_MAX   4096 /* packets held per direction */
#define COPY_BYTES 64   /* enough of each packet for its IP length field */

struct held {
	uint32_t id;
	uint64_t release_ns;
};

struct counters {
	uint64_t seen, passed, lost, dropped, overflow, bytes, held_max;
	uint64_t tcp_resend; /* lost or dropped TCP segments with data or SYN: each one its
	                      * sender must retransmit (a pure ACK or a bare FIN is not
	                      * counted: the programs read their counts before the close) */
};

struct shaper;

struct dir {
	struct shaper *s;
	struct lm_dir m;
	struct nfq_q_handle *qh;
	struct held hold[HOLD_MAX];
	unsigned nhold;
	struct counters c;
};

struct shaper {
	struct dir dir[2];
	uint64_t seed;
	int armed;
	uint64_t arms; /* times armed: link.sh rearm waits for it to move */
	uint64_t calib_seen;
	uint64_t gen, written_gen, enobufs;
	const char *stats_path;
};

/* Parses the command line into s and *queue. Returns -1 to go on, else the exit status
 * (0 after --help, 2 after a usage error, reported in one line on stderr). */
int shaper_parse_args(struct shaper *s, uint64_t *queue, int argc, char **argv);

#endif
