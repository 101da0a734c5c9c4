/*
 * wolf_dtls.c - what the dtls transport (sec_tp.c) needs of the wolfssl stack: DTLS 1.2 over
 * UDP (ports/) under
 * wolfSSL 5.5, mutual authentication, HelloVerifyRequest cookies (wolf_dsrv.c), the MTU,
 * and the handshake retransmission timer.
 *
 * The timer: wolfSSL with custom IO has no timer of its own to call (its blocking mode
 * waits whole seconds in the IO callback). Here connections are non-blocking to wolfSSL;
 * during the handshake each read is limited (sec_io_recv's limit_ms) to the current
 * flight's timer, which starts at --hs-timeout MIN when we send a new flight and doubles
 * after each expiry up to MAX; an expiry asks wolfSSL to resend its last flight
 * (wolfSSL_dtls_got_timeout), and after MAX has run out the handshake fails, as Mbed TLS's
 * does. A send that follows an expiry is a retransmission (counted, as on Mbed TLS).
 */
#include <stddef.h>
#include <string.h>

#include "sec_opts.h"
#include "sec_tp.h"
#include "wolf.h"
#include "wolf_dsrv.h"

#define WOLF_MAX_MTU 16384u /* wolfSSL_dtls_set_mtu refuses more (MAX_RECORD_SIZE) */

/* ---- the timer (wolf.h) ---- */

uint32_t wolf_dtls_limit(struct wolf_conn *c)
{
	uint64_t now;

	if (!c->io.in_hs || c->t_end_ns == 0)
		return 0;
	now = port_mono_ns();
	return now >= c->t_end_ns ? 1 : (uint32_t)((c->t_end_ns - now + 999999u) / 1000000u);
}

void wolf_dtls_moved(struct wolf_conn *c, int tx, const uint8_t *buf, size_t n)
{
	size_t used = 0;
	int i;

	if (!c->io.in_hs)
		return;
	if (!tx) {
		c->expired = 0;
		c->t_cur = c->t_min; /* the peer answered: our next flight starts at MIN */
		c->flight_n = 0;     /* what we send next is a new flight */
		return;
	}
	for (i = 0; i < c->flight_n; i++)
		used += c->flight_dg[i];
	if (c->flight_n >= 0 && c->flight_n < WOLF_FLIGHT_DG && used + n <= WOLF_FLIGHT_MAX) {
		memcpy(c->flight + used, buf, n);
		c->flight_dg[c->flight_n++] = (uint16_t)n;
	} else {
		c->flight_n = -1;
	}
	if (c->expired) {
		c->retrans++;
		c->expired = 0;
	}
	c->t_end_ns = port_mono_ns() + (uint64_t)c->t_cur * 1000000u;
}

/* wolfSSL 5.5 drops every plaintext (epoch 0) record once its handshake is done
 * ("Silently dropping plaintext DTLS message on established connection"), so when our
 * last flight is lost (the server's ChangeCipherSpec + Finished of a full handshake, the
 * client's of a resumed one) the peer's retransmissions of its flight, which start with
 * epoch-0 records, never make wolfSSL resend ours, and the peer's handshake times out
 * (RFC 6347 4.2.4 wants the resend). Until the first application data arrives, such a
 * datagram is answered here with our last flight as it was sent (the same records: a
 * lost one is new to the peer, a copy of one it has is dropped by its replay check).
 * Not counted as a retransmission (those are timer expiries), as on Mbed TLS. */
void wolf_dtls_answer(struct wolf_conn *c, const uint8_t *d, size_t n)
{
	size_t off = 0;
	int i;

	if (n < DTLS_REC_HDR + 1 || d[0] != DTLS_CT_HANDSHAKE || d[3] != 0 || d[4] != 0 ||
	    d[DTLS_REC_HDR] == DTLS_HS_CLIENT_HELLO || c->flight_n <= 0)
		return;
	for (i = 0; i < c->flight_n; i++) {
		if (sec_io_send(&c->io, c->flight + off, c->flight_dg[i]) < 0)
			return;
		off += c->flight_dg[i];
	}
}

int wolf_dtls_timeout(struct wolf_conn *c)
{
	int r;

	if (c->t_cur >= c->t_max)
		return ACK_ERR_TIMEOUT; /* the last (MAX) timeout ran out */
	c->t_cur = 2 * c->t_cur > c->t_max ? c->t_max : 2 * c->t_cur;
	c->t_end_ns = 0;
	r = wolfSSL_dtls_got_timeout(c->ssl); /* resends the last flight */
	if (r != WOLFSSL_SUCCESS)
		return sec_io_take_err(&c->io, wolf_err(c, r));
	return 0;
}

/* ---- the transport ---- */

/* Record expansion of a DTLS 1.2 suite (wolfSSL names): AES-GCM/CCM 8-byte explicit nonce
 * + 16-byte tag (CCM-8: 8), ChaCha20-Poly1305 tag only, CBC IV + MAC + padding. */
static uint32_t suite_expansion(const char *name)
{
	if (strstr(name, "CCM-8") != NULL || strstr(name, "CCM8") != NULL)
		return 16;
	if (strstr(name, "GCM") != NULL || strstr(name, "CCM") != NULL)
		return 24;
	if (strstr(name, "CHACHA20-POLY1305") != NULL)
		return 16;
	return 32u + (strstr(name, "SHA384") ? 48u : strstr(name, "SHA256") ? 32u : 20u);
}

