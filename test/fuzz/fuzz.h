/* fuzz.h - what the libFuzzer targets share (test/fuzz/fuzz_*.c). */
#ifndef ACKBENCH_FUZZ_H
#define ACKBENCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <sanitizer/common_interface_defs.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property of the code under test that failed: a crash for libFuzzer, with the reason.
 * The reason goes where the sanitizers report (libFuzzer keeps that open when
 * -close_fd_mask closes stderr). */
#define FUZZ_ASSERT(cond)                                     \
	do {                                                  \
		if (!(cond))                                  \
			fuzz_fail(__FILE__, __LINE__, #cond); \
	} while (0)

static inline void fuzz_fail(const char *file, int line, const char *what)
{
	char m[256];

	snprintf(m, sizeof(m), "%s:%d: property failed: %s", file, line, what);
	__sanitizer_report_error_summary(m);
	abort();
}

#endif
