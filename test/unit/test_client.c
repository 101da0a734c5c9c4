/* test_client.c - the client's benchmark loop (src/client.c) over the real tcp and udp
 * transports, through the in-memory port (ports/fake/) against a scripted responder that
 * answers as ackbench servers do, after a delay on the fake clock: every phase the client
 * reports is then known exactly (exchange = the responder's delay, close = its delay in
 * closing). Also: a nak costs one message, a silent server costs --timeout per message on
 * fake time and the run ends with END lost, a bogus server stamp cannot overflow the
 * one-way delay, and every handle is closed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "capture.h"
#include "check.h"
#include "client.h"
#include "fake_port.h"
#include "msg.h"
#include "port.h"
#include "transport.h"

#define CONNS    32
#define REPLY_US 250u /* the responder's "service time" */
#define CLOSE_US 40u  /* ... and its time to close a connection */

enum mode { ANSWER, NAK_SEQ, SILENT, GARBAGE, BOGUS_STAMP };

static struct {
	enum mode mode;
	uint32_t nak_seq;
	int udp, lh;
	int h[CONNS];
	unsigned n, requests, closes;
} g;

static uint8_t g_buf[1u << 17];
static char g_out[8192], g_err[8192], g_csv[64];

/* Answers one request in g_buf[0..n) on h (udp: to `to`). */
static void answer(int h, const struct port_addr *to, size_t n)
{
	struct msg_hdr m;
	struct reply_hdr r;

	if (msg_parse(g_buf, n, &m) != REPLY_OK || m.len != n)
		return;
	g.requests++;
	if (g.mode == SILENT)
		return;
	if (g.mode == GARBAGE) { /* a reply-sized datagram that is no ack or nak */
		memset(g_buf, 'x', REPLY_HDR_LEN);
		if (g.udp)
			port_sendto(g.lh, g_buf, REPLY_HDR_LEN, to);
		return;
	}
	r.status = g.mode == NAK_SEQ && m.seq == g.nak_seq ? REPLY_BAD_PADDING : REPLY_OK;
	r.run_id = m.run_id;
	r.seq = m.seq;
	r.len = r.status == REPLY_OK ? m.reply_len : REPLY_HDR_LEN;
	r.rx_rt_us = g.mode == BOGUS_STAMP ? 1ull << 62 : port_real_us();
	reply_build(g_buf, &r);
	fake_clock_advance(REPLY_US * 1000u);
	if (g.udp)
		port_sendto(g.lh, g_buf, r.len, to);
	else
		port_send(h, g_buf, r.len);
}

/* The idle hook: accept, read whole requests (they come in one piece here), answer,
 * close when the client closes. */
static int responder(void *arg)
{
	struct port_addr from;
	int acted = 0, h, n;
	unsigned i;

	(void)arg;
	if (g.udp) {
		while (fake_pending(g.lh) > 0 &&
		       (n = port_recv(g.lh, g_buf, sizeof(g_buf), 0, &from)) >= 0) {
			answer(-1, &from, (size_t)n);
			acted = 1;
		}
		return acted;
	}
	while (g.n < CONNS && (h = port_accept(g.lh, 0, NULL)) >= 0) {
		g.h[g.n++] = h;
		acted = 1;
	}
	for (i = 0; i < g.n; i++) {
		if (g.h[i] < 0)
			continue;
		n = port_recv(g.h[i], g_buf, sizeof(g_buf), 0, NULL);
		if (n > 0) {
			answer(g.h[i], NULL, (size_t)n);
			acted = 1;
		} else if (n == ACK_ERR_EOF) {
			fake_clock_advance(CLOSE_US * 1000u);
			port_close(g.h[i]);
			g.h[i] = -1;
			g.closes++;
			acted = 1;
		}
	}
	return acted;
}

static int run(const struct transport *tp, int keep, uint32_t reply_size, const char *csv, int owd)
{
	struct client_opts o = { .addr = "127.0.0.1",
		                 .port = tp->default_port,
		                 .sizes = { .v = { 64, 1000 }, .n = 2 },
		                 .count = 3,
		                 .warmup = 1,
		                 .keep = keep,
		                 .quiet = 1,
		                 .output = csv,
		                 .timeout_ms = 2000,
		                 .max_loss = 10,
		                 .reply_size = reply_size,
		                 .owd = owd };
	struct tp_conf conf = { .timeout_ms = 2000, .prog = "test_client" };
	struct port_addr a;
	struct capture c;
	void *state = NULL;
	uint16_t port;
	unsigned i;
	int r;

	fake_reset();
	g.udp = tp->datagram;
	g.n = g.requests = g.closes = 0;
	port_resolve(NULL, tp->default_port, g.udp, 1, &a);
	g.lh = port_listen(&a, g.udp, &port);
	if (tp->setup(&conf, &state) != 0)
		return -1;
	fake_set_idle(responder, NULL);
	capture_begin(&c);
	r = client_run("test_client", tp, &o, state);
	capture_end(&c, g_out, sizeof(g_out), g_err, sizeof(g_err));
	fake_set_idle(NULL, NULL);
	for (i = 0; i < g.n; i++)
		port_close(g.h[i]);
	port_close(g.lh);
	return r;
}

/* Counts the CSV rows (after the header) whose phase columns are exactly the given text. */
static unsigned csv_rows_with(const char *path, const char *phases)
{
	char line[512];
	unsigned n = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, phases) != NULL;
	fclose(f);
	return n;
}

