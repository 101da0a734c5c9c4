/* fuzz.h - what the libFuzzer targets share (test/fuzz/fuzz_*.c). */
#ifndef ACKBENCH_FUZZ_H
#define ACKBENCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property of the code under test that failed: a crash for libFuzzer, with the reason. */
#define FUZZ_ASSERT(cond)                                                                   \
	do {                                                                                \
		if (!(cond)) {                                                              \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, \
			        #cond);                                                     \
			abort();                                                            \
		}                                                                           \
	} while (0)

#endif
