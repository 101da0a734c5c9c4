/* app.c - option tables, --help texts and validation shared by the eight programs. */
#include "app.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "client.h"
#include "err.h"
#include "mem.h"
#include "msg.h"
#include "opts.h"
#include "sec_opts.h"
#include "server.h"
#include "stack.h"

#define MAX_STREAM_MSG (256u * 1024u * 1024u)
#define MAX_CONNS      256u /* --max-conns, --parallel: threads */

static const char *g_prog;
static const struct transport *g_tp;
static const struct opt *const *g_tables;

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static void client_help(FILE *f)
{
	fprintf(f,
	        "Usage: %s [options]\n"
	        "Sends messages of each size to %s_server and times each phase until its ack.\n"
	        "Default: a new connection per message (the handshake cost); --keep: one\n"
	        "connection for all (the per-record cost). Times are in microseconds.\n\n",
	        g_prog, g_tp->name);
	opts_print(f, g_tables);
	fprintf(f,
	        "\nDefault sizes (%s): %s (clamped to what one %s can carry).\n"
	        "Exit status: 0 every message acked, 1 some failed or were lost, 2 usage error,\n"
	        "128+N stopped by signal N (SIGINT 130, SIGTERM 143; what was measured is "
	        "written).\n",
	        g_tp->name, g_tp->default_sizes, g_tp->datagram ? "datagram" : "message");
}

static void server_help(FILE *f)
{
	fprintf(f,
	        "Usage: %s [options]\n"
	        "Answers %s_client: checks each message and replies with an ack carrying its\n"
	        "sequence number. Prints \"ready port=N\" once listening; exits after the\n"
	        "client's END unless --forever.\n\n",
	        g_prog, g_tp->name);
	opts_print(f, g_tables);
	fprintf(f, "\nSIGINT/SIGTERM: rows written, \"done\" printed, exit 0.\n"
	           "Exit status: 0 served, 1 could not start or write results, 2 usage error.\n");
}

/* --timeline, for transports with a handshake (tp->timeline): t[0..1] */
static void timeline_opt(struct opt *t, const char **dst)
{
	static const struct opt tl = { "timeline",
		                       0,
		                       OPT_STR,
		                       NULL,
		                       0,
		                       0,
		                       "FILE",
		                       "handshake timeline as CSV: a row per handshake message "
		                       "of each connection (see docs/timeline.md)" };

	t[0] = tl;
	t[0].dst = dst;
	memset(&t[1], 0, sizeof(t[1]));
}

/* Default sweep of this transport, keeping the sizes that fit max (0 = no limit) and
 * adding max itself when some did not: a size the user did not name is never fatal. */
static void default_sizes(const struct transport *tp, uint32_t max, struct sizes *s)
{
	struct sizes all;
	char err[96];
	unsigned i;
	int clipped = 0;

	opts_parse_sizes(tp->default_sizes, MSG_HDR_LEN, UINT32_MAX, &all, err, sizeof(err));
	s->n = 0;
	for (i = 0; i < all.n; i++) {
		if (max != 0 && all.v[i] > max)
			clipped = 1;
		else
			s->v[s->n++] = all.v[i];
	}
	if (clipped && (s->n == 0 || s->v[s->n - 1] < max))
		s->v[s->n++] = max;
}

/* "0.1.0 (stack mbedtls 3.6.6, <its build configuration>)" for --version. */
static const char *version_text(const struct transport *tp)
{
	static char v[640];

	if (tp->stack == NULL)
		return ACKBENCH_VERSION;
	snprintf(v, sizeof(v), "%s (stack %s %s, %s; config %s, target %s)", ACKBENCH_VERSION,
	         tp->stack->name, tp->stack->version(), tp->stack->build_config(), ACKBENCH_CONFIG,
	         ACKBENCH_TARGET);
	return v;
}

/* The option tables of tp: the common ones, then its own (secure transports: the shared
 * sec_opts table). */
static void tables_of(const struct transport *tp, const struct opt *common,
                      const struct opt *tl_opts, const struct opt **tables)
{
	tables[0] = common;
	tables[1] = tp->stack != NULL ? sec_opts_table(tp) : tp->opts;
	tables[2] = tp->timeline != NULL ? tl_opts : NULL;
	tables[3] = NULL;
}

