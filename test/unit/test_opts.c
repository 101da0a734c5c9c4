/* test_opts.c - the option parser (src/opts.c): every accepted form, and every bad value
 * refused with its exact one-line message on stderr (captured through a temporary file). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "opts.h"

static struct {
	uint32_t count, reply, pair[2];
	struct sizes sizes;
	int keep, quiet, help, version;
	const char *addr;
} v;

static const struct opt table[] = {
	{ "addr", 'a', OPT_STR, &v.addr, 0, 0, "HOST", "address" },
	{ "count", 'n', OPT_UINT, &v.count, 1, 10000000, "N", "count" },
	{ "sizes", 's', OPT_SIZES, &v.sizes, 32, 268435456, "LIST", "sizes" },
	{ "reply-size", 0, OPT_SIZE, &v.reply, 24, 268435456, "N", "reply size" },
	{ "keep", 0, OPT_FLAG, &v.keep, 0, 0, NULL, "keep" },
	{ "quiet", 'q', OPT_FLAG, &v.quiet, 0, 0, NULL, "quiet" },
	{ "help", 'h', OPT_HELP, &v.help, 0, 0, NULL, "help" },
	{ "version", 'V', OPT_VERSION, &v.version, 0, 0, NULL, "version" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};
/* A second table, as a transport adds its own options. */
static const struct opt extra[] = {
	{ "hs-timeout", 0, OPT_PAIR, v.pair, 1, 60000, "MIN,MAX", "pair" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};
static const struct opt *const tables[] = { table, extra, NULL };

static char out_text[1024], err_text[1024];

static void help(FILE *f)
{
	fprintf(f, "usage line\n");
}

/* Runs fd's output into a temporary file while fn runs; returns what was written. */
static int redirect(int fd, FILE **tmp)
{
	int saved = dup(fd);

	*tmp = tmpfile();
	if (saved < 0 || *tmp == NULL || dup2(fileno(*tmp), fd) < 0) {
		fprintf(stderr, "test_opts: cannot redirect fd %d\n", fd);
		return -1;
	}
	return saved;
}

static void restore(int fd, int saved, FILE *tmp, char *text, size_t cap)
{
	size_t n;

	dup2(saved, fd);
	close(saved);
	rewind(tmp);
	n = fread(text, 1, cap - 1, tmp);
	text[n] = '\0';
	fclose(tmp);
}

/* Parses a NULL-terminated list of arguments after "prog"; fills out_text/err_text. */
static int parse(const char *a0, ...)
{
	char *argv[40];
	int argc = 0, r, so, se;
	FILE *to, *te;
	va_list ap;
	const char *a;

	memset(&v, 0, sizeof(v));
	argv[argc++] = (char *)(uintptr_t) "prog";
	va_start(ap, a0);
	for (a = a0; a != NULL && argc < 39; a = va_arg(ap, const char *))
		argv[argc++] = (char *)(uintptr_t)a;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	so = redirect(1, &to);
	se = redirect(2, &te);
	r = opts_parse("prog", tables, argc, argv, help, "1.2.3");
	fflush(stdout);
	fflush(stderr);
	restore(2, se, te, err_text, sizeof(err_text));
	restore(1, so, to, out_text, sizeof(out_text));
	return r;
}

/* Expects refusal (-1) with exactly one line "prog: want" on stderr and nothing on stdout. */
#define REFUSED(want, ...)                                                    \
	do {                                                                  \
		int r_ = parse(__VA_ARGS__, NULL);                            \
		CHECK_I(r_, -1, "refused: %s", want);                         \
		CHECK_STR(err_text, "prog: " want "\n", "message: %s", want); \
		CHECK_STR(out_text, "", "nothing on stdout: %s", want);       \
	} while (0)

static void test_accepted(void)
{
	CHECK_I(parse("--count", "5", NULL), 0, "--count 5");
	CHECK_U(v.count, 5, "--count 5 stored");
	CHECK_STR(err_text, "", "nothing on stderr when accepted");
	CHECK_I(parse("--count=7", NULL), 0, "--count=7");
	CHECK_U(v.count, 7, "--count=7 stored");
	CHECK_I(parse("-n9", NULL), 0, "-n9");
	CHECK_U(v.count, 9, "-n9 stored");
	CHECK_I(parse("-n", "10000000", NULL), 0, "-n 10000000 (the maximum)");
	CHECK_U(v.count, 10000000, "-n 10000000 stored");
	CHECK_I(parse("--reply-size", "1K", NULL), 0, "--reply-size 1K");
	CHECK_U(v.reply, 1024, "1K = 1024");
	CHECK_I(parse("--reply-size=2m", NULL), 0, "--reply-size=2m");
	CHECK_U(v.reply, 2u * 1024 * 1024, "2m = 2097152");
	CHECK_I(parse("--reply-size", "256M", NULL), 0, "--reply-size 256M (the maximum)");
	CHECK_U(v.reply, 268435456u, "256M stored");
	CHECK_I(parse("-s", "32,1k,64K,1M", NULL), 0, "-s 32,1k,64K,1M");
	CHECK(v.sizes.n == 4 && v.sizes.v[0] == 32 && v.sizes.v[1] == 1024 &&
	              v.sizes.v[2] == 65536 && v.sizes.v[3] == 1048576,
	      "sizes list stored in order");
	CHECK_I(parse("--sizes=100", NULL), 0, "--sizes=100");
	CHECK(v.sizes.n == 1 && v.sizes.v[0] == 100, "one size stored");
	CHECK_I(parse("--keep", "-q", NULL), 0, "flags --keep -q");
	CHECK(v.keep == 1 && v.quiet == 1, "flags set");
	CHECK_I(parse("-a", "::1", "--addr=host.example", NULL), 0, "-a ::1 then --addr=...");
	CHECK_STR(v.addr, "host.example", "the last value wins");
	CHECK_I(parse("-a-x", NULL), 0, "-aVALUE where VALUE starts with '-'");
	CHECK_STR(v.addr, "-x", "-a-x stored");
	CHECK_I(parse("--hs-timeout", "100,2000", NULL), 0, "pair from the second table");
	CHECK(v.pair[0] == 100 && v.pair[1] == 2000, "pair stored");
	CHECK_I(parse("--hs-timeout=5,5", NULL), 0, "pair with MIN == MAX");
	CHECK_I(parse(NULL), 0, "no arguments");

	CHECK_I(parse("--help", NULL), 1, "--help returns 1");
	CHECK_STR(out_text, "usage line\n", "--help prints the help on stdout");
	CHECK_I(parse("-V", NULL), 1, "-V returns 1");
	CHECK_STR(out_text, "prog 1.2.3\n", "-V prints the version on stdout");
	CHECK_STR(err_text, "", "--help and -V print nothing on stderr");
}

static void test_numbers(void)
{
	REFUSED("--count: 'abc' is not a number", "--count", "abc");
	REFUSED("-n: 'abc' is not a number", "-nabc");
	REFUSED("--count: '' is not a number", "--count=");
	REFUSED("--count: '-5' is not a number", "--count", "-5");
	REFUSED("--count: '+5' is not a number", "--count", "+5");
	REFUSED("--count: ' 5' is not a number", "--count", " 5");
	REFUSED("--count: '5 ' is not a number", "--count", "5 ");
	REFUSED("--count: '0x10' is not a number", "--count", "0x10");
	REFUSED("--count: '1.5' is not a number", "--count", "1.5");
	REFUSED("--count: '10K' is not a number", "--count", "10K");
	REFUSED("--count: '0' is out of range (1..10000000)", "--count", "0");
	REFUSED("--count: '10000001' is out of range (1..10000000)", "--count", "10000001");
	REFUSED("--count: '4294967296' is out of range (1..10000000)", "--count", "4294967296");
	REFUSED("--count: '99999999999999999999999' is out of range (1..10000000)", "--count",
	        "99999999999999999999999");
	REFUSED("--reply-size: '23' is out of range (24..268435456)", "--reply-size", "23");
	REFUSED("--reply-size: '257M' is out of range (24..268435456)", "--reply-size", "257M");
	REFUSED("--reply-size: '4194304M' is out of range (24..268435456)", "--reply-size",
	        "4194304M");
	/* 2^54 + 1 kibibytes wraps to 1024 in 64 bits: must still be out of range. */
	REFUSED("--reply-size: '18014398509481985K' is out of range (24..268435456)",
	        "--reply-size", "18014398509481985K");
	REFUSED("--reply-size: '1X' is not a number (suffixes: K, M)", "--reply-size", "1X");
	REFUSED("--reply-size: '1KB' is not a number (suffixes: K, M)", "--reply-size", "1KB");
	REFUSED("--reply-size: 'K' is not a number", "--reply-size", "K");
	REFUSED("--reply-size: '1G' is not a number (suffixes: K, M)", "--reply-size", "1G");
}

static void test_sizes(void)
{
	char many[200] = "";
	int i;

	REFUSED("--sizes: '64,,128' is not a comma-separated list of sizes", "--sizes", "64,,128");
	REFUSED("--sizes: '64,' is not a comma-separated list of sizes", "--sizes", "64,");
	REFUSED("--sizes: ',64' is not a comma-separated list of sizes", "--sizes", ",64");
	REFUSED("--sizes: '' is not a comma-separated list of sizes", "--sizes=");
	REFUSED("--sizes: '16' is out of range (32..268435456)", "--sizes", "64,16");
	REFUSED("--sizes: '31' is out of range (32..268435456)", "--sizes", "31");
	REFUSED("--sizes: '512M' is out of range (32..268435456)", "--sizes", "64,512M");
	REFUSED("--sizes: 'x' is not a number", "--sizes", "64,x");
	REFUSED("--sizes: '1Q' is not a number (suffixes: K, M)", "--sizes", "1Q,64");
	REFUSED("--sizes: '64,1K,1024': 1024 bytes is given twice", "--sizes", "64,1K,1024");
	REFUSED("--sizes: '64,64': 64 bytes is given twice", "--sizes", "64,64");
	for (i = 0; i < SIZES_MAX; i++) /* 100,101,...,131 */
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%u,", 100 + i);
	strcat(many, "132");
	REFUSED("--sizes: more than 32 sizes", "--sizes", many);
	many[strlen(many) - 4] = '\0'; /* exactly 32 */
	CHECK_I(parse("--sizes", many, NULL), 0, "exactly 32 sizes accepted");
	CHECK_U(v.sizes.n, SIZES_MAX, "32 sizes stored");
}

static void test_syntax(void)
{
	REFUSED("--count needs a value (N)", "--count");
	REFUSED("-n needs a value (N)", "-q", "-n");
	REFUSED("--hs-timeout needs a value (MIN,MAX)", "--hs-timeout");
	REFUSED("unknown option '--bogus' (see --help)", "--bogus");
	REFUSED("unknown option '--bogus' (see --help)", "--bogus=1");
	REFUSED("unknown option '--coun' (see --help)", "--coun", "5");
	REFUSED("unknown option '--counts' (see --help)", "--counts=5");
	REFUSED("unknown option '-z' (see --help)", "-z");
	REFUSED("unknown option '-z' (see --help)", "-zzz");
	REFUSED("--keep takes no value", "--keep=1");
	REFUSED("--keep takes no value", "--keep=");
	REFUSED("-q takes no value", "-qx");
	REFUSED("--help takes no value", "--help=1");
	REFUSED("-V takes no value", "-Vx");
	REFUSED("unexpected argument 'extra' (see --help)", "--count", "5", "extra");
	REFUSED("unexpected argument '-' (see --help)", "-");
	REFUSED("unexpected argument '--' (see --help)", "--");
	REFUSED("--addr: empty value", "--addr", "");
	REFUSED("-a: empty value", "-a", "");
	REFUSED("--hs-timeout: '5' is not of the form MIN,MAX", "--hs-timeout", "5");
	REFUSED("--hs-timeout: ',5' is not of the form MIN,MAX", "--hs-timeout", ",5");
	REFUSED("--hs-timeout: '9,5': MIN is above MAX", "--hs-timeout", "9,5");
	REFUSED("--hs-timeout: 'x' is not a number", "--hs-timeout", "5,x");
	REFUSED("--hs-timeout: '' is not a number", "--hs-timeout", "5,");
	REFUSED("--hs-timeout: '0' is out of range (1..60000)", "--hs-timeout", "0,5");
	REFUSED("--hs-timeout: '60001' is out of range (1..60000)", "--hs-timeout", "1,60001");
	/* The first error stops parsing: a later --help is not reached. */
	REFUSED("--count: 'abc' is not a number", "--count", "abc", "--help");
}

int main(void)
{
	test_accepted();
	test_numbers();
	test_sizes();
	test_syntax();
	return check_done();
}
