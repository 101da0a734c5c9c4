/*
 * ossl_err.h - the text of the openssl stack's failures: OSSL_ERR_LIB is the code, the
 * text is kept per thread at the failure (connections run on several threads with
 * --max-conns and --parallel; OpenSSL's error queue is per thread too).
 */
#ifndef ACKBENCH_OSSL_ERR_H
#define ACKBENCH_OSSL_ERR_H

#define OSSL_ERR_LIB (-0x18001) /* an OpenSSL failure: text in ossl_err_text() */

/* Keeps "OpenSSL: <what>: <the queue's most specific error>" (and empties the queue);
 * returns OSSL_ERR_LIB. */
int ossl_err_keep(const char *what);
/* Keeps text as it is; returns OSSL_ERR_LIB. */
int ossl_err_say(const char *text);
/* The text kept last on this thread. */
const char *ossl_err_text(void);

#endif
