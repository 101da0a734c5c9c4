/*
 * fuzz_client.c - the client's receive path (src/client.c: the reply reader, its run id
 * and sequence checks, the per-message and --keep loops, END; io.c, msg.c, report.c) over
 * the tcp and udp transports, against a scripted server in the in-memory port
 * (ports/fake/) whose answers are the input: the whole client_run() per input.
 *
 * Input: byte 0 chooses the client: bit 0 udp (else tcp), bit 1 --keep, bit 2
 * --reply-size 100 (else 24), bits 3-4 --count 1..4. Then records [ctl][len:2 big
 * endian][len bytes], one per client wait: ctl bit 1 first sends a correct ack of the
 * last request seen, then the bytes follow on the same connection (to the same source);
 * bit 0 then closes the connection (tcp), bit 2 then sends the client SIGTERM
 * (fake_stop_request). When the records run out the server goes silent (on fake time)
 * but still closes each connection the client closes.
 *
 * Properties, beyond ASan/UBSan: exit status 0 or 1 (143 once stopped); no wait without
 * a bound; every handle the client opened is closed.
 */
#include <string.h>

#include "client.h"
#include "fake_port.h"
#include "fuzz.h"
#include "msg.h"
#include "port.h"
#include "transport.h"

#define CONNS_MAX 32

struct srv {
	const uint8_t *p, *end;
	int udp, lh;
	int h[CONNS_MAX]; /* accepted connections (tcp), -1 once closed */
	unsigned n;
	struct port_addr last_from; /* udp: where the last request came from */
	struct msg_hdr last;        /* the last request header seen */
	int have_last;
	int stopped;                         /* SIGTERM was requested */
	uint8_t hdr[CONNS_MAX][MSG_HDR_LEN]; /* tcp: header being read */
	size_t have[CONNS_MAX], skip[CONNS_MAX];
};

static uint8_t g_buf[1u << 16];

static void saw_header(struct srv *s, const uint8_t *b, size_t n)
{
	struct msg_hdr h;

	if (msg_parse(b, n, &h) == REPLY_OK) {
		s->last = h;
		s->have_last = 1;
	}
}

/* Reads what the client sent on connection i, noting request headers. */
static void drain_stream(struct srv *s, unsigned i)
{
	int n;

	while (s->h[i] >= 0 && fake_pending(s->h[i]) > 0) {
		n = port_recv(s->h[i], g_buf, sizeof(g_buf), 0, NULL);
		FUZZ_ASSERT(n > 0);
		for (size_t off = 0, c; off < (size_t)n; off += c) {
			if (s->skip[i] > 0) {
				c = s->skip[i] < (size_t)n - off ? s->skip[i] : (size_t)n - off;
				s->skip[i] -= c;
				continue;
			}
			c = MSG_HDR_LEN - s->have[i];
			c = c < (size_t)n - off ? c : (size_t)n - off;
			memcpy(s->hdr[i] + s->have[i], g_buf + off, c);
			s->have[i] += c;
			if (s->have[i] == MSG_HDR_LEN) {
				saw_header(s, s->hdr[i], MSG_HDR_LEN);
				s->skip[i] = get_u32(s->hdr[i] + MSG_LEN_OFF) - MSG_HDR_LEN;
				s->have[i] = 0;
			}
		}
	}
	/* The client's close: ours follows. */
	if (s->h[i] >= 0 && port_recv(s->h[i], g_buf, 1, 0, NULL) == ACK_ERR_EOF) {
		port_close(s->h[i]);
		s->h[i] = -1;
	}
}

static void take_requests(struct srv *s)
{
	struct port_addr from;
	unsigned i;
	int h, n;

	if (s->udp) {
		while (fake_pending(s->lh) > 0) {
			n = port_recv(s->lh, g_buf, sizeof(g_buf), 0, &from);
			if (n < 0)
				break;
			s->last_from = from;
			saw_header(s, g_buf, (size_t)n);
		}
		return;
	}
	while (s->n < CONNS_MAX && (h = port_accept(s->lh, 0, NULL)) >= 0) {
		s->have[s->n] = s->skip[s->n] = 0;
		s->h[s->n++] = h;
	}
	for (i = 0; i < s->n; i++)
		drain_stream(s, i);
}

static void send_bytes(struct srv *s, int h, const uint8_t *b, size_t len)
{
	if (s->udp)
		port_sendto(s->lh, b, len, &s->last_from);
	else if (h >= 0)
		port_send(h, b, len); /* an error (client gone) is the client's right */
}

/* The idle hook: the client waits, the server acts. */
static int server_step(void *arg)
{
	struct srv *s = arg;
	uint8_t ctl;
	size_t len;
	int h;

	take_requests(s);
	if (s->end - s->p < 3)
		return 0;
	ctl = s->p[0];
	len = (size_t)s->p[1] << 8 | s->p[2];
	if (len > (size_t)(s->end - s->p - 3))
		len = (size_t)(s->end - s->p - 3);
	h = s->n > 0 ? s->h[s->n - 1] : -1;
	if ((ctl & 2) && s->have_last) {
		struct reply_hdr r = { .status = REPLY_OK,
			               .run_id = s->last.run_id,
			               .seq = s->last.seq,
			               .len = s->last.reply_len };

		if (r.len < REPLY_HDR_LEN || r.len > sizeof(g_buf))
			r.len = REPLY_HDR_LEN;
		reply_build(g_buf, &r);
		send_bytes(s, h, g_buf, r.len);
	}
	if (len > 0)
		send_bytes(s, h, s->p + 3, len);
	s->p += 3 + len;
	if ((ctl & 1) && !s->udp && h >= 0) {
		port_close(h);
		s->h[s->n - 1] = -1;
	}
	if (ctl & 4) {
		fake_stop_request(15);
		s->stopped = 1;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static struct srv s;
	struct client_opts o = { .addr = "127.0.0.1",
		                 .port = 5001,
		                 .sizes = { .v = { 64, 1000 }, .n = 2 },
		                 .warmup = 1,
		                 .quiet = 1,
		                 .timeout_ms = 100,
		                 .max_loss = 2 };
	struct tp_conf conf = { .timeout_ms = 100, .prog = "fuzz_client" };
	const struct transport *tp;
	struct port_addr a;
	void *state = NULL;
	uint16_t port;
	unsigned i;
	int r;

	if (n < 1)
		return 0;
	fake_reset();
	memset(&s, 0, sizeof(s));
	s.p = d + 1;
	s.end = d + n;
	s.udp = d[0] & 1;
	o.keep = (d[0] >> 1) & 1;
	o.reply_size = (d[0] & 4) ? 100 : REPLY_HDR_LEN;
	o.count = ((d[0] >> 3) & 3) + 1u;
	tp = s.udp ? &tp_udp : &tp_tcp;
	port_resolve("127.0.0.1", 5001, s.udp, 1, &a);
	s.lh = port_listen(&a, s.udp, &port);
	FUZZ_ASSERT(s.lh >= 0);
	FUZZ_ASSERT(tp->setup(&conf, &state) == 0);
	fake_set_idle(server_step, &s);
	r = client_run("fuzz_client", tp, &o, state);
	FUZZ_ASSERT(r == 0 || r == 1 || (s.stopped && r == 128 + 15));
	FUZZ_ASSERT(fake_stalls() == 0);
	fake_set_idle(NULL, NULL);
	for (i = 0; i < s.n; i++)
		port_close(s.h[i]);
	port_close(s.lh);
	FUZZ_ASSERT(fake_open_handles() == 0);
	fflush(stdout);
	return 0;
}
