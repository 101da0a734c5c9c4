/*
 * check.h - a minimal test harness for the unit tests (header only).
 *
 * Each CHECK prints one line, "ok - what" or "not ok - what (file:line: detail)", and
 * counts it; check_done() prints "N passed, M failed" and returns the exit status
 * (non-zero on any failure), so main() ends with "return check_done();".
 */
#ifndef ACKBENCH_CHECK_H
#define ACKBENCH_CHECK_H

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __GNUC__
#define CHECK_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CHECK_PRINTF(a, b)
#endif

static unsigned check_passed, check_failed;

/* Records one result; detail (may be "") explains a failure. Returns pass. */
static inline int check_result(int pass, const char *file, int line, const char *detail,
                               const char *fmt, ...) CHECK_PRINTF(5, 6);
static inline int check_result(int pass, const char *file, int line, const char *detail,
                               const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", pass ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (pass)
		printf("\n");
	else
		printf(" (%s:%d%s%s)\n", file, line, detail[0] ? ": " : "", detail);
	fflush(stdout);
	if (pass)
		check_passed++;
	else
		check_failed++;
	return pass;
}

static inline int check_done(void)
{
	printf("%u passed, %u failed\n", check_passed, check_failed);
	return check_failed == 0 ? 0 : 1;
}

/* CHECK(cond, "what", ...): passes when cond is true. */
#define CHECK(cond, ...) check_result(!!(cond), __FILE__, __LINE__, "", __VA_ARGS__)

/* CHECK_U(got, want, "what", ...): unsigned integers, both shown on failure. */
#define CHECK_U(got, want, ...)                                              \
	do {                                                                 \
		unsigned long long g_ = (unsigned long long)(got);           \
		unsigned long long w_ = (unsigned long long)(want);          \
		char d_[96];                                                 \
		snprintf(d_, sizeof(d_), "got %llu, want %llu", g_, w_);     \
		check_result(g_ == w_, __FILE__, __LINE__, d_, __VA_ARGS__); \
	} while (0)

/* CHECK_I(got, want, "what", ...): signed integers. */
#define CHECK_I(got, want, ...)                                              \
	do {                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);     \
		char d_[96];                                                 \
		snprintf(d_, sizeof(d_), "got %lld, want %lld", g_, w_);     \
		check_result(g_ == w_, __FILE__, __LINE__, d_, __VA_ARGS__); \
	} while (0)

/* CHECK_NEAR(got, want, eps, "what", ...): doubles within eps. */
#define CHECK_NEAR(got, want, eps, ...)                                                    \
	do {                                                                               \
		double g_ = (got), w_ = (want);                                            \
		char d_[96];                                                               \
		snprintf(d_, sizeof(d_), "got %.9g, want %.9g", g_, w_);                   \
		check_result(fabs(g_ - w_) <= (eps), __FILE__, __LINE__, d_, __VA_ARGS__); \
	} while (0)

/* CHECK_STR(got, want, "what", ...): C strings equal (NULL never equals). */
#define CHECK_STR(got, want, ...)                                                                 \
	do {                                                                                      \
		const char *g_ = (got), *w_ = (want);                                             \
		char d_[512];                                                                     \
		snprintf(d_, sizeof(d_), "got \"%.240s\", want \"%.240s\"", g_ ? g_ : "(null)",   \
		         w_ ? w_ : "(null)");                                                     \
		check_result(g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0, __FILE__, __LINE__, \
		             d_, __VA_ARGS__);                                                    \
	} while (0)

#endif
