/* fuzz_opts.c - the command-line parser (src/opts.c) on any argument vector: the input,
 * split at NUL bytes, is argv[1..]. One table holds every kind of option, with the ranges
 * the programs use. Whatever opts_parse accepts must be in range; whatever it refuses
 * must leave it without running (-1), and nothing may read past an argument. */
#include <string.h>

#include "fuzz.h"
#include "opts.h"

#define ARGS_MAX 16

static struct {
	int flag, help, version;
	uint32_t count, size, pair[2];
	struct sizes sizes;
	const char *str;
} v;

static const struct opt table[] = {
	{ "count", 'n', OPT_UINT, &v.count, 1, 10000000, "N", "" },
	{ "reply-size", 0, OPT_SIZE, &v.size, 24, 256u << 20, "N", "" },
	{ "sizes", 's', OPT_SIZES, &v.sizes, 32, 256u << 20, "LIST", "" },
	{ "addr", 'a', OPT_STR, &v.str, 0, 0, "HOST", "" },
	{ "hs-timeout", 0, OPT_PAIR, v.pair, 1, 60000, "MIN,MAX", "" },
	{ "keep", 0, OPT_FLAG, &v.flag, 0, 0, NULL, "" },
	{ "help", 'h', OPT_HELP, &v.help, 0, 0, NULL, "" },
	{ "version", 'V', OPT_VERSION, &v.version, 0, 0, NULL, "" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};
static const struct opt *const tables[] = { table, NULL };

static void help(FILE *f)
{
	opts_print(f, tables);
}

/* 1 when p points at the start of one of the argument strings (or inside one). */
static int in_args(const char *p, char **argv, int argc)
{
	int i;

	for (i = 1; i < argc; i++)
		if (p >= argv[i] && p < argv[i] + strlen(argv[i]))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	char *text, *argv[ARGS_MAX + 1];
	int argc = 1, r;
	size_t i;
	unsigned k;

	text = malloc(n + 1);
	if (text == NULL)
		return 0;
	memcpy(text, d, n);
	text[n] = '\0';
	argv[0] = "fuzz";
	argv[argc++] = text;
	for (i = 0; i < n && argc < ARGS_MAX; i++)
		if (text[i] == '\0')
			argv[argc++] = text + i + 1;
	argv[argc] = NULL;
	memset(&v, 0, sizeof(v));
	r = opts_parse("fuzz", tables, argc, argv, help, "0");
	FUZZ_ASSERT(r == 0 || r == 1 || r == -1);
	if (r == 0) {
		FUZZ_ASSERT(v.count == 0 || (v.count >= 1 && v.count <= 10000000));
		FUZZ_ASSERT(v.size == 0 || (v.size >= 24 && v.size <= 256u << 20));
		FUZZ_ASSERT(v.sizes.n <= SIZES_MAX);
		for (k = 0; k < v.sizes.n; k++)
			FUZZ_ASSERT(v.sizes.v[k] >= 32 && v.sizes.v[k] <= 256u << 20);
		FUZZ_ASSERT(v.pair[0] <= v.pair[1] && v.pair[1] <= 60000);
		FUZZ_ASSERT(v.str == NULL || (v.str[0] != '\0' && in_args(v.str, argv, argc)));
	}
	free(text);
	return 0;
}
