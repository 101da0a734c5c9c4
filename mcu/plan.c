/* plan.c - see plan.h. */
#include "plan.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "creds.h"
#include "mem.h"

#define FIRST_MSG 64 /* the exchange phase: one 64-byte request and its reply */

/* The negative case's name: a client with a certificate of another CA, or (PSK build)
 * with another key. */
#if defined(TLS_PSK_ONLY)
#define NEG_CLIENT "wrong-key-client"
#else
#define NEG_CLIENT "rogue-client"
#endif

/* The benchmark's own memory (kept out of .bss, see ports/mps2/sections.ld). */
__attribute__((section(".noinit"), aligned(8))) static uint32_t g_stack[2][SIDE_STACK_BYTES / 4];
__attribute__((section(".noinit"))) static uint8_t g_pipe[2][LINK_CAP];
__attribute__((section(".noinit"))) static uint8_t g_msg[2][HS_MSG_MAX];

struct run {
	struct tls_env *env;
	struct side side[2];
	const char *key;
	enum hs_proto proto;
	enum tls_group group;
	struct tls_conf conf[2]; /* client, server */
	struct tls_sess session; /* the client's, for resumption */
	int have_session;
	struct plan_tally *t;
};

/* The group column: the group asked for, "none" for a key exchange without one (PSK). */
static const char *group_name(const struct run *ru)
{
#if defined(TLS_PSK_ONLY)
	if (strcmp(ru->key, "psk") == 0)
		return "none";
#endif
	return hs_group_name[ru->group];
}

static void print_hs(const struct run *ru, const char *kind, unsigned i, const struct hs_result *r,
                     int ok)
{
	static const char *const side[2] = { "client", "server" };
	int s;

	for (s = 0; s < 2; s++)
		printf("hs key=%s proto=%s group=%s kind=%s i=%u side=%s ok=%d resumed=%d "
		       "cookie=%d "
		       "hs_instr=%" PRIu64 " xchg_instr=%" PRIu64 " close_instr=%" PRIu64
		       " heap_peak=%lu stack_peak=%lu hs_bytes_out=%" PRIu64 " hs_bytes_in=%" PRIu64
		       " hs_writes_out=%" PRIu64 " verify=0x%" PRIx32
		       " err=-0x%04x suite=%s kex=%s\n",
		       ru->key, hs_proto_name[ru->proto], group_name(ru), kind, i, side[s], ok,
		       r->resumed, r->hvr, r->instr[s][PH_HS], r->instr[s][PH_XCHG],
		       r->instr[s][PH_CLOSE], (unsigned long)r->heap_peak[s],
		       (unsigned long)r->stack_peak[s], r->hs_bytes[s], r->hs_bytes[1 - s],
		       r->hs_writes[s], r->verify[s], (unsigned)-r->err[s],
		       r->suite[s][0] ? r->suite[s] : "-", ok ? hs_kex(r, ru->proto, s) : "-");
}

/* One connection: handshake, the first exchange, close. With records, the record cost of
 * every size is measured over it before the close. Returns 1 when it did what was asked. */
