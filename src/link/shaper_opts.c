/* shaper_opts.c - link_shaper's command line: every number checked, one line per error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "shaper.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: link_shaper -s STATS [-q QUEUE] [-d US] [-D US] [-j US] [-l LOSS]\n"
	        "                   [-L LOSS] [-b BURST] [-x N+N..] [-X N+N..] [-S SEED] [-r] "
	        "[-a]\n"
	        "Shapes the packets of NFQUEUE QUEUE (up: client to server) and QUEUE+1 (down).\n"
	        "  -q QUEUE   first queue number (default 0)\n"
	        "  -d/-D US   one-way delay up/down in microseconds (default 0)\n"
	        "  -j US      jitter: delay + uniform(-US, +US), both directions\n"
	        "  -l/-L LOSS loss ratio up/down, 0 <= LOSS < 1 (e.g. 0.01)\n"
	        "  -b BURST   mean loss burst length in packets (Gilbert model; default 1)\n"
	        "  -x/-X LIST packet numbers to drop up/down, e.g. 3+4 (counted once armed)\n"
	        "  -S SEED    seed of the loss generators (default 1)\n"
	        "  -r         allow reordering (default: a packet never overtakes another)\n"
	        "  -a         armed from the start (default: calibration mode until SIGUSR2)\n"
	        "  -s STATS   counters file (key=value lines)\n");
}

static int parse_u64(const char *opt, const char *v, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(v, &end, 10);
	if (*v < '0' || *v > '9' || errno != 0 || *end != '\0' || x > max) {
		fprintf(stderr, "link_shaper: %s: '%s' is not a number up to %llu\n", opt, v,
		        (unsigned long long)max);
		return -1;
	}
	*out = x;
	return 0;
}

static int parse_ratio(const char *opt, const char *v, double lo, double hi, double *out)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (end == v || *end != '\0' || errno != 0 || !(x >= lo && x < hi)) {
		fprintf(stderr, "link_shaper: %s: '%s' is not a number in [%g, %g)\n", opt, v, lo,
		        hi);
		return -1;
	}
	*out = x;
	return 0;
}

int shaper_parse_args(struct shaper *s, uint64_t *queue, int argc, char **argv)
{
	uint64_t v;
	int opt;

	while ((opt = getopt(argc, argv, "s:q:d:D:j:l:L:b:x:X:S:rah")) != -1) {
		struct dir *d = &s->dir[(opt == 'D' || opt == 'L' || opt == 'X') ? 1 : 0];
		char name[3] = { '-', (char)opt, '\0' };

		switch (opt) {
		case 's': s->stats_path = optarg; break;
		case 'q':
			if (parse_u64(name, optarg, 65534, queue) != 0)
				return 2;
			break;
		case 'd':
		case 'D':
			if (parse_u64(name, optarg, 60000000, &v) != 0)
				return 2;
			d->m.delay_ns = v * 1000;
			break;
		case 'j':
			if (parse_u64(name, optarg, 60000000, &v) != 0)
				return 2;
			s->dir[0].m.jitter_ns = s->dir[1].m.jitter_ns = v * 1000;
			break;
		case 'l':
		case 'L':
			if (parse_ratio(name, optarg, 0.0, 1.0, &d->m.loss) != 0)
				return 2;
			break;
		case 'b':
			if (parse_ratio(name, optarg, 1.0, 1e6, &s->dir[0].m.burst) != 0)
				return 2;
			s->dir[1].m.burst = s->dir[0].m.burst;
			break;
		case 'x':
		case 'X':
			if (lm_parse_drops(&d->m, optarg) != 0) {
				fprintf(stderr,
				        "link_shaper: %s: '%s' is not a list like 3+4 (at most "
				        "%d)\n",
				        name, optarg, LM_DROPS_MAX);
				return 2;
			}
			break;
		case 'S':
			if (parse_u64(name, optarg, UINT64_MAX, &s->seed) != 0)
				return 2;
			break;
		case 'r': s->dir[0].m.reorder = s->dir[1].m.reorder = 1; break;
		case 'a': s->armed = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || s->stats_path == NULL) {
		fprintf(stderr, "link_shaper: %s\n",
		        optind != argc ? "unexpected argument" : "-s STATS is required");
		return 2;
	}
	return -1;
}
