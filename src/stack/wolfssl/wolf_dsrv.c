/*
 * wolf_dsrv.c - the DTLS server of the wolfssl stack: one client at a time on a listening
 * UDP socket, deciding on each datagram before any state exists for it, as the mbedtls
 * stack's server does:
 *   - not a ClientHello (stale, garbage): dropped and counted;
 *   - a ClientHello without a valid cookie: a HelloVerifyRequest straight from the
 *     listening socket (RFC 6347 4.2.1: no state before the cookie round trip);
 *   - a ClientHello with a valid cookie: the listening socket is connected to that client
 *     with the ClientHello still queued in it (port_udp_adopt), a new one listens, and
 *     wolfSSL reads the ClientHello from the connected socket.
 * wolfSSL 5.5's DTLS 1.2 server always checks the cookie itself (it cannot be turned off:
 * --no-cookie is refused): HMAC-SHA256 under the connection's cookie secret of the peer
 * address it was given (none here), client_version, random, session_id, cipher_suites and
 * compression_methods (src/dtls.c, CreateDtlsCookie). The listener computes the same
 * cookie under the same secret - one per client, HMAC(key, "ip:port") - so its cookie
 * passes wolfSSL's check and the client's address is still bound into it.
 * A client reconnecting from the same address and port reaches the connected socket: its
 * ClientHello is seen there before wolfSSL reads it, and a new WOLFSSL answers it (with a
 * HelloVerifyRequest of wolfSSL's own, then a full handshake).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/hmac.h>

#include "err.h"
#include "wolf_dsrv.h"
#include "loglimit.h"

#define COOKIE_LEN 32 /* WC_SHA256_DIGEST_SIZE, wolfSSL's DTLS_COOKIE_SZ */

static struct wolf_dstate *state_of(const struct wolf_conn *c)
{
	return (struct wolf_dstate *)(void *)c->t;
}

int wolf_dsrv_init(struct wolf_dstate *s)
{
	size_t got = 0;
	int r = port_entropy_poll(NULL, s->key, sizeof(s->key), &got);

	sec_listen_init(&s->dl, s->t.sec.prog, &s->t.sec.lh);
	if (r != 0 || got != sizeof(s->key))
		r = ACK_ERR_PROTO;
	if (r != 0)
		fprintf(stderr, "%s: no entropy for the DTLS cookie key\n", s->t.sec.prog);
	return r != 0 ? r : wolf_cid_init(s);
}

static int hmac(const uint8_t *key, size_t klen, const uint8_t *const *part, const size_t *len,
                unsigned n, uint8_t out[32])
{
	Hmac h;
	unsigned i;
	int r = wc_HmacInit(&h, NULL, INVALID_DEVID);

	if (r != 0)
		return r;
	r = wc_HmacSetKey(&h, WC_SHA256, key, (word32)klen);
	for (i = 0; r == 0 && i < n; i++)
		r = wc_HmacUpdate(&h, part[i], (word32)len[i]);
	if (r == 0)
		r = wc_HmacFinal(&h, out);
	wc_HmacFree(&h);
	return r;
}

int wolf_dsrv_secret(const struct wolf_dstate *s, const char *id, uint8_t out[32])
{
	const uint8_t *p = (const uint8_t *)id;
	size_t n = strlen(id);

	return hmac(s->key, sizeof(s->key), &p, &n, 1, out);
}

/* The cookie wolfSSL expects in ClientHello d[0..n) (record 13 + handshake 12 headers,
 * then the body). -1 when the fields run past the datagram. */
static int cookie_of(const uint8_t secret[32], const uint8_t *d, size_t n, uint8_t out[32])
{
	const uint8_t *b = d + DTLS_REC_HDR + DTLS_HS_HDR, *part[4];
	size_t len[4], i = 34, left = n - DTLS_REC_HDR - DTLS_HS_HDR;

	if (n < DTLS_REC_HDR + DTLS_HS_HDR + 35)
		return -1;
	part[0] = b; /* client_version, random */
	len[0] = 34;
	part[1] = b + i + 1; /* session_id */
	len[1] = b[i];
	i += 1 + len[1];
	if (i + 1 > left || i + 1 + b[i] + 2 > left)
		return -1;
	i += 1 + b[i];       /* the cookie itself */
	part[2] = b + i + 2; /* cipher_suites */
	len[2] = (size_t)b[i] << 8 | b[i + 1];
	i += 2 + len[2];
	if (i + 1 > left || i + 1 + b[i] > left)
		return -1;
	part[3] = b + i + 1; /* compression_methods */
	len[3] = b[i];
	return hmac(secret, 32, part, len, 4, out);
}

