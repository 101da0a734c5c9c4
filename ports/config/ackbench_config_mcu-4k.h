/*
 * ackbench_config_mcu-4k.h - the bare-metal mcu config with a 4096-byte incoming record
 * buffer (instead of the protocol's 16384): what the buffer costs in heap. Such a device
 * can only talk to peers that send records of at most 4096 bytes, or that accept the
 * max_fragment_length extension (RFC 6066; Mbed TLS asks for it with
 * mbedtls_ssl_conf_max_frag_len, not done here); the image's own peers do.
 */
#ifndef ACKBENCH_CONFIG_MCU_4K_H
#define ACKBENCH_CONFIG_MCU_4K_H

#include "ackbench_config_mcu.h"

#undef MBEDTLS_SSL_IN_CONTENT_LEN
#define MBEDTLS_SSL_IN_CONTENT_LEN 4096

#endif
