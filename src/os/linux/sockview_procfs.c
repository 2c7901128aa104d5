/* os/linux/sockview_procfs.c — the "procfs" socket view: the host's sockets as
 * /proc/net/{tcp,tcp6,udp,udp6,raw,raw6,packet} list them, in this namespace or,
 * with all_netns, in every namespace through /proc/PID/net of one process inside
 * it; owners through procinfo. Independent of sock_diag, so that a userland
 * rootkit filtering one of the two shows up as a difference. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ghostwire/clock.h"
#include "ghostwire/sockview.h"
#include "procfs_internal.h"

struct gw_sockview {
	struct gw_sockview_config cfg;
	char *proc_root;
	char *dpkg_info_dir; /* NULL: none */
	int rootfd;
	uint64_t self_netns;    /* namespace of proc_root/self: that of "net/" */
	struct gw_procinfo *pi; /* when owners or all_netns */
	struct gw_sockview_stats stats;
	char last_bad[200]; /* the last malformed line, "net/tcp:7: bad state" */
};

/* One namespace to read: its id and the directory holding its tables. */
struct ns_target {
	uint64_t netns;
	int32_t pid; /* 0: proc_root/net */
};

static int ensure_procinfo(struct gw_sockview *v, struct gw_err *err)
{
	if (v->pi)
		return 0;
	return gw__procinfo_open_view(&v->cfg, &v->pi, err);
}

static void procfs_close(struct gw_sockview *v)
{
	if (!v)
		return;
	gw_procinfo_free(v->pi);
	if (v->rootfd >= 0)
		close(v->rootfd);
	free(v->proc_root);
	free(v->dpkg_info_dir);
	free(v);
}

