/*
 * dtls_srv.c - the DTLS server of the openssl stack: one client at a time on a listening
 * UDP socket, as the original suite did it, with DTLSv1_listen and cookie callbacks:
 *   - each datagram on the listening socket is looked at first (dtls_wire.c): what is not
 *     a ClientHello (a previous client's close_notify or duplicate, garbage) is dropped
 *     and counted, and costs the next client no timer;
 *   - DTLSv1_listen answers a ClientHello without a valid cookie with a HelloVerifyRequest
 *     from the listening socket, keeping no state for the client (RFC 6347 4.2.1);
 *   - on a valid cookie the listening socket is connected to that client
 *     (port_udp_adopt), a new one listens, and the handshake goes on over the connected
 *     socket from the ClientHello DTLSv1_listen kept. With --no-cookie the ClientHello
 *     stays queued on the adopted socket and SSL_accept reads it there.
 * Cookies: HMAC-SHA256 over the client's address and port and a 30-second time slot, with
 * a key drawn at start-up; the current and the previous slot are accepted. A new client's
 * ClientHello on the listening socket ends a connection silent for one handshake timer, as
 * on the mbedtls stack (sec_io_wait). A client that reconnects from the same address and port
 * reaches the old connection's socket, where OpenSSL 3.0 drops its ClientHello: it is seen
 * here first (a ClientHello with a new random) and the connection starts a new handshake
 * on a new SSL (with a HelloVerifyRequest of its own), as Mbed TLS's CLIENT_RECONNECT does.
 */
#include <inttypes.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "dtls_wire.h"
#include "err.h"
#include "loglimit.h"
#include "ossl.h"
#include "ossl_bio.h"

#define SLOT_NS (30ull * 1000000000ull)

/* The client a cookie is for: DTLSv1_listen's (the listening SSL, no connection yet), else
 * the connection's own (SSL_accept checks the cookie again on the worker's thread, while
 * the accepting one may be listening for the next client already). */
static const struct port_addr *cookie_client(SSL *ssl, const struct ossl_ctx *t)
{
	const struct ossl_conn *c = SSL_get_app_data(ssl);

	return c != NULL ? &c->addr : &t->cookie_peer;
}

static int cookie_make(const struct ossl_ctx *t, const struct port_addr *client, uint64_t slot,
                       unsigned char *out)
{
	unsigned char msg[8 + 80];
	unsigned int len = 0;
	char id[80];
	size_t n;
	int i;

	port_addr_str(client, id, sizeof(id));
	for (i = 0; i < 8; i++)
		msg[i] = (unsigned char)(slot >> (56 - 8 * i));
	n = strlen(id);
	memcpy(msg + 8, id, n);
	return HMAC(EVP_sha256(), t->cookie_key, sizeof(t->cookie_key), msg, 8 + n, out, &len) !=
	                               NULL &&
	                       len >= OSSL_COOKIE_LEN
	               ? 0
	               : -1;
}

static int cookie_gen(SSL *ssl, unsigned char *cookie, unsigned int *len)
{
	struct ossl_ctx *t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	unsigned char mac[EVP_MAX_MD_SIZE];

	if (cookie_make(t, cookie_client(ssl, t), port_mono_ns() / SLOT_NS, mac) != 0)
		return 0;
	memcpy(cookie, mac, OSSL_COOKIE_LEN);
	*len = OSSL_COOKIE_LEN;
	return 1;
}

static int cookie_verify(SSL *ssl, const unsigned char *cookie, unsigned int len)
{
	struct ossl_ctx *t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	uint64_t slot = port_mono_ns() / SLOT_NS;
	unsigned char mac[EVP_MAX_MD_SIZE];
	int k;

	if (len != OSSL_COOKIE_LEN)
		return 0;
	for (k = 0; k < 2 && slot >= (uint64_t)k; k++)
		if (cookie_make(t, cookie_client(ssl, t), slot - (uint64_t)k, mac) == 0 &&
		    CRYPTO_memcmp(mac, cookie, OSSL_COOKIE_LEN) == 0)
			return 1;
	return 0;
}

