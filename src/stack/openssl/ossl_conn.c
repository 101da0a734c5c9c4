/*
 * ossl_conn.c - the per-connection half of ossl.h: an SSL over our BIO (ossl_bio.c) with
 * the same time bounds, close sequence and refusal messages as the mbedtls stack.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "loglimit.h"
#include "ossl.h"
#include "ossl_bio.h"

#define LINGER_MS 200u /* after a failed handshake, see linger() */

/* DTLS_set_timer_cb: the first timeout of a flight is --hs-timeout's MIN, doubled after
 * each expiry up to MAX. Every call with timer_us != 0 is an expiry after which OpenSSL
 * resends its flight: a retransmission, counted. */
static unsigned int dtls_timer(SSL *ssl, unsigned int timer_us)
{
	struct ossl_conn *c = SSL_get_app_data(ssl);
	uint64_t next;

	if (timer_us == 0)
		return c->t->hs_min_ms * 1000u;
	c->retrans++;
	next = 2u * (uint64_t)timer_us;
	if (next > (uint64_t)c->t->hs_max_ms * 1000u)
		next = (uint64_t)c->t->hs_max_ms * 1000u;
	return (unsigned int)next;
}

static int is_ip(const char *s)
{
	return strspn(s, "0123456789.") == strlen(s) || strchr(s, ':') != NULL;
}

int ossl_conn_new(struct ossl_ctx *t, int h, const char *peer, struct ossl_conn **out)
{
	return ossl_conn_take(t, h, peer, NULL, out);
}

/* c->ssl (ssl, or a new one) over c->io. 0, or the error (c still to be freed). */
static int conn_ssl(struct ossl_conn *c, SSL *ssl)
{
	struct ossl_ctx *t = c->t;
	BIO *b;

	c->ssl = ssl != NULL ? ssl : SSL_new(t->ctx);
	b = c->ssl != NULL ? ossl_bio_new(c) : NULL;
	if (b == NULL)
		return ossl_err_keep("SSL_new");
	SSL_set_app_data(c->ssl, c);
	SSL_set_bio(c->ssl, b, b); /* frees the listening BIO of a taken SSL */
	if (t->sec.server) {
		if (ssl == NULL)
			SSL_set_accept_state(c->ssl);
	} else {
		SSL_set_connect_state(c->ssl);
		/* An IP literal is matched against the certificate's iPAddress entries; a raw
		 * public key has no name: the pin (ossl_rpk.c) is the check. On failure c is
		 * freed by the caller (ossl_conn_take), not here. */
		if (t->peer_rpk == NULL &&
		    (is_ip(t->sec.server_name)
		             ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl),
		                                             t->sec.server_name) != 1
		             : SSL_set1_host(c->ssl, t->sec.server_name) != 1 ||
		                       SSL_set_tlsext_host_name(c->ssl, t->sec.server_name) != 1))
			return ossl_err_keep("server name");
		port_mutex_lock(t->sec.lock); /* --parallel: another conn may be saving it */
		if (t->sec.resume && t->session != NULL)
			SSL_set_session(c->ssl, t->session); /* unusable: full handshake */
		port_mutex_unlock(t->sec.lock);
	}
	if (ossl_rpk_conn(c) != 0)
		return OSSL_ERR_LIB; /* c freed by the caller */
	if (t->sec.datagram) {
		SSL_set_options(c->ssl, SSL_OP_NO_QUERY_MTU);
		SSL_set_mtu(c->ssl, t->mtu);
		DTLS_set_timer_cb(c->ssl, dtls_timer);
	}
	return 0;
}

int ossl_conn_take(struct ossl_ctx *t, int h, const char *peer, SSL *ssl, struct ossl_conn **out)
{
	struct ossl_conn *c = calloc(1, sizeof(*c));
	int r;

	*out = NULL;
	if (c == NULL) {
		SSL_free(ssl);
		port_close(h);
		return ACK_ERR_NOMEM;
	}
	c->t = t;
	sec_io_init(&c->io, h, t->sec.server, t->sec.datagram);
	c->io.hs_state = ossl_state_of;
	c->io.state_arg = c;
	snprintf(c->peer, sizeof(c->peer), "%s", peer ? peer : "?");
	r = conn_ssl(c, ssl);
	if (r != 0) {
		ossl_conn_abort(c);
		return r;
	}
	*out = c;
	return 0;
}

int ossl_conn_renew(struct ossl_conn *c)
{
	SSL_free(c->ssl); /* frees the BIO */
	c->ssl = NULL;
	sec_io_hs_reset(&c->io);
	c->hs_done = c->peer_closed = 0;
	c->timer_ns = 0;
	c->timer_expired = 0;
	c->retrans = 0;
	return conn_ssl(c, NULL);
}

