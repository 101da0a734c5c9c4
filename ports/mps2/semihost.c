/* semihost.c - Arm semihosting calls (the "bkpt 0xAB" interface, Arm IHI 0046) and the
 * heap newlib's malloc grows into (_sbrk between the linker's __heap_start/__heap_end). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mps2.h"

#define SYS_WRITE0           0x04
#define SYS_GET_CMDLINE      0x15
#define SYS_EXIT_EXTENDED    0x20
#define ADP_STOPPED_APP_EXIT 0x20026

static int semihost(int op, void *arg)
{
	register int r0 __asm__("r0") = op;
	register void *r1 __asm__("r1") = arg;

	__asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

int mps2_cmdline(char **argv, int max)
{
	static char line[512];
	struct {
		char *buf;
		int len;
	} blk = { line, (int)sizeof(line) - 1 };
	int argc = 0;
	char *p;

	if (semihost(SYS_GET_CMDLINE, &blk) != 0)
		return -1;
	line[blk.len < 0 ? 0 : blk.len] = '\0';
	for (p = line; *p != '\0' && argc < max;) {
		while (*p == ' ')
			*p++ = '\0';
		if (*p == '\0')
			break;
		argv[argc++] = p;
		while (*p != '\0' && *p != ' ')
			p++;
	}
	return argc;
}

void mps2_exit(int code)
{
	uint32_t blk[2] = { ADP_STOPPED_APP_EXIT, (uint32_t)code };

	for (;;)
		semihost(SYS_EXIT_EXTENDED, blk);
}

void mps2_write0(const char *s)
{
	semihost(SYS_WRITE0, (void *)(uintptr_t)s);
}

/* newlib's malloc asks for more heap here; the region is the linker's (ports/mps2/an*.ld). */
void *_sbrk(ptrdiff_t incr);
void *_sbrk(ptrdiff_t incr)
{
	extern char __heap_start[], __heap_end[];
	static char *brk = __heap_start;
	char *old = brk;

	if (incr < 0 || (size_t)incr > (size_t)(__heap_end - brk)) {
		errno = ENOMEM;
		return (void *)-1;
	}
	brk += incr;
	return old;
}
