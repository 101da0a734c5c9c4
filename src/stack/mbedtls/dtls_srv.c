/*
 * dtls_srv.c - the DTLS server's side of the dtls transport: one client at a time on a
 * listening UDP socket, as mbedtls_net_accept does, but deciding on each datagram before
 * any state exists for it:
 *   - not a ClientHello (a previous client's close_notify or duplicate, garbage): dropped
 *     and counted, no handshake is started, so it costs the next client no timer;
 *   - a ClientHello without a valid cookie: a HelloVerifyRequest straight from the
 *     listening socket (RFC 6347 4.2.1: no state before the cookie round trip);
 *   - a ClientHello with a valid cookie (or any, with --no-cookie): the listening socket is
 *     connected to that client with the ClientHello still queued in it (port_udp_adopt), a
 *     new one listens, and Mbed TLS reads the ClientHello from the connected socket. No
 *     socket is closed between the HelloVerifyRequest and the handshake, so the client's
 *     second ClientHello cannot be lost there (notes item 11).
 * While a connection waits for its peer (in the handshake or for its next request) the
 * listening socket is watched too (sec_io_wait): a new client's ClientHello ends a
 * connection silent for one handshake timer (its client left without a close_notify that
 * arrived, or never meant to finish its handshake). A client reconnecting from the same address and
 * port reaches the connected socket: Mbed TLS checks its cookie and returns
 * MBEDTLS_ERR_SSL_CLIENT_RECONNECT, and the new client is authenticated by a new handshake.
 */
#include <inttypes.h>
#include <string.h>

#include "dtls_srv.h"
#include "err.h"
#include "loglimit.h"

/* The connection this thread serves (--max-conns: each worker accepts and serves its own),
 * for the cookie check that Mbed TLS calls without naming the connection. */
static _Thread_local struct dtls_conn *cur;

void dtls_srv_forget(const struct dtls_conn *d)
{
	if (cur == d)
		cur = NULL;
}

/* Cookie callbacks (mbedtls_ssl_conf_dtls_cookies). The check also refuses a copy of the
 * current session's own ClientHello arriving after its handshake (a network duplicate):
 * Mbed TLS would take it for a reconnecting client and reset the session; refused, it only
 * answers it with a HelloVerifyRequest. With --no-cookie every other ClientHello passes,
 * so that no HelloVerifyRequest round trip happens but reconnects are still recognised. */
static int cookie_write(void *p, unsigned char **out, unsigned char *end, const unsigned char *id,
                        size_t id_len)
{
	struct dtls_state *s = p;

	return mbedtls_ssl_cookie_write(&s->cookie, out, end, id, id_len);
}

static int cookie_check(void *p, const unsigned char *cookie, size_t len, const unsigned char *id,
                        size_t id_len)
{
	struct dtls_state *s = p;

	(void)s;
	if (cur != NULL && cur->dup_hello)
		return -1;
	if (!s->cookies)
		return 0;
	return mbedtls_ssl_cookie_check(&s->cookie, cookie, len, id, id_len);
}

void dtls_srv_conf(struct dtls_state *s)
{
	/* The cookie key comes from the DRBG; cookies stay valid 60 s (Mbed TLS default). */
	if (mbedtls_ssl_cookie_setup(&s->cookie, mbedtls_ctr_drbg_random, &s->t.drbg) != 0)
		s->cookies = 0; /* cannot happen with a seeded DRBG; checks then always pass */
	mbedtls_ssl_conf_dtls_cookies(&s->t.conf, cookie_write, cookie_check, s);
}

/* The connection's on_rx: ClientHello random, 32 bytes after the record (13), handshake
 * (12) headers, version (2). */
static void seen(struct dtls_conn *d, const uint8_t *buf, size_t n)
{
	const uint8_t *cookie;
	size_t clen;

	if (!dtls_wire_client_hello(buf, n, &cookie, &clen))
		return;
	if (!d->c->hs_done) {
		memcpy(d->random, buf + 27, 32); /* this session's (and its retransmissions') */
		return;
	}
	memcpy(d->last_random, buf + 27, 32);
	d->dup_hello = memcmp(d->random, d->last_random, 32) == 0;
}

