/* sec_tp.c - see sec_tp.h. */
#include "sec_tp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "port.h"
#include "stack.h"
#include "tls_sniff.h"
#include "waitroom.h"

#define CONNECT_TIMEOUT_MS 10000 /* as tcp's dial */
#define DTLS_HS_MIN_MS     500u
#define DTLS_HS_MAX_MS     8000u
#define DTLS_MTU           1400u
#define HOLD_MS            10000u /* the waiting room's bound without --hs-deadline */

/* A transport's state: the stack's, and a stream server's waiting room (waitroom.h),
 * where accepted connections wait, all at once, for their whole first record before the
 * stack's handshake starts. */
struct sec_state {
	void *st;
	struct waitroom *room;
	const char *prog;
	uint32_t hold_ms;
};

void sec_dtls_conf(const struct tp_conf *conf, uint32_t *hs_min_ms, uint32_t *hs_max_ms,
                   uint16_t *mtu)
{
	*hs_min_ms = conf->hs_timeout[1] ? conf->hs_timeout[0] : DTLS_HS_MIN_MS;
	*hs_max_ms = conf->hs_timeout[1] ? conf->hs_timeout[1] : DTLS_HS_MAX_MS;
	*mtu = (uint16_t)(conf->mtu ? conf->mtu : DTLS_MTU);
}

static int *listen_handle(const struct sec_ops *ops, void *st)
{
	return (int *)(void *)((char *)st + ops->lh_offset);
}

static int ops_setup(const struct sec_ops *ops, const struct tp_conf *conf, void **state)
{
	struct sec_state *ss = calloc(1, sizeof(*ss));
	int r;

	if (ss == NULL)
		return ACK_ERR_NOMEM;
	ss->st = calloc(1, ops->state_size);
	if (ss->st == NULL) {
		free(ss);
		return ACK_ERR_NOMEM;
	}
	r = ops->init(ss->st, conf);
	if (r != 0) {
		free(ss->st);
		free(ss);
		return r;
	}
	ss->prog = conf->prog;
	ss->hold_ms = conf->hs_deadline_ms != 0 ? conf->hs_deadline_ms : HOLD_MS;
	*state = ss;
	return 0;
}

static void ops_teardown(const struct sec_ops *ops, void *state)
{
	struct sec_state *ss = state;

	if (ss == NULL)
		return;
	if (ss->room != NULL)
		waitroom_fini(ss->room);
	free(ss->room);
	ops->fini(ss->st);
	free(ss->st);
	free(ss);
}

static uint32_t ops_max(const struct sec_ops *ops, void *state)
{
	return ops->max_msg != NULL ? ops->max_msg(((struct sec_state *)state)->st) : 0;
}

static int ops_listen(const struct sec_ops *ops, void *state, int datagram,
                      const struct port_addr *bind, uint16_t *port)
{
	struct sec_state *ss = state;
	int *lh = listen_handle(ops, ss->st);

	if (!datagram && ops->accept == NULL) {
		ss->room = malloc(sizeof(*ss->room));
		if (ss->room == NULL)
			return ACK_ERR_NOMEM;
	}
	*lh = port_listen(bind, datagram, port);
	if (*lh < 0)
		return *lh;
	if (ss->room != NULL)
		waitroom_init(ss->room, ss->prog, *lh, ss->hold_ms, tls_sniff_first_need);
	return 0;
}

/* A connection over h from or to peer. */
static int ops_conn(const struct sec_ops *ops, void *state, int h, const struct port_addr *peer,
                    void **conn)
{
	char name[80];

	if (h < 0)
		return h;
	port_addr_str(peer, name, sizeof(name));
	return ops->conn_new(((struct sec_state *)state)->st, h, name, conn);
}

/* A stream's: the next connection whose first record is whole (waitroom.h). */
static int ops_accept(const struct sec_ops *ops, void *state, int timeout_ms, void **conn)
{
	struct sec_state *ss = state;
	struct port_addr peer;
	int h;

	if (ops->accept != NULL)
		return ops->accept(ss->st, timeout_ms, conn);
	h = waitroom_take(ss->room, timeout_ms, &peer);
	return ops_conn(ops, state, h, &peer, conn);
}

static void ops_peer(const struct sec_ops *ops, void *conn, char *buf, size_t len)
{
	snprintf(buf, len, "%s", ops->peer(conn));
}

static void ops_info(const struct sec_ops *ops, void *conn, struct tp_info *out)
{
	struct sec_names n;

	memset(&n, 0, sizeof(n));
	ops->names(conn, &n);
	sec_info(n.ctx, ops->io(conn), ops->retrans != NULL ? ops->retrans(conn) : 0, out);
}

static void ops_describe(const struct sec_ops *ops, void *conn, char *buf, size_t len)
{
	struct sec_names n;

	memset(&n, 0, sizeof(n));
	ops->names(conn, &n);
	sec_describe(&n, ops->io(conn), buf, len);
}

static void ops_timeline(const struct sec_ops *ops, void *conn, struct timeline *tl)
{
	sec_io_timeline(ops->io(conn), tl);
}

/* ---- tls: TCP under the stack ---- */

static int tls_setup(const struct tp_conf *conf, void **state)
{
	return ops_setup(&sec_tls_ops, conf, state);
}

static void tls_teardown(void *state)
{
	ops_teardown(&sec_tls_ops, state);
}

static uint32_t tls_max(void *state, const struct port_addr *peer)
{
	(void)peer;
	return ops_max(&sec_tls_ops, state); /* a stream: large messages span records */
}

static int tls_dial(void *state, const struct port_addr *peer, void **conn)
{
	return ops_conn(&sec_tls_ops, state, port_tcp_connect(peer, CONNECT_TIMEOUT_MS), peer,
	                conn);
}

