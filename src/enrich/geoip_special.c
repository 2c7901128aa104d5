/* enrich/geoip_special.c — the special ranges (private, CGNAT, loopback,
 * documentation, ...) that are labelled without a database, the names of
 * labels and flags, and the one-line text a report gives for an address. */
#include <stdio.h>
#include <string.h>

#include "ghostwire/geoip.h"

struct range {
	uint8_t family; /* enum gw_family */
	uint8_t len;    /* prefix length */
	uint8_t net[16];
	uint8_t special; /* enum gw_geoip_special */
};

/* Most specific first where ranges nest (0.0.0.0/32 before 0/8, and so on). */
static const struct range ranges[] = {
        {GW_AF_INET, 32, {0, 0, 0, 0}, GW_GEOIP_UNSPECIFIED},
        {GW_AF_INET, 8, {0}, GW_GEOIP_RESERVED},
        {GW_AF_INET, 8, {10}, GW_GEOIP_PRIVATE},
        {GW_AF_INET, 10, {100, 64}, GW_GEOIP_CGNAT},
        {GW_AF_INET, 8, {127}, GW_GEOIP_LOOPBACK},
        {GW_AF_INET, 16, {169, 254}, GW_GEOIP_LINK_LOCAL},
        {GW_AF_INET, 12, {172, 16}, GW_GEOIP_PRIVATE},
        {GW_AF_INET, 24, {192, 0, 0}, GW_GEOIP_RESERVED},
        {GW_AF_INET, 24, {192, 0, 2}, GW_GEOIP_DOCUMENTATION},
        {GW_AF_INET, 16, {192, 168}, GW_GEOIP_PRIVATE},
        {GW_AF_INET, 15, {198, 18}, GW_GEOIP_BENCHMARKING},
        {GW_AF_INET, 24, {198, 51, 100}, GW_GEOIP_DOCUMENTATION},
        {GW_AF_INET, 24, {203, 0, 113}, GW_GEOIP_DOCUMENTATION},
        {GW_AF_INET, 4, {224}, GW_GEOIP_MULTICAST},
        {GW_AF_INET, 32, {255, 255, 255, 255}, GW_GEOIP_BROADCAST},
        {GW_AF_INET, 4, {240}, GW_GEOIP_RESERVED},
        {GW_AF_INET6, 128, {0}, GW_GEOIP_UNSPECIFIED},
        {GW_AF_INET6, 128, {[15] = 1}, GW_GEOIP_LOOPBACK},
        {GW_AF_INET6, 8, {0}, GW_GEOIP_RESERVED},
        {GW_AF_INET6, 64, {0x01, 0x00}, GW_GEOIP_RESERVED},
        {GW_AF_INET6, 32, {0x20, 0x01, 0x0d, 0xb8}, GW_GEOIP_DOCUMENTATION},
        {GW_AF_INET6, 32, {0x20, 0x01, 0x00, 0x00}, GW_GEOIP_TEREDO},
        {GW_AF_INET6, 20, {0x3f, 0xff}, GW_GEOIP_DOCUMENTATION},
        {GW_AF_INET6, 7, {0xfc}, GW_GEOIP_ULA},
        {GW_AF_INET6, 10, {0xfe, 0x80}, GW_GEOIP_LINK_LOCAL},
        {GW_AF_INET6, 8, {0xff}, GW_GEOIP_MULTICAST},
};

static bool in_range(const struct range *r, const struct gw_addr *a)
{
	if (a->family != r->family)
		return false;
	unsigned whole = r->len / 8, rest = r->len % 8;
	if (memcmp(a->bytes, r->net, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a->bytes[whole] & mask) == r->net[whole];
}

enum gw_geoip_special gw_geoip_special_of(const struct gw_addr *a)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	struct gw_addr v4;
	if (a->family == GW_AF_INET6 && memcmp(a->bytes, mapped, 12) == 0) {
		gw_addr_set4(&v4, a->bytes + 12);
		a = &v4;
	}
	for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++)
		if (in_range(&ranges[i], a))
			return (enum gw_geoip_special)ranges[i].special;
	return GW_GEOIP_PUBLIC;
}

const char *gw_geoip_special_name(enum gw_geoip_special s)
{
	static const char *const names[] = {
	        [GW_GEOIP_PUBLIC] = "public",
	        [GW_GEOIP_UNSPECIFIED] = "unspecified",
	        [GW_GEOIP_RESERVED] = "reserved",
	        [GW_GEOIP_PRIVATE] = "private",
	        [GW_GEOIP_CGNAT] = "cgnat",
	        [GW_GEOIP_LOOPBACK] = "loopback",
	        [GW_GEOIP_LINK_LOCAL] = "link-local",
	        [GW_GEOIP_DOCUMENTATION] = "documentation",
	        [GW_GEOIP_BENCHMARKING] = "benchmarking",
	        [GW_GEOIP_MULTICAST] = "multicast",
	        [GW_GEOIP_BROADCAST] = "broadcast",
	        [GW_GEOIP_ULA] = "ula",
	        [GW_GEOIP_TEREDO] = "teredo",
	};
	if ((unsigned)s >= sizeof names / sizeof *names)
		return "unknown";
	return names[s];
}

const char *gw_geoip_flag_name(uint32_t flag)
{
	switch (flag) {
	case GW_GEOIP_F_ANONYMOUS_PROXY:
		return "anonymous-proxy";
	case GW_GEOIP_F_ANYCAST:
		return "anycast";
	case GW_GEOIP_F_SATELLITE:
		return "satellite";
	case GW_GEOIP_F_DROP:
		return "drop";
	default:
		return NULL;
	}
}

/* Appends text to buf (size > 0) at *at, separated by two spaces from what is
 * there; truncates at the end of buf. */
static void append(char *buf, size_t size, size_t *at, const char *text)
{
	int n = snprintf(buf + *at, size - *at, "%s%s", *at ? "  " : "", text);
	if (n > 0)
		*at += (size_t)n < size - *at ? (size_t)n : size - *at - 1;
}

char *gw_geoip_format(const struct gw_geoip_result *r, char *buf, size_t size)
{
	if (size == 0)
		return buf;
	buf[0] = '\0';
	size_t at = 0;
	if (r->special != GW_GEOIP_PUBLIC)
		append(buf, size, &at, gw_geoip_special_name(r->special));
	if (r->country[0] || r->asn)
		append(buf, size, &at, r->country[0] ? r->country : "--");
	if (r->asn) {
		char as[32 + GW_GEOIP_ORG_MAX];
		snprintf(as, sizeof as, "AS%u%s%s", (unsigned)r->asn, r->as_org[0] ? " " : "",
		         r->as_org);
		append(buf, size, &at, as);
	}
	for (unsigned i = 0; i < GW_GEOIP_N_FLAGS; i++)
		if (r->flags & (1u << i))
			append(buf, size, &at, gw_geoip_flag_name(1u << i));
	if (at == 0)
		append(buf, size, &at, "unknown");
	return buf;
}
