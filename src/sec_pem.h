/*
 * sec_pem.h - what a PEM file holds, for refusing what a stack cannot load in words the
 * user can act on (a stack without ML-DSA otherwise reports an unknown format). No TLS
 * library header here.
 */
#ifndef ACKBENCH_SEC_PEM_H
#define ACKBENCH_SEC_PEM_H

#include <stddef.h>

/* 44, 65 or 87 when the first PEM object of path (a certificate or a PKCS#8 key) holds
 * the ML-DSA algorithm identifier of that level (FIPS 204, OIDs 2.16.840.1.101.3.4.3.17
 * to .19), else 0 (also when path cannot be read). */
int sec_pem_mldsa(const char *path);
/* The same for a DER object of n bytes (its first ML-DSA algorithm identifier). */
int sec_der_mldsa(const unsigned char *der, size_t n);

#endif
