/* sec_groups.c - see sec_groups.h. */
#include "sec_groups.h"

#include <stdio.h>
#include <string.h>

#include "port.h"
#include "tls_sniff.h"

#define KNOWN                                                                           \
	"known: secp256r1, secp384r1, secp521r1, x25519, x448, brainpoolP256r1.., "     \
	"ffdhe2048..ffdhe8192, X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024, " \
	"MLKEM512, MLKEM768, MLKEM1024"

int sec_group_is_mlkem(uint16_t id)
{
	return (id >= 0x0200 && id <= 0x0202) || (id >= 0x11EB && id <= 0x11ED);
}

static int bad(const struct tp_conf *c, const char *opt, const char *val, size_t len,
               const char *why)
{
	fprintf(stderr, "%s: --%s: '%.*s': %s\n", c->prog, opt, (int)len, val, why);
	return ACK_ERR_ARG;
}

/* Parses the comma list s into ids (at most SEC_MAX_GROUPS). */
static int parse_list(const struct tp_conf *c, const char *opt, const char *s, uint16_t *ids,
                      size_t *n)
{
	const char *p = s;

	*n = 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		uint16_t id = tls_group_id(p, len);
		size_t i;

		if (len == 0)
			return bad(c, opt, s, strlen(s), "not a comma list of group names");
		if (id == 0)
			return bad(c, opt, p, len, "unknown group (" KNOWN ")");
		for (i = 0; i < *n; i++)
			if (ids[i] == id)
				return bad(c, opt, p, len, "named twice");
		if (*n == SEC_MAX_GROUPS)
			return bad(c, opt, s, strlen(s), "too many groups");
		ids[(*n)++] = id;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

int sec_groups_parse(struct sec_groups *g, const struct tp_conf *c, const char *stack,
                     sec_group_lacks_fn lacks)
{
	size_t i, j;
	int r;

	memset(g, 0, sizeof(*g));
	if (c->groups != NULL && strcmp(c->groups, "any") == 0) {
		g->any = 1;
		if (c->key_shares != NULL)
			return bad(c, "key-shares", c->key_shares, strlen(c->key_shares),
			           "needs a --groups list (not 'any')");
		return 0;
	}
	if (c->groups == NULL) {
		g->id[g->n++] = SEC_DEFAULT_GROUP;
	} else if ((r = parse_list(c, "groups", c->groups, g->id, &g->n)) != 0) {
		return r;
	}
	for (i = 0; lacks != NULL && i < g->n; i++) {
		const char *why = lacks(g->id[i]);

		if (why != NULL) {
			fprintf(stderr, "%s: --groups: %s: not supported by the %s stack (%s)\n",
			        c->prog, tls_group_name(g->id[i]), stack, why);
			return ACK_ERR_ARG;
		}
	}
	for (i = 0; c->tls_version != NULL && strcmp(c->tls_version, "1.2") == 0 && i < g->n; i++)
		if (sec_group_is_mlkem(g->id[i])) {
			fprintf(stderr, "%s: --groups: %s: a TLS 1.3 key exchange, but %s 1.2\n",
			        c->prog, tls_group_name(g->id[i]),
			        strstr(c->prog, "dtls") ? "DTLS" : "TLS");
			return ACK_ERR_ARG;
		}
	if (c->key_shares == NULL) {
		g->share[g->nshare++] = g->id[0];
		return 0;
	}
	if ((r = parse_list(c, "key-shares", c->key_shares, g->share, &g->nshare)) != 0)
		return r;
	for (i = 0; i < g->nshare; i++) {
		for (j = 0; j < g->n && g->id[j] != g->share[i]; j++)
			;
		if (j == g->n) {
			const char *name = tls_group_name(g->share[i]);

			return bad(c, "key-shares", name, strlen(name), "not in --groups");
		}
	}
	return 0;
}
