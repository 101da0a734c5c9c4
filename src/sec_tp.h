/*
 * sec_tp.h - the tls and dtls transports (transport.h) of every stack, built here once
 * from what a stack gives in struct sec_ops: its per-process state and its per-connection
 * functions. A stack defines sec_tls_ops and sec_dtls_ops (src/stack/README.md); this
 * module does what is the same for all: the tables (names, default ports and sizes), the
 * state's allocation, connect, listen, a stream's accept, peer and timeline.
 */
#ifndef ACKBENCH_SEC_TP_H
#define ACKBENCH_SEC_TP_H

#include <stddef.h>
#include <stdint.h>

#include "sec_ctx.h"
#include "sec_io.h"
#include "transport.h"

struct sec_ops {
	/* Per process: init fills a zeroed state of state_size bytes from conf (refusing what
	 * the stack cannot do with sec_opts_refuse()); on failure it has released what it set
	 * up and returns the error. fini releases a state init filled (a DTLS server prints
	 * its end line first). */
	size_t state_size;
	int (*init)(void *state, const struct tp_conf *conf);
	void (*fini)(void *state);
	/* offsetof the state's listening handle (int): set by listen, closed by fini. */
	size_t lh_offset;
	/* Largest message one send carries (DTLS: one record at --mtu); NULL: no limit. */
	uint32_t (*max_msg)(void *state);
	/* A connection over the connected handle h (owned from here on, also on failure);
	 * peer is its address text. */
	int (*conn_new)(void *state, int h, const char *peer, void **conn);
	/* Server: the stack's own accept (DTLS: cookies on the listening socket); NULL: a
	 * stream's (port_accept, then conn_new). */
	int (*accept)(void *state, int timeout_ms, void **conn);
	/* As transport.h's functions of the same names. */
	int (*handshake)(void *conn);
	/* Client --early-data (transport.h's handshake_early); NULL: the stack has none. */
	int (*handshake_early)(void *conn, const uint8_t *buf, size_t len);
	int (*send)(void *conn, const uint8_t *buf, size_t len);
	int (*recv)(void *conn, uint8_t *buf, size_t cap, int timeout_ms);
	int (*close)(void *conn, int timeout_ms);
	void (*abort)(void *conn);
	/* transport.info and .describe are sec_info() and sec_describe() (sec_ctx.h) of what
	 * these give: the handshake's retransmissions (NULL: none), and the context, the
	 * library's version and suite names and, on a client, the server certificate's key. */
	uint32_t (*retrans)(void *conn);
	void (*names)(void *conn, struct sec_names *out);
	/* The connection's sec_io and its peer's address text. */
	struct sec_io *(*io)(void *conn);
	const char *(*peer)(void *conn);
	const char *(*state_name)(int state); /* timeline rows' state names, or NULL */
};

/* The stack's (src/stack/<name>/). */
extern const struct sec_ops sec_tls_ops, sec_dtls_ops;

/* DTLS settings every stack reads alike: the retransmission timer's first and last
 * timeout (--hs-timeout, default 500, 8000 ms: LAN values) and the largest datagram
 * (--mtu, default 1400: 1500-byte Ethernet - IPv6 (40) - UDP (8), 52 bytes spare). */
void sec_dtls_conf(const struct tp_conf *conf, uint32_t *hs_min_ms, uint32_t *hs_max_ms,
                   uint16_t *mtu);

#endif
