/* flow/names.c — how a flow reads in reports: the stable names of its states,
 * ends, orientations and transports, and its key's addresses. */
#include <stdio.h>
#include <string.h>

#include "ghostwire/flow.h"

const char *gw_tcp_state_name(enum gw_tcp_state s)
{
	static const char *const names[] = {
	        [GW_TCP_NONE] = "none",
	        [GW_TCP_MIDSTREAM] = "midstream",
	        [GW_TCP_SYN_SENT] = "syn-sent",
	        [GW_TCP_SYN_RECEIVED] = "syn-received",
	        [GW_TCP_ESTABLISHED] = "established",
	        [GW_TCP_CLOSING] = "closing",
	        [GW_TCP_CLOSED] = "closed",
	        [GW_TCP_RESET] = "reset",
	};
	return (unsigned)s < sizeof names / sizeof *names ? names[s] : "?";
}

const char *gw_flow_end_name(enum gw_flow_end e)
{
	static const char *const names[] = {
	        [GW_END_CLOSED] = "closed",   [GW_END_IDLE] = "idle",
	        [GW_END_EVICTED] = "evicted", [GW_END_INPUT] = "end-of-input",
	        [GW_END_REUSED] = "reused",
	};
	return (unsigned)e < sizeof names / sizeof *names ? names[e] : "?";
}

const char *gw_orientation_name(enum gw_orientation o)
{
	static const char *const names[] = {
	        [GW_ORIENT_LOCAL_NET] = "local-net",
	        [GW_ORIENT_OPENER] = "opener-rule",
	        [GW_ORIENT_TRANSIT] = "transit",
	};
	return (unsigned)o < sizeof names / sizeof *names ? names[o] : "?";
}

const char *gw_transport_name(uint8_t proto, char *buf, size_t size)
{
	switch (proto) {
	case GW_IPPROTO_TCP:
		return "tcp";
	case GW_IPPROTO_UDP:
		return "udp";
	case GW_IPPROTO_ICMP:
		return "icmp";
	case GW_IPPROTO_ICMPV6:
		return "ipv6-icmp";
	default:
		snprintf(buf, size, "ip-proto-%u", proto);
		return buf;
	}
}

static void key_addr(const struct gw_flow *f, const uint8_t bytes[16], struct gw_addr *out)
{
	if (f->key.family == GW_AF_INET6)
		gw_addr_set6(out, bytes);
	else
		gw_addr_set4(out, bytes);
}

void gw_flow_local_addr(const struct gw_flow *f, struct gw_addr *out)
{
	key_addr(f, f->key.local, out);
}

void gw_flow_remote_addr(const struct gw_flow *f, struct gw_addr *out)
{
	key_addr(f, f->key.remote, out);
}
