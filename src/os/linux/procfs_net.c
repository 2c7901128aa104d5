/* os/linux/procfs_net.c — the /proc/net socket tables (tcp, tcp6, udp, udp6, raw,
 * raw6, packet) as struct gw_socket: the second, independent OS view. Owns the
 * meaning of each column and the reasons a line is refused; a refused line is
 * counted and named (file:line), never trusted. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfs_internal.h"

static const char *const table_names[GW__NET_TABLES] = {
        [GW__NET_TCP] = "tcp",       [GW__NET_TCP6] = "tcp6", [GW__NET_UDP] = "udp",
        [GW__NET_UDP6] = "udp6",     [GW__NET_RAW] = "raw",   [GW__NET_RAW6] = "raw6",
        [GW__NET_PACKET] = "packet",
};

const char *gw__net_table_name(enum gw__net_table t)
{
	return (unsigned)t < GW__NET_TABLES ? table_names[t] : "?";
}

/* An address as the kernel prints it: each 32-bit word of the address as a
 * native integer (%08X), so the word's bytes in this host's memory order are the
 * address bytes in network order. "0100007F" is 127.0.0.1 on little-endian. */
static bool parse_addr(struct gw_cursor tok, bool v6, struct gw_addr *a)
{
	size_t words = v6 ? 4 : 1;
	uint8_t bytes[16] = {0};
	if (gw_cursor_left(&tok) != words * 8)
		return false;
	for (size_t w = 0; w < words; w++) {
		struct gw_cursor h;
		uint64_t v;
		if (!gw_cursor_sub(&tok, 8, &h) || !gw__tok_hex(h, 8, 8, &v))
			return false;
		uint32_t word = (uint32_t)v;
		memcpy(bytes + 4 * w, &word, 4);
	}
	if (v6)
		gw_addr_set6(a, bytes);
	else
		gw_addr_set4(a, bytes);
	return true;
}

/* "ADDR:PORT" */
static bool parse_endpoint(struct gw_cursor tok, bool v6, struct gw_addr *a, uint16_t *port)
{
	struct gw_cursor addr;
	uint64_t p;
	if (!gw__tok_split(&tok, ':', &addr) || !parse_addr(addr, v6, a) ||
	    !gw__tok_hex(tok, 4, 4, &p))
		return false;
	*port = (uint16_t)p;
	return true;
}

/* "HEX:HEX", each 1..8 digits (the kernel writes 8). */
static bool parse_pair(struct gw_cursor tok, uint32_t *a, uint32_t *b)
{
	struct gw_cursor head;
	uint64_t x, y;
	if (!gw__tok_split(&tok, ':', &head) || !gw__tok_hex(head, 1, 8, &x) ||
	    !gw__tok_hex(tok, 1, 8, &y))
		return false;
	*a = (uint32_t)x;
	*b = (uint32_t)y;
	return true;
}

/* The slot number "N:" that starts every inet line. */
static bool parse_slot(struct gw_cursor tok)
{
	struct gw_cursor num;
	uint64_t v;
	return gw__tok_split(&tok, ':', &num) && gw_cursor_left(&tok) == 0 &&
	       gw__tok_dec(num, UINT32_MAX, &v);
}

/* tcp, udp, raw and their v6 twins share one layout:
 *   sl local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
 * RAW puts the IP protocol where the local port would be. */
