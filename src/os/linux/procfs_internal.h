/* os/linux/procfs_internal.h — what the /proc readers share inside src/os/linux/:
 * bounded reading and tokenizing of /proc text, the /proc/net table parser, one
 * process's details, and the procinfo calls a socket view needs beyond the public
 * contract. Every /proc byte is hostile input: all parsing goes through a cursor. */
#ifndef GHOSTWIRE_OS_LINUX_PROCFS_INTERNAL_H
#define GHOSTWIRE_OS_LINUX_PROCFS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ghostwire/cursor.h"
#include "ghostwire/err.h"
#include "ghostwire/procinfo.h"
#include "ghostwire/socket.h"

/* ---- procfs_text.c: files, tokens, links, escaping ---- */

/* Reads at most cap - 1 bytes of dirfd/path into buf and NUL-terminates it;
 * *len is the byte count (the file may be longer). 0, or -errno. */
int gw__proc_read(int dirfd, const char *path, char *buf, size_t cap, size_t *len);

/* Skips blanks (space, tab) and takes the next run of other bytes into *tok.
 * false (c unchanged) if only blanks remain. */
bool gw__tok_next(struct gw_cursor *c, struct gw_cursor *tok);

/* Splits *tok at the first sep: *head gets what precedes it, *tok what follows.
 * false (both unchanged) if tok holds no sep. */
bool gw__tok_split(struct gw_cursor *tok, uint8_t sep, struct gw_cursor *head);

/* The whole token as an unsigned decimal <= max; false on anything else
 * (empty, sign, non-digit, overflow). */
bool gw__tok_dec(struct gw_cursor tok, uint64_t max, uint64_t *v);

/* The whole token as hex of min_digits..max_digits digits (max_digits <= 16). */
bool gw__tok_hex(struct gw_cursor tok, size_t min_digits, size_t max_digits, uint64_t *v);

/* true if tok is exactly the NUL-terminated word. */
bool gw__tok_is(struct gw_cursor tok, const char *word);

/* Parses a link text "<prefix>[<decimal>]" ("socket:[123]", "net:[4026531840]"). */
bool gw__proc_link_id(const uint8_t *text, size_t len, const char *prefix, uint64_t *id);

/* The id of the namespace that dirfd/path ("PID/ns/net") names: from its link
 * text "net:[N]" (what the kernel writes, and what fixture trees hold), else the
 * inode of its target. 0, or -errno. */
int gw__proc_ns_id(int dirfd, const char *path, const char *type, uint64_t *id);

/* Copies n bytes into out (size >= 1, always NUL-terminated) for a report:
 * valid UTF-8 is kept, a backslash becomes "\\", control bytes and invalid
 * UTF-8 become "\xHH", NUL becomes a space if nul_as_space (cmdline) or ends
 * the text otherwise. Cut at a character boundary to fit. Returns the length. */
size_t gw__text_escape(const uint8_t *p, size_t n, char *out, size_t size, bool nul_as_space);

/* Longest /proc line kept; longer ones are malformed (real ones are < 200 bytes). */
enum {
	GW__LINE_MAX = 1024,
	GW__LINES_BUF = 64 * 1024
};

/* Reads a file line by line through one fixed buffer, whatever its size. */
struct gw__lines {
	int fd;
	uint64_t lineno;   /* of the line last returned, from 1 */
	size_t start, end; /* unread bytes are buf[start, end) */
	bool eof;
	uint8_t buf[GW__LINES_BUF];
};

void gw__lines_init(struct gw__lines *l, int fd);
/* 1 and *line (without its '\n'; borrowed until the next call), or 1 with
 * *too_long and an empty *line for a line longer than GW__LINE_MAX (dropped
 * whole); 0 at the end, or -errno. */
int gw__lines_next(struct gw__lines *l, struct gw_cursor *line, bool *too_long);

/* ---- procfs_net.c: /proc/net/{tcp,tcp6,udp,udp6,raw,raw6,packet} ---- */

enum gw__net_table {
	GW__NET_TCP,
	GW__NET_TCP6,
	GW__NET_UDP,
	GW__NET_UDP6,
	GW__NET_RAW,
	GW__NET_RAW6,
	GW__NET_PACKET,
	GW__NET_TABLES,
};

/* "tcp", "tcp6", ... (the file name under net/). */
const char *gw__net_table_name(enum gw__net_table t);

/* Parses one data line (not the header) of table t into *out, zeroing it first
 * (netns and owner fields are left 0). NULL on success, else a static reason. */
const char *gw__net_parse_line(enum gw__net_table t, struct gw_cursor line, struct gw_socket *out);

