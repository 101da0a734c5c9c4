/*
 * mem.h - TLS stack heap accounting for --mem: a counting allocator that the stack's
 * mem_install (stack.h) puts under its library (Mbed TLS:
 * mbedtls_platform_set_calloc_free, needs MBEDTLS_PLATFORM_MEMORY, set in both
 * ports/config files; OpenSSL: CRYPTO_set_mem_functions; wolfSSL: wolfSSL_SetAllocators).
 * Every allocation of the library then passes through it; the programs' own buffers
 * (malloc) are not counted. Figures are the bytes the library asked for, without the
 * allocator's own per-block overhead. Single-threaded, like the programs.
 *
 *   sec_stack.mem_install()  before the stack's init() and any other library call (a
 *                            block allocated before is not ours to free)
 *   base = mem_mark()        after set-up: the baseline (and peak := current)
 *   mem_mark()               before a connection; after it:
 *   mem_peak_since(base)     the connection's peak above the baseline
 */
#ifndef ACKBENCH_MEM_H
#define ACKBENCH_MEM_H

#include <stddef.h>
#include <stdint.h>

/* The counting allocator itself, for the stacks' hooks: calloc, malloc and realloc
 * semantics (n * size overflow refused); mem_free(NULL) is a no-op. A block not made
 * here aborts the program in mem_free/mem_realloc. */
void *mem_calloc(size_t n, size_t size);
void *mem_malloc(size_t size);
void *mem_realloc(void *p, size_t size);
void mem_free(void *p);
/* Restarts the peak at the current use and returns the current use (bytes). */
size_t mem_mark(void);
/* Peak use since the last mem_mark() minus baseline (0 if below). */
size_t mem_peak_since(size_t baseline);
/* Bytes in use now; allocations made since mem_install(). */
size_t mem_current(void);
uint64_t mem_allocs(void);

#endif
