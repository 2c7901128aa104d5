/* os/linux/procinfo.c — socket inode → owning process, from /proc/PID/fd, with an
 * incremental cache. Owns the per-process state (identity, fd-directory signature,
 * socket inodes held, details), the inode → (lowest pid, holders) map, the
 * namespace list, the caches details use (user names, executable digests,
 * packaged paths: details_internal.h), and the rule for trusting a cached fd
 * directory (see docs/internals/procinfo.md for why the rule is correct, and
 * what it costs). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "details_internal.h"
#include "ghostwire/sockview.h"
#include "procfs_internal.h"

enum {
	REVALIDATE_EVERY = 16,      /* each fd directory is reread at least this often */
	MAX_PIDS = 4 * 1024 * 1024, /* PID_MAX_LIMIT: more entries means a hostile tree */
	MAX_EXTRA = 4096,           /* details kept for pids outside the table */
	SETTLED_STALE = 3,          /* refreshes an unasked settled inode is kept */
};

/* What procinfo keeps of one process between refreshes. */
struct pi_proc {
	int32_t pid;
	bool known;           /* start_ticks read: identity established */
	bool fds_valid;       /* inodes[] reflect the fd directory at fd_ino/fd_count */
	bool no_perm;         /* fd directory unreadable in the last refresh */
	uint64_t start_ticks; /* stat field 22 */
	uint64_t fd_ino;      /* st_ino of PID/fd: the process instance (procfs) */
	int64_t fd_count;     /* st_size of PID/fd: open fds (procfs, Linux >= 6.2) */
	uint64_t netns;       /* 0 if unreadable */
	uint64_t *inodes;     /* socket inodes held, sorted, unique */
	size_t n_inodes, cap_inodes;
	bool tun;                   /* an fd is /dev/net/tun: a tunnel's end */
	struct gw_process *details; /* read lazily, at most once per refresh */
	uint64_t details_gen;       /* generation details were read in, 0 = never */
	uint64_t fds_gen;           /* generation the fd directory was last reread in */
	uint64_t added_stamp;       /* attribute_set call that last added it */
};

/* One inode → owner entry; ino 0 is an empty slot. */
struct pi_slot {
	uint64_t ino;
	int32_t pid; /* lowest pid holding it */
	uint32_t n;  /* processes holding it */
};

/* An inode with no owner after a full reread, and when it was last asked about. */
struct pi_settled {
	uint64_t ino;
	uint64_t gen;
};

/* What gw_procinfo_attribute may change through its const pointer: the record
 * that the cache was found lacking, and the inodes known to be ownerless. */
struct pi_mut {
	bool suspect;
	struct pi_settled *settled; /* open addressing, ino 0 = empty */
	size_t settled_cap, settled_n;
};

struct gw_procinfo {
	int rootfd;
	bool procfs;    /* proc_root is a procfs: fd directory st_ino/st_size are kernel's */
	bool fd_counts; /* the fd directory's st_size counts open fds */
	int64_t btime_us;
	long hz;
	uint64_t gen; /* refreshes done; details_gen compares with it */
	uint64_t add_stamp;
	struct pi_proc *procs; /* sorted by pid */
	size_t n_procs, cap_procs;
	int32_t *pids; /* scratch: the pids listed */
	size_t cap_pids;
	struct pi_slot *map;
	size_t map_cap; /* a power of two */
	struct gw_netns_ref *ns;
	size_t n_ns, cap_ns;
	uint64_t skipped_last; /* fd directories trusted from the cache in the last refresh */
	uint64_t no_perm_last;
	struct gw_process **extra; /* details of pids outside the table, until the next refresh */
	size_t n_extra;
	struct gw_procinfo_stats stats;
	struct pi_mut *mut;
	struct gw__details_ctx dctx; /* the caches details use (details_internal.h) */
};

/* ---- small containers ---- */

static int grow(void **v, size_t *cap, size_t need, size_t sz)
{
	if (need <= *cap)
		return 0;
	size_t next = *cap ? *cap : 16;
	while (next < need)
		next *= 2;
	void *q = realloc(*v, next * sz);
	if (!q)
		return -ENOMEM;
	*v = q;
	*cap = next;
	return 0;
}

