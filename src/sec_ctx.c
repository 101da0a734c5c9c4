/* sec_ctx.c - see sec_ctx.h. */
#include "sec_ctx.h"

#include <string.h>

#include "port.h"

int sec_ctx_fail(const struct sec_ctx *x, const char *opt, const char *val, const char *why,
                 int code)
{
	fprintf(stderr, "%s: --%s: '%s': %s\n", x->prog, opt, val, why);
	return code;
}

int sec_ctx_fail_load(const struct sec_ctx *x, const char *opt, const char *path, const char *why)
{
	fprintf(stderr, "%s: --%s: cannot load '%s': %s (run 'make certs' or give --%s FILE)\n",
	        x->prog, opt, path, why, opt);
	return ACK_ERR_ARG;
}

int sec_ctx_init(struct sec_ctx *x, const struct tp_conf *c, int datagram)
{
	x->lh = -1;
	x->prog = c->prog ? c->prog : "ackbench";
	x->server = c->server;
	x->datagram = datagram;
	x->resume = c->resume;
	x->pinned_suite = c->ciphersuite == NULL;
	x->pinned_group = c->groups == NULL;
	x->hs_deadline_ms = c->hs_deadline_ms ? c->hs_deadline_ms : SEC_HS_DEADLINE_MS;
	x->ca = c->ca_file ? c->ca_file : "certs/ca.crt";
	x->crt = c->cert_file ? c->cert_file : x->server ? "certs/server.crt" : "certs/client.crt";
	x->key = c->key_file ? c->key_file : x->server ? "certs/server.key" : "certs/client.key";
	if (c->conns > 1 && (x->lock = port_mutex_new()) == NULL)
		return ACK_ERR_NOMEM;
	x->server_name = c->server_name ? c->server_name : c->addr;
	if (!x->server && (x->server_name == NULL || x->server_name[0] == '\0'))
		return sec_ctx_fail(x, "server-name", "", "needed to check the server certificate",
		                    ACK_ERR_ARG);
	return 0;
}

void sec_ctx_free(struct sec_ctx *x)
{
	port_close(x->lh);
	x->lh = -1;
	if (x->keylog != NULL)
		fclose(x->keylog);
	x->keylog = NULL;
	port_mutex_free(x->lock);
	x->lock = NULL;
}

int sec_ctx_no_cert(struct sec_ctx *x)
{
	if (x->server || strcmp(x->crt, "none") != 0)
		return 0;
	snprintf(x->own_key, sizeof(x->own_key), "none");
	return 1; /* a client without certificate: the server must refuse it */
}

int sec_ctx_keylog(struct sec_ctx *x, const char *path)
{
	if (path == NULL)
		return 0;
	x->keylog = fopen(path, "a");
	if (x->keylog == NULL)
		return sec_ctx_fail(x, "keylog", path, "cannot open for writing", ACK_ERR_ARG);
	setvbuf(x->keylog, NULL, _IONBF, 0); /* no copies of secrets in stdio buffers */
	fprintf(stderr,
	        "%s: warning: --keylog: writing TLS secrets to '%s': anyone with this file can "
	        "decrypt the captured traffic; the file writes also add to handshake times\n",
	        x->prog, path);
	return 0;
}

void sec_describe(const struct sec_names *n, const struct sec_io *io, char *buf, size_t len)
{
	const struct sec_ctx *x = n->ctx;
	uint16_t gid = sec_io_group(io);
	const char *group = tls_group_name(gid);
	const char *key = !x->server && n->peer_key[0] != '\0' ? n->peer_key : x->own_key;
	char gbuf[16];

	if (group == NULL) {
		snprintf(gbuf, sizeof(gbuf), gid ? "group-0x%04x" : "no-group", (unsigned)gid);
		group = gbuf;
	}
	snprintf(buf, len, "%s %s %s %s%s%s%s%s%s", n->version, n->suite, group, key,
	         sec_io_hrr(io) ? " (after HelloRetryRequest)" : "",
	         x->pinned_suite || x->pinned_group ? " (pinned by default: " : "",
	         x->pinned_suite ? "AES-128-GCM" : "",
	         x->pinned_suite && x->pinned_group ? ", " : "",
	         x->pinned_group   ? "secp256r1)"
	         : x->pinned_suite ? ")"
	                           : "");
}

void sec_info(const struct sec_io *io, uint32_t retrans, struct tp_info *out)
{
	memset(out, 0, sizeof(*out));
	out->hs_tx_bytes = io->hs_tx;
	out->hs_rx_bytes = io->hs_rx;
	out->hs_retrans = retrans;
	out->resumed = sec_io_resumed(io);
	out->cookie_ns = io->cookie_ns;
}
