/* posix_net.h - inside ports/posix/ only: what port_net.c, port_wait.c, port_signal.c and
 * port_thread.c give the other files of the port (port_poll.c: the port.h waits they use). */
#ifndef ACKBENCH_POSIX_NET_H
#define ACKBENCH_POSIX_NET_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>

enum { POSIX_H_UNKNOWN, POSIX_H_STREAM, POSIX_H_DGRAM };

/* Records that handle h was just created with this kind (POSIX_H_UNKNOWN: closed). */
void posix_handle_new(int h, int kind);
/* 1 when h is a stream socket (from the record, else asked with getsockopt), else 0. */
int posix_handle_is_stream(int h);
/* ms milliseconds as a struct timeval. */
struct timeval posix_ms_tv(int ms);
/* Gives h the receive timeout ms (< 0: none), with setsockopt only when it changes.
 * Returns 0, or -1 when the caller must wait in poll instead (handle not recorded, or
 * setsockopt failed). */
int posix_rcvtimeo_set(int h, int ms);
/* After a call bounded by SO_RCVTIMEO failed with EAGAIN, started at t0 (port_mono_ns):
 * 1 when the timeout had run out, 0 when it failed at once (the socket is non-blocking). */
int posix_timed_out(uint64_t t0, int ms);
/* recvfrom waiting at most timeout_ms (< 0: forever, 0: not at all). Returns what recvfrom
 * returned, with errno EAGAIN on a timeout. */
ssize_t posix_recv_wait(int h, void *buf, size_t len, int timeout_ms, struct sockaddr *sa,
                        socklen_t *slen);

/* Arrival stamps (port_wait.c): 1 once the process asked for them (port_rx_stamps);
 * turns them on for socket h; records ns as the arrival of h's last read; the stamp a
 * recvmsg put into m, as port_mono_ns() time (0: none). */
int posix_stamping(void);
void posix_stamp_socket(int h);
void posix_rx_stamp_set(int h, uint64_t ns);
uint64_t posix_stamp_of(struct msghdr *m);

/* A new socket bound to a (port_net.c; see there for the reuse options), SO_REUSEPORT
 * when reuse_port. A handle or an error. */
struct port_addr;
int posix_open_bound(const struct port_addr *a, int datagram, int reuse_port);
/* After EINTR: 1 to retry the call, 0 to return the error (a stop was requested and waits
 * are to be interrupted, port_signal.c). */
int posix_eintr_retry(void);
/* A stop was requested (from its signal handler): every other thread of port_threads_run
 * gets a wake-up signal, so that its wait in progress sees EINTR too (port_thread.c). */
void posix_threads_wake(void);

#endif