int ossl_conn_err(struct ossl_conn *c, int r)
{
	int e = SSL_get_error(c->ssl, r);
	unsigned long last = ERR_peek_last_error();

	if (c->io.err != 0) {
		ERR_clear_error();
		return sec_io_take_err(&c->io, ACK_ERR_PROTO);
	}
	if (e == SSL_ERROR_ZERO_RETURN)
		return ACK_ERR_EOF;
	if ((e == SSL_ERROR_SYSCALL && last == 0) ||
	    (e == SSL_ERROR_SSL && ERR_GET_REASON(last) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
		ERR_clear_error();
		return c->hs_done ? ACK_ERR_TRUNCATED : ACK_ERR_EOF;
	}
	return ossl_err_keep(c->hs_done ? "SSL_read/SSL_write" : "handshake");
}

/* Prints why we refused the peer's certificate: only the verifying side has the reason.
 * A client prints each distinct reason once. */
static void report_verify(struct ossl_conn *c)
{
	struct ossl_ctx *t = c->t;
	long v = SSL_get_verify_result(c->ssl);
	const char *why;

	if (t->sec.server &&
	    ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
		loglimit_printf(LOGLIMIT_REFUSED,
		                "%s: %s: client certificate rejected: Certificate was missing\n",
		                t->sec.prog, c->peer);
		return;
	}
	if (v == X509_V_OK || (!t->sec.server && v == t->last_verify))
		return;
	t->last_verify = (int)v;
	if (ossl_rpk_refused(c, v))
		return;
	why = X509_verify_cert_error_string(v);
	loglimit_printf(LOGLIMIT_REFUSED, "%s: %s: %s certificate rejected: %s%s\n", t->sec.prog,
	                c->peer, t->sec.server ? "client" : "server", why,
	                v == X509_V_ERR_CERT_NOT_YET_VALID
	                        ? " (check this machine's clock: boards without "
	                          "a real-time clock boot in 1970)"
	                        : "");
}

/* After OpenSSL sent its fatal alert: end our side and drain briefly before the close, so
 * the peer reads the alert rather than a reset. */
static void linger(struct ossl_conn *c)
{
	uint64_t end = sec_deadline((int)LINGER_MS);
	uint8_t sink[256];

	if (c->t->sec.datagram || port_shutdown_write(c->io.h) != 0)
		return;
	while (port_recv(c->io.h, sink, sizeof(sink), sec_ms_left(end), NULL) > 0)
		;
}

/* The client's check of max_payload against OpenSSL (once per process). */
static void check_max(struct ossl_conn *c)
{
	struct ossl_ctx *t = c->t;
	size_t m = DTLS_get_data_mtu(c->ssl);

	if (m != 0 && m < t->max_payload && !t->warned) {
		fprintf(stderr,
		        "%s: warning: %s allows %zu-byte messages at --mtu %u, not %u: larger ones "
		        "will fail\n",
		        t->sec.prog, SSL_get_cipher_name(c->ssl), m, (unsigned)t->mtu,
		        (unsigned)t->max_payload);
		t->warned = 1;
	}
}

/* Client --resume, (D)TLS 1.2: a server may send a new ticket in a resumed handshake (RFC
 * 5077 3.3; wolfSSL 5.9 does every time). OpenSSL then moves the connection to a copy of the
 * session holding the new ticket, marks the session we offered not resumable (the old
 * ticket is out of date) and, the handshake being a resumed one, does not call
 * new_session() (ossl_ctx.c) with the copy: keep it here, or the next connection would
 * offer nothing and make a full handshake. No new ticket: the same session, kept as is. */
static void keep_renewed(struct ossl_conn *c)
{
	struct ossl_ctx *t = c->t;
	SSL_SESSION *s;

	if (t->sec.server || !t->sec.resume || !SSL_session_reused(c->ssl) ||
	    SSL_version(c->ssl) == TLS1_3_VERSION)
		return;
	s = SSL_get1_session(c->ssl);
	if (s == NULL)
		return;
	port_mutex_lock(t->sec.lock); /* --parallel: another conn may be reading it */
	if (s != t->session && SSL_SESSION_is_resumable(s)) {
		SSL_SESSION_free(t->session);
		t->session = s;
		s = NULL;
	}
	port_mutex_unlock(t->sec.lock);
	SSL_SESSION_free(s);
}

int ossl_conn_handshake(void *conn)
{
	struct ossl_conn *c = conn;
	struct ossl_ctx *t = c->t;
	int r, e;

	sec_io_hs_begin(&c->io, t->sec.datagram ? t->budget_ms : t->sec.hs_deadline_ms);
	if (c->hello_len != 0) /* taken by DTLSv1_listen from the listening socket */
		sec_io_seen(&c->io, 0, c->hello, c->hello_len);
	c->hello_len = 0;
	if (t->sec.server && t->sec.early_data && c->early == NULL) {
		r = ossl_early_server_start(c);
		if (r > 0) { /* early data in: answered at once (0.5-RTT), the rest in recv */
			sec_io_hs_end(&c->io);
			return 0;
		}
		if (r < 0) {
			sec_io_hs_end(&c->io);
			report_verify(c);
			return r;
		}
	}
	for (;;) {
		r = SSL_do_handshake(c->ssl);
		if (r == 1)
			break;
		e = SSL_get_error(c->ssl, r);
		if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) || c->io.err != 0)
			break;
		if (t->sec.datagram && DTLSv1_handle_timeout(c->ssl) < 0)
			break;
	}
	sec_io_hs_end(&c->io);
	if (t->sec.server && t->sec.datagram && c->retrans != 0) { /* the client reports its own */
		t->retrans += c->retrans;
		t->retrans_conns++;
		loglimit_printf(LOGLIMIT_RETRANS,
		                "%s: %s: handshake %s after %u retransmission(s)\n", t->sec.prog,
		                c->peer, r == 1 ? "done" : "failed", (unsigned)c->retrans);
	}
	if (r == 1 && (e = ossl_rpk_check(c)) != 0)
		return e;
	if (r == 1) {
		c->hs_done = 1;
		keep_renewed(c);
		if (t->sec.datagram && !t->sec.server)
			check_max(c);
		return 0;
	}
	report_verify(c);
	r = ossl_conn_err(c, r);
	if (r == OSSL_ERR_LIB && !c->psk_unknown)
		sec_psk_hint(&t->sec, c->peer);
	if (r == OSSL_ERR_LIB)
		linger(c);
	return r;
}

