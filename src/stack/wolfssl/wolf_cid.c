/*
 * wolf_cid.c - DTLS 1.2 Connection ID (--cid, RFC 9146) on the wolfssl stack (wolfSSL's
 * WOLFSSL_DTLS_CID, stack.mk's --enable-dtlscid), as the mbedtls stack does it: the server
 * gives each connection a random SEC_CID_LEN-byte CID, which the client then puts in every
 * record it sends; the client asks for the extension with an empty CID of its own (the
 * server's records carry none). A server's connection registers its CID in the listener's
 * table (sec_cid.h), so that a record with it reaching the listening socket from a new
 * address is handed to the connection; only after wolfSSL returned data from that record
 * (it checked the CID, the MAC and the replay window: a forged or replayed record is
 * dropped inside wolfSSL_read, which then reads on) does the connection follow its client.
 */
#include <stdio.h>
#include <string.h>

#include <wolfssl/options.h>

#include "err.h"
#include "wolf_dsrv.h"

static struct wolf_dstate *state_of(const struct wolf_conn *c)
{
	return (struct wolf_dstate *)(void *)c->t; /* DTLS: t is the state's first member */
}

int wolf_cid_init(struct wolf_dstate *s)
{
	int r;

	if (!s->t.sec.cid)
		return 0;
	r = sec_cids_init(&s->cids, s->t.sec.prog);
	if (r == 0)
		s->dl.cids = &s->cids;
	return r;
}

void wolf_cid_free(struct wolf_dstate *s)
{
	sec_cids_free(&s->cids);
}

#if defined(WOLFSSL_DTLS_CID)
int wolf_cid_conf(struct wolf_conn *c)
{
	unsigned char cid[SEC_CID_LEN];
	size_t got = 0;

	if (!c->t->sec.cid)
		return 0;
	if (wolfSSL_dtls_cid_use(c->ssl) != WOLFSSL_SUCCESS)
		return ACK_ERR_PROTO;
	if (!c->t->sec.server)
		return wolfSSL_dtls_cid_set(c->ssl, NULL, 0) == WOLFSSL_SUCCESS ? 0 : ACK_ERR_PROTO;
	if (port_entropy_poll(NULL, cid, sizeof(cid), &got) != 0 || got != sizeof(cid))
		return ACK_ERR_PROTO;
	return wolfSSL_dtls_cid_set(c->ssl, cid, sizeof(cid)) == WOLFSSL_SUCCESS ? 0
	                                                                         : ACK_ERR_PROTO;
}

/* --cid and the peer did not agree (a stack or build without RFC 9146): the session goes
 * on without, tied to the address; said once, counted (the server's report). */
static void no_cid(struct wolf_conn *c)
{
	struct wolf_dstate *s = state_of(c);

	if (s->nocid++ != 0)
		return;
	fprintf(stderr,
	        "%s: %s: no connection ID: the %s did not negotiate one (RFC 9146); the session "
	        "is tied to the address%s\n",
	        s->t.sec.prog, c->peer, s->t.sec.server ? "client" : "server",
	        s->t.sec.server ? " (further ones only counted)" : "");
}

/* The CID the server chose: a server's own (rx: wolfSSL drops the extension of a client
 * that sent none), a client's peer's (tx: empty when the server gave none). */
int wolf_cid_note(struct wolf_conn *c)
{
	struct wolf_dstate *s = state_of(c);
	int server = c->t->sec.server;
	unsigned int len = 0;

	c->io.cid_len = 0;
	if (!c->t->sec.cid)
		return 0;
	if (wolfSSL_dtls_cid_is_enabled(c->ssl) &&
	    (server ? wolfSSL_dtls_cid_get_rx_size(c->ssl, &len)
	            : wolfSSL_dtls_cid_get_tx_size(c->ssl, &len)) == WOLFSSL_SUCCESS &&
	    len > 0 && len <= SEC_CID_MAX &&
	    (server ? wolfSSL_dtls_cid_get_rx(c->ssl, c->io.cid, len)
	            : wolfSSL_dtls_cid_get_tx(c->ssl, c->io.cid, len)) == WOLFSSL_SUCCESS)
		c->io.cid_len = (uint8_t)len;
	else
		no_cid(c);
	if (!server)
		return 0;
	return sec_io_cid_serve(&c->io, &s->cids, &((struct wolf_dsc *)c->dtls)->cli);
}

void wolf_cid_move(struct wolf_conn *c)
{
	struct wolf_dstate *s = state_of(c);
	struct wolf_dsc *d = c->dtls;
	struct port_addr to;

	if (sec_io_follow(&c->io, s->t.sec.prog, c->peer, sizeof(c->peer), &s->moves, &to) != 0)
		return;
	/* a ClientHello from there (a reconnect) gets the cookie secret of the new address */
	snprintf(d->cli_id, sizeof(d->cli_id), "%s", c->peer);
	d->cli = to;
	(void)wolf_dsrv_secret(s, d->cli_id, d->secret);
}
#else
int wolf_cid_conf(struct wolf_conn *c)
{
	(void)c;
	return 0;
}

int wolf_cid_note(struct wolf_conn *c)
{
	(void)c;
	return 0;
}

void wolf_cid_move(struct wolf_conn *c)
{
	(void)c;
}
#endif
