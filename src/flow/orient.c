/* flow/orient.c — which end of a new flow is local, and which end opened it.
 * With local networks known, an address in them is local. Without them, the
 * opener is taken as local (the capture is usually of the host that connects
 * out): the sender of a bare SYN, the receiver of a SYN-ACK or echo reply, and
 * otherwise the first packet's sender unless it talks from a service port
 * (below 1024) to a non-service port, in which case it is the answering side. */
#include "flow_internal.h"

enum {
	SERVICE_PORT_MAX = 1023,
	ICMP_ECHO_REPLY = 0,
	ICMP6_ECHO_REPLY = 129
};

bool gw__tcp_opener_is_src(uint8_t flags)
{
	return !((flags & GW_TCP_SYN) && (flags & GW_TCP_ACK));
}

static bool opener_is_src(const struct gw_packet *p)
{
	if (p->proto == GW_IPPROTO_TCP && p->has_ports && (p->tcp_flags & GW_TCP_SYN))
		return gw__tcp_opener_is_src(p->tcp_flags);
	if ((p->proto == GW_IPPROTO_ICMP && p->icmp_type == ICMP_ECHO_REPLY) ||
	    (p->proto == GW_IPPROTO_ICMPV6 && p->icmp_type == ICMP6_ECHO_REPLY))
		return false;
	if ((p->proto == GW_IPPROTO_TCP || p->proto == GW_IPPROTO_UDP) && p->has_ports)
		return !(p->sport <= SERVICE_PORT_MAX && p->dport > SERVICE_PORT_MAX);
	return true;
}

static bool is_local(const struct gw_cidr *nets, unsigned n, const struct gw_addr *a)
{
	for (unsigned i = 0; i < n; i++)
		if (gw_cidr_contains(&nets[i], a))
			return true;
	return false;
}

void gw__flow_orient(const struct gw_cidr *nets, unsigned n_nets, const struct gw_packet *p,
                     bool *src_is_local, enum gw_orientation *orientation, bool *opener_src)
{
	*opener_src = opener_is_src(p);
	if (n_nets == 0) {
		*orientation = GW_ORIENT_OPENER;
		*src_is_local = *opener_src;
		return;
	}
	bool src_local = is_local(nets, n_nets, &p->src);
	bool dst_local = is_local(nets, n_nets, &p->dst);
	if (src_local != dst_local) {
		*orientation = GW_ORIENT_LOCAL_NET;
		*src_is_local = src_local;
	} else {
		/* Both local (loopback, host to itself) or neither (transit): the opener. */
		*orientation = src_local ? GW_ORIENT_LOCAL_NET : GW_ORIENT_TRANSIT;
		*src_is_local = *opener_src;
	}
}
