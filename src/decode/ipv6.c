/* decode/ipv6.c — the IPv6 header and its extension-header chain (hop-by-hop,
 * routing, destination options, fragment, AH, mobility). The chain is followed
 * within the captured bytes and a fixed depth; a non-first fragment stops it. */
#include "decode_internal.h"

enum {
	IPV6_HDR = 40,
	IPPROTO_MOBILITY = 135,
	IPPROTO_HIP = 139,
	IPPROTO_SHIM6 = 140
};

static bool is_extension(uint8_t nh)
{
	return nh == GW_IPPROTO_HOPOPTS || nh == GW_IPPROTO_ROUTING || nh == GW_IPPROTO_DSTOPTS ||
	       nh == GW_IPPROTO_FRAGMENT || nh == GW_IPPROTO_AH || nh == IPPROTO_MOBILITY ||
	       nh == IPPROTO_HIP || nh == IPPROTO_SHIM6;
}

/* Consumes one extension header of type nh from c; sets *next. Fragment headers
 * also fill p's fragment fields. Returns GW__DEC_OK or a malformed reason. */
static int skip_extension(uint8_t nh, struct gw_cursor *c, struct gw_packet *p, uint8_t *next)
{
	struct gw_cursor h = *c;
	uint8_t len8;
	if (!gw_cursor_u8(&h, next) || !gw_cursor_u8(&h, &len8))
		return GW_MAL_TRUNCATED_IPV6_EXT;
	size_t len;
	if (nh == GW_IPPROTO_FRAGMENT) {
		uint16_t offflags;
		uint32_t id;
		if (!gw_cursor_be16(&h, &offflags) || !gw_cursor_be32(&h, &id))
			return GW_MAL_TRUNCATED_IPV6_EXT;
		p->is_fragment = true;
		p->frag_offset = offflags >> 3;
		p->frag_id = id;
		len = 8;
	} else if (nh == GW_IPPROTO_AH) {
		len = ((size_t)len8 + 2) * 4; /* RFC 4302: in 32-bit words, minus 2 */
	} else {
		len = ((size_t)len8 + 1) * 8; /* RFC 8200: in 8-octet units, minus the first */
	}
	if (!gw_cursor_skip(c, len))
		return GW_MAL_TRUNCATED_IPV6_EXT;
	return GW__DEC_OK;
}

int gw__decode_ipv6(struct gw_cursor *c, struct gw_packet *p, struct gw_cursor *l4,
                    uint32_t *l4_len)
{
	uint32_t vtcfl;
	uint16_t plen;
	uint8_t nh, hlim, src[16], dst[16];

	if (!gw_cursor_be32(c, &vtcfl) || !gw_cursor_be16(c, &plen) || !gw_cursor_u8(c, &nh) ||
	    !gw_cursor_u8(c, &hlim) || !gw_cursor_bytes(c, src, 16) || !gw_cursor_bytes(c, dst, 16))
		return GW_MAL_TRUNCATED_IPV6;
	if (vtcfl >> 28 != 6)
		return GW_MAL_BAD_IPV6_VERSION;
	gw_addr_set6(&p->src, src);
	gw_addr_set6(&p->dst, dst);
	p->ttl = hlim;

	/* Payload length 0 is a jumbogram (RFC 2675) or TSO: take the capture. */
	size_t captured = gw_cursor_left(c);
	size_t claimed = plen ? plen : captured;
	struct gw_cursor body = gw_cursor_make(c->p, claimed < captured ? claimed : captured);

	for (int depth = 0; is_extension(nh); depth++) {
		if (depth == GW__MAX_IPV6_EXT)
			return GW_MAL_IPV6_EXT_CHAIN;
		const uint8_t *before = body.p;
		int r = skip_extension(nh, &body, p, &nh);
		if (r != GW__DEC_OK)
			return r;
		size_t used = (size_t)(body.p - before);
		claimed = claimed > used ? claimed - used : 0;
		if (p->is_fragment && p->frag_offset != 0)
			break; /* the rest is the middle of a datagram: no transport header */
	}
	p->proto = nh;
	*l4 = body;
	*l4_len = (uint32_t)claimed;
	return GW__DEC_OK;
}
