/* test_server.c - the server loop (src/server.c) over the real tcp and udp transports,
 * through the in-memory port (ports/fake/) with a scripted peer: a whole exchange with its
 * acks, END and "done" line; requests sent before their answers; a silent peer dropped
 * after --timeout of fake time (no real waiting); garbage and an oversize request refused;
 * two UDP sources each answered on their own socket; port_udp_adopt keeps the datagrams
 * queued on the listener, each for the right socket. Every handle is closed at the end. */
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "check.h"
#include "fake_port.h"
#include "msg.h"
#include "port.h"
#include "server.h"
#include "transport.h"

#define RUN_ID 0x5EED0001u
#define PEERS  2

/* Script steps; w = 1: arrives together with the next step. */
#define CONNECT(p, w)                                           \
	{                                                       \
		.act = A_CONNECT, .peer = (p), .with_next = (w) \
	}
#define SEND(p, type_, seq_, len_, rl, w)                                                  \
	{                                                                                  \
		.act = A_SEND, .peer = (p), .type = (type_), .seq = (seq_), .len = (len_), \
		.reply_len = (rl), .with_next = (w)                                        \
	}
#define RAW(p, text, n)                                                   \
	{                                                                 \
		.act = A_SEND, .peer = (p), .raw = (text), .raw_len = (n) \
	}
#define CLOSE(p)                            \
	{                                   \
		.act = A_CLOSE, .peer = (p) \
	}
#define END_SCRIPT                     \
	{                              \
		.act = A_END_OF_SCRIPT \
	}

enum act { A_CONNECT, A_SEND, A_CLOSE, A_END_OF_SCRIPT };

struct step {
	enum act act;
	int peer;
	uint32_t type, seq, len, reply_len; /* A_SEND: a request; len 0: raw bytes below */
	const char *raw;
	size_t raw_len;
	int with_next; /* arrives together with the next step */
};

static struct {
	const struct step *script;
	unsigned next;
	int udp;
	struct port_addr srv;
	int h[PEERS];
	unsigned replies[PEERS], naks[PEERS];
	uint32_t last_seq[PEERS], last_status[PEERS], last_len[PEERS];
	int eof[PEERS];
} g;

static uint8_t g_buf[1u << 17];
static char g_out[8192], g_err[8192];

static void read_replies(int i)
{
	struct reply_hdr r;
	int n;

	while (g.h[i] >= 0 && (fake_pending(g.h[i]) > 0 || !g.udp)) {
		if (fake_pending(g.h[i]) == 0) {
			/* tcp: a closed server end reads as EOF without anything pending */
			n = port_recv(g.h[i], g_buf, 1, 0, NULL);
			if (n == ACK_ERR_EOF)
				g.eof[i] = 1;
			return;
		}
		/* Replies are sent whole, so a stream holds whole replies here. */
		n = port_recv(g.h[i], g_buf, g.udp ? sizeof(g_buf) : REPLY_HDR_LEN, 0, NULL);
		if (n < REPLY_HDR_LEN || reply_parse(g_buf, (size_t)n, &r) != 0)
			return;
		if (!g.udp && r.len > REPLY_HDR_LEN)
			port_recv(g.h[i], g_buf, r.len - REPLY_HDR_LEN, 0, NULL);
		g.replies[i]++;
		g.naks[i] += r.status != REPLY_OK;
		g.last_seq[i] = r.seq;
		g.last_status[i] = r.status;
		g.last_len[i] = r.len;
	}
}

static void do_step(const struct step *s)
{
	int *h = &g.h[s->peer];

	switch (s->act) {
	case A_CONNECT:
		*h = g.udp ? port_udp_connect(&g.srv) : port_tcp_connect(&g.srv, 1000);
		break;
	case A_SEND:
		if (s->len == 0) {
			port_send(*h, s->raw, s->raw_len);
		} else {
			struct msg_hdr m = { .type = (uint8_t)s->type,
				             .run_id = RUN_ID,
				             .seq = s->seq,
				             .len = s->len,
				             .reply_len = s->reply_len };

			if (s->len > sizeof(g_buf)) { /* only its header */
				m.len = MSG_HDR_LEN;
				msg_build(g_buf, &m);
				put_u32(g_buf + MSG_LEN_OFF, s->len);
				port_send(*h, g_buf, MSG_HDR_LEN);
				break;
			}
			msg_build(g_buf, &m);
			port_send(*h, g_buf, s->len);
		}
		break;
	case A_CLOSE:
		read_replies(s->peer);
		port_close(*h);
		*h = -1;
		break;
	default: break;
	}
}

/* The idle hook: whenever the server would wait, the peer takes its next step(s). */
static int peer_step(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < PEERS; i++)
		read_replies(i);
	if (g.script[g.next].act == A_END_OF_SCRIPT)
		return 0;
	while (g.script[g.next].act != A_END_OF_SCRIPT) {
		const struct step *s = &g.script[g.next++];

		do_step(s);
		if (!s->with_next)
			break;
	}
	return 1;
}

