/*
 * sec_io.h - the stack-neutral I/O of one TLS/DTLS connection. Every stack's BIO/IO
 * callbacks (Mbed TLS mbedtls_ssl_set_bio, OpenSSL BIO_meth_*, wolfSSL IORecv/IOSend) call
 * sec_io_send()/sec_io_recv() and nothing else, so that for every stack, in one code path:
 *   - bytes move through port_send()/port_recv() (ports/), on the connection's handle;
 *   - every read gives up at io->deadline_ns (the whole handshake, one recv, the close), so
 *     a peer trickling one byte at a time cannot hold a handshake past --hs-deadline;
 *   - the handshake's wire bytes are counted both ways (between sec_io_hs_begin/end);
 *   - the server's handshake flight is read from the wire: tls_sniff (streams) or
 *     dtls_sniff (datagrams) learn the group, resumed, HelloRetryRequest/HelloVerifyRequest
 *     without any library getter;
 *   - the handshake timeline (timeline.h, --timeline) is handed every record/datagram moved
 *     (timeline_io: direction, bytes, monotonic time, in-handshake, the stack's state);
 *     a stack's own DTLS code has a tap of its own beside it (retransmissions).
 * No TLS library header here. Returns: > 0 bytes; SEC_IO_EOF (stream closed); SEC_IO_TIMER
 * (the stack's own per-read limit, e.g. its DTLS retransmission timer, ran out);
 * ACK_ERR_TIMEOUT (our deadline passed; also kept in io->err); another ACK_ERR_* (kept in
 * io->err). A stack maps these onto its callback's codes and reports io->err (the port's
 * error says more than the library's "recv failed") with sec_io_take_err().
 */
#ifndef ACKBENCH_SEC_IO_H
#define ACKBENCH_SEC_IO_H

#include <stddef.h>
#include <stdint.h>

#include "dtls_wire.h"
#include "port.h"
#include "sec_cid.h"
#include "tls_pskid.h"
#include "tls_sniff.h"

#define SEC_IO_FOREVER UINT64_MAX
#define SEC_IO_EOF     0 /* stream: the peer closed (without close_notify, to the library) */
#define SEC_IO_TIMER   (-0x10100) /* the limit_ms of sec_io_recv() ran out */

struct timeline;

/* A server connection that gives way (a DTLS server serving one connection at a time):
 * while it waits for its peer, the listening handle lh is watched too; once newcomer(arg)
 * says a new client waits there (it drops what is not one), the connection ends with
 * ACK_ERR_GAVE_WAY (and *count + 1) when its peer has been silent for idle_ms, one
 * handshake timer, since the last bytes it sent. lh < 0: never gives way. */
struct sec_give_way {
	int lh;
	uint32_t idle_ms;
	int (*newcomer)(void *arg);
	void *arg;
	_Atomic uint32_t *count;
};

/* A server thread's say in giving way, when the server core runs more handshakes than it
 * serves connections (a TLS or DTLS server's handshake lobby, src/srvlobby.h). Set per thread
 * (sec_io_yield); then sec_io_wait, on a server connection of that thread, watches no
 * listener (gw.lh is -1) but asks, once its peer has been silent long enough:
 *   - answered (its peer sent more than ClientHellos), silent gw.idle_ms: waiting(arg), is
 *     a connection that finished its handshake waiting for a place? 1: ACK_ERR_GAVE_WAY;
 *   - not answered yet, silent SEC_PENDING_MS since our first flight: claim(arg), does
 *     every thread hold a connection, none accepting, and is this the one to go (its flight
 *     the oldest)? 1: ACK_ERR_PUSHED_OUT.
 * The accepting thread asks shunned(arg, from) of each ClientHello with a cookie: 1 drops
 * it (a peer that went silent in a handshake of ours, deprioritised for a while). */
#define SEC_PENDING_MS  50  /* a client on loopback or a LAN answers our flight well within */
#define SEC_YIELD_SLICE 10  /* ms between two looks, once a look is due */
#define SEC_YIELD_STOP  100 /* ms: a stop (SIGINT, SIGTERM) is seen within */
struct sec_yield {
	int (*waiting)(void *arg);
	int (*claim)(void *arg);
	int (*shunned)(void *arg, const struct port_addr *from);
	void *arg;
	int answered; /* set by sec_io: this thread's connection's peer answered */
	/* set by sec_io: while the connection waits for its peer's first answer, when our
	 * first flight went out (port_mono_ns; 0: none goes out or it answered) */
	_Atomic uint64_t flight_ns;
	struct port_addr peer; /* set by sec_listen_next: the last ClientHello's sender */
};