/* The slot of ino in a table of cap (a power of two) slots: splitmix64's
 * finalizer, so that every bit of the inode reaches the low bits kept. */
static size_t hash_ino(uint64_t ino, size_t cap)
{
	ino ^= ino >> 30;
	ino *= 0xbf58476d1ce4e5b9ull;
	ino ^= ino >> 27;
	ino *= 0x94d049bb133111ebull;
	ino ^= ino >> 31;
	return (size_t)ino & (cap - 1);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_ns(const void *a, const void *b)
{
	const struct gw_netns_ref *x = a, *y = b;
	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static void proc_forget_fds(struct pi_proc *e)
{
	e->n_inodes = 0;
	e->tun = false;
	e->fds_valid = false;
}

static void proc_fini(struct pi_proc *e)
{
	free(e->inodes);
	free(e->details);
	memset(e, 0, sizeof *e);
}

static struct pi_proc *find_proc(const struct gw_procinfo *p, int32_t pid)
{
	size_t lo = 0, hi = p->n_procs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->n_procs && p->procs[lo].pid == pid ? &p->procs[lo] : NULL;
}

/* ---- settled inodes ---- */

static struct pi_settled *settled_find(const struct pi_mut *m, uint64_t ino)
{
	if (!m->settled_cap)
		return NULL;
	for (size_t i = hash_ino(ino, m->settled_cap);; i = (i + 1) & (m->settled_cap - 1)) {
		if (m->settled[i].ino == ino)
			return &m->settled[i];
		if (m->settled[i].ino == 0)
			return NULL;
	}
}

/* Rebuilds the set keeping entries asked about since min_gen (and adding one);
 * on allocation failure the set is just emptied: it is only an optimisation. */
static void settled_rebuild(struct pi_mut *m, uint64_t min_gen, uint64_t add_ino, uint64_t add_gen)
{
	size_t keep = add_ino ? 1 : 0;
	for (size_t i = 0; i < m->settled_cap; i++)
		keep += m->settled[i].ino && m->settled[i].gen >= min_gen;
	size_t cap = 64;
	while (cap < keep * 2)
		cap *= 2;
	struct pi_settled *next = calloc(cap, sizeof *next);
	if (!next) {
		free(m->settled);
		m->settled = NULL;
		m->settled_cap = m->settled_n = 0;
		return;
	}
	struct pi_mut fresh = {m->suspect, next, cap, 0};
	for (size_t i = 0; i < m->settled_cap + (add_ino ? 1 : 0); i++) {
		struct pi_settled e =
		        i < m->settled_cap ? m->settled[i] : (struct pi_settled){add_ino, add_gen};
		if (!e.ino || e.gen < min_gen)
			continue;
		size_t j = hash_ino(e.ino, cap);
		while (next[j].ino)
			j = (j + 1) & (cap - 1);
		next[j] = e;
		fresh.settled_n++;
	}
	free(m->settled);
	*m = fresh;
}

static void settle(struct pi_mut *m, uint64_t ino, uint64_t gen)
{
	struct pi_settled *s = settled_find(m, ino);
	if (s) {
		s->gen = gen;
		return;
	}
	if ((m->settled_n + 1) * 2 > m->settled_cap) {
		settled_rebuild(m, 0, ino, gen);
		return;
	}
	size_t j = hash_ino(ino, m->settled_cap);
	while (m->settled[j].ino)
		j = (j + 1) & (m->settled_cap - 1);
	m->settled[j] = (struct pi_settled){ino, gen};
	m->settled_n++;
}

/* ---- construction ---- */

/* btime (boot time, seconds since the epoch) from proc_root/stat; 0 if absent. */
static int64_t read_btime_us(int rootfd)
{
	char buf[16384];
	size_t len;
	if (gw__proc_read(rootfd, "stat", buf, sizeof buf, &len) < 0)
		return 0;
	struct gw_cursor c = gw_cursor_make((const uint8_t *)buf, len), line, tok;
	while (gw_cursor_left(&c) > 0) {
		if (!gw__tok_split(&c, '\n', &line)) {
			line = c;
			c.p = c.end;
		}
		uint64_t v;
		if (gw__tok_next(&line, &tok) && gw__tok_is(tok, "btime") &&
		    gw__tok_next(&line, &tok) && gw__tok_dec(tok, INT64_MAX / 1000000, &v))
			return (int64_t)v * 1000000;
	}
	return 0;
}

void gw_procinfo_config_init(struct gw_procinfo_config *c)
{
	memset(c, 0, sizeof *c);
	c->proc_root = "/proc";
	c->dpkg_info_dir = "/var/lib/dpkg/info";
	c->hash_max_bytes = 256u << 20;
	c->hash_cache_max = 1024;
	c->user_cache_max = 1024;
	c->dpkg_max_paths = 4000000;
}

/* The caches of details; false if out of memory. */
static bool details_open(struct gw_procinfo *p, const struct gw_procinfo_config *cfg)
{
	struct gw__details_ctx *c = &p->dctx;
	c->stats = &p->stats;
	struct stat root;
	if (stat("/", &root) == 0) {
		c->have_root = true;
		c->root_dev = (uint64_t)root.st_dev;
		c->root_ino = (uint64_t)root.st_ino;
	}
	c->users = gw__users_new(cfg->user_cache_max);
	if (cfg->hash_max_bytes)
		c->hashes = gw__exe_hashes_new(cfg->hash_cache_max, cfg->hash_max_bytes);
	if (cfg->dpkg_info_dir)
		c->dpkg = gw__dpkg_paths_new(cfg->dpkg_info_dir, cfg->dpkg_max_paths);
	return c->users && (c->hashes || !cfg->hash_max_bytes) && (c->dpkg || !cfg->dpkg_info_dir);
}

static void details_close(struct gw_procinfo *p)
{
	gw__users_free(p->dctx.users);
	gw__exe_hashes_free(p->dctx.hashes);
	gw__dpkg_paths_free(p->dctx.dpkg);
}

int gw_procinfo_new(const char *proc_root, struct gw_procinfo **out, struct gw_err *err)
{
	struct gw_procinfo_config cfg;
	gw_procinfo_config_init(&cfg);
	cfg.proc_root = proc_root;
	return gw_procinfo_open(&cfg, out, err);
}

int gw__procinfo_open_view(const struct gw_sockview_config *c, struct gw_procinfo **out,
                           struct gw_err *err)
{
	struct gw_procinfo_config cfg;
	gw_procinfo_config_init(&cfg);
	cfg.proc_root = c->proc_root;
	cfg.dpkg_info_dir = c->dpkg_info_dir;
	cfg.hash_max_bytes = c->exe_hash_max;
	return gw_procinfo_open(&cfg, out, err);
}

int gw_procinfo_open(const struct gw_procinfo_config *cfg, struct gw_procinfo **out,
                     struct gw_err *err)
{
	*out = NULL;
	const char *proc_root = cfg->proc_root ? cfg->proc_root : "/proc";
	struct gw_procinfo *p = calloc(1, sizeof *p);
	struct pi_mut *m = calloc(1, sizeof *m);
	if (!p || !m) {
		free(p);
		free(m);
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	}
	p->mut = m;
	if (!details_open(p, cfg)) {
		details_close(p);
		free(m);
		free(p);
		return gw_err_set(err, GW_ENOMEM, "out of memory for process details");
	}
	p->rootfd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->rootfd < 0) {
		int e = errno;
		details_close(p);
		free(m);
		free(p);
		return gw_err_set(err, e == ENOENT ? GW_ENOENT : GW_EIO, "%s: %s", proc_root,
		                  strerror(e));
	}
	struct statfs sf;
	p->procfs = fstatfs(p->rootfd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
	struct stat st;
	p->fd_counts = p->procfs && fstatat(p->rootfd, "self/fd", &st, 0) == 0 && st.st_size > 0;
	p->btime_us = read_btime_us(p->rootfd);
	p->hz = sysconf(_SC_CLK_TCK);
	*out = p;
	return 0;
}

static void free_extra(struct gw_procinfo *p)
{
	for (size_t i = 0; i < p->n_extra; i++)
		free(p->extra[i]);
	p->n_extra = 0;
}

void gw_procinfo_free(struct gw_procinfo *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_procs; i++)
		proc_fini(&p->procs[i]);
	free_extra(p);
	free(p->extra);
	free(p->procs);
	free(p->pids);
	free(p->map);
	free(p->ns);
	free(p->mut->settled);
	free(p->mut);
	details_close(p);
	close(p->rootfd);
	free(p);
}

int32_t gw__procinfo_netns_pid(const struct gw_procinfo *p, uint64_t netns, int32_t after)
{
	int32_t first = 0;
	for (size_t i = 0; p && i < p->n_procs; i++) {
		if (p->procs[i].netns != netns || p->procs[i].pid == after)
			continue;
		if (p->procs[i].pid > after)
			return p->procs[i].pid;
		if (!first)
			first = p->procs[i].pid;
	}
	return first;
}

/* ---- one refresh ---- */

/* The pids below the root, sorted, into p->pids; returns the count or -errno. */
static long list_pids(struct gw_procinfo *p)
{
	int fd = openat(p->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		int e = -errno;
		if (fd >= 0)
			close(fd);
		return e;
	}
	size_t n = 0;
	struct dirent *de;
	long r = 0;
	while ((de = readdir(d))) {
		uint64_t v;
		struct gw_cursor name =
		        gw_cursor_make((const uint8_t *)de->d_name, strlen(de->d_name));
		if (!gw__tok_dec(name, INT32_MAX, &v) || v == 0 || de->d_name[0] == '0')
			continue;
		if (n == MAX_PIDS) {
			r = -E2BIG;
			break;
		}
		if (grow((void **)&p->pids, &p->cap_pids, n + 1, sizeof *p->pids) < 0) {
			r = -ENOMEM;
			break;
		}
		p->pids[n++] = (int32_t)v;
	}
	closedir(d);
	if (r < 0)
		return r;
	if (n > 1)
		qsort(p->pids, n, sizeof *p->pids, cmp_i32);
	return (long)n;
}

enum {
	FD_OTHER = 0,
	FD_SOCKET = 1,
	FD_TUN = 2
};

/* One fd's link: FD_SOCKET and *ino if it is a socket, FD_TUN for
 * /dev/net/tun, FD_OTHER if neither (or closed meanwhile), -EACCES if the
 * kernel refuses to say (a process we may list but not inspect). */
static int fd_kind(int dirfd, const char *name, uint64_t *ino)
{
	static const char tun[] = "/dev/net/tun";
	char link[64];
	ssize_t n = readlinkat(dirfd, name, link, sizeof link);
	if (n < 0)
		return errno == EACCES || errno == EPERM ? -EACCES : FD_OTHER;
	if ((size_t)n == sizeof tun - 1 && memcmp(link, tun, sizeof tun - 1) == 0)
		return FD_TUN;
	return (size_t)n < sizeof link &&
	                       gw__proc_link_id((const uint8_t *)link, (size_t)n, "socket:", ino)
	               ? FD_SOCKET
	               : FD_OTHER;
}

static void sort_unique(struct pi_proc *e)
{
	if (e->n_inodes > 1)
		qsort(e->inodes, e->n_inodes, sizeof *e->inodes, cmp_u64);
	size_t k = 0;
	for (size_t i = 0; i < e->n_inodes; i++)
		if (k == 0 || e->inodes[k - 1] != e->inodes[i])
			e->inodes[k++] = e->inodes[i];
	e->n_inodes = k;
}

/* Rereads e's fd directory: the socket inodes it holds. 0; -EACCES if the
 * directory or some of its links could not be read (the sockets that could are
 * kept, but the directory is never trusted from the cache); -ENOENT/-ESRCH if
 * the process is gone; -ENOMEM. */
static int read_fds(struct gw_procinfo *p, struct pi_proc *e)
{
	char path[32];
	snprintf(path, sizeof path, "%d/fd", (int)e->pid);
	int fd = openat(p->rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		int err = -errno;
		if (fd >= 0)
			close(fd);
		proc_forget_fds(e);
		return err;
	}
	proc_forget_fds(e);
	int r = 0;
	bool denied = false, tun = false;
	struct dirent *de;
	while ((errno = 0, de = readdir(d))) {
		uint64_t ino;
		int s = fd_kind(dirfd(d), de->d_name, &ino);
		denied |= s < 0;
		tun |= s == FD_TUN;
		if (s != FD_SOCKET)
			continue;
		if (grow((void **)&e->inodes, &e->cap_inodes, e->n_inodes + 1, sizeof *e->inodes) <
		    0) {
			r = -ENOMEM;
			break;
		}
		e->inodes[e->n_inodes++] = ino;
	}
	if (!de && errno != 0 && r == 0)
		r = -errno;
	closedir(d);
	if (r < 0) {
		proc_forget_fds(e);
		return r;
	}
	sort_unique(e);
	e->tun = tun;
	e->fds_valid = !denied;
	return denied ? -EACCES : 0;
}

/* A new process (or one whose pid was reused): nothing cached is valid. */
static void proc_reset(struct pi_proc *e, uint64_t start_ticks)
{
	proc_forget_fds(e);
	e->known = true;
	e->start_ticks = start_ticks;
	e->details_gen = 0;
}

enum check_result {
	KEEP,
	GONE,
	OOM
};

static bool is_gone(int e)
{
	return e == -ENOENT || e == -ESRCH;
}

/* Settles whether e is still the process cached (st: its fd directory now). */
static enum check_result check_identity(struct gw_procinfo *p, struct pi_proc *e,
                                        const struct stat *st, bool *same)
{
	*same = e->known && p->procfs && (uint64_t)st->st_ino == e->fd_ino;
	if (*same)
		return KEEP;
	struct gw__proc_stat ps;
	int r = gw__proc_stat_read(p->rootfd, e->pid, &ps);
	if (is_gone(r))
		return GONE;
	uint64_t start = r == 0 ? ps.start_ticks : 0;
	if (e->known && start == e->start_ticks)
		return KEEP; /* the same process; its inode was only re-instantiated */
	proc_reset(e, start);
	return KEEP;
}

/* Brings e up to date; GONE if the process exited during the scan. The fd
 * directory is trusted from the cache only on procfs with fd counts, when its
 * inode (the process instance) and fd count are unchanged, nothing is suspect
 * (force: a miss since), and this is not e's revalidation turn. The same-slot
 * replacement this cannot see is caught by the miss protocol in attribute. */
static enum check_result check_proc(struct gw_procinfo *p, struct pi_proc *e, bool force)
{
	char path[32];
	struct stat st;
	snprintf(path, sizeof path, "%d/fd", (int)e->pid);
	if (fstatat(p->rootfd, path, &st, 0) < 0) {
		if (is_gone(-errno))
			return GONE;
		memset(&st, 0, sizeof st); /* not even stat-able: read below says why */
	}
	bool same;
	uint64_t old_ino = e->fd_ino;
	if (check_identity(p, e, &st, &same) == GONE)
		return GONE;
	bool unchanged = same && e->fds_valid && p->fd_counts && !force &&
	                 (uint64_t)st.st_ino == old_ino && (int64_t)st.st_size == e->fd_count &&
	                 (uint32_t)e->pid % REVALIDATE_EVERY != p->stats.scans % REVALIDATE_EVERY;
	e->fd_ino = (uint64_t)st.st_ino;
	e->fd_count =
	        (int64_t)st.st_size; /* taken before the read: a change during it shows next time */
	e->no_perm = false;
	if (unchanged) {
		p->stats.fd_dirs_cached++;
	} else {
		int r = read_fds(p, e);
		e->fds_gen = p->gen;
		if (is_gone(r))
			return GONE;
		if (r == -ENOMEM)
			return OOM;
		if (r < 0) {
			e->no_perm = true;
			p->stats.no_permission++;
		} else {
			p->stats.fd_dirs_read++;
		}
	}
	snprintf(path, sizeof path, "%d/ns/net", (int)e->pid);
	if (gw__proc_ns_id(p->rootfd, path, "net", &e->netns) < 0)
		e->netns = 0; /* a zombie, or not permitted */
	return KEEP;
}

/* Carries the entries of pids still listed into a new table, in pid order. */
static int merge_pids(struct gw_procinfo *p, size_t n)
{
	struct pi_proc *next = calloc(n ? n : 1, sizeof *next);
	if (!next)
		return -ENOMEM;
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		while (j < p->n_procs && p->procs[j].pid < p->pids[i])
			proc_fini(&p->procs[j++]);
		if (j < p->n_procs && p->procs[j].pid == p->pids[i])
			next[i] = p->procs[j++];
		else
			next[i].pid = p->pids[i];
	}
	while (j < p->n_procs)
		proc_fini(&p->procs[j++]);
	free(p->procs);
	p->procs = next;
	p->n_procs = p->cap_procs = n;
	return 0;
}

