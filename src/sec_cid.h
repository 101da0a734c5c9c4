/*
 * sec_cid.h - a DTLS server's Connection IDs (RFC 9146), for every stack: which served
 * connection owns which CID, so that a record carrying one that reaches the listening
 * socket (its client's address or port changed: a NAT rebinding) is handed to that
 * connection instead of being dropped as a stray.
 *
 * The thread that reads the listening socket (sec_listen_next, sec_io.h: the accepting
 * thread of the handshake lobby, or a lone connection watching the listener) routes the
 * record into the owner's box; the owner's thread takes it from there at its next read
 * (sec_io_recv) and hands it to its stack like any datagram. Nothing moves yet: only once
 * the stack has authenticated the record (its MAC, and its sequence number through the
 * replay window) does the connection follow its client (sec_io_move). A record with an
 * unknown CID is dropped and counted, never taken for a handshake.
 * Bounded: SEC_CID_QUEUE records per connection (more are dropped and counted), one box
 * per served connection, every table operation under one mutex.
 */
#ifndef ACKBENCH_SEC_CID_H
#define ACKBENCH_SEC_CID_H

#include <stddef.h>
#include <stdint.h>

#include "port.h"

#define SEC_CID_MAX     8  /* bytes of a CID kept (the servers here give 4) */
#define SEC_CID_QUEUE   4  /* records routed to one connection, not yet read */
#define SEC_CID_POLL_MS 10 /* a connection with a box looks into it this often while waiting */
#define SEC_CID_CT      25 /* the record content type tls12_cid (RFC 9146 4) */

struct sec_cids;

struct sec_cid_rec {
	uint8_t *buf; /* malloc'd datagram */
	size_t len;
	struct port_addr from;
};

/* One served connection's entry (owned by its sec_io, sec_io_cid_serve). */
struct sec_cid_box {
	struct sec_cids *tab;
	struct sec_cid_box *next;
	uint8_t cid[SEC_CID_MAX];
	uint8_t cid_len;
	struct sec_cid_rec q[SEC_CID_QUEUE]; /* oldest first */
	_Atomic unsigned n;
	struct port_addr peer;     /* where the connection's socket sends now */
	struct port_addr moved_to; /* the last datagram read came from the box, from here */
	int moved;
};

/* The table: one per listening socket. */
struct sec_cids {
	struct port_mutex *lock;
	const char *prog;
	struct sec_cid_box *head;
	uint32_t routed;  /* records handed to their connection */
	uint32_t unknown; /* records with a CID no connection owns: dropped */
	uint32_t full;    /* records whose connection's box was full: dropped */
};

/* 0 or ACK_ERR_NOMEM. */
int sec_cids_init(struct sec_cids *t, const char *prog);
void sec_cids_free(struct sec_cids *t);
/* A datagram of n bytes from the listening socket lh whose first bytes (hdr, hlen) were
 * peeked: a tls12_cid record? Then it is read off lh and routed to its CID's owner, or
 * dropped and counted (unknown CID, full box): 1. Any other record: 0, left on lh. */
int sec_cids_route(struct sec_cids *t, int lh, const uint8_t *hdr, size_t hlen, int n);

/* Registers a box for cid (len <= SEC_CID_MAX) in t, the connection's peer being peer
 * (a box already registered gets the new CID: a new handshake on the connection).
 * *box is allocated if NULL. 0 or ACK_ERR_NOMEM. */
int sec_cid_register(struct sec_cids *t, struct sec_cid_box **box, const uint8_t *cid, size_t len,
                     const struct port_addr *peer);
/* Unregisters and frees the box and what it holds (NULL: nothing). */
void sec_cid_unregister(struct sec_cid_box *box);
/* Takes the oldest routed record into buf (up to len bytes; a longer one is cut):
 * its length (> 0, moved/moved_to set), or 0 when none waits. */
int sec_cid_take(struct sec_cid_box *box, uint8_t *buf, size_t len);
/* Does a routed record wait? (no lock: a look) */
int sec_cid_pending(const struct sec_cid_box *box);

#endif