static void hello_verify(struct wolf_dstate *s, const struct port_addr *from, const uint8_t ck[32])
{
	uint8_t out[128];
	size_t len;

	sec_listen_consume(&s->dl); /* dl.pk holds the same datagram again */
	len = dtls_wire_hello_verify(s->dl.pk, ck, COOKIE_LEN, out, sizeof(out));
	if (len != 0 && port_sendto(s->t.sec.lh, out, len, from) > 0)
		s->hvr++;
}

/* The client's cookie secret into c->ssl: DTLS 1.2's HelloVerifyRequest, 1.3's
 * HelloRetryRequest (wolf_dsrv13.c). */
static int set_secret(struct wolf_conn *c, const uint8_t secret[32])
{
	if (c->t->dtls13)
		return wolfSSL_send_hrr_cookie(c->ssl, secret, 32) == WOLFSSL_SUCCESS
		               ? 0
		               : ACK_ERR_PROTO;
	return wolfSSL_DTLS_SetCookieSecret(c->ssl, secret, 32) == 0 ? 0 : ACK_ERR_PROTO;
}

static int serve(struct wolf_dstate *s, struct wolf_conn *c, const char *id,
                 const struct port_addr *from)
{
	struct wolf_dsc *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return ACK_ERR_NOMEM;
	c->dtls = d;
	snprintf(d->cli_id, sizeof(d->cli_id), "%s", id);
	d->cli = *from;
	if (wolf_dsrv_secret(s, id, d->secret) != 0)
		return ACK_ERR_PROTO;
	memcpy(d->random, s->dl.pk + DTLS_REC_HDR + DTLS_HS_HDR + 2, sizeof(d->random));
	d->first_read = 1;
	return set_secret(c, d->secret);
}

/* *out, on the socket adopted for client id: served from now on. */
static int adopted(struct wolf_dstate *s, struct wolf_conn **out, const char *id,
                   const struct port_addr *from, int r)
{
	struct sec_give_way gw = { -1, s->t.hs_min_ms, sec_listen_newcomer, &s->dl,
		                   &s->superseded };

	if (r == 0)
		r = serve(s, *out, id, from);
	if (r != 0) {
		wolf_conn_abort(*out);
		*out = NULL;
		return r;
	}
	gw.lh = s->conns_max > 1 ? -1 : s->t.sec.lh; /* more: a newcomer is another worker's */
	sec_io_give_way(&(*out)->io, &gw);
	s->conns++;
	return 0;
}

int wolf_dsrv_accept(struct wolf_dstate *s, int timeout_ms, struct wolf_conn **out)
{
	uint64_t deadline = sec_deadline(timeout_ms);
	struct port_addr from;
	const uint8_t *cookie;
	uint8_t secret[32], ck[32];
	size_t clen, len;
	char id[80];
	int n, h, r;

	*out = NULL;
	if (s->t.dtls13) {
		r = wolf_dsrv13_accept(s, timeout_ms, out, id, sizeof(id));
		return *out != NULL ? adopted(s, out, id, &s->l_from, r) : r;
	}
	for (;;) {
		n = sec_listen_next(&s->dl, sec_ms_left(deadline), &from);
		if (n < 0)
			return n;
		if (n == 0)
			continue;
		len = s->dl.len;
		dtls_wire_client_hello(s->dl.pk, len, &cookie, &clen);
		port_addr_str(&from, id, sizeof(id));
		if (wolf_dsrv_secret(s, id, secret) != 0 ||
		    cookie_of(secret, s->dl.pk, len, ck) != 0) {
			sec_listen_drop(&s->dl, &from, (int)s->dl.len);
			continue;
		}
		if (clen != COOKIE_LEN || memcmp(cookie, ck, COOKIE_LEN) != 0) {
			hello_verify(s, &from, ck);
			continue;
		}
		h = port_udp_adopt(&s->t.sec.lh, &from);
		if (h < 0) {
			sec_listen_consume(&s->dl); /* the client retransmits; do not spin on it */
			return h;
		}
		r = wolf_conn_new(&s->t, h, id, out);
		return *out != NULL ? adopted(s, out, id, &from, r) : r;
	}
}

