/*
 * wolf_io.h - a wolf_conn's IO level (wolf_io.c): wolfSSL's receive and send callbacks
 * (wolfSSL_SSLSetIORecv/IOSend) calling sec_io.h and nothing else, so byte counts,
 * deadlines and the sniffed group are the same code as every other stack's; on DTLS they
 * drive the retransmission timer (wolf_timer.h) and count resends in c->retrans. A TLS
 * server keeps the first bytes received (c->hello: the ClientHello, for wolf_why.h).
 */
#ifndef ACKBENCH_WOLF_IO_H
#define ACKBENCH_WOLF_IO_H

#include "wolf_conn.h"

/* Sets c->ssl's IO callbacks to c->io; on a datagram connection starts the timer, sets
 * wolfSSL's non-blocking mode and keeps wolfSSL's own timer (whole seconds) from ever
 * giving up before ours. */
void wolf_io_attach(struct wolf_conn *c);

#endif