struct gw__net_counts {
	uint64_t lines;     /* data lines read */
	uint64_t sockets;   /* parsed and handed to the sink */
	uint64_t malformed; /* lines refused */
	char last_bad[200]; /* "net/tcp:7: bad local address", the last one refused */
};

/* Receives each parsed socket: 0 to go on, 1 to stop, negative to fail. */
typedef int (*gw__net_sink)(void *ctx, const struct gw_socket *s);

/* Parses dirfd/path (one table; e.g. "net/tcp" or "1234/net/tcp"), stamping each
 * socket with netns, into sink. Malformed lines are counted in *counts and
 * skipped. 0 (or 1 if the sink stopped), -errno if the file cannot be read, or
 * the sink's negative result. */
int gw__net_read_table(int dirfd, const char *path, enum gw__net_table t, uint64_t netns,
                       gw__net_sink sink, void *ctx, struct gw__net_counts *counts);

/* ---- procinfo_details.c: one process ---- */

/* What /proc/PID/stat says that procinfo needs. */
struct gw__proc_stat {
	int32_t ppid;
	uint32_t flags;       /* field 9: PF_* (0 if not a number) */
	uint64_t start_ticks; /* field 22: clock ticks after boot */
	char comm[16];        /* escaped, cut to fit */
};

/* PF_KTHREAD in field 9 of stat: a kernel thread, which has no executable. */
#define GW__PF_KTHREAD 0x00200000u

/* Parses a /proc/PID/stat text; false if it is not one. */
bool gw__proc_stat_parse(const uint8_t *text, size_t len, struct gw__proc_stat *out);
/* Reads and parses rootfd/PID/stat. 0, -errno, or -EINVAL if malformed. */
int gw__proc_stat_read(int rootfd, int32_t pid, struct gw__proc_stat *out);

/* The container hint of a /proc/PID/cgroup text: a container id (64 hex of
 * docker, containerd, cri-o, podman, kubepods), "lxc/NAME", "machine/NAME", or
 * "" for a plain host process. */
void gw__container_hint(const uint8_t *cgroup, size_t len, char *out, size_t size);

/* The real uid on the "Uid:" line of a /proc/PID/status text. */
bool gw__status_uid(const uint8_t *text, size_t len, uint32_t *uid);

struct gw__dpkg_paths;
struct gw__exe_hashes;
struct gw__users;

/* What a detail read may use beyond /proc (details_internal.h); each may be
 * NULL, and then that detail stays empty. */
struct gw__details_ctx {
	struct gw__dpkg_paths *dpkg;     /* for the unpackaged-exe mark */
	struct gw__exe_hashes *hashes;   /* for exe_sha256 */
	struct gw__users *users;         /* for user */
	bool have_root;                  /* root_dev/root_ino are our "/": a process under */
	uint64_t root_dev, root_ino;     /* another root is not checked against dpkg */
	uint64_t gen;                    /* the caller's refresh generation */
	struct gw_procinfo_stats *stats; /* counters (required when ctx is given) */
};

/* Reads every detail of rootfd/PID into *out (start_us from btime_us and hz),
 * with the user name, executable digest and marks when ctx is given (else
 * those stay empty). Details that cannot be read (permission) stay empty. 0,
 * or -ENOENT/-ESRCH if the process is gone. */
int gw__process_read(int rootfd, int32_t pid, int64_t btime_us, long hz,
                     const struct gw__details_ctx *ctx, struct gw_process *out);

/* ---- procinfo.c: for the socket views ---- */

struct gw_sockview_config;
/* gw_procinfo_open with what the view's configuration says (proc_root,
 * dpkg_info_dir, exe_hash_max) and the defaults for the rest. */
int gw__procinfo_open_view(const struct gw_sockview_config *c, struct gw_procinfo **out,
                           struct gw_err *err) GW_MUST_CHECK;

/* Attributes s->socks[from..] and adds each owner's details to s. Where the
 * cache may have hidden an owner (an inode with no holder while fd directories
 * were skipped), refreshes once more (then nothing is skipped) and attributes
 * those sockets again, so a new socket is never reported unowned for the cache.
 * 0, or negative if that refresh failed. */
int gw__procinfo_attribute_set(struct gw_procinfo *p, struct gw_sockset *s, size_t from,
                               struct gw_err *err) GW_MUST_CHECK;

/* Another process in namespace netns than `after` (the next pid above it, or
 * the lowest): for when the one chosen exits. 0 if none. */
int32_t gw__procinfo_netns_pid(const struct gw_procinfo *p, uint64_t netns, int32_t after);

/* ---- sockview_procfs.c ---- */

struct gw_sockview;
/* The last malformed line the view refused ("net/tcp:7: bad state"), "" if none. */
const char *gw__sockview_procfs_last_bad(const struct gw_sockview *v);

#endif
