/*
 * wolf_conn.c - see wolf_conn.h: a WOLFSSL over a port handle (its IO callbacks in
 * wolf_io.c). Every wolfSSL call loops while wolfSSL wants to read or write and our
 * deadline has not passed (io.err); on DTLS the retransmission timer's expiry is a
 * WANT_READ too, answered here with dtls_timeout().
 */
#include "wolf_conn.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "port.h"
#include "wolf_dsrv.h"
#include "wolf_io.h"
#include "wolf_why.h"

#define LINGER_MS 200u /* after a failed handshake, see linger() */

int wolf_err(struct wolf_conn *c, int r)
{
	int e = wolfSSL_get_error(c->ssl, r);

	if (e == WOLFSSL_ERROR_ZERO_RETURN)
		return ACK_ERR_EOF;
	if (e == SOCKET_PEER_CLOSED_E || e == WOLFSSL_ERROR_SYSCALL)
		return ACK_ERR_TRUNCATED;
	if (e >= 0)
		return ACK_ERR_PROTO;
	return e;
}

/* A WANT_READ/WANT_WRITE that is not our deadline: call wolfSSL again. */
static int again(struct wolf_conn *c, int r)
{
	int e = wolfSSL_get_error(c->ssl, r);

	return (e == WOLFSSL_ERROR_WANT_READ || e == WOLFSSL_ERROR_WANT_WRITE) && c->io.err == 0;
}

/* The timer expired: resend (wolfSSL_dtls_got_timeout) or give up. 0 or an error. */
static int dtls_timeout(struct wolf_conn *c)
{
	int r = wolf_timer_expire(&c->tm);

	if (r != 0)
		return r;
	r = wolfSSL_dtls_got_timeout(c->ssl); /* resends the last flight */
	c->tm.expired = 0; /* DTLS 1.3 may have sent nothing: a later send is no resend */
	if (r != WOLFSSL_SUCCESS)
		return sec_io_take_err(&c->io, wolf_err(c, r));
	return 0;
}

static int is_ip(const char *name)
{
	unsigned char a[16];

	return inet_pton(AF_INET, name, a) == 1 || inet_pton(AF_INET6, name, a) == 1;
}

/* c->ssl set up for c, over c->io. */
static int conn_setup(struct wolf_conn *c)
{
	struct wolf_ctx *t = c->t;
	int i;

	wolf_io_attach(c);
	wolfSSL_set_ex_data(c->ssl, 0, c); /* for the verify callback */
	if (t->sec.auth != SEC_AUTH_CERT)  /* for wolf_psk.c's callbacks */
		wolfSSL_set_psk_callback_ctx(c->ssl, c);
	wolfSSL_set_verify(c->ssl, wolf_verify_mode(t), wolf_why_verify_cb);
	if (wolf_cid_conf(c) != 0) /* --cid */
		return ACK_ERR_PROTO;
	if (wolf_keylog_on())
		wolfSSL_KeepArrays(
		        c->ssl); /* the TLS 1.2 master secret, freed after the handshake */
	if (t->sec.server)
		return 0;
	/* The server name against the subjectAltName: an IP literal as an IP entry (wolfSSL
	 * 5.9's check_domain_name takes DNS names only); --rpk: no name, the pinned key is the
	 * check (wolf_rpk.c) */
	if (t->sec.rpk == NULL &&
	    (is_ip(t->sec.server_name)
	             ? wolfSSL_check_ip_address(c->ssl, t->sec.server_name)
	             : wolfSSL_check_domain_name(c->ssl, t->sec.server_name)) != WOLFSSL_SUCCESS)
		return ACK_ERR_NOMEM;
	port_mutex_lock(t->sec.lock); /* --parallel: another conn may be saving it */
	if (t->sec.resume && t->session != NULL)
		c->offers_session = wolfSSL_set_session(c->ssl, t->session) ==
		                    WOLFSSL_SUCCESS; /* unusable: full handshake */
	port_mutex_unlock(t->sec.lock);
	/* TLS 1.3: the key shares --key-shares names, by default the first group's only (not
	 * wolfSSL's default) */
	for (i = 0; (!t->sec.datagram || t->dtls13) && i < t->nshares; i++)
		if (wolfSSL_UseKeyShare(c->ssl, t->shares[i]) != WOLFSSL_SUCCESS)
			return ACK_ERR_NOMEM;
	return 0;
}

static int conn_ssl(struct wolf_conn *c)
{
	c->ssl = wolfSSL_new(c->t->ctx);
	return c->ssl != NULL ? conn_setup(c) : ACK_ERR_NOMEM;
}

