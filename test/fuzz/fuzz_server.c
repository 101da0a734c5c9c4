/*
 * fuzz_server.c - the server's receive path (src/server.c, io.c, msg.c, srvlog.c over the
 * tcp and udp transports) fed by a scripted peer through the in-memory port
 * (ports/fake/): the whole server_run(), from listen to "done", per input.
 *
 * Input: byte 0 chooses the server: bit 0 udp (else tcp), bits 1-2 --max-size (256, 4K,
 * 64K, 1M), bit 3 --forever. Then records [ctl][len:2 big endian][len bytes], delivered
 * one per server wait (the peer sends when the server waits for it); ctl bit 0: on a new
 * connection (udp: from a new source port), bit 1: together with the next record, bit 2:
 * then close that connection (tcp: FIN), bit 3: then SIGTERM (fake_stop_request). When the
 * records run out every connection is closed; the server then gives up on its idle timeout
 * (fake time, no real waiting).
 *
 * Properties, beyond ASan/UBSan: every reply is a well-formed ack/nak whose length field
 * is its size; the server returns 0, stopped or not; no wait was "forever" with nothing
 * to come; every handle it opened is closed again.
 */
#include <string.h>

#include "fake_port.h"
#include "fuzz.h"
#include "msg.h"
#include "port.h"
#include "server.h"
#include "transport.h"

#define CONNS_MAX 24

struct peer {
	const uint8_t *p, *end;
	int udp;
	struct port_addr srv;
	int h[CONNS_MAX]; /* our ends, -1 once closed */
	unsigned n;
	size_t skip[CONNS_MAX]; /* tcp: padding bytes of the reply being read */
	uint8_t hdr[CONNS_MAX][REPLY_HDR_LEN];
	size_t have[CONNS_MAX];
	int in_hook;
};

static uint8_t g_rx[1u << 16];

/* Checks what the server sent on our end i. */
static void read_replies(struct peer *pe, unsigned i)
{
	struct reply_hdr r;
	int n;

	while (pe->h[i] >= 0 && fake_pending(pe->h[i]) > 0) {
		n = port_recv(pe->h[i], g_rx, sizeof(g_rx), 0, NULL);
		FUZZ_ASSERT(n > 0);
		if (pe->udp) {
			FUZZ_ASSERT(reply_parse(g_rx, (size_t)n, &r) == 0);
			FUZZ_ASSERT(r.len == (uint32_t)n);
			continue;
		}
		for (size_t off = 0; off < (size_t)n;) {
			size_t c;

			if (pe->skip[i] > 0) {
				c = pe->skip[i] < (size_t)n - off ? pe->skip[i] : (size_t)n - off;
				pe->skip[i] -= c;
				off += c;
				continue;
			}
			c = REPLY_HDR_LEN - pe->have[i];
			if (c > (size_t)n - off)
				c = (size_t)n - off;
			memcpy(pe->hdr[i] + pe->have[i], g_rx + off, c);
			pe->have[i] += c;
			off += c;
			if (pe->have[i] == REPLY_HDR_LEN) {
				FUZZ_ASSERT(reply_parse(pe->hdr[i], REPLY_HDR_LEN, &r) == 0);
				pe->skip[i] = r.len - REPLY_HDR_LEN;
				pe->have[i] = 0;
			}
		}
	}
}

static void close_conn(struct peer *pe, unsigned i)
{
	read_replies(pe, i);
	port_close(pe->h[i]);
	pe->h[i] = -1;
}

static int open_conn(struct peer *pe)
{
	int h;

	if (pe->n == CONNS_MAX)
		return 0; /* go on on the last one */
	h = pe->udp ? port_udp_connect(&pe->srv) : port_tcp_connect(&pe->srv, 1000);
	if (h < 0)
		return -1;
	pe->h[pe->n++] = h;
	return 0;
}

/* One record: returns 1 when another follows at once (ctl bit 1). */
static int deliver(struct peer *pe)
{
	uint8_t ctl = pe->p[0];
	size_t len = (size_t)pe->p[1] << 8 | pe->p[2];
	const uint8_t *body = pe->p + 3;
	unsigned i;

	if (len > (size_t)(pe->end - body))
		len = (size_t)(pe->end - body);
	pe->p = body + len;
	if (((ctl & 1) || pe->n == 0 || pe->h[pe->n - 1] < 0) && open_conn(pe) != 0)
		return 0;
	i = pe->n - 1;
	if (pe->h[i] < 0)
		return 0;
	if (len > 0 || pe->udp)
		port_send(pe->h[i], body, len); /* an error (the server closed) is the server's
		                                 * right; the data is then lost */
	if (ctl & 4) {
		if (pe->udp)
			close_conn(pe, i);
		else
			port_shutdown_write(pe->h[i]);
	}
	if (ctl & 8)
		fake_stop_request(15);
	return (ctl & 2) != 0;
}

/* The idle hook: the server waits, the peer acts. */
static int peer_step(void *arg)
{
	struct peer *pe = arg;
	unsigned i;

	if (pe->in_hook)
		return 0;
	pe->in_hook = 1;
	for (i = 0; i < pe->n; i++)
		read_replies(pe, i);
	if (pe->end - pe->p >= 3) {
		while (pe->end - pe->p >= 3 && deliver(pe))
			;
		pe->in_hook = 0;
		return 1;
	}
	pe->p = pe->end;
	for (i = 0; i < pe->n; i++)
		if (pe->h[i] >= 0) {
			close_conn(pe, i);
			pe->in_hook = 0;
			return 1; /* one close per wait: the server sees each */
		}
	pe->in_hook = 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static const uint32_t max_size[4] = { 256, 4096, 65536, 1u << 20 };
	struct server_opts o = { .bind = "127.0.0.1",
		                 .port = 5001,
		                 .idle_timeout_s = 1,
		                 .timeout_ms = 500,
		                 .quiet = 1 };
	struct tp_conf conf = { .server = 1, .timeout_ms = 500, .prog = "fuzz_server" };
	static struct peer pe;
	unsigned i;
	int r;

	if (n < 1)
		return 0;
	fake_reset();
	memset(&pe, 0, sizeof(pe));
	pe.p = d + 1;
	pe.end = d + n;
	pe.udp = d[0] & 1;
	o.max_size = max_size[(d[0] >> 1) & 3];
	o.forever = (d[0] >> 3) & 1;
	port_resolve(o.bind, (uint16_t)o.port, pe.udp, 0, &pe.srv);
	fake_set_idle(peer_step, &pe);
	r = server_run("fuzz_server", pe.udp ? &tp_udp : &tp_tcp, &o, &conf);
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(fake_stalls() == 0);
	fake_set_idle(NULL, NULL);
	for (i = 0; i < pe.n; i++)
		if (pe.h[i] >= 0)
			close_conn(&pe, i);
	FUZZ_ASSERT(fake_open_handles() == 0);
	fflush(stdout);
	return 0;
}
