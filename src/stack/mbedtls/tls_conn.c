/*
 * tls_conn.c - the per-connection half of tls_common.h: an mbedtls_ssl_context over a port
 * handle, with our own BIO callbacks over sec_io.h (no mbedtls_net_*: sockets live in
 * ports/).
 *
 * Time bounds: every read through the BIO gives up at the sec_io deadline, which the caller
 * sets for the whole operation (the whole handshake, one recv, the close). A peer that
 * trickles one byte at a time therefore cannot hold a handshake longer than its deadline,
 * which a per-read timeout alone would not ensure (notes item 9). A timed-out read returns
 * WANT_READ to Mbed TLS, which keeps its partial-record state, and ACK_ERR_TIMEOUT to us.
 * No timer callback on stream contexts (notes item 8).
 */
#include "tls_common.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mbedtls/net_sockets.h" /* MBEDTLS_ERR_NET_* codes only */
#include "port.h"

#define FOREVER SEC_IO_FOREVER

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct tls_conn *c = ctx;
	int n = sec_io_send(&c->io, buf, len);

	return n < 0 ? MBEDTLS_ERR_NET_SEND_FAILED : n;
}

/* A TLS 1.3 client: the HelloRetryRequest just read (sniffed from the wire) asks for a
 * group of ours (RFC 8446 4.1.4: one of the ClientHello's supported_groups)? Mbed TLS 3.6
 * checks that with an inverted condition (ssl_tls13_parse_hrr_key_share_ext: any group but
 * the first of the list passes), so a server asking for a group we never offered gets a
 * second ClientHello; here it gets illegal_parameter (tls_conn_handshake). With --groups
 * any the list is Mbed TLS's own, not checked. */
static int hrr_bad(struct tls_conn *c)
{
	const uint16_t *g = c->t->groups;

	if (c->t->sec.server || c->io.datagram || !c->io.sniff.hrr || g[0] == 0 || c->bad_hrr)
		return 0;
	for (; *g != 0; g++)
		if (*g == c->io.sniff.group)
			return 0;
	c->bad_hrr = c->io.sniff.group != 0 ? c->io.sniff.group : 0xFFFF;
	return 1;
}

/* limit_ms: Mbed TLS's own per-read timeout (datagram retransmission timer), 0 = none. */
static int bio_read(struct tls_conn *c, unsigned char *buf, size_t len, uint32_t limit_ms)
{
	int n = sec_io_recv(&c->io, buf, len, limit_ms);

	if (n > 0 && hrr_bad(c))
		return MBEDTLS_ERR_SSL_ILLEGAL_PARAMETER; /* before Mbed TLS reads it */
	if (n == SEC_IO_TIMER)
		return MBEDTLS_ERR_SSL_TIMEOUT;
	if (n == ACK_ERR_TIMEOUT)
		return MBEDTLS_ERR_SSL_WANT_READ; /* Mbed TLS keeps its partial-record state */
	if (n < 0)
		return MBEDTLS_ERR_NET_RECV_FAILED;
	return n; /* 0 (SEC_IO_EOF): MBEDTLS_ERR_SSL_CONN_EOF, end without close_notify */
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	return bio_read(ctx, buf, len, 0);
}

static int bio_recv_timeout(void *ctx, unsigned char *buf, size_t len, uint32_t timeout_ms)
{
	return bio_read(ctx, buf, len, timeout_ms);
}

/* Mbed TLS's handshake state at an I/O, for the timeline rows (sec_io.h). */
static int hs_state(void *arg)
{
	const struct tls_conn *c = arg;

	return (int)c->ssl.MBEDTLS_PRIVATE(state);
}

/* The port error behind an Mbed TLS failure says more than the Mbed TLS code. */
static int take_err(struct tls_conn *c, int r)
{
	return sec_io_take_err(&c->io, r);
}

int tls_conn_new(struct tls_ctx *t, int h, const char *peer, struct tls_conn **out)
{
	struct tls_conn *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (c == NULL) {
		port_close(h);
		return ACK_ERR_NOMEM;
	}
	c->t = t;
	sec_io_init(&c->io, h, t->sec.server, t->sec.datagram);
	c->io.hs_state = hs_state;
	c->io.state_arg = c;
	mbedtls_ssl_init(&c->ssl);
	snprintf(c->peer, sizeof(c->peer), "%s", peer ? peer : "?");
	*out = c;
	return 0;
}

