/* fake_int.h - inside ports/fake/ only: what fake_net.c and fake_sys.c share. */
#ifndef ACKBENCH_FAKE_INT_H
#define ACKBENCH_FAKE_INT_H

#include <stdint.h>

#include "port.h"

/* Layout of a struct port_addr here: raw[0] family (4 or 6), raw[1..2] port (big
 * endian), raw[4..20) the address (IPv4 in its first 4 bytes); len FAKE_ADDR_LEN. */
#define FAKE_ADDR_LEN 20

/* Clock and entropy back to their start (fake_reset). */
void fake_sys_reset(void);
/* Builds an address; ip is 16 bytes (IPv4: the first 4). */
void fake_addr_make(struct port_addr *a, int family, const uint8_t *ip, uint16_t port);
uint16_t fake_addr_port(const struct port_addr *a);
/* 1 when the address part is all zero (a wildcard bind). */
int fake_addr_is_any(const struct port_addr *a);

#endif
