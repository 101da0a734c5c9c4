/*
 * main.c - ackbench-mcu: the bare-metal image. Client and server of the TLS stack it is
 * built with (Mbed TLS or wolfSSL, mcu/tls.h) run inside it over an in-memory link, each side's
 * cost measured apart (see plan.h). Options come on the semihosting command line (scripts/mcu.sh
 * passes them); results go to the semihosting console; the exit status is QEMU's: 0 all passed, 1 a
 * check failed, 2 bad options.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "creds.h"
#include "hs.h"
#include "mem.h"
#include "mps2.h"
#include "msg.h"
#include "plan.h"
#include "port.h"

#define PROG "ackbench-mcu"

static void usage(void)
{
	printf("usage: " PROG " [-n N] [-r R] [-s SIZES] [-p PROTOS] [-g GROUPS] [-k KEYS] [-x]\n"
	       "  -n N       handshakes of each kind (full, resumed) per protocol and key "
	       "(1..1000, 5)\n"
	       "  -r R       messages per size for the record cost (1..10000, 20)\n"
	       "  -s SIZES   comma list of message sizes, %d..%d bytes (64,256,1024,4096; 0 = "
	       "none)\n"
	       "  -p PROTOS  comma list of tls1.2,tls1.3,dtls1.2 (all)\n"
	       "  -g GROUPS  comma list of secp256r1,x25519,x25519mlkem768,mlkem768 (all the "
	       "stack offers)\n"
	       "  -k KEYS    comma list of compiled-in key types (all)\n"
	       "  -x         skip the rogue-certificate cases\n",
	       MSG_HDR_LEN, HS_MSG_MAX);
}

static int num(const char *opt, const char *s, unsigned long lo, unsigned long hi,
               unsigned long *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *s == '-' || *end != '\0' || v < lo || v > hi) {
		printf(PROG ": %s: '%s' is not a number in %lu..%lu\n", opt, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

/* A comma list of names, each looked up in names[0..n): sets their bits. */
static int names(const char *opt, char *s, const char *const *tab, unsigned n, unsigned *bits)
{
	char *tok, *save = NULL;
	unsigned i;

	*bits = 0;
	for (tok = strtok_r(s, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < n && strcmp(tok, tab[i]) != 0; i++)
			;
		if (i == n) {
			printf(PROG ": %s: unknown '%s'\n", opt, tok);
			return -1;
		}
		*bits |= 1u << i;
	}
	return *bits != 0 ? 0 : -1;
}

static int parse(int argc, char **argv, struct plan *p)
{
	const char *keys[8];
	unsigned long v;
	unsigned i, nkeys;
	char *tok, *save = NULL;
	int a;

	for (nkeys = 0; nkeys < mcu_cred_count && nkeys < 8; nkeys++)
		keys[nkeys] = mcu_cred_sets[nkeys].type;
	for (a = 1; a < argc; a++) {
		const char *o = argv[a];
		char *arg = a + 1 < argc ? argv[a + 1] : NULL;
		if (strcmp(o, "-x") == 0) {
			p->negatives = 0;
			continue;
		}
		if (strcmp(o, "-h") == 0 || arg == NULL || strlen(o) != 2) {
			usage();
			return -1;
		}
		a++;
		switch (o[1]) {
		case 'n':
			if (num("-n", arg, 1, 1000, &v))
				return -1;
			p->n = (unsigned)v;
			break;
		case 'r':
			if (num("-r", arg, 1, 10000, &v))
				return -1;
			p->reps = (unsigned)v;
			break;
		case 's':
			p->nsizes = 0;
			if (strcmp(arg, "0") == 0)
				break;
			for (tok = strtok_r(arg, ",", &save); tok != NULL;
			     tok = strtok_r(NULL, ",", &save)) {
				if (p->nsizes == PLAN_MAX_SIZES) {
					printf(PROG ": -s: at most %d sizes\n", PLAN_MAX_SIZES);
					return -1;
				}
				if (num("-s", tok, MSG_HDR_LEN, HS_MSG_MAX, &v))
					return -1;
				p->sizes[p->nsizes++] = (size_t)v;
			}
			break;
		case 'p':
			if (names("-p", arg, hs_proto_name, HS_NPROTO, &p->protos))
				return -1;
			for (i = 0; i < HS_NPROTO; i++)
				if (p->protos & ~tls_protos_built() & (1u << i)) {
					printf(PROG ": -p: config %s has no %s\n", ACKBENCH_CONFIG,
					       hs_proto_name[i]);
					return -1;
				}
			break;
		case 'g':
			if (names("-g", arg, hs_group_name, GR_N, &p->groups))
				return -1;
			break;
		case 'k':
			if (names("-k", arg, keys, nkeys, &p->keys))
				return -1;
			break;
		default: usage(); return -1;
		}
	}
	return 0;
}