static int procfs_open(const struct gw_sockview_config *cfg, struct gw_sockview **out,
                       struct gw_err *err)
{
	*out = NULL;
	struct gw_sockview *v = calloc(1, sizeof *v);
	if (!v)
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	v->cfg = *cfg;
	v->rootfd = -1;
	v->proc_root = strdup(cfg->proc_root ? cfg->proc_root : "/proc");
	v->dpkg_info_dir = cfg->dpkg_info_dir ? strdup(cfg->dpkg_info_dir) : NULL;
	if (!v->proc_root || (cfg->dpkg_info_dir && !v->dpkg_info_dir)) {
		procfs_close(v);
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	}
	v->cfg.proc_root = v->proc_root;
	v->cfg.dpkg_info_dir = v->dpkg_info_dir;
	v->rootfd = open(v->proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (v->rootfd < 0 || faccessat(v->rootfd, "net/tcp", R_OK, 0) < 0) {
		int e = errno;
		int r = gw_err_set(err, e == ENOENT ? GW_ENOENT : GW_EIO, "%s%s: %s", v->proc_root,
		                   v->rootfd < 0 ? "" : "/net/tcp", strerror(e));
		procfs_close(v);
		return r;
	}
	if (gw__proc_ns_id(v->rootfd, "self/ns/net", "net", &v->self_netns) < 0)
		v->self_netns = 0;
	if (cfg->owners || cfg->all_netns) {
		int r = ensure_procinfo(v, err);
		if (r < 0) {
			procfs_close(v);
			return r;
		}
	}
	*out = v;
	return 0;
}

static int add_to_set(void *ctx, const struct gw_socket *s)
{
	/* Past the ceiling the set counts the socket in `dropped`; go on counting. */
	(void)!gw_sockset_add(ctx, s);
	return 0;
}

static void prefix_path(const struct ns_target *t, const char *table, char *buf, size_t size)
{
	if (t->pid)
		snprintf(buf, size, "%d/net/%s", (int)t->pid, table);
	else
		snprintf(buf, size, "net/%s", table);
}

/* Reads every table of one namespace. A missing table other than tcp (no IPv6,
 * no packet module) is not an error; a missing tcp means the namespace (or the
 * process standing for it) is gone: -ENOENT. */
static int read_namespace(struct gw_sockview *v, const struct ns_target *t, gw__net_sink sink,
                          void *ctx, const enum gw__net_table *tables, size_t n_tables)
{
	struct gw__net_counts counts = {0};
	int r = 0;
	for (size_t i = 0; i < n_tables && r == 0; i++) {
		char path[64];
		prefix_path(t, gw__net_table_name(tables[i]), path, sizeof path);
		r = gw__net_read_table(v->rootfd, path, tables[i], t->netns, sink, ctx, &counts);
		if (r == -ENOENT && i > 0)
			r = 0;
	}
	v->stats.malformed += counts.malformed;
	if (counts.malformed)
		memcpy(v->last_bad, counts.last_bad, sizeof v->last_bad);
	return r;
}

static const enum gw__net_table all_tables[] = {
        GW__NET_TCP, GW__NET_TCP6, GW__NET_UDP,    GW__NET_UDP6,
        GW__NET_RAW, GW__NET_RAW6, GW__NET_PACKET,
};

/* Reads namespace t into out, trying other processes of the namespace if the one
 * chosen exits meanwhile. */
static int snapshot_namespace(struct gw_sockview *v, struct ns_target t, struct gw_sockset *out)
{
	size_t mark = out->n_socks;
	for (int tries = 0; tries < 4; tries++) {
		int r = read_namespace(v, &t, add_to_set, out, all_tables,
		                       sizeof all_tables / sizeof *all_tables);
		if (r != -ENOENT && r != -ESRCH)
			return r;
		out->n_socks = mark;
		if (!t.pid || !(t.pid = gw__procinfo_netns_pid(v->pi, t.netns, t.pid)))
			return r;
	}
	return -ENOENT;
}

/* The namespaces to read: ours, and with all_netns every one procinfo found. */
static size_t list_targets(struct gw_sockview *v, struct ns_target *buf, size_t cap,
                           struct ns_target **heap)
{
	*heap = NULL;
	size_t n_ns = 0;
	const struct gw_netns_ref *ns =
	        v->cfg.all_netns && v->pi ? gw_procinfo_namespaces(v->pi, &n_ns) : NULL;
	struct ns_target *t = buf;
	if (n_ns + 1 > cap && !(t = *heap = calloc(n_ns + 1, sizeof *t)))
		t = buf, n_ns = 0; /* out of memory: our namespace only */
	size_t n = 0;
	t[n++] = (struct ns_target){v->self_netns, 0};
	for (size_t i = 0; i < n_ns; i++)
		if (ns[i].netns != v->self_netns)
			t[n++] = (struct ns_target){ns[i].netns, ns[i].pid};
	return n;
}

static int procfs_snapshot(struct gw_sockview *v, struct gw_sockset *out, struct gw_err *err)
{
	int64_t t0 = gw_clock_monotonic_us();
	gw_sockset_clear(out);
	out->ts_us = gw_clock_realtime_us();
	int r = v->pi ? gw_procinfo_refresh(v->pi, err) : 0;
	if (r < 0) {
		v->stats.errors++;
		return r;
	}
	struct ns_target local[16], *heap;
	size_t n = list_targets(v, local, 16, &heap);
	v->stats.netns_polled = v->stats.netns_failed = 0;
	for (size_t i = 0; i < n && r >= 0; i++) {
		int e = snapshot_namespace(v, heap ? heap[i] : local[i], out);
		if (e < 0 && i == 0)
			r = gw_err_set(err, GW_EIO, "%s/net: %s", v->proc_root, strerror(-e));
		else if (e < 0)
			v->stats.netns_failed++;
		else
			v->stats.netns_polled++;
	}
	free(heap);
	if (r >= 0 && v->cfg.owners)
		r = gw__procinfo_attribute_set(v->pi, out, 0, err);
	if (r < 0) {
		v->stats.errors++;
		return r;
	}
	gw_sockset_finish(out);
	v->stats.snapshots++;
	v->stats.snapshot_us += (uint64_t)(gw_clock_monotonic_us() - t0);
	return 0;
}

struct lookup_ctx {
	const struct gw_sock_query *q;
	struct gw_socket found;
	bool have;
};

/* Keeps an exact match; one with an inode (not TIME_WAIT) ends the search. */
static int lookup_sink(void *ctx, const struct gw_socket *s)
{
	struct lookup_ctx *l = ctx;
	const struct gw_sock_query *q = l->q;
	if (s->proto != q->proto || s->local_port != q->local_port ||
	    s->remote_port != q->remote_port || !gw_addr_socket_is(&s->local, &q->local) ||
	    !gw_addr_socket_is(&s->remote, &q->remote))
		return 0;
	if (!l->have || (l->found.inode == 0 && s->inode != 0))
		l->found = *s;
	l->have = true;
	return s->inode != 0 ? 1 : 0;
}

/* Where namespace netns (0: ours) can be read: 1, 0 if no process is in it any
 * more, or negative. */
static int lookup_target(struct gw_sockview *v, uint64_t netns, struct ns_target *t,
                         struct gw_err *err)
{
	*t = (struct ns_target){v->self_netns, 0};
	if (netns == 0 || netns == v->self_netns)
		return 1;
	int r = ensure_procinfo(v, err);
	for (int pass = 0; r == 0 && pass < 2; pass++) {
		size_t n;
		const struct gw_netns_ref *ns = gw_procinfo_namespaces(v->pi, &n);
		for (size_t i = 0; i < n; i++)
			if (ns[i].netns == netns) {
				*t = (struct ns_target){netns, ns[i].pid};
				return 1;
			}
		if (pass == 0)
			r = gw_procinfo_refresh(v->pi, err);
	}
	return r;
}

/* Sets found's owner (refreshing procinfo, which is cheap when warm). */
static int lookup_owner(struct gw_sockview *v, struct gw_socket *found, struct gw_err *err)
{
	struct gw_sockset one;
	gw_sockset_init(&one, 1, 1);
	int r = ensure_procinfo(v, err);
	if (r == 0)
		r = gw_procinfo_refresh(v->pi, err);
	if (r == 0 && (r = gw_sockset_add(&one, found)) == 0)
		r = gw__procinfo_attribute_set(v->pi, &one, 0, err);
	if (r == 0)
		*found = one.socks[0];
	gw_sockset_fini(&one);
	return r;
}

static int procfs_lookup(struct gw_sockview *v, const struct gw_sock_query *q,
                         struct gw_socket *out, struct gw_err *err)
{
	v->stats.lookups++;
	if (q->proto != GW_SOCK_TCP && q->proto != GW_SOCK_UDP) {
		v->stats.errors++;
		return gw_err_set(err, GW_EINVAL, "lookup: protocol %u is not TCP or UDP",
		                  q->proto);
	}
	struct ns_target t;
	int r = lookup_target(v, q->netns, &t, err);
	if (r <= 0) {
		v->stats.errors += r < 0;
		return r; /* 0: no process in that namespace any more */
	}
	enum gw__net_table tables[2] = {GW__NET_TCP, GW__NET_TCP6};
	if (q->proto == GW_SOCK_UDP)
		tables[0] = GW__NET_UDP, tables[1] = GW__NET_UDP6;
	struct lookup_ctx l = {.q = q};
	r = read_namespace(v, &t, lookup_sink, &l, tables, 2);
	if (r < 0) {
		v->stats.errors++;
		return gw_err_set(err, GW_EIO, "%s/%s: %s", v->proc_root, t.pid ? "PID/net" : "net",
		                  strerror(-r));
	}
	if (!l.have)
		return 0;
	if (v->cfg.owners && (r = lookup_owner(v, &l.found, err)) < 0) {
		v->stats.errors++;
		return r;
	}
	*out = l.found;
	v->stats.lookup_hits++;
	return 1;
}

static const struct gw_sockview_stats *procfs_stats(const struct gw_sockview *v)
{
	return &v->stats;
}

const struct gw_sockview_ops gw_sockview_procfs = {
        .name = "procfs",
        .summary = "/proc/net/* tables and /proc/PID/fd owners (independent of sock_diag)",
        .open = procfs_open,
        .snapshot = procfs_snapshot,
        .lookup = procfs_lookup,
        .stats = procfs_stats,
        .close = procfs_close,
};

const char *gw__sockview_procfs_last_bad(const struct gw_sockview *v)
{
	return v->last_bad;
}
