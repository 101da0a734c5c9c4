/*
 * ackbench_config_mcu-4k.h - the bare-metal mcu config with a 4096-byte incoming record
 * buffer (instead of the protocol's 16384): what the buffer costs in heap. Such a device
 * can only talk to peers that agree to send records of at most 4096 bytes: the image's
 * client asks for max_fragment_length 4096 in TLS/DTLS 1.2 (RFC 6066, mcu/setup.c), and
 * both sides send record_size_limit in TLS 1.3 (RFC 8449).
 */
#ifndef ACKBENCH_CONFIG_MCU_4K_H
#define ACKBENCH_CONFIG_MCU_4K_H

#include "ackbench_config_mcu.h"

#undef MBEDTLS_SSL_IN_CONTENT_LEN
#define MBEDTLS_SSL_IN_CONTENT_LEN 4096
#define MBEDTLS_SSL_RECORD_SIZE_LIMIT

#endif
