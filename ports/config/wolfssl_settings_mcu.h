/*
 * wolfssl_settings_mcu.h - wolfSSL's user settings (WOLFSSL_USER_SETTINGS) for the bare-metal
 * image, `make TARGET=cortex-m4 STACK=wolfssl` (CONFIG=mcu; mk/mcu.mk writes the
 * user_settings.h that includes this file). What the Mbed TLS image's config has, on
 * wolfSSL: TLS 1.2 and 1.3, mutual authentication with ECDSA P-256 certificates, AES-128-GCM,
 * session tickets; and what Mbed TLS 3.6 lacks: X25519, ML-KEM-768 and X25519MLKEM768
 * (RFC 9180 / draft-ietf-tls-ecdhe-mlkem). The arithmetic is wolfSSL's SP code with its
 * Cortex-M assembly (sp_cortexm.c, UMAAL where the core has it) and the Thumb-2 assembly of
 * ML-KEM, X25519, SHA-256 and SHA-3; wolfssl_settings_mcu-c.h is the same in portable C.
 *
 * No OS: one thread, no file system, no sockets (the image's I/O callbacks carry the records),
 * no calendar (certificate dates are not checked, as in the Mbed TLS image), the seed from the
 * port's entropy source (ports/mps2/entropy_testonly.c under QEMU: NOT random).
 */
#ifndef ACKBENCH_WOLFSSL_SETTINGS_MCU_H
#define ACKBENCH_WOLFSSL_SETTINGS_MCU_H

/* ---- the platform ---- */
#define SINGLE_THREADED
#define NO_FILESYSTEM
#define NO_WOLFSSL_DIR
#define NO_WRITEV
#define WOLFSSL_USER_IO /* wolfSSL_SSLSetIORecv/Send: the image's link */
#define WOLFSSL_NO_SOCK
#define NO_DEV_RANDOM
#define NO_MAIN_DRIVER
#define NO_ERROR_STRINGS /* as the Mbed TLS image: codes only */
#define WOLFSSL_IGNORE_FILE_WARN
#define WOLFSSL_GENERAL_ALIGNMENT 4
#define SIZEOF_LONG_LONG          8
#define HAVE_HASHDRBG
/* The seed: the port's entropy source (ports/port.h), through mcu/wolfssl/wc_port.c. */
int ackbench_wolf_seed(unsigned char *out, unsigned int len);
#define CUSTOM_RAND_GENERATE_SEED ackbench_wolf_seed
/* Time: seconds since reset from the port (XTIME), and the ticks wolfSSL's protocol code
 * reads (USER_TICKS: LowResTimer() in seconds, TimeNowInMilliseconds() for TLS 1.3 ticket
 * ages, both on the port's clock, mcu/wolfssl/setup.c); no calendar, so no date check. */
#define USER_TICKS
#include <time.h> /* newlib: time_t, struct tm */
#define TIME_OVERRIDES
#define HAVE_TIME_T_TYPE
#define HAVE_TM_TYPE
#define NO_ASN_TIME_CHECK
#define XTIME   ackbench_wolf_time   /* time_t XTIME(time_t *) */
#define XGMTIME ackbench_wolf_gmtime /* struct tm *XGMTIME(const time_t *, struct tm *) */

/* ---- protocol ---- */
#define WOLFSSL_TLS13
#define HAVE_TLS_EXTENSIONS
#define HAVE_SUPPORTED_CURVES
#define HAVE_EXTENDED_MASTER
#define HAVE_HKDF
#define HAVE_SESSION_TICKET
#define WOLFSSL_TICKET_NONCE_MALLOC /* Mbed TLS-style 32-byte nonces, see stack.mk */
#define MICRO_SESSION_CACHE         /* one session: tickets carry the resumption (static RAM) */
#define NO_OLD_TLS
#define NO_PSK
#define WOLFSSL_NO_TLS12_RENEGOTIATION

/* ---- crypto: ECDSA/ECDHE P-256, X25519, ML-KEM-768, AES-128-GCM, SHA-256 ---- */
#define HAVE_ECC
#define ECC_USER_CURVES /* P-256 only (HAVE_ECC256 is the default) */
#define ECC_TIMING_RESISTANT
#define ECC_SHAMIR
#define HAVE_CURVE25519
#define WOLFSSL_HAVE_MLKEM
#define WOLFSSL_PQC_HYBRIDS /* X25519MLKEM768 */
#define WOLFSSL_WC_MLKEM
#define WOLFSSL_NO_ML_KEM_512
#define WOLFSSL_NO_ML_KEM_1024
#define WOLFSSL_SHA3
#define WOLFSSL_SHAKE128
#define WOLFSSL_SHAKE256
#define HAVE_AESGCM
#define GCM_TABLE_4BIT
#define WOLFSSL_AES_128
#define NO_AES_192
#define NO_AES_256
#define WOLFSSL_SHA384 /* TLS 1.3's SHA-384 suites are not offered, but HKDF's code wants it */
#define WOLFSSL_SHA512
#define NO_RSA
#define NO_DH
#define NO_DSA
#define NO_MD4
#define NO_MD5
#define NO_DES3
#define NO_RC4
#define NO_PWDBASED
#define TFM_TIMING_RESISTANT
#define WC_NO_HARDEN_WARNING

/* ---- math: SP (single precision, P-256 only) ---- */
#define WOLFSSL_SP_MATH
#define WOLFSSL_HAVE_SP_ECC
#define WOLFSSL_SP_NO_2048
#define WOLFSSL_SP_NO_3072
#ifndef ACKBENCH_WOLFSSL_PORTABLE_C
#define WOLFSSL_SP_ASM
#define WOLFSSL_SP_ARM_CORTEX_M_ASM
/* Thumb-2 assembly (inline, in the *_c.c files) for ML-KEM, X25519, SHA-256, SHA-3. */
#define WOLFSSL_ARMASM
#define WOLFSSL_ARMASM_THUMB2
#define WOLFSSL_ARMASM_INLINE
#define WOLFSSL_ARMASM_NO_HW_CRYPTO
#define WOLFSSL_ARMASM_NO_NEON
#define WOLFSSL_ARM_ARCH 7
#endif

#endif
