/* mem.c - see mem.h. Each block carries a header with its size, rounded up to
 * max_align_t so the caller's part keeps calloc's alignment. */
#include "mem.h"

#include <stdlib.h>

#define MEM_MAGIC ((size_t)0xac4be11eu)

struct hdr {
	size_t size;
	size_t magic; /* catches a block that did not come from mem_calloc */
};

#define ALIGN   _Alignof(max_align_t)
#define HDR_LEN ((sizeof(struct hdr) + ALIGN - 1) / ALIGN * ALIGN)

static size_t g_cur, g_peak;
static uint64_t g_allocs;

static struct hdr *hdr_of(void *p)
{
	struct hdr *h = (struct hdr *)(void *)((unsigned char *)p - HDR_LEN);

	if (h->magic != MEM_MAGIC)
		abort(); /* not ours: freeing it would corrupt the heap, counting it the figures */
	return h;
}

static void *account(struct hdr *h, size_t len)
{
	h->size = len;
	h->magic = MEM_MAGIC;
	g_cur += len;
	if (g_cur > g_peak)
		g_peak = g_cur;
	g_allocs++;
	return (unsigned char *)h + HDR_LEN;
}

void *mem_calloc(size_t n, size_t size)
{
	struct hdr *h;

	if (n != 0 && size > (SIZE_MAX - HDR_LEN) / n)
		return NULL;
	h = calloc(1, HDR_LEN + n * size);
	return h == NULL ? NULL : account(h, n * size);
}

void *mem_malloc(size_t size)
{
	struct hdr *h;

	if (size > SIZE_MAX - HDR_LEN)
		return NULL;
	h = malloc(HDR_LEN + size);
	return h == NULL ? NULL : account(h, size);
}

void mem_free(void *p)
{
	struct hdr *h;

	if (p == NULL)
		return;
	h = hdr_of(p);
	h->magic = 0;
	g_cur -= h->size;
	free(h);
}

/* In place where the C library can: the old and the new block are not counted at once. */
void *mem_realloc(void *p, size_t size)
{
	struct hdr *h, *g;
	size_t old;

	if (p == NULL)
		return mem_malloc(size);
	if (size > SIZE_MAX - HDR_LEN)
		return NULL;
	h = hdr_of(p);
	old = h->size;
	g = realloc(h, HDR_LEN + size);
	if (g == NULL)
		return NULL; /* p stays valid, as realloc's */
	g_cur -= old;
	g_allocs--; /* account() counts it again */
	return account(g, size);
}

size_t mem_mark(void)
{
	g_peak = g_cur;
	return g_cur;
}

size_t mem_peak_since(size_t baseline)
{
	return g_peak > baseline ? g_peak - baseline : 0;
}

size_t mem_current(void)
{
	return g_cur;
}

uint64_t mem_allocs(void)
{
	return g_allocs;
}
