/* os/linux/hostevents_parse.c — reads kernel event datagrams: process-connector
 * messages (fork, exec, exit), rtnetlink address messages and sock_diag destroy
 * notifications, through a bounded cursor. Values are in the host's byte order. */
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "ghostwire/cursor.h"
#include "hostevents_internal.h"
#include "netlink_internal.h"

enum {
	CN_MSG_HDR = 20,
	RTA_HDR = 4
};

/* Calls each(type, payload) for every netlink message in buf; returns how many
 * were malformed. A malformed header ends the walk (nothing after it can be
 * trusted to be aligned). */
static uint64_t walk(const uint8_t *buf, size_t len,
                     uint64_t (*each)(uint16_t type, struct gw_cursor *payload,
                                      struct gw_host_event *out, size_t max, size_t *n),
                     struct gw_host_event *out, size_t max, size_t *n)
{
	struct gw_cursor c = gw_cursor_make(buf, len);
	uint64_t bad = 0;
	while (gw_cursor_left(&c) > 0 && *n < max) {
		struct gw__nlmsg m;
		if (gw__nl_next_msg(&c, &m) != 0)
			return bad + 1;
		if (m.type != NLMSG_NOOP && m.type != NLMSG_ERROR)
			bad += each(m.type, &m.payload, out, max, n);
	}
	return bad;
}

static uint64_t one_proc(uint16_t type, struct gw_cursor *c, struct gw_host_event *out, size_t max,
                         size_t *n)
{
	(void)type;
	(void)max;
	uint32_t idx, val, what, cpu, a[4];
	uint64_t ts;
	if (!gw__cursor_ne32(c, &idx) || !gw__cursor_ne32(c, &val) ||
	    !gw_cursor_skip(c, CN_MSG_HDR - 8))
		return 1;
	if (idx != CN_IDX_PROC || val != CN_VAL_PROC)
		return 0; /* another connector user: not ours */
	if (!gw__cursor_ne32(c, &what) || !gw__cursor_ne32(c, &cpu) ||
	    !gw_cursor_bytes(c, &ts, sizeof ts))
		return 1;
	struct gw_host_event *e = &out[*n];
	memset(e, 0, sizeof *e);
	switch (what) {
	case PROC_EVENT_FORK: /* parent pid, parent tgid, child pid, child tgid */
		if (!gw__cursor_ne32(c, &a[0]) || !gw__cursor_ne32(c, &a[1]) ||
		    !gw__cursor_ne32(c, &a[2]) || !gw__cursor_ne32(c, &a[3]))
			return 1;
		if (a[2] != a[3])
			return 0; /* a new thread, not a new process */
		e->type = GW_HEV_FORK;
		e->pid = (int32_t)a[3];
		e->ppid = (int32_t)a[1];
		break;
	case PROC_EVENT_EXEC: /* pid, tgid */
		if (!gw__cursor_ne32(c, &a[0]) || !gw__cursor_ne32(c, &a[1]))
			return 1;
		e->type = GW_HEV_EXEC;
		e->pid = (int32_t)a[1];
		break;
	case PROC_EVENT_EXIT: /* pid, tgid, exit code, signal[, parent pid, parent tgid] */
		if (!gw__cursor_ne32(c, &a[0]) || !gw__cursor_ne32(c, &a[1]))
			return 1;
		if (a[0] != a[1])
			return 0; /* a thread ended */
		e->type = GW_HEV_EXIT;
		e->pid = (int32_t)a[1];
		if (gw_cursor_skip(c, 8) && gw__cursor_ne32(c, &a[2]) && gw__cursor_ne32(c, &a[3]))
			e->ppid = (int32_t)a[3];
		break;
	default:
		return 0; /* uid/gid/sid/comm/ptrace/coredump changes: not needed */
	}
	(*n)++;
	return 0;
}

uint64_t gw__hev_parse_proc(const uint8_t *buf, size_t len, struct gw_host_event *out, size_t max,
                            size_t *n)
{
	return walk(buf, len, one_proc, out, max, n);
}

static uint64_t one_addr(uint16_t type, struct gw_cursor *c, struct gw_host_event *out, size_t max,
                         size_t *n)
{
	(void)max;
	if (type != RTM_NEWADDR && type != RTM_DELADDR)
		return 0;
	uint8_t family, prefixlen, flags, scope;
	uint32_t index;
	if (!gw_cursor_u8(c, &family) || !gw_cursor_u8(c, &prefixlen) || !gw_cursor_u8(c, &flags) ||
	    !gw_cursor_u8(c, &scope) || !gw__cursor_ne32(c, &index))
		return 1;
	size_t alen = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
	if (alen == 0)
		return 0;
	/* IFA_LOCAL is the interface's own address on point-to-point links;
	 * IFA_ADDRESS otherwise (and the peer's on point-to-point). */
	uint8_t address[16], local[16];
	bool have_address = false, have_local = false;
	uint16_t rtype;
	struct gw_cursor data;
	while (gw_cursor_left(c) >= RTA_HDR) { /* stray bytes under a header: ignored */
		if (gw__nl_attr_next(c, &rtype, &data) < 0)
			return 1;
		if ((rtype == IFA_ADDRESS || rtype == IFA_LOCAL) && gw_cursor_left(&data) == alen) {
			gw_cursor_bytes(&data, rtype == IFA_LOCAL ? local : address, alen);
			*(rtype == IFA_LOCAL ? &have_local : &have_address) = true;
		}
	}
	if (!have_local && !have_address)
		return 1;
	struct gw_host_event *e = &out[*n];
	memset(e, 0, sizeof *e);
	e->type = type == RTM_NEWADDR ? GW_HEV_ADDR_ADD : GW_HEV_ADDR_DEL;
	e->ifindex = index;
	const uint8_t *a = have_local ? local : address;
	if (family == AF_INET)
		gw_addr_set4(&e->addr.net, a);
	else
		gw_addr_set6(&e->addr.net, a);
	e->addr.prefix = (uint8_t)(alen * 8);
	(*n)++;
	return 0;
}

uint64_t gw__hev_parse_addr(const uint8_t *buf, size_t len, struct gw_host_event *out, size_t max,
                            size_t *n)
{
	return walk(buf, len, one_addr, out, max, n);
}

/* A destroy notification is an inet_diag_msg on a socket subscribed to the TCP
 * and UDP groups of both families; its INET_DIAG_PROTOCOL attribute says which
 * (without it the message is malformed: it cannot be told apart). */
static uint64_t one_destroy(uint16_t type, struct gw_cursor *c, struct gw_host_event *out,
                            size_t max, size_t *n)
{
	(void)max;
	if (type != SOCK_DIAG_BY_FAMILY)
		return 0;
	uint8_t protocol;
	if (!gw__inet_diag_protocol(*c, &protocol) ||
	    (protocol != IPPROTO_TCP && protocol != IPPROTO_UDP))
		return 1;
	struct gw_host_event *e = &out[*n];
	memset(e, 0, sizeof *e);
	if (gw__inet_diag_parse(protocol, *c, &e->sock) != 0)
		return 1;
	e->type = GW_HEV_SOCK_DESTROY;
	(*n)++;
	return 0;
}

uint64_t gw__hev_parse_destroy(const uint8_t *buf, size_t len, struct gw_host_event *out,
                               size_t max, size_t *n)
{
	return walk(buf, len, one_destroy, out, max, n);
}
