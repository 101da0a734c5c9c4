/*
 * ossl_bio.h - the openssl stack's BIOs (ossl_bio.c): OpenSSL's I/O of a connection goes
 * through sec_io.h, and the DTLS server's listening socket is read without waiting.
 */
#ifndef ACKBENCH_OSSL_BIO_H
#define ACKBENCH_OSSL_BIO_H

#include <openssl/bio.h>

struct ossl_conn;
struct ossl_ctx;

/* A BIO over c->io (stream or datagram); for DTLS, the read stops at the
 * retransmission deadline OpenSSL sets (BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT) and says so. */
BIO *ossl_bio_new(struct ossl_conn *c);
/* Both BIO methods, made once in setup (before connections run on several threads). */
int ossl_bio_init(void);
/* The DTLS server's listening BIO: reads datagrams from t->sec.lh (without waiting), writes
 * to the sender of the last one read (DTLSv1_listen's HelloVerifyRequest). */
BIO *ossl_bio_listen(struct ossl_ctx *t);
void ossl_bio_cleanup(void);

#endif
