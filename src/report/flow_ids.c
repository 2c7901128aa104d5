/* report/flow_ids.c — the Community ID v1 of a flow (github.com/corelight/
 * community-id-spec: SHA-1 over seed, the two addresses and ports in a fixed
 * order and the protocol, base64) through digest.h, and a Wireshark display
 * filter for its packets. */
#include <stdio.h>
#include <string.h>

#include "ghostwire/digest.h"
#include "ghostwire/flow_ids.h"

/* One end of the tuple in the spec's order: address bytes, then port. */
struct end {
	const uint8_t *addr;
	size_t len;
	uint16_t port;
};

static bool end_less(const struct end *a, const struct end *b)
{
	int c = memcmp(a->addr, b->addr, a->len);
	return c < 0 || (c == 0 && a->port < b->port);
}

/* RFC 4648 base64 of a 20-byte digest: 28 characters (one '=' of padding)
 * and a NUL, into out[0..29). */
static void base64_digest(const uint8_t d[GW_SHA1_LEN], char *out)
{
	static const char abc[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	for (size_t i = 0; i < GW_SHA1_LEN; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16;
		size_t n = GW_SHA1_LEN - i < 3 ? GW_SHA1_LEN - i : 3;
		if (n > 1)
			v |= (uint32_t)d[i + 1] << 8;
		if (n > 2)
			v |= d[i + 2];
		out[o++] = abc[(v >> 18) & 63];
		out[o++] = abc[(v >> 12) & 63];
		out[o++] = n > 1 ? abc[(v >> 6) & 63] : '=';
		out[o++] = n > 2 ? abc[v & 63] : '=';
	}
	out[o] = '\0';
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int gw_community_id(const struct gw_flow *f, uint16_t seed, char *out, size_t size)
{
	if (size)
		out[0] = '\0';
	uint8_t proto = f->key.proto;
	if ((proto != GW_IPPROTO_TCP && proto != GW_IPPROTO_UDP) || size < GW_COMMUNITY_ID_SIZE)
		return -1;
	size_t alen = f->key.family == GW_AF_INET ? 4 : 16;
	struct end a = {f->key.local, alen, f->key.local_port};
	struct end b = {f->key.remote, alen, f->key.remote_port};
	if (end_less(&b, &a)) {
		struct end t = a;
		a = b;
		b = t;
	}
	uint8_t buf[2 + 16 + 16 + 2 + 4], *p = buf;
	put16(p, seed);
	p += 2;
	memcpy(p, a.addr, alen);
	p += alen;
	memcpy(p, b.addr, alen);
	p += alen;
	*p++ = proto;
	*p++ = 0;
	put16(p, a.port);
	put16(p + 2, b.port);
	p += 4;
	uint8_t digest[GW_SHA1_LEN];
	if (gw_sha1(buf, (size_t)(p - buf), digest) < 0)
		return -1;
	memcpy(out, "1:", 2);
	base64_digest(digest, out + 2);
	return 0;
}

const char *gw_display_filter(const struct gw_flow *f, char *out, size_t size)
{
	struct gw_addr l, r;
	char ls[GW_ADDR_STRLEN], rs[GW_ADDR_STRLEN];
	gw_flow_local_addr(f, &l);
	gw_flow_remote_addr(f, &r);
	gw_addr_format(&l, ls, sizeof ls);
	gw_addr_format(&r, rs, sizeof rs);
	const char *ip = f->key.family == GW_AF_INET6 ? "ipv6" : "ip";
	switch (f->key.proto) {
	case GW_IPPROTO_TCP:
	case GW_IPPROTO_UDP: {
		const char *t = f->key.proto == GW_IPPROTO_TCP ? "tcp" : "udp";
		snprintf(out, size, "%s.addr==%s && %s.addr==%s && %s.port==%u && %s.port==%u", ip,
		         ls, ip, rs, t, f->key.local_port, t, f->key.remote_port);
		break;
	}
	case GW_IPPROTO_ICMP:
		snprintf(out, size, "ip.addr==%s && ip.addr==%s && icmp", ls, rs);
		break;
	case GW_IPPROTO_ICMPV6:
		snprintf(out, size, "ipv6.addr==%s && ipv6.addr==%s && icmpv6", ls, rs);
		break;
	default:
		snprintf(out, size, "%s.addr==%s && %s.addr==%s && %s==%u", ip, ls, ip, rs,
		         f->key.family == GW_AF_INET6 ? "ipv6.nxt" : "ip.proto", f->key.proto);
		break;
	}
	return out;
}
