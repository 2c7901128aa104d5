/* decode/transport.c — TCP (with options), UDP, ICMP and ICMPv6 headers, and the
 * packet an ICMP error quotes, which links the error to the flow it answers. */
#include "decode_internal.h"

enum {
	TCP_MIN_HDR = 20,
	UDP_HDR = 8,
	ICMP_HDR = 8,
	ICMP_ECHO_REPLY = 0,
	ICMP_UNREACH = 3,
	ICMP_SOURCE_QUENCH = 4,
	ICMP_REDIRECT = 5,
	ICMP_ECHO = 8,
	ICMP_TIME_EXCEEDED = 11,
	ICMP_PARAM_PROBLEM = 12,
	ICMP6_UNREACH = 1,
	ICMP6_PACKET_TOO_BIG = 2,
	ICMP6_TIME_EXCEEDED = 3,
	ICMP6_PARAM_PROBLEM = 4,
	ICMP6_ECHO = 128,
	ICMP6_ECHO_REPLY = 129,
};

/* Points p->payload at what was captured of the payload, when the datagram is
 * whole (not a fragment). c is at the first payload byte. */
static void set_payload(const struct gw_cursor *c, struct gw_packet *p)
{
	if (p->is_fragment)
		return;
	size_t have = gw_cursor_left(c);
	p->payload = c->p;
	p->payload_caplen = have < p->payload_len ? (uint32_t)have : p->payload_len;
}

static int decode_tcp(struct gw_cursor *c, uint32_t l4_len, struct gw_packet *p)
{
	struct gw_cursor h = *c;
	uint16_t sport, dport, win;
	uint8_t off, flags;
	if (!gw_cursor_has(&h, TCP_MIN_HDR) || !gw_cursor_be16(&h, &sport) ||
	    !gw_cursor_be16(&h, &dport) || !gw_cursor_skip(&h, 8) || !gw_cursor_u8(&h, &off) ||
	    !gw_cursor_u8(&h, &flags) || !gw_cursor_be16(&h, &win) || !gw_cursor_skip(&h, 4))
		return GW_MAL_TRUNCATED_TCP;
	size_t hlen = (size_t)(off >> 4) * 4;
	if (hlen < TCP_MIN_HDR || hlen > l4_len)
		return GW_MAL_BAD_TCP_OFFSET;
	/* Options may be cut off: only by the snap length, as decode.c has already
	 * refused frames captured whole that hold less than their IP length. */
	p->sport = sport;
	p->dport = dport;
	p->tcp_flags = flags;
	p->tcp_window = win;
	p->has_ports = true;
	p->payload_len = l4_len - (uint32_t)hlen;
	struct gw_cursor opts = h;
	size_t opts_len = hlen - TCP_MIN_HDR;
	if (opts_len > gw_cursor_left(&opts))
		opts_len = gw_cursor_left(&opts);
	p->tcp_opts = opts.p;
	p->tcp_opts_len = (uint8_t)opts_len;
	if (gw_cursor_skip(&h, hlen - TCP_MIN_HDR))
		set_payload(&h, p);
	if ((flags & (GW_TCP_SYN | GW_TCP_ACK)) == GW_TCP_SYN)
		p->syn_quirks = gw_syn_quirks(p);
	return GW__DEC_OK;
}

static int decode_udp(struct gw_cursor *c, uint32_t l4_len, struct gw_packet *p)
{
	uint16_t sport, dport, len;
	if (!gw_cursor_be16(c, &sport) || !gw_cursor_be16(c, &dport) || !gw_cursor_be16(c, &len))
		return GW_MAL_TRUNCATED_UDP;
	/* Length 0 is legal only in IPv6 jumbograms; take the IP length then. */
	if (len != 0 && len < UDP_HDR)
		return GW_MAL_BAD_UDP_LENGTH;
	p->sport = sport;
	p->dport = dport;
	p->has_ports = true;
	p->payload_len = l4_len >= UDP_HDR ? l4_len - UDP_HDR : 0;
	if (gw_cursor_skip(c, 2)) /* the checksum */
		set_payload(c, p);
	return GW__DEC_OK;
}

