/* port_addr.c - addresses for ports/port.h on POSIX: names and literals resolved, printed
 * and compared (a struct port_addr holds a struct sockaddr_storage). */
#include "port.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

_Static_assert(sizeof(struct sockaddr_storage) <= sizeof(((struct port_addr *)0)->raw),
               "port_addr too small");

int port_resolve(const char *host, uint16_t port, int datagram, int passive, struct port_addr *out)
{
	struct addrinfo hints, *res = NULL;
	char serv[8];

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = datagram ? SOCK_DGRAM : SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	snprintf(serv, sizeof(serv), "%u", (unsigned)port);
	if (host != NULL && host[0] == '\0')
		host = NULL;
	/* Digits and dots only: an IPv4 literal, never a name to look up ("999.1.1.1"). */
	if (host != NULL && host[strspn(host, "0123456789.")] == '\0')
		hints.ai_flags |= AI_NUMERICHOST;
	if (getaddrinfo(host, serv, &hints, &res) != 0 || res == NULL)
		return ACK_ERR_RESOLVE;
	memset(out, 0, sizeof(*out));
	memcpy(out->raw, res->ai_addr, res->ai_addrlen);
	out->len = (uint32_t)res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

void port_addr_str(const struct port_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	const struct sockaddr *sa = (const struct sockaddr *)(const void *)a->raw;

	if (a->len == 0) {
		snprintf(buf, len, "(none)");
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, (unsigned)ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, (unsigned)ntohs(s4->sin_port));
	}
}

int port_addr_equal(const struct port_addr *a, const struct port_addr *b)
{
	return a->len == b->len && memcmp(a->raw, b->raw, a->len) == 0;
}
