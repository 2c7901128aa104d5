/* os/linux/procinfo_details.c — one process as a report names it: comm, ppid,
 * flags and start time from /proc/PID/stat, real uid from status, exe (without
 * the kernel's " (deleted)"), cmdline, network namespace, the container hint
 * read from /proc/PID/cgroup, and — through details_internal.h — user name,
 * executable digest and marks. Owns the parsing of those files and the
 * escaping of what they say. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "details_internal.h"
#include "procfs_internal.h"

enum {
	STAT_FIELD_PPID = 1,   /* field 4, counted from the state after ')' */
	STAT_FIELD_FLAGS = 6,  /* field 9 */
	STAT_FIELD_START = 19, /* field 22 */
	HEX_ID_LEN = 64,       /* a docker / containerd / cri-o / podman container id */
};

bool gw__proc_stat_parse(const uint8_t *text, size_t len, struct gw__proc_stat *out)
{
	memset(out, 0, sizeof *out);
	const uint8_t *open = memchr(text, '(', len);
	const uint8_t *close = NULL;
	for (size_t i = len; i > 0; i--)
		if (text[i - 1] == ')') {
			close = text + i - 1;
			break;
		}
	/* comm may hold spaces and ')': it ends at the last ')'. */
	if (!open || !close || close < open)
		return false;
	gw__text_escape(open + 1, (size_t)(close - open - 1), out->comm, sizeof out->comm, false);
	struct gw_cursor c = {close + 1, text + len}, tok;
	for (int i = 0; i <= STAT_FIELD_START; i++) {
		if (!gw__tok_next(&c, &tok))
			return false;
		uint64_t v;
		if (i == STAT_FIELD_PPID) {
			if (!gw__tok_dec(tok, INT32_MAX, &v))
				return false;
			out->ppid = (int32_t)v;
		} else if (i == STAT_FIELD_FLAGS) {
			out->flags = gw__tok_dec(tok, UINT32_MAX, &v) ? (uint32_t)v : 0;
		} else if (i == STAT_FIELD_START) {
			/* The last field before a newline: stop the token there. */
			const uint8_t *nl = memchr(tok.p, '\n', gw_cursor_left(&tok));
			if (nl)
				tok.end = nl;
			if (!gw__tok_dec(tok, UINT64_MAX, &v))
				return false;
			out->start_ticks = v;
		}
	}
	return true;
}

int gw__proc_stat_read(int rootfd, int32_t pid, struct gw__proc_stat *out)
{
	char path[32], buf[1024];
	size_t len;
	snprintf(path, sizeof path, "%d/stat", (int)pid);
	int r = gw__proc_read(rootfd, path, buf, sizeof buf, &len);
	if (r < 0)
		return r;
	return gw__proc_stat_parse((const uint8_t *)buf, len, out) ? 0 : -EINVAL;
}

bool gw__status_uid(const uint8_t *text, size_t len, uint32_t *uid)
{
	struct gw_cursor c = gw_cursor_make(text, len), line;
	while (gw_cursor_left(&c) > 0) {
		if (!gw__tok_split(&c, '\n', &line)) {
			line = c;
			c.p = c.end;
		}
		struct gw_cursor tok;
		uint64_t v;
		if (gw__tok_next(&line, &tok) && gw__tok_is(tok, "Uid:"))
			return gw__tok_next(&line, &tok) && gw__tok_dec(tok, UINT32_MAX, &v) &&
			       (*uid = (uint32_t)v, true);
	}
	return false;
}

