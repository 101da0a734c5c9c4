/*
 * fake_port.h - control of the in-memory port (ports/fake/), for unit tests and fuzzers.
 *
 * ports/fake/ implements the whole of ports/port.h without the OS: sockets are queues in
 * memory, the monotonic clock is a number the test sets, entropy is a fixed sequence. It
 * runs in one thread: a wait that would block first calls the idle hook (the scripted
 * peer: it may connect, send, read, close), and when that changes nothing the clock jumps
 * by the timeout and the wait times out, so a silent peer costs no real time.
 *
 * Addresses: "127.0.0.1"-style IPv4 literals, "localhost", "::1", "::" and the wildcard.
 * Connecting to a port nobody listens on is ECONNREFUSED; a datagram to nobody is lost.
 * NOT for real use: its "entropy" is predictable.
 */
#ifndef ACKBENCH_FAKE_PORT_H
#define ACKBENCH_FAKE_PORT_H

#include <stddef.h>
#include <stdint.h>

#define FAKE_SOCKS     64         /* handles 0..FAKE_SOCKS-1 */
#define FAKE_QUEUE_MAX (4u << 20) /* bytes queued on one socket before send fails */
#define FAKE_T0_NS     1000000000000ull

/* Called when a wait would block. Returns 1 when it changed something (so the wait looks
 * again), 0 when nothing more will come (the wait then times out). */
typedef int (*fake_idle_fn)(void *arg);

/* Closes every handle, frees every queue, clock back to FAKE_T0_NS, no idle hook. */
void fake_reset(void);
void fake_set_idle(fake_idle_fn fn, void *arg);
/* The monotonic clock (port_mono_ns); port_real_us and port_cpu_ns follow it. */
void fake_clock_set(uint64_t ns);
void fake_clock_advance(uint64_t ns);
/* Bytes arriving at h are counted and dropped instead of queued (a peer that reads
 * everything and checks nothing). */
void fake_discard(int h, int on);

/* Bytes queued for reading on h (all datagrams together), and bytes ever received. */
size_t fake_pending(int h);
uint64_t fake_rx_total(int h);
/* Handles open now (a test's leak check), and waits that were "forever" but had nothing
 * to wait for (each one returned ACK_ERR_TIMEOUT after a 60 s jump). */
unsigned fake_open_handles(void);
unsigned fake_stalls(void);
/* What port_stop_requested() returns from now on (0: no stop; 15 is named "SIGTERM"), as if
 * that signal had come; fake_reset() clears it. */
void fake_stop_request(int sig);

#endif
