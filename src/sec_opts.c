/* sec_opts.c - see sec_opts.h. */
#include "sec_opts.h"

#include <stdio.h>
#include <string.h>

#include "port.h"

#define ONLY_STREAM 1
#define ONLY_DGRAM  2
#define N_OPTS      24

static struct tp_conf g_val; /* what the command line gave */

struct sec_opt {
	unsigned only; /* 0: both kinds */
	struct opt o;
};

static const struct sec_opt all[N_OPTS] = {
	{ 0,
	  { "ca", 0, OPT_STR, &g_val.ca_file, 0, 0, "FILE",
	    "trusted CA, PEM (./certs/ca.crt; 'make certs' makes them)" } },
	{ 0,
	  { "cert", 0, OPT_STR, &g_val.cert_file, 0, 0, "FILE",
	    "own certificate (./certs/client.crt or ./certs/server.crt); client: 'none' sends "
	    "none" } },
	{ 0,
	  { "key", 0, OPT_STR, &g_val.key_file, 0, 0, "FILE",
	    "own private key (./certs/client.key or ./certs/server.key)" } },
	{ 0,
	  { "chain", 0, OPT_FLAG, &g_val.chain, 0, 0, NULL,
	    "own certificate issued by an intermediate CA and sent with it: the defaults become "
	    "./certs/chain-client.crt or ./certs/chain-server.crt and their keys" } },
	{ 0,
	  { "server-name", 0, OPT_STR, &g_val.server_name, 0, 0, "NAME",
	    "client: name or IP the server certificate must hold (the --addr value)" } },
	{ ONLY_STREAM,
	  { "tls", 0, OPT_STR, &g_val.tls_version, 0, 0, "1.2|1.3",
	    "pin the version (default: negotiate, 1.3 preferred)" } },
	{ ONLY_DGRAM,
	  { "tls", 0, OPT_STR, &g_val.tls_version, 0, 0, "1.2|1.3",
	    "the DTLS version (1.2); 1.3 on stacks that have it (wolfssl): HelloRetryRequest "
	    "cookie, ACKs" } },
	{ 0,
	  { "ciphersuite", 0, OPT_STR, &g_val.ciphersuite, 0, 0, "LIST",
	    "suite names of this build's TLS stack (docs/stacks.md), comma list; 'any' = library "
	    "default (pinned to AES-128-GCM with ECDHE)" } },
	{ 0,
	  { "groups", 0, OPT_STR, &g_val.groups, 0, 0, "LIST",
	    "key-exchange groups, IANA names, any case, e.g. x25519,secp384r1,X25519MLKEM768 "
	    "(TLS 1.2: also the curves accepted for ECDSA certificates); 'any' = library default "
	    "(pinned to secp256r1)" } },
	{ 0,
	  { "key-shares", 0, OPT_STR, &g_val.key_shares, 0, 0, "LIST",
	    "client: the --groups sent a TLS 1.3 key share (default: the first one only)" } },
	{ 0,
	  { "resume", 0, OPT_FLAG, &g_val.resume, 0, 0, NULL,
	    "client: resume the session (ticket) on every reconnect after the first" } },
	{ ONLY_STREAM,
	  { "early-data", 0, OPT_FLAG, &g_val.early_data, 0, 0, NULL,
	    "TLS 1.3 0-RTT; client (with --resume): send the request as early data on resumed "
	    "connections; server: accept up to 16384 bytes of it (replayable: "
	    "docs/tls-dtls.md)" } },
	{ ONLY_DGRAM,
	  { "cid", 0, OPT_FLAG, &g_val.cid, 0, 0, NULL,
	    "DTLS 1.2 Connection ID (RFC 9146): the server gives the client a 4-byte CID, so a "
	    "client whose address or port changes keeps its session (mbedtls, wolfssl)" } },
	{ ONLY_DGRAM,
	  { "no-cookie", 0, OPT_FLAG, &g_val.no_cookie, 0, 0, NULL,
	    "server: no HelloVerifyRequest (the handshake without the cookie round trip)" } },
	{ ONLY_DGRAM,
	  { "hs-timeout", 0, OPT_PAIR, g_val.hs_timeout, 10, 60000, "MIN,MAX",
	    "handshake retransmission timer, doubling from MIN to MAX ms (500,8000); keep MIN "
	    "above the round trip plus the slower peer's handshake crypto" } },
	{ ONLY_DGRAM,
	  { "mtu", 0, OPT_UINT, &g_val.mtu, 512, 65507, "N",
	    "largest datagram (UDP payload) in bytes (1400: fits a 1500-byte Ethernet MTU under "
	    "IPv6); the largest message is N - 37 with AES-128-GCM (wolfssl: N - 49)" } },
	{ 0,
	  { "keylog", 0, OPT_STR, &g_val.keylog_file, 0, 0, "FILE",
	    "append session secrets in NSS key log format, for Wireshark (off)" } },
	{ 0,
	  { "hs-deadline", 0, OPT_UINT, &g_val.hs_deadline_ms, 1, 3600000, "MS",
	    "drop a peer whose handshake is not over within MS (10000)" } },
	{ 0,
	  { "psk", 0, OPT_STR, &g_val.psk_hex, 0, 0, "HEX",
	    "authenticate with this pre-shared key (1..64 bytes as hex) instead of "
	    "certificates (off)" } },
	{ 0,
	  { "psk-file", 0, OPT_STR, &g_val.psk_file, 0, 0, "FILE",
	    "as --psk, the hex key read from FILE (keeps it out of the process list)" } },
	{ 0,
	  { "psk-identity", 0, OPT_STR, &g_val.psk_identity, 0, 0, "ID",
	    "the key's identity, 1..128 printable characters (ackbench)" } },
	{ 0,
	  { "psk-mode", 0, OPT_STR, &g_val.psk_mode, 0, 0, "psk|psk-dhe",
	    "with a PSK: key exchange by the key alone, or with ECDHE (forward secrecy) "
	    "(psk-dhe)" } },
	{ 0,
	  { "rpk", 0, OPT_STR, &g_val.rpk_file, 0, 0, "FILE",
	    "raw public keys (RFC 7250) instead of certificates: send --key's public key, accept "
	    "only the peer's public key in FILE (PEM) (off; openssl and wolfssl stacks)" } },
	{ 0, { NULL, 0, 0, NULL, 0, 0, NULL, NULL } },
};

