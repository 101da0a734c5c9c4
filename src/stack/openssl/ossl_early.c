/*
 * ossl_early.c - TLS 1.3 early data (0-RTT, RFC 8446 2.3) on the openssl stack, for
 * --early-data: a client's request in its first flight of a resumed connection, and a
 * server that answers it at once as 0.5-RTT data (SSL_write_early_data, after its own
 * Finished, before the client's), which is what saves the client a round trip.
 *
 * OpenSSL's server keeps each session in its cache for one use when early data is on
 * (SSL_read_early_data(3), "REPLAY PROTECTION"): a replayed first flight finds its session
 * gone, gets a full handshake and its early data is dropped (ossl_ctx.c turns the cache on).
 */
#include <stdlib.h>
#include <string.h>

#include "ossl.h"

static int retry(struct ossl_conn *c, int r)
{
	int e = SSL_get_error(c->ssl, r);

	return (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) && c->io.err == 0;
}

/* One SSL_read_early_data into c->early: 1 early data came, 0 no more will (FINISH), or
 * an error. */
static int read_early(struct ossl_conn *c)
{
	for (;;) {
		size_t n = 0;
		int r = SSL_read_early_data(c->ssl, c->early + c->early_len,
		                            SEC_EARLY_MAX - c->early_len, &n);

		if (r == SSL_READ_EARLY_DATA_SUCCESS) {
			c->early_len += n;
			c->io.early = TP_EARLY_ACCEPTED;
			c->io.early_bytes = (uint32_t)c->early_len;
			return 1;
		}
		if (r == SSL_READ_EARLY_DATA_FINISH) {
			c->early_open = 0;
			return 0;
		}
		if (!retry(c, 0))
			return ossl_conn_err(c, 0);
	}
}

int ossl_early_server_start(struct ossl_conn *c)
{
	int r;

	if (c->early == NULL && (c->early = malloc(SEC_EARLY_MAX)) == NULL)
		return ACK_ERR_NOMEM;
	c->early_open = 1; /* SSL_read_early_data must be the first I/O call */
	r = read_early(c);
	return r;
}

/* The rest of the handshake after the early data (EndOfEarlyData, client Finished). */
static int finish(struct ossl_conn *c)
{
	int r;

	while (c->early_open)
		if ((r = read_early(c)) < 0)
			return r;
	for (;;) {
		r = SSL_do_handshake(c->ssl);
		if (r == 1) {
			c->hs_done = 1;
			return 0;
		}
		if (!retry(c, r))
			return ossl_conn_err(c, r);
	}
}

int ossl_early_recv(struct ossl_conn *c, uint8_t *buf, size_t cap)
{
	int r;

	if (c->early_off < c->early_len) { /* the early data first, as it came */
		size_t n = c->early_len - c->early_off < cap ? c->early_len - c->early_off : cap;

		memcpy(buf, c->early + c->early_off, n);
		c->early_off += n;
		return (int)n;
	}
	c->early_off = c->early_len = 0; /* given out: the buffer takes what comes next */
	if (c->early_open && (r = read_early(c)) != 0)
		return r < 0 ? r : ossl_early_recv(c, buf, cap);
	if (!c->hs_done && (r = finish(c)) != 0)
		return r;
	return 0; /* the handshake is over: read as usual */
}

int ossl_early_send(struct ossl_conn *c, const uint8_t *buf, size_t len)
{
	for (;;) {
		size_t n = 0;

		if (SSL_write_early_data(c->ssl, buf, len, &n) == 1)
			return 0; /* all of buf, as SSL_write */
		if (!retry(c, 0))
			return ossl_conn_err(c, 0);
	}
}

int ossl_conn_handshake_early(void *conn, const uint8_t *buf, size_t len)
{
	struct ossl_conn *c = conn;
	SSL_SESSION *s = SSL_get_session(c->ssl);
	uint32_t max = s != NULL ? SSL_SESSION_get_max_early_data(s) : 0;
	size_t n = 0;
	int r;

	sec_io_hs_begin(&c->io, c->t->sec.hs_deadline_ms);
	if (max != 0) { /* the ClientHello, then as much of buf as the ticket allows */
		for (;;) {
			if (SSL_write_early_data(c->ssl, buf, len < max ? len : max, &n) == 1)
				break;
			if (!retry(c, 0)) {
				sec_io_hs_end(&c->io);
				return ossl_conn_err(c, 0);
			}
		}
	}
	r = ossl_conn_handshake(c);
	if (r != 0 || max == 0)
		return r;
	switch (SSL_get_early_data_status(c->ssl)) {
	case SSL_EARLY_DATA_ACCEPTED:
		c->io.early = TP_EARLY_ACCEPTED;
		c->io.early_bytes = (uint32_t)n;
		return (int)n;
	case SSL_EARLY_DATA_REJECTED: c->io.early = TP_EARLY_REJECTED; return 0;
	default: return 0;
	}
}
