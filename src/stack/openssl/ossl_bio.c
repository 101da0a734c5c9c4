/*
 * ossl_bio.c - OpenSSL's I/O, through BIO_meth_* over sec_io.h: no socket BIO, sockets live
 * in ports/. A connection's BIO reads and writes its struct sec_io (deadline, handshake
 * bytes, sniffing, timeline); a read that would wait past the deadline returns "retry"
 * with io.err set, which ossl_conn.c turns into ACK_ERR_TIMEOUT. On DTLS the read also
 * stops at the retransmission timer OpenSSL runs (DTLSv1_get_timeout) and reports it as
 * BIO_CTRL_DGRAM_GET_RECV_TIMER_EXP, so OpenSSL resends its flight; MTU queries are
 * answered from --mtu. The DTLS server's listening BIO serves DTLSv1_listen: it reads the
 * listening socket without waiting and answers the sender of the last datagram.
 */
#include <string.h>
#include <sys/time.h> /* struct timeval of DTLSv1_get_timeout */

#include "ossl.h"
#include "ossl_bio.h"

static BIO_METHOD *g_conn, *g_listen;

static int b_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static int b_destroy(BIO *b)
{
	BIO_set_data(b, NULL); /* the connection (or ctx) owns what it points to */
	return 1;
}

static int b_write(BIO *b, const char *buf, int len)
{
	struct ossl_conn *c = BIO_get_data(b);
	int n;

	BIO_clear_retry_flags(b);
	n = sec_io_send(&c->io, (const uint8_t *)buf, (size_t)len);
	return n < 0 ? -1 : n;
}

/* The DTLS retransmission timer's time left (ms, at least 1), 0 = no timer running. */
static uint32_t timer_left(struct ossl_conn *c)
{
	struct timeval tv;
	uint64_t ms;

	if (!c->io.datagram || DTLSv1_get_timeout(c->ssl, &tv) != 1)
		return 0;
	ms = ((uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec + 999u) / 1000u;
	return ms == 0 ? 1 : ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

static int b_read(BIO *b, char *buf, int len)
{
	struct ossl_conn *c = BIO_get_data(b);
	int n;

	BIO_clear_retry_flags(b);
	n = sec_io_recv(&c->io, (uint8_t *)buf, (size_t)len, timer_left(c));
	if (n == SEC_IO_TIMER) {
		c->timer_expired = 1;
		BIO_set_retry_read(b);
		return -1;
	}
	if (n == ACK_ERR_TIMEOUT) {
		BIO_set_retry_read(b);
		return -1;
	}
	return n < 0 ? -1 : n; /* 0: EOF */
}

static long b_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct ossl_conn *c = BIO_get_data(b);
	long r;

	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH: return 1;
	case BIO_CTRL_DGRAM_GET_RECV_TIMER_EXP:
		r = c->timer_expired;
		c->timer_expired = 0;
		return r;
	case BIO_CTRL_DGRAM_QUERY_MTU:
	case BIO_CTRL_DGRAM_GET_FALLBACK_MTU: return c->t->mtu;
	case BIO_CTRL_DGRAM_SET_MTU: return num;
	case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD: return 0; /* --mtu is the UDP payload */
	case BIO_CTRL_DGRAM_MTU_EXCEEDED: return 0;
	case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT: return 1; /* read via DTLSv1_get_timeout */
	default: return 0;
	}
}

/* ---- the DTLS server's listening BIO (data: the ossl_ctx) ---- */

static int l_write(BIO *b, const char *buf, int len)
{
	struct ossl_ctx *t = BIO_get_data(b);
	int n;

	BIO_clear_retry_flags(b);
	n = port_sendto(t->sec.lh, buf, (size_t)len, &t->cookie_peer);
	if (n > 0)
		t->hvr++; /* DTLSv1_listen writes only HelloVerifyRequests */
	return n < 0 ? -1 : n;
}

static int l_read(BIO *b, char *buf, int len)
{
	struct ossl_ctx *t = BIO_get_data(b);
	int n;

	BIO_clear_retry_flags(b);
	n = port_recv(t->sec.lh, buf, (size_t)len, 0, &t->cookie_peer);
	if (n == ACK_ERR_TIMEOUT) {
		BIO_set_retry_read(b);
		return -1;
	}
	if (n > 0) { /* kept: the ClientHello DTLSv1_listen accepts is the connection's */
		t->last_len = (size_t)n < sizeof(t->dl.pk) ? (size_t)n : sizeof(t->dl.pk);
		memcpy(t->dl.pk, buf, t->last_len);
	}
	return n < 0 ? -1 : n;
}

static long l_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static BIO_METHOD *meth(BIO_METHOD **m, const char *name, int (*wr)(BIO *, const char *, int),
                        int (*rd)(BIO *, char *, int), long (*ctrl)(BIO *, int, long, void *))
{
	if (*m != NULL)
		return *m;
	*m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, name);
	if (*m == NULL)
		return NULL;
	BIO_meth_set_write(*m, wr);
	BIO_meth_set_read(*m, rd);
	BIO_meth_set_ctrl(*m, ctrl);
	BIO_meth_set_create(*m, b_create);
	BIO_meth_set_destroy(*m, b_destroy);
	return *m;
}

int ossl_bio_init(void)
{
	if (meth(&g_conn, "ackbench sec_io", b_write, b_read, b_ctrl) == NULL ||
	    meth(&g_listen, "ackbench listen", l_write, l_read, l_ctrl) == NULL)
		return ossl_err_keep("BIO_meth_new");
	return 0;
}

BIO *ossl_bio_new(struct ossl_conn *c)
{
	BIO_METHOD *m = meth(&g_conn, "ackbench sec_io", b_write, b_read, b_ctrl);
	BIO *b = m != NULL ? BIO_new(m) : NULL;

	if (b != NULL)
		BIO_set_data(b, c);
	return b;
}

BIO *ossl_bio_listen(struct ossl_ctx *t)
{
	BIO_METHOD *m = meth(&g_listen, "ackbench listen", l_write, l_read, l_ctrl);
	BIO *b = m != NULL ? BIO_new(m) : NULL;

	if (b != NULL)
		BIO_set_data(b, t);
	return b;
}

void ossl_bio_cleanup(void)
{
	BIO_meth_free(g_conn);
	BIO_meth_free(g_listen);
	g_conn = g_listen = NULL;
}
