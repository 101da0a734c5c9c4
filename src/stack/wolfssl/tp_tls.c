/*
 * tp_tls.c - what the tls transport (sec_tp.c) needs of the wolfssl stack: TCP under
 * wolfSSL 5.5 with mutual authentication. All TLS work is in wolf_ctx.c / wolf_conn.c,
 * shared with DTLS.
 */
#include <stddef.h>

#include "sec_tp.h"
#include "wolf.h"

static int tls_init(void *state, const struct tp_conf *conf)
{
	int r = wolf_ctx_init(state, conf, 0);

	if (r != 0)
		wolf_ctx_free(state);
	return r;
}

static void tls_fini(void *state)
{
	wolf_ctx_free(state);
}

int wolf_tp_new(void *state, int h, const char *peer, void **conn)
{
	return wolf_conn_new(state, h, peer, (struct wolf_conn **)conn);
}

struct sec_io *wolf_tp_io(void *conn)
{
	struct wolf_conn *c = conn;

	return &c->io;
}

const char *wolf_tp_peer(void *conn)
{
	const struct wolf_conn *c = conn;

	return c->peer;
}

const struct sec_ops sec_tls_ops = {
	.state_size = sizeof(struct wolf_ctx),
	.init = tls_init,
	.fini = tls_fini,
	.lh_offset = offsetof(struct wolf_ctx, lh),
	.conn_new = wolf_tp_new,
	.handshake = wolf_conn_handshake,
	.send = wolf_conn_send,
	.recv = wolf_conn_recv,
	.close = wolf_conn_close,
	.abort = wolf_conn_abort,
	.info = wolf_conn_info,
	.describe = wolf_conn_describe,
	.io = wolf_tp_io,
	.peer = wolf_tp_peer,
};
