/* decode/link.c — link-layer headers: Ethernet (802.1Q, QinQ, 802.3 SNAP),
 * Linux cooked v1 and v2, BSD NULL/LOOP and the headerless raw IP types. Owns the
 * decision of which network layer a frame carries. */
#include "decode_internal.h"

enum {
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_IPV6 = 0x86dd,
	ETHERTYPE_VLAN = 0x8100,
	ETHERTYPE_QINQ = 0x88a8,
	ETHERTYPE_QINQ_OLD = 0x9100,
	ETH_HDR_LEN = 14,
	SLL_HDR_LEN = 16,
	SLL2_HDR_LEN = 20,
	NULL_HDR_LEN = 4,
};

static bool is_vlan_type(uint16_t type)
{
	return type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD;
}

/* Follows VLAN tags after an EtherType field and maps the final type. */
static int from_ethertype(uint16_t type, struct gw_cursor *c, enum gw__net *net)
{
	for (int tags = 0; is_vlan_type(type); tags++) {
		if (tags == GW__MAX_VLAN_TAGS)
			return GW_MAL_VLAN_DEPTH;
		if (!gw_cursor_skip(c, 2) || !gw_cursor_be16(c, &type))
			return GW_MAL_TRUNCATED_LINK;
	}
	if (type == ETHERTYPE_IPV4)
		*net = GW__NET_IPV4;
	else if (type == ETHERTYPE_IPV6)
		*net = GW__NET_IPV6;
	else
		*net = GW__NET_OTHER;
	return GW__DEC_OK;
}

static int decode_ethernet(struct gw_cursor *c, enum gw__net *net)
{
	uint16_t type;
	if (!gw_cursor_skip(c, 12) || !gw_cursor_be16(c, &type))
		return GW_MAL_TRUNCATED_LINK;
	if (type <= 1500) {
		/* 802.3 length: only LLC/SNAP (AA AA 03, OUI 0) can carry IP. */
		uint8_t llc[6];
		if (!gw_cursor_bytes(c, llc, sizeof llc))
			return GW_MAL_TRUNCATED_LINK;
		if (llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03 || llc[3] || llc[4] ||
		    llc[5]) {
			*net = GW__NET_OTHER;
			return GW__DEC_OK;
		}
		if (!gw_cursor_be16(c, &type))
			return GW_MAL_TRUNCATED_LINK;
	}
	return from_ethertype(type, c, net);
}

static int decode_sll(struct gw_cursor *c, enum gw__net *net)
{
	uint16_t type;
	if (!gw_cursor_skip(c, SLL_HDR_LEN - 2) || !gw_cursor_be16(c, &type))
		return GW_MAL_TRUNCATED_LINK;
	return from_ethertype(type, c, net);
}

static int decode_sll2(struct gw_cursor *c, enum gw__net *net)
{
	uint16_t type;
	if (!gw_cursor_be16(c, &type) || !gw_cursor_skip(c, SLL2_HDR_LEN - 2))
		return GW_MAL_TRUNCATED_LINK;
	return from_ethertype(type, c, net);
}

/* BSD address-family values for IPv6 differ by system: Linux 10, BSDs 24, FreeBSD 28, Darwin 30. */
static enum gw__net from_bsd_family(uint32_t af)
{
	if (af == 2)
		return GW__NET_IPV4;
	if (af == 10 || af == 24 || af == 28 || af == 30)
		return GW__NET_IPV6;
	return GW__NET_OTHER;
}

/* NULL: the family is in the byte order of the host that captured, which the
 * file does not say; family values are small, so the non-zero half tells. */
static int decode_null(struct gw_cursor *c, enum gw__net *net, bool big_endian_only)
{
	uint32_t be;
	struct gw_cursor peek = *c;
	if (!gw_cursor_be32(c, &be))
		return GW_MAL_TRUNCATED_LINK;
	if (!big_endian_only && (be & 0xffff) == 0) {
		uint32_t le;
		if (!gw_cursor_le32(&peek, &le))
			return GW_MAL_TRUNCATED_LINK;
		be = le;
	}
	*net = from_bsd_family(be);
	return GW__DEC_OK;
}

int gw__decode_link(int linktype, struct gw_cursor *c, enum gw__net *net)
{
	switch (linktype) {
	case GW_LINKTYPE_ETHERNET:
		return decode_ethernet(c, net);
	case GW_LINKTYPE_LINUX_SLL:
		return decode_sll(c, net);
	case GW_LINKTYPE_LINUX_SLL2:
		return decode_sll2(c, net);
	case GW_LINKTYPE_NULL:
		return decode_null(c, net, false);
	case GW_LINKTYPE_LOOP:
		return decode_null(c, net, true);
	case GW_LINKTYPE_RAW:
		*net = GW__NET_IP_ANY;
		return GW__DEC_OK;
	case GW_LINKTYPE_IPV4:
		*net = GW__NET_IPV4;
		return GW__DEC_OK;
	case GW_LINKTYPE_IPV6:
		*net = GW__NET_IPV6;
		return GW__DEC_OK;
	default:
		return GW__DEC_UNSUPPORTED;
	}
}

bool gw_decode_linktype_supported(int linktype)
{
	switch (linktype) {
	case GW_LINKTYPE_ETHERNET:
	case GW_LINKTYPE_LINUX_SLL:
	case GW_LINKTYPE_LINUX_SLL2:
	case GW_LINKTYPE_NULL:
	case GW_LINKTYPE_LOOP:
	case GW_LINKTYPE_RAW:
	case GW_LINKTYPE_IPV4:
	case GW_LINKTYPE_IPV6:
		return true;
	default:
		return false;
	}
}