static bool is_hex_id(struct gw_cursor t)
{
	if (gw_cursor_left(&t) != HEX_ID_LEN)
		return false;
	for (const uint8_t *p = t.p; p < t.end; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static bool has_prefix(struct gw_cursor t, const char *s, struct gw_cursor *rest)
{
	size_t n = strlen(s);
	if (gw_cursor_left(&t) < n || memcmp(t.p, s, n) != 0)
		return false;
	rest->p = t.p + n;
	rest->end = t.end;
	return true;
}

static struct gw_cursor strip_suffix(struct gw_cursor t, const char *s)
{
	size_t n = strlen(s);
	if (gw_cursor_left(&t) >= n && memcmp(t.end - n, s, n) == 0)
		t.end -= n;
	return t;
}

/* A 64-hex container id in one path component: "<id>", "docker-<id>.scope",
 * "cri-containerd-<id>.scope", "crio-<id>.scope", "libpod-<id>.scope", ... */
static bool component_id(struct gw_cursor comp, struct gw_cursor *id)
{
	struct gw_cursor t = strip_suffix(comp, ".scope");
	for (const uint8_t *p = t.end; p > t.p; p--)
		if (p[-1] == '-') {
			t.p = p;
			break;
		}
	if (!is_hex_id(t))
		return false;
	*id = t;
	return true;
}

struct hint {
	struct gw_cursor id;   /* a container id, preferred */
	struct gw_cursor name; /* else a named container */
	const char *kind;      /* "lxc/" or "machine/" for name */
};

/* Looks at the components of one cgroup path; the innermost match wins. */
static void path_hint(struct gw_cursor path, struct hint *h)
{
	struct gw_cursor comp, prev = {0}, rest;
	while (gw_cursor_left(&path) > 0) {
		if (!gw__tok_split(&path, '/', &comp)) {
			comp = path;
			path.p = path.end;
		}
		if (gw_cursor_left(&comp) == 0)
			continue;
		if (component_id(comp, &rest)) {
			h->id = rest;
		} else if (prev.p && gw__tok_is(prev, "lxc")) {
			h->name = comp, h->kind = "lxc/";
		} else if (has_prefix(comp, "lxc.payload.", &rest) && gw_cursor_left(&rest) > 0) {
			h->name = rest, h->kind = "lxc/";
		} else if (prev.p && gw__tok_is(prev, "lxc.payload")) {
			h->name = comp, h->kind = "lxc/";
		} else if (prev.p && gw__tok_is(prev, "machine.slice") &&
		           has_prefix(comp, "machine-", &rest)) {
			rest = strip_suffix(rest, ".scope");
			if (gw_cursor_left(&rest) > 0)
				h->name = rest, h->kind = "machine/";
		}
		prev = comp;
	}
}

void gw__container_hint(const uint8_t *cgroup, size_t len, char *out, size_t size)
{
	struct gw_cursor c = gw_cursor_make(cgroup, len), line, field;
	struct hint h = {{0}, {0}, NULL};
	out[0] = '\0';
	/* "hierarchy-id:controllers:path" per line; v1 lists one per controller. */
	while (gw_cursor_left(&c) > 0 && !h.id.p) {
		if (!gw__tok_split(&c, '\n', &line)) {
			line = c;
			c.p = c.end;
		}
		if (gw__tok_split(&line, ':', &field) && gw__tok_split(&line, ':', &field))
			path_hint(line, &h);
	}
	if (h.id.p) {
		gw__text_escape(h.id.p, gw_cursor_left(&h.id), out, size, false);
	} else if (h.name.p) {
		size_t k = strlen(h.kind);
		if (size > k + 1) {
			memcpy(out, h.kind, k);
			gw__text_escape(h.name.p, gw_cursor_left(&h.name), out + k, size - k,
			                false);
		}
	}
}

/* Cmdline: arguments separated (and usually ended) by NUL; kept with spaces.
 * Returns whether argv[0] looks like a kernel thread's name. */
static bool read_cmdline(int rootfd, int32_t pid, char *buf, size_t cap, struct gw_process *out)
{
	char path[32];
	size_t len;
	snprintf(path, sizeof path, "%d/cmdline", (int)pid);
	if (gw__proc_read(rootfd, path, buf, cap, &len) < 0)
		return false;
	while (len > 0 && buf[len - 1] == '\0')
		len--;
	gw__text_escape((const uint8_t *)buf, len, out->cmdline, sizeof out->cmdline, true);
	return len > 0 && gw__kthread_like_name(buf, strnlen(buf, len));
}

/* The executable as the kernel names it: raw bytes (without " (deleted)") for
 * the marks, and its stat (the link followed) for the digest. */
struct exe_view {
	char raw[PATH_MAX];
	size_t len; /* 0: no executable (kernel thread) or unreadable */
	bool have_st;
	struct stat st;
};

static void read_exe(int rootfd, int32_t pid, struct exe_view *x, struct gw_process *out)
{
	static const char deleted[] = " (deleted)";
	const size_t k = sizeof deleted - 1;
	char path[32];
	snprintf(path, sizeof path, "%d/exe", (int)pid);
	ssize_t n = readlinkat(rootfd, path, x->raw, sizeof x->raw);
	x->len = n > 0 ? (size_t)n : 0;
	x->have_st = x->len > 0 && fstatat(rootfd, path, &x->st, 0) == 0;
	/* The kernel's suffix is trusted: a file really named "x (deleted)" only
	 * earns its author a mark. */
	if (x->len > k && memcmp(x->raw + x->len - k, deleted, k) == 0) {
		x->len -= k;
		out->exe_deleted = true;
	}
	gw__text_escape((const uint8_t *)x->raw, x->len, out->exe, sizeof out->exe, false);
}

/* Whether pid's root directory is ours (or cannot be told: fixture trees, no
 * permission), so that its exe path means what it means to dpkg here. */
static bool same_root(const struct gw__details_ctx *c, int rootfd, int32_t pid)
{
	char path[32];
	struct stat st;
	if (!c->have_root)
		return true;
	snprintf(path, sizeof path, "%d/root", (int)pid);
	if (fstatat(rootfd, path, &st, 0) < 0)
		return true;
	return (uint64_t)st.st_dev == c->root_dev && (uint64_t)st.st_ino == c->root_ino;
}

static bool unpackaged(const struct gw__details_ctx *c, int rootfd, int32_t pid,
                       const struct exe_view *x)
{
	return c->dpkg && gw__exe_path_packageable(x->raw, x->len) && same_root(c, rootfd, pid) &&
	       gw__dpkg_paths_owned(c->dpkg, x->raw, x->len, c->gen, c->stats) == 0;
}

/* User name, digest and marks: what ctx adds to the details read. */
static void enrich(const struct gw__details_ctx *c, int rootfd, int32_t pid,
                   const struct exe_view *x, struct gw_process *out)
{
	if (c->users && out->uid != UINT32_MAX)
		gw__users_name(c->users, out->uid, c->gen, out->user, sizeof out->user, c->stats);
	if (c->hashes && x->len > 0) {
		char path[32];
		snprintf(path, sizeof path, "%d/exe", (int)pid);
		if (x->have_st) {
			gw__exe_hash(c->hashes, rootfd, path, &x->st, out, c->stats);
		} else {
			out->exe_hash_status = GW_EXE_HASH_UNREADABLE;
			c->stats->exe_unreadable++;
		}
	}
	if (unpackaged(c, rootfd, pid, x))
		out->marks |= GW_MARK_UNPACKAGED_EXE;
	c->stats->details_read++;
}

int gw__process_read(int rootfd, int32_t pid, int64_t btime_us, long hz,
                     const struct gw__details_ctx *ctx, struct gw_process *out)
{
	char path[32], buf[16384];
	size_t len;
	memset(out, 0, sizeof *out);
	out->pid = pid;
	out->uid = UINT32_MAX;
	struct gw__proc_stat st;
	int r = gw__proc_stat_read(rootfd, pid, &st);
	if (r == -ENOENT || r == -ESRCH)
		return r;
	if (r == 0) {
		out->ppid = st.ppid;
		memcpy(out->comm, st.comm, sizeof out->comm);
		if (btime_us > 0 && hz > 0 && st.start_ticks < (uint64_t)INT64_MAX / 1000000)
			out->start_us =
			        btime_us + (int64_t)(st.start_ticks * 1000000 / (uint64_t)hz);
	}
	snprintf(path, sizeof path, "%d/status", (int)pid);
	if (gw__proc_read(rootfd, path, buf, sizeof buf, &len) == 0)
		gw__status_uid((const uint8_t *)buf, len, &out->uid);
	struct exe_view x;
	read_exe(rootfd, pid, &x, out);
	if (x.len > 0)
		out->marks |= gw__exe_path_marks(x.raw, x.len, out->exe_deleted);
	bool argv0_kthread = read_cmdline(rootfd, pid, buf, sizeof buf, out);
	/* A user-space process (no PF_KTHREAD) named like a kernel thread. */
	if (r == 0 && !(st.flags & GW__PF_KTHREAD) &&
	    (argv0_kthread || gw__kthread_like_name(out->comm, strlen(out->comm))))
		out->marks |= GW_MARK_KTHREAD_DISGUISE;
	snprintf(path, sizeof path, "%d/cgroup", (int)pid);
	if (gw__proc_read(rootfd, path, buf, sizeof buf, &len) == 0)
		gw__container_hint((const uint8_t *)buf, len, out->container,
		                   sizeof out->container);
	snprintf(path, sizeof path, "%d/ns/net", (int)pid);
	if (gw__proc_ns_id(rootfd, path, "net", &out->netns) < 0)
		out->netns = 0;
	if (ctx)
		enrich(ctx, rootfd, pid, &x, out);
	return 0;
}
