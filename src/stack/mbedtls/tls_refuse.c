/*
 * tls_refuse.c - what the mbedtls stack says when a handshake fails (tls_common.h): why we
 * refused the peer's certificate, the alerts Mbed TLS does not send itself, the hints for
 * the failures whose cause is on the other side, and the short drain that lets the peer
 * read our alert.
 */
#include "loglimit.h"
#include "tls_common.h"

#include <stdatomic.h>
#include <stdio.h>

#include "port.h"

#define LINGER_MS 200u /* after a failed handshake, see linger() */

/* Prints why we refused the peer's certificate: only the verifying side has the reason
 * (the other side gets an alert). A client prints each distinct reason once, since every
 * message of a run would otherwise repeat it. */
static void report_verify(struct tls_conn *c)
{
	struct tls_ctx *t = c->t;
	uint32_t flags = mbedtls_ssl_get_verify_result(&c->ssl);
	char info[512], *p;
	int n;

	if (flags == 0 || flags == (uint32_t)-1 ||
	    (!t->sec.server && atomic_exchange(&t->last_flags, flags) == flags))
		return;
	n = mbedtls_x509_crt_verify_info(info, sizeof(info), "", flags);
	if (n <= 0)
		snprintf(info, sizeof(info), "flags 0x%08x", (unsigned)flags);
	for (p = info; *p != '\0'; p++)
		if (*p == '\n')
			*p = p[1] != '\0' ? ';' : '\0';
	loglimit_printf(LOGLIMIT_REFUSED, "%s: %s: %s certificate rejected: %s%s\n", t->sec.prog,
	                c->peer, t->sec.server ? "client" : "server", info,
	                flags & MBEDTLS_X509_BADCERT_FUTURE
	                        ? " (check this machine's clock: boards "
	                          "without a real-time clock boot in 1970)"
	                        : "");
}

/* After Mbed TLS sent its fatal alert: end our side and drain briefly before the close, so
 * the peer reads the alert rather than a reset (closing with unread data sends RST). */
static void linger(struct tls_conn *c)
{
	uint64_t end = port_mono_ns() + LINGER_MS * 1000000u;
	uint8_t sink[256];

	if (c->t->sec.datagram || port_shutdown_write(c->io.h) != 0)
		return;
	while (port_recv(c->io.h, sink, sizeof(sink), sec_ms_left(end), NULL) > 0)
		;
}

/* Mbed TLS refuses a TLS 1.2 / DTLS 1.2 client without a certificate silently (a stream
 * peer sees an unexpected EOF, a datagram peer would retransmit until its deadline): say it,
 * RFC 5246 7.4.6, with a fatal handshake_failure. TLS 1.3 sends certificate_required
 * itself (RFC 8446 4.4.2.4). */
static void refuse_alert(struct tls_conn *c, int r)
{
	if (c->t->sec.server && r == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE &&
	    mbedtls_ssl_get_version_number(&c->ssl) != MBEDTLS_SSL_VERSION_TLS1_3)
		mbedtls_ssl_send_alert_message(&c->ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
		                               MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
}

/* TLS 1.3 client: the server checks our certificate after we sent our Finished, so its
 * refusal (an alert under the handshake keys) arrives when we already read with the
 * application keys, and Mbed TLS reports a MAC failure. Say what it usually means, once. */
void tls_conn_mac_hint(struct tls_conn *c, int r)
{
	if (c->t->sec.server || r != MBEDTLS_ERR_SSL_INVALID_MAC ||
	    mbedtls_ssl_get_version_number(&c->ssl) != MBEDTLS_SSL_VERSION_TLS1_3 ||
	    atomic_exchange(&c->t->mac_hint, 1))
		return;
	fprintf(stderr,
	        "%s: %s: TLS 1.3: a MAC failure on the first records usually means the server "
	        "refused our certificate (its alert is then unreadable); see the server's log\n",
	        c->t->sec.prog, c->peer);
}

/* After hrr_bad(): the fatal illegal_parameter alert (plaintext: no keys yet) and, once
 * per process, why. */
static void refuse_hrr(struct tls_conn *c)
{
	const char *name = tls_group_name(c->bad_hrr);
	char label[40];

	if (name != NULL)
		snprintf(label, sizeof(label), "%s (0x%04x)", name, (unsigned)c->bad_hrr);
	else
		snprintf(label, sizeof(label), "0x%04x", (unsigned)c->bad_hrr);
	mbedtls_ssl_send_alert_message(&c->ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
	                               MBEDTLS_SSL_ALERT_MSG_ILLEGAL_PARAMETER);
	if (atomic_exchange(&c->t->hrr_told, 1))
		return;
	fprintf(stderr,
	        "%s: %s: the server's HelloRetryRequest asks for group %s, which we did not "
	        "offer: refused with an illegal_parameter alert (RFC 8446 4.1.4)\n",
	        c->t->sec.prog, c->peer, label);
}

void tls_conn_refused(struct tls_conn *c, int r)
{
	if (c->bad_hrr != 0)
		refuse_hrr(c);
	report_verify(c);
	tls_conn_psk_hint(c, r);
	refuse_alert(c, r);
	if (c->io.err == 0 && r != MBEDTLS_ERR_SSL_CONN_EOF)
		linger(c);
}
