/* os/linux/inet_diag.c — TCP, UDP and RAW sockets over IPv4 and IPv6 as sock_diag
 * reports them: builds the inet_diag dump and exact-tuple requests, parses each
 * inet_diag_msg and its attributes into a struct gw_socket, and checks that an
 * exact lookup's answer is the socket asked for. */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "netlink_internal.h"

_Static_assert(sizeof(struct inet_diag_req_v2) == 56, "inet_diag_req_v2 is 56 bytes");
_Static_assert(sizeof(struct inet_diag_msg) == 72, "inet_diag_msg is 72 bytes");
_Static_assert(GW__INET_DIAG_REQ_LEN == 16 + sizeof(struct inet_diag_req_v2), "request size");

/* Every TCP state from ESTABLISHED to NEW_SYN_RECV. Not TCP_BOUND_INACTIVE
 * (13, Linux >= 6.6): a socket that was only bound can neither send nor
 * receive, and ss does not list it either. */
#define ALL_STATES 0x1ffeu

/* TCP_BOUND_INACTIVE, as the kernel may report it: the socket is really CLOSE. */
#define STATE_BOUND_INACTIVE 13

static void put_req(uint8_t req[GW__INET_DIAG_REQ_LEN], const struct inet_diag_req_v2 *r)
{
	struct nlmsghdr h = {.nlmsg_len = GW__INET_DIAG_REQ_LEN,
	                     .nlmsg_type = SOCK_DIAG_BY_FAMILY,
	                     .nlmsg_flags = NLM_F_REQUEST};
	memcpy(req, &h, sizeof h);
	memcpy(req + sizeof h, r, sizeof *r);
}

void gw__inet_diag_dump_req(uint8_t req[GW__INET_DIAG_REQ_LEN], uint8_t family, uint8_t protocol)
{
	/* RAW: the dump walks every raw socket of the family, whatever IP protocol
	 * it was opened for (sdiag_raw_protocol only matters to exact requests). */
	struct inet_diag_req_v2 r = {
	        .sdiag_family = family, .sdiag_protocol = protocol, .idiag_states = ALL_STATES};
	put_req(req, &r);
}

static void put_addr(__be32 dst[4], const struct gw_addr *a)
{
	memcpy(dst, a->bytes, a->family == GW_AF_INET ? 4 : 16);
}

bool gw__inet_diag_exact_req(uint8_t req[GW__INET_DIAG_REQ_LEN], const struct gw_sock_query *q,
                             struct gw__diag_kind *kind)
{
	if ((q->proto != GW_SOCK_TCP && q->proto != GW_SOCK_UDP) ||
	    (q->local.family != GW_AF_INET && q->local.family != GW_AF_INET6) ||
	    q->remote.family != q->local.family)
		return false;
	kind->family = q->local.family == GW_AF_INET ? AF_INET : AF_INET6;
	kind->protocol = q->proto == GW_SOCK_TCP ? IPPROTO_TCP : IPPROTO_UDP;
	struct inet_diag_req_v2 r = {.sdiag_family = kind->family,
	                             .sdiag_protocol = kind->protocol,
	                             .idiag_states = ALL_STATES};
	/* TCP takes the socket's own view (src = local). UDP's lookup is the one a
	 * packet arriving from the remote end would meet, so src is the remote end
	 * ("src and dst are swapped for historical reasons", net/ipv4/udp_diag.c). */
	bool swap = q->proto == GW_SOCK_UDP;
	const struct gw_addr *src = swap ? &q->remote : &q->local;
	const struct gw_addr *dst = swap ? &q->local : &q->remote;
	uint16_t sport = swap ? q->remote_port : q->local_port;
	uint16_t dport = swap ? q->local_port : q->remote_port;
	r.id.idiag_sport = htons(sport);
	r.id.idiag_dport = htons(dport);
	put_addr(r.id.idiag_src, src);
	put_addr(r.id.idiag_dst, dst);
	r.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	put_req(req, &r);
	return true;
}

/* ---- the answer to an exact request ---- */

bool gw__inet_diag_answers(const struct gw_socket *s, const struct gw_sock_query *q)
{
	if (s->proto != q->proto || s->local_port != q->local_port)
		return false;
	if (!gw_addr_is_unspecified(&s->local) && !gw_addr_socket_is(&s->local, &q->local))
		return false;
	if (s->remote_port == 0 &&
	    gw_addr_is_unspecified(&s->remote)) /* a listener, or unconnected UDP */
		return s->state == GW_SS_LISTEN ||
		       (s->proto == GW_SOCK_UDP && s->state == GW_SS_CLOSE);
	return s->remote_port == q->remote_port && gw_addr_socket_is(&s->remote, &q->remote);
}

/* ---- inet_diag_msg ---- */

static int proto_of(uint8_t protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return GW_SOCK_TCP;
	case IPPROTO_UDP:
		return GW_SOCK_UDP;
	case IPPROTO_RAW:
		return GW_SOCK_RAW;
	default:
		return 0;
	}
}

