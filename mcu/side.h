/*
 * side.h - what one side (client or server) of the in-image link costs, measured per call:
 *   instructions  the virtual clock around the call (port_mono_ns(); under QEMU's
 *                 -icount shift=0 one nanosecond is one instruction);
 *   heap          src/mem.c counts every Mbed TLS allocation; a side's bytes are what its
 *                 own calls allocated minus what they freed, its peak the highest point
 *                 of that during its calls (the other side does not run meanwhile);
 *   stack         each side runs on a stack of its own (side_call switches SP), painted
 *                 before a connection and scanned after it (high-water mark).
 * The counters of a connection restart with side_begin().
 */
#ifndef ACKBENCH_MCU_SIDE_H
#define ACKBENCH_MCU_SIDE_H

#include <stddef.h>
#include <stdint.h>

#define SIDE_STACK_BYTES 32768

struct side {
	const char *name;
	uint32_t *stack;  /* SIDE_STACK_BYTES, 8-byte aligned */
	uint64_t instr;   /* instructions in this side's calls since side_begin */
	long heap_cur;    /* bytes this side holds now (since side_begin) */
	size_t heap_peak; /* its highest point since side_begin */
	uint64_t calls;
};

/* Sets up s with its stack (SIDE_STACK_BYTES). */
void side_init(struct side *s, const char *name, uint32_t *stack);
/* New connection: counters to zero, stack painted. */
void side_begin(struct side *s);
/* Runs fn(arg) on s's stack, adding its instructions and heap use to s. Returns fn's
 * result. */
int side_call(struct side *s, int (*fn)(void *), void *arg);
/* Stack high-water mark since side_begin, in bytes. */
size_t side_stack_peak(const struct side *s);

#endif