static int rebuild_map(struct gw_procinfo *p)
{
	size_t total = 0;
	for (size_t i = 0; i < p->n_procs; i++)
		total += p->procs[i].n_inodes;
	size_t cap = 64;
	while (cap < total * 2)
		cap *= 2;
	if (cap != p->map_cap) {
		struct pi_slot *m = realloc(p->map, cap * sizeof *m);
		if (!m)
			return -ENOMEM;
		p->map = m;
		p->map_cap = cap;
	}
	memset(p->map, 0, cap * sizeof *p->map);
	/* In pid order, so the first holder found is the lowest pid. */
	for (size_t i = 0; i < p->n_procs; i++) {
		const struct pi_proc *e = &p->procs[i];
		for (size_t k = 0; k < e->n_inodes; k++) {
			size_t j = hash_ino(e->inodes[k], cap);
			while (p->map[j].ino && p->map[j].ino != e->inodes[k])
				j = (j + 1) & (cap - 1);
			if (p->map[j].ino) {
				p->map[j].n++;
			} else {
				p->map[j] = (struct pi_slot){e->inodes[k], e->pid, 1};
			}
		}
	}
	return 0;
}

static int rebuild_namespaces(struct gw_procinfo *p)
{
	if (grow((void **)&p->ns, &p->cap_ns, p->n_procs + 1, sizeof *p->ns) < 0)
		return -ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < p->n_procs; i++)
		if (p->procs[i].netns)
			p->ns[n++] = (struct gw_netns_ref){p->procs[i].netns, p->procs[i].pid};
	if (n > 1)
		qsort(p->ns, n, sizeof *p->ns, cmp_ns);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || p->ns[k - 1].netns != p->ns[i].netns)
			p->ns[k++] = p->ns[i];
	p->n_ns = k;
	return 0;
}

