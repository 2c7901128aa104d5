/* sockets/names.c — the stable names of socket protocols, states and owner
 * statuses, and of process marks and executable hash statuses, in reports and
 * timelines, and their parsing back. */
#include <stdio.h>
#include <string.h>

#include "ghostwire/socket.h"

static const char *const proto_names[] = {
        [GW_SOCK_TCP] = "tcp",
        [GW_SOCK_UDP] = "udp",
        [GW_SOCK_RAW] = "raw",
        [GW_SOCK_PACKET] = "packet",
};

/* As `ss` prints them, lower case. */
static const char *const state_names[GW_SS_MAX] = {
        [GW_SS_UNKNOWN] = "unknown",
        [GW_SS_ESTABLISHED] = "established",
        [GW_SS_SYN_SENT] = "syn-sent",
        [GW_SS_SYN_RECV] = "syn-recv",
        [GW_SS_FIN_WAIT1] = "fin-wait-1",
        [GW_SS_FIN_WAIT2] = "fin-wait-2",
        [GW_SS_TIME_WAIT] = "time-wait",
        [GW_SS_CLOSE] = "unconn",
        [GW_SS_CLOSE_WAIT] = "close-wait",
        [GW_SS_LAST_ACK] = "last-ack",
        [GW_SS_LISTEN] = "listen",
        [GW_SS_CLOSING] = "closing",
        [GW_SS_NEW_SYN_RECV] = "new-syn-recv",
};

static const char *const owner_names[] = {
        [GW_OWNER_UNRESOLVED] = "unresolved",       [GW_OWNER_KNOWN] = "known",
        [GW_OWNER_NO_INODE] = "no-inode",           [GW_OWNER_NOT_FOUND] = "not-found",
        [GW_OWNER_NO_PERMISSION] = "no-permission",
};

/* Bit i of enum gw_process_mark is mark_names[i]. */
static const char *const mark_names[] = {
        "deleted-exe", "memfd-exe", "tmp-exe", "unpackaged-exe", "kthread-disguise", "tun-device",
};

static const char *const hash_status_names[GW_EXE_HASH_MAX] = {
        [GW_EXE_HASH_NONE] = "none",
        [GW_EXE_HASH_OK] = "ok",
        [GW_EXE_HASH_TOO_LARGE] = "too-large",
        [GW_EXE_HASH_UNREADABLE] = "unreadable",
};

#define COUNT(a) (sizeof(a) / sizeof *(a))

_Static_assert(GW_MARK_ALL == (1u << COUNT(mark_names)) - 1, "a name for every mark");

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
	return v < n && names[v] ? names[v] : "?";
}

static int parse(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *gw_sock_proto_name(enum gw_sock_proto p)
{
	return name_of(proto_names, COUNT(proto_names), p);
}

const char *gw_sock_state_name(enum gw_sock_state s)
{
	return name_of(state_names, COUNT(state_names), s);
}

const char *gw_owner_status_name(enum gw_owner_status s)
{
	return name_of(owner_names, COUNT(owner_names), s);
}

int gw_sock_proto_parse(const char *name)
{
	return parse(proto_names, COUNT(proto_names), name);
}

int gw_sock_state_parse(const char *name)
{
	return parse(state_names, COUNT(state_names), name);
}

int gw_owner_status_parse(const char *name)
{
	return parse(owner_names, COUNT(owner_names), name);
}

const char *gw_process_mark_names(uint32_t marks, char *buf, size_t size)
{
	if (size == 0)
		return buf;
	buf[0] = '\0';
	size_t len = 0;
	for (unsigned i = 0; i < COUNT(mark_names); i++) {
		if (!(marks & (1u << i)))
			continue;
		int n = snprintf(buf + len, size - len, "%s%s", len ? "," : "", mark_names[i]);
		if (n < 0 || (size_t)n >= size - len) {
			buf[len] = '\0'; /* never half a name */
			break;
		}
		len += (size_t)n;
	}
	return buf;
}

const char *gw_process_mark_name(uint32_t mark)
{
	for (unsigned i = 0; i < COUNT(mark_names); i++)
		if (mark == 1u << i)
			return mark_names[i];
	return "?";
}

uint32_t gw_process_mark_parse(const char *name)
{
	int i = parse(mark_names, COUNT(mark_names), name);
	return i < 0 ? 0 : 1u << i;
}

const char *gw_exe_hash_status_name(enum gw_exe_hash_status s)
{
	return name_of(hash_status_names, COUNT(hash_status_names), s);
}

int gw_exe_hash_status_parse(const char *name)
{
	return parse(hash_status_names, COUNT(hash_status_names), name);
}
