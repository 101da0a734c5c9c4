/* io.h - reading one whole request or reply through a transport, within a deadline. */
#ifndef ACKBENCH_IO_H
#define ACKBENCH_IO_H

#include <stddef.h>
#include <stdint.h>

#include "transport.h"

/* Parses a header of hdr_len bytes; returns 0 and the total length in *len, or < 0. */
typedef int (*io_hdr_fn)(const uint8_t *hdr, uint32_t *len);

/*
 * Reads one message into buf: on a stream, exactly hdr_len bytes, then (after parse()
 * accepts them) the rest of the announced length; on a datagram transport, one datagram,
 * whose size must equal the announced length. The whole read is bounded by deadline_ns
 * (port_mono_ns() time), so a peer trickling bytes cannot hold it longer.
 * Returns the total length, or: the parse() error; ACK_ERR_TOO_BIG when the announced
 * length exceeds cap (on a stream, the header is in buf and the body is left unread);
 * ACK_ERR_PROTO on a short or mis-sized datagram; ACK_ERR_CUT when a stream ends after part
 * of the message (ACK_ERR_EOF only when it ends before its first byte); a transport error.
 */
int io_read(const struct transport *tp, void *conn, uint8_t *buf, size_t cap, size_t hdr_len,
            io_hdr_fn parse, uint64_t deadline_ns);

/*
 * io_read, except that on a stream the first read asks for up to want bytes (hdr_len <=
 * want <= cap) instead of hdr_len, so that a whole message usually comes in one read. For
 * a caller whose peer sends nothing after this message until it is answered (the client
 * reading the reply whose length it asked for): bytes beyond the announced length are
 * ACK_ERR_PROTO, and on ACK_ERR_TOO_BIG part of the body may have been read.
 */
int io_read_want(const struct transport *tp, void *conn, uint8_t *buf, size_t cap, size_t hdr_len,
                 size_t want, io_hdr_fn parse, uint64_t deadline_ns);

/* Bytes a stream read found past the message it returned (a peer that sent its next
 * message before the answer), kept in buf for the next read. Zeroed per connection. */
struct io_carry {
	size_t off;  /* where they start in buf */
	size_t have; /* how many */
};

/*
 * io_read, except that on a stream each message is read with as few reads as it takes
 * (the first asks for up to cap bytes, so a whole request usually comes in one): bytes
 * past the message are kept in *carry for the next call, which must pass the same buf.
 */
int io_read_carry(const struct transport *tp, void *conn, uint8_t *buf, size_t cap, size_t hdr_len,
                  io_hdr_fn parse, uint64_t deadline_ns, struct io_carry *carry);

/* Milliseconds left until deadline_ns, at least 0. */
int io_ms_left(uint64_t deadline_ns);

#endif
