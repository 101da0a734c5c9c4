/*
 * ackbench_config_mcu-psk.h - Mbed TLS 3.6 configuration of the bare-metal image for
 * pre-shared keys only (make TARGET=cortex-m4 CONFIG=mcu-psk): the mcu config without
 * certificates, so what dropping X.509 saves shows in the image's flash and RAM.
 *
 *   removed   X.509 (parsing, verification), PEM/Base64, PK, ECDSA, RSA, the certificate
 *             key exchanges (ECDHE-ECDSA, ECDHE-RSA, TLS 1.3 ephemeral), SNI (needs X.509)
 *   added     TLS 1.2 / DTLS 1.2 PSK (TLS-PSK-WITH-AES-128-GCM-SHA256) and ECDHE-PSK on
 *             P-256 (TLS-ECDHE-PSK-WITH-AES-128-CBC-SHA256: Mbed TLS 3.6 has no GCM suite
 *             for ECDHE_PSK, so CBC and HMAC-SHA-256 come in), TLS 1.3 external PSK in
 *             both modes (psk_ke, psk_dhe_ke; RFC 8446 4.2.9)
 *   kept      everything else of the mcu config (record buffers, tickets, cookies, P-256
 *             ECDH for the ephemeral modes, the bare-metal system block)
 */
#ifndef ACKBENCH_CONFIG_MCU_PSK_H
#define ACKBENCH_CONFIG_MCU_PSK_H

#include "ackbench_config_mcu.h"

#undef MBEDTLS_X509_USE_C
#undef MBEDTLS_X509_CRT_PARSE_C
#undef MBEDTLS_X509_RSASSA_PSS_SUPPORT
#undef MBEDTLS_PEM_PARSE_C
#undef MBEDTLS_BASE64_C
#undef MBEDTLS_PK_C
#undef MBEDTLS_PK_PARSE_C
#undef MBEDTLS_ECDSA_C
#undef MBEDTLS_RSA_C
#undef MBEDTLS_PKCS1_V15
#undef MBEDTLS_PKCS1_V21
#undef MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#undef MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#undef MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#undef MBEDTLS_SSL_SERVER_NAME_INDICATION

#define MBEDTLS_KEY_EXCHANGE_PSK_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_PSK_ENABLED
#define MBEDTLS_CIPHER_MODE_CBC
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_ENABLED

#endif
