/*
 * ackbench_config_small.h - a whole Mbed TLS 3.6 configuration (MBEDTLS_CONFIG_FILE) for small
 * boards: only what the benchmark uses. Started from the tree's configs/config-suite-b.h.
 *
 *   TLS 1.2, TLS 1.3, DTLS 1.2 (HelloVerifyRequest cookies), client and server
 *   key exchange: ECDHE on P-256 only; certificates: ECDSA P-256 or RSA up to 3072 bits
 *   record protection: AES-128-GCM with SHA-256 (no SHA-384, so no AES-256-GCM suites)
 *   resumption: session tickets (TLS 1.2 and 1.3) and the session-id cache
 *   records: incoming 16384 (a peer may send full records), outgoing 4096
 *
 * Peers that offer only other groups (X25519 alone) or only ChaCha20/CBC/SHA-384 suites
 * fail to handshake; OpenSSL's TLS 1.3 client offers X25519 first and pays a
 * HelloRetryRequest. See ports/README.md for what each config supports.
 */
#ifndef ACKBENCH_CONFIG_SMALL_H
#define ACKBENCH_CONFIG_SMALL_H

/* ---- system: a Linux board (a bare-metal port changes this block, see ports/README.md) ---- */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE /* certificate validity dates */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY /* --mem: heap accounting via mbedtls_platform_set_calloc_free */
#define MBEDTLS_FS_IO           /* certificates and keys are loaded from files */
/* No MBEDTLS_TIMING_C: the DTLS timer is src/tp_dtls.c's, on port_mono_ns(). */
#define MBEDTLS_ERROR_C         /* readable error text (err_str); ~14 KB of strings */

/* ---- randomness ---- */
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_CTR_DRBG_C

/* ---- symmetric crypto and hashes ---- */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES /* tables in flash, not 8 KB of RAM filled at start */
#define MBEDTLS_AESNI_C        /* used only on x86-64 hosts */
#define MBEDTLS_AESCE_C        /* Armv8 crypto extensions, detected at run time */
#define MBEDTLS_GCM_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_HKDF_C /* TLS 1.3 key schedule (PSA HKDF follows it) */

/* ---- public key: ECDHE/ECDSA on P-256, RSA (PKCS#1 v1.5, and PSS for TLS 1.3) ---- */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
/* Without it the default signature_algorithms list has no rsa_pss_rsae_*: TLS 1.3 with an
 * RSA certificate would fail to negotiate. */
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_OID_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C

/* ---- certificates (PEM files) ---- */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_BASE64_C

/* ---- PSA crypto: TLS 1.3 does its own crypto through PSA (mechanisms follow the legacy
 * options above, MBEDTLS_PSA_CRYPTO_CONFIG is off); no key storage. ---- */
#define MBEDTLS_PSA_CRYPTO_C

/* ---- TLS / DTLS ---- */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_PROTO_DTLS
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED /* resumption */
/* Same bytes on the wire as the full config (dummy ChangeCipherSpec, session id). */
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE /* required by TLS 1.3 */
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_ALL_ALERT_MESSAGES /* the peer learns why it was refused */
#define MBEDTLS_SSL_DTLS_HELLO_VERIFY
#define MBEDTLS_SSL_DTLS_ANTI_REPLAY
#define MBEDTLS_SSL_DTLS_CLIENT_PORT_REUSE
#define MBEDTLS_SSL_COOKIE_C
#define MBEDTLS_SSL_SESSION_TICKETS
#define MBEDTLS_SSL_TICKET_C
#define MBEDTLS_SSL_CACHE_C

/* Record buffers. Incoming stays at the protocol maximum: a peer may send 16384-byte records
 * unless a smaller max_fragment_length was negotiated, and then (VARIABLE_BUFFER_LENGTH) the
 * buffers shrink to it after the handshake. Outgoing: our writes are split into 4096-byte
 * records (TLS); a DTLS message must fit one record, so it carries at most 4096 bytes (less
 * when the MTU is smaller). */
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
#define MBEDTLS_SSL_VARIABLE_BUFFER_LENGTH
#define MBEDTLS_SSL_IN_CONTENT_LEN  16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096

/* ---- RAM/flash trade-offs (config-suite-b.h) ---- */
#define MBEDTLS_MPI_MAX_SIZE        384 /* RSA-3072 */
#define MBEDTLS_ECP_WINDOW_SIZE     2   /* less heap per ECC operation, a little slower */
#define MBEDTLS_ENTROPY_MAX_SOURCES 4

#endif
