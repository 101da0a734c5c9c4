/*
 * link.h - the in-memory link between the image's client and server: one pipe per
 * direction, under the stack's I/O callbacks (mcu/<stack>/). Non-blocking: an empty pipe
 * reads LINK_WANT_READ, a full one writes LINK_WANT_WRITE (the stack's own codes for them,
 * stk.h), and the caller (hs.c) lets the other side run. A stream pipe is a byte FIFO (TLS); a
 * datagram pipe keeps each write as one datagram and a read returns one whole datagram,
 * truncated to the reader's buffer as UDP would (DTLS). Bytes are counted per direction.
 * Reads advance an offset (no copy of what is left), so the link's own cost stays small
 * next to the TLS work it carries: one memcpy in, one out.
 */
#ifndef ACKBENCH_MCU_LINK_H
#define ACKBENCH_MCU_LINK_H

#include <stddef.h>
#include <stdint.h>

#define LINK_CAP   24576 /* bytes in flight one way: a whole handshake flight, RSA included */
#define LINK_MAXDG 64    /* datagrams in flight one way */

struct link_pipe {
	uint8_t *buf; /* LINK_CAP bytes; the data is buf[head..len) */
	size_t head, len;
	int datagram;
	unsigned ndg;
	uint16_t dg_len[LINK_MAXDG];
	uint64_t bytes;  /* bytes written so far */
	uint64_t writes; /* datagrams (or stream writes) so far */
};

/* Empties p (counters too) and sets its kind; buf must hold LINK_CAP bytes. */
void link_reset(struct link_pipe *p, uint8_t *buf, int datagram);
/* Send and receive on a struct link_pipe: bytes, or LINK_WANT_* / LINK_BAD_INPUT. */
int link_send(void *pipe, const unsigned char *buf, size_t len);
int link_recv(void *pipe, unsigned char *buf, size_t len);
/* The last n bytes written and not yet read (the newest are always at the end), for the
 * sniffers that run between the two sides' turns, outside the measured calls. */
const uint8_t *link_tail(const struct link_pipe *p, size_t n);

#endif
