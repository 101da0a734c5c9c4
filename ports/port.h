/*
 * port.h - the whole platform contract of ackbench.
 *
 * src/ calls only what is declared here (plus ISO C and Mbed TLS); each platform
 * implements it in its own folder (ports/posix/ for Linux and other POSIX systems).
 * A bare-metal board adds ports/<board>/ and implements the same functions, as lwIP's
 * sys_arch does. See ports/README.md.
 *
 * Conventions: functions return 0 (or a non-negative count) on success and a negative
 * ACK_ERR_* code on failure. An OS error number e is returned as ACK_ERR_SYS(e); its text
 * comes from port_sys_strerror(). Handles are small non-negative integers (-1 = none).
 */
#ifndef ACKBENCH_PORT_H
#define ACKBENCH_PORT_H

#include <stddef.h>
#include <stdint.h>

/* Error space, kept apart from Mbed TLS codes (-0x0001..-0x7FFF) so both can travel in
 * one int and be turned into text in one place (err_str() in src/err.c). */
#define ACK_ERR_TIMEOUT    (-0x10001) /* no data within the timeout */
#define ACK_ERR_EOF        (-0x10002) /* peer closed the connection */
#define ACK_ERR_PROTO      (-0x10003) /* malformed or unexpected message */
#define ACK_ERR_TOO_BIG    (-0x10004) /* message larger than allowed */
#define ACK_ERR_RESOLVE    (-0x10005) /* name or address could not be resolved */
#define ACK_ERR_NOMEM      (-0x10006) /* allocation failed */
#define ACK_ERR_REFUSED    (-0x10007) /* peer refused the message (nak) */
#define ACK_ERR_ARG        (-0x10008) /* bad argument */
#define ACK_ERR_TRUNCATED  (-0x10009) /* TLS: closed without close_notify (truncation) */
#define ACK_ERR_CUT        (-0x1000A) /* stream closed in the middle of a message */
#define ACK_ERR_STOPPED    (-0x1000B) /* a stop was requested (port_stop_requested) */
#define ACK_ERR_GAVE_WAY   (-0x1000C) /* server: a silent peer gave way to a new client */
#define ACK_ERR_PUSHED_OUT (-0x1000D) /* server: a handshake never answered, pushed out */
#define ACK_ERR_SYS_BASE   (-0x20000) /* ACK_ERR_SYS(e) = ACK_ERR_SYS_BASE - e */
#define ACK_ERR_SYS(e)     (ACK_ERR_SYS_BASE - (e))
#define ACK_ERR_IS_SYS(r)  ((r) <= ACK_ERR_SYS_BASE)
#define ACK_ERR_SYS_NUM(r) (ACK_ERR_SYS_BASE - (r))

/* ---- time ---- */

/* Monotonic clock in nanoseconds; never goes backwards. Used for every duration. */
uint64_t port_mono_ns(void);
/* Wall-clock time in microseconds since 1970 (for one-way delay and matching logs). */
uint64_t port_real_us(void);
/* CPU time (user + system) of the whole process, in nanoseconds. */
uint64_t port_cpu_ns(void);
/* Resolution of port_mono_ns() in nanoseconds (0 if unknown). */
uint64_t port_clock_res_ns(void);
/* Sleep at least ms milliseconds. */
void port_sleep_ms(unsigned ms);

/* ---- environment, for the record in result files ---- */

/* Writes the CPU frequency governor (e.g. "performance") or "unknown" into buf. */
void port_cpu_governor(char *buf, size_t len);
/* Writes "sysname release machine" of the running system into buf. */
void port_system(char *buf, size_t len);
/* Writes the host name into buf ("unknown" on failure). */
void port_hostname(char *buf, size_t len);
/* Returns 1 when stderr is an interactive terminal (progress lines go there), else 0.
 * A board without a console returns 0. */
int port_stderr_is_tty(void);

/* ---- randomness ---- */

