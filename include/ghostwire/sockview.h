/* sockview.h — the OS view behind one interface: a backend that lists the
 * host's sockets (with owners) and looks one up by its exact tuple. Backends
 * are chosen by name at run time: "netlink" and "procfs" on Linux, "replay"
 * from a recorded timeline, "null" for none. */
#ifndef GHOSTWIRE_SOCKVIEW_H
#define GHOSTWIRE_SOCKVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "ghostwire/err.h"
#include "ghostwire/socket.h"

struct gw_sockview_config {
	const char *proc_root;     /* "/proc" unless testing on a fake tree */
	const char *dpkg_info_dir; /* "/var/lib/dpkg/info" (unpackaged-exe); NULL: none */
	uint64_t exe_hash_max;     /* owners' executables above this are not hashed (256 MiB) */
	bool owners;               /* attribute sockets to processes */
	bool all_netns;            /* every network namespace of the host's processes */
	size_t max_sockets;        /* ceiling of one snapshot (default 1,000,000) */
	size_t max_processes;      /* ceiling of processes kept (default 100,000) */
};

void gw_sockview_config_init(struct gw_sockview_config *c);

/* An exact socket query: the local and remote ends of a connected TCP or UDP
 * socket, as a new flow presents them. */
struct gw_sock_query {
	uint8_t proto; /* GW_SOCK_TCP or GW_SOCK_UDP */
	struct gw_addr local, remote;
	uint16_t local_port, remote_port;
	uint64_t netns; /* 0 = the initial (or current) namespace */
};

/* Counters every backend keeps, shown in summaries. */
struct gw_sockview_stats {
	uint64_t snapshots;   /* full polls done */
	uint64_t snapshot_us; /* wall time spent in them */
	uint64_t lookups, lookup_hits;
	uint64_t errors;       /* failed polls or lookups */
	uint64_t malformed;    /* replies or lines that could not be parsed */
	uint64_t netns_polled; /* namespaces polled in the last snapshot */
	uint64_t netns_failed; /* namespaces that could not be entered */
};

struct gw_sockview;

struct gw_sockview_ops {
	const char *name;
	const char *summary; /* one line for --help */
	int (*open)(const struct gw_sockview_config *cfg, struct gw_sockview **out,
	            struct gw_err *err);
	/* Replaces *out with every socket now (and, if cfg->owners, their owners). */
	int (*snapshot)(struct gw_sockview *v, struct gw_sockset *out, struct gw_err *err);
	/* The socket that would receive q's traffic, as the kernel picks it: the
	 * connected socket with q's exact 4-tuple, else the listener or unconnected
	 * bound UDP socket that owns q's local end (its state says which). 1 and *out
	 * filled, 0 if none, negative on error. NULL where the backend cannot look up
	 * one socket. */
	int (*lookup)(struct gw_sockview *v, const struct gw_sock_query *q, struct gw_socket *out,
	              struct gw_err *err);
	const struct gw_sockview_stats *(*stats)(const struct gw_sockview *v);
	void (*close)(struct gw_sockview *v); /* accepts NULL */
};

/* The backend called name, or NULL; gw_sockview_names lists them ("netlink,procfs,..."). */
const struct gw_sockview_ops *gw_sockview_find(const char *name);
const char *gw_sockview_names(void);
/* The platform's own view, used when none is named: the first of
 * src/os/<os>/sockviews.c ("netlink" on Linux), or "null" where there is none. */
const char *gw_sockview_default(void);

#endif