int gw_procinfo_refresh(struct gw_procinfo *p, struct gw_err *err)
{
	long n = list_pids(p);
	if (n < 0)
		return gw_err_set(err, n == -ENOMEM ? GW_ENOMEM : GW_EIO, "listing processes: %s",
		                  strerror((int)-n));
	if (merge_pids(p, (size_t)n) < 0)
		return gw_err_set(err, GW_ENOMEM, "out of memory for %ld processes", n);
	bool force = p->mut->suspect;
	p->mut->suspect = false;
	p->stats.fd_dirs_read = p->stats.fd_dirs_cached = p->stats.no_permission = 0;
	size_t k = 0;
	bool oom = false;
	for (size_t i = 0; i < p->n_procs; i++) {
		enum check_result c = oom ? KEEP : check_proc(p, &p->procs[i], force);
		oom |= c == OOM;
		if (c == GONE) {
			p->stats.vanished++;
			proc_fini(&p->procs[i]);
			continue;
		}
		p->procs[k++] = p->procs[i];
	}
	p->n_procs = k;
	if (oom) {
		p->mut->suspect = true; /* what was not read must be next time */
		return gw_err_set(err, GW_ENOMEM, "out of memory for socket inodes");
	}
	free_extra(p);
	if (rebuild_map(p) < 0 || rebuild_namespaces(p) < 0)
		return gw_err_set(err, GW_ENOMEM, "out of memory for the socket inode map");
	p->gen++;
	p->stats.scans++;
	p->stats.processes = k;
	p->skipped_last = p->stats.fd_dirs_cached;
	p->no_perm_last = p->stats.no_permission;
	if (p->gen > SETTLED_STALE && p->mut->settled_n > 0)
		settled_rebuild(p->mut, p->gen - SETTLED_STALE, 0, 0);
	return 0;
}

