/* procinfo.h — who owns a socket: the host's processes, their open socket
 * inodes and their details, with an incremental cache so that a poll does not
 * reread every process every time. One implementation per src/os/<os>/. */
#ifndef GHOSTWIRE_PROCINFO_H
#define GHOSTWIRE_PROCINFO_H

#include <stdint.h>

#include "ghostwire/err.h"
#include "ghostwire/socket.h"

struct gw_procinfo;

struct gw_procinfo_stats {
	uint64_t scans;          /* refreshes */
	uint64_t processes;      /* processes seen in the last refresh */
	uint64_t fd_dirs_read;   /* /proc/PID/fd directories read (cache misses) */
	uint64_t fd_dirs_cached; /* skipped because unchanged since the last refresh */
	uint64_t no_permission;  /* processes whose fds could not be read */
	uint64_t vanished;       /* processes that exited during a scan */
};

/* Reads processes below proc_root ("/proc", or a fixture tree in tests). */
int gw_procinfo_new(const char *proc_root, struct gw_procinfo **out, struct gw_err *err)
        GW_MUST_CHECK;
void gw_procinfo_free(struct gw_procinfo *p);

/* Brings the inode → pid map up to date. Processes whose fd directory did not
 * change since the last refresh are not reread. */
int gw_procinfo_refresh(struct gw_procinfo *p, struct gw_err *err) GW_MUST_CHECK;

/* Sets sock->pid, n_holders and owner_status from the map. */
void gw_procinfo_attribute(const struct gw_procinfo *p, struct gw_socket *sock);

/* Details of pid (read now, or from the cache); NULL if it is gone. Borrowed
 * until the next refresh. */
const struct gw_process *gw_procinfo_process(struct gw_procinfo *p, int32_t pid);

/* The network namespace ids in use by processes, each with one pid inside it
 * (to enter it through /proc/PID/ns/net). Borrowed until the next refresh. */
struct gw_netns_ref {
	uint64_t netns;
	int32_t pid;
};
const struct gw_netns_ref *gw_procinfo_namespaces(const struct gw_procinfo *p, size_t *n);

const struct gw_procinfo_stats *gw_procinfo_stats(const struct gw_procinfo *p);

#endif
