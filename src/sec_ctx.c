/* sec_ctx.c - see sec_ctx.h. */
#include "sec_ctx.h"

#include <string.h>

#include "loglimit.h"
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

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The key's hex digits (surrounding white space ignored) into x->psk; the lines never
 * show the key. */
static int psk_parse(struct sec_ctx *x, const char *opt, const char *hex, size_t n)
{
	size_t i;

	while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == '\r' || hex[n - 1] == ' '))
		n--;
	while (n > 0 && (*hex == ' ' || *hex == '\t')) {
		hex++;
		n--;
	}
	if (n == 0)
		return sec_ctx_fail(x, opt, "", "the key is empty", ACK_ERR_ARG);
	if (n % 2 != 0 || n / 2 > SEC_PSK_MAX) {
		fprintf(stderr,
		        "%s: --%s: the key must be 1..%d bytes as an even number of hex "
		        "digits (%zu digits given)\n",
		        x->prog, opt, SEC_PSK_MAX, n);
		return ACK_ERR_ARG;
	}
	for (i = 0; i < n; i += 2) {
		int hi = hexval((unsigned char)hex[i]), lo = hexval((unsigned char)hex[i + 1]);

		if (hi < 0 || lo < 0) {
			fprintf(stderr,
			        "%s: --%s: the key is not hex (a character other than "
			        "0-9, a-f at digit %zu)\n",
			        x->prog, opt, i + (hi >= 0) + 1);
			return ACK_ERR_ARG;
		}
		x->psk[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	x->psk_len = n / 2;
	return 0;
}

static int psk_file(struct sec_ctx *x, const char *path)
{
	char buf[2 * SEC_PSK_MAX + 8];
	size_t n;
	int r;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return sec_ctx_fail(x, "psk-file", path, "cannot open", ACK_ERR_ARG);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n == sizeof(buf)) {
		memset(buf, 0, sizeof(buf));
		return sec_ctx_fail(x, "psk-file", path, "longer than a 64-byte key in hex",
		                    ACK_ERR_ARG);
	}
	r = psk_parse(x, "psk-file", buf, n);
	memset(buf, 0, sizeof(buf));
	return r;
}

static int psk_init(struct sec_ctx *x, const struct tp_conf *c)
{
	const char *id = c->psk_identity ? c->psk_identity : "ackbench";
	size_t i, n = strlen(id);
	int r;

	if (c->psk_hex == NULL && c->psk_file == NULL) {
		if (c->psk_identity != NULL || c->psk_mode != NULL)
			return sec_ctx_fail(x, c->psk_identity ? "psk-identity" : "psk-mode",
			                    c->psk_identity ? c->psk_identity : c->psk_mode,
			                    "needs --psk or --psk-file", ACK_ERR_ARG);
		return 0;
	}
	if (c->psk_hex != NULL && c->psk_file != NULL)
		return sec_ctx_fail(x, "psk-file", c->psk_file,
		                    "give --psk or --psk-file, not both", ACK_ERR_ARG);
	if (c->psk_mode == NULL || strcmp(c->psk_mode, "psk-dhe") == 0)
		x->auth = SEC_AUTH_PSK_DHE;
	else if (strcmp(c->psk_mode, "psk") == 0)
		x->auth = SEC_AUTH_PSK;
	else
		return sec_ctx_fail(x, "psk-mode", c->psk_mode, "want psk or psk-dhe", ACK_ERR_ARG);
	if (n == 0 || n > SEC_PSK_ID_MAX)
		return sec_ctx_fail(x, "psk-identity", n ? "..." : "",
		                    "want 1..128 printable characters", ACK_ERR_ARG);
	for (i = 0; i < n; i++)
		if ((unsigned char)id[i] < 0x21 || (unsigned char)id[i] > 0x7e)
			return sec_ctx_fail(x, "psk-identity", id,
			                    "want printable characters without spaces",
			                    ACK_ERR_ARG);
	x->psk_id = id;
	/* DTLS 1.3's wire (dtls_sniff) does not show the ClientHello's identities, so a
	 * resumption could not be told from a full PSK handshake */
	if (c->resume && x->datagram && c->tls_version != NULL &&
	    strcmp(c->tls_version, "1.3") == 0) {
		fprintf(stderr,
		        "%s: --resume with --psk on DTLS 1.3: not built (its wire does not tell a "
		        "resumed handshake from a full one)\n",
		        x->prog);
		return ACK_ERR_ARG;
	}
	r = c->psk_hex ? psk_parse(x, "psk", c->psk_hex, strlen(c->psk_hex))
	               : psk_file(x, c->psk_file);
	if (r == 0)
		snprintf(x->own_key, sizeof(x->own_key), "%s", sec_auth_name(x->auth));
	return r;
}