/* tx: 1 sent by us, 0 received; buf[0..n) the bytes moved in one call (a datagram on DTLS,
 * a part of the stream on TLS); mono_ns: port_mono_ns() right after the move. */
typedef void (*sec_io_tap_fn)(void *arg, int tx, const uint8_t *buf, size_t n, uint64_t mono_ns);

struct sec_io {
	int h;                   /* port handle, owned: closed by sec_io_close() */
	int server, datagram;    /* our side; DTLS */
	int in_hs;               /* between sec_io_hs_begin and sec_io_hs_end */
	int err;                 /* the port error behind the last failed call, or 0 */
	uint64_t deadline_ns;    /* reads give up at this port_mono_ns() time */
	uint64_t hs_start_ns;    /* sec_io_hs_begin() time of the first handshake */
	uint32_t hs_tx, hs_rx;   /* handshake bytes on the wire */
	uint32_t timer_expiries; /* reads ended by limit_ms (SEC_IO_TIMER) */
	uint64_t cookie_ns;     /* DTLS client: hs start .. HelloVerifyRequest received, 0 = none */
	struct tls_sniff sniff; /* stream: the server-to-client flight */
	struct dtls_sniff dsniff; /* datagram: the server's flight, as the client gets it */
	struct tls_pskid pskid;   /* stream: the client's ClientHello's PSK identities */
	/* The stack's own tap (e.g. its DTLS code counting retransmissions), optional. */
	sec_io_tap_fn stack_tap;
	void *stack_arg;
	/* The neutral hook: --timeline's rows for this connection (transport.timeline sets
	 * it; NULL = none, not owned), with the stack's handshake state at each move
	 * (hs_state(state_arg), optional: -1 without). */
	struct timeline *tl;
	int (*hs_state)(void *state_arg);
	void *state_arg;
	struct sec_give_way gw; /* lh = -1: none (sec_io_give_way) */
	uint64_t active_ns;     /* with gw: the peer's last bytes (or sec_io_give_way) */
	int answered;           /* server: the peer sent more than ClientHellos */
	int flight;             /* server: our first flight went out */
	int early;              /* TP_EARLY_*: the stack's early data outcome (TLS 1.3) */
	uint32_t early_bytes;   /* accepted (client) / received (server) early data bytes */
	/* DTLS 1.2 Connection ID (RFC 9146), set by the stack after the handshake: the CID the
	 * server chose (a server's own, a client's peer's); cid_len 0: none negotiated */
	uint8_t cid[SEC_CID_MAX];
	uint8_t cid_len;
	/* server: the connection's entry in its listener's CID table (sec_io_cid_serve), or
	 * NULL; records routed into it are read before the socket's */
	struct sec_cid_box *cidbox;
};

/* h is the connected handle (owned from here on). */
void sec_io_init(struct sec_io *io, int h, int server, int datagram);
/* Closes the handle (once). */
void sec_io_close(struct sec_io *io);
/* A stream's end after close_notify: our FIN, then the peer's (what it still sends is
 * dropped), up to io->deadline_ns; this connection's teardown is over before the next
 * starts, exactly as tcp's close (tp_plain.c) does, so the close phases compare. 0 or the
 * error seen. */
int sec_io_fin(struct sec_io *io);
/* The handshake starts (or goes on, after a DTLS cookie exchange): deadline = now +
 * deadline_ms; bytes are counted and the flight sniffed until sec_io_hs_end(). */
void sec_io_hs_begin(struct sec_io *io, uint32_t deadline_ms);
void sec_io_hs_end(struct sec_io *io);
/* Forgets the last handshake (counters, sniffers): before a new one on the same
 * connection (a DTLS client reconnecting from the same port). */
void sec_io_hs_reset(struct sec_io *io);
/* --timeline: hands every record/datagram moved from now on to tl (NULL: stop), with
 * the kernel's arrival stamps of what is received (port_rx_stamps). transport.timeline. */
void sec_io_timeline(struct sec_io *io, struct timeline *tl);
/* The next reads give up timeout_ms from now (< 0: never). */
void sec_io_deadline(struct sec_io *io, int timeout_ms);

/* From now on io gives way as gw says (copied; lh < 0: it does not). */
void sec_io_give_way(struct sec_io *io, const struct sec_give_way *gw);
/* This thread's struct sec_yield (NULL: none), kept by the caller while it is set. */
void sec_io_yield(struct sec_yield *y);
/* This thread's sec_io_yield, or NULL (sec_listen.c asks). */
struct sec_yield *sec_io_yielding(void);
/* Waits until the peer's next bytes are there (0), up to deadline_ns (ACK_ERR_TIMEOUT), or
 * gives way (ACK_ERR_GAVE_WAY, see struct sec_give_way; ACK_ERR_GAVE_WAY or
 * ACK_ERR_PUSHED_OUT, see struct sec_yield); another error from the port. A
 * server's read of its next request waits here before it asks the stack; sec_io_recv
 * waits here too, so a handshake gives way alike. */