int tls_conn_prepare(struct tls_conn *c)
{
	struct tls_ctx *t = c->t;
	int r;

	if (c->ready)
		return 0;
	r = mbedtls_ssl_setup(&c->ssl, &t->conf);
	if (r != 0)
		return r;
	if (!t->sec.server) {
		/* Since 3.6.3 a client without a hostname fails the handshake (notes item 3); an
		 * IP literal is matched against the certificate's iPAddress entries. */
		r = mbedtls_ssl_set_hostname(&c->ssl, t->sec.server_name);
		if (r != 0)
			return r;
		port_mutex_lock(t->sec.lock); /* --parallel: another conn may be saving it */
		if (t->sec.resume && t->have_session)
			mbedtls_ssl_set_session(&c->ssl,
			                        &t->session); /* unusable: full handshake */
		port_mutex_unlock(t->sec.lock);
	}
	mbedtls_ssl_set_user_data_p(&c->ssl, c); /* for tls_psk.c's identity check */
	mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv,
	                    t->sec.datagram ? bio_recv_timeout : NULL);
	tls_conn_keylog(c);
	c->ready = 1;
	return 0;
}

#if defined(MBEDTLS_SSL_EARLY_DATA) && defined(MBEDTLS_SSL_SRV_C)
/* Server: the early data that came with the ClientHello, kept for tls_conn_recv (Mbed
 * TLS has no 0.5-RTT data: the reply waits for the client's Finished). WANT_READ: go on. */
static int take_early(struct tls_conn *c)
{
	int n;

	if (c->early == NULL && (c->early = malloc(SEC_EARLY_MAX)) == NULL)
		return ACK_ERR_NOMEM;
	n = mbedtls_ssl_read_early_data(&c->ssl, c->early + c->early_len,
	                                SEC_EARLY_MAX - c->early_len);
	if (n < 0)
		return n;
	c->early_len += (size_t)n;
	c->io.early = TP_EARLY_ACCEPTED;
	c->io.early_bytes = (uint32_t)c->early_len;
	return MBEDTLS_ERR_SSL_WANT_READ;
}
#endif

/* The rest of a handshake sec_io_hs_begin started: step until done or failed. */
static int hs_finish(struct tls_conn *c)
{
	int r;

	do {
		r = mbedtls_ssl_handshake(&c->ssl);
#if defined(MBEDTLS_SSL_EARLY_DATA) && defined(MBEDTLS_SSL_SRV_C)
		if (r == MBEDTLS_ERR_SSL_RECEIVED_EARLY_DATA)
			r = take_early(c);
#endif
	} while ((r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) &&
	         c->io.err == 0);
	sec_io_hs_end(&c->io);
	if (r == 0) {
		c->hs_done = 1;
		return 0;
	}
	tls_conn_refused(c, r);
	if (r == MBEDTLS_ERR_SSL_CONN_EOF)
		r = ACK_ERR_EOF;
	return take_err(c, r);
}

int tls_conn_handshake(void *conn)
{
	struct tls_conn *c = conn;
	int r = tls_conn_prepare(c);

	if (r != 0)
		return r;
	sec_io_hs_begin(&c->io, c->t->sec.hs_deadline_ms);
	return hs_finish(c);
}

int tls_conn_handshake_early(void *conn, const uint8_t *buf, size_t len)
{
	struct tls_conn *c = conn;
	int r = tls_conn_prepare(c), n = 0;

	if (r != 0)
		return r;
	sec_io_hs_begin(&c->io, c->t->sec.hs_deadline_ms);
#if defined(MBEDTLS_SSL_EARLY_DATA) && defined(MBEDTLS_SSL_CLI_C)
	/* Writes the ClientHello, then (if the ticket allows early data) one record of buf;
	 * CANNOT_WRITE: the session allows none, the handshake goes on without. */
	do
		n = mbedtls_ssl_write_early_data(&c->ssl, buf, len);
	while ((n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_WANT_WRITE) &&
	       c->io.err == 0);
	if (n == MBEDTLS_ERR_SSL_CANNOT_WRITE_EARLY_DATA)
		n = 0;
	if (n < 0) {
		sec_io_hs_end(&c->io);
		return take_err(c, n);
	}
	r = hs_finish(c);
	if (r != 0)
		return r;
	switch (mbedtls_ssl_get_early_data_status(&c->ssl)) {
	case MBEDTLS_SSL_EARLY_DATA_STATUS_ACCEPTED:
		c->io.early = TP_EARLY_ACCEPTED;
		c->io.early_bytes = (uint32_t)n;
		return n;
	case MBEDTLS_SSL_EARLY_DATA_STATUS_REJECTED: c->io.early = TP_EARLY_REJECTED; return 0;
	default: return 0; /* not offered: the ticket allowed none */
	}
#else
	(void)buf;
	(void)len;
	(void)n;
	return hs_finish(c);
#endif
}

int tls_conn_send(void *conn, const uint8_t *buf, size_t len)
{
	struct tls_conn *c = conn;
	size_t off = 0;

	sec_io_deadline(&c->io, -1); /* writes block in the socket, as plain TCP's do */
	while (off < len) {
		/* May write less than asked (one record, at most 16383 bytes in TLS 1.3); after
		 * WANT_READ/WANT_WRITE it must be called again with the same arguments. */
		int n = mbedtls_ssl_write(&c->ssl, buf + off, len - off);

		if (n > 0)
			off += (size_t)n;
		else if ((n != MBEDTLS_ERR_SSL_WANT_READ && n != MBEDTLS_ERR_SSL_WANT_WRITE) ||
		         c->io.err != 0)
			return take_err(c, n < 0 ? n : ACK_ERR_PROTO);
	}
	return 0;
}

