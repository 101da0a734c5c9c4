/*
 * wolf_dsrv.h - the DTLS state of the wolfssl stack and its server (wolf_dsrv.c): the
 * listening socket, stateless cookies (DTLS 1.3's through wolfSSL: wolf_dsrv13.c), one
 * client at a time, reconnects from the same address and port.
 */
#ifndef ACKBENCH_WOLF_DSRV_H
#define ACKBENCH_WOLF_DSRV_H

#include <stdint.h>

#include "dtls_wire.h"
#include "wolf_conn.h"

#define WOLF_PEEK_MAX 4096 /* a ClientHello (with a session ticket) fits */

struct wolf_dstate {
	struct wolf_ctx t;    /* first: a wolf_conn's t points here; t.sec.lh listens */
	uint16_t mtu;         /* largest datagram (UDP payload), wolfSSL_CTX_dtls_set_mtu */
	uint32_t max_payload; /* largest record payload (message) at mtu */
	uint32_t budget_ms;   /* a client's whole handshake: timer series, --hs-deadline */
	uint8_t key[32];      /* server: cookie key (per-client cookie secrets derive from it) */
	unsigned conns_max;   /* server: connections served at once (tp_conf.conns) */
	struct sec_listen dl; /* server: the listening socket's next datagram, strays */
	/* DTLS 1.3 server: the listener's WOLFSSL (wolf_dsrv13.c), the sender of the datagram
	 * it reads, and whether it read it */
	WOLFSSL *lssl;
	struct port_addr l_from;
	int l_given;
	/* server counters, printed at the end; the accept's (conns, hvr, dl.stray) are counted
	 * under the accept lock, the connections' own (the rest) atomically */
	uint32_t conns, hvr;
	_Atomic uint32_t superseded, reconnects, retrans, retrans_conns;
	_Atomic uint32_t moves; /* --cid: clients that went on from a new address */
	_Atomic uint32_t nocid; /* --cid: sessions whose peer did not negotiate a CID */
	struct sec_cids cids;   /* server, --cid: which connection owns which CID (dl.cids) */
};

struct wolf_dsc {             /* c->dtls of a server connection */
	char cli_id[80];      /* "ip:port", bound into the cookie */
	struct port_addr cli; /* the client's address (--cid: where it moved) */
	uint8_t secret[32];   /* this client's cookie secret */
	uint8_t random[32];   /* the session's ClientHello random */
	uint8_t next[32];     /* of a new ClientHello queued on the socket (hello_queued) */
	int first_read;       /* no request yet since the (re)handshake */
};

int wolf_dsrv_init(struct wolf_dstate *s);
/* The cookie secret of client id ("ip:port"): HMAC(s->key, id). 0 or an error. */
int wolf_dsrv_secret(const struct wolf_dstate *s, const char *id, uint8_t out[32]);
/* DTLS 1.3 (wolf_dsrv13.c): the next client whose ClientHello carried our cookie, on its
 * adopted socket (its "ip:port" in peer); 0, or an error with *out still to be freed when
 * set. wolf_dsrv13_free() frees the listener's WOLFSSL. */
int wolf_dsrv13_accept(struct wolf_dstate *s, int timeout_ms, struct wolf_conn **out, char *peer,
                       size_t peer_len);
void wolf_dsrv13_free(struct wolf_dstate *s);
int wolf_dsrv_accept(struct wolf_dstate *s, int timeout_ms, struct wolf_conn **out);
int wolf_dsrv_handshake(struct wolf_conn *c);
int wolf_dsrv_recv(struct wolf_conn *c, uint8_t *buf, size_t cap, int timeout_ms);
void wolf_dsrv_report(const struct wolf_dstate *s);

/* wolf_cid.c (--cid, RFC 9146, DTLS 1.2). conf: on a new WOLFSSL of c, the extension
 * (a server's own random SEC_CID_LEN-byte CID, a client's empty one). note: after the
 * handshake, the CID the server chose into c->io (a line when the peer agreed to none),
 * and on a server the connection's entry in the CID table. move: a server's record from
 * the CID table that wolfSSL authenticated (wolf_dsrv_recv): the connection follows its
 * client. init/free: a server's CID table. 0 or an error. */
int wolf_cid_conf(struct wolf_conn *c);
int wolf_cid_note(struct wolf_conn *c);
void wolf_cid_move(struct wolf_conn *c);
int wolf_cid_init(struct wolf_dstate *s);
void wolf_cid_free(struct wolf_dstate *s);

#endif