/* A HelloVerifyRequest from the listening socket: no state is kept for the client. */
static void hello_verify(struct dtls_state *s, const struct port_addr *from, const char *id)
{
	unsigned char ck[64], *p = ck;
	uint8_t out[128];
	size_t len;

	sec_listen_consume(&s->dl); /* dl.pk holds the same datagram again */
	if (mbedtls_ssl_cookie_write(&s->cookie, &p, ck + sizeof(ck), (const unsigned char *)id,
	                             strlen(id)) != 0)
		return;
	len = dtls_wire_hello_verify(s->dl.pk, ck, (size_t)(p - ck), out, sizeof(out));
	if (len != 0 && port_sendto(s->t.sec.lh, out, len, from) > 0)
		s->hvr++;
}

int dtls_srv_accept(struct dtls_state *s, int timeout_ms, struct dtls_conn **out)
{
	uint64_t deadline = sec_deadline(timeout_ms);
	struct sec_give_way gw = { -1, s->hs_min_ms, sec_listen_newcomer, &s->dl, &s->superseded };
	struct port_addr from;
	const uint8_t *cookie;
	size_t clen;
	char id[80];
	int n, h, r;

	*out = NULL;
	for (;;) {
		n = sec_listen_next(&s->dl, sec_ms_left(deadline), &from);
		if (n < 0)
			return n;
		if (n == 0)
			continue;
		dtls_wire_client_hello(s->dl.pk, s->dl.len, &cookie, &clen);
		port_addr_str(&from, id, sizeof(id));
		if (s->cookies &&
		    mbedtls_ssl_cookie_check(&s->cookie, cookie, clen, (const unsigned char *)id,
		                             strlen(id)) != 0) {
			hello_verify(s, &from, id);
			continue;
		}
		h = port_udp_adopt(&s->t.sec.lh, &from);
		if (h < 0) {
			sec_listen_consume(&s->dl); /* the client retransmits; do not spin on it */
			return h;
		}
		r = dtls_conn_new(s, h, id, out);
		if (r != 0)
			return r;
		snprintf((*out)->cli_id, sizeof((*out)->cli_id), "%s", id);
		(*out)->cli_addr = from;
		(*out)->on_rx = seen;
		(*out)->first_read = 1;
		gw.lh = s->conns_max > 1 ? -1
		                         : s->t.sec.lh; /* more: a newcomer is another worker's */
		sec_io_give_way(&(*out)->c->io, &gw);
		cur = *out;
		s->conns++;
		return 0;
	}
}

/* The same address and port starts a new session on this connection's socket, so no
 * datagram of it is lost with a closed socket; the client is authenticated again.
 *   MBEDTLS_ERR_SSL_CLIENT_RECONNECT: Mbed TLS checked the ClientHello's cookie and reset the
 *   context, keeping that ClientHello (reset 0).
 *   After a close_notify, a ClientHello queued behind it (a client behind a NAT or proxy that
 *   reuses the port): a HelloVerifyRequest, if on, is answered on this socket (reset 1). */
static int reconnect(struct dtls_conn *d, int reset)
{
	struct dtls_state *s = d->s;
	struct tls_conn *c = d->c;
	char eb[160];
	int r;

	s->reconnects++;
	loglimit_printf(
	        LOGLIMIT_RECONNECT,
	        "%s: %s: client reconnected from the same address and port%s: new handshake\n",
	        s->t.sec.prog, c->peer, reset ? " after its close_notify" : "");
	if (!reset)
		memcpy(d->random, d->last_random, sizeof(d->random));
	r = dtls_conn_restart(d, reset);
	if (r != 0)
		loglimit_printf(LOGLIMIT_HANDSHAKE,
		                "%s: %s: handshake after reconnect failed: %s\n", s->t.sec.prog,
		                c->peer, err_str(r, eb, sizeof(eb)));
	d->first_read = 1;
	c->io.active_ns = port_mono_ns();
	return r;
}