/* One mbedtls_ssl_read with EOF and close_notify mapped; TLS 1.3 NewSessionTicket noted. */
static int read_once(struct tls_conn *c, uint8_t *buf, size_t cap)
{
	for (;;) {
		int n = mbedtls_ssl_read(&c->ssl, buf, cap);

		if (n > 0)
			return n;
		if (n == 0 || n == MBEDTLS_ERR_SSL_CONN_EOF)
			return ACK_ERR_TRUNCATED; /* transport closed without close_notify */
		if (n == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
			c->peer_closed = 1;
			return ACK_ERR_EOF;
		}
#if defined(MBEDTLS_SSL_PROTO_TLS1_3) && defined(MBEDTLS_SSL_SESSION_TICKETS)
		if (n == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
			c->ticket = 1; /* taken at close, outside the exchange */
			continue;
		}
#endif
		if ((n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_WANT_WRITE) &&
		    c->io.err == 0)
			continue;
		tls_conn_mac_hint(c, n);
		return take_err(c, n);
	}
}

int tls_conn_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct tls_conn *c = conn;

	if (c->early_off < c->early_len) { /* the early data first, as it came */
		size_t n = c->early_len - c->early_off < cap ? c->early_len - c->early_off : cap;

		memcpy(buf, c->early + c->early_off, n);
		c->early_off += n;
		return (int)n;
	}
	if (c->peer_closed)
		return ACK_ERR_EOF;
	sec_io_deadline(&c->io, timeout_ms);
	return read_once(c, buf, cap);
}

static void save_session(struct tls_conn *c)
{
	struct tls_ctx *t = c->t;
	mbedtls_ssl_session s;

	/* TLS 1.2 carries the ticket in the handshake; TLS 1.3 sends it afterwards, and
	 * exporting a 1.3 session without one would only give a full handshake next time. */
	if (t->sec.server || !t->sec.resume || !c->hs_done ||
	    (mbedtls_ssl_get_version_number(&c->ssl) != MBEDTLS_SSL_VERSION_TLS1_2 && !c->ticket))
		return;
	mbedtls_ssl_session_init(&s);
	if (mbedtls_ssl_get_session(&c->ssl, &s) != 0) {
		mbedtls_ssl_session_free(&s);
		return;
	}
	port_mutex_lock(t->sec.lock);
	mbedtls_ssl_session_free(&t->session);
	t->session = s; /* ownership of its buffers moves with it */
	t->have_session = 1;
	port_mutex_unlock(t->sec.lock);
}

static void conn_free(struct tls_conn *c)
{
	mbedtls_ssl_free(&c->ssl);
	sec_io_close(&c->io);
	free(c->early);
	free(c);
}

void tls_conn_abort(void *conn)
{
	struct tls_conn *c = conn;

	if (c != NULL)
		conn_free(c);
}

int tls_conn_close(void *conn, int timeout_ms)
{
	struct tls_conn *c = conn;
	uint8_t sink[256];
	int r = 0, n;

	sec_io_deadline(&c->io, timeout_ms);
	if (c->hs_done) {
		do
			n = mbedtls_ssl_close_notify(&c->ssl);
		while ((n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_WANT_WRITE) &&
		       c->io.err == 0);
		if (n < 0)
			r = take_err(c, n);
		/* Wait for the peer's close_notify (anything else it still sends is dropped). Not
		 * on datagrams: a lost close_notify would cost the whole timeout, and DTLS runs end
		 * with an acknowledged END message instead (notes item 12). */
		while (r == 0 && !c->peer_closed && !c->t->sec.datagram) {
			n = read_once(c, sink, sizeof(sink));
			if (n < 0 && n != ACK_ERR_EOF)
				r = n;
		}
	}
	if (r == 0 && !c->t->sec.datagram)
		r = sec_io_fin(&c->io);
	if (r == 0)
		save_session(c);
	conn_free(c);
	return r;
}

void tls_conn_names(void *conn, struct sec_names *n)
{
	const struct tls_conn *c = conn;
	const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&c->ssl);

	n->ctx = &c->t->sec;
	n->version = mbedtls_ssl_get_version(&c->ssl);
	n->suite = mbedtls_ssl_get_ciphersuite(&c->ssl);
	if (!c->t->sec.server && peer != NULL)
		snprintf(n->peer_key, sizeof(n->peer_key), "%s-%u", mbedtls_pk_get_name(&peer->pk),
		         (unsigned)mbedtls_pk_get_bitlen(&peer->pk));
}
