/* report.h - client output: the header, per-size tables, CSV rows, JSON summary. */
#ifndef ACKBENCH_REPORT_H
#define ACKBENCH_REPORT_H

#include <stdio.h>

#include "bench.h"

struct stack;

/* Computes res->st (acked rows only). Allocates a scratch array; call outside timing. */
void report_size_stats(struct size_result *res);
/* "# ..." lines: program, peer, mode, counts, clock, governor, build. */
void report_header(FILE *f, const struct run_info *info);
/* The phase table of one size (column heads when first). */
void report_size_table(FILE *f, const struct run_info *info, const struct size_result *res,
                       int first);
/* Result files, so that nothing measured is lost: report_open() before any traffic creates
 * the -o CSV (header row) and the --json file, so that a path that cannot be written is
 * refused at once; report_size_done() after each size appends that size's rows (res[n-1])
 * and flushes, and rewrites the JSON over the n sizes so far ("state": "running");
 * report_close() writes the final JSON ("complete", or "stopped" with "stopped_by" when
 * info->stopped) and closes both. Each returns 0 or -1 after one line on stderr per file. */
int report_open(struct run_info *info);
int report_size_done(struct run_info *info, const struct size_result *res, unsigned n);
int report_close(struct run_info *info, const struct size_result *res, unsigned n);
/* --mem: fills info->heap_* from the acked rows' heap_peak_bytes and prints the
 * "# heap: ..." line on f (NULL: none). Allocates a scratch array; call outside timing. */
void report_heap(FILE *f, struct run_info *info, const struct size_result *res, unsigned n);
/* The progress line on stderr (a terminal): size idx of the run, done messages of count,
 * redrawn at most every 200 ms (*last_ns: port_mono_ns() of the last redraw, 0 = now);
 * done == UINT32_MAX erases it. Call between messages, never inside a timed one. */
void report_progress(const struct run_info *info, const struct size_result *res, unsigned idx,
                     uint32_t done, uint64_t *last_ns);
/* n per second over wall_ns (0 when no time passed): messages/s, connections/s. */
double report_rate(uint32_t n, uint64_t wall_ns);
/* The closing "result ..." line: totals over all sizes. */
void report_result_line(FILE *f, const struct run_info *info, const struct size_result *res,
                        unsigned n);
/* One line of build facts: compiler, TLS stack and its version (NULL: none), config,
 * target. */
void report_build(const struct stack *st, char *buf, size_t len);

#endif