/* Results go to stdout: one that could not be written (a full disk, >/dev/full, a closed
 * pipe) fails the run, with one line, instead of exiting 0. */
static int stdout_checked(int status)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	fprintf(stderr, "%s: stdout: write failed: %s\n", g_prog, strerror(errno));
	return status == 0 ? 1 : status;
}

/* The stack's library-wide set-up. --mem first, so that every block of the library is
 * counted (and none allocated by the default allocator is freed by the counting one). */
static int stack_start(const struct transport *tp, int mem)
{
	char err[96];
	int r;

	err_use_stack(tp->stack);
	if (tp->stack == NULL)
		return 0;
	if (mem && (r = tp->stack->mem_install()) != 0) {
		fprintf(stderr, "%s: --mem: cannot install the counting allocator: %s\n", g_prog,
		        err_str(r, err, sizeof(err)));
		return r;
	}
	r = tp->stack->init();
	if (r != 0)
		fprintf(stderr, "%s: %s library set-up failed: %s\n", g_prog, tp->stack->title,
		        err_str(r, err, sizeof(err)));
	return r;
}

static void stack_stop(const struct transport *tp)
{
	if (tp->stack != NULL)
		tp->stack->deinit();
}

/* conns > 1 connections at once: only on a stack that says it can (stack.h threads_ok).
 * Returns 1 when fine, 0 after the error line. */
static int app_conns_ok(const struct transport *tp, uint32_t conns, const char *opt)
{
	if (conns <= 1 || tp->stack == NULL ||
	    (tp->stack->threads_ok != NULL && tp->stack->threads_ok()))
		return 1;
	fprintf(stderr, "%s: --%s %u: %s; use 1\n", g_prog, opt, (unsigned)conns,
	        tp->stack->threads_ok != NULL
	                ? "this build's TLS library is not thread-safe (config '" ACKBENCH_CONFIG
	                  "')"
	                : "this TLS stack does not declare its connections thread-safe");
	return 0;
}

/* --mem counts one process-wide heap and reads its peak per connection: one connection at
 * a time only. Returns 1 when fine, 0 after the error line. */
static int app_mem_alone(int mem, uint32_t conns, const char *opt)
{
	if (!mem || conns <= 1)
		return 1;
	fprintf(stderr,
	        "%s: --mem needs --%s 1 (the heap counter is process-wide, its peaks per "
	        "connection)\n",
	        g_prog, opt);
	return 0;
}