int ossl_dtls_srv_conf(struct ossl_ctx *t)
{
	sec_listen_init(&t->dl, t->sec.prog, &t->sec.lh);
	if (RAND_bytes(t->cookie_key, sizeof(t->cookie_key)) != 1)
		return ossl_err_keep("RAND_bytes");
	SSL_CTX_set_cookie_generate_cb(t->ctx, cookie_gen);
	SSL_CTX_set_cookie_verify_cb(t->ctx, cookie_verify);
	return 0;
}

/* DTLSv1_listen over the listening BIO: 1 with t->cookie_peer's valid ClientHello taken
 * (kept in the SSL and in t->dl.pk), 0 when it answered or dropped what was there. */
static int listen_once(struct ossl_ctx *t, SSL **lssl)
{
	BIO_ADDR *peer;
	BIO *b;
	int r;

	if (*lssl == NULL) {
		*lssl = SSL_new(t->ctx);
		b = *lssl != NULL ? ossl_bio_listen(t) : NULL;
		if (b == NULL) {
			SSL_free(*lssl);
			*lssl = NULL;
			return ossl_err_keep("SSL_new");
		}
		SSL_set_bio(*lssl, b, b);
		SSL_set_accept_state(*lssl); /* before: SSL_accept after it would reset it */
		SSL_set_options(*lssl, SSL_OP_COOKIE_EXCHANGE | SSL_OP_NO_QUERY_MTU);
		SSL_set_mtu(*lssl, t->mtu);
	}
	peer = BIO_ADDR_new();
	r = peer != NULL ? DTLSv1_listen(*lssl, peer) : -1;
	BIO_ADDR_free(peer);
	if (r < 0) { /* a fatal error on this SSL: the next datagram gets a new one */
		ERR_clear_error();
		SSL_free(*lssl);
		*lssl = NULL;
		return 0;
	}
	return r;
}

int ossl_dtls_accept(struct ossl_ctx *t, int timeout_ms, struct ossl_conn **out)
{
	uint64_t deadline = sec_deadline(timeout_ms);
	struct sec_give_way gw = { -1, t->hs_min_ms, sec_listen_newcomer, &t->dl, &t->superseded };
	struct port_addr from;
	SSL *lssl = NULL;
	char id[80];
	int r, h;

	*out = NULL;
	for (;;) {
		r = sec_listen_next(&t->dl, sec_ms_left(deadline), &from);
		if (r < 0)
			break;
		if (r == 0)
			continue;
		if (t->cookies) {
			r = listen_once(t, &lssl);
			if (r < 0)
				break;
			if (r == 0)
				continue;
			from = t->cookie_peer;
		}
		h = port_udp_adopt(&t->sec.lh, &from);
		if (h < 0) {
			if (!t->cookies)
				sec_listen_consume(
				        &t->dl); /* the client retransmits; do not spin */
			r = h;
			break;
		}
		port_addr_str(&from, id, sizeof(id));
		r = ossl_conn_take(t, h, id, lssl, out);
		lssl = NULL;
		if (r != 0)
			break;
		if (t->cookies) { /* the ClientHello DTLSv1_listen took, for the counts */
			(*out)->hello_len = t->last_len;
			memcpy((*out)->hello, t->dl.pk, t->last_len);
		}
		(*out)->addr = from;
		(*out)->first_read = 1;
		/* t->dl.pk: the ClientHello sec_listen_next found valid (DTLSv1_listen's, with
		 * cookies) */
		memcpy((*out)->random, t->dl.pk + DTLS_REC_HDR + DTLS_HS_HDR + 2,
		       sizeof((*out)->random));
		gw.lh = t->conns_max > 1 ? -1
		                         : t->sec.lh; /* more: a newcomer is another worker's */
		sec_io_give_way(&(*out)->io, &gw);
		t->conns++;
		return 0;
	}
	SSL_free(lssl);
	return r;
}

