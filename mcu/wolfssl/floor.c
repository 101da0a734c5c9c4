/* floor.c - the crypto floor of mcu/tls.h on wolfSSL: each public-key operation of a side
 * alone (median of three), same build and keys: P-256 ECDHE and ECDSA ("floor" line, as on
 * Mbed TLS), X25519 ("floor_kex") and ML-KEM-768 key generation, encapsulation and
 * decapsulation ("floor_kem": the client generates and decapsulates, the server
 * encapsulates; compared with pqm4's published Cortex-M4 figures in docs/mcu.md). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "port.h"
#include "tls.h"
#include "wolfssl/wolfcrypt/aes.h"
#include "wolfssl/wolfcrypt/asn_public.h"
#include "wolfssl/wolfcrypt/curve25519.h"
#include "wolfssl/wolfcrypt/ecc.h"
#include "wolfssl/wolfcrypt/sha256.h"
#include "wolfssl/wolfcrypt/wc_mlkem.h"

#ifndef PRIu64
#define PRIu64 "llu" /* newlib leaves it out, see hs.h */
#endif

#define RUNS 3

static uint64_t median3(uint64_t t[RUNS])
{
	uint64_t a = t[0], b = t[1], c = t[2];

	return a > b ? (b > c ? b : (a > c ? c : a)) : (a > c ? a : (b > c ? c : b));
}

/* t += the instructions since t0 (port_mono_ns under -icount shift=0). */
#define LAP(t, t0) ((t) = port_mono_ns() - (t0))

static int floor_ecc(const char *key, struct tls_cred *cred, struct tls_env *env)
{
	__attribute__((section(".noinit"))) static unsigned char der[1024];
	unsigned char hash[32], sig[80], z[32];
	uint64_t t[4][RUNS], t0;
	word32 idx = 0, zlen, slen;
	ecc_key mine, peer, own;
	int i, r, der_len, verified = 0;

	memset(hash, 0x5a, sizeof(hash));
	wc_ecc_init(&mine);
	wc_ecc_init(&peer);
	wc_ecc_init(&own);
	der_len = wc_KeyPemToDer((const unsigned char *)cred->key, (int)strlen(cred->key), der,
	                         sizeof(der), NULL);
	r = der_len > 0 ? wc_EccPrivateKeyDecode(der, &idx, &own, (word32)der_len) : der_len;
	/* The peer's public key, made outside the measurement. */
	if (r == 0)
		r = wc_ecc_make_key_ex(&env->rng, 32, &peer, ECC_SECP256R1);
	for (i = 0; i < RUNS && r == 0; i++) {
		wc_ecc_free(&mine);
		wc_ecc_init(&mine);
		wc_ecc_set_rng(&mine, &env->rng);
		t0 = port_mono_ns();
		r = wc_ecc_make_key_ex(&env->rng, 32, &mine, ECC_SECP256R1);
		LAP(t[0][i], t0);
		zlen = sizeof(z);
		t0 = port_mono_ns();
		if (r == 0)
			r = wc_ecc_shared_secret(&mine, &peer, z, &zlen);
		LAP(t[1][i], t0);
		slen = sizeof(sig);
		t0 = port_mono_ns();
		if (r == 0)
			r = wc_ecc_sign_hash(hash, sizeof(hash), sig, &slen, &env->rng, &own);
		LAP(t[2][i], t0);
		t0 = port_mono_ns();
		if (r == 0)
			r = wc_ecc_verify_hash(sig, slen, hash, sizeof(hash), &verified, &own);
		LAP(t[3][i], t0);
		if (r == 0 && !verified)
			r = SIG_VERIFY_E;
	}
	if (r == 0)
		printf("floor key=%s ecdhe_gen=%" PRIu64 " ecdhe_shared=%" PRIu64 " sign=%" PRIu64
		       " verify=%" PRIu64 " side=%" PRIu64 "\n",
		       key, median3(t[0]), median3(t[1]), median3(t[2]), median3(t[3]),
		       median3(t[0]) + median3(t[1]) + median3(t[2]) + 2 * median3(t[3]));
	wc_ecc_free(&own);
	wc_ecc_free(&peer);
	wc_ecc_free(&mine);
	return r;
}

