/* decode/ipv4.c — the IPv4 header: version, IHL and options, length fields,
 * fragmentation. Decides how many transport bytes the packet really carries
 * (trailing link padding is cut off; a length of 0 from TSO is tolerated). */
#include "decode_internal.h"

enum {
	IPV4_MIN_HDR = 20,
	IPV4_DF = 0x4000,
	IPV4_MF = 0x2000,
	IPV4_OFFSET_MASK = 0x1fff
};

int gw__decode_ipv4(struct gw_cursor *c, struct gw_packet *p, struct gw_cursor *l4,
                    uint32_t *l4_len)
{
	struct gw_cursor h = *c;
	uint8_t vihl, tos, ttl, proto;
	uint16_t total, id, frag, csum;
	uint8_t src[4], dst[4];

	if (!gw_cursor_u8(&h, &vihl) || !gw_cursor_u8(&h, &tos) || !gw_cursor_be16(&h, &total) ||
	    !gw_cursor_be16(&h, &id) || !gw_cursor_be16(&h, &frag) || !gw_cursor_u8(&h, &ttl) ||
	    !gw_cursor_u8(&h, &proto) || !gw_cursor_be16(&h, &csum) ||
	    !gw_cursor_bytes(&h, src, 4) || !gw_cursor_bytes(&h, dst, 4))
		return GW_MAL_TRUNCATED_IPV4;
	(void)tos;
	(void)csum;
	if (vihl >> 4 != 4)
		return GW_MAL_BAD_IPV4_VERSION;
	size_t hlen = (size_t)(vihl & 0x0f) * 4;
	if (hlen < IPV4_MIN_HDR)
		return GW_MAL_BAD_IPV4_IHL;
	/* A total length of 0 is what Linux records for TSO super-frames: take the capture. */
	size_t captured = gw_cursor_left(c);
	size_t claimed = total ? total : captured;
	if (claimed < hlen)
		return GW_MAL_BAD_IPV4_LENGTH;
	if (!gw_cursor_skip(c, hlen))
		return GW_MAL_TRUNCATED_IPV4_OPTIONS;

	gw_addr_set4(&p->src, src);
	gw_addr_set4(&p->dst, dst);
	p->proto = proto;
	p->ttl = ttl;
	p->frag_offset = frag & IPV4_OFFSET_MASK;
	p->is_fragment = (frag & IPV4_MF) || p->frag_offset;
	p->frag_id = id;
	p->ip_df = (frag & IPV4_DF) != 0;

	size_t body = claimed - hlen;
	size_t avail = gw_cursor_left(c);
	*l4 = gw_cursor_make(c->p, body < avail ? body : avail);
	*l4_len = (uint32_t)body;
	return GW__DEC_OK;
}
