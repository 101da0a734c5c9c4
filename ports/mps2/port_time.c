/* port_time.c - the time and environment parts of ports/port.h on MPS2 boards: SysTick,
 * free-running on the processor clock, its 24-bit counter extended by counting wraps. */
#include <stdio.h>
#include <string.h>

#include "mps2.h"
#include "port.h"

#define SYST_CSR    (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR    (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR    (*(volatile uint32_t *)0xE000E018u)
#define SYST_RELOAD 0xFFFFFFu

static volatile uint32_t g_wraps;

void SysTick_Handler(void);
void SysTick_Handler(void)
{
	g_wraps++;
}

void mps2_clock_start(void)
{
	SYST_RVR = SYST_RELOAD;
	SYST_CVR = 0;
	SYST_CSR = 7; /* ENABLE | TICKINT | CLKSOURCE = processor clock */
}

uint64_t mps2_ticks(void)
{
	uint32_t w, v;

	/* A wrap between the two reads is taken as an interrupt at once: read again. */
	do {
		w = g_wraps;
		v = SYST_CVR;
	} while (w != g_wraps);
	return (uint64_t)w * (SYST_RELOAD + 1u) + (SYST_RELOAD - v);
}

uint64_t port_mono_ns(void)
{
#if 1000000000u % MPS2_SYSCLK_HZ == 0
	return mps2_ticks() * MPS2_NS_PER_TICK;
#else
	/* A tick is not a whole number of ns (32 MHz on AN547: 31.25): exact, in two parts so
	 * that ticks * 1e9 cannot overflow. */
	uint64_t t = mps2_ticks();

	return t / MPS2_SYSCLK_HZ * 1000000000u + t % MPS2_SYSCLK_HZ * 1000000000u / MPS2_SYSCLK_HZ;
#endif
}

/* No calendar clock on the board: wall time is time since reset (no --owd). */
uint64_t port_real_us(void)
{
	return port_mono_ns() / 1000u;
}

/* Bare metal: the program owns the core, CPU time is elapsed time. */
uint64_t port_cpu_ns(void)
{
	return port_mono_ns();
}

uint64_t port_clock_res_ns(void)
{
	return MPS2_NS_PER_TICK;
}

void port_sleep_ms(unsigned ms)
{
	uint64_t end = port_mono_ns() + (uint64_t)ms * 1000000u;

	while (port_mono_ns() < end)
		;
}

void port_cpu_governor(char *buf, size_t len)
{
	snprintf(buf, len, "fixed %u Hz", (unsigned)MPS2_SYSCLK_HZ);
}

void port_system(char *buf, size_t len)
{
	snprintf(buf, len, "bare-metal %s", ACKBENCH_TARGET);
}

void port_hostname(char *buf, size_t len)
{
	snprintf(buf, len, "mps2");
}

int port_stderr_is_tty(void)
{
	return 0;
}

/* Seconds since reset (no calendar): ticket and session lifetimes of either stack. */
time_t mps2_time(time_t *t)
{
	time_t now = (time_t)(port_mono_ns() / 1000000000u);

	if (t != NULL)
		*t = now;
	return now;
}
