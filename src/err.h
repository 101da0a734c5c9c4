/* err.h - one place that turns any error code (ours, OS, Mbed TLS) into text. */
#ifndef ACKBENCH_ERR_H
#define ACKBENCH_ERR_H

#include <stddef.h>

/* Writes a one-line description of code (a negative ACK_ERR_* or Mbed TLS code) into buf,
 * with the hex value for Mbed TLS codes, and returns buf. */
const char *err_str(int code, char *buf, size_t len);

#endif