static bool is_icmp_error(bool v6, uint8_t type)
{
	if (v6)
		return type == ICMP6_UNREACH || type == ICMP6_PACKET_TOO_BIG ||
		       type == ICMP6_TIME_EXCEEDED || type == ICMP6_PARAM_PROBLEM;
	return type == ICMP_UNREACH || type == ICMP_SOURCE_QUENCH || type == ICMP_REDIRECT ||
	       type == ICMP_TIME_EXCEEDED || type == ICMP_PARAM_PROBLEM;
}

static bool is_icmp_echo(bool v6, uint8_t type)
{
	if (v6)
		return type == ICMP6_ECHO || type == ICMP6_ECHO_REPLY;
	return type == ICMP_ECHO || type == ICMP_ECHO_REPLY;
}

static int decode_icmp(struct gw_cursor *c, uint32_t l4_len, bool v6, struct gw_packet *p,
                       struct gw_decode_stats *stats)
{
	uint8_t type, code;
	uint16_t csum;
	if (!gw_cursor_u8(c, &type) || !gw_cursor_u8(c, &code) || !gw_cursor_be16(c, &csum))
		return GW_MAL_TRUNCATED_ICMP;
	(void)csum;
	p->icmp_type = type;
	p->icmp_code = code;
	p->payload_len = l4_len >= ICMP_HDR ? l4_len - ICMP_HDR : 0;
	if (is_icmp_echo(v6, type)) {
		uint16_t id;
		if (!gw_cursor_be16(c, &id))
			return GW_MAL_TRUNCATED_ICMP;
		p->sport = p->dport = id;
		p->has_ports = true;
	} else if (is_icmp_error(v6, type)) {
		if (!gw_cursor_skip(c, 4))
			return GW_MAL_TRUNCATED_ICMP;
		p->is_icmp_error = true;
		p->quoted_ok = gw__decode_quoted(c, v6, &p->quoted);
		if (!p->quoted_ok)
			stats->quoted_unreadable++;
	}
	return GW__DEC_OK;
}

int gw__decode_transport(struct gw_cursor *l4, uint32_t l4_len, struct gw_packet *p,
                         struct gw_decode_stats *stats)
{
	if (p->is_fragment && p->frag_offset != 0)
		return GW__DEC_OK; /* a middle or last fragment: no transport header */
	switch (p->proto) {
	case GW_IPPROTO_TCP:
		return decode_tcp(l4, l4_len, p);
	case GW_IPPROTO_UDP:
		return decode_udp(l4, l4_len, p);
	case GW_IPPROTO_ICMP:
		if (p->src.family != GW_AF_INET)
			return GW__DEC_OK;
		return decode_icmp(l4, l4_len, false, p, stats);
	case GW_IPPROTO_ICMPV6:
		if (p->src.family != GW_AF_INET6)
			return GW__DEC_OK;
		return decode_icmp(l4, l4_len, true, p, stats);
	default:
		return GW__DEC_OK;
	}
}

/* The quoted packet is usually cut short, so its IP length fields are not
 * checked against what is present; only its addresses and ports are read. */
bool gw__decode_quoted(struct gw_cursor *c, bool v6, struct gw_quoted *q)
{
	struct gw_packet inner = {0};
	struct gw_cursor l4;
	uint32_t l4_len;
	int r = v6 ? gw__decode_ipv6(c, &inner, &l4, &l4_len)
	           : gw__decode_ipv4(c, &inner, &l4, &l4_len);
	if (r != GW__DEC_OK || (inner.is_fragment && inner.frag_offset != 0))
		return false;
	q->proto = inner.proto;
	q->src = inner.src;
	q->dst = inner.dst;
	q->sport = q->dport = 0;
	bool icmp = inner.proto == (v6 ? GW_IPPROTO_ICMPV6 : GW_IPPROTO_ICMP);
	if (inner.proto == GW_IPPROTO_TCP || inner.proto == GW_IPPROTO_UDP) {
		return gw_cursor_be16(&l4, &q->sport) && gw_cursor_be16(&l4, &q->dport);
	} else if (icmp) {
		uint8_t type;
		uint16_t id;
		if (!gw_cursor_u8(&l4, &type) || !gw_cursor_skip(&l4, 3))
			return false;
		if (is_icmp_echo(v6, type)) {
			if (!gw_cursor_be16(&l4, &id))
				return false;
			q->sport = q->dport = id;
		}
	}
	return true;
}
