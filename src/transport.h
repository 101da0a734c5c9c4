/*
 * transport.h - the table of functions that swaps plain TCP/UDP for TLS/DTLS once, at
 * start-up (as wrk's struct sock does). The benchmark loop (client.c, server.c) sees only
 * this. Every function returns 0 / a count on success or a negative error (ACK_ERR_* from
 * port.h or a code of the transport's TLS stack); err_str() turns either into text.
 */
#ifndef ACKBENCH_TRANSPORT_H
#define ACKBENCH_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "port.h"

/* Settings a transport may use; filled from the command line. Plain transports use only
 * the first block. */
struct tp_conf {
	int server;          /* 1 on the server side */
	uint32_t timeout_ms; /* bound of one read / one message exchange */
	uint32_t conns;      /* connections the core runs at once, each on its own thread (server
	                      * --max-conns, client --parallel); setup() refuses what it cannot
	                      * serve (docs/robustness.md: "Serving many clients at once"); 0 = 1 */
	const char *prog;    /* program name, for one-line diagnostics on stderr */
	const char *addr;    /* client: --addr as typed (default TLS server name) */
	/* TLS and DTLS */
	const char *ca_file, *cert_file, *key_file;
	const char *server_name; /* expected name in the server certificate (client) */
	const char *tls_version; /* "1.2", "1.3" or NULL to negotiate */
	const char *ciphersuite; /* the stack's suite names, or NULL */
	const char *groups;      /* comma list or NULL */
	const char *key_shares;  /* client: comma list of groups sent a key share, or NULL */
	const char *keylog_file; /* NSS key log output or NULL */
	int resume;              /* client: resume sessions on reconnect */
	int no_cookie;           /* DTLS server: no HelloVerifyRequest */
	uint32_t hs_timeout[2];  /* DTLS handshake retransmission timer min,max (ms) */
	uint32_t mtu;            /* DTLS path MTU */
	uint32_t hs_deadline_ms; /* whole-handshake bound */
	/* pre-shared key authentication instead of certificates (NULL: certificates) */
	const char *psk_hex, *psk_file; /* the key, as hex on the command line or in a file */
	const char *psk_identity;       /* NULL: "ackbench" */
	const char *psk_mode;           /* "psk", "psk-dhe" or NULL (psk-dhe) */
	/* TLS 1.3 early data (0-RTT): a client (with resume) sends its request in its first
	 * flight of a resumed connection; a server accepts it (SEC_EARLY_MAX bytes) */
	int early_data;
	/* raw public keys (RFC 7250): the peer's public key pinned (PEM file), NULL: none */
	const char *rpk_file;
	int chain; /* default credentials: certs/chain-*: a leaf issued by an intermediate CA */
	int cid;   /* DTLS 1.2 Connection ID (RFC 9146): the server gives one, the client asks */
};

/* tp_info.early: what became of a connection's early data. */
#define TP_EARLY_NONE     0 /* none offered (not resumed, or the ticket allowed none) */
#define TP_EARLY_ACCEPTED 1 /* offered and accepted (server: received) */
#define TP_EARLY_REJECTED 2 /* offered and rejected: the client sends it again after */

/* Per-connection facts beyond timing, for the result files. */
struct tp_info {
	uint32_t hs_tx_bytes, hs_rx_bytes; /* wire bytes during the handshake */
	uint32_t hs_retrans;               /* handshake retransmissions (DTLS) */
	uint32_t tcp_retrans;              /* TCP segments this side retransmitted during the
	                                    * message (to the end of its ack; TCP_INFO) */
	int resumed;                       /* 1 when the session was resumed */
	uint64_t cookie_ns;                /* DTLS client: handshake start .. HelloVerifyRequest
	                                    * received (the cookie round trip), 0 = none */
	const char *auth;                  /* negotiated: "cert", "psk", "psk-dhe"; NULL plain */
	int early;                         /* TP_EARLY_*: the connection's early data */
	uint32_t early_bytes;              /* bytes of it accepted (server: received) */
	char cid[17];                      /* DTLS: the Connection ID the server chose, hex;
	                                    * "" = none negotiated */
};

struct timeline;
struct stack;

