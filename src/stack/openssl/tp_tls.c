/*
 * tp_tls.c - what the tls transport (sec_tp.c) needs of the openssl stack: TCP under
 * OpenSSL 3.0 with mutual authentication. All TLS work is in ossl_ctx.c / ossl_conn.c,
 * shared with DTLS.
 */
#include <stddef.h>

#include "sec_tp.h"
#include "ossl.h"

static int tls_init(void *state, const struct tp_conf *conf)
{
	int r = ossl_ctx_init(state, conf, 0);

	if (r != 0)
		ossl_ctx_free(state);
	return r;
}

static void tls_fini(void *state)
{
	ossl_ctx_free(state);
}

int ossl_tp_new(void *state, int h, const char *peer, void **conn)
{
	return ossl_conn_new(state, h, peer, (struct ossl_conn **)conn);
}

struct sec_io *ossl_tp_io(void *conn)
{
	struct ossl_conn *c = conn;

	return &c->io;
}

const char *ossl_tp_peer(void *conn)
{
	const struct ossl_conn *c = conn;

	return c->peer;
}

const struct sec_ops sec_tls_ops = {
	.state_size = sizeof(struct ossl_ctx),
	.init = tls_init,
	.fini = tls_fini,
	.lh_offset = offsetof(struct ossl_ctx, sec.lh),
	.conn_new = ossl_tp_new,
	.handshake = ossl_conn_handshake,
	.handshake_early = ossl_conn_handshake_early,
	.send = ossl_conn_send,
	.recv = ossl_conn_recv,
	.close = ossl_conn_close,
	.abort = ossl_conn_abort,
	.retrans = ossl_conn_retrans,
	.names = ossl_conn_names,
	.io = ossl_tp_io,
	.peer = ossl_tp_peer,
	.state_name = ossl_state_name,
};
