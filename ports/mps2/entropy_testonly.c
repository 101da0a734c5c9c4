/*
 * entropy_testonly.c - TEST-ONLY ENTROPY. NOT RANDOM. NOT FOR ANY REAL DEVICE.
 *
 * QEMU's MPS2 boards have no TRNG. So that the emulated benchmark can run at all (and run
 * the same on every machine, which makes its instruction counts repeat), this source returns
 * a fixed pseudo-random sequence (splitmix64 from a constant seed). Every key, nonce and
 * ticket the image makes is therefore predictable. It is compiled only into the emulated
 * benchmark build (ACKBENCH_EMULATED_BENCHMARK, set by ports/targets/cortex-m*.mk for QEMU
 * machines); any other build stops here. A real board replaces this file with its TRNG
 * driver (see ports/README.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mps2.h"
#include "port.h"

#if !defined(ACKBENCH_EMULATED_BENCHMARK)
#error "ports/mps2/entropy_testonly.c is a deterministic TEST-ONLY entropy source: refused outside the emulated benchmark build; a real board needs its TRNG"
#endif

int mbedtls_hardware_poll(void *data, unsigned char *out, size_t len, size_t *olen);

static uint64_t g_state = 0x61636b62656e6368u; /* "ackbench" */

static uint64_t splitmix64(void)
{
	uint64_t z = (g_state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

int port_entropy_poll(void *data, unsigned char *out, size_t len, size_t *olen)
{
	size_t i;
	uint64_t v;

	(void)data;
	for (i = 0; i < len; i += sizeof(v)) {
		v = splitmix64();
		memcpy(out + i, &v, len - i < sizeof(v) ? len - i : sizeof(v));
	}
	*olen = len;
	return 0;
}

/* MBEDTLS_ENTROPY_HARDWARE_ALT: the source Mbed TLS's entropy module (and PSA's RNG) use. */
int mbedtls_hardware_poll(void *data, unsigned char *out, size_t len, size_t *olen)
{
	return port_entropy_poll(data, out, len, olen);
}

const char *port_entropy_kind(void)
{
	return "TEST-ONLY-deterministic(not-secure,emulator-only)";
}
