/*
 * wolf_dsrv13.c - the DTLS 1.3 listener of the wolfssl stack's server (wolf_dsrv.h). The
 * cookie of DTLS 1.3 is a HelloRetryRequest's (RFC 9147 5.1): its format and the
 * transcript hash it carries are wolfSSL's, so unlike DTLS 1.2's HelloVerifyRequest the
 * listener cannot build it itself. One WOLFSSL (s->lssl) reads each ClientHello from the
 * listening socket through wolfDTLS_accept_stateless(), which keeps no state per client:
 *   - a ClientHello without a cookie: wolfSSL answers with a HelloRetryRequest (sent to the
 *     datagram's sender from the listening socket, counted in hello_verify). A client whose
 *     ClientHello would not fit one datagram (an ML-KEM key share) sends this first one
 *     with an empty key_share, and the HelloRetryRequest names the group;
 *   - a ClientHello (or its first fragment: the PQ one spans datagrams, allowed by
 *     wolfSSL_dtls13_allow_ch_frag) with a valid cookie: the WOLFSSL is now the client's;
 *     the listening socket is connected to it (port_udp_adopt, which keeps the client's
 *     further fragments queued on it), a new one listens, and the connection's handshake
 *     goes on with that WOLFSSL;
 *   - anything wolfSSL refuses (garbage, a wrong cookie: then a fresh listener WOLFSSL is
 *     made) or drops unanswered: dropped and counted as stray.
 * The cookie secret is the per-client one of DTLS 1.2 (HMAC(key, "ip:port"), set with
 * wolfSSL_send_hrr_cookie before each ClientHello), so the client's address is bound into
 * the cookie as there.
 */
#include <stdio.h>
#include <string.h>

#include "wolf_dsrv.h"

static int l_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct wolf_dstate *s = ctx;
	size_t n = s->dl.len;

	(void)ssl;
	if (s->l_given || n == 0)
		return WOLFSSL_CBIO_ERR_WANT_READ; /* one datagram per call */
	if (n > (size_t)sz)
		n = (size_t)sz;
	memcpy(buf, s->dl.pk, n);
	s->l_given = 1;
	return (int)n;
}

static int l_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct wolf_dstate *s = ctx;
	const uint8_t *d = (const uint8_t *)buf;

	(void)ssl;
	if (port_sendto(s->t.sec.lh, buf, (size_t)sz, &s->l_from) < 0)
		return sz; /* as a lost datagram: the client sends its ClientHello again */
	if (sz > DTLS_REC_HDR && d[0] == DTLS_CT_HANDSHAKE &&
	    d[DTLS_REC_HDR] == DTLS_HS_SERVER_HELLO)
		s->hvr++; /* the HelloRetryRequest: nothing else goes out before the cookie */
	return sz;
}

/* s->lssl ready for a ClientHello from id. */
static int listener(struct wolf_dstate *s, const char *id)
{
	uint8_t secret[32];

	if (s->lssl == NULL) {
		s->lssl = wolfSSL_new(s->t.ctx);
		if (s->lssl == NULL)
			return ACK_ERR_NOMEM;
		wolfSSL_SSLSetIORecv(s->lssl, l_recv);
		wolfSSL_SSLSetIOSend(s->lssl, l_send);
		wolfSSL_SetIOReadCtx(s->lssl, s);
		wolfSSL_SetIOWriteCtx(s->lssl, s);
		wolfSSL_dtls_set_using_nonblock(s->lssl, 1);
	}
	if (wolf_dsrv_secret(s, id, secret) != 0 ||
	    wolfSSL_send_hrr_cookie(s->lssl, secret, sizeof(secret)) != WOLFSSL_SUCCESS)
		return ACK_ERR_PROTO;
	return 0;
}

void wolf_dsrv13_free(struct wolf_dstate *s)
{
	wolfSSL_free(s->lssl);
	s->lssl = NULL;
}

int wolf_dsrv13_accept(struct wolf_dstate *s, int timeout_ms, struct wolf_conn **out, char *peer,
                       size_t peer_len)
{
	uint64_t deadline = sec_deadline(timeout_ms);
	struct port_addr from;
	uint32_t hvr;
	char id[80];
	int n, h, r;

	*out = NULL;
	for (;;) {
		n = sec_listen_next(&s->dl, sec_ms_left(deadline), &from);
		if (n < 0)
			return n;
		if (n == 0)
			continue;
		port_addr_str(&from, id, sizeof(id));
		s->l_from = from;
		s->l_given = 0;
		r = listener(s, id);
		if (r != 0) {
			sec_listen_consume(&s->dl);
			return r;
		}
		hvr = s->hvr;
		r = wolfDTLS_accept_stateless(s->lssl);
		if (r == WOLFSSL_FATAL_ERROR) {
			wolf_dsrv13_free(s);
			sec_listen_drop(&s->dl, &from, (int)s->dl.len);
			continue;
		}
		if (r != WOLFSSL_SUCCESS) {
			/* answered with a HelloRetryRequest, or dropped by wolfSSL unanswered (a
			 * malformed ClientHello): counted as stray */
			if (s->hvr == hvr)
				sec_listen_drop(&s->dl, &from, (int)s->dl.len);
			else
				sec_listen_consume(&s->dl);
			continue;
		}
		sec_listen_consume(&s->dl); /* pk keeps the datagram */
		h = port_udp_adopt(&s->t.sec.lh, &from);
		if (h < 0) {
			wolf_dsrv13_free(s);
			return h;
		}
		snprintf(peer, peer_len, "%s", id);
		r = wolf_conn_new(&s->t, h, id, out);
		if (r != 0) {
			wolf_dsrv13_free(s);
			return r;
		}
		r = wolf_conn_take_ssl(*out, s->lssl, s->dl.pk, s->dl.len);
		s->lssl = NULL; /* the connection's from here on (freed with it) */
		return r;
	}
}