/* ---- answers ---- */

void gw_procinfo_attribute(const struct gw_procinfo *p, struct gw_socket *sock)
{
	sock->pid = 0;
	sock->n_holders = 0;
	if (sock->inode == 0) {
		sock->owner_status = GW_OWNER_NO_INODE;
		return;
	}
	if (p->gen == 0) {
		sock->owner_status = GW_OWNER_UNRESOLVED;
		return;
	}
	size_t j = hash_ino(sock->inode, p->map_cap);
	while (p->map[j].ino && p->map[j].ino != sock->inode)
		j = (j + 1) & (p->map_cap - 1);
	if (p->map[j].ino) {
		sock->owner_status = GW_OWNER_KNOWN;
		sock->pid = p->map[j].pid;
		sock->n_holders = p->map[j].n;
		return;
	}
	sock->owner_status = p->no_perm_last ? GW_OWNER_NO_PERMISSION : GW_OWNER_NOT_FOUND;
	/* Ownerless after a full reread: settled. Else the cache may be why. */
	if (p->skipped_last == 0)
		settle(p->mut, sock->inode, p->gen);
	else if (!settled_find(p->mut, sock->inode))
		p->mut->suspect = true;
	else
		settled_find(p->mut, sock->inode)->gen = p->gen;
}

const struct gw_process *gw_procinfo_process(struct gw_procinfo *p, int32_t pid)
{
	struct pi_proc *e = find_proc(p, pid);
	/* Details are reread when the process's fd directory changed since they
	 * were read (an exec closes its close-on-exec descriptors) and at least
	 * every REVALIDATE_EVERY refreshes: rereading six files for every owner on
	 * every poll was most of a warm poll with many owners (bench/sockets.sh). */
	if (e && e->details && e->details_gen >= e->fds_gen &&
	    p->gen - e->details_gen < REVALIDATE_EVERY)
		return e->details;
	struct gw_process tmp;
	p->dctx.gen = p->gen;
	if (gw__process_read(p->rootfd, pid, p->btime_us, p->hz, &p->dctx, &tmp) < 0)
		return NULL;
	if (!e) {
		struct gw_process *x = NULL;
		if (p->n_extra == MAX_EXTRA || !(x = malloc(sizeof *x)))
			return NULL;
		if (!p->extra && !(p->extra = calloc(MAX_EXTRA, sizeof *p->extra))) {
			free(x);
			return NULL;
		}
		*x = tmp;
		p->extra[p->n_extra++] = x;
		return x;
	}
	if (!e->details && !(e->details = malloc(sizeof *e->details)))
		return NULL;
	if (e->tun)
		tmp.marks |= GW_MARK_TUN_DEVICE;
	*e->details = tmp;
	e->details_gen = p->gen;
	return e->details;
}

