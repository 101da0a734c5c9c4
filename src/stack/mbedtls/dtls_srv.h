/*
 * dtls_srv.h - the DTLS server of the mbedtls stack (dtls_srv.c): the listening socket,
 * stateless cookies, one client at a time, reconnects from the same address and port.
 */
#ifndef ACKBENCH_DTLS_SRV_H
#define ACKBENCH_DTLS_SRV_H

#include "dtls_conn.h"

/* Cookie callbacks on the config (after tls_ctx_init). */
void dtls_srv_conf(struct dtls_state *s);
/* The next client with a valid cookie (or any, --no-cookie), as a connection on its own
 * connected socket, within timeout_ms (< 0 forever). */
int dtls_srv_accept(struct dtls_state *s, int timeout_ms, struct dtls_conn **out);
/* transport.recv of the server: reconnects and newcomers handled (see dtls_srv.c). */
int dtls_srv_recv(struct dtls_conn *d, uint8_t *buf, size_t cap, int timeout_ms);
/* d is about to be freed: this thread's cookie check no longer looks at it. */
void dtls_srv_forget(const struct dtls_conn *d);
/* The "dtls conns=..." line of the server's counters, on stdout. */
void dtls_srv_report(const struct dtls_state *s);

#endif
