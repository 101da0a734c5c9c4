/*
 * opts.h - table-driven command-line parsing with one-line errors that name the option
 * and the bad value ("tcp_client: --count: 'abc' is not a number").
 */
#ifndef ACKBENCH_OPTS_H
#define ACKBENCH_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SIZES_MAX 32

struct sizes {
	uint32_t v[SIZES_MAX];
	unsigned n;
};

enum opt_kind {
	OPT_FLAG,  /* int = 1 */
	OPT_UINT,  /* uint32_t in [min, max] */
	OPT_SIZE,  /* uint32_t with optional K/M suffix (x1024), in [min, max] */
	OPT_SIZES, /* struct sizes: comma list of OPT_SIZE values, each in [min, max] */
	OPT_STR,   /* const char * (points into argv) */
	OPT_PAIR,  /* uint32_t[2] "A,B" with min <= A <= B <= max */
	OPT_HELP,
	OPT_VERSION,
};

struct opt {
	const char *lng; /* without "--" */
	char shrt;       /* 0 = none */
	enum opt_kind kind;
	void *dst;
	uint32_t min, max;
	const char *arg;  /* name of the argument in --help, NULL for flags */
	const char *help; /* "client: ..." or "server: ...": an option of that program only */
};

enum { OPT_CLIENT = 1, OPT_SERVER = 2 };

/* Which program parses and prints (OPT_CLIENT or OPT_SERVER; 0, the default: both). An
 * option whose help starts with the other side's "client: " or "server: " is then refused
 * ("--x is a server option") and not listed by opts_print. */
void opts_side(int side);

/* Parses argv against the tables (a NULL-terminated array of tables, each ended by an
 * entry with lng == NULL). Returns 0 to run, 1 when --help or --version was printed,
 * or -1 after printing one error line "prog: ..." to stderr. Positional arguments are
 * refused. */
int opts_parse(const char *prog, const struct opt *const *tables, int argc, char **argv,
               void (*print_help)(FILE *), const char *version);
/* Prints the options of the tables, one per line, for --help. */
void opts_print(FILE *f, const struct opt *const *tables);
/* Parses "64,1K,16K" into s. Returns 0, or -1 with a reason in err. */
int opts_parse_sizes(const char *text, uint32_t min, uint32_t max, struct sizes *s, char *err,
                     size_t errlen);
/* Parses one number with optional K/M suffix (suffix only if allow_suffix). */
int opts_parse_u32(const char *text, int allow_suffix, uint32_t min, uint32_t max, uint32_t *out,
                   char *err, size_t errlen);

#endif