int wolf_dsrv_handshake(struct wolf_conn *c)
{
	struct wolf_dstate *s = state_of(c);
	int r = wolf_conn_handshake(c);

	if (c->retrans != 0) { /* the client reports its own per message */
		s->retrans += c->retrans;
		s->retrans_conns++;
		loglimit_printf(LOGLIMIT_RETRANS,
		                "%s: %s: handshake %s after %" PRIu32 " retransmission(s)\n",
		                s->t.sec.prog, c->peer, r == 0 ? "done" : "failed", c->retrans);
	}
	return r;
}

/* A ClientHello queued on the connection's own socket: 1 a new session from the same
 * address and port; a copy of this session's own ClientHello is dropped (0). */
static int hello_queued(struct wolf_conn *c)
{
	uint8_t pk[WOLF_PEEK_MAX]; /* not s->pk: the accepting worker may be using it */
	struct wolf_dsc *d = c->dtls;
	const uint8_t *cookie;
	size_t clen;
	int n = port_peek_from(c->io.h, pk, sizeof(pk), 0, NULL);

	if (n <= 0 || !dtls_wire_client_hello(pk, n < WOLF_PEEK_MAX ? (size_t)n : WOLF_PEEK_MAX,
	                                      &cookie, &clen))
		return 0;
	if (memcmp(d->random, pk + DTLS_REC_HDR + DTLS_HS_HDR + 2, sizeof(d->random)) == 0) {
		port_recv(c->io.h, pk, sizeof(pk), 0, NULL); /* a network duplicate of the
		                                              * handshake's first flight */
		return 0;
	}
	memcpy(d->next, pk + DTLS_REC_HDR + DTLS_HS_HDR + 2, sizeof(d->next));
	return 1;
}

/* The same address and port starts a new session on this connection's socket, so no
 * datagram of it is lost with a closed socket; the client is authenticated again. */
static int reconnect(struct wolf_conn *c, int after_close)
{
	struct wolf_dstate *s = state_of(c);
	struct wolf_dsc *d = c->dtls;
	char eb[160];
	int r;

	s->reconnects++;
	loglimit_printf(
	        LOGLIMIT_RECONNECT,
	        "%s: %s: client reconnected from the same address and port%s: new handshake\n",
	        s->t.sec.prog, c->peer, after_close ? " after its close_notify" : "");
	memcpy(d->random, d->next, sizeof(d->random));
	r = wolf_conn_renew(c);
	if (r == 0)
		r = set_secret(c, d->secret);
	if (r == 0)
		r = wolf_dsrv_handshake(c);
	if (r != 0)
		loglimit_printf(LOGLIMIT_HANDSHAKE,
		                "%s: %s: handshake after reconnect failed: %s\n", s->t.sec.prog,
		                c->peer, err_str(r, eb, sizeof(eb)));
	d->first_read = 1;
	c->io.active_ns = port_mono_ns();
	return r;
}

static int first_wait(const struct wolf_dstate *s, const struct wolf_dsc *d, int timeout_ms)
{
	if (d->first_read && timeout_ms >= 0 && (uint32_t)timeout_ms < s->budget_ms)
		return (int)s->budget_ms;
	return timeout_ms;
}

/* The first request after a handshake may take a client's whole handshake budget: until
 * it arrives the client may still be retransmitting its last flight, which wolfSSL
 * answers from the kept flight. */
int wolf_dsrv_recv(struct wolf_conn *c, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct wolf_dstate *s = state_of(c);
	struct wolf_dsc *d = c->dtls;
	uint64_t deadline = sec_deadline(first_wait(s, d, timeout_ms));
	int n;

	for (;;) {
		if (!wolfSSL_pending(c->ssl)) {
			n = sec_io_wait(&c->io, deadline);
			if (n != 0)
				return n;
			if (hello_queued(c)) {
				n = reconnect(c, 0);
				if (n != 0)
					return n;
				deadline = sec_deadline(first_wait(s, d, timeout_ms));
				continue;
			}
		}
		n = wolf_conn_recv(c, buf, cap, 0);
		if (n > 0 && sec_io_moved(&c->io) != NULL)
			wolf_cid_move(c); /* wolfSSL authenticated the routed record */
		if (n > 0) {
			d->first_read = 0;
			return n;
		}
		if (n == ACK_ERR_TIMEOUT)
			continue; /* wolfSSL handled the record itself (a duplicate, a resend) */
		if (n == ACK_ERR_EOF && hello_queued(c)) {
			n = reconnect(c, 1);
			if (n != 0)
				return n;
			deadline = sec_deadline(first_wait(s, d, timeout_ms));
			continue;
		}
		return n;
	}
}

void wolf_dsrv_report(const struct wolf_dstate *s)
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
