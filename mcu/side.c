/* side.c - see side.h. */
#include "side.h"

#include "mem.h"
#include "port.h"

#define PAINT 0xA5C3E1F7u

/* Calls fn(arg) with SP at top (8-byte aligned), and comes back to the caller's stack.
 * r4 keeps the caller's SP across the call (callee-saved, AAPCS). */
__attribute__((naked, noinline)) static int call_on_stack(void *arg, int (*fn)(void *), void *top)
{
	(void)arg;
	(void)fn;
	(void)top;
	__asm__ volatile("push {r4, lr}\n\t"
	                 "mov r4, sp\n\t"
	                 "mov sp, r2\n\t"
	                 "blx r1\n\t"
	                 "mov sp, r4\n\t"
	                 "pop {r4, pc}\n\t");
}

void side_init(struct side *s, const char *name, uint32_t *stack)
{
	s->name = name;
	s->stack = stack;
	side_begin(s);
}

void side_begin(struct side *s)
{
	size_t i;

	s->instr = 0;
	s->heap_cur = 0;
	s->heap_peak = 0;
	s->calls = 0;
	for (i = 0; i < SIDE_STACK_BYTES / sizeof(uint32_t); i++)
		s->stack[i] = PAINT;
}

int side_call(struct side *s, int (*fn)(void *), void *arg)
{
	size_t base, others, peak;
	uint64_t t0, t1;
	int r;

	base = mem_mark(); /* the peak restarts at what is held now */
	others = base - (size_t)s->heap_cur;
	t0 = port_mono_ns();
	r = call_on_stack(arg, fn, s->stack + SIDE_STACK_BYTES / sizeof(uint32_t));
	t1 = port_mono_ns();
	s->instr += t1 - t0;
	s->calls++;
	/* While fn ran only this side allocated: the rest of the heap stayed at 'others'. */
	peak = mem_peak_since(others);
	if (peak > s->heap_peak)
		s->heap_peak = peak;
	s->heap_cur += (long)mem_current() - (long)base;
	return r;
}

size_t side_stack_peak(const struct side *s)
{
	size_t i, n = SIDE_STACK_BYTES / sizeof(uint32_t);

	for (i = 0; i < n && s->stack[i] == PAINT; i++)
		;
	return (n - i) * sizeof(uint32_t);
}
