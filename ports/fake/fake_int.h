/* fake_int.h - inside ports/fake/ only: what fake_net.c, fake_queue.c and fake_sys.c share. */
#ifndef ACKBENCH_FAKE_INT_H
#define ACKBENCH_FAKE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "fake_port.h"
#include "port.h"

/* Layout of a struct port_addr here: raw[0] family (4 or 6), raw[1..2] port (big
 * endian), raw[4..20) the address (IPv4 in its first 4 bytes); len FAKE_ADDR_LEN. */
#define FAKE_ADDR_LEN 20

/* Clock and entropy back to their start (fake_reset). */
void fake_sys_reset(void);
/* Builds an address; ip is 16 bytes (IPv4: the first 4). */
void fake_addr_make(struct port_addr *a, int family, const uint8_t *ip, uint16_t port);
uint16_t fake_addr_port(const struct port_addr *a);
/* 1 when the address part is all zero (a wildcard bind). */
int fake_addr_is_any(const struct port_addr *a);

#define BACKLOG 16

enum kind { K_FREE, K_LISTEN, K_STREAM, K_DGRAM };

struct chunk {
	struct chunk *next;
	struct port_addr from;
	uint64_t at;     /* port_mono_ns() when it arrived */
	size_t len, off; /* stream: off bytes already read */
	uint8_t data[];
};

struct sock {
	enum kind kind;
	struct port_addr local, remote; /* remote: stream peer; datagram, if connected */
	int connected;                  /* datagram: remote is set */
	int peer;                       /* stream: the other end's handle, -1 once closed */
	int rd_eof;                     /* stream: the other end will send no more */
	int wr_shut;                    /* stream: we shut down our sending side */
	struct chunk *head, *tail;
	size_t queued;
	uint64_t rx_total;
	int discard;
	size_t lowat;         /* stream: port_rx_lowat() (0 or 1: any byte) */
	int stamps;           /* port_rx_stamps() on */
	uint64_t last_at;     /* arrival of the last bytes read */
	int backlog[BACKLOG]; /* listener: accepted-to-be stream ends */
	unsigned nback;
};

/* The socket table (fake_queue.c); a handle is an index. */
extern struct sock fake_sock[FAKE_SOCKS];
/* The next ephemeral port handed out (40000 after fake_reset). */
extern uint16_t fake_next_port;

/* The socket behind handle h when it is of kind k (K_FREE: of any kind), else NULL. */
struct sock *fake_get(int h, enum kind k);
/* A new handle of kind k, or ACK_ERR_SYS(EMFILE). */
int fake_new_sock(enum kind k);
/* 1 when a read on h (or an accept on a listener) would not wait. */
int fake_readable(int h);
/* Queues len bytes from `from` on s (or counts them, fake_discard). 0 or an error. */
int fake_enqueue(struct sock *s, const void *buf, size_t len, const struct port_addr *from);
/* Copies up to len queued bytes into buf (see fake_queue.c). */
size_t fake_take(struct sock *s, uint8_t *buf, size_t len, struct port_addr *from, int peek);

#endif
