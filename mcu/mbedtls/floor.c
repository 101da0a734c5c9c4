/* floor.c - see floor.h. Each operation runs three times and the median is printed: the
 * first RSA signature of a key also sets up Mbed TLS's blinding values. */
#include <inttypes.h>

#include <stdio.h>
#include <string.h>

#include "mbedtls/ecdh.h"
#include "mbedtls/gcm.h"
#include "mbedtls/sha256.h"
#include "port.h"
#include "tls.h"

#ifndef PRIu64
#define PRIu64 "llu" /* newlib leaves it out, see hs.h */
#endif

#define RUNS 3

static uint64_t median3(uint64_t t[RUNS])
{
	uint64_t a = t[0], b = t[1], c = t[2];

	return a > b ? (b > c ? b : (a > c ? c : a)) : (a > c ? a : (b > c ? c : b));
}

#if !defined(TLS_PSK_ONLY) /* no signatures in the PSK build: the image skips it */
int floor_pk(const char *key, struct tls_cred *cred, struct tls_env *env)
{
	/* The benchmark's own buffers stay out of .bss (ports/mps2/sections.ld). */
	__attribute__((section(".noinit"))) static unsigned char sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	unsigned char hash[32];
	uint64_t t[4][RUNS], t0;
	mbedtls_ecp_group grp;
	mbedtls_mpi d, dp, z;
	mbedtls_ecp_point q, qp;
	size_t len = 0;
	int i, r = 0;

	memset(hash, 0x5a, sizeof(hash));
	mbedtls_ecp_group_init(&grp);
	mbedtls_mpi_init(&d);
	mbedtls_mpi_init(&dp);
	mbedtls_mpi_init(&z);
	mbedtls_ecp_point_init(&q);
	mbedtls_ecp_point_init(&qp);
	r = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1);
	/* The peer's public key, made outside the measurement. */
	if (r == 0)
		r = mbedtls_ecdh_gen_public(&grp, &dp, &qp, mbedtls_ctr_drbg_random, &env->drbg);
	for (i = 0; i < RUNS && r == 0; i++) {
		t0 = port_mono_ns();
		r = mbedtls_ecdh_gen_public(&grp, &d, &q, mbedtls_ctr_drbg_random, &env->drbg);
		t[0][i] = port_mono_ns() - t0;
		t0 = port_mono_ns();
		if (r == 0)
			r = mbedtls_ecdh_compute_shared(&grp, &z, &qp, &d, mbedtls_ctr_drbg_random,
			                                &env->drbg);
		t[1][i] = port_mono_ns() - t0;
		t0 = port_mono_ns();
		if (r == 0)
			r = mbedtls_pk_sign(&cred->key, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig,
			                    sizeof(sig), &len, mbedtls_ctr_drbg_random, &env->drbg);
		t[2][i] = port_mono_ns() - t0;
		t0 = port_mono_ns();
		if (r == 0)
			r = mbedtls_pk_verify(&cred->crt.pk, MBEDTLS_MD_SHA256, hash, sizeof(hash),
			                      sig, len);
		t[3][i] = port_mono_ns() - t0;
	}
	if (r == 0)
		printf("floor key=%s ecdhe_gen=%" PRIu64 " ecdhe_shared=%" PRIu64 " sign=%" PRIu64
		       " verify=%" PRIu64 " side=%" PRIu64 "\n",
		       key, median3(t[0]), median3(t[1]), median3(t[2]), median3(t[3]),
		       median3(t[0]) + median3(t[1]) + median3(t[2]) + 2 * median3(t[3]));
	mbedtls_ecp_point_free(&qp);
	mbedtls_ecp_point_free(&q);
	mbedtls_mpi_free(&z);
	mbedtls_mpi_free(&dp);
	mbedtls_mpi_free(&d);
	mbedtls_ecp_group_free(&grp);
	return r;
}
#endif

int floor_sym(struct tls_env *env)
{
	__attribute__((section(".noinit"))) static unsigned char in[4096], out[4096];
	unsigned char key[16], iv[12], tag[16], md[32];
	mbedtls_gcm_context gcm;
	uint64_t t[2][RUNS], t0;
	int i, r;

	memset(in, 'A', sizeof(in));
	r = mbedtls_ctr_drbg_random(&env->drbg, key, sizeof(key));
	mbedtls_gcm_init(&gcm);
	if (r == 0)
		r = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 128);
	memset(iv, 0, sizeof(iv));
	for (i = 0; i < RUNS && r == 0; i++) {
		t0 = port_mono_ns();
		r = mbedtls_sha256(in, sizeof(in), md, 0);
		t[0][i] = port_mono_ns() - t0;
		t0 = port_mono_ns();
		if (r == 0)
			r = mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, sizeof(in), iv,
			                              sizeof(iv), NULL, 0, in, out, sizeof(tag),
			                              tag);
		t[1][i] = port_mono_ns() - t0;
	}
	if (r == 0)
		printf("floor_sym sha256_per_kib=%" PRIu64 " aes128gcm_per_kib=%" PRIu64 "\n",
		       median3(t[0]) / 4, median3(t[1]) / 4);
	mbedtls_gcm_free(&gcm);
	return r;
}