static int connect_once(struct run *ru, const struct tls_conf *ccf, const struct tls_conf *scf,
                        int resume, struct hs_result *r, const struct plan *records)
{
	struct hs_conn c;
	uint64_t x[2] = { 0, 0 };
	int rc, s;

	hs_conn_init(&c, ru->proto, &ru->side[CLI], &ru->side[SRV], ccf, scf, g_pipe[0], g_pipe[1],
	             g_msg[0], g_msg[1], &ru->session);
	c.ep[CLI].have_session = resume && ru->have_session;
	rc = hs_conn_handshake(&c, r);
	if (rc == 0)
		rc = hs_conn_exchange(&c, FIRST_MSG, x);
	if (rc != 0) {
		r->err[CLI] = r->err[CLI] ? r->err[CLI] : rc;
		hs_conn_abort(&c, r);
		ru->have_session = 0;
		return 0;
	}
	for (s = 0; s < 2; s++)
		r->instr[s][PH_XCHG] = x[s];
	for (unsigned k = 0; records != NULL && k < records->nsizes; k++) {
		uint64_t in[2] = { 0, 0 }, b0[2] = { c.c2s.bytes, c.s2c.bytes };
		size_t size = records->sizes[k];
		unsigned j;
		for (j = 0, rc = 0; j < records->reps && rc == 0; j++)
			rc = hs_conn_exchange(&c, size, in);
		ru->t->records++;
		if (rc != 0) {
			ru->t->record_failed++;
			printf("rec key=%s proto=%s group=%s size=%lu ok=0 err=-0x%04x\n", ru->key,
			       hs_proto_name[ru->proto], group_name(ru), (unsigned long)size,
			       (unsigned)-rc);
			break;
		}
		for (s = 0; s < 2; s++)
			printf("rec key=%s proto=%s group=%s size=%lu n=%u side=%s ok=1 "
			       "instr_per_msg=%" PRIu64 " bytes_out_per_msg=%" PRIu64 "\n",
			       ru->key, hs_proto_name[ru->proto], group_name(ru),
			       (unsigned long)size, records->reps, s == CLI ? "client" : "server",
			       in[s] / records->reps,
			       ((s == CLI ? c.c2s.bytes : c.s2c.bytes) - b0[s]) / records->reps);
	}
	rc = hs_conn_close(&c, r) || rc;
	ru->have_session = c.ep[CLI].have_session;
#if defined(TLS_PSK_ONLY)
	/* TLS 1.3: the server must have taken the key (pre_shared_key in its ServerHello). */
	if (ru->proto == HS_TLS13 && !r->psk_ext)
		return 0;
#endif
	return rc == 0 && r->verify[CLI] == 0 && r->verify[SRV] == 0 && r->resumed == resume &&
	       (ru->proto != HS_DTLS12 || r->hvr);
}

static void handshakes(struct run *ru, const struct plan *p, int resume)
{
	struct hs_result r;
	unsigned i;
	int ok;

	for (i = 0; i < p->n; i++) {
		ok = connect_once(ru, &ru->conf[CLI], &ru->conf[SRV], resume, &r, NULL);
		ru->t->handshakes++;
		ru->t->failed += !ok;
		print_hs(ru, resume ? "resumed" : "full", i, &r, ok);
	}
}

/* A peer with a certificate from another CA: the other side must refuse it, in the
 * handshake, with a verification failure. */
static void negative(struct run *ru, struct tls_cred *rogue, int rogue_server)
{
	struct tls_conf bad;
	struct hs_result r;
	int refuser = rogue_server ? CLI : SRV, ok, rc;

	rc = tls_conf_init(&bad, ru->env, ru->proto, ru->group, rogue_server, rogue);
	memset(&r, 0, sizeof(r));
	ok = rc == 0 && !connect_once(ru, rogue_server ? &ru->conf[CLI] : &bad,
	                              rogue_server ? &bad : &ru->conf[SRV], 0, &r, NULL);
#if defined(TLS_PSK_ONLY)
	/* Another key: whoever checks the other's proof first refuses, the server in every
	 * protocol (the client's Finished in 1.2, its PSK binder in 1.3). */
	refuser = SRV;
	ok = ok && tls_refused_wrong_key(r.err[SRV]);
#else
	ok = ok && tls_refused_untrusted(r.err[refuser], r.verify[refuser]);
#endif
	tls_conf_free(&bad);
	ru->t->negatives++;
	ru->t->refused += ok;
	printf("neg key=%s proto=%s group=%s case=%s refused=%d by=%s client_err=-0x%04x "
	       "server_err=-0x%04x verify=0x%" PRIx32 "\n",
	       ru->key, hs_proto_name[ru->proto], group_name(ru),
	       rogue_server ? "rogue-server" : NEG_CLIENT, ok, refuser == CLI ? "client" : "server",
	       (unsigned)-r.err[CLI], (unsigned)-r.err[SRV], r.verify[refuser]);
}

static int load(struct tls_cred *c, struct tls_env *env, const char *ca, const char *crt,
                const char *key, const char *what, const char *type)
{
	int r = tls_cred_load(c, env, ca, crt, key);

	if (r != 0)
		printf("error key=%s %s: credentials do not parse: -0x%04x\n", type, what,
		       (unsigned)-r);
	return r;
}

/* One protocol and group: full and resumed handshakes; on the protocol's first group also
 * the record cost and the rogue peers. 0, or -1 when a config could not be set up. */