/* Runs server_run over the script with stdout and stderr captured into g_out / g_err. */
static int run(const struct transport *tp, const struct step *script, uint32_t max_size)
{
	struct server_opts o = { .bind = "0.0.0.0",
		                 .port = tp->default_port,
		                 .idle_timeout_s = 1,
		                 .timeout_ms = 5000,
		                 .max_size = max_size };
	struct tp_conf conf = { .server = 1, .timeout_ms = 5000, .prog = "test_server" };
	struct capture c;
	int r, i;

	fake_reset();
	memset(&g, 0, sizeof(g));
	g.script = script;
	g.udp = tp->datagram;
	g.h[0] = g.h[1] = -1;
	port_resolve("127.0.0.1", tp->default_port, g.udp, 0, &g.srv);
	fake_set_idle(peer_step, NULL);
	capture_begin(&c);
	r = server_run("test_server", tp, &o, &conf);
	capture_end(&c, g_out, sizeof(g_out), g_err, sizeof(g_err));
	fake_set_idle(NULL, NULL);
	for (i = 0; i < PEERS; i++) {
		read_replies(i);
		port_close(g.h[i]);
	}
	return r;
}

static void test_tcp_exchange(void)
{
	static const struct step s[] = {
		CONNECT(0, 0),
		SEND(0, MSG_DATA, 1, 64, REPLY_HDR_LEN, 0),
		SEND(0, MSG_DATA, 2, 1000, 200, 1),
		SEND(0, MSG_DATA, 3, 32, REPLY_HDR_LEN, 1), /* sent before 2 is answered */
		SEND(0, MSG_END, 4, MSG_HDR_LEN, REPLY_HDR_LEN, 0),
		CLOSE(0),
		END_SCRIPT,
	};

	CHECK_I(run(&tp_tcp, s, 65536), 0, "tcp: server_run returns 0");
	CHECK_U(g.replies[0], 4, "tcp: 3 acks and END's ack");
	CHECK_U(g.naks[0], 0, "tcp: no nak");
	CHECK_U(g.last_seq[0], 4, "tcp: last ack is END's seq");
	CHECK(strstr(g_out, "ready port=5001\n") != NULL, "tcp: ready line");
	CHECK(strstr(g_out, "end run=5eed0001 sent=4 received=3 valid=3\n") != NULL,
	      "tcp: END line counts the three requests");
	CHECK(strstr(g_out, "done conns=1 messages=3 valid=3 invalid=0 dropped=0\n") != NULL,
	      "tcp: done line");
	CHECK_STR(g_err, "", "tcp: nothing on stderr");
	CHECK_U(fake_open_handles(), 0, "tcp: every handle closed");
	CHECK_U(fake_stalls(), 0, "tcp: no unbounded wait");
}

static void test_tcp_silent(void)
{
	static const struct step s[] = {
		CONNECT(0, 0),
		RAW(0, "ACKB\x01\x01\0\0ab", 10), /* a third of a header, then silence */
		END_SCRIPT,
	};
	uint64_t t0 = port_mono_ns();

	CHECK_I(run(&tp_tcp, s, 65536), 0, "silent: server_run returns 0");
	CHECK(strstr(g_err, "conn 1 from 127.0.0.1:40000: timed out; connection dropped") != NULL,
	      "silent: one line naming the peer and the timeout");
	CHECK(strstr(g_out, "done conns=1 messages=0 valid=0 invalid=0 dropped=1\n") != NULL,
	      "silent: counted as dropped");
	CHECK(port_mono_ns() - t0 >= 6000000000ull,
	      "silent: 5 s --timeout and 1 s --idle-timeout passed on the fake clock");
	CHECK(g.eof[0], "silent: the peer sees its connection closed");
	CHECK_U(fake_open_handles(), 0, "silent: every handle closed");
}

static void test_tcp_refused(void)
{
	static const char http[] = "GET / HTTP/1.0\r\nHost: x\r\n\r\n......";
	static const struct step s[] = {
		CONNECT(0, 0),
		RAW(0, http, sizeof(http) - 1),
		CONNECT(1, 0),
		SEND(1, MSG_DATA, 7, 2u << 20, REPLY_HDR_LEN, 0), /* the header of 2 MiB */
		END_SCRIPT,
	};

	CHECK_I(run(&tp_tcp, s, 65536), 0, "refused: server_run returns 0");
	CHECK(strstr(g_err, "conn 1 from 127.0.0.1:40000: not an ackbench message; connection "
	                    "dropped\n") != NULL,
	      "refused: garbage named in one line");
	CHECK(strstr(g_err, "conn 2 from 127.0.0.1:40001: message of 2097152 bytes refused: above "
	                    "--max-size 65536; connection closed\n") != NULL,
	      "refused: oversize request named in one line");
	CHECK_U(g.replies[1], 1, "refused: the oversize request gets an answer");
	CHECK_U(g.last_status[1], REPLY_TOO_BIG, "refused: ... a nak saying too big");
	CHECK_U(g.last_seq[1], 7, "refused: ... with its seq");
	CHECK(strstr(g_out, "done conns=2 messages=0 valid=0 invalid=1 dropped=1\n") != NULL,
	      "refused: done line counts both");
	CHECK_U(fake_open_handles(), 0, "refused: every handle closed");
}

