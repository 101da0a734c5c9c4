/*
 * wolfssl_settings_mcu-c.h - wolfssl_settings_mcu.h without any assembly: wolfSSL's SP math
 * in portable C (sp_c32.c) and the C code of ML-KEM, X25519, SHA-256 and SHA-3
 * (`make TARGET=cortex-m4 STACK=wolfssl CONFIG=mcu-c`): what the Cortex-M assembly buys.
 */
#ifndef ACKBENCH_WOLFSSL_SETTINGS_MCU_C_H
#define ACKBENCH_WOLFSSL_SETTINGS_MCU_C_H

#define ACKBENCH_WOLFSSL_PORTABLE_C
#include "wolfssl_settings_mcu.h"

#endif