/* The largest payload one record carries at the MTU, for the listed suite with the
 * largest expansion, as wolfSSL 5.5 computes it (wolfSSL_GetMaxFragSize): it reserves a
 * handshake header (12 bytes) in every record, and one more block with CBC. The pinned
 * suites (AES-128-GCM): mtu - 49, where Mbed TLS allows mtu - 37. */
static uint32_t max_payload(const struct wolf_dstate *s)
{
	const char *name = s->t.suite_max[0] != '\0' ? s->t.suite_max : "any-CBC-SHA384";
	uint32_t exp = suite_expansion(name);

	if (exp > 24)
		exp += 16; /* CBC: wolfSSL's extra block */
	return s->mtu - DTLS_REC_HDR - DTLS_HS_HDR - exp;
}

static int dtls_init(void *state, const struct tp_conf *conf)
{
	struct wolf_dstate *s = state;
	int r;

	if (conf->no_cookie)
		return sec_opts_refuse(
		        conf, "wolfssl", "no-cookie",
		        "wolfSSL 5.5's DTLS 1.2 server always sends HelloVerifyRequest");
	if (conf->mtu > WOLF_MAX_MTU)
		return sec_opts_refuse(conf, "wolfssl", "mtu",
		                       "wolfSSL_dtls_set_mtu takes at most 16384");
	sec_dtls_conf(conf, &s->hs_min_ms, &s->hs_max_ms, &s->mtu);
	s->conns_max = conf->conns > 1 ? conf->conns : 1;
	r = wolf_ctx_init(&s->t, conf, 1);
	if (r == 0)
		r = wolfSSL_CTX_dtls_set_mtu(s->t.ctx, s->mtu) == WOLFSSL_SUCCESS ? 0 : ACK_ERR_ARG;
	if (r == 0 && conf->server)
		r = wolf_dsrv_init(s);
	if (r != 0) {
		wolf_ctx_free(&s->t);
		return r;
	}
	s->budget_ms = sec_hs_budget(s->hs_min_ms, s->hs_max_ms, s->t.hs_deadline_ms);
	s->max_payload = max_payload(s);
	return 0;
}

static void dtls_fini(void *state)
{
	struct wolf_dstate *s = state;

	if (s->t.server)
		wolf_dsrv_report(s);
	wolf_ctx_free(&s->t);
}

static uint32_t dtls_max(void *state)
{
	const struct wolf_dstate *s = state;

	return s->max_payload;
}

void wolf_dtls_prep(struct wolf_conn *c)
{
	const struct wolf_dstate *s = (const struct wolf_dstate *)(const void *)c->t;

	c->t_min = c->t_cur = s->hs_min_ms;
	c->t_max = s->hs_max_ms;
	c->t_end_ns = 0;
	c->expired = 0;
	c->retrans = 0;
	c->flight_n = 0;
	/* our timer decides; wolfSSL's own (whole seconds) must never give up first */
	wolfSSL_dtls_set_using_nonblock(c->ssl, 1);
	wolfSSL_dtls_set_timeout_init(c->ssl, 1);
	wolfSSL_dtls_set_timeout_max(c->ssl, 1 << 20);
}

int wolf_dtls_conn(struct wolf_dstate *s, int h, const char *peer, struct wolf_conn **out)
{
	int r = wolf_conn_new(&s->t, h, peer, out);

	if (r == 0)
		wolf_dtls_prep(*out);
	return r;
}

static int dtls_new(void *state, int h, const char *peer, void **conn)
{
	return wolf_dtls_conn(state, h, peer, (struct wolf_conn **)conn);
}

static int dtls_accept(void *state, int timeout_ms, void **conn)
{
	return wolf_dsrv_accept(state, timeout_ms, (struct wolf_conn **)conn);
}

static int dtls_handshake(void *conn)
{
	struct wolf_conn *c = conn;

	return c->t->server ? wolf_dsrv_handshake(c) : wolf_conn_handshake(c);
}

static int dtls_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct wolf_conn *c = conn;

	if (c->t->server)
		return wolf_dsrv_recv(c, buf, cap, timeout_ms);
	return wolf_conn_recv(c, buf, cap, timeout_ms);
}

/* close_notify, not waiting for the peer's (it may be lost; a run ends with an
 * acknowledged END). Its failure does not undo an acknowledged message. */
static int dtls_close(void *conn, int timeout_ms)
{
	wolf_conn_close(conn, timeout_ms);
	return 0;
}

const struct sec_ops sec_dtls_ops = {
	.state_size = sizeof(struct wolf_dstate),
	.init = dtls_init,
	.fini = dtls_fini,
	.lh_offset = offsetof(struct wolf_dstate, t.lh),
	.max_msg = dtls_max,
	.conn_new = dtls_new,
	.accept = dtls_accept,
	.handshake = dtls_handshake,
	.send = wolf_conn_send,
	.recv = dtls_recv,
	.close = dtls_close,
	.abort = wolf_conn_abort,
	.info = wolf_conn_info,
	.describe = wolf_conn_describe,
	.io = wolf_tp_io,
	.peer = wolf_tp_peer,
};
