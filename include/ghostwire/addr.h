/* addr.h — IP addresses, endpoints and CIDR prefixes as fixed-size binary values,
 * with parsing and formatting. IPv4 addresses occupy the first 4 bytes of the
 * 16-byte array, the rest zero, so that two equal addresses compare equal bytewise. */
#ifndef GHOSTWIRE_ADDR_H
#define GHOSTWIRE_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ghostwire/err.h"

enum gw_family {
	GW_AF_NONE = 0,
	GW_AF_INET = 4,
	GW_AF_INET6 = 6
};

struct gw_addr {
	uint8_t family;    /* enum gw_family */
	uint8_t bytes[16]; /* network order; IPv4 in bytes[0..3], bytes[4..15] zero */
};

/* Longest text gw_addr_format writes, NUL included. */
#define GW_ADDR_STRLEN 46

struct gw_cidr {
	struct gw_addr net; /* host bits cleared */
	uint8_t prefix;     /* 0..32 or 0..128 */
};

void gw_addr_set4(struct gw_addr *a, const uint8_t b[4]);
void gw_addr_set6(struct gw_addr *a, const uint8_t b[16]);
bool gw_addr_equal(const struct gw_addr *a, const struct gw_addr *b);
/* The unspecified address, 0.0.0.0 or :: (a socket bound to any address). */
bool gw_addr_is_unspecified(const struct gw_addr *a);
/* Whether a socket's address sock is the address q: equal, or an IPv6 socket
 * holding IPv4 q mapped (::ffff:a.b.c.d, a dual-stack socket). */
bool gw_addr_socket_is(const struct gw_addr *sock, const struct gw_addr *q);

/* Writes the usual text form (dotted quad, RFC 5952 IPv6) into buf of size
 * GW_ADDR_STRLEN or more; returns buf. */
char *gw_addr_format(const struct gw_addr *a, char *buf, size_t size);

/* Parses "192.0.2.1" or "2001:db8::1". */
int gw_addr_parse(const char *text, struct gw_addr *out, struct gw_err *err) GW_MUST_CHECK;

/* Parses "192.0.2.0/24", "2001:db8::/32", or a bare address (a host prefix).
 * Host bits set in the address are an error: they usually mean a typo. */
int gw_cidr_parse(const char *text, struct gw_cidr *out, struct gw_err *err) GW_MUST_CHECK;

bool gw_cidr_contains(const struct gw_cidr *c, const struct gw_addr *a);

#endif
