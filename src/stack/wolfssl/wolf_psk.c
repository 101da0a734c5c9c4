/*
 * wolf_psk.c - pre-shared key authentication on the wolfssl stack (--psk, wolf_ctx.h): the
 * PSK suites of the mode asked for, the TLS 1.3 key exchange modes, the client's key and
 * identity, the server's identity check. wolfSSL's PSK callbacks serve TLS 1.2 and, with
 * its default PSK suite TLS13-AES128-GCM-SHA256 (SHA-256), TLS 1.3 external PSKs too.
 */

#include "wolf_conn.h"
#include "wolf_ctx.h"

/* The suites the other stacks pick (docs/tls-dtls.md): AES-128, GCM where both ends have
 * it; the ECDHE_PSK one is CBC-SHA256 (Mbed TLS has no ECDHE_PSK suite with GCM). */
#define PSK_SUITES     "TLS13-AES128-GCM-SHA256:PSK-AES128-GCM-SHA256"
#define PSK_DHE_SUITES "TLS13-AES128-GCM-SHA256:ECDHE-PSK-AES128-CBC-SHA256"

static unsigned int client_cb(WOLFSSL *ssl, const char *hint, char *id, unsigned int id_max,
                              unsigned char *psk, unsigned int psk_max)
{
	const struct wolf_conn *c = wolfSSL_get_psk_callback_ctx(ssl);

	(void)hint; /* ours never send one */
	return sec_psk_give(&c->t->sec, id, id_max, psk, psk_max);
}

/* Server: the identity must be ours (else 0: the handshake fails, TLS 1.2 with an
 * alert, TLS 1.3 going on without a PSK and no certificate). */
static unsigned int server_cb(WOLFSSL *ssl, const char *id, unsigned char *psk,
                              unsigned int psk_max)
{
	struct wolf_conn *c = wolfSSL_get_psk_callback_ctx(ssl);

	return sec_psk_take(&c->t->sec, id, psk, psk_max, &c->psk_unknown);
}

void wolf_psk_fail(struct wolf_conn *c, int e)
{
	unsigned int mac = 0, replay = 0;

	if (c->psk_unknown || !c->t->sec.server || c->t->sec.auth == SEC_AUTH_CERT)
		return;
	/* DTLS drops a record that does not decrypt (RFC 6347 4.1.2.7): a client with the
	 * wrong key only sees its Finished go unanswered, the server its own timeout. */
	if (c->io.datagram &&
	    wolfSSL_dtls_get_drop_stats(c->ssl, &mac, &replay) == WOLFSSL_SUCCESS && mac > 0) {
		sec_psk_hint(&c->t->sec, c->peer);
		return;
	}
	if (c->io.err == 0 && !c->eof && e != SOCKET_PEER_CLOSED_E)
		sec_psk_hint(&c->t->sec, c->peer);
}

int wolf_ctx_psk(struct wolf_ctx *t, int user_suites)
{
	int psk_ke = t->sec.auth == SEC_AUTH_PSK;

	/* wolfSSL takes keys of up to 64 bytes (its MAX_PSK_KEY_LEN), as --psk does */
	if (!user_suites) {
		snprintf(t->suite_max, sizeof(t->suite_max), "%s",
		         psk_ke ? "PSK-AES128-GCM-SHA256" : "ECDHE-PSK-AES128-CBC-SHA256");
		if (wolfSSL_CTX_set_cipher_list(t->ctx, psk_ke ? PSK_SUITES : PSK_DHE_SUITES) !=
		    WOLFSSL_SUCCESS)
			return sec_ctx_fail(&t->sec, "psk-mode", sec_auth_name(t->sec.auth),
			                    "no such suite in this wolfSSL build", ACK_ERR_ARG);
	}
#ifdef WOLFSSL_TLS13
	/* TLS 1.3: psk_ke only, or psk_dhe_ke only, on both sides */
	if (!t->sec.datagram)
		(void)(psk_ke ? wolfSSL_CTX_no_dhe_psk(t->ctx) : wolfSSL_CTX_only_dhe_psk(t->ctx));
#endif
	if (t->sec.server)
		wolfSSL_CTX_set_psk_server_callback(t->ctx, server_cb);
	else
		wolfSSL_CTX_set_psk_client_callback(t->ctx, client_cb);
	return 0;
}