const struct opt *sec_opts_table(const struct transport *tp)
{
	static struct opt out[2][N_OPTS];
	struct opt *t = out[tp->datagram != 0];
	unsigned i, n = 0;

	if (t[0].lng != NULL)
		return t;
	for (i = 0; all[i].o.lng != NULL; i++)
		if (all[i].only != (tp->datagram ? ONLY_STREAM : ONLY_DGRAM))
			t[n++] = all[i].o;
	t[n] = all[i].o;
	return t;
}

int sec_opts_merge(const struct transport *tp, struct tp_conf *c)
{
	c->ca_file = g_val.ca_file;
	c->cert_file = g_val.cert_file;
	c->key_file = g_val.key_file;
	c->server_name = g_val.server_name;
	/* DTLS: 1.2 unless --tls 1.3 (no negotiation: existing baselines stay DTLS 1.2; a stack
	 * without DTLS 1.3 refuses it) */
	c->tls_version = tp->datagram && g_val.tls_version == NULL ? "1.2" : g_val.tls_version;
	c->ciphersuite = g_val.ciphersuite;
	c->groups = g_val.groups;
	c->key_shares = g_val.key_shares;
	c->keylog_file = g_val.keylog_file;
	c->resume = g_val.resume;
	c->early_data = g_val.early_data;
	c->chain = g_val.chain;
	c->cid = g_val.cid;
	c->no_cookie = g_val.no_cookie;
	c->hs_deadline_ms = g_val.hs_deadline_ms;
	c->psk_hex = g_val.psk_hex;
	c->psk_file = g_val.psk_file;
	c->psk_identity = g_val.psk_identity;
	c->psk_mode = g_val.psk_mode;
	c->rpk_file = g_val.rpk_file;
	if (g_val.hs_timeout[1] != 0) {
		c->hs_timeout[0] = g_val.hs_timeout[0];
		c->hs_timeout[1] = g_val.hs_timeout[1];
	}
	if (g_val.mtu != 0)
		c->mtu = g_val.mtu;
	/* Normally refused already by opts_parse (opts_side: help text "client: ..."). */
	if (c->server && (c->resume || c->server_name != NULL || c->key_shares != NULL)) {
		fprintf(stderr, "%s: --%s is a client option\n", c->prog,
		        c->resume                ? "resume"
		        : c->server_name != NULL ? "server-name"
		                                 : "key-shares");
		return ACK_ERR_ARG;
	}
	if (c->early_data && !c->server && !c->resume) {
		fprintf(stderr,
		        "%s: --early-data needs --resume (early data rides on a resumed "
		        "session)\n",
		        c->prog);
		return ACK_ERR_ARG;
	}
	if (c->early_data && c->tls_version != NULL && strcmp(c->tls_version, "1.3") != 0) {
		fprintf(stderr, "%s: --early-data: TLS 1.3 only, not with --tls %s\n", c->prog,
		        c->tls_version);
		return ACK_ERR_ARG;
	}
	if (!c->server && c->no_cookie) {
		fprintf(stderr, "%s: --no-cookie is a server option\n", c->prog);
		return ACK_ERR_ARG;
	}
	return 0;
}

const char *sec_opts_auth(const struct tp_conf *c)
{
	if (c->rpk_file != NULL)
		return "rpk";
	if (c->psk_hex == NULL && c->psk_file == NULL)
		return "cert";
	return c->psk_mode != NULL ? c->psk_mode : "psk-dhe";
}

int sec_opts_refuse(const struct tp_conf *c, const char *stack, const char *opt, const char *why)
{
	fprintf(stderr, "%s: --%s: not supported by the %s stack (%s)\n", c->prog, opt, stack, why);
	return ACK_ERR_ARG;
}
