/*
 * wolf_early.c - TLS 1.3 early data (0-RTT, RFC 8446 2.3) on the wolfssl stack, for
 * --early-data (wolfSSL built with --enable-earlydata: WOLFSSL_EARLY_DATA). The server
 * reads the whole of the client's early data in its handshake and answers after the
 * client's Finished, as the mbedtls stack does (wolfSSL could write 0.5-RTT data; this
 * stack does not, so only the openssl server saves the client its round trip).
 */
#include <stdlib.h>
#include <string.h>

#include "wolf_conn.h"

#if defined(WOLFSSL_EARLY_DATA)
static int again(struct wolf_conn *c, int r)
{
	int e = wolfSSL_get_error(c->ssl, r);

	return (e == WOLFSSL_ERROR_WANT_READ || e == WOLFSSL_ERROR_WANT_WRITE) && c->io.err == 0;
}
#endif

int wolf_early_server(struct wolf_conn *c)
{
#if defined(WOLFSSL_EARLY_DATA)
	if (c->early == NULL && (c->early = malloc(SEC_EARLY_MAX)) == NULL)
		return ACK_ERR_NOMEM;
	for (;;) {
		int n = 0, r = wolfSSL_read_early_data(c->ssl, c->early + c->early_len,
		                                       (int)(SEC_EARLY_MAX - c->early_len), &n);

		if (n > 0) {
			c->early_len += (size_t)n;
			c->io.early = TP_EARLY_ACCEPTED;
			c->io.early_bytes = (uint32_t)c->early_len;
			continue;
		}
		if (r == 0) /* no more early data: the handshake goes on */
			return 0;
		if (!again(c, r))
			return r; /* the caller's wolfSSL_accept reports it */
	}
#else
	(void)c;
	return 0;
#endif
}

int wolf_early_take(struct wolf_conn *c, uint8_t *buf, size_t cap)
{
	size_t n = c->early_len - c->early_off < cap ? c->early_len - c->early_off : cap;

	memcpy(buf, c->early + c->early_off, n);
	c->early_off += n;
	return (int)n;
}

int wolf_conn_handshake_early(void *conn, const uint8_t *buf, size_t len)
{
	struct wolf_conn *c = conn;
	int n = 0, r;

#if defined(WOLFSSL_EARLY_DATA)
	sec_io_hs_begin(&c->io, c->t->sec.hs_deadline_ms);
	/* Early data rides on a resumed session only: with --psk, wolfSSL would send it under
	 * the external key on a first connection too, which the other stacks' servers (set up
	 * for tickets' early data) fail the handshake on */
	for (r = -1; c->offers_session;) { /* the ClientHello, then buf if allowed */
		r = wolfSSL_write_early_data(c->ssl, buf, (int)len, &n);
		if (r >= 0 || r == BAD_STATE_E || r == BAD_FUNC_ARG) /* sent, or not possible */
			break;
		if (!again(c, r))
			break; /* wolfSSL_connect reports it */
	}
	if (r < 0)
		n = 0;
#else
	(void)buf;
	(void)len;
#endif
	r = wolf_conn_handshake(c);
	if (r != 0)
		return r;
#if defined(WOLFSSL_EARLY_DATA)
	if (n > 0 && wolfSSL_get_early_data_status(c->ssl) == WOLFSSL_EARLY_DATA_ACCEPTED) {
		c->io.early = TP_EARLY_ACCEPTED;
		c->io.early_bytes = (uint32_t)n;
		return n;
	}
	if (n > 0)
		c->io.early = TP_EARLY_REJECTED;
#endif
	return 0;
}
