/* test_mem.c - the --mem counting allocator (src/mem.c) under real Mbed TLS calls: sizes,
 * zeroing, alignment, peak and baseline, overflow, and PSA's set-up freed to the byte. */
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "mbedtls/bignum.h"
#include "mbedtls/platform.h"
#include "mem.h"
#include "psa/crypto.h"

static void test_blocks(void)
{
	size_t base = mem_mark(), i;
	unsigned char *a, *b;
	int zero = 1;

	a = mbedtls_calloc(10, 100);
	b = mbedtls_calloc(1, 1);
	CHECK(a != NULL && b != NULL, "mbedtls_calloc goes through the hook and succeeds");
	if (a == NULL || b == NULL)
		return;
	for (i = 0; i < 1000; i++)
		zero &= a[i] == 0;
	CHECK(zero, "blocks are zeroed, as calloc's");
	CHECK_U((uintptr_t)a % _Alignof(max_align_t), 0, "block aligned to max_align_t");
	CHECK_U((uintptr_t)b % _Alignof(max_align_t), 0, "second block aligned too");
	CHECK_U(mem_current() - base, 1001, "current counts the bytes asked for");
	mbedtls_free(a);
	CHECK_U(mem_current() - base, 1, "free gives its bytes back");
	CHECK_U(mem_peak_since(base), 1001, "peak keeps the high-water mark");
	CHECK_U(mem_mark() - base, 1, "mark returns current use");
	CHECK_U(mem_peak_since(base), 1, "mark restarts the peak at current use");
	mbedtls_free(b);
	mbedtls_free(NULL);
	CHECK_U(mem_current(), base, "back to the baseline; free(NULL) is a no-op");
	CHECK_U(mem_peak_since(base + 10), 0, "peak below the baseline reads 0");
	CHECK(mbedtls_calloc(SIZE_MAX / 2, 4) == NULL, "n * size overflow refused");
	CHECK_U(mem_current(), base, "a refused block is not counted");
}

static void test_mbedtls(void)
{
	mbedtls_mpi x;
	uint64_t n0 = mem_allocs();
	size_t base = mem_mark();

	mbedtls_mpi_init(&x);
	CHECK_I(mbedtls_mpi_lset(&x, 1), 0, "mpi_lset");
	CHECK_I(mbedtls_mpi_shift_l(&x, 4095), 0, "mpi grown to 4096 bits");
	CHECK(mem_current() - base >= 512, "a 4096-bit mpi holds >= 512 heap bytes (%zu)",
	      mem_current() - base);
	CHECK(mem_allocs() > n0, "its allocations are counted");
	mbedtls_mpi_free(&x);
	CHECK_U(mem_current(), base, "mpi_free returns to the baseline");
}

int main(void)
{
	CHECK_I(mem_install(), 0, "mem_install");
	CHECK_U(mem_current(), 0, "nothing in use before psa_crypto_init");
	CHECK_I(psa_crypto_init(), PSA_SUCCESS, "psa_crypto_init with the hook installed");
	CHECK(mem_allocs() > 0, "PSA set-up allocates through the hook (%zu bytes)", mem_current());
	test_blocks();
	test_mbedtls();
	mbedtls_psa_crypto_free();
	CHECK_U(mem_current(), 0, "mbedtls_psa_crypto_free frees all PSA took");
	return check_done();
}
