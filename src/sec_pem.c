/* sec_pem.c - see sec_pem.h. */
#include "sec_pem.h"

#include <stdio.h>
#include <string.h>

#define PEM_MAX 16384 /* ML-DSA-87 certificates are about 7.5 KB of DER */

static int b64(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

int sec_der_mldsa(const unsigned char *der, size_t n)
{
	/* id-ml-dsa-44: 06 09 60 86 48 01 65 03 04 03 11 (-65: 12, -87: 13) */
	static const unsigned char oid[] = { 0x06, 0x09, 0x60, 0x86, 0x48,
		                             0x01, 0x65, 0x03, 0x04, 0x03 };
	size_t i;

	for (i = 0; der != NULL && i + sizeof(oid) < n; i++)
		if (memcmp(der + i, oid, sizeof(oid)) == 0 && der[i + sizeof(oid)] >= 0x11 &&
		    der[i + sizeof(oid)] <= 0x13)
			return der[i + sizeof(oid)] == 0x11   ? 44
			       : der[i + sizeof(oid)] == 0x12 ? 65
			                                      : 87;
	return 0;
}

int sec_pem_mldsa(const char *path)
{
	unsigned char der[PEM_MAX];
	char line[128];
	size_t n = 0;
	unsigned acc = 0, bits = 0;
	int in = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL && n < sizeof(der)) {
		const char *p;

		if (strncmp(line, "-----BEGIN ", 11) == 0) {
			in = 1;
			continue;
		}
		if (strncmp(line, "-----END ", 9) == 0)
			break;
		for (p = line; in && *p != '\0' && n < sizeof(der); p++) {
			int v = b64((unsigned char)*p);

			if (v < 0)
				continue;
			acc = (acc << 6) | (unsigned)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				der[n++] = (unsigned char)(acc >> bits);
			}
		}
	}
	fclose(f);
	return sec_der_mldsa(der, n);
}