/* Optional result columns a transport fills (CSV/JSON), transport.cols. */
#define TP_COL_COOKIE      1u /* cookie_us: the DTLS cookie round trip (tp_info.cookie_ns) */
#define TP_COL_TCP_RETRANS 2u /* tcp_retrans: TCP retransmissions (tp_info.tcp_retrans) */
#define TP_COL_AUTH        4u /* auth: the negotiated authentication (tp_info.auth) */
#define TP_COL_EARLY       8u /* early: with --early-data, the message's early data (TLS) */

struct transport {
	const char *name; /* "tcp", "udp", "tls", "dtls" */
	int datagram;     /* 1: each message is one datagram/record */
	uint16_t default_port;
	const char *default_sizes; /* sweep when -s is not given (clamped to max_msg) */
	const struct opt *opts;    /* extra options of a plain transport, or NULL */
	/* Secure transports: the TLS stack behind them (stack.h); their options are
	 * sec_opts.h's table. NULL for tcp/udp. */
	const struct stack *stack;
	unsigned cols; /* TP_COL_* it fills */

	/* Once per process: certificates, RNG, config. *state is passed to the others. */
	int (*setup)(const struct tp_conf *conf, void **state);
	void (*teardown)(void *state);
	/* Largest message (request or reply) one send can carry to peer; 0 = no limit. */
	uint32_t (*max_msg)(void *state, const struct port_addr *peer);

	/* Client: new connection to peer (the "connect" phase). */
	int (*dial)(void *state, const struct port_addr *peer, void **conn);
	/* Server. listen() binds; accept() waits up to timeout_ms (<0 forever). */
	int (*listen)(void *state, const struct port_addr *bind, uint16_t *port);
	int (*accept)(void *state, int timeout_ms, void **conn);
	/* Both sides: security handshake (0 at once for plain transports). */
	int (*handshake)(void *conn);
	/* Optional, client (TLS 1.3 --early-data): the handshake, sending buf as early data
	 * where the resumed session allows it. Returns how many bytes of buf the server
	 * accepted as early data (0: none, the caller sends buf after the handshake; less than
	 * len: the caller sends the rest) or an error; info() tells offered/accepted/rejected. */
	int (*handshake_early)(void *conn, const uint8_t *buf, size_t len);
	/* Sends all of buf (one datagram/record on datagram transports). Returns 0. */
	int (*send)(void *conn, const uint8_t *buf, size_t len);
	/* Receives what is there, waiting up to timeout_ms: > 0 bytes (a whole datagram on
	 * datagram transports), ACK_ERR_EOF on an orderly close, ACK_ERR_TIMEOUT, or error. */
	int (*recv)(void *conn, uint8_t *buf, size_t cap, int timeout_ms);
	/* Orderly close: ends our side, waits (up to timeout_ms) until the peer's end is seen,
	 * then frees conn. Returns 0 or the error seen (conn is freed either way). */
	int (*close)(void *conn, int timeout_ms);
	/* Frees conn at once without the orderly exchange. */
	void (*abort)(void *conn);
	/* Optional (may be NULL): per-connection facts, and a one-line description of the
	 * negotiated parameters ("TLSv1.3 TLS1-3-AES-128-GCM-SHA256 secp256r1"). */
	void (*info)(void *conn, struct tp_info *out);
	void (*describe)(void *conn, char *buf, size_t len);
	/* Optional: peer address of conn (for server logs). */
	void (*peer)(void *conn, char *buf, size_t len);
	/* Optional, server: how many times its request's size a reply may be (0 = no limit).
	 * Plain UDP peers never prove their address, so a larger reply could be reflected at a
	 * forged source (udp: 1 unless --amplify). Connections and DTLS cookies prove it. */
	uint32_t (*amplify)(void *state);
	/* Optional (TLS, DTLS): hands every record conn moves from now on to tl
	 * (timeline_io), NULL to stop; tl stays the caller's. state_name names the stack's
	 * handshake states in tl's rows (may be NULL). */
	void (*timeline)(void *conn, struct timeline *tl);
	const char *(*state_name)(int state);
	/* Optional (stream transports): segments conn's TCP connection retransmitted so far
	 * (port_tcp_retrans); 0 or an error. */
	int (*tcp_retrans)(void *conn, uint32_t *n);
};

extern const struct transport tp_tcp, tp_udp, tp_tls, tp_dtls;

#endif
