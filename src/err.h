/* err.h - one place that turns any error code (ours, OS, the TLS stack's) into text. */
#ifndef ACKBENCH_ERR_H
#define ACKBENCH_ERR_H

#include <stddef.h>

struct stack;

/* The stack whose codes err_str() also knows (app.c sets it; NULL: plain programs). */
void err_use_stack(const struct stack *st);
/* Writes a one-line description of code (a negative ACK_ERR_* or a code of the stack
 * given to err_use_stack(), with its hex value) into buf, and returns buf. */
const char *err_str(int code, char *buf, size_t len);

#endif