const char *sec_auth_name(enum sec_auth a)
{
	return a == SEC_AUTH_PSK ? "psk" : a == SEC_AUTH_PSK_DHE ? "psk-dhe" : "cert";
}

enum sec_auth sec_auth_negotiated(const struct sec_ctx *x, const struct sec_io *io)
{
	/* A PSK configuration offers PSK suites and modes only: the handshake was by the key,
	 * with an ephemeral key exchange when the wire showed a group. */
	if (x->auth == SEC_AUTH_CERT)
		return SEC_AUTH_CERT;
	/* a (D)TLS 1.2 resumption has no key exchange: the session's suite is the mode's */
	if (sec_resumed(x, io) && (io->datagram || io->sniff.version != 0x0304))
		return x->auth;
	return sec_io_group(io) != 0 ? SEC_AUTH_PSK_DHE : SEC_AUTH_PSK;
}

void sec_psk_id_text(const unsigned char *id, size_t len, char *buf, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < len && n + 5 < cap && i < 64; i++)
		if (id[i] >= 0x21 && id[i] <= 0x7e)
			buf[n++] = (char)id[i];
		else
			n += (size_t)snprintf(buf + n, cap - n, "\\x%02x", id[i]);
	if (i < len && n + 4 < cap)
		n += (size_t)snprintf(buf + n, cap - n, "...");
	buf[n < cap ? n : cap - 1] = '\0';
}

int sec_psk_known(const struct sec_ctx *x, const void *id, size_t len)
{
	char text[300];

	if (len == strlen(x->psk_id) && memcmp(id, x->psk_id, len) == 0)
		return 1;
	sec_psk_id_text(id, len, text, sizeof(text));
	loglimit_printf(LOGLIMIT_REFUSED, "%s: unknown PSK identity '%s' (ours: '%s'): refused\n",
	                x->prog, text, x->psk_id);
	return 0;
}

unsigned int sec_psk_give(const struct sec_ctx *x, char *id, unsigned int id_max,
                          unsigned char *psk, unsigned int psk_max)
{
	size_t n = strlen(x->psk_id);

	if (n + 1 > id_max || x->psk_len > psk_max)
		return 0; /* no PSK: the handshake fails */
	memcpy(id, x->psk_id, n + 1);
	memcpy(psk, x->psk, x->psk_len);
	return (unsigned int)x->psk_len;
}

unsigned int sec_psk_take(const struct sec_ctx *x, const char *id, unsigned char *psk,
                          unsigned int psk_max, int *unknown)
{
	if (!sec_psk_known(x, id, strlen(id))) {
		if (unknown != NULL)
			*unknown = 1;
		return 0;
	}
	if (x->psk_len > psk_max)
		return 0;
	memcpy(psk, x->psk, x->psk_len);
	return (unsigned int)x->psk_len;
}

void sec_psk_hint(const struct sec_ctx *x, const char *peer)
{
	if (!x->server || x->auth == SEC_AUTH_CERT)
		return;
	loglimit_printf(
	        LOGLIMIT_REFUSED,
	        "%s: %s: PSK handshake failed: the client's key for identity '%s' differs from "
	        "ours, or it offered no %s mode\n",
	        x->prog, peer, x->psk_id, sec_auth_name(x->auth));
}

int sec_ctx_init(struct sec_ctx *x, const struct tp_conf *c, int datagram)
{
	x->lh = -1;
	x->prog = c->prog ? c->prog : "ackbench";
	x->server = c->server;
	x->datagram = datagram;
	x->resume = c->resume;
	x->early_data = c->early_data && !datagram;
	x->cid = c->cid && datagram;
	x->pinned_suite = c->ciphersuite == NULL;
	x->pinned_group = c->groups == NULL;
	x->hs_deadline_ms = c->hs_deadline_ms ? c->hs_deadline_ms : SEC_HS_DEADLINE_MS;
	x->ca = c->ca_file ? c->ca_file : "certs/ca.crt";
	x->crt = c->cert_file ? c->cert_file
	         : c->chain   ? x->server ? "certs/chain-server.crt" : "certs/chain-client.crt"
	         : x->server  ? "certs/server.crt"
	                      : "certs/client.crt";
	x->key = c->key_file ? c->key_file
	         : c->chain  ? x->server ? "certs/chain-server.key" : "certs/chain-client.key"
	         : x->server ? "certs/server.key"
	                     : "certs/client.key";
	if (c->conns > 1 && (x->lock = port_mutex_new()) == NULL)
		return ACK_ERR_NOMEM;
	x->server_name = c->server_name ? c->server_name : c->addr;
	if (psk_init(x, c) != 0)
		return ACK_ERR_ARG;
	x->rpk = c->rpk_file;
	if (x->rpk != NULL && x->auth != SEC_AUTH_CERT)
		return sec_ctx_fail(x, "rpk", x->rpk, "give --rpk or --psk, not both", ACK_ERR_ARG);
	if (c->chain && (x->rpk != NULL || x->auth != SEC_AUTH_CERT)) {
		fprintf(stderr, "%s: --chain: certificates only, not with --psk or --rpk\n",
		        x->prog);
		return ACK_ERR_ARG;
	}
	if (x->auth != SEC_AUTH_CERT)
		x->pinned_suite = 0; /* the PSK suites are the stack's choice (docs/tls-dtls.md) */
	if (!x->server && x->auth == SEC_AUTH_CERT && x->rpk == NULL &&
	    (x->server_name == NULL || x->server_name[0] == '\0'))
		return sec_ctx_fail(x, "server-name", "", "needed to check the server certificate",
		                    ACK_ERR_ARG);
	return 0;
}

