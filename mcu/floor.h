/*
 * floor.h - the crypto floor of one handshake side: what its public-key operations cost on
 * their own, on the same clock, with the same keys and build. A P-256 mutual-auth side does
 * one ECDHE key generation, one shared-secret computation, one signature and two
 * verifications (the peer's certificate, the peer's handshake signature); with RSA
 * certificates the ECDHE stays P-256 and the signature and verifications are RSA. Printed
 * as a "floor ..." line per key type, and the symmetric per-KiB costs as "floor_sym ...".
 */
#ifndef ACKBENCH_MCU_FLOOR_H
#define ACKBENCH_MCU_FLOOR_H

#include "hs.h"

/* Measures and prints the floor of key type key with cred's key and certificate. 0 or an
 * Mbed TLS error. */
int floor_pk(const char *key, struct hs_cred *cred, struct hs_env *env);
/* SHA-256 and AES-128-GCM over 4 KiB: instructions per KiB. 0 or an Mbed TLS error. */
int floor_sym(struct hs_env *env);

#endif
