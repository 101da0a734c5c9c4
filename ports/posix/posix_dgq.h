/* posix_dgq.h - inside ports/posix/ only: port_dgq.c, the datagrams port_udp_adopt reads
 * ahead from an adopted socket, for port_net.c's receives and port_adopt.c. */
#ifndef ACKBENCH_POSIX_DGQ_H
#define ACKBENCH_POSIX_DGQ_H

#include <sys/socket.h>
#include <sys/types.h>

/* Right after a session handle was connected to peer: drains old (the socket that was
 * the listener: the session's own on IPv4, still the listener on IPv6) without waiting;
 * the peer's datagrams are kept for to_peer, every other sender's for to_other. */
void posix_dgq_adopt(int old, int to_peer, int to_other, const struct sockaddr *peer,
                     socklen_t plen);
/* 1 when h has datagrams kept (no lock: every handle's receive asks). */
int posix_dgq_pending(int h);
/* The oldest datagram kept for h: copies up to len bytes and its sender (sa, *slen as
 * recvfrom), removes it unless peek; returns its length (peek: its whole length, else the
 * count copied), or -1 when none is kept. */
ssize_t posix_dgq_take(int h, void *buf, size_t len, int peek, struct sockaddr *sa,
                       socklen_t *slen);
/* h is being closed: what it kept is dropped. */
void posix_dgq_forget(int h);

#endif
