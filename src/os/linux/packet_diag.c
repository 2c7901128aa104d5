/* os/linux/packet_diag.c — AF_PACKET sockets as packet_diag reports them: builds
 * the dump request and parses each packet_diag_msg and its attributes (bound
 * protocol, type, interface, uid, whether a BPF filter is attached) into a
 * struct gw_socket. */
#include <string.h>
#include <sys/socket.h>

#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>

#include "netlink_internal.h"

_Static_assert(sizeof(struct packet_diag_req) == 20, "packet_diag_req is 20 bytes");
_Static_assert(sizeof(struct packet_diag_msg) == 16, "packet_diag_msg is 16 bytes");
_Static_assert(sizeof(struct packet_diag_info) == 24, "packet_diag_info is 24 bytes");
_Static_assert(sizeof(struct sock_filter) == 8, "a classic BPF instruction is 8 bytes");
_Static_assert(GW__PACKET_DIAG_REQ_LEN == 16 + sizeof(struct packet_diag_req), "request size");

void gw__packet_diag_dump_req(uint8_t req[GW__PACKET_DIAG_REQ_LEN])
{
	struct nlmsghdr h = {.nlmsg_len = GW__PACKET_DIAG_REQ_LEN,
	                     .nlmsg_type = SOCK_DIAG_BY_FAMILY,
	                     .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP};
	struct packet_diag_req r = {.sdiag_family = AF_PACKET,
	                            .pdiag_show = PACKET_SHOW_INFO | PACKET_SHOW_FILTER};
	memcpy(req, &h, sizeof h);
	memcpy(req + sizeof h, &r, sizeof r);
}

/* PACKET_DIAG_FILTER: the attached classic BPF program, one 8-byte instruction
 * after another. Empty when the kernel will not show it (no CAP_NET_ADMIN);
 * absent when no filter is attached, or when it is eBPF (SO_ATTACH_BPF), whose
 * original program the kernel does not keep. */
static int parse_filter(struct gw_cursor payload, struct gw_socket *s)
{
	size_t n = gw_cursor_left(&payload);
	if (n % sizeof(struct sock_filter))
		return GW__NL_SHORT_ATTR;
	s->packet_filter = n > 0;
	return 0;
}

static int parse_attrs(struct gw_cursor c, struct gw_socket *s)
{
	uint16_t type;
	struct gw_cursor payload;
	int r, why;
	while ((r = gw__nl_attr_next(&c, &type, &payload)) > 0) {
		switch (type) {
		case PACKET_DIAG_INFO:
			/* pdi_index is first; the rest (version, flags, ...) is not kept. */
			if (!gw_cursor_has(&payload, sizeof(struct packet_diag_info)))
				return GW__NL_SHORT_ATTR;
			(void)gw__cursor_ne32(&payload, &s->ifindex);
			break;
		case PACKET_DIAG_UID:
			if (!gw__cursor_ne32(&payload, &s->uid))
				return GW__NL_SHORT_ATTR;
			break;
		case PACKET_DIAG_FILTER:
			if ((why = parse_filter(payload, s)))
				return why;
			break;
		default:
			break;
		}
	}
	return r < 0 ? -r : 0;
}

int gw__packet_diag_parse(struct gw_cursor msg, struct gw_socket *s)
{
	memset(s, 0, sizeof *s);
	uint8_t family, type;
	uint16_t num;
	uint32_t ino, cookie[2];
	if (!gw_cursor_u8(&msg, &family) || !gw_cursor_u8(&msg, &type) ||
	    !gw__cursor_ne16(&msg, &num) || !gw__cursor_ne32(&msg, &ino) ||
	    !gw__cursor_ne32(&msg, &cookie[0]) || !gw__cursor_ne32(&msg, &cookie[1]))
		return GW__NL_SHORT_MSG;
	if (family != AF_PACKET)
		return GW__NL_BAD_FAMILY;
	s->proto = GW_SOCK_PACKET;
	s->family = GW_AF_NONE;
	s->state = GW_SS_CLOSE; /* ss: UNCONN */
	s->packet_type = type;
	s->packet_proto = num; /* the kernel converts it to host order (ntohs(po->num)) */
	s->inode = ino;
	s->cookie = (uint64_t)cookie[1] << 32 | cookie[0];
	return parse_attrs(msg, s);
}
