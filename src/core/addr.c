/* core/addr.c — parsing, formatting and matching of IP addresses and CIDR
 * prefixes. Parsing goes through inet_pton, which is POSIX. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghostwire/addr.h"

void gw_addr_set4(struct gw_addr *a, const uint8_t b[4])
{
	memset(a, 0, sizeof *a);
	a->family = GW_AF_INET;
	memcpy(a->bytes, b, 4);
}

void gw_addr_set6(struct gw_addr *a, const uint8_t b[16])
{
	a->family = GW_AF_INET6;
	memcpy(a->bytes, b, 16);
}

bool gw_addr_equal(const struct gw_addr *a, const struct gw_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

bool gw_addr_is_unspecified(const struct gw_addr *a)
{
	static const uint8_t zero[16];
	return memcmp(a->bytes, zero, sizeof zero) == 0;
}

bool gw_addr_socket_is(const struct gw_addr *sock, const struct gw_addr *q)
{
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
	if (gw_addr_equal(sock, q))
		return true;
	return sock->family == GW_AF_INET6 && q->family == GW_AF_INET &&
	       memcmp(sock->bytes, mapped, 12) == 0 && memcmp(sock->bytes + 12, q->bytes, 4) == 0;
}

char *gw_addr_format(const struct gw_addr *a, char *buf, size_t size)
{
	int af = a->family == GW_AF_INET6 ? AF_INET6 : AF_INET;
	if (a->family == GW_AF_NONE || !inet_ntop(af, a->bytes, buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return buf;
}

int gw_addr_parse(const char *text, struct gw_addr *out, struct gw_err *err)
{
	uint8_t b[16];
	if (inet_pton(AF_INET, text, b) == 1) {
		gw_addr_set4(out, b);
		return 0;
	}
	if (inet_pton(AF_INET6, text, b) == 1) {
		gw_addr_set6(out, b);
		return 0;
	}
	return gw_err_set(err, GW_EINVAL, "'%s' is not an IPv4 or IPv6 address", text);
}

int gw_cidr_parse(const char *text, struct gw_cidr *out, struct gw_err *err)
{
	char buf[64];
	size_t len = strlen(text);
	if (len >= sizeof buf)
		return gw_err_set(err, GW_EINVAL, "'%.40s...' is too long for a network", text);
	memcpy(buf, text, len + 1);

	char *slash = strchr(buf, '/');
	long prefix = -1;
	if (slash) {
		*slash = '\0';
		char *end;
		prefix = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || prefix < 0)
			return gw_err_set(err, GW_EINVAL, "'%s': bad prefix length", text);
	}
	if (gw_addr_parse(buf, &out->net, NULL) < 0)
		return gw_err_set(err, GW_EINVAL,
		                  "'%s' is not a network (like 10.0.0.0/8 or 2001:db8::/32)", text);
	int max = out->net.family == GW_AF_INET ? 32 : 128;
	if (prefix < 0)
		prefix = max;
	if (prefix > max)
		return gw_err_set(err, GW_EINVAL, "'%s': prefix length over %d", text, max);
	out->prefix = (uint8_t)prefix;

	struct gw_addr masked = out->net;
	for (int bit = (int)prefix; bit < max; bit++)
		masked.bytes[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
	if (!gw_addr_equal(&masked, &out->net))
		return gw_err_set(err, GW_EINVAL, "'%s': host bits set after the prefix", text);
	return 0;
}

bool gw_cidr_contains(const struct gw_cidr *c, const struct gw_addr *a)
{
	if (c->net.family != a->family)
		return false;
	int full = c->prefix / 8, rest = c->prefix % 8;
	if (memcmp(c->net.bytes, a->bytes, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff00u >> rest);
	return (c->net.bytes[full] & mask) == (a->bytes[full] & mask);
}
