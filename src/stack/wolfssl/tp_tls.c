/*
 * tp_tls.c - what the tls transport (sec_tp.c) needs of the wolfssl stack: TCP under
 * wolfSSL 5.5 with mutual authentication. All TLS work is in wolf_ctx.c / wolf_conn.c,
 * shared with DTLS.
 */
#include <stddef.h>

#include "sec_tp.h"
#include "wolf_conn.h"

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

const struct sec_ops sec_tls_ops = {
	.state_size = sizeof(struct wolf_ctx),
	.init = tls_init,
	.fini = tls_fini,
	.lh_offset = offsetof(struct wolf_ctx, sec.lh),
	.conn_new = wolf_conn_new_ops,
	.handshake = wolf_conn_handshake,
	.handshake_early = wolf_conn_handshake_early,
	.send = wolf_conn_send,
	.recv = wolf_conn_recv,
	.close = wolf_conn_close,
	.abort = wolf_conn_abort,
	.retrans = wolf_conn_retrans,
	.names = wolf_conn_names,
	.io = wolf_conn_io,
	.peer = wolf_conn_peer,
};
