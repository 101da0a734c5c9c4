/*
 * dtls_conn.c - one DTLS connection of either side (see dtls_conn.h): a tls_conn with the
 * timer Mbed TLS drives, the MTU, the client's transport id on the server, and the BIO
 * hook that counts retransmissions and reads the server's flight.
 */
#include "dtls_conn.h"
#include "loglimit.h"

#include <inttypes.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>

/* ---- the timer Mbed TLS drives (mbedtls_timing_set_delay/get_delay semantics) ---- */

static void timer_set(void *p, uint32_t int_ms, uint32_t fin_ms)
{
	struct dtls_conn *d = p;

	d->timer_ns = port_mono_ns();
	d->int_ns = (uint64_t)int_ms * 1000000u;
	d->fin_ns = (uint64_t)fin_ms * 1000000u;
}

/* -1 cancelled, 0 running, 1 intermediate delay passed, 2 final delay passed. Mbed TLS
 * asks before each read and resends its flight on 2. */
static int timer_get(void *p)
{
	struct dtls_conn *d = p;
	uint64_t el;

	if (d->fin_ns == 0)
		return -1;
	el = port_mono_ns() - d->timer_ns;
	if (el >= d->fin_ns) {
		d->expired = 1;
		return 2;
	}
	return el >= d->int_ns;
}

/* The tap on the connection's sec_io: sees every datagram. A send that follows a timer
 * expiry (seen here, or as a read sec_io ended at Mbed TLS's limit, SEC_IO_TIMER) is a
 * retransmission; other resends (answers to the peer's retransmissions) are not counted. */
static void dgram_tap(void *arg, int tx, const uint8_t *buf, size_t n, uint64_t now)
{
	struct dtls_conn *d = arg;
	struct sec_io *io = &d->c->io;

	(void)now;
	if (io->timer_expiries != d->expiries_seen) {
		d->expiries_seen = io->timer_expiries;
		d->expired = 1;
	}
	if (tx) {
		d->retrans += d->expired != 0;
		d->expired = 0;
		return;
	}
	d->expired = 0;
	if (d->on_rx != NULL)
		d->on_rx(d, buf, n);
}

int dtls_conn_new(struct dtls_state *s, int h, const char *peer, struct dtls_conn **out)
{
	struct dtls_conn *d = calloc(1, sizeof(*d));
	int r;

	*out = NULL;
	if (d == NULL) {
		port_close(h);
		return ACK_ERR_NOMEM;
	}
	r = tls_conn_new(&s->t, h, peer, &d->c);
	if (r != 0) {
		free(d);
		return r;
	}
	d->s = s;
	d->c->io.stack_tap = dgram_tap;
	d->c->io.stack_arg = d;
	*out = d;
	return 0;
}

void dtls_conn_free(struct dtls_conn *d)
{
	free(d);
}

/* --cid (RFC 9146): the server gives each connection a random SEC_CID_LEN-byte CID, which
 * the client then puts in every record it sends; the client asks for the extension with
 * an empty CID of its own (the server's records carry none). */
static int set_cid(struct dtls_conn *d)
{
#if defined(MBEDTLS_SSL_DTLS_CONNECTION_ID)
	struct tls_ctx *t = &d->s->t;
	unsigned char cid[SEC_CID_LEN];
	int r;

	if (!t->sec.cid)
		return 0;
	if (!t->sec.server)
		return mbedtls_ssl_set_cid(&d->c->ssl, MBEDTLS_SSL_CID_ENABLED, NULL, 0);
	r = mbedtls_ctr_drbg_random(&t->drbg, cid, sizeof(cid));
	if (r == 0)
		r = mbedtls_ssl_set_cid(&d->c->ssl, MBEDTLS_SSL_CID_ENABLED, cid, sizeof(cid));
	return r;
#else
	(void)d;
	return 0;
#endif
}

/* --cid and the peer did not agree (a stack or build without RFC 9146): the session
 * goes on without, tied to the address; said once, counted (the server's report). */
static void no_cid(struct dtls_conn *d)
{
	struct dtls_state *s = d->s;

	if (s->nocid++ != 0)
		return;
	fprintf(stderr,
	        "%s: %s: no connection ID: the %s did not negotiate one (RFC 9146); the session "
	        "is tied to the address%s\n",
	        s->t.sec.prog, d->c->peer, s->t.sec.server ? "client" : "server",
	        s->t.sec.server ? " (further ones only counted)" : "");
}

/* After the handshake: the CID the server chose, if the peer agreed to one, into io; a
 * server's connection then gets the records with it from the listening socket. */
