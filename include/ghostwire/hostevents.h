/* hostevents.h — what the kernel tells as it happens, between two polls of the
 * socket table: processes forked, exec'd and exited, local addresses added and
 * removed, and sockets destroyed. One implementation per src/os/<os>/. */
#ifndef GHOSTWIRE_HOSTEVENTS_H
#define GHOSTWIRE_HOSTEVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "ghostwire/addr.h"
#include "ghostwire/err.h"
#include "ghostwire/socket.h"

enum gw_hev_type {
	GW_HEV_FORK = 1, /* pid (the child), ppid */
	GW_HEV_EXEC,     /* pid */
	GW_HEV_EXIT,     /* pid, ppid if known */
	GW_HEV_ADDR_ADD, /* addr (host prefix), ifindex */
	GW_HEV_ADDR_DEL,
	GW_HEV_SOCK_DESTROY, /* sock: the socket as the kernel last saw it */
};

/* Which sources to subscribe to (a bitmask). */
enum gw_hev_source {
	GW_HEV_SRC_PROC = 1, /* process connector (needs CAP_NET_ADMIN) */
	GW_HEV_SRC_ADDR = 2, /* rtnetlink address groups */
	GW_HEV_SRC_SOCK = 4, /* sock_diag destroy groups for TCP and UDP (needs CAP_NET_ADMIN) */
};

struct gw_host_event {
	uint8_t type;      /* enum gw_hev_type */
	int64_t ts_us;     /* when ghostwire received it (realtime clock) */
	int32_t pid, ppid; /* thread-group ids */
	uint32_t ifindex;
	struct gw_cidr addr;
	struct gw_socket sock;
};

struct gw_host_events_stats {
	uint64_t received;  /* events delivered */
	uint64_t malformed; /* messages that could not be parsed */
	uint64_t overruns;  /* times the kernel dropped events (ENOBUFS) */
};

struct gw_host_events;

/* Subscribes to the sources in the mask. A source that cannot be opened (no
 * privilege, old kernel) is left out and named in *unavailable (a message for
 * the user, "" if all opened); only if none opens is it an error. */
int gw_host_events_open(unsigned sources, struct gw_host_events **out, char *unavailable,
                        size_t unavailable_size, struct gw_err *err) GW_MUST_CHECK;

/* File descriptors to poll() for input; returns how many (at most max). */
size_t gw_host_events_fds(const struct gw_host_events *e, int *fds, size_t max);

/* Reads what is pending without blocking: up to max events into out; returns
 * how many (0 when none), or a negative error. */
int gw_host_events_read(struct gw_host_events *e, struct gw_host_event *out, size_t max,
                        struct gw_err *err);

const struct gw_host_events_stats *gw_host_events_stats(const struct gw_host_events *e);

void gw_host_events_close(struct gw_host_events *e);

#endif