static const char *parse_inet(enum gw__net_table t, struct gw_cursor c, struct gw_socket *s)
{
	bool v6 = t == GW__NET_TCP6 || t == GW__NET_UDP6 || t == GW__NET_RAW6;
	struct gw_cursor f[10];
	for (size_t i = 0; i < 10; i++)
		if (!gw__tok_next(&c, &f[i]))
			return "too few fields";
	uint64_t st, uid, inode, dummy;
	if (!parse_slot(f[0]))
		return "bad slot number";
	if (!parse_endpoint(f[1], v6, &s->local, &s->local_port))
		return "bad local address";
	if (!parse_endpoint(f[2], v6, &s->remote, &s->remote_port))
		return "bad remote address";
	if (!gw__tok_hex(f[3], 2, 2, &st) || st == GW_SS_UNKNOWN || st >= GW_SS_MAX)
		return "bad state";
	if (!parse_pair(f[4], &s->tx_queue, &s->rx_queue))
		return "bad tx_queue:rx_queue";
	struct gw_cursor when = f[5], tr;
	if (!gw__tok_split(&when, ':', &tr) || !gw__tok_hex(f[6], 1, 8, &dummy))
		return "bad timer fields";
	if (!gw__tok_dec(f[7], UINT32_MAX, &uid))
		return "bad uid";
	if (!gw__tok_dec(f[9], UINT64_MAX, &inode))
		return "bad inode";
	s->family = v6 ? GW_AF_INET6 : GW_AF_INET;
	s->state = (uint8_t)st;
	s->uid = (uint32_t)uid;
	s->inode = inode;
	if (t == GW__NET_TCP || t == GW__NET_TCP6) {
		s->proto = GW_SOCK_TCP;
	} else if (t == GW__NET_UDP || t == GW__NET_UDP6) {
		s->proto = GW_SOCK_UDP;
	} else {
		if (s->local_port > 255)
			return "bad raw protocol";
		s->proto = GW_SOCK_RAW;
		s->raw_protocol = (uint8_t)s->local_port;
		s->local_port = 0;
		s->remote_port = 0;
	}
	return NULL;
}

/* packet: sk RefCnt Type Proto Iface R Rmem User Inode */
static const char *parse_packet(struct gw_cursor c, struct gw_socket *s)
{
	struct gw_cursor f[9];
	for (size_t i = 0; i < 9; i++)
		if (!gw__tok_next(&c, &f[i]))
			return "too few fields";
	uint64_t v[9];
	if (!gw__tok_hex(f[0], 1, 16, &v[0]) || !gw__tok_dec(f[1], UINT32_MAX, &v[1]))
		return "bad sk or refcount";
	if (!gw__tok_dec(f[2], 10, &v[2]) || v[2] == 0)
		return "bad type";
	if (!gw__tok_hex(f[3], 4, 4, &v[3]))
		return "bad protocol";
	if (!gw__tok_dec(f[4], INT32_MAX, &v[4]))
		return "bad interface index";
	if (!gw__tok_dec(f[5], 1, &v[5]) || !gw__tok_dec(f[6], UINT32_MAX, &v[6]))
		return "bad running or rmem";
	if (!gw__tok_dec(f[7], UINT32_MAX, &v[7]))
		return "bad uid";
	if (!gw__tok_dec(f[8], UINT64_MAX, &v[8]))
		return "bad inode";
	s->proto = GW_SOCK_PACKET;
	s->family = GW_AF_NONE;
	s->state = GW_SS_CLOSE;
	s->packet_type = (uint16_t)v[2];
	s->packet_proto = (uint16_t)v[3];
	s->ifindex = (uint32_t)v[4];
	s->rx_queue = (uint32_t)v[6];
	s->uid = (uint32_t)v[7];
	s->inode = v[8];
	return NULL;
}

const char *gw__net_parse_line(enum gw__net_table t, struct gw_cursor line, struct gw_socket *out)
{
	memset(out, 0, sizeof *out);
	if ((unsigned)t >= GW__NET_TABLES)
		return "unknown table";
	return t == GW__NET_PACKET ? parse_packet(line, out) : parse_inet(t, line, out);
}

static void note_bad(struct gw__net_counts *n, const char *path, uint64_t lineno, const char *why)
{
	n->malformed++;
	snprintf(n->last_bad, sizeof n->last_bad, "%s:%llu: %s", path, (unsigned long long)lineno,
	         why);
}

int gw__net_read_table(int dirfd, const char *path, enum gw__net_table t, uint64_t netns,
                       gw__net_sink sink, void *ctx, struct gw__net_counts *counts)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct gw__lines *lines = malloc(sizeof *lines); /* 64 KiB: not on the stack */
	if (!lines) {
		close(fd);
		return -ENOMEM;
	}
	gw__lines_init(lines, fd);
	struct gw_cursor line;
	bool too_long;
	int r;
	while ((r = gw__lines_next(lines, &line, &too_long)) > 0) {
		if (lines->lineno == 1) /* the column titles */
			continue;
		counts->lines++;
		struct gw_socket s;
		const char *why = too_long ? "line too long" : gw__net_parse_line(t, line, &s);
		if (why) {
			note_bad(counts, path, lines->lineno, why);
			continue;
		}
		s.netns = netns;
		counts->sockets++;
		r = sink(ctx, &s);
		if (r != 0)
			break;
	}
	free(lines);
	close(fd);
	return r;
}
