/*
 * wolf_why.h - why a wolfSSL handshake failed, in the words the other stacks use
 * (wolf_why.c), for wolf_conn.c:
 *   the refused peer certificate  the verify callback remembers the first error of the
 *                                 chain, wolf_why_verify() prints the reason once;
 *   no group in common            a TLS 1.3 server whose groups the ClientHello has none
 *                                 of (wolfSSL then asks for one of its own, RFC 8446 4.1.4
 *                                 allows only the client's): named both sides' groups.
 */
#ifndef ACKBENCH_WOLF_WHY_H
#define ACKBENCH_WOLF_WHY_H

#include "wolf_conn.h"

/* wolfSSL_set_verify's callback: remembers the first refused certificate in the
 * wolf_conn of the WOLFSSL's ex data 0; returns ok. */
int wolf_why_verify_cb(int ok, WOLFSSL_X509_STORE_CTX *st);
/* After the handshake failed with wolfSSL error e: prints why the peer's certificate was
 * refused, if it was (a client each distinct reason once). */
void wolf_why_verify(struct wolf_conn *c, int e);
/* After a TLS server's handshake failed with e: 1 when the ClientHello had no group in
 * common with ours (the text for wolf_why_no_group_text set, the fatal alert sent when
 * wolfSSL sent none), else 0. */
int wolf_why_no_group(struct wolf_conn *c, int e);
/* The text of WOLF_ERR_NO_GROUP last reported on this thread. */
const char *wolf_why_no_group_text(void);

#endif