void sec_ctx_free(struct sec_ctx *x)
{
	volatile unsigned char *k = x->psk;
	size_t i;

	for (i = 0; i < sizeof(x->psk); i++)
		k[i] = 0;
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

/* The negotiated Connection ID as hex ("" none). */
static void cid_hex(const struct sec_io *io, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < io->cid_len && 2 * i + 2 < len; i++)
		snprintf(buf + 2 * i, len - 2 * i, "%02x", io->cid[i]);
}

void sec_describe(const struct sec_names *n, const struct sec_io *io, char *buf, size_t len)
{
	const struct sec_ctx *x = n->ctx;
	uint16_t gid = sec_io_group(io);
	const char *group = tls_group_name(gid);
	const char *key = x->auth != SEC_AUTH_CERT ? sec_auth_name(sec_auth_negotiated(x, io))
	                  : !x->server && n->peer_key[0] != '\0' ? n->peer_key
	                                                         : x->own_key;
	/* the group pin only where a group was used: not in psk mode, nor in a TLS 1.2
	 * resumption (no key exchange at all) */
	int pin_group = x->pinned_group && gid != 0;
	char cid[2 * SEC_CID_MAX + 1];
	size_t used;
	char gbuf[16];

	if (group == NULL) {
		snprintf(gbuf, sizeof(gbuf), gid ? "group-0x%04x" : "no-group", (unsigned)gid);
		group = gbuf;
	}
	snprintf(buf, len, "%s %s %s %s%s%s%s%s%s", n->version, n->suite, group, key,
	         sec_io_hrr(io) ? " (after HelloRetryRequest)" : "",
	         x->pinned_suite || pin_group ? " (pinned by default: " : "",
	         x->pinned_suite ? "AES-128-GCM" : "", x->pinned_suite && pin_group ? ", " : "",
	         pin_group         ? "secp256r1)"
	         : x->pinned_suite ? ")"
	                           : "");
	cid_hex(io, cid, sizeof(cid));
	used = strlen(buf);
	if (x->cid && used < len) /* --cid: what came of it, for the far side to compare */
		snprintf(buf + used, len - used, " cid=%s", cid[0] != '\0' ? cid : "none");
}

int sec_resumed(const struct sec_ctx *x, const struct sec_io *io)
{
	if (!sec_io_resumed(io))
		return 0;
	if (x->auth == SEC_AUTH_CERT || io->datagram || io->sniff.version != 0x0304)
		return 1; /* a ticket's PSK (1.3), an abbreviated handshake (1.2) */
	/* TLS 1.3 with --psk: the server took a PSK, ours (a full PSK handshake) or a
	 * ticket's; the ClientHello's identity at the index it took says which */
	return tls_pskid_is(&io->pskid, io->sniff.psk_sel, x->psk_id) == 0;
}

void sec_info(const struct sec_ctx *x, const struct sec_io *io, uint32_t retrans,
              struct tp_info *out)
{
	memset(out, 0, sizeof(*out));
	out->hs_tx_bytes = io->hs_tx;
	out->hs_rx_bytes = io->hs_rx;
	out->hs_retrans = retrans;
	out->resumed = sec_resumed(x, io);
	out->auth = x->rpk != NULL ? "rpk" : sec_auth_name(sec_auth_negotiated(x, io));
	out->cookie_ns = io->cookie_ns;
	out->early = io->early;
	out->early_bytes = io->early_bytes;
	cid_hex(io, out->cid, sizeof(out->cid));
}