/* Every group asked for must be one the stack offers with one of the protocols asked. */
static int groups_offered(const struct plan *p)
{
	unsigned offered = 0, i;

	for (i = 0; i < HS_NPROTO; i++)
		if (p->protos & (1u << i))
			offered |= tls_groups((enum hs_proto)i);
	for (i = 0; i < GR_N; i++)
		if (p->groups & ~offered & (1u << i)) {
			printf(PROG ": -g: this build offers no %s with the protocols asked for\n",
			       hs_group_name[i]);
			return -1;
		}
	return 0;
}

/* Two instructions per turn (subs, bne): the clock should read 2 * n of them. */
static uint64_t calibrate(uint32_t n)
{
	uint64_t t0 = port_mono_ns();

	__asm__ volatile("1: subs %0, %0, #1\n\tbne 1b" : "+r"(n) : : "cc");
	return port_mono_ns() - t0;
}

int main(void)
{
	static char *argv[32];
	struct plan p = { 5, 20, { 64, 256, 1024, 4096 }, 4, 0, 0, ~0u, 1 };
	struct plan_tally t;
	struct tls_env env;
	char sys[64];
	int argc, r;

	p.protos = tls_protos_built();
	argc = mps2_cmdline(argv, 32);
	if (argc < 0 || parse(argc, argv, &p) != 0 || groups_offered(&p) != 0)
		return 2;
	port_system(sys, sizeof(sys));
	printf("# " PROG " system=%s config=%s %s sysclk_hz=%u ns_per_tick=%u "
	       "entropy=%s cert_dates=not-checked(no-calendar)\n",
	       sys, ACKBENCH_CONFIG, tls_lib_banner(), (unsigned)MPS2_SYSCLK_HZ,
	       (unsigned)MPS2_NS_PER_TICK, port_entropy_kind());
	printf("calib instr=%u clock_ns=%" PRIu64 "\n", 2u * 1000000u, calibrate(1000000u));
	printf("plan n=%u reps=%u sizes=%u protos=0x%x keys=0x%x negatives=%d\n", p.n, p.reps,
	       p.nsizes, p.protos, p.keys & ((1u << mcu_cred_count) - 1), p.negatives);
	memset(&t, 0, sizeof(t));
	r = tls_lib_init();
	if (r != 0) {
		printf("error: the TLS library's start-up: %d\n", r);
		return 1;
	}
	r = tls_env_init(&env);
	if (r != 0) {
		printf("error: entropy/tickets/cookies: -0x%04x\n", (unsigned)-r);
		return 1;
	}
	r = plan_run(&p, &env, &t);
	printf("summary handshakes=%u failed=%u records=%u record_failed=%u negatives=%u "
	       "refused=%u heap_allocs=%" PRIu64 "\n",
	       t.handshakes, t.failed, t.records, t.record_failed, t.negatives, t.refused,
	       mem_allocs());
	tls_env_free(&env);
	tls_lib_free();
	fflush(stdout);
	return r == 0 ? 0 : 1;
}