static int floor_x25519(struct tls_env *env)
{
	curve25519_key mine, peer;
	unsigned char z[32];
	uint64_t t[2][RUNS], t0;
	word32 zlen;
	int i, r;

	wc_curve25519_init(&mine);
	wc_curve25519_init(&peer);
	r = wc_curve25519_make_key(&env->rng, 32, &peer);
	for (i = 0; i < RUNS && r == 0; i++) {
		t0 = port_mono_ns();
		r = wc_curve25519_make_key(&env->rng, 32, &mine);
		LAP(t[0][i], t0);
		zlen = sizeof(z);
		t0 = port_mono_ns();
		if (r == 0)
			r = wc_curve25519_shared_secret(&mine, &peer, z, &zlen);
		LAP(t[1][i], t0);
	}
	if (r == 0)
		printf("floor_kex group=x25519 gen=%" PRIu64 " shared=%" PRIu64 "\n", median3(t[0]),
		       median3(t[1]));
	wc_curve25519_free(&peer);
	wc_curve25519_free(&mine);
	return r;
}

static int floor_mlkem(struct tls_env *env)
{
	__attribute__((section(".noinit"))) static MlKemKey key;
	__attribute__((section(".noinit"))) static unsigned char ct[WC_ML_KEM_768_CIPHER_TEXT_SIZE];
	unsigned char ss[WC_ML_KEM_SS_SZ], ss2[WC_ML_KEM_SS_SZ];
	uint64_t t[3][RUNS], t0;
	int i, r;

	r = wc_MlKemKey_Init(&key, WC_ML_KEM_768, NULL, INVALID_DEVID);
	for (i = 0; i < RUNS && r == 0; i++) {
		t0 = port_mono_ns();
		r = wc_MlKemKey_MakeKey(&key, &env->rng);
		LAP(t[0][i], t0);
		t0 = port_mono_ns();
		if (r == 0)
			r = wc_MlKemKey_Encapsulate(&key, ct, ss, &env->rng);
		LAP(t[1][i], t0);
		t0 = port_mono_ns();
		if (r == 0)
			r = wc_MlKemKey_Decapsulate(&key, ss2, ct, sizeof(ct));
		LAP(t[2][i], t0);
		if (r == 0 && memcmp(ss, ss2, sizeof(ss)) != 0)
			r = BAD_STATE_E;
	}
	if (r == 0)
		printf("floor_kem group=mlkem768 keygen=%" PRIu64 " encaps=%" PRIu64
		       " decaps=%" PRIu64 "\n",
		       median3(t[0]), median3(t[1]), median3(t[2]));
	wc_MlKemKey_Free(&key);
	return r;
}

int floor_pk(const char *key, struct tls_cred *cred, struct tls_env *env)
{
	int r = floor_ecc(key, cred, env);

	if (r == 0)
		r = floor_x25519(env);
	if (r == 0)
		r = floor_mlkem(env);
	return r;
}

int floor_sym(struct tls_env *env)
{
	__attribute__((section(".noinit"))) static unsigned char in[4096], out[4096];
	__attribute__((section(".noinit"))) static Aes aes;
	unsigned char key[16], iv[12], tag[16], md[32];
	uint64_t t[2][RUNS], t0;
	int i, r;

	memset(in, 'A', sizeof(in));
	memset(iv, 0, sizeof(iv));
	r = wc_RNG_GenerateBlock(&env->rng, key, sizeof(key));
	if (r == 0)
		r = wc_AesInit(&aes, NULL, INVALID_DEVID);
	if (r == 0)
		r = wc_AesGcmSetKey(&aes, key, sizeof(key));
	for (i = 0; i < RUNS && r == 0; i++) {
		t0 = port_mono_ns();
		r = wc_Sha256Hash(in, sizeof(in), md);
		LAP(t[0][i], t0);
		t0 = port_mono_ns();
		if (r == 0)
			r = wc_AesGcmEncrypt(&aes, out, in, sizeof(in), iv, sizeof(iv), tag,
			                     sizeof(tag), NULL, 0);
		LAP(t[1][i], t0);
	}
	if (r == 0)
		printf("floor_sym sha256_per_kib=%" PRIu64 " aes128gcm_per_kib=%" PRIu64 "\n",
		       median3(t[0]) / 4, median3(t[1]) / 4);
	wc_AesFree(&aes);
	return r;
}
