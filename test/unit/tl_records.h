/*
 * tl_records.h - hand-built TLS records and the rows they give, for the timeline's unit
 * tests (test_timeline.c: TLS; test_timeline_dtls.c: DTLS): the buffer b being built, the
 * timeline tl it goes to, and its rows' types as one line (header only; a test defines
 * _GNU_SOURCE first, for open_memstream and strsep).
 */
#ifndef ACKBENCH_TL_RECORDS_H
#define ACKBENCH_TL_RECORDS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeline.h"

static struct timeline tl;
static uint8_t b[4096];
static size_t bn;

static inline void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Starts a TLS record of type ct at the end of b; rec_end() fills its length. */
static inline size_t rec(uint8_t ct)
{
	size_t at = bn;

	b[bn++] = ct;
	b[bn++] = 3;
	b[bn++] = 3;
	bn += 2;
	return at;
}

static inline void rec_end(size_t at)
{
	put16(b + at + 3, bn - at - 5);
}

/* The rows' type column joined with spaces ("tx:ClientHello rx:ServerHello ..."). */
static inline char *types(void)
{
	static char out[2048];
	struct timeline_id id = { 1, 1, 0, "client", "tls" };
	char *text = NULL, *line, *save;
	size_t len = 0, o = 0;
	FILE *f = open_memstream(&text, &len);

	timeline_write(&tl, f, &id, NULL);
	fclose(f);
	out[0] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *fld[20], *p = line;
		int i;

		for (i = 0; i < 20 && p; i++)
			fld[i] = strsep(&p, ",");
		if (i < 19)
			continue;
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s:%s%s", o ? " " : "", fld[5],
		                      fld[6], strcmp(fld[15], "1") == 0 ? "(re)" : "");
	}
	free(text);
	return out;
}

static inline uint32_t bytes_of(unsigned i)
{
	return i < tl.n ? tl.ev[i].bytes : 0;
}

#endif