/* --cid: a record with this connection's CID came to the listening socket from a new
 * address (sec_cids_route) and Mbed TLS authenticated it (its MAC, and its sequence number
 * through the replay window: a forged or replayed record never gets here), so the client
 * moved (a NAT rebinding, RFC 9146 6): the session goes on there, without a handshake. */
static void move(struct dtls_conn *d)
{
	struct dtls_state *s = d->s;
	struct tls_conn *c = d->c;
	struct port_addr to;

	if (sec_io_follow(&c->io, s->t.sec.prog, c->peer, sizeof(c->peer), &s->moves, &to) != 0)
		return;
	/* a ClientHello from there (a reconnect) is checked against the new address */
	snprintf(d->cli_id, sizeof(d->cli_id), "%s", c->peer);
	d->cli_addr = to;
	mbedtls_ssl_set_client_transport_id(&c->ssl, (const unsigned char *)d->cli_id,
	                                    strlen(d->cli_id));
}

/* Is a ClientHello queued on the connection's own socket? */
static int hello_queued(struct dtls_conn *d)
{
	uint8_t pk[DTLS_PEEK_MAX]; /* not s->pk: the accepting worker may be using it */
	const uint8_t *cookie;
	size_t clen;
	int n = port_peek_from(d->c->io.h, pk, sizeof(pk), 0, NULL);

	return n > 0 && dtls_wire_client_hello(pk, n < DTLS_PEEK_MAX ? (size_t)n : DTLS_PEEK_MAX,
	                                       &cookie, &clen);
}

/* The first request after a handshake may take a client's whole handshake budget: until
 * it arrives the client may still be retransmitting its last flight, which Mbed TLS
 * answers from the kept flight (read timeout longer than the client's retransmissions). */
int dtls_srv_recv(struct dtls_conn *d, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct dtls_state *s = d->s;
	struct tls_conn *c = d->c;
	int wait_ms = timeout_ms, n;
	uint64_t deadline;

	if (d->first_read && timeout_ms >= 0 && (uint32_t)timeout_ms < s->budget_ms)
		wait_ms = (int)s->budget_ms;
	deadline = sec_deadline(wait_ms);
	for (;;) {
		if (!mbedtls_ssl_check_pending(&c->ssl)) {
			n = sec_io_wait(&c->io, deadline);
			if (n != 0)
				return n;
		}
		n = tls_conn_recv(c, buf, cap, 0);
		if (n > 0 && sec_io_moved(&c->io) != NULL)
			move(d);
		if (n > 0) {
			d->first_read = 0;
			return n;
		}
		if (n == ACK_ERR_TIMEOUT)
			continue; /* Mbed TLS handled the record itself (a duplicate, a resend) */
		if (n == MBEDTLS_ERR_SSL_CLIENT_RECONNECT)
			n = reconnect(d, 0);
		else if (n == ACK_ERR_EOF && hello_queued(d))
			n = reconnect(d, 1);
		if (n != 0)
			return n;
		deadline = sec_deadline(timeout_ms >= 0 && (uint32_t)timeout_ms < s->budget_ms
		                                ? (int)s->budget_ms
		                                : timeout_ms);
	}
}

void dtls_srv_report(const struct dtls_state *s)
{
	printf("dtls conns=%" PRIu32 " hello_verify=%" PRIu32 " retrans=%" PRIu32
	       " retrans_conns=%" PRIu32 " reconnects=%" PRIu32 " superseded=%" PRIu32
	       " stray=%" PRIu32 "\n",
	       s->conns, s->hvr, (uint32_t)s->retrans, (uint32_t)s->retrans_conns,
	       (uint32_t)s->reconnects, (uint32_t)s->superseded, s->dl.stray);
	if (s->t.sec.cid && s->cids.lock != NULL)
		printf("dtls cid moves=%" PRIu32 " routed=%" PRIu32 " unknown=%" PRIu32
		       " backlog=%" PRIu32 " without=%" PRIu32 "\n",
		       (uint32_t)s->moves, s->cids.routed, s->cids.unknown, s->cids.full,
		       (uint32_t)s->nocid);
	fflush(stdout);
}
