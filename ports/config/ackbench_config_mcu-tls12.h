/*
 * ackbench_config_mcu-tls12.h - the bare-metal mcu config without TLS 1.3 (TLS 1.2 and
 * DTLS 1.2 only): what TLS 1.3 costs in flash. Everything else as ackbench_config_mcu.h.
 */
#ifndef ACKBENCH_CONFIG_MCU_TLS12_H
#define ACKBENCH_CONFIG_MCU_TLS12_H

#include "ackbench_config_mcu.h"

#undef MBEDTLS_SSL_PROTO_TLS1_3
#undef MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#undef MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED
#undef MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE
#undef MBEDTLS_HKDF_C /* the TLS 1.3 key schedule only */

#endif