int ossl_conn_send(void *conn, const uint8_t *buf, size_t len)
{
	struct ossl_conn *c = conn;

	sec_io_deadline(&c->io, -1); /* writes block in the socket, as plain TCP's do */
	if (c->early_open && !c->hs_done)
		return ossl_early_send(c, buf, len);
	for (;;) {
		int n = SSL_write(c->ssl, buf, (int)len), e;

		if (n > 0)
			return 0; /* no partial writes: all of buf */
		e = SSL_get_error(c->ssl, n);
		if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) || c->io.err != 0)
			return ossl_conn_err(c, n);
	}
}

static int read_once(struct ossl_conn *c, uint8_t *buf, size_t cap)
{
	for (;;) {
		int n = SSL_read(c->ssl, buf, (int)cap), e;

		if (n > 0)
			return n;
		e = SSL_get_error(c->ssl, n);
		if (e == SSL_ERROR_ZERO_RETURN) {
			c->peer_closed = 1;
			return ACK_ERR_EOF;
		}
		if ((e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) && c->io.err == 0) {
			if (c->t->sec.datagram && DTLSv1_handle_timeout(c->ssl) < 0)
				return ossl_conn_err(c, -1);
			continue; /* a record OpenSSL handled itself (ticket, duplicate) */
		}
		return ossl_conn_err(c, n);
	}
}

int ossl_conn_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct ossl_conn *c = conn;

	if (c->peer_closed)
		return ACK_ERR_EOF;
	sec_io_deadline(&c->io, timeout_ms);
	if (c->early != NULL && (c->early_off < c->early_len || !c->hs_done)) {
		int n = ossl_early_recv(c, buf, cap);

		if (n != 0)
			return n;
	}
	return read_once(c, buf, cap);
}

void ossl_conn_abort(void *conn)
{
	struct ossl_conn *c = conn;

	if (c == NULL)
		return;
	SSL_free(c->ssl); /* frees the BIO */
	sec_io_close(&c->io);
	ERR_clear_error();
	free(c->early);
	free(c);
}

int ossl_conn_close(void *conn, int timeout_ms)
{
	struct ossl_conn *c = conn;
	uint8_t sink[256];
	int r = 0, n;

	sec_io_deadline(&c->io, timeout_ms);
	if (c->hs_done) {
		n = SSL_shutdown(c->ssl); /* close_notify; 1 when the peer's was seen too */
		if (n < 0)
			r = ossl_conn_err(c, n);
		/* The peer's close_notify (anything else it still sends is dropped); not on
		 * datagrams, where DTLS runs end with an acknowledged END instead. */
		while (r == 0 && n == 0 && !c->peer_closed && !c->t->sec.datagram) {
			int m = read_once(c, sink, sizeof(sink));

			if (m < 0 && m != ACK_ERR_EOF)
				r = m;
		}
	}
	if (r == 0 && !c->t->sec.datagram)
		r = sec_io_fin(&c->io);
	ossl_conn_abort(c);
	return r;
}

uint32_t ossl_conn_retrans(void *conn)
{
	const struct ossl_conn *c = conn;

	return c->retrans;
}

void ossl_conn_names(void *conn, struct sec_names *n)
{
	const struct ossl_conn *c = conn;
	X509 *peer = c->t->sec.server ? NULL : SSL_get0_peer_certificate(c->ssl);
	EVP_PKEY *rpk = c->t->sec.server ? NULL : SSL_get0_peer_rpk(c->ssl);

	n->ctx = &c->t->sec;
	n->version = SSL_get_version(c->ssl);
	n->suite = SSL_get_cipher_name(c->ssl);
	if (peer != NULL || rpk != NULL)
		ossl_key_name(peer != NULL ? X509_get0_pubkey(peer) : rpk, n->peer_key,
		              sizeof(n->peer_key));
}
