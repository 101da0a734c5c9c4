/*
 * loglimit.h - a server's per-peer stderr lines, limited per kind. One line per failed
 * handshake was one line per attacker's attempt: 100 peers that reconnect as soon as the
 * handshake lobby pushes them out wrote about 2,000 lines in 10 s, enough to fill the disk
 * of whoever keeps the server's stderr. Each kind has a bucket of LOGLIMIT_BURST lines,
 * refilled at LOGLIMIT_PER_S a second: a few peers' lines (a refused DTLS client tries six
 * times, six lines) always come out, a flood gets LOGLIMIT_PER_S a second. The lines held
 * back are counted, and one line says how many (at most once a second, before the kind's
 * next printed line, or at the end):
 *   tls_server: ... 187 more "handshake failed" line(s) suppressed
 * and at the end (loglimit_report), one line per kind that had any suppressed:
 *   tls_server: "handshake failed" lines: 1949 in all, 348 printed, 1601 suppressed (...)
 * Nothing is lost: every line is counted. Until loglimit_start (clients, set-up), and after
 * loglimit_stop, lines go out as they come. Thread-safe between start and stop.
 */
#ifndef ACKBENCH_LOGLIMIT_H
#define ACKBENCH_LOGLIMIT_H

#include <stdio.h>

#define LOGLIMIT_BURST 50 /* lines of one kind printed at once */
#define LOGLIMIT_PER_S 10 /* then lines of one kind printed in a second */

/* A kind of line: each is limited on its own, so a flood of one kind never hides another. */
enum loglimit_kind {
	LOGLIMIT_HANDSHAKE, /* "handshake failed": a handshake, or its restart, failed */
	LOGLIMIT_REFUSED,   /* "peer refused": a certificate, raw public key or PSK refused */
	LOGLIMIT_RETRANS,   /* "retransmissions": a DTLS handshake that needed some */
	LOGLIMIT_RECONNECT, /* "reconnect": a DTLS client reconnected from the same port */
	LOGLIMIT_MESSAGE,   /* "message refused": a request answered with a nak */
	LOGLIMIT_DROPPED,   /* "connection dropped": garbage, silence, a failed reply, a stop */
	LOGLIMIT_NO_PLACE,  /* "no place": handshake done, not served within --timeout */
	LOGLIMIT_ACCEPT,    /* "accept failed" */
	LOGLIMIT_KINDS
};

#ifdef __GNUC__
#define LOGLIMIT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LOGLIMIT_PRINTF(a, b)
#endif

/* From now on, lines of every kind written to out are limited; prog starts the lines of
 * this module. Call before the threads start. Returns 0, or ACK_ERR_NOMEM. */
int loglimit_start(const char *prog, FILE *out);
/* One line (fmt ends with its "\n"), printed or counted. */
void loglimit_printf(enum loglimit_kind kind, const char *fmt, ...) LOGLIMIT_PRINTF(2, 3);
/* After the threads: each kind's count of lines not yet told, then one line per kind that
 * lost any, with its totals. The counts stay (loglimit_count) until loglimit_stop. */
void loglimit_report(void);
/* A kind's lines since loglimit_start: all of them, and those printed. */
void loglimit_count(enum loglimit_kind kind, unsigned long *lines, unsigned long *printed);
/* Back to unlimited lines; frees what loglimit_start made. */
void loglimit_stop(void);

#endif