/* A ClientHello queued on the connection's socket whose random is not the one this
 * connection's handshake had: the same address and port starts a new session. */
static int hello_queued(struct ossl_conn *c)
{
	uint8_t pk[OSSL_PEEK_MAX]; /* not t->dl.pk: the accepting worker may be using it */
	const size_t at = DTLS_REC_HDR + DTLS_HS_HDR + 2;
	const uint8_t *cookie;
	size_t clen;
	int n = port_peek_from(c->io.h, pk, sizeof(pk), 0, NULL);

	if (n <= 0 || !dtls_wire_client_hello(pk, n < OSSL_PEEK_MAX ? (size_t)n : OSSL_PEEK_MAX,
	                                      &cookie, &clen))
		return 0;
	if (memcmp(c->random, pk + at, sizeof(c->random)) == 0)
		return 0; /* this session's own ClientHello again: OpenSSL drops it */
	memcpy(c->random, pk + at, sizeof(c->random));
	return 1;
}

static int reconnect(struct ossl_conn *c)
{
	struct ossl_ctx *t = c->t;
	char eb[160];
	int r;

	t->reconnects++;
	loglimit_printf(
	        LOGLIMIT_RECONNECT,
	        "%s: %s: client reconnected from the same address and port: new handshake\n",
	        t->sec.prog, c->peer);
	r = ossl_conn_renew(c);
	if (r == 0) {
		SSL_set_options(c->ssl, SSL_OP_COOKIE_EXCHANGE); /* as DTLSv1_listen would */
		r = ossl_conn_handshake(c);
	}
	if (r != 0)
		loglimit_printf(LOGLIMIT_HANDSHAKE,
		                "%s: %s: handshake after reconnect failed: %s\n", t->sec.prog,
		                c->peer, err_str(r, eb, sizeof(eb)));
	c->first_read = 1;
	return r;
}

/* As the mbedtls stack's server: the first request after a handshake may take a client's
 * whole handshake budget; a new client waiting on the listening socket ends a connection
 * silent for one handshake timer (sec_io_wait; in the handshake too). */
int ossl_dtls_srv_recv(struct ossl_conn *c, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct ossl_ctx *t = c->t;
	int wait_ms = timeout_ms, n;
	uint64_t deadline;

	if (c->first_read && timeout_ms >= 0 && (uint32_t)timeout_ms < t->budget_ms)
		wait_ms = (int)t->budget_ms;
	deadline = sec_deadline(wait_ms);
	for (;;) {
		if (SSL_pending(c->ssl) == 0) {
			n = sec_io_wait(&c->io, deadline);
			if (n != 0)
				return n;
			if (hello_queued(c)) {
				n = reconnect(c);
				if (n != 0)
					return n;
				deadline = sec_deadline(t->budget_ms);
				continue;
			}
		}
		n = ossl_conn_recv(c, buf, cap, 0);
		if (n > 0) {
			c->first_read = 0;
			return n;
		}
		if (n != ACK_ERR_TIMEOUT)
			return n;
		/* OpenSSL handled the datagram itself (a duplicate, a resend) */
	}
}

void ossl_dtls_srv_report(const struct ossl_ctx *t)
{
	printf("dtls conns=%" PRIu32 " hello_verify=%" PRIu32 " retrans=%" PRIu32
	       " retrans_conns=%" PRIu32 " reconnects=%" PRIu32 " superseded=%" PRIu32
	       " stray=%" PRIu32 "\n",
	       t->conns, t->hvr, (uint32_t)t->retrans, (uint32_t)t->retrans_conns,
	       (uint32_t)t->reconnects, (uint32_t)t->superseded, t->dl.stray);
	fflush(stdout);
}