static uint8_t state_of(uint8_t kernel_state)
{
	if (kernel_state == STATE_BOUND_INACTIVE)
		return GW_SS_CLOSE;
	return kernel_state < GW_SS_MAX ? kernel_state : GW_SS_UNKNOWN;
}

/* The attributes after the message: each bounded; the ones whose payload is
 * read, or whose size is fixed, must be long enough. */
static int parse_attrs(struct gw_cursor c, struct gw_socket *s, bool *has_protocol)
{
	static const uint8_t min_len[] = {
	        [INET_DIAG_SHUTDOWN] = 1, [INET_DIAG_PROTOCOL] = 1,  [INET_DIAG_SKV6ONLY] = 1,
	        [INET_DIAG_MARK] = 4,     [INET_DIAG_CGROUP_ID] = 8, [INET_DIAG_SOCKOPT] = 2,
	};
	uint16_t type;
	struct gw_cursor payload;
	int r;
	while ((r = gw__nl_attr_next(&c, &type, &payload)) > 0) {
		if (type < sizeof min_len && !gw_cursor_has(&payload, min_len[type]))
			return GW__NL_SHORT_ATTR;
		if (type == INET_DIAG_PROTOCOL) {
			(void)gw_cursor_u8(&payload, &s->raw_protocol);
			*has_protocol = true;
		}
		if (type == INET_DIAG_SKV6ONLY) {
			uint8_t v6only = 0;
			(void)gw_cursor_u8(&payload, &v6only);
			s->v6only = v6only != 0;
		}
		if (type == INET_DIAG_SOCKOPT) {
			/* struct inet_diag_sockopt: bit 5 of its first byte is
			 * transparent (the kernel sends it to every dump, >= 5.10) */
			uint8_t bits = 0;
			(void)gw_cursor_u8(&payload, &bits);
			s->transparent = (bits & 0x20) != 0;
		}
	}
	return r < 0 ? -r : 0;
}

/* The fixed part: struct inet_diag_msg, field by field. */
static int parse_msg(struct gw_cursor *c, struct gw_socket *s, uint8_t *sport_raw)
{
	uint8_t family, state, timer, retrans, src[16], dst[16];
	uint16_t sport, dport;
	uint32_t ifindex, cookie[2], expires;
	if (!gw_cursor_u8(c, &family) || !gw_cursor_u8(c, &state) || !gw_cursor_u8(c, &timer) ||
	    !gw_cursor_u8(c, &retrans) || !gw_cursor_be16(c, &sport) ||
	    !gw_cursor_be16(c, &dport) || !gw_cursor_bytes(c, src, 16) ||
	    !gw_cursor_bytes(c, dst, 16) || !gw__cursor_ne32(c, &ifindex) ||
	    !gw__cursor_ne32(c, &cookie[0]) || !gw__cursor_ne32(c, &cookie[1]) ||
	    !gw__cursor_ne32(c, &expires) || !gw__cursor_ne32(c, &s->rx_queue) ||
	    !gw__cursor_ne32(c, &s->tx_queue) || !gw__cursor_ne32(c, &s->uid))
		return GW__NL_SHORT_MSG;
	uint32_t inode;
	if (!gw__cursor_ne32(c, &inode))
		return GW__NL_SHORT_MSG;
	if (family == AF_INET) {
		gw_addr_set4(&s->local, src);
		gw_addr_set4(&s->remote, dst);
	} else if (family == AF_INET6) {
		gw_addr_set6(&s->local, src);
		gw_addr_set6(&s->remote, dst);
	} else {
		return GW__NL_BAD_FAMILY;
	}
	s->family = s->local.family;
	s->state = state_of(state);
	s->local_port = sport;
	s->remote_port = dport;
	s->ifindex = ifindex;
	s->cookie = (uint64_t)cookie[1] << 32 | cookie[0];
	s->inode = inode;
	*sport_raw = (uint8_t)sport;
	return 0;
}

int gw__inet_diag_parse(uint8_t protocol, struct gw_cursor msg, struct gw_socket *s)
{
	memset(s, 0, sizeof *s);
	s->proto = (uint8_t)proto_of(protocol);
	if (!s->proto)
		return GW__NL_BAD_RECORD; /* only a recording can name another protocol */
	uint8_t sport_raw;
	int why = parse_msg(&msg, s, &sport_raw);
	bool has_protocol = false;
	if (why || (why = parse_attrs(msg, s, &has_protocol)))
		return why;
	if (s->proto == GW_SOCK_RAW) {
		/* A raw socket's "port" is the IP protocol it was opened for. */
		if (!has_protocol)
			s->raw_protocol = sport_raw;
		s->local_port = 0;
		s->remote_port = 0;
	} else {
		s->raw_protocol = 0;
	}
	return 0;
}

bool gw__inet_diag_protocol(struct gw_cursor msg, uint8_t *protocol)
{
	uint16_t type;
	struct gw_cursor payload;
	if (!gw_cursor_skip(&msg, sizeof(struct inet_diag_msg)))
		return false;
	while (gw__nl_attr_next(&msg, &type, &payload) > 0)
		if (type == INET_DIAG_PROTOCOL)
			return gw_cursor_u8(&payload, protocol);
	return false;
}
