/*
 * creds.h - the certificates and keys compiled into the image. The definitions are
 * generated at build time from generated certificate directories (certs/ of
 * scripts/gen-certs.sh, and one more set per extra key type) by scripts/mcu-creds.sh into
 * build/<target>-<config>/mcu/creds.c: no key is ever committed. PEM text, NUL-terminated
 * (mbedtls_x509_crt_parse / mbedtls_pk_parse_key take the NUL in their length).
 * The PSK build (CONFIG=mcu-psk, no X.509) fills the same fields from scripts/mcu-psk.sh:
 * type and the *_crt fields are the mode ("psk" or "psk-dhe"), ca the PSK identity, the
 * *_key fields the key as 64 hex digits (a key drawn per build; the rogue ones another).
 */
#ifndef ACKBENCH_MCU_CREDS_H
#define ACKBENCH_MCU_CREDS_H

struct mcu_cred_set {
	const char *type; /* ec256, rsa2048, rsa3072 (certs.info "type=") */
	const char *ca;
	const char *server_crt, *server_key;
	const char *client_crt, *client_key;
	const char *rogue_client_crt, *rogue_client_key; /* signed by another CA */
	const char *rogue_server_crt, *rogue_server_key;
};

extern const struct mcu_cred_set mcu_cred_sets[];
extern const unsigned mcu_cred_count;

#endif
