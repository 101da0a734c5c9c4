/* startup.c - vector table, reset and fault handlers of the MPS2 images. The reset handler
 * copies .data from flash, clears .bss, opens newlib's semihosting console (rdimon), starts
 * the clock and calls main(); main's return value becomes QEMU's exit status. There are no
 * C++ constructors, so no __libc_init_array (and no crti/_init with -nostartfiles). */
#include <stdint.h>
#include <string.h>

#include "mps2.h"

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_top[];
extern void initialise_monitor_handles(void);
extern int main(void);

void Reset_Handler(void);
void SysTick_Handler(void); /* port_time.c */
static void Fault_Handler(void);

#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)
#define SCB_HFSR (*(volatile uint32_t *)0xE000ED2Cu)

typedef void (*vector_fn)(void);

/* Armv7-M / Armv8-M: initial SP, then the exceptions 1..15 (SysTick is 15). Interrupts
 * from peripherals are not used. */
__attribute__((section(".vectors"), used)) static const vector_fn vectors[16] = {
	(vector_fn)(uintptr_t)__stack_top,
	Reset_Handler,
	Fault_Handler, /* NMI */
	Fault_Handler, /* HardFault */
	Fault_Handler, /* MemManage */
	Fault_Handler, /* BusFault */
	Fault_Handler, /* UsageFault */
	Fault_Handler, /* SecureFault (Armv8-M) */
	0,
	0,
	0,
	Fault_Handler, /* SVCall */
	Fault_Handler, /* DebugMonitor */
	0,
	Fault_Handler, /* PendSV */
	SysTick_Handler,
};

static void hex32(char *out, uint32_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 4)
		out[i] = "0123456789abcdef"[v & 15];
}

static void Fault_Handler(void)
{
	char line[] = "mcu: fault: CFSR=0x00000000 HFSR=0x00000000\n";

	hex32(line + 18, SCB_CFSR);
	hex32(line + 35, SCB_HFSR);
	mps2_write0(line);
	mps2_exit(3);
}

void Reset_Handler(void)
{
	memcpy(__data_start, __data_load, (size_t)((char *)__data_end - (char *)__data_start));
	memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
	initialise_monitor_handles();
	mps2_clock_start();
	mps2_exit(main());
}