const struct gw_netns_ref *gw_procinfo_namespaces(const struct gw_procinfo *p, size_t *n)
{
	*n = p->n_ns;
	return p->ns;
}

const struct gw_procinfo_stats *gw_procinfo_stats(const struct gw_procinfo *p)
{
	return &p->stats;
}

int gw__procinfo_attribute_set(struct gw_procinfo *p, struct gw_sockset *s, size_t from,
                               struct gw_err *err)
{
	for (size_t i = from; i < s->n_socks; i++)
		gw_procinfo_attribute(p, &s->socks[i]);
	if (p->mut->suspect) {
		int r = gw_procinfo_refresh(p, err);
		if (r < 0)
			return r;
		/* Owners may have changed too: attribute them all again. */
		for (size_t i = from; i < s->n_socks; i++)
			gw_procinfo_attribute(p, &s->socks[i]);
	}
	p->add_stamp++;
	for (size_t i = from; i < s->n_socks; i++) {
		if (s->socks[i].owner_status != GW_OWNER_KNOWN)
			continue;
		struct pi_proc *e = find_proc(p, s->socks[i].pid);
		if (e && e->added_stamp == p->add_stamp)
			continue;
		const struct gw_process *d = gw_procinfo_process(p, s->socks[i].pid);
		if (e)
			e->added_stamp = p->add_stamp;
		if (d && gw_sockset_add_process(s, d) < 0)
			continue; /* counted in s->dropped */
	}
	return 0;
}