int wolf_conn_take_ssl(struct wolf_conn *c, WOLFSSL *ssl, const uint8_t *seen, size_t n)
{
	wolfSSL_free(c->ssl);
	c->ssl = ssl;
	c->hello_len = n < sizeof(c->hello) ? n : 0;
	memcpy(c->hello, seen, c->hello_len);
	return conn_setup(c);
}

int wolf_conn_new(struct wolf_ctx *t, int h, const char *peer, struct wolf_conn **out)
{
	struct wolf_conn *c = calloc(1, sizeof(*c));
	int r;

	*out = NULL;
	if (c == NULL) {
		port_close(h);
		return ACK_ERR_NOMEM;
	}
	c->t = t;
	sec_io_init(&c->io, h, t->sec.server, t->sec.datagram);
	snprintf(c->peer, sizeof(c->peer), "%s", peer ? peer : "?");
	r = conn_ssl(c);
	if (r != 0) {
		wolf_conn_abort(c);
		return r;
	}
	*out = c;
	return 0;
}

int wolf_conn_renew(struct wolf_conn *c)
{
	wolfSSL_free(c->ssl);
	c->ssl = NULL;
	sec_io_hs_reset(&c->io);
	c->hs_done = c->peer_closed = 0;
	c->hello_len = 0;
	c->verr = c->verr_depth = 0;
	c->rpk_ok = c->rpk_bad = 0;
	return conn_ssl(c);
}

/* After wolfSSL sent its fatal alert: end our side and drain briefly before the close, so
 * the peer reads the alert rather than a reset (closing with unread data sends RST). */
static void linger(struct wolf_conn *c)
{
	uint64_t end = sec_deadline((int)LINGER_MS);
	uint8_t sink[256];

	if (c->io.datagram || port_shutdown_write(c->io.h) != 0)
		return;
	while (port_recv(c->io.h, sink, sizeof(sink), sec_ms_left(end), NULL) > 0)
		;
}

int wolf_conn_handshake(void *conn)
{
	struct wolf_conn *c = conn;
	int r, e;

	sec_io_hs_begin(&c->io, c->t->sec.hs_deadline_ms);
	if (c->io.datagram && c->hello_len != 0) /* wolf_conn_take_ssl's datagram */
		sec_io_seen(&c->io, 0, c->hello, c->hello_len);
	c->hello_len = c->io.datagram ? 0 : c->hello_len;
	r = c->t->sec.server && c->t->sec.early_data ? wolf_early_server(c) : 0;
	if (r == ACK_ERR_NOMEM)
		return r;
	for (;;) {
		r = c->t->sec.server ? wolfSSL_accept(c->ssl) : wolfSSL_connect(c->ssl);
		if (r == WOLFSSL_SUCCESS)
			break;
		if (!again(c, r)) {
			e = wolfSSL_get_error(c->ssl, r);
			sec_io_hs_end(&c->io);
			wolf_why_verify(c, e);
			wolf_psk_fail(c, e);
			if (c->io.err == 0 && wolf_why_no_group(c, e)) {
				linger(c);
				return WOLF_ERR_NO_GROUP;
			}
			if (c->io.err == 0 && e != SOCKET_PEER_CLOSED_E && !c->eof)
				linger(c);
			/* the peer closed mid-handshake (wolfSSL says "error state on socket") */
			return sec_io_take_err(&c->io, c->eof ? ACK_ERR_EOF : wolf_err(c, r));
		}
		if (c->tm.expired && (r = dtls_timeout(c)) != 0) {
			sec_io_hs_end(&c->io);
			return sec_io_take_err(&c->io, r);
		}
	}
	sec_io_hs_end(&c->io);
	if ((r = wolf_rpk_check(c)) != 0 || (r = wolf_cid_note(c)) != 0)
		return r;
	c->hs_done = 1;
	if (wolf_keylog_on()) {
		if (wolfSSL_version(c->ssl) == TLS1_2_VERSION ||
		    wolfSSL_version(c->ssl) == DTLS1_2_VERSION)
			wolf_keylog_tls12(c->ssl);
		wolfSSL_FreeArrays(c->ssl);
	}
	return 0;
}

int wolf_conn_send(void *conn, const uint8_t *buf, size_t len)
{
	struct wolf_conn *c = conn;
	size_t off = 0;

	sec_io_deadline(&c->io, -1); /* writes block in the socket, as plain TCP's do */
	while (off < len) {
		int chunk = len - off > INT_MAX / 2 ? INT_MAX / 2 : (int)(len - off);
		int n = wolfSSL_write(c->ssl, buf + off, chunk);

		if (n > 0)
			off += (size_t)n;
		else if (!again(c, n))
			return sec_io_take_err(&c->io, wolf_err(c, n));
	}
	return 0;
}

