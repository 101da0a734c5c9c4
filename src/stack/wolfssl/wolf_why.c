/*
 * wolf_why.c - see wolf_why.h: why a wolfSSL handshake failed, in words (the refused
 * certificate, no group in common).
 */
#include "wolf_why.h"

#include <stdio.h>
#include <string.h>

#include "loglimit.h"
#include "tls_sniff.h"

/* Remembers the first refused certificate of the chain (the reason printed). */
int wolf_why_verify_cb(int ok, WOLFSSL_X509_STORE_CTX *st)
{
	WOLFSSL *ssl =
	        wolfSSL_X509_STORE_CTX_get_ex_data(st, wolfSSL_get_ex_data_X509_STORE_CTX_idx());
	struct wolf_conn *c = ssl != NULL ? wolfSSL_get_ex_data(ssl, 0) : NULL;

	if (!ok && c != NULL && c->verr == 0) {
		c->verr = st->error != 0 ? st->error : -1;
		c->verr_depth = st->error_depth;
	}
	return ok;
}

/* The reason in the words the other stacks use (the tests look for the same phrase on
 * every stack), then wolfSSL's own. */
static const char *verify_phrase(int e, int verr)
{
	switch (e) {
	case NO_PEER_CERT: return "Certificate was missing";
	case ASN_AFTER_DATE_E: return "The certificate validity has expired";
	case ASN_BEFORE_DATE_E: return "The certificate validity starts in the future";
	case DOMAIN_NAME_MISMATCH:
	case IPADDR_MISMATCH:
		return "The certificate Common Name (CN) does not match with the expected CN";
	case ASN_NO_SIGNER_E: return "The certificate is not correctly signed by the trusted CA";
	case EXTKEYUSE_AUTH_E: return "Usage does not match the extendedKeyUsage extension";
	default: break;
	}
	if (verr == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || verr == ASN_NO_SIGNER_E)
		return "The certificate is not correctly signed by the trusted CA";
	if (verr == ASN_AFTER_DATE_E)
		return "The certificate validity has expired";
	return NULL;
}

/* Why we refused the peer's certificate: only the verifying side knows (the other gets
 * an alert). A client prints each distinct reason once, as every message of a run would
 * otherwise repeat it. */
void wolf_why_verify(struct wolf_conn *c, int e)
{
	struct wolf_ctx *t = c->t;
	const char *phrase = verify_phrase(e, c->verr);
	char why[WOLFSSL_MAX_ERROR_SZ];
	int key = c->verr != 0 ? c->verr : e;

	/* a certificate error without a verify callback call (wolfSSL 5.9 with ML-DSA chains) */
	if (c->verr == 0 && e != NO_PEER_CERT && phrase == NULL)
		return;
	if (!t->sec.server && key == t->last_verr)
		return;
	t->last_verr = key;
	wolfSSL_ERR_error_string_n((unsigned long)e, why, sizeof(why));
	loglimit_printf(
	        LOGLIMIT_REFUSED, "%s: %s: %s certificate rejected: %s%s%swolfSSL: %s, depth %d)\n",
	        t->sec.prog, c->peer, t->sec.server ? "client" : "server", phrase ? phrase : "",
	        e == ASN_BEFORE_DATE_E ? " (check this machine's clock: boards without a "
	                                 "real-time clock boot in 1970)"
	                               : "",
	        phrase ? " (" : "(", why, c->verr_depth);
}

static _Thread_local char g_no_group[120]; /* the core prints 159 bytes of it */

const char *wolf_why_no_group_text(void)
{
	return g_no_group;
}

/* wolfSSL (5.5.4 and 5.9.2) as a TLS 1.3 server answers a ClientHello whose groups it has
 * none of with a HelloRetryRequest for one of its own (RFC 8446 4.1.4 allows only the
 * client's). 5.5.4 then fails with BAD_FUNC_ARG and sends no alert: the client sees the
 * connection closed. 5.9.2 refuses a second ClientHello (Mbed TLS sends one with the share
 * asked for) with INVALID_PARAMETER and a fatal illegal_parameter alert; ackbench's Mbed
 * TLS client refuses the HelloRetryRequest itself (FATAL_ERROR here). When the first
 * ClientHello shows no group in common, say so naming both sides' groups and, when wolfSSL
 * sent no fatal alert, send what RFC 8446 4.1.1 asks for (a fatal handshake_failure,
 * plaintext: no keys yet). 1 when it did. */
int wolf_why_no_group(struct wolf_conn *c, int e)
{
	static const uint8_t alert[] = { 21, 3, 3, 0, 2, 2, 40 };
	const struct wolf_ctx *t = c->t;
	WOLFSSL_ALERT_HISTORY h;
	const char *what;
	uint16_t g[32];
	int n, i, j, sent;
	size_t off;

	/* FATAL_ERROR: the client refused the HelloRetryRequest with an alert (ackbench's
	 * Mbed TLS client does, RFC 8446 4.1.4) */
	if ((e != BAD_FUNC_ARG && e != INVALID_PARAMETER && e != FATAL_ERROR) || !t->sec.server ||
	    c->io.datagram || t->ngroups == 0)
		return 0;
	n = tls_hello_groups(c->hello, c->hello_len, g, 32);
	if (n < 0)
		return 0;
	for (i = 0; i < n; i++)
		for (j = 0; j < t->ngroups; j++)
			if (g[i] == t->groups[j])
				return 0; /* a group in common: another failure */
	off = (size_t)snprintf(g_no_group, sizeof(g_no_group), "no group in common: client");
	for (i = 0; i < n && off < sizeof(g_no_group); i++) {
		const char *name = tls_group_name(g[i]);

		off += (size_t)(name != NULL ? snprintf(g_no_group + off, sizeof(g_no_group) - off,
		                                        "%s%s", i ? "," : " ", name)
		                             : snprintf(g_no_group + off, sizeof(g_no_group) - off,
		                                        "%s0x%04x", i ? "," : " ", (unsigned)g[i]));
	}
	for (j = 0; j < t->ngroups && off < sizeof(g_no_group); j++) {
		const char *name = tls_group_name((uint16_t)t->groups[j]);

		off += (size_t)snprintf(g_no_group + off, sizeof(g_no_group) - off, "%s%s",
		                        j ? "," : ", server ", name ? name : "?");
	}
	memset(&h, 0, sizeof(h));
	sent = wolfSSL_get_alert_history(c->ssl, &h) == WOLFSSL_SUCCESS &&
	       h.last_tx.level == alert_fatal;
	what = "handshake_failure";
	if (sent)
		what = h.last_tx.code == illegal_parameter ? "illegal_parameter"
		                                           : "wolfSSL's alert";
	if (e == FATAL_ERROR) { /* the client refused our HelloRetryRequest: nothing to add */
		if (off < sizeof(g_no_group))
			snprintf(g_no_group + off, sizeof(g_no_group) - off,
			         " (client's %s received)",
			         h.last_rx.code == illegal_parameter ? "illegal_parameter"
			                                             : "fatal alert");
		return 1;
	}
	if (off < sizeof(g_no_group))
		snprintf(g_no_group + off, sizeof(g_no_group) - off, " (%s sent)", what);
	if (!sent)
		sec_io_send(&c->io, alert, sizeof(alert));
	return 1;
}
