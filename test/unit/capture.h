/*
 * capture.h - runs a function with stdout and stderr going into strings (header only), so
 * that a unit test can check the lines the server or client loop prints.
 */
#ifndef ACKBENCH_CAPTURE_H
#define ACKBENCH_CAPTURE_H

#include <stdio.h>
#include <unistd.h>

struct capture {
	FILE *out, *err;
	int saved_out, saved_err;
};

/* From now on fds 1 and 2 go to temporary files. */
static inline void capture_begin(struct capture *c)
{
	fflush(stdout);
	fflush(stderr);
	c->out = tmpfile();
	c->err = tmpfile();
	c->saved_out = dup(1);
	c->saved_err = dup(2);
	dup2(fileno(c->out), 1);
	dup2(fileno(c->err), 2);
}

static inline void capture_read(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Restores fds 1 and 2; what was written goes into out and err (truncated to fit). */
static inline void capture_end(struct capture *c, char *out, size_t out_len, char *err,
                               size_t err_len)
{
	fflush(stdout);
	fflush(stderr);
	dup2(c->saved_out, 1);
	dup2(c->saved_err, 2);
	close(c->saved_out);
	close(c->saved_err);
	capture_read(c->out, out, out_len);
	capture_read(c->err, err, err_len);
}

#endif