static int read_once(struct wolf_conn *c, uint8_t *buf, size_t cap)
{
	int want = cap > INT_MAX ? INT_MAX : (int)cap;

	for (;;) {
		int n = wolfSSL_read(c->ssl, buf, want);

		if (n > 0)
			return n;
		if (again(c, n))
			continue; /* a record without data (a ticket, a duplicate) */
		n = sec_io_take_err(&c->io, wolf_err(c, n));
		if (n == ACK_ERR_EOF)
			c->peer_closed = 1;
		return n;
	}
}

int wolf_conn_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct wolf_conn *c = conn;

	if (c->early_off < c->early_len) /* the early data first, as it came */
		return wolf_early_take(c, buf, cap);
	if (c->peer_closed)
		return ACK_ERR_EOF;
	sec_io_deadline(&c->io, timeout_ms);
	return read_once(c, buf, cap);
}

/* TLS 1.2 carries the ticket in the handshake, TLS 1.3 after it: a session without one
 * would only give a full handshake next time. */
static void save_session(struct wolf_conn *c)
{
	struct wolf_ctx *t = c->t;
	WOLFSSL_SESSION *s;

	if (t->sec.server || !t->sec.resume || !c->hs_done)
		return;
	s = wolfSSL_get1_session(c->ssl);
	if (s == NULL)
		return;
	if (!wolfSSL_SESSION_has_ticket(s)) {
		wolfSSL_SESSION_free(s);
		return;
	}
	port_mutex_lock(t->sec.lock);
	if (t->session != NULL)
		wolfSSL_SESSION_free(t->session);
	t->session = s;
	port_mutex_unlock(t->sec.lock);
}

void wolf_conn_abort(void *conn)
{
	struct wolf_conn *c = conn;

	if (c == NULL)
		return;
	if (c->ssl != NULL)
		wolfSSL_free(c->ssl);
	sec_io_close(&c->io);
	free(c->dtls);
	free(c->early);
	free(c);
}

int wolf_conn_close(void *conn, int timeout_ms)
{
	struct wolf_conn *c = conn;
	uint8_t sink[256];
	int r = 0, n;

	sec_io_deadline(&c->io, timeout_ms);
	if (c->hs_done) {
		do
			n = wolfSSL_shutdown(c->ssl); /* sends close_notify once */
		while (n != WOLFSSL_SUCCESS && n != WOLFSSL_SHUTDOWN_NOT_DONE && again(c, n));
		if (n != WOLFSSL_SUCCESS && n != WOLFSSL_SHUTDOWN_NOT_DONE)
			r = sec_io_take_err(&c->io, wolf_err(c, n));
		/* The peer's close_notify (not on datagrams: it may be lost, and a DTLS run ends
		 * with an acknowledged END message instead). */
		while (r == 0 && !c->peer_closed && !c->io.datagram) {
			n = read_once(c, sink, sizeof(sink));
			if (n < 0 && n != ACK_ERR_EOF)
				r = n;
		}
	}
	if (r == 0 && !c->io.datagram)
		r = sec_io_fin(&c->io);
	if (r == 0)
		save_session(c);
	wolf_conn_abort(c);
	return r;
}

uint32_t wolf_conn_retrans(void *conn)
{
	const struct wolf_conn *c = conn;

	return c->retrans;
}

void wolf_conn_names(void *conn, struct sec_names *n)
{
	const struct wolf_conn *c = conn;

	n->ctx = &c->t->sec;
	n->version = wolfSSL_get_version(c->ssl);
	n->suite = wolfSSL_get_cipher_name(c->ssl);
	if (!c->t->sec.server) {
		WOLFSSL_X509 *x = wolfSSL_get_peer_certificate(c->ssl);

		if (x != NULL)
			wolf_key_name(x, n->peer_key, sizeof(n->peer_key));
		wolfSSL_X509_free(x);
	}
}

int wolf_conn_new_ops(void *state, int h, const char *peer, void **conn)
{
	return wolf_conn_new(state, h, peer, (struct wolf_conn **)conn);
}

struct sec_io *wolf_conn_io(void *conn)
{
	struct wolf_conn *c = conn;

	return &c->io;
}

const char *wolf_conn_peer(void *conn)
{
	const struct wolf_conn *c = conn;

	return c->peer;
}
