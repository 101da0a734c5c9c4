/*
 * ackbench_config_mcu.h - Mbed TLS 3.6 configuration of the bare-metal Cortex-M image
 * (TARGET=cortex-m4 / cortex-m33, mk/mcu.mk): the small config (same protocols, P-256 only,
 * ECDSA and RSA certificates, AES-128-GCM, tickets, 16384/4096 record buffers) with its
 * "system" block replaced for a board without an OS:
 *
 *   no file system      certificates and keys are compiled into the image (from certs/)
 *   no calendar clock   certificate validity DATES ARE NOT CHECKED (the image says so)
 *   no OS entropy       MBEDTLS_ENTROPY_HARDWARE_ALT: mbedtls_hardware_poll() of the port
 *                       (ports/mps2/: a TEST-ONLY deterministic source, emulator builds only)
 *   time                mbedtls_time()/mbedtls_ms_time() from the port's SysTick clock
 *                       (ticket and cookie lifetimes, TLS 1.3 ticket age)
 *   no error strings    MBEDTLS_ERROR_C off (~14 KB of flash): codes are printed in hex
 */
#ifndef ACKBENCH_CONFIG_MCU_H
#define ACKBENCH_CONFIG_MCU_H

#include "ackbench_config_small.h"

#undef MBEDTLS_FS_IO
#undef MBEDTLS_HAVE_TIME_DATE
#undef MBEDTLS_ERROR_C
#undef MBEDTLS_AESNI_C /* x86-64 and Armv8-A only */
#undef MBEDTLS_AESCE_C

#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_HARDWARE_ALT
/* mbedtls_time() through mbedtls_platform_set_time(), mbedtls_ms_time() from the port. */
#define MBEDTLS_PLATFORM_TIME_ALT
#define MBEDTLS_PLATFORM_MS_TIME_ALT

#endif
