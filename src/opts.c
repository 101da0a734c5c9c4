/* opts.c - see opts.h. */
#include "opts.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int g_side; /* opts_side() */

void opts_side(int side)
{
	g_side = side;
}

static int side_of(const struct opt *o)
{
	if (strncmp(o->help, "client: ", 8) == 0)
		return OPT_CLIENT;
	return strncmp(o->help, "server: ", 8) == 0 ? OPT_SERVER : 0;
}

/* 1 when o belongs to the other program (opts_side). */
static int other_side(const struct opt *o)
{
	return side_of(o) != 0 && g_side != 0 && side_of(o) != g_side;
}

int opts_parse_u32(const char *text, int allow_suffix, uint32_t min, uint32_t max, uint32_t *out,
                   char *err, size_t errlen)
{
	char *end;
	unsigned long long v;

	if (text[0] < '0' || text[0] > '9') {
		snprintf(err, errlen, "'%s' is not a number", text);
		return -1;
	}
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0) {
		snprintf(err, errlen, "'%s' is out of range (%u..%u)", text, min, max);
		return -1;
	}
	if (v > UINT32_MAX)
		v = (unsigned long long)UINT32_MAX +
		    1; /* out of range anyway; the x1M below can't wrap */
	if (allow_suffix && (*end == 'K' || *end == 'k')) {
		v *= 1024u;
		end++;
	} else if (allow_suffix && (*end == 'M' || *end == 'm')) {
		v *= 1024u * 1024u;
		end++;
	}
	if (*end != '\0') {
		snprintf(err, errlen, "'%s' is not a number%s", text,
		         allow_suffix ? " (suffixes: K, M)" : "");
		return -1;
	}
	if (v < min || v > max) {
		snprintf(err, errlen, "'%s' is out of range (%u..%u)", text, min, max);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int opts_parse_sizes(const char *text, uint32_t min, uint32_t max, struct sizes *s, char *err,
                     size_t errlen)
{
	char item[32];
	const char *p = text;
	unsigned i;

	s->n = 0;
	for (;;) {
		size_t len = strcspn(p, ",");

		if (len == 0 || len >= sizeof(item)) {
			snprintf(err, errlen, "'%s' is not a comma-separated list of sizes", text);
			return -1;
		}
		if (s->n == SIZES_MAX) {
			snprintf(err, errlen, "more than %d sizes", SIZES_MAX);
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if (opts_parse_u32(item, 1, min, max, &s->v[s->n], err, errlen) != 0)
			return -1;
		for (i = 0; i < s->n; i++)
			if (s->v[i] == s->v[s->n]) {
				/* the CSV and JSON tell sizes apart by their value only */
				snprintf(err, errlen, "'%s': %" PRIu32 " bytes is given twice",
				         text, s->v[s->n]);
				return -1;
			}
		s->n++;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

static int parse_pair(const char *text, const struct opt *o, char *err, size_t errlen)
{
	uint32_t *d = o->dst;
	char a[32];
	const char *comma = strchr(text, ',');
	size_t alen = comma ? (size_t)(comma - text) : 0;

	if (comma == NULL || alen == 0 || alen >= sizeof(a)) {
		snprintf(err, errlen, "'%s' is not of the form MIN,MAX", text);
		return -1;
	}
	memcpy(a, text, alen);
	a[alen] = '\0';
	if (opts_parse_u32(a, 0, o->min, o->max, &d[0], err, errlen) != 0 ||
	    opts_parse_u32(comma + 1, 0, o->min, o->max, &d[1], err, errlen) != 0)
		return -1;
	if (d[0] > d[1]) {
		snprintf(err, errlen, "'%s': MIN is above MAX", text);
		return -1;
	}
	return 0;
}

static const struct opt *find(const struct opt *const *tables, const char *lng, size_t lng_len,
                              char shrt)
{
	const struct opt *const *t;
	const struct opt *o;

	for (t = tables; *t != NULL; t++)
		for (o = *t; o->lng != NULL; o++)
			if ((lng != NULL && strlen(o->lng) == lng_len &&
			     strncmp(o->lng, lng, lng_len) == 0) ||
			    (lng == NULL && shrt != 0 && o->shrt == shrt))
				return o;
	return NULL;
}

static int apply(const struct opt *o, const char *val, char *err, size_t errlen)
{
	switch (o->kind) {
	case OPT_UINT: return opts_parse_u32(val, 0, o->min, o->max, o->dst, err, errlen);
	case OPT_SIZE: return opts_parse_u32(val, 1, o->min, o->max, o->dst, err, errlen);
	case OPT_SIZES: return opts_parse_sizes(val, o->min, o->max, o->dst, err, errlen);
	case OPT_STR:
		if (val[0] == '\0') {
			snprintf(err, errlen, "empty value");
			return -1;
		}
		*(const char **)o->dst = val;
		return 0;
	case OPT_PAIR: return parse_pair(val, o, err, errlen);
	default: *(int *)o->dst = 1; return 0;
	}
}

int opts_parse(const char *prog, const struct opt *const *tables, int argc, char **argv,
               void (*print_help)(FILE *), const char *version)
{
	char err[160], name[64];
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		const struct opt *o;

		if (a[0] == '-' && a[1] == '-' && a[2] != '\0') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			o = find(tables, a + 2, len, 0);
			snprintf(name, sizeof(name), "--%.*s", (int)len, a + 2);
			if (eq != NULL)
				val = eq + 1;
		} else if (a[0] == '-' && a[1] != '\0' && a[1] != '-') {
			o = find(tables, NULL, 0, a[1]);
			snprintf(name, sizeof(name), "-%c", a[1]);
			if (a[2] != '\0')
				val = a + 2;
		} else {
			fprintf(stderr, "%s: unexpected argument '%s' (see --help)\n", prog, a);
			return -1;
		}
		if (o == NULL) {
			fprintf(stderr, "%s: unknown option '%s' (see --help)\n", prog, name);
			return -1;
		}
		if (other_side(o)) {
			fprintf(stderr, "%s: %s is a %s option\n", prog, name,
			        side_of(o) == OPT_CLIENT ? "client" : "server");
			return -1;
		}
		if (o->kind == OPT_HELP || o->kind == OPT_VERSION || o->kind == OPT_FLAG) {
			if (val != NULL) {
				fprintf(stderr, "%s: %s takes no value\n", prog, name);
				return -1;
			}
			if (o->kind == OPT_HELP) {
				print_help(stdout);
				return 1;
			}
			if (o->kind == OPT_VERSION) {
				printf("%s %s\n", prog, version);
				return 1;
			}
			*(int *)o->dst = 1;
			continue;
		}
		if (val == NULL) {
			if (i + 1 >= argc) {
				fprintf(stderr, "%s: %s needs a value (%s)\n", prog, name, o->arg);
				return -1;
			}
			val = argv[++i];
		}
		if (apply(o, val, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s: %s: %s\n", prog, name, err);
			return -1;
		}
	}
	return 0;
}

void opts_print(FILE *f, const struct opt *const *tables)
{
	const struct opt *const *t;
	const struct opt *o;
	char left[48];

	for (t = tables; *t != NULL; t++)
		for (o = *t; o->lng != NULL; o++) {
			if (other_side(o))
				continue;
			if (o->shrt != 0)
				snprintf(left, sizeof(left), "-%c, --%s%s%s", o->shrt, o->lng,
				         o->arg ? " " : "", o->arg ? o->arg : "");
			else
				snprintf(left, sizeof(left), "    --%s%s%s", o->lng,
				         o->arg ? " " : "", o->arg ? o->arg : "");
			fprintf(f, "  %-28s %s\n", left, o->help);
		}
}