static void test_tcp_per_message(void)
{
	g.mode = ANSWER;
	CHECK_I(run(&tp_tcp, 0, REPLY_HDR_LEN, g_csv, 0), 0, "tcp: every message acked");
	CHECK(strstr(g_out, "result proto=tcp mode=per-message sizes=2 messages=6 acked=6 lost=0 "
	                    "end=acked\n") != NULL,
	      "tcp: result line");
	CHECK_U(g.requests, 9, "tcp: 2 warm-up, 6 timed, END reached the responder");
	CHECK_U(g.closes, 9, "tcp: ... each on its own connection, closed by the client");
	/* connect 0, handshake 0, exchange = reply delay, close = close delay, total */
	CHECK_U(csv_rows_with(g_csv, ",0.000,0.000,250.000,40.000,290.000,1,"), 6,
	        "tcp: every row's phases are exactly the responder's delays");
	CHECK_U(csv_rows_with(g_csv, ",resumed,err,slot,tcp_retrans\n"), 1,
	        "tcp: the CSV ends with tcp_retrans, after slot");
	CHECK_U(csv_rows_with(g_csv, ",0,0\n"), 6,
	        "tcp: no retransmission on the lossless fake network (slot 0, tcp_retrans 0)");
	CHECK_STR(g_err, "", "tcp: nothing on stderr");
	CHECK_U(fake_open_handles(), 0, "tcp: every handle closed");
	CHECK_U(fake_stalls(), 0, "tcp: no unbounded wait");
}

static void test_udp_keep(void)
{
	g.mode = ANSWER;
	CHECK_I(run(&tp_udp, 1, 100, g_csv, 0), 0, "udp keep: every message acked");
	CHECK(strstr(g_out, "result proto=udp mode=keep sizes=2 messages=6 acked=6 lost=0 "
	                    "end=acked\n") != NULL,
	      "udp keep: result line");
	CHECK_U(csv_rows_with(g_csv, ",0.000,0.000,250.000,0.000,250.000,1,"), 6,
	        "udp keep: exchange is the reply delay, no connection phases per row");
	CHECK_U(fake_open_handles(), 0, "udp keep: every handle closed");
}

static void test_tcp_nak(void)
{
	g.mode = NAK_SEQ;
	g.nak_seq = 2; /* the second timed message of the first size (seq 0 is the warm-up) */
	CHECK_I(run(&tp_tcp, 1, REPLY_HDR_LEN, NULL, 0), 1, "nak: exit status 1");
	CHECK(strstr(g_out, "messages=6 acked=5 lost=1 end=acked\n") != NULL,
	      "nak: exactly one message lost");
	CHECK_U(fake_open_handles(), 0, "nak: every handle closed");
}

static void test_udp_silent(void)
{
	uint64_t t0;

	g.mode = SILENT;
	fake_reset();
	t0 = port_mono_ns();
	CHECK_I(run(&tp_udp, 0, REPLY_HDR_LEN, NULL, 0), 1, "silent: exit status 1");
	/* A peer that never answered is given up after two timeouts (runend.h): the warm-up
	 * and the first timed message; no second size, no END. */
	CHECK(strstr(g_out, "sizes=1 messages=1 acked=0 lost=1 end=lost\n") != NULL,
	      "silent: given up after the warm-up and one message");
	CHECK_U(g.requests, 2, "silent: two requests sent, no END");
	CHECK(port_mono_ns() - t0 >= 2ull * 2000000000u,
	      "silent: --timeout 2000 per message passed on the fake clock");
	CHECK(strstr(g_err, "never answered (2 messages in a row: timed out, nothing "
	                    "acknowledged): giving up\n") != NULL,
	      "silent: one line says so");
	CHECK_U(fake_open_handles(), 0, "silent: every handle closed");
	CHECK_U(fake_stalls(), 0, "silent: no unbounded wait");
}

/* A UDP server answering garbage: the losses say "malformed", not "timed out". */
static void test_udp_garbage(void)
{
	g.mode = GARBAGE;
	CHECK_I(run(&tp_udp, 0, REPLY_HDR_LEN, NULL, 0), 1, "garbage: exit status 1");
	CHECK(strstr(g_err,
	             "was acknowledged by 127.0.0.1:5002: malformed or unexpected message\n") !=
	              NULL,
	      "garbage: the loss is named malformed");
	CHECK(strstr(g_err, "timed out") == NULL, "garbage: ... not a timeout");
	CHECK_U(fake_open_handles(), 0, "garbage: every handle closed");
}

/* A server's receive stamp is the peer's word: a bogus one (found by fuzz_client) gives a
 * one-way delay clamped to a day, not a signed overflow (UBSan in make test's SAN run). */
static void test_bogus_stamp(void)
{
	g.mode = BOGUS_STAMP;
	CHECK_I(run(&tp_tcp, 1, REPLY_HDR_LEN, g_csv, 1), 0, "bogus stamp: every message acked");
	CHECK_U(csv_rows_with(g_csv, ",0,86400000000.000,"), 6,
	        "bogus stamp: --owd shows the clamp, a day, in every row");
}

int main(void)
{
	snprintf(g_csv, sizeof(g_csv), "/tmp/ackbench-test_client-%ld.csv", (long)getpid());
	test_tcp_per_message();
	test_udp_keep();
	test_tcp_nak();
	test_udp_silent();
	test_udp_garbage();
	test_bogus_stamp();
	remove(g_csv);
	return check_done();
}