static int note_cid(struct dtls_conn *d)
{
#if defined(MBEDTLS_SSL_DTLS_CONNECTION_ID)
	struct tls_conn *c = d->c;
	unsigned char cid[MBEDTLS_SSL_CID_OUT_LEN_MAX];
	size_t len = 0;
	int on = MBEDTLS_SSL_CID_DISABLED, r;

	c->io.cid_len = 0;
	if (!d->s->t.sec.cid)
		return 0;
	/* in use (a server's peer CID is empty: ENABLED still, as ours is not) */
	r = mbedtls_ssl_get_peer_cid(&c->ssl, &on, cid, &len);
	if (r == 0 && on == MBEDTLS_SSL_CID_ENABLED && c->t->sec.server)
		r = mbedtls_ssl_get_own_cid(&c->ssl, &on, cid, &len);
	if (r == 0 && on == MBEDTLS_SSL_CID_ENABLED && len <= SEC_CID_MAX) {
		memcpy(c->io.cid, cid, len);
		c->io.cid_len = (uint8_t)len;
	} else {
		no_cid(d);
	}
	if (!c->t->sec.server)
		return 0;
	return sec_io_cid_serve(&c->io, &d->s->cids, &d->cli_addr);
#else
	(void)d;
	(void)no_cid;
	return 0;
#endif
}

/* After tls_conn_prepare: the timer, the MTU, and on the server the client's address,
 * bound into its cookie (notes item 10). Again after every reset. */
static int conn_settings(struct dtls_conn *d)
{
	mbedtls_ssl_context *ssl = &d->c->ssl;
	int r;

	mbedtls_ssl_set_timer_cb(ssl, d, timer_set, timer_get);
	mbedtls_ssl_set_mtu(ssl, d->s->mtu);
	r = set_cid(d);
	if (r != 0 || !d->s->t.sec.server)
		return r;
	return mbedtls_ssl_set_client_transport_id(ssl, (const unsigned char *)d->cli_id,
	                                           strlen(d->cli_id));
}

/* The client's check of max_payload against the library (once per process). */
static void check_max(struct dtls_conn *d)
{
	struct dtls_state *s = d->s;
	int m = mbedtls_ssl_get_max_out_record_payload(&d->c->ssl);

	/* --parallel: the slots' handshakes end at once; the exchange says it once */
	if (m >= 0 && (uint32_t)m < s->max_payload && !atomic_exchange(&s->warned, 1)) {
		fprintf(stderr,
		        "%s: warning: %s allows %d-byte messages at --mtu %u, not %u: larger ones "
		        "will fail\n",
		        s->t.sec.prog, mbedtls_ssl_get_ciphersuite(&d->c->ssl), m, (unsigned)s->mtu,
		        (unsigned)s->max_payload);
	}
}

int dtls_conn_handshake(struct dtls_conn *d)
{
	struct tls_conn *c = d->c;
	int r = 0, tries = 0;

	if (!c->ready) {
		r = tls_conn_prepare(c);
		if (r == 0)
			r = conn_settings(d);
	}
	while (r == 0) {
		r = tls_conn_handshake(c);
		if (r != MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED || ++tries > 3)
			break;
		/* Server: Mbed TLS wants a cookie that the listener's check let through. Answer on
		 * this socket, which keeps receiving the client's next ClientHello (closing it
		 * and accepting again races with that ClientHello: notes item 11). */
		r = mbedtls_ssl_session_reset(&c->ssl);
		if (r == 0)
			r = conn_settings(d);
	}
	/* A client without certificate got its handshake_failure alert in tls_conn_handshake. */
	if (r == 0)
		r = note_cid(d);
	if (r == 0 && !c->t->sec.server)
		check_max(d);
	if (c->t->sec.server && d->retrans != 0) { /* the client reports its own per message */
		d->s->retrans += d->retrans;
		d->s->retrans_conns++;
		loglimit_printf(LOGLIMIT_RETRANS,
		                "%s: %s: handshake %s after %" PRIu32 " retransmission(s)\n",
		                c->t->sec.prog, c->peer, r == 0 ? "done" : "failed", d->retrans);
	}
	return r;
}

int dtls_conn_restart(struct dtls_conn *d, int reset)
{
	struct tls_conn *c = d->c;
	int r = 0;

	if (reset) {
		r = mbedtls_ssl_session_reset(&c->ssl);
		if (r == 0)
			r = conn_settings(d);
		if (r != 0)
			return r;
	}
	c->hs_done = 0;
	c->peer_closed = 0;
	sec_io_hs_reset(&c->io);
	d->retrans = 0;
	d->expired = 0;
	d->dup_hello = 0;
	return dtls_conn_handshake(d);
}
