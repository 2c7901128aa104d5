/* os/linux/details_internal.h — what a process's details need beyond /proc, each
 * a cache owned by one struct gw_procinfo: the set of paths Debian packages own
 * (dpkg_paths.c), executable digests (exe_hash.c), user names (users.c), and the
 * rules that turn what was read into marks (process_marks.c). */
#ifndef GHOSTWIRE_OS_LINUX_DETAILS_INTERNAL_H
#define GHOSTWIRE_OS_LINUX_DETAILS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "ghostwire/procinfo.h"
#include "ghostwire/socket.h"

/* ---- dpkg_paths.c: paths owned by a Debian package ---- */

/* The paths listed in <info_dir>/ *.list plus the targets of
 * <info_dir>/../diversions, as keyed 64-bit hashes (a random key per set, so no
 * path can be crafted to collide), built on first use and rebuilt when the
 * directory or the diversions change. Merged /usr: /usr/bin/x and /bin/x (sbin,
 * lib, lib32, lib64, libx32, libo32 likewise) are the same path. */
struct gw__dpkg_paths;

/* Keeps info_dir (copied) for later; reads nothing yet. NULL on no memory. */
struct gw__dpkg_paths *gw__dpkg_paths_new(const char *info_dir, uint32_t max_paths);
void gw__dpkg_paths_free(struct gw__dpkg_paths *d);

/* Whether a package owns path (raw bytes, n of them, absolute): 1 yes, 0 no,
 * -1 unknown (no dpkg database there, or it could not be read: a non-Debian
 * host must not mark every process). gen is the caller's refresh generation:
 * the database's change stamps are checked at most once per generation. Build
 * counters go to st (dpkg_*). */
int gw__dpkg_paths_owned(struct gw__dpkg_paths *d, const char *path, size_t n, uint64_t gen,
                         struct gw_procinfo_stats *st);

/* ---- exe_hash.c: SHA-256 of executables, cached per file version ---- */

struct gw__exe_hashes;

/* Up to max_entries digests; files above max_bytes are not read (0: none are). */
struct gw__exe_hashes *gw__exe_hashes_new(uint32_t max_entries, uint64_t max_bytes);
void gw__exe_hashes_free(struct gw__exe_hashes *h);

/* Sets out->exe_sha256 and out->exe_hash_status for the file dirfd/path names
 * (PID/exe: the magic link opens a deleted executable too), whose stat (the
 * link followed) is *st. The digest comes from the cache when (st_dev, st_ino,
 * st_mtime, st_size) match; else the file is read through a fixed buffer and
 * hashed, and kept only if it did not change meanwhile. Counters go to stats
 * (exe_*, hash_cache_resets). */
void gw__exe_hash(struct gw__exe_hashes *h, int dirfd, const char *path, const struct stat *st,
                  struct gw_process *out, struct gw_procinfo_stats *stats);

/* ---- users.c: uid → user name ---- */

struct gw__users;

/* Up to max_entries names (found or not) are kept; when full, it starts over. */
struct gw__users *gw__users_new(uint32_t max_entries);
void gw__users_free(struct gw__users *u);

/* Copies uid's name into out[size] (size >= 1): "" if the user database has
 * none, or it does not fit (never a cut name). Asks the database (NSS:
 * /etc/passwd, which stays readable after the privilege drop) once per uid
 * and again after some refreshes, for users created meanwhile. */
void gw__users_name(struct gw__users *u, uint32_t uid, uint64_t gen, char *out, size_t size,
                    struct gw_procinfo_stats *stats);

/* ---- process_marks.c: the marks ---- */

/* Marks that follow from the executable's path alone (raw bytes, after the
 * " (deleted)" suffix was taken off) and the deleted flag: deleted-exe,
 * memfd-exe, tmp-exe. */
uint32_t gw__exe_path_marks(const char *exe, size_t n, bool deleted);

/* Whether the path may be checked against the package database: an absolute
 * path of a file (not a memfd). */
bool gw__exe_path_packageable(const char *exe, size_t n);

/* Whether name (n bytes: a comm, or argv[0]) looks like a kernel thread's:
 * bracketed ("[anything]"), or a kernel thread's name or prefix (kworker/...,
 * ksoftirqd/..., kthreadd, migration/..., rcu_..., watchdog/..., kswapd...). */
bool gw__kthread_like_name(const char *name, size_t n);

#endif
