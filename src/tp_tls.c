/*
 * tp_tls.c - the tls transport: TCP (ports/) under Mbed TLS 3.6 with mutual
 * authentication. All TLS work is in tls_common.c / tls_conn.c, shared with DTLS.
 */
#include <stdlib.h>

#include "opts.h"
#include "port.h"
#include "tls_common.h"
#include "transport.h"

#define CONNECT_TIMEOUT_MS 10000 /* as tcp's dial */

/* Filled by the option table; merged into the program's tp_conf by tls_setup(). */
static struct tp_conf tls_opt;

static const struct opt tls_opts[] = {
	{ "ca", 0, OPT_STR, &tls_opt.ca_file, 0, 0, "FILE",
	  "trusted CA, PEM (./certs/ca.crt; 'make certs' makes them)" },
	{ "cert", 0, OPT_STR, &tls_opt.cert_file, 0, 0, "FILE",
	  "own certificate (./certs/client.crt or ./certs/server.crt); client: 'none' sends none" },
	{ "key", 0, OPT_STR, &tls_opt.key_file, 0, 0, "FILE",
	  "own private key (./certs/client.key or ./certs/server.key)" },
	{ "server-name", 0, OPT_STR, &tls_opt.server_name, 0, 0, "NAME",
	  "client: name or IP the server certificate must hold (the --addr value)" },
	{ "tls", 0, OPT_STR, &tls_opt.tls_version, 0, 0, "1.2|1.3",
	  "pin the version (default: negotiate, 1.3 preferred)" },
	{ "ciphersuite", 0, OPT_STR, &tls_opt.ciphersuite, 0, 0, "LIST",
	  "Mbed TLS suite names, comma list; 'any' = library default (pinned to AES-128-GCM: "
	  "TLS1-3-AES-128-GCM-SHA256, TLS-ECDHE-{ECDSA,RSA}-WITH-AES-128-GCM-SHA256)" },
	{ "groups", 0, OPT_STR, &tls_opt.groups, 0, 0, "LIST",
	  "key-exchange groups, e.g. x25519,secp384r1 (TLS 1.2: also the curves accepted for ECDSA "
	  "certificates); 'any' = library default (pinned to secp256r1)" },
	{ "resume", 0, OPT_FLAG, &tls_opt.resume, 0, 0, NULL,
	  "client: resume the session (ticket) on every reconnect after the first" },
	{ "keylog", 0, OPT_STR, &tls_opt.keylog_file, 0, 0, "FILE",
	  "append session secrets in NSS key log format, for Wireshark (off)" },
	{ "hs-deadline", 0, OPT_UINT, &tls_opt.hs_deadline_ms, 1, 3600000, "MS",
	  "drop a peer whose handshake is not over within MS (10000)" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};

static int tls_setup(const struct tp_conf *conf, void **state)
{
	struct tls_ctx *t = malloc(sizeof(*t));
	struct tp_conf c = *conf;
	int r;

	if (t == NULL)
		return ACK_ERR_NOMEM;
	c.ca_file = tls_opt.ca_file;
	c.cert_file = tls_opt.cert_file;
	c.key_file = tls_opt.key_file;
	c.server_name = tls_opt.server_name;
	c.tls_version = tls_opt.tls_version;
	c.ciphersuite = tls_opt.ciphersuite;
	c.groups = tls_opt.groups;
	c.keylog_file = tls_opt.keylog_file;
	c.resume = tls_opt.resume;
	c.hs_deadline_ms = tls_opt.hs_deadline_ms;
	r = tls_ctx_init(t, &c, 0);
	if (r != 0) {
		tls_ctx_free(t);
		free(t);
		return r;
	}
	*state = t;
	return 0;
}

static void tls_teardown(void *state)
{
	if (state != NULL)
		tls_ctx_free(state);
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
	return tls_conn_new(state, h, name, (struct tls_conn **)conn);
}

static int tls_listen(void *state, const struct port_addr *bind, uint16_t *port)
{
	struct tls_ctx *t = state;

	t->lh = port_listen(bind, 0, port);
	return t->lh < 0 ? t->lh : 0;
}

static int tls_accept(void *state, int timeout_ms, void **conn)
{
	struct tls_ctx *t = state;
	struct port_addr peer;
	char name[80];
	int h = port_accept(t->lh, timeout_ms, &peer);

	if (h < 0)
		return h;
	port_addr_str(&peer, name, sizeof(name));
	return tls_conn_new(t, h, name, (struct tls_conn **)conn);
}

static int tls_handshake(void *conn)
{
	return tls_conn_handshake(conn);
}

static int tls_send(void *conn, const uint8_t *buf, size_t len)
{
	return tls_conn_send(conn, buf, len);
}

static int tls_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms)
{
	return tls_conn_recv(conn, buf, cap, timeout_ms);
}

static int tls_close(void *conn, int timeout_ms)
{
	return tls_conn_close(conn, timeout_ms);
}

static void tls_abort(void *conn)
{
	tls_conn_abort(conn);
}

static void tls_info(void *conn, struct tp_info *out)
{
	tls_conn_info(conn, out);
}

static void tls_describe(void *conn, char *buf, size_t len)
{
	tls_conn_describe(conn, buf, len);
}

static void tls_peer(void *conn, char *buf, size_t len)
{
	const struct tls_conn *c = conn;

	snprintf(buf, len, "%s", c->peer);
}

static void tls_timeline(void *conn, struct timeline *tl)
{
	struct tls_conn *c = conn;

	c->tl = tl;
}

const struct transport tp_tls = {
	.name = "tls",
	.datagram = 0,
	.default_port = 5003,
	.default_sizes = "32,64,256,1K,4K,16K,64K,256K,1M",
	.opts = tls_opts,
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
	.state_name = tls_state_name,
};
