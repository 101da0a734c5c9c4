/* test_mem.c - the --mem counting allocator (src/mem.c): sizes, zeroing, alignment, realloc,
 * peak and baseline, overflow; and under the build's TLS stack (sec_stack.mem_install):
 * the library's own set-up allocates through it and its end frees what it took. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "mem.h"
#include "stack.h"

static void test_blocks(void)
{
	size_t base = mem_mark(), i;
	unsigned char *a, *b, *c;
	int zero = 1;

	a = mem_calloc(10, 100);
	b = mem_calloc(1, 1);
	CHECK(a != NULL && b != NULL, "mem_calloc succeeds");
	if (a == NULL || b == NULL)
		return;
	for (i = 0; i < 1000; i++)
		zero &= a[i] == 0;
	CHECK(zero, "blocks are zeroed, as calloc's");
	CHECK_U((uintptr_t)a % _Alignof(max_align_t), 0, "block aligned to max_align_t");
	CHECK_U((uintptr_t)b % _Alignof(max_align_t), 0, "second block aligned too");
	CHECK_U(mem_current() - base, 1001, "current counts the bytes asked for");
	mem_free(a);
	CHECK_U(mem_current() - base, 1, "free gives its bytes back");
	CHECK_U(mem_peak_since(base), 1001, "peak keeps the high-water mark");
	CHECK_U(mem_mark() - base, 1, "mark returns current use");
	CHECK_U(mem_peak_since(base), 1, "mark restarts the peak at current use");
	c = mem_realloc(b, 300);
	CHECK(c != NULL && c[0] == 0, "realloc keeps the contents");
	CHECK_U(mem_current() - base, 300, "realloc counts the new size only");
	c = mem_realloc(c, 10);
	CHECK_U(mem_current() - base, 10, "realloc down gives bytes back");
	mem_free(c);
	mem_free(NULL);
	CHECK_U(mem_current(), base, "back to the baseline; free(NULL) is a no-op");
	CHECK_U(mem_peak_since(base + 10000), 0, "peak below the baseline reads 0");
	CHECK(mem_calloc(SIZE_MAX / 2, 4) == NULL, "n * size overflow refused");
	CHECK(mem_malloc(SIZE_MAX - 4) == NULL, "malloc overflow refused");
	CHECK_U(mem_current(), base, "a refused block is not counted");
	a = mem_malloc(64);
	CHECK(a != NULL, "mem_malloc succeeds");
	memset(a, 1, 64);
	mem_free(a);
}

int main(void)
{
	CHECK_I(sec_stack.mem_install(), 0, "%s: mem_install", sec_stack.name);
	CHECK_U(mem_current(), 0, "nothing in use before the library's set-up");
	CHECK_I(sec_stack.init(), 0, "%s: library set-up with the hook installed", sec_stack.name);
	CHECK(mem_allocs() > 0, "%s: its set-up allocates through the hook (%zu bytes)",
	      sec_stack.name, mem_current());
	test_blocks();
	sec_stack.deinit();
	CHECK_U(mem_current(), 0, "%s: its end frees all it took", sec_stack.name);
	return check_done();
}
