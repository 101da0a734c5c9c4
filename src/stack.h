/*
 * stack.h - what the generic layer (app.c, err.c, report.c) knows of the TLS library
 * behind the tls and dtls transports: this description, and nothing else. Each stack
 * (src/stack/<name>/, see src/stack/README.md) defines sec_stack; the tls and dtls
 * transports of that stack point to it (transport.stack), the plain ones have NULL, so a
 * program that does not use a stack links none.
 */
#ifndef ACKBENCH_STACK_H
#define ACKBENCH_STACK_H

#include <stddef.h>

struct stack {
	const char *name;  /* "mbedtls", "openssl", "wolfssl": the make STACK= value */
	const char *title; /* "Mbed TLS", "OpenSSL", "wolfSSL": in messages */
	/* The library's version as it runs ("3.6.6"), and its build configuration (the
	 * config header, the packaged build's options): for the header, JSON, --version. */
	const char *(*version)(void);
	const char *(*build_config)(void);
	/* --mem: routes the library's allocations through mem.h's counting allocator.
	 * Called before init() and any other library call. Returns 0 or an error code. */
	int (*mem_install)(void);
	/* Library-wide set-up and its end (psa_crypto_init / mbedtls_psa_crypto_free, ...),
	 * once per process around everything else. init returns 0 or an error code. */
	int (*init)(void);
	void (*deinit)(void);
	/* Text of code, one of this library's error codes, into buf (with the code itself);
	 * returns 0, or -1 when code is not one of its own. */
	int (*strerror)(int code, char *buf, size_t len);
	/* Connections of one transport state may run at once on several threads (servers'
	 * --max-conns, clients' --parallel): the stack guarantees what "Serving many clients
	 * at once" in docs/robustness.md lists (a thread-safe RNG, ticket and cookie keys,
	 * per-connection state only in the connection). NULL or 0: the core refuses N > 1 with
	 * one line. */
	int (*threads_ok)(void);
};

/* The stack this program was built with (its tls/dtls transports point to it). */
extern const struct stack sec_stack;

#endif
