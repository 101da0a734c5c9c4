/*
 * ackbench_config_full.h - Mbed TLS 3.6's default configuration with ackbench's adjustments,
 * passed as MBEDTLS_CONFIG_FILE like every ports/config/ackbench_config_<name>.h. The default
 * already has all the benchmark uses: TLS 1.2 and 1.3, DTLS 1.2 with HelloVerifyRequest
 * cookies (MBEDTLS_SSL_COOKIE_C), session tickets and cache, ECDHE and RSA, AES-GCM and
 * ChaCha20-Poly1305, net_sockets and timing.
 */
#ifndef ACKBENCH_CONFIG_FULL_H
#define ACKBENCH_CONFIG_FULL_H

/* The default config, from the Mbed TLS tree's include/ (on every include path). */
#include "mbedtls/mbedtls_config.h"

/* Record buffers stay at the protocol maximum (16384) in both directions, so any peer
 * works with any record size; the small profile shrinks the outgoing one. */
#undef MBEDTLS_SSL_IN_CONTENT_LEN
#undef MBEDTLS_SSL_OUT_CONTENT_LEN

/* Heap accounting for --mem goes through mbedtls_platform_set_calloc_free(). */
#define MBEDTLS_PLATFORM_MEMORY

/* Servers' --max-conns and clients' --parallel run connections on several threads that share
 * the DRBG, the ticket and cookie keys and PSA's key store: Mbed TLS locks them itself only
 * with these (PSA is thread-safe in 3.6 only so, see docs/architecture/psa-thread-safety).
 * Uncontended, a lock costs tens of nanoseconds against a handshake's milliseconds. */
#define MBEDTLS_THREADING_C
#define MBEDTLS_THREADING_PTHREAD

/* TLS 1.3 early data (0-RTT, RFC 8446 section 2.3) for --early-data: off in the default
 * config; it only takes effect where a side turns it on (mbedtls_ssl_conf_early_data). */
#define MBEDTLS_SSL_EARLY_DATA

#endif