/* Mbed TLS entropy-source shape (mbedtls_entropy_f_source_ptr): fills out with len bytes
 * from the platform's strong source; returns 0 and sets *olen, or -1. */
int port_entropy_poll(void *data, unsigned char *out, size_t len, size_t *olen);

/* ---- addresses ---- */

struct port_addr {
	unsigned char raw[128]; /* opaque: a struct sockaddr_storage on POSIX */
	uint32_t len;           /* 0 = unset */
};

/* Resolves host (IPv4/IPv6 literal or name; NULL or "" = wildcard when passive) and port
 * once, before any timing. Returns 0 or ACK_ERR_RESOLVE. */
int port_resolve(const char *host, uint16_t port, int datagram, int passive, struct port_addr *out);
/* Writes "ip:port" ("[ip]:port" for IPv6) into buf. */
void port_addr_str(const struct port_addr *a, char *buf, size_t len);
/* Returns 1 when a and b are the same address and port. */
int port_addr_equal(const struct port_addr *a, const struct port_addr *b);

/* ---- sockets ---- */

/* TCP: connects a new socket to a within timeout_ms, sets TCP_NODELAY. Returns a handle. */
int port_tcp_connect(const struct port_addr *a, int timeout_ms);
/* UDP: new socket connected to a (so only a's datagrams are received). Returns a handle. */
int port_udp_connect(const struct port_addr *a);
/* Listening socket bound to a (TCP when !datagram). *bound_port receives the real port
 * (useful with port 0). Returns a handle. */
int port_listen(const struct port_addr *a, int datagram, uint16_t *bound_port);
/* TCP: waits up to timeout_ms (<0 = forever) for a connection; sets TCP_NODELAY on it.
 * Returns a handle, ACK_ERR_TIMEOUT, or an error. */
int port_accept(int lh, int timeout_ms, struct port_addr *peer);
/* Waits up to timeout_ms (<0 = forever) until h is readable: 0, ACK_ERR_TIMEOUT, error. */
int port_wait_readable(int h, int timeout_ms);
/* Sends up to len bytes; returns the count sent (> 0) or an error. One datagram on UDP. */
int port_send(int h, const void *buf, size_t len);
/* Sends one datagram to a on an unconnected socket. Returns len or an error. */
int port_sendto(int h, const void *buf, size_t len, const struct port_addr *to);
/* Receives up to len bytes, waiting at most timeout_ms (<0 = forever, 0 = poll).
 * Returns the count (> 0), ACK_ERR_EOF on an orderly close (stream), ACK_ERR_TIMEOUT,
 * or an error. One whole datagram on UDP (truncated to len). If from != NULL the sender's
 * address is stored there. */
int port_recv(int h, void *buf, size_t len, int timeout_ms, struct port_addr *from);
/* Arrival stamps (the handshake timeline): port_rx_stamps(h, 1) asks the system to stamp
 * what h receives (0 or an error; a port without them returns 0 and stamps nothing; h < 0
 * only gets the system ready, before the first connection); then
 * port_rx_stamp(h) is, after each port_recv() on h, when the last bytes it returned
 * reached this host, in port_mono_ns() time, or 0 when unknown. */
int port_rx_stamps(int h, int on);
uint64_t port_rx_stamp(int h);
/* UDP server: connects the listening socket lh to peer, so that it carries one session,
 * and opens a new listening socket in its place (as mbedtls_net_accept does for UDP).
 * On success *lh is the new listener and the returned handle is the connected one.
 * Datagrams already queued on lh stay in order: peer's are read from the connected handle,
 * every other sender's from the new listener (port_recv, port_peek_from and the waits, with
 * their sender), before anything that arrives later; none of them is lost to the session.
 * A port that keeps them in a bounded buffer drops, counts and says (one line) what does
 * not fit: those senders retransmit. */
int port_udp_adopt(int *lh, const struct port_addr *peer);
/* UDP: the connected handle h talks to peer from now on (a DTLS server's client whose
 * address changed, RFC 9146); its own address and port stay. 0 or an error. */
