/* procinfo.h — who owns a socket: the host's processes, their open socket
 * inodes and their details, with an incremental cache so that a poll does not
 * reread every process every time. One implementation per src/os/<os>/. */
#ifndef GHOSTWIRE_PROCINFO_H
#define GHOSTWIRE_PROCINFO_H

#include <stddef.h>
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
	/* Details (cumulative since creation): */
	uint64_t details_read;      /* processes whose details were read */
	uint64_t exe_hashed;        /* executables read and hashed (hash cache misses) */
	uint64_t exe_hash_cached;   /* digests taken from the cache (same dev, ino, mtime, size) */
	uint64_t exe_hash_bytes;    /* bytes read to hash */
	uint64_t exe_hash_us;       /* time spent hashing, µs */
	uint64_t exe_too_large;     /* executables above hash_max_bytes, not read */
	uint64_t exe_unreadable;    /* executables that could not be opened or read */
	uint64_t hash_cache_resets; /* the digest cache filled up and was emptied */
	uint64_t user_lookups;      /* uid → name lookups in the user database (cache misses) */
	uint64_t dpkg_builds;       /* times the set of packaged paths was (re)built */
	uint64_t dpkg_paths;        /* paths in it */
	uint64_t dpkg_build_us;     /* time the last build took, µs */
	uint64_t dpkg_skipped;      /* lines or files refused (too long, over the ceiling) */
};

/* How procinfo reads processes and judges their executables. */
struct gw_procinfo_config {
	const char *proc_root;     /* "/proc", or a fixture tree in tests */
	const char *dpkg_info_dir; /* "/var/lib/dpkg/info" (with "../diversions" beside it);
	                            * NULL: no "unpackaged-exe" mark is given */
	uint64_t hash_max_bytes;   /* executables larger are not hashed (256 MiB); 0 = never hash */
	uint32_t hash_cache_max;   /* digests kept, by (dev, ino, mtime, size) (4096) */
	uint32_t user_cache_max;   /* uid → name entries kept (4096) */
	uint32_t dpkg_max_paths;   /* ceiling of the packaged-path set (4,000,000) */
};

void gw_procinfo_config_init(struct gw_procinfo_config *c);

/* Reads processes as cfg says; cfg's strings are copied. */
int gw_procinfo_open(const struct gw_procinfo_config *cfg, struct gw_procinfo **out,
                     struct gw_err *err) GW_MUST_CHECK;
/* gw_procinfo_open with the defaults and proc_root. */
int gw_procinfo_new(const char *proc_root, struct gw_procinfo **out, struct gw_err *err)
        GW_MUST_CHECK;
void gw_procinfo_free(struct gw_procinfo *p);

/* Brings the inode → pid map up to date. Processes whose fd directory did not
 * change since the last refresh are not reread. */
int gw_procinfo_refresh(struct gw_procinfo *p, struct gw_err *err) GW_MUST_CHECK;

/* Sets sock->pid, n_holders and owner_status from the map. */
void gw_procinfo_attribute(const struct gw_procinfo *p, struct gw_socket *sock);

/* Details of pid (read now, or from the cache); NULL if it is gone. Borrowed
 * until the next refresh. Reading them resolves the user name, hashes the
 * executable (once per binary: the digest is cached by dev, ino, mtime and
 * size) and judges the marks (the first call that needs it builds the set of
 * packaged paths, tens of milliseconds): call it only for processes a report
 * names, never for every process of a poll. */
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
