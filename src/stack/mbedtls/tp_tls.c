/*
 * tp_tls.c - what the tls transport (sec_tp.c) needs of the mbedtls stack: TCP under
 * Mbed TLS 3.6 with mutual authentication. All TLS work is in tls_common.c / tls_conn.c,
 * shared with DTLS.
 */
#include <stddef.h>

#include "sec_tp.h"
#include "tls_common.h"

static int tls_init(void *state, const struct tp_conf *conf)
{
	int r = tls_ctx_init(state, conf, 0);

	if (r != 0)
		tls_ctx_free(state);
	return r;
}

static void tls_fini(void *state)
{
	tls_ctx_free(state);
}

static int tls_new(void *state, int h, const char *peer, void **conn)
{
	return tls_conn_new(state, h, peer, (struct tls_conn **)conn);
}

static struct sec_io *tls_io(void *conn)
{
	struct tls_conn *c = conn;

	return &c->io;
}

static const char *tls_peer(void *conn)
{
	const struct tls_conn *c = conn;

	return c->peer;
}

const struct sec_ops sec_tls_ops = {
	.state_size = sizeof(struct tls_ctx),
	.init = tls_init,
	.fini = tls_fini,
	.lh_offset = offsetof(struct tls_ctx, sec.lh),
	.conn_new = tls_new,
	.handshake = tls_conn_handshake,
	.handshake_early = tls_conn_handshake_early,
	.send = tls_conn_send,
	.recv = tls_conn_recv,
	.close = tls_conn_close,
	.abort = tls_conn_abort,
	.names = tls_conn_names,
	.io = tls_io,
	.peer = tls_peer,
	.state_name = tls_state_name,
};
