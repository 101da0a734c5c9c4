/*
 * tp_tls.c - the tls transport of the wolfssl stack: TCP (ports/) under wolfSSL 5.5 with
 * mutual authentication. The TLS work is wolf_ctx.c / wolf_conn.c, shared with DTLS.
 * Its options are sec_opts.h's shared table.
 */
#include <stdlib.h>

#include "port.h"
#include "stack.h"
#include "wolf.h"
#include "transport.h"

#define CONNECT_TIMEOUT_MS 10000 /* as tcp's dial */

static int tls_setup(const struct tp_conf *conf, void **state)
{
	struct wolf_ctx *t = malloc(sizeof(*t));
	int r;

	if (t == NULL)
		return ACK_ERR_NOMEM;
	r = wolf_ctx_init(t, conf, 0);
	if (r != 0) {
		wolf_ctx_free(t);
		free(t);
		return r;
	}
	*state = t;
	return 0;
}

static void tls_teardown(void *state)
{
	if (state != NULL)
		wolf_ctx_free(state);
	free(state);
}

static uint32_t tls_max(void *state, const struct port_addr *peer)
{
	(void)state;
	(void)peer;
	return 0; /* a stream: large messages span records */
}

static int tls_dial(void *state, const struct port_addr *peer, void **conn)
{
	char name[80];
	int h = port_tcp_connect(peer, CONNECT_TIMEOUT_MS);

	if (h < 0)
		return h;
	port_addr_str(peer, name, sizeof(name));
	return wolf_conn_new(state, h, name, (struct wolf_conn **)conn);
}

static int tls_listen(void *state, const struct port_addr *bind, uint16_t *port)
{
	struct wolf_ctx *t = state;

	t->lh = port_listen(bind, 0, port);
	return t->lh < 0 ? t->lh : 0;
}

static int tls_accept(void *state, int timeout_ms, void **conn)
{
	struct wolf_ctx *t = state;
	struct port_addr peer;
	char name[80];
	int h = port_accept(t->lh, timeout_ms, &peer);

	if (h < 0)
		return h;
	port_addr_str(&peer, name, sizeof(name));
	return wolf_conn_new(t, h, name, (struct wolf_conn **)conn);
}

static int tls_handshake(void *conn)
{
	return wolf_conn_handshake(conn);
}

static int tls_send(void *conn, const uint8_t *buf, size_t len)
{
	return wolf_conn_send(conn, buf, len);
}

static int tls_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms)
{
	return wolf_conn_recv(conn, buf, cap, timeout_ms);
}

static int tls_close(void *conn, int timeout_ms)
{
	return wolf_conn_close(conn, timeout_ms);
}

static void tls_abort(void *conn)
{
	wolf_conn_abort(conn);
}

static void tls_info(void *conn, struct tp_info *out)
{
	wolf_conn_info(conn, out);
}

static void tls_describe(void *conn, char *buf, size_t len)
{
	wolf_conn_describe(conn, buf, len);
}

static void tls_peer(void *conn, char *buf, size_t len)
{
	const struct wolf_conn *c = conn;

	snprintf(buf, len, "%s", c->peer);
}

static void tls_timeline(void *conn, struct timeline *tl)
{
	struct wolf_conn *c = conn;

	/* sec_io writes the rows (with arrival stamps); no wolfSSL state names (state_name NULL) */
	sec_io_timeline(&c->io, tl);
}

const struct transport tp_tls = {
	.name = "tls",
	.datagram = 0,
	.default_port = 5003,
	.default_sizes = "32,64,256,1K,4K,16K,64K,256K,1M",
	.stack = &sec_stack,
	.setup = tls_setup,
	.teardown = tls_teardown,
	.max_msg = tls_max,
	.dial = tls_dial,
	.listen = tls_listen,
	.accept = tls_accept,
	.handshake = tls_handshake,
	.send = tls_send,
	.recv = tls_recv,
	.close = tls_close,
	.abort = tls_abort,
	.info = tls_info,
	.describe = tls_describe,
	.peer = tls_peer,
	.timeline = tls_timeline,
};