static void test_udp_two_sources(void)
{
	static const struct step s[] = {
		CONNECT(0, 1),
		CONNECT(1, 1),
		SEND(0, MSG_DATA, 1, 100, 100, 1), /* udp: a reply no larger than its request */
		SEND(1, MSG_DATA, 9, 64, REPLY_HDR_LEN, 0),
		SEND(1, MSG_DATA, 10, 64, 40, 0),
		RAW(0, "not ackbench at all, 32+ bytes..", 32),
		SEND(0, MSG_END, 3, MSG_HDR_LEN, REPLY_HDR_LEN, 0),
		END_SCRIPT,
	};

	CHECK_I(run(&tp_udp, s, 65536), 0, "udp: server_run returns 0");
	CHECK_U(g.replies[0], 2, "udp: source 1 gets its ack and END's");
	CHECK_U(g.last_seq[0], 3, "udp: ... END's last");
	CHECK_U(g.replies[1], 2, "udp: source 2 gets its two acks on its own socket");
	CHECK_U(g.last_seq[1], 10, "udp: ... in order");
	CHECK_U(g.last_len[1], 40, "udp: ... padded to the size asked for");
	CHECK(strstr(g_err, "from 127.0.0.1:40000: not an ackbench message; datagram dropped\n") !=
	              NULL,
	      "udp: garbage datagram named with its source");
	CHECK(strstr(g_out, "done conns=1 messages=3 valid=3 invalid=0 dropped=1\n") != NULL,
	      "udp: done line");
	CHECK_U(fake_open_handles(), 0, "udp: every handle closed");
}

/* port_udp_adopt (port.h): what other senders had queued on the listener goes to the new
 * listener, in order and with their sender; the adopted peer's stays on its handle. */
static void test_udp_adopt(void)
{
	struct port_addr any, srv, from, pa;
	uint16_t port = 0;
	char buf[64];
	int lh, a, b, c, h;

	fake_reset();
	port_resolve("127.0.0.1", 0, 1, 1, &any);
	lh = port_listen(&any, 1, &port);
	port_resolve("127.0.0.1", port, 1, 0, &srv);
	a = port_udp_connect(&srv);
	b = port_udp_connect(&srv);
	c = port_udp_connect(&srv);
	port_send(b, "b1", 2);
	port_send(a, "a1", 2);
	port_send(c, "c1", 2);
	port_send(a, "a2", 2);
	port_send(b, "b2", 2);
	CHECK_I(port_peek_from(lh, buf, sizeof(buf), 0, &from), 2, "adopt: b's datagram first");
	CHECK_I(port_recv(lh, buf, sizeof(buf), 0, &from), 2, "adopt: ... consumed");
	CHECK_I(port_peek_from(lh, buf, sizeof(buf), 0, &pa), 2, "adopt: then a's");
	h = port_udp_adopt(&lh, &pa);
	CHECK(h >= 0 && lh >= 0 && h != lh, "adopt: a connected handle and a new listener");
	CHECK_I(port_recv(h, buf, sizeof(buf), 0, NULL), 2, "adopt: a's first on its handle");
	CHECK(memcmp(buf, "a1", 2) == 0, "adopt: ... a1");
	CHECK_I(port_recv(h, buf, sizeof(buf), 0, NULL), 2, "adopt: a's second");
	CHECK(memcmp(buf, "a2", 2) == 0, "adopt: ... a2");
	CHECK_I(port_recv(h, buf, sizeof(buf), 0, NULL), ACK_ERR_TIMEOUT, "adopt: nothing else");
	CHECK_I(port_wait_readable(lh, 0), 0, "adopt: the new listener has the others'");
	CHECK_I(port_recv(lh, buf, sizeof(buf), 0, &from), 2, "adopt: c's");
	CHECK(memcmp(buf, "c1", 2) == 0 && !port_addr_equal(&from, &pa), "adopt: ... c1, from c");
	CHECK_I(port_recv(lh, buf, sizeof(buf), 0, &from), 2, "adopt: b's second");
	CHECK(memcmp(buf, "b2", 2) == 0, "adopt: ... b2");
	port_send(a, "a3", 2);
	port_send(c, "c2", 2);
	CHECK_I(port_recv(h, buf, sizeof(buf), 0, NULL), 2, "adopt: a's later one on its handle");
	CHECK_I(port_recv(lh, buf, sizeof(buf), 0, NULL), 2,
	        "adopt: c's later one on the listener");
	CHECK(memcmp(buf, "c2", 2) == 0, "adopt: ... c2");
	port_close(a);
	port_close(b);
	port_close(c);
	port_close(h);
	port_close(lh);
	CHECK_U(fake_open_handles(), 0, "adopt: every handle closed");
}

int main(void)
{
	test_udp_adopt();
	test_tcp_exchange();
	test_tcp_silent();
	test_tcp_refused();
	test_udp_two_sources();
	return check_done();
}
