/*
 * tp_tls.c - the tls transport of the openssl stack: TCP (ports/) under OpenSSL 3.0 with
 * mutual authentication. The TLS work is ossl_ctx.c / ossl_conn.c, shared with DTLS; the
 * options are sec_opts.h's shared table.
 */
#include <stdlib.h>

#include "ossl.h"
#include "stack.h"

#define CONNECT_TIMEOUT_MS 10000 /* as tcp's dial */

static int tls_setup(const struct tp_conf *conf, void **state)
{
	struct ossl_ctx *t = malloc(sizeof(*t));
	int r;

	if (t == NULL)
		return ACK_ERR_NOMEM;
	r = ossl_ctx_init(t, conf, 0);
	if (r != 0) {
		ossl_ctx_free(t);
		free(t);
		return r;
	}
	*state = t;
	return 0;
}

static void tls_teardown(void *state)
{
	if (state != NULL)
		ossl_ctx_free(state);
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
	return ossl_conn_new(state, h, name, (struct ossl_conn **)conn);
}

static int tls_listen(void *state, const struct port_addr *bind, uint16_t *port)
{
	struct ossl_ctx *t = state;

	t->lh = port_listen(bind, 0, port);
	return t->lh < 0 ? t->lh : 0;
}

static int tls_accept(void *state, int timeout_ms, void **conn)
{
	struct ossl_ctx *t = state;
	struct port_addr peer;
	char name[80];
	int h = port_accept(t->lh, timeout_ms, &peer);

	if (h < 0)
		return h;
	port_addr_str(&peer, name, sizeof(name));
	return ossl_conn_new(t, h, name, (struct ossl_conn **)conn);
}

static int tls_handshake(void *conn)
{
	return ossl_conn_handshake(conn);
}

static int tls_send(void *conn, const uint8_t *buf, size_t len)
{
	return ossl_conn_send(conn, buf, len);
}

static int tls_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms)
{
	return ossl_conn_recv(conn, buf, cap, timeout_ms);
}

static int tls_close(void *conn, int timeout_ms)
{
	return ossl_conn_close(conn, timeout_ms);
}

static void tls_abort(void *conn)
{
	ossl_conn_abort(conn);
}

static void tls_info(void *conn, struct tp_info *out)
{
	ossl_conn_info(conn, out);
}

static void tls_describe(void *conn, char *buf, size_t len)
{
	ossl_conn_describe(conn, buf, len);
}

static void tls_peer(void *conn, char *buf, size_t len)
{
	const struct ossl_conn *c = conn;

	snprintf(buf, len, "%s", c->peer);
}

static void tls_timeline(void *conn, struct timeline *tl)
{
	struct ossl_conn *c = conn;

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
	.state_name = ossl_state_name,
};
