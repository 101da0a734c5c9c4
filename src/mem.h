/*
 * mem.h - Mbed TLS heap accounting for --mem: a counting calloc/free installed with
 * mbedtls_platform_set_calloc_free() (needs MBEDTLS_PLATFORM_MEMORY, set in both
 * ports/config files). Every Mbed TLS and PSA allocation then passes through it; the
 * programs' own buffers (malloc) are not counted. Figures are the bytes Mbed TLS asked
 * for, without the allocator's own per-block overhead. Single-threaded, like the
 * programs.
 *
 *   mem_install()            before psa_crypto_init() and any other Mbed TLS call
 *   base = mem_mark()        after set-up: the baseline (and peak := current)
 *   mem_mark()               before a connection; after it:
 *   mem_peak_since(base)     the connection's peak above the baseline
 */
#ifndef ACKBENCH_MEM_H
#define ACKBENCH_MEM_H

#include <stddef.h>
#include <stdint.h>

/* Routes Mbed TLS's calloc/free through the counters. Call once, before any Mbed TLS
 * allocation (a block allocated before is not ours to free). Returns 0 or an Mbed TLS
 * error. */
int mem_install(void);
/* Restarts the peak at the current use and returns the current use (bytes). */
size_t mem_mark(void);
/* Peak use since the last mem_mark() minus baseline (0 if below). */
size_t mem_peak_since(size_t baseline);
/* Bytes in use now; allocations made since mem_install(). */
size_t mem_current(void);
uint64_t mem_allocs(void);

#endif