int sec_io_wait(struct sec_io *io, uint64_t deadline_ns);

/* A DTLS server's listening socket, as every stack's accept reads it (one thread at a time:
 * the core's accept lock, or at --max-conns 1 the one worker, also while it serves). */
#define SEC_PEEK_MAX 4096 /* a ClientHello (with a session ticket) fits */
struct sec_listen {
	const char *prog;
	const int *lh;            /* the listening handle (port_udp_adopt replaces it) */
	uint8_t pk[SEC_PEEK_MAX]; /* the datagram at its head, as last peeked */
	size_t len;               /* its bytes in pk (at most SEC_PEEK_MAX) */
	uint32_t stray;           /* datagrams dropped: not a ClientHello */
	struct sec_cids *cids;    /* --cid: records with a CID go by it (NULL: strays) */
};

void sec_listen_init(struct sec_listen *l, const char *prog, const int *lh);
/* Peeks the next datagram (waiting up to timeout_ms) into pk: 1 a ClientHello (its sender
 * in from), 0 something else: dropped, or (cids) routed to its connection by its CID; or
 * an error (ACK_ERR_TIMEOUT...). */
int sec_listen_next(struct sec_listen *l, int timeout_ms, struct port_addr *from);
/* Consumes the datagram at the head (the one peeked). */
void sec_listen_consume(struct sec_listen *l);
/* Consumes it as stray (stale or garbage: n bytes from from): counted, and the first ones
 * named on stderr, one line each. */
void sec_listen_drop(struct sec_listen *l, const struct port_addr *from, int n);
/* struct sec_give_way's newcomer (arg: the sec_listen): is a ClientHello waiting? */
int sec_listen_newcomer(void *arg);

/* Server, after a handshake that gave the client io->cid (cid_len > 0): records with it
 * that reach the listening socket from another address come to this connection (t: the
 * listener's table; peer: the client's address now). 0 or ACK_ERR_NOMEM. */
int sec_io_cid_serve(struct sec_io *io, struct sec_cids *t, const struct port_addr *peer);
/* Where the last datagram read came from, if it was routed from the listening socket (the
 * client's CID, from an address other than the connection's): else NULL. */
const struct port_addr *sec_io_moved(const struct sec_io *io);
/* Once the stack authenticated that datagram's record (RFC 9146 6: never before): the
 * connection's socket talks to that address from now on. 0 moved, 1 already there, or an
 * error of the port. */
int sec_io_move(struct sec_io *io);
/* A stack's move, once it authenticated the routed record: sec_io_move, then one line
 * (followed, or why not), *moves counted and peer (peer_len bytes) renamed to the new
 * address, which is also *to. Returns 0 moved, 1 already there, or the port's error. */
int sec_io_follow(struct sec_io *io, const char *prog, char *peer, size_t peer_len,
                  _Atomic uint32_t *moves, struct port_addr *to);

/* The two calls of the stacks' callbacks. limit_ms: the stack's own bound on this read
 * (0 = none); when it ends the read first, SEC_IO_TIMER and timer_expiries++. */
int sec_io_send(struct sec_io *io, const uint8_t *buf, size_t len);
int sec_io_recv(struct sec_io *io, uint8_t *buf, size_t len, uint32_t limit_ms);

/* What a stack read through another path (the DTLS ClientHello OpenSSL's DTLSv1_listen
 * took from the listening socket) counted and shown as if it moved through io now. */
void sec_io_seen(struct sec_io *io, int tx, const uint8_t *buf, size_t n);

/* io->err if set (then cleared), else r. */
int sec_io_take_err(struct sec_io *io, int r);

/* What the wire showed of the last handshake. */
uint16_t sec_io_group(const struct sec_io *io);
int sec_io_resumed(const struct sec_io *io);
int sec_io_hrr(const struct sec_io *io);

/* A DTLS handshake's whole budget: the retransmission timer runs min, 2 min, ... up to
 * max, then the side gives up; --hs-deadline (deadline_ms) may end it sooner. The same
 * for every stack; a server waits this long for a first request. */
uint32_t sec_hs_budget(uint32_t min, uint32_t max, uint32_t deadline_ms);

/* port_mono_ns() + ms (ms < 0: SEC_IO_FOREVER), and the ms left until a deadline
 * (-1: forever, 0: passed; rounded up). */
uint64_t sec_deadline(int ms);
int sec_ms_left(uint64_t deadline_ns);

#endif