static int tls_listen(void *state, const struct port_addr *bind, uint16_t *port)
{
	return ops_listen(&sec_tls_ops, state, 0, bind, port);
}

static int tls_accept(void *state, int timeout_ms, void **conn)
{
	return ops_accept(&sec_tls_ops, state, timeout_ms, conn);
}

static int tls_handshake(void *conn)
{
	return sec_tls_ops.handshake(conn);
}

static int tls_handshake_early(void *conn, const uint8_t *buf, size_t len)
{
	if (sec_tls_ops.handshake_early == NULL) /* refused at set-up; nothing sent early */
		return sec_tls_ops.handshake(conn);
	return sec_tls_ops.handshake_early(conn, buf, len);
}

static int tls_send(void *conn, const uint8_t *buf, size_t len)
{
	return sec_tls_ops.send(conn, buf, len);
}

static int tls_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms)
{
	return sec_tls_ops.recv(conn, buf, cap, timeout_ms);
}

static int tls_close(void *conn, int timeout_ms)
{
	return sec_tls_ops.close(conn, timeout_ms);
}

static void tls_abort(void *conn)
{
	sec_tls_ops.abort(conn);
}

static void tls_info(void *conn, struct tp_info *out)
{
	ops_info(&sec_tls_ops, conn, out);
}

static int tls_tcp_retrans(void *conn, uint32_t *n)
{
	return port_tcp_retrans(sec_tls_ops.io(conn)->h, n);
}

static void tls_describe(void *conn, char *buf, size_t len)
{
	ops_describe(&sec_tls_ops, conn, buf, len);
}

static void tls_peer(void *conn, char *buf, size_t len)
{
	ops_peer(&sec_tls_ops, conn, buf, len);
}

static void tls_timeline(void *conn, struct timeline *tl)
{
	ops_timeline(&sec_tls_ops, conn, tl);
}

static const char *tls_state_name(int state)
{
	return sec_tls_ops.state_name != NULL ? sec_tls_ops.state_name(state) : NULL;
}

/* ---- dtls: UDP under the stack ---- */

static int dtls_setup(const struct tp_conf *conf, void **state)
{
	return ops_setup(&sec_dtls_ops, conf, state);
}

static void dtls_teardown(void *state)
{
	ops_teardown(&sec_dtls_ops, state);
}

static uint32_t dtls_max(void *state, const struct port_addr *peer)
{
	(void)peer;
	return ops_max(&sec_dtls_ops, state);
}

static int dtls_dial(void *state, const struct port_addr *peer, void **conn)
{
	return ops_conn(&sec_dtls_ops, state, port_udp_connect(peer), peer, conn);
}

static int dtls_listen(void *state, const struct port_addr *bind, uint16_t *port)
{
	return ops_listen(&sec_dtls_ops, state, 1, bind, port);
}

static int dtls_accept(void *state, int timeout_ms, void **conn)
{
	return ops_accept(&sec_dtls_ops, state, timeout_ms, conn);
}

static int dtls_handshake(void *conn)
{
	return sec_dtls_ops.handshake(conn);
}

static int dtls_send(void *conn, const uint8_t *buf, size_t len)
{
	return sec_dtls_ops.send(conn, buf, len); /* one record: len <= max_msg (app.c) */
}

static int dtls_recv(void *conn, uint8_t *buf, size_t cap, int timeout_ms)
{
	return sec_dtls_ops.recv(conn, buf, cap, timeout_ms);
}

static int dtls_close(void *conn, int timeout_ms)
{
	return sec_dtls_ops.close(conn, timeout_ms);
}

static void dtls_abort(void *conn)
{
	sec_dtls_ops.abort(conn);
}

static void dtls_info(void *conn, struct tp_info *out)
{
	ops_info(&sec_dtls_ops, conn, out);
}

static void dtls_describe(void *conn, char *buf, size_t len)
{
	ops_describe(&sec_dtls_ops, conn, buf, len);
}

static void dtls_peer(void *conn, char *buf, size_t len)
{
	ops_peer(&sec_dtls_ops, conn, buf, len);
}

static void dtls_timeline(void *conn, struct timeline *tl)
{
	ops_timeline(&sec_dtls_ops, conn, tl);
}

static const char *dtls_state_name(int state)
{
	return sec_dtls_ops.state_name != NULL ? sec_dtls_ops.state_name(state) : NULL;
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
	.handshake_early = tls_handshake_early,
	.send = tls_send,
	.recv = tls_recv,
	.close = tls_close,
	.abort = tls_abort,
	.info = tls_info,
	.describe = tls_describe,
	.peer = tls_peer,
	.timeline = tls_timeline,
	.state_name = tls_state_name,
	.cols = TP_COL_TCP_RETRANS | TP_COL_AUTH | TP_COL_EARLY,
	.tcp_retrans = tls_tcp_retrans,
};

/* Every stack's DTLS client measures the cookie round trip (sec_io). */
const struct transport tp_dtls = {
	.name = "dtls",
	.datagram = 1,
	.default_port = 5004,
	.default_sizes = "32,64,256,1K,4K,16K",
	.stack = &sec_stack,
	.cols = TP_COL_COOKIE | TP_COL_AUTH,
	.setup = dtls_setup,
	.teardown = dtls_teardown,
	.max_msg = dtls_max,
	.dial = dtls_dial,
	.listen = dtls_listen,
	.accept = dtls_accept,
	.handshake = dtls_handshake,
	.send = dtls_send,
	.recv = dtls_recv,
	.close = dtls_close,
	.abort = dtls_abort,
	.info = dtls_info,
	.describe = dtls_describe,
	.peer = dtls_peer,
	.timeline = dtls_timeline,
	.state_name = dtls_state_name,
};