static int run_group(struct run *ru, const struct plan *p, struct tls_cred cred[4], int first)
{
	struct plan_tally *t = ru->t;
	int rc;

	if ((rc = tls_conf_init(&ru->conf[CLI], ru->env, ru->proto, ru->group, 0, &cred[0])) != 0 ||
	    (rc = tls_conf_init(&ru->conf[SRV], ru->env, ru->proto, ru->group, 1, &cred[1])) != 0) {
		printf("error key=%s proto=%s group=%s: config: -0x%04x\n", ru->key,
		       hs_proto_name[ru->proto], group_name(ru), (unsigned)-rc);
		return -1;
	}
	tls_sess_init(&ru->session);
	ru->have_session = 0;
	printf("baseline key=%s proto=%s group=%s heap=%lu\n", ru->key, hs_proto_name[ru->proto],
	       group_name(ru), (unsigned long)mem_current());
	handshakes(ru, p, 0);
#if !defined(TLS_PSK_ONLY) /* the PSK build has no tickets: every handshake is by the key */
	handshakes(ru, p, 1);
#endif
	if (first && p->nsizes > 0) {
		struct hs_result r;
		t->handshakes++;
		if (!connect_once(ru, &ru->conf[CLI], &ru->conf[SRV], 0, &r, p)) {
			t->failed++;
			print_hs(ru, "records", 0, &r, 0);
		}
	}
	if (first && p->negatives) {
		negative(ru, &cred[2], 0);
#if !defined(TLS_PSK_ONLY) /* with one shared key, a rogue server is the same mismatch */
		negative(ru, &cred[3], 1);
#endif
	}
	tls_sess_free(&ru->session);
	tls_conf_free(&ru->conf[CLI]);
	tls_conf_free(&ru->conf[SRV]);
	return 0;
}

int plan_run(const struct plan *p, struct tls_env *env, struct plan_tally *t)
{
	struct tls_cred cred[4]; /* client, server, rogue client, rogue server */
	struct run ru;
	unsigned k, groups;
	int pr, g, rc = 0, i;

	memset(&ru, 0, sizeof(ru));
	ru.env = env;
	ru.t = t;
	side_init(&ru.side[CLI], "client", g_stack[CLI]);
	side_init(&ru.side[SRV], "server", g_stack[SRV]);
	if ((rc = floor_sym(env)) != 0) {
		printf("error: symmetric crypto floor: -0x%04x\n", (unsigned)-rc);
		return -1;
	}
	for (k = 0; k < mcu_cred_count; k++) {
		const struct mcu_cred_set *cs = &mcu_cred_sets[k];
		if (!(p->keys & (1u << k)))
			continue;
		ru.key = cs->type;
		if (load(&cred[0], env, cs->ca, cs->client_crt, cs->client_key, "client",
		         cs->type) ||
		    load(&cred[1], env, cs->ca, cs->server_crt, cs->server_key, "server",
		         cs->type) ||
		    load(&cred[2], env, cs->ca, cs->rogue_client_crt, cs->rogue_client_key,
		         "rogue client", cs->type) ||
		    load(&cred[3], env, cs->ca, cs->rogue_server_crt, cs->rogue_server_key,
		         "rogue server", cs->type))
			return -1;
#if !defined(TLS_PSK_ONLY)
		if ((rc = floor_pk(cs->type, &cred[1], env)) != 0) {
			printf("error key=%s: crypto floor: -0x%04x\n", cs->type, (unsigned)-rc);
			return -1;
		}
#endif
		for (pr = 0; pr < HS_NPROTO; pr++) {
			if (!(p->protos & (1u << pr)))
				continue;
			ru.proto = (enum hs_proto)pr;
			groups = tls_groups(ru.proto) & (p->groups != 0 ? p->groups : ~0u);
			for (g = 0; g < GR_N; g++) {
				if (!(groups & (1u << g)))
					continue;
				ru.group = (enum tls_group)g;
				if (run_group(&ru, p, cred, (groups & ((1u << g) - 1)) == 0) != 0)
					return -1;
			}
		}
		for (i = 0; i < 4; i++)
			tls_cred_free(&cred[i]);
	}
	return t->failed || t->record_failed || t->refused != t->negatives ? -1 : 0;
}