int port_udp_repeer(int h, const struct port_addr *peer);
/* UDP: waits up to timeout_ms (<0 = forever, 0 = poll) for a datagram on h and copies up
 * to len bytes of it into buf WITHOUT consuming it; its sender goes to from. Returns the
 * datagram's whole length (may exceed len), ACK_ERR_TIMEOUT, or an error. A DTLS server
 * uses it to look at the next datagram on its listening socket before deciding.
 * Stream: the same for the bytes waiting on h: returns how many it copied (<= len), or
 * ACK_ERR_EOF when the peer closed and nothing waits (from is left alone). */
int port_peek_from(int h, void *buf, size_t len, int timeout_ms, struct port_addr *from);
/* Stream: the waits (port_wait_readable, port_wait_any) report h readable only once n
 * bytes wait on it (1 <= n <= 65536; 1 is where every handle starts), or the peer closed,
 * or it failed. A server's waiting room (src/waitroom.h) waits so for a whole first
 * record without reading it. Returns 0 or an error. */
int port_rx_lowat(int h, uint32_t n);
/* Stream: how many segments h's connection has retransmitted since it was opened, into
 * *n (Linux: TCP_INFO's tcpi_total_retrans). 0, or ACK_ERR_ARG on a platform or handle
 * that cannot tell (*n is then 0). The per-message tcp_retrans of the result files. */
int port_tcp_retrans(int h, uint32_t *n);
/* Waits up to timeout_ms (<0 = forever) until one of the n handles is readable
 * (n <= PORT_WAIT_MAX). Returns the index of the first readable one (in array order),
 * ACK_ERR_TIMEOUT, or an error. */
#define PORT_WAIT_MAX 260
int port_wait_any(const int *h, unsigned n, int timeout_ms);
/* Stream: ends our direction (FIN); the peer then reads EOF. */
int port_shutdown_write(int h);
/* Closes a handle (h < 0 is ignored). */
void port_close(int h);
/* Text of an OS error number. */
const char *port_sys_strerror(int e);

/* ---- stopping (SIGINT, SIGTERM on POSIX) ---- */

/* Turns the platform's stop requests into a flag read by port_stop_requested(). With
 * interrupt_waits, a wait in progress ends with an error when a stop comes (a server waiting
 * for its next client); without, waits go on to their own bounds (a client finishing its
 * message). A second request has the platform's default effect. Returns 0 or an error. */
int port_stop_install(int interrupt_waits);
/* 0 until a stop was requested, then its number (POSIX: the signal; the exit status a shell
 * shows for it is 128 + that number). */
int port_stop_requested(void);
/* Name of a stop request number ("SIGINT", "SIGTERM"). */
const char *port_stop_name(int sig);

/* ---- threads (servers' --max-conns, clients' --parallel; src/server.c, src/client.c) ---- */

/* Runs fn(arg, i) for i = 0 .. n-1, and returns once all have returned: n = 1 on the calling
 * thread, more on n threads of their own while the calling thread waits for them and takes
 * the stop signals (port_stop_install: their handler wakes every thread's wait). Returns 0,
 * or an error when a thread could not be started (the ones started are joined first). A
 * port without threads returns ACK_ERR_ARG for n > 1. */
int port_threads_run(unsigned n, void (*fn)(void *arg, unsigned i), void *arg);
/* A mutex; NULL from port_mutex_new() when out of memory. lock/unlock/free accept NULL
 * (no-op), so single-threaded code can pass one it did not make. */
struct port_mutex;
struct port_mutex *port_mutex_new(void);
void port_mutex_lock(struct port_mutex *m);
void port_mutex_unlock(struct port_mutex *m);
void port_mutex_free(struct port_mutex *m);
/* CPU time (user + system) of the calling thread, in nanoseconds. */
uint64_t port_thread_cpu_ns(void);

#endif
