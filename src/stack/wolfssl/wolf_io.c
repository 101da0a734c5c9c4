/*
 * wolf_io.c - see wolf_io.h: a wolf_conn's IO callbacks over sec_io.h (no wolfSSL socket
 * code: sockets live in ports/).
 *
 * Time bounds: every read gives up at io.deadline_ns, which the caller sets for the whole
 * operation (handshake, one recv, the close); a timed-out read returns WANT_READ to
 * wolfSSL, which keeps its partial-record state, and io.err = ACK_ERR_TIMEOUT ends the
 * caller's loop. DTLS connections are non-blocking to wolfSSL
 * (wolfSSL_dtls_set_using_nonblock): the retransmission timer's (wolf_timer.h) expiry is a
 * WANT_READ with tm.expired set.
 */
#include "wolf_io.h"

#include <string.h>

static int io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct wolf_conn *c = ctx;
	int n = sec_io_send(&c->io, (const uint8_t *)buf, (size_t)sz);

	(void)ssl;
	if (n < 0)
		return WOLFSSL_CBIO_ERR_GENERAL; /* the port's error is in io.err */
	if (wolf_timer_moved(&c->tm, &c->io, 1))
		c->retrans++;
	return n;
}

static int io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct wolf_conn *c = ctx;
	uint32_t limit = wolf_timer_limit(&c->tm, &c->io);
	int n = sec_io_recv(&c->io, (uint8_t *)buf, (size_t)sz, limit);

	(void)ssl;
	if (n > 0 && c->t->sec.server && !c->io.datagram && c->io.in_hs &&
	    c->hello_len < sizeof(c->hello)) {
		size_t k = sizeof(c->hello) - c->hello_len < (size_t)n
		                   ? sizeof(c->hello) - c->hello_len
		                   : (size_t)n;

		memcpy(c->hello + c->hello_len, buf, k);
		c->hello_len += k;
	}
	if (n > 0) {
		wolf_timer_moved(&c->tm, &c->io, 0);
		return n;
	}
	if (n == SEC_IO_TIMER) {
		c->tm.expired = 1; /* the loop calls dtls_timeout() */
		return WOLFSSL_CBIO_ERR_WANT_READ;
	}
	if (n == SEC_IO_EOF && !c->io.datagram) {
		c->eof = 1;
		return WOLFSSL_CBIO_ERR_CONN_CLOSE;
	}
	if (n == ACK_ERR_TIMEOUT || n == SEC_IO_EOF)
		return WOLFSSL_CBIO_ERR_WANT_READ; /* io.err ends the caller's loop */
	return WOLFSSL_CBIO_ERR_GENERAL;
}

/* DTLS: our timer decides; wolfSSL's own (whole seconds) must never give up first. */
static void dtls_prep(struct wolf_conn *c)
{
	wolf_timer_start(&c->tm, c->t->hs_min_ms, c->t->hs_max_ms);
	c->retrans = 0;
	wolfSSL_dtls_set_using_nonblock(c->ssl, 1);
	wolfSSL_dtls_set_timeout_init(c->ssl, 1);
	wolfSSL_dtls_set_timeout_max(c->ssl, 1 << 20);
}

void wolf_io_attach(struct wolf_conn *c)
{
	wolfSSL_SSLSetIORecv(c->ssl, io_recv);
	wolfSSL_SSLSetIOSend(c->ssl, io_send);
	wolfSSL_SetIOReadCtx(c->ssl, c);
	wolfSSL_SetIOWriteCtx(c->ssl, c);
	if (c->t->sec.datagram)
		dtls_prep(c);
}
