/* privileges.h — least privilege for live runs: once the capture handles and
 * netlink sockets are open, become an unprivileged user and keep only the
 * capabilities still needed. One implementation per src/os/<os>/. */
#ifndef GHOSTWIRE_PRIVILEGES_H
#define GHOSTWIRE_PRIVILEGES_H

#include <stdbool.h>
#include <stddef.h>

#include "ghostwire/err.h"

/* Capabilities that may be kept (a bitmask). */
enum gw_keep {
	GW_KEEP_READ_PROCESSES =
	        1, /* read other users' /proc/PID/fd (CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH) */
	GW_KEEP_ENTER_NETNS = 2, /* enter namespaces found later (CAP_SYS_ADMIN) */
	GW_KEEP_NET_ADMIN = 4,   /* see packet sockets' BPF filters (CAP_NET_ADMIN) */
	GW_KEEP_CAPTURE = 8,     /* reopen an interface that went down (CAP_NET_RAW) */
};

/* Switches to user (its uid, gid and no supplementary groups), keeping the
 * capabilities of `keep`, and checks that root cannot be regained. Writes what
 * was done into report. Not root: nothing to drop, 0, and report says so. */
int gw_privileges_drop(const char *user, unsigned keep, char *report, size_t report_size,
                       struct gw_err *err) GW_MUST_CHECK;

#endif