int app_client_main(const struct transport *tp, int argc, char **argv)
{
	static struct client_opts o;
	static struct tp_conf conf;
	int help = 0, version = 0, status;
	uint32_t max;
	unsigned i;
	struct opt common[] = {
		{ "addr", 'a', OPT_STR, &o.addr, 0, 0, "HOST",
		  "server address: IPv4, IPv6 or name (127.0.0.1)" },
		{ "port", 'p', OPT_UINT, &o.port, 1, 65535, "PORT",
		  "server port (protocol default)" },
		{ "sizes", 's', OPT_SIZES, &o.sizes, MSG_HDR_LEN, MAX_STREAM_MSG, "LIST",
		  "message sizes in bytes, e.g. 64,1K,16K (K=1024, M=1024K)" },
		{ "count", 'n', OPT_UINT, &o.count, 1, 10000000, "N",
		  "timed messages per size (1000)" },
		{ "warmup", 'w', OPT_UINT, &o.warmup, 0, 1000000, "N",
		  "untimed messages before each size (10)" },
		{ "keep", 0, OPT_FLAG, &o.keep, 0, 0, NULL, "one connection for all messages" },
		{ "parallel", 'P', OPT_UINT, &o.parallel, 1, MAX_CONNS, "N",
		  "N connections in flight at once, one thread each, every message still timed "
		  "alone (1); --keep: N kept connections" },
		{ "reply-size", 0, OPT_SIZE, &o.reply_size, REPLY_HDR_LEN, MAX_STREAM_MSG, "N",
		  "pad each reply to N bytes (24: the bare ack)" },
		{ "timeout", 0, OPT_UINT, &o.timeout_ms, 1, 3600000, "MS",
		  "wait at most MS for each ack/close (2000)" },
		{ "max-loss", 0, OPT_UINT, &o.max_loss, 1, 1000000, "K",
		  "abandon a size after K failures in a row (10)" },
		{ "owd", 0, OPT_FLAG, &o.owd, 0, 0, NULL,
		  "report one-way delay (needs synchronised clocks)" },
		{ "mem", 0, OPT_FLAG, &o.mem, 0, 0, NULL,
		  "TLS stack heap peak per connection above the set-up baseline (times then "
		  "include "
		  "the counting)" },
		{ "output", 'o', OPT_STR, &o.output, 0, 0, "FILE",
		  "raw samples as CSV, one row per message" },
		{ "json", 0, OPT_STR, &o.json, 0, 0, "FILE", "summary as JSON" },
		{ "quiet", 'q', OPT_FLAG, &o.quiet, 0, 0, NULL,
		  "print only the closing result line" },
		{ "help", 'h', OPT_HELP, &help, 0, 0, NULL, "this text" },
		{ "version", 'V', OPT_VERSION, &version, 0, 0, NULL, "program version" },
		{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
	};
	struct opt tl_opts[2];
	const struct opt *tables[4];
	void *state = NULL;
	struct port_addr none;
	char err[64];

	timeline_opt(tl_opts, &o.timeline);
	g_prog = base_name(argv[0]);
	g_tp = tp;
	g_tables = tables;
	tables_of(tp, common, tl_opts, tables);
	o.addr = "127.0.0.1";
	o.port = tp->default_port;
	o.count = 1000;
	o.warmup = 10;
	o.timeout_ms = 2000;
	o.max_loss = 10;
	o.parallel = 1;
	o.reply_size = REPLY_HDR_LEN;
	conf.timeout_ms = 0;
	conf.hs_timeout[0] = 500;
	conf.hs_timeout[1] = 8000;
	conf.mtu = 1400;
	opts_side(OPT_CLIENT);
	switch (opts_parse(g_prog, tables, argc, argv, client_help, version_text(tp))) {
	case 1: return 0;
	case -1: return 2;
	default: break;
	}
	conf.timeout_ms = o.timeout_ms;
	conf.prog = g_prog;
	conf.addr = o.addr;
	conf.conns = o.parallel;
	if (!app_mem_alone(o.mem, o.parallel, "parallel") ||
	    !app_conns_ok(tp, o.parallel, "parallel"))
		return 2;
	if (tp->stack != NULL && sec_opts_merge(tp, &conf) != 0)
		return 2;
	o.auth = tp->stack != NULL ? sec_opts_auth(&conf) : NULL;
	o.early = conf.early_data;
	o.cid = conf.cid;
	if (stack_start(tp, o.mem) != 0)
		return 1;
	/* Set up once, for the whole run. The largest message one send can carry depends on
	 * the transport (and for DTLS on the MTU): ask it before any traffic, refuse named
	 * sizes above it. */
	memset(&none, 0, sizeof(none));
	status = tp->setup(&conf, &state);
	if (status != 0) {
		/* ACK_ERR_ARG: the transport named the bad option value itself */
		if (status == ACK_ERR_ARG)
			status = 2;
		else
			fprintf(stderr, "%s: cannot set up %s: %s\n", g_prog, tp->name,
			        err_str(status, err, sizeof(err)));
		goto out;
	}
	status = 2;
	max = tp->max_msg(state, &none);
	if (o.sizes.n == 0)
		default_sizes(tp, max, &o.sizes);
	for (i = 0; i < o.sizes.n; i++)
		if (max != 0 && o.sizes.v[i] > max) {
			fprintf(stderr,
			        "%s: --sizes: %" PRIu32
			        " bytes is above the largest %s message (%" PRIu32 " bytes)\n",
			        g_prog, o.sizes.v[i], tp->name, max);
			goto out;
		}
	if (max != 0 && o.reply_size > max) {
		fprintf(stderr,
		        "%s: --reply-size: %" PRIu32
		        " bytes is above the largest %s message (%" PRIu32 " bytes)\n",
		        g_prog, o.reply_size, tp->name, max);
		goto out;
	}
	status = stdout_checked(client_run(g_prog, tp, &o, state));
	state = NULL; /* client_run tore it down */
out:
	if (state != NULL)
		tp->teardown(state);
	stack_stop(tp);
	return status;
}

int app_server_main(const struct transport *tp, int argc, char **argv)
{
	static struct server_opts o;
	static struct tp_conf conf;
	int help = 0, version = 0, status;
	unsigned i;
	struct opt common[] = {
		{ "bind", 'b', OPT_STR, &o.bind, 0, 0, "ADDR",
		  "local address to listen on (all IPv4: 0.0.0.0; '::' for IPv6)" },
		{ "port", 'p', OPT_UINT, &o.port, 0, 65535, "PORT",
		  "port; 0 picks a free one (protocol default)" },
		{ "forever", 0, OPT_FLAG, &o.forever, 0, 0, NULL,
		  "keep serving clients one after another" },
		{ "idle-timeout", 0, OPT_UINT, &o.idle_timeout_s, 0, 86400, "S",
		  "exit after S s without a client; 0 = never (300)" },
		{ "timeout", 0, OPT_UINT, &o.timeout_ms, 1, 3600000, "MS",
		  "drop a peer silent for MS within a connection (5000)" },
		{ "max-size", 0, OPT_SIZE, &o.max_size, MSG_HDR_LEN, MAX_STREAM_MSG, "N",
		  "largest message and reply accepted (1M)" },
		{ "max-conns", 0, OPT_UINT, &o.max_conns, 1, MAX_CONNS, "N",
		  "serve up to N connections at once, one thread each, 2 x --max-size of buffers "
		  "each (1; udp: always one thread for all)" },
		{ "output", 'o', OPT_STR, &o.output, 0, 0, "FILE",
		  "server CSV: a row per message and per connection" },
		{ "mem", 0, OPT_FLAG, &o.mem, 0, 0, NULL,
		  "TLS stack heap peak per connection above the set-up baseline (times then "
		  "include "
		  "the counting)" },
		{ "quiet", 'q', OPT_FLAG, &o.quiet, 0, 0, NULL, "fewer messages" },
		{ "help", 'h', OPT_HELP, &help, 0, 0, NULL, "this text" },
		{ "version", 'V', OPT_VERSION, &version, 0, 0, NULL, "program version" },
		{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
	};
	struct opt tl_opts[2];
	const struct opt *tables[4];

	timeline_opt(tl_opts, &o.timeline);
	g_prog = base_name(argv[0]);
	g_tp = tp;
	g_tables = tables;
	tables_of(tp, common, tl_opts, tables);
	o.bind = "0.0.0.0";
	o.port = tp->default_port;
	o.idle_timeout_s = 300;
	o.timeout_ms = 5000;
	o.max_size = 1024u * 1024u;
	o.max_conns = 1;
	conf.server = 1;
	conf.hs_timeout[0] = 500;
	conf.hs_timeout[1] = 8000;
	conf.mtu = 1400;
	/* No TLS stack, no heap to count on a tcp/udp server (tcp_client --mem still gives the
	 * zero baseline beside tls_client's figures): a client option there. */
	for (i = 0; tp->stack == NULL && common[i].lng != NULL; i++)
		if (strcmp(common[i].lng, "mem") == 0)
			common[i].help = "client: the TLS stack's heap (none on a plain transport)";
	opts_side(OPT_SERVER);
	switch (opts_parse(g_prog, tables, argc, argv, server_help, version_text(tp))) {
	case 1: return 0;
	case -1: return 2;
	default: break;
	}
	conf.timeout_ms = o.timeout_ms;
	conf.prog = g_prog;
	conf.conns = tp == &tp_udp ? 1 : o.max_conns;
	if (!app_mem_alone(o.mem, o.max_conns, "max-conns") ||
	    !app_conns_ok(tp, conf.conns, "max-conns"))
		return 2;
	if (tp->stack != NULL && sec_opts_merge(tp, &conf) != 0)
		return 2;
	conf.conns = server_threads(tp, &o);
	if (stack_start(tp, o.mem) != 0)
		return 1;
	if (o.mem && !o.quiet)
		fprintf(stderr, "%s: --mem: %s heap accounting on: times include its overhead\n",
		        g_prog, tp->stack != NULL ? tp->stack->title : "no TLS stack");
	status = stdout_checked(server_run(g_prog, tp, &o, &conf));
	stack_stop(tp);
	return status;
}
