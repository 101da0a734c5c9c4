/*
 * dtls_conn.h - state of the dtls transport, shared by tp_dtls.c (set-up, its sec_ops
 * table), dtls_conn.c (one connection of either side) and dtls_srv.c (the server's
 * listening socket, cookies, reconnects; dtls_srv.h). dtls_conn.c does not call
 * dtls_srv.c: the server hooks its per-datagram work on dtls_conn.on_rx.
 *
 * A DTLS connection is a tls_conn (tls_common.h) over a connected UDP handle, plus the
 * dtls_conn below: the retransmission timer that Mbed TLS drives through
 * mbedtls_ssl_set_timer_cb (on port_mono_ns, so no MBEDTLS_TIMING_C), and what its tap on
 * the connection's sec_io learns from each datagram (retransmissions). The server's
 * flight (cookie round trip, group, resumed) is read by sec_io itself.
 */
#ifndef ACKBENCH_DTLS_CONN_H
#define ACKBENCH_DTLS_CONN_H

#include <stdint.h>

#include "dtls_wire.h"
#include "mbedtls/ssl_cookie.h"
#include "port.h"
#include "tls_common.h"

#define DTLS_PEEK_MAX 4096 /* a ClientHello (with a session ticket) fits */

struct dtls_conn;

struct dtls_state {
	struct tls_ctx t; /* t.sec.lh: the server's listening socket */
	mbedtls_ssl_cookie_ctx cookie;
	int cookies;  /* server: HelloVerifyRequest before any handshake */
	uint16_t mtu; /* largest datagram (UDP payload), as mbedtls_ssl_set_mtu */
	uint32_t hs_min_ms, hs_max_ms;
	uint32_t max_payload; /* largest record payload (message) at mtu */
	uint32_t budget_ms;   /* a client's whole handshake: timer series, --hs-deadline */
	_Atomic int warned;   /* client: computed max_payload above Mbed TLS's, said once */
	unsigned conns_max;   /* server: connections served at once (tp_conf.conns) */
	struct sec_listen dl; /* server: the listening socket's next datagram, strays */
	/* server counters, printed at the end; the accept's (conns, hvr, dl.stray) are counted
	 * under the accept lock, the connections' own (the rest) atomically */
	uint32_t conns, hvr;
	_Atomic uint32_t superseded, reconnects, retrans, retrans_conns;
	_Atomic uint32_t moves; /* --cid: clients that went on from a new address */
	_Atomic uint32_t nocid; /* --cid: sessions whose peer did not negotiate a CID */
	struct sec_cids cids;   /* server, --cid: which connection owns which CID (dl.cids) */
};

struct dtls_conn {
	struct tls_conn *c;
	struct dtls_state *s;
	char cli_id[80];           /* server: peer "ip:port", bound into the cookie */
	struct port_addr cli_addr; /* server: the same, as an address */
	/* timer: fin_ns == 0 = cancelled (mbedtls_timing_set_delay semantics) */
	uint64_t timer_ns, int_ns, fin_ns;
	int expired;            /* a timer expiry not yet followed by a send */
	uint32_t expiries_seen; /* c->timer_expiries already taken into account */
	uint32_t retrans;       /* timer expiries that were followed by a resend */
	/* server (dtls_srv.c): called for every datagram received, and its state */
	void (*on_rx)(struct dtls_conn *d, const uint8_t *buf, size_t n);
	int first_read;          /* no request yet since the (re)handshake */
	uint8_t random[32];      /* this session's ClientHello random */
	uint8_t last_random[32]; /* of the last ClientHello seen after the handshake */
	int dup_hello;           /* that ClientHello was a copy of this session's own */
};

/* dtls_conn.c: wraps the connected handle h (owned from here on, also on failure). */
int dtls_conn_new(struct dtls_state *s, int h, const char *peer, struct dtls_conn **out);
/* Frees d (its tls_conn already freed by tls_conn_close/abort). */
void dtls_conn_free(struct dtls_conn *d);
/* The handshake of either side (timer, MTU, transport id, counters). */
int dtls_conn_handshake(struct dtls_conn *d);
/* A new session from the same peer on d's socket: a handshake after the context was
 * reset, by Mbed TLS itself (reset 0: MBEDTLS_ERR_SSL_CLIENT_RECONNECT, the ClientHello
 * kept) or here (reset 1: after the peer's close_notify). */
int dtls_conn_restart(struct dtls_conn *d, int reset);

#endif
