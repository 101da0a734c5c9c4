/*
 * mps2.h - what the MPS2 bare-metal port (QEMU mps2-an385/an386/an500/an505, mps3-an547)
 * offers the image besides ports/port.h: the clock in SysTick ticks, semihosting (command
 * line, console, exit) and the boot hook. See ports/README.md, "ports/mps2".
 */
#ifndef ACKBENCH_MPS2_H
#define ACKBENCH_MPS2_H

#include <stddef.h>
#include <stdint.h>

#include <time.h>

/* SysTick runs on the processor clock (CLKSOURCE = 1): 25 MHz on AN385, AN386 and AN500,
 * 20 MHz on AN505, 32 MHz on AN547 (QEMU's values for these boards). Under -icount shift=0
 * QEMU advances the virtual clock by 1 ns per instruction, so one tick is
 * 1e9 / MPS2_SYSCLK_HZ instructions (MPS2_NS_PER_TICK rounds it down: 31 for 31.25). */
#ifndef MPS2_SYSCLK_HZ
#error "MPS2_SYSCLK_HZ must be set by the target (ports/targets/cortex-m*.mk)"
#endif
#define MPS2_NS_PER_TICK (1000000000u / MPS2_SYSCLK_HZ)

/* Starts SysTick free-running (24-bit, wraps counted by its interrupt). */
void mps2_clock_start(void);
/* Ticks since mps2_clock_start(), 64 bits. */
uint64_t mps2_ticks(void);

/* Seconds since reset (there is no calendar), as time(): for Mbed TLS's
 * mbedtls_platform_set_time() (MBEDTLS_PLATFORM_TIME_ALT) and wolfSSL's XTIME. */
time_t mps2_time(time_t *t);
/* "TEST-ONLY..." or the name of the board's TRNG, for the image's banner. */
const char *port_entropy_kind(void);

/* Semihosting: the command line QEMU was given (-semihosting-config arg=...), split into
 * argv (at most max entries, in a static buffer). Returns argc, or -1. */
int mps2_cmdline(char **argv, int max);
/* Semihosting SYS_EXIT_EXTENDED: QEMU exits with status code. Does not return. */
__attribute__((noreturn)) void mps2_exit(int code);
/* Writes a NUL-terminated string to the host's stderr-like debug console (SYS_WRITE0),
 * without stdio: for faults. */
void mps2_write0(const char *s);

#endif
