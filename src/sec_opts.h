/*
 * sec_opts.h - the one option table of every secure transport (tls, dtls) of every stack:
 * --ca --cert --key --server-name --tls --ciphersuite --groups --resume --keylog
 * --hs-deadline, and for datagrams --no-cookie --hs-timeout --mtu. Values land in a
 * tp_conf (transport.h); the stack reads them from there in its setup().
 */
#ifndef ACKBENCH_SEC_OPTS_H
#define ACKBENCH_SEC_OPTS_H

#include "opts.h"
#include "transport.h"

/* The table for a stream (tls) or datagram (dtls) transport of stack st (its name shows
 * in --help), ended by an entry with lng == NULL. */
const struct opt *sec_opts_table(const struct transport *tp);
/* After opts_parse: copies the values given into c (keeping c's defaults for the others),
 * checks the side of one-sided options. Returns 0, or ACK_ERR_ARG after one line on
 * stderr naming the option. */
int sec_opts_merge(const struct transport *tp, struct tp_conf *c);
/* The authentication c asks for: "cert", "psk" or "psk-dhe" (an unknown --psk-mode is
 * refused at setup). */
const char *sec_opts_auth(const struct tp_conf *c);
/* One line "prog: --opt: not supported by the <stack> stack (why)" and ACK_ERR_ARG: for a
 * stack's setup() refusing an option it cannot do. */
int sec_opts_refuse(const struct tp_conf *c, const char *stack, const char *opt, const char *why);

#endif
