/*
 * sec_groups.h - --groups and --key-shares, read the same way for every stack: names from
 * IANA's TLS Supported Groups registry, case-insensitive, plus the stacks' own spellings
 * (tls_sniff.c's table; docs/stacks.md), into group ids. The stack says which ids it
 * lacks; a group it lacks is refused in one line naming stack and group, before any
 * traffic. No TLS library header here.
 */
#ifndef ACKBENCH_SEC_GROUPS_H
#define ACKBENCH_SEC_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "transport.h"

#define SEC_MAX_GROUPS    16
#define SEC_DEFAULT_GROUP 0x0017 /* secp256r1: ackbench's pin when --groups is not given */

struct sec_groups {
	int any;  /* --groups any: the library's own default */
	size_t n; /* --groups, in order of preference */
	uint16_t id[SEC_MAX_GROUPS];
	size_t nshare;                  /* client: groups sent a key share (TLS 1.3) */
	uint16_t share[SEC_MAX_GROUPS]; /* default: the first group only */
};

/* Why a stack cannot use group id (NULL: it can). */
typedef const char *(*sec_group_lacks_fn)(uint16_t id);

/* Fills g from c->groups and c->key_shares. Unknown names, a key share outside --groups,
 * too many groups and a group lacks() names are refused: one line on stderr ("prog:
 * --groups: 'x': ...", naming stack for lacks()), ACK_ERR_ARG. 0 on success. */
int sec_groups_parse(struct sec_groups *g, const struct tp_conf *c, const char *stack,
                     sec_group_lacks_fn lacks);
/* 1 for the ML-KEM groups (pure and hybrid). */
int sec_group_is_mlkem(uint16_t id);

#endif
