/* os/linux/sockview_netlink.c — the "netlink" socket view: owns the sock_diag
 * sockets (ours, and one cached per other network namespace), the snapshot
 * (TCP, UDP, RAW over IPv4/IPv6 and PACKET, every namespace, owners attributed),
 * the exact-tuple lookup, and the view's counters. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ghostwire/clock.h"
#include "ghostwire/procinfo.h"
#include "ghostwire/sockview.h"
#include "netlink_internal.h"
#include "procfs_internal.h"

/* Sockets kept open for other namespaces; beyond, a namespace's socket is
 * opened for one snapshot and closed again. */
#define NETNS_CACHE 256

struct ns_conn {
	struct gw__nl nl;
	uint64_t seen; /* the snapshot generation that last found this namespace in use */
};

struct gw_sockview {
	struct gw_sockview_config cfg;
	char proc_root[PATH_MAX];
	int proc_dir; /* proc_root, open (for the RAW fallback) */
	struct gw__nl own;
	struct gw__nl_io io;
	struct ns_conn *ns; /* NETNS_CACHE slots, n_ns in use */
	size_t n_ns;
	uint64_t generation;
	struct gw_procinfo *procinfo; /* NULL when owners and namespaces are not asked for,
	                                 or the platform cannot tell them */
	bool raw_diag_missing[2];     /* [0] AF_INET, [1] AF_INET6: kernel without raw_diag */
	FILE *record;                 /* owned; see gw__sockview_netlink_record */
	struct gw_sockview_stats stats;
};

/* ---- one namespace ---- */

struct set_sink {
	struct gw_sockset *set;
	uint64_t netns;
};

/* Adds a socket; the set counts what its ceiling drops. */
static void add_to_set(void *ud, const struct gw_socket *s)
{
	struct set_sink *k = ud;
	struct gw_socket copy = *s;
	copy.netns = k->netns;
	int rc = gw_sockset_add(k->set, &copy);
	(void)rc; /* beyond its ceiling, the set counts the socket in `dropped` */
}

static int raw_to_sink(void *ctx, const struct gw_socket *s)
{
	const struct gw__diag_sink *sink = ctx;
	sink->add(sink->ud, s);
	return 0;
}

/* RAW sockets from <proc_root>/PID/net/raw{,6} (the namespace of nl), through
 * the procfs view's table parser, the way ss falls back when the kernel has no
 * raw_diag (CONFIG_INET_RAW_DIAG unset). */
static int raw_from_procfs(struct gw_sockview *v, struct gw__nl *nl, uint8_t family,
                           const struct gw__diag_sink *sink, struct gw_err *err)
{
	char path[64];
	const char *table = family == AF_INET ? "raw" : "raw6";
	if (nl->pid > 0)
		snprintf(path, sizeof path, "%d/net/%s", (int)nl->pid, table);
	else
		snprintf(path, sizeof path, "thread-self/net/%s", table);
	struct gw__net_counts nc = {0};
	int rc = gw__net_read_table(v->proc_dir, path,
	                            family == AF_INET ? GW__NET_RAW : GW__NET_RAW6, nl->netns,
	                            raw_to_sink, (void *)sink, &nc);
	v->io.counts.messages += nc.sockets;
	v->io.counts.malformed[GW__NL_BAD_PROCLINE] += nc.malformed;
	if (rc < 0)
		return gw_err_set(err, GW_EIO, "%s/%s: %s", v->proc_root, path, strerror(-rc));
	return 0;
}

/* RAW over netlink, or from /proc once the kernel has said it has no raw_diag. */
static int dump_raw(struct gw_sockview *v, struct gw__nl *nl, uint8_t family,
                    const struct gw__diag_sink *sink, struct gw_err *err)
{
	bool *missing = &v->raw_diag_missing[family == AF_INET6];
	if (!*missing) {
		uint8_t req[GW__INET_DIAG_REQ_LEN];
		struct gw__diag_kind kind = {family, IPPROTO_RAW};
		int nl_errno;
		gw__inet_diag_dump_req(req, family, IPPROTO_RAW);
		int rc = gw__nl_request(nl, &v->io, kind, true, req, sizeof req, sink, &nl_errno,
		                        err);
		if (rc == 0 || nl_errno != ENOENT)
			return rc;
		*missing = true;
	}
	return raw_from_procfs(v, nl, family, sink, err);
}

/* TCP and UDP over IPv4 and IPv6: each must succeed. */
static int dump_tcp_udp(struct gw_sockview *v, struct gw__nl *nl, const struct gw__diag_sink *sink,
                        struct gw_err *err)
{
	static const struct gw__diag_kind kinds[] = {
	        {AF_INET, IPPROTO_TCP},
	        {AF_INET6, IPPROTO_TCP},
	        {AF_INET, IPPROTO_UDP},
	        {AF_INET6, IPPROTO_UDP},
	};
	uint8_t req[GW__INET_DIAG_REQ_LEN];
	int nl_errno;
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		gw__inet_diag_dump_req(req, kinds[i].family, kinds[i].protocol);
		int rc = gw__nl_request(nl, &v->io, kinds[i], true, req, sizeof req, sink,
		                        &nl_errno, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* RAW and PACKET: a dump that fails is counted in errors and the rest goes on
 * (a kernel may lack packet_diag; RAW has its /proc fallback). */
static void dump_raw_packet(struct gw_sockview *v, struct gw__nl *nl,
                            const struct gw__diag_sink *sink)
{
	struct gw_err ignored;
	if (dump_raw(v, nl, AF_INET, sink, &ignored) < 0)
		v->stats.errors++;
	if (dump_raw(v, nl, AF_INET6, sink, &ignored) < 0)
		v->stats.errors++;
	uint8_t req[GW__PACKET_DIAG_REQ_LEN];
	struct gw__diag_kind kind = {AF_PACKET, 0};
	int nl_errno;
	gw__packet_diag_dump_req(req);
	if (gw__nl_request(nl, &v->io, kind, true, req, sizeof req, sink, &nl_errno, &ignored) < 0)
		v->stats.errors++;
}

/* Every socket of the namespace of nl into set, stamped with its netns. */
static int dump_namespace(struct gw_sockview *v, struct gw__nl *nl, struct gw_sockset *set,
                          struct gw_err *err)
{
	struct set_sink k = {set, nl->netns};
	struct gw__diag_sink sink = {add_to_set, &k};
	int rc = dump_tcp_udp(v, nl, &sink, err);
	if (rc < 0)
		return rc;
	dump_raw_packet(v, nl, &sink);
	return 0;
}

/* ---- other namespaces ---- */

static struct ns_conn *ns_find(struct gw_sockview *v, uint64_t netns)
{
	for (size_t i = 0; i < v->n_ns; i++)
		if (v->ns[i].nl.netns == netns)
			return &v->ns[i];
	return NULL;
}

/* Opens a socket inside ref's namespace, into a cache slot if one is free, else
 * into *tmp. NULL if the namespace cannot be entered. */
static struct ns_conn *ns_open(struct gw_sockview *v, const struct gw_netns_ref *ref,
                               struct ns_conn *tmp, struct gw_err *err)
{
	struct ns_conn *c = v->n_ns < NETNS_CACHE ? &v->ns[v->n_ns] : tmp;
	memset(c, 0, sizeof *c);
	if (gw__nl_open(&c->nl, v->proc_root, ref->pid, &v->io.stranded, err) < 0)
		return NULL;
	if (c->nl.netns != ref->netns) { /* the process moved, or its pid was reused */
		gw__nl_close(&c->nl);
		gw_err_set(err, GW_ENOENT, "process %d is no longer in network namespace %llu",
		           (int)ref->pid, (unsigned long long)ref->netns);
		return NULL;
	}
	if (c != tmp)
		v->n_ns++;
	return c;
}

/* Closes the sockets of namespaces no process uses any more. */
static void ns_prune(struct gw_sockview *v)
{
	size_t k = 0;
	for (size_t i = 0; i < v->n_ns; i++) {
		if (v->ns[i].seen == v->generation)
			v->ns[k++] = v->ns[i];
		else
			gw__nl_close(&v->ns[i].nl);
	}
	v->n_ns = k;
}

static void poll_namespaces(struct gw_sockview *v, struct gw_sockset *set)
{
	size_t n = 0;
	const struct gw_netns_ref *refs = gw_procinfo_namespaces(v->procinfo, &n);
	v->generation++;
	for (size_t i = 0; i < n && !v->io.stranded; i++) {
		if (refs[i].netns == 0 || refs[i].netns == v->own.netns)
			continue;
		struct gw_err e;
		struct ns_conn tmp, *c = ns_find(v, refs[i].netns);
		if (c && c->seen == v->generation)
			continue; /* listed twice */
		if (c)
			c->nl.pid =
			        refs[i].pid; /* a process alive now, should the socket need reopening */
		if (!c && !(c = ns_open(v, &refs[i], &tmp, &e))) {
			v->stats.netns_failed++;
			continue;
		}
		c->seen = v->generation;
		if (dump_namespace(v, &c->nl, set, &e) < 0)
			v->stats.netns_failed++;
		else
			v->stats.netns_polled++;
		if (c == &tmp)
			gw__nl_close(&tmp.nl);
	}
	ns_prune(v);
}

/* ---- owners ---- */

/* Brings the process map up to date; false if owners cannot be told. */
static bool refresh_owners(struct gw_sockview *v)
{
	if (!v->procinfo)
		return false;
	struct gw_err e;
	int rc = gw_procinfo_refresh(v->procinfo, &e);
	if (rc < 0 && rc != GW_ENOTSUP)
		v->stats.errors++;
	return rc == 0;
}

/* Sets every socket's owner and adds each owning process (once) to the set;
 * procinfo rereads what its cache may have hidden, so no socket is reported
 * unowned for the cache's sake. */
static void attribute_owners(struct gw_sockview *v, struct gw_sockset *set, bool have_map)
{
	if (!have_map) {
		for (size_t i = 0; i < set->n_socks; i++)
			set->socks[i].owner_status =
			        set->socks[i].inode ? GW_OWNER_UNRESOLVED : GW_OWNER_NO_INODE;
		return;
	}
	struct gw_err e;
	if (gw__procinfo_attribute_set(v->procinfo, set, 0, &e) < 0)
		v->stats.errors++;
}

/* ---- the view ---- */

static void update_malformed(struct gw_sockview *v)
{
	v->stats.malformed = gw__nl_malformed_total(&v->io.counts);
}

static int take_snapshot(struct gw_sockview *v, struct gw_sockset *out, struct gw_err *err)
{
	if (v->io.stranded)
		return gw_err_set(err, GW_EPERM,
		                  "netlink view: stranded in another network namespace");
	int rc = dump_namespace(v, &v->own, out, err);
	if (rc < 0)
		return rc;
	/* After our own namespace's dump, so that every socket it holds existed
	 * before the process map was read; before the other namespaces, whose
	 * list the map gives. */
	bool have_map = refresh_owners(v);
	v->stats.netns_polled = 1;
	v->stats.netns_failed = 0;
	if (v->cfg.all_netns && have_map)
		poll_namespaces(v, out);
	if (v->io.stranded)
		return gw_err_set(err, GW_EPERM,
		                  "netlink view: could not return to our own network namespace");
	if (v->cfg.owners)
		attribute_owners(v, out, have_map);
	gw_sockset_finish(out);
	return 0;
}

static int nl_snapshot(struct gw_sockview *v, struct gw_sockset *out, struct gw_err *err)
{
	int64_t t0 = gw_clock_monotonic_us();
	gw_sockset_clear(out);
	int rc = take_snapshot(v, out, err);
	if (rc < 0) {
		gw_sockset_clear(out); /* never half a snapshot */
		v->stats.errors++;
	} else {
		v->stats.snapshots++;
	}
	int64_t t1 = gw_clock_monotonic_us();
	v->stats.snapshot_us += t1 > t0 ? (uint64_t)(t1 - t0) : 0;
	update_malformed(v);
	return rc;
}

/* The socket of namespace netns (0: ours) into *nl, opening one if a process
 * in that namespace is known. */
static int socket_for(struct gw_sockview *v, uint64_t netns, struct gw__nl **nl, struct gw_err *err)
{
	*nl = &v->own;
	if (netns == 0 || netns == v->own.netns)
		return 0;
	struct ns_conn *c = ns_find(v, netns);
	if (c) {
		*nl = &c->nl;
		return 0;
	}
	size_t n = 0;
	const struct gw_netns_ref *refs =
	        v->procinfo ? gw_procinfo_namespaces(v->procinfo, &n) : NULL;
	for (size_t i = 0; i < n; i++) {
		if (refs[i].netns != netns)
			continue;
		struct gw_err e = {0};
		struct ns_conn tmp;
		if (v->n_ns >= NETNS_CACHE) /* no free slot: give up the last one opened */
			gw__nl_close(&v->ns[--v->n_ns].nl);
		if (!(c = ns_open(v, &refs[i], &tmp, &e)))
			return gw_err_set(err, e.code ? e.code : GW_EIO, "%s", e.msg);
		c->seen = v->generation;
		*nl = &c->nl;
		return 0;
	}
	return gw_err_set(err, GW_ENOENT, "network namespace %llu: no process is known in it",
	                  (unsigned long long)netns);
}

struct one_sink {
	struct gw_socket s;
	int n;
};

static void keep_one(void *ud, const struct gw_socket *s)
{
	struct one_sink *o = ud;
	if (o->n++ == 0)
		o->s = *s;
}

/* The kernel's own lookup of q (an inet_diag request without NLM_F_DUMP, one
 * round trip): 1 for the socket that owns the tuple — the connected socket, or,
 * when there is none, the listener or unconnected bound UDP socket a packet of
 * q would reach (out->state tells) —, 0 if none. */
static int exact(struct gw_sockview *v, const struct gw_sock_query *q, struct gw_socket *out,
                 struct gw_err *err)
{
	uint8_t req[GW__INET_DIAG_REQ_LEN];
	struct gw__diag_kind kind;
	if (!gw__inet_diag_exact_req(req, q, &kind))
		return gw_err_set(err, GW_EINVAL, "lookup: only TCP or UDP over IPv4 or IPv6");
	struct gw__nl *nl;
	int rc = socket_for(v, q->netns, &nl, err);
	if (rc < 0)
		return rc;
	struct one_sink o = {.n = 0};
	struct gw__diag_sink sink = {keep_one, &o};
	int nl_errno;
	struct gw_err e = {0};
	rc = gw__nl_request(nl, &v->io, kind, false, req, sizeof req, &sink, &nl_errno, &e);
	if (rc < 0 && nl_errno == ENOENT) /* the kernel's "no such socket" */
		return 0;
	if (rc < 0)
		return gw_err_set(err, rc, "lookup: %s", e.msg);
	if (o.n == 0 || !gw__inet_diag_answers(&o.s, q))
		return 0;
	*out = o.s;
	out->netns = nl->netns;
	if (v->cfg.owners && v->procinfo) {
		gw_procinfo_attribute(v->procinfo, out);
		/* The process map predates a socket this new: "not found" (or "some
		 * process was unreadable") says nothing about this one. */
		if (out->owner_status == GW_OWNER_NOT_FOUND ||
		    out->owner_status == GW_OWNER_NO_PERMISSION)
			out->owner_status = GW_OWNER_UNRESOLVED;
	} else if (v->cfg.owners && !out->inode) {
		out->owner_status = GW_OWNER_NO_INODE;
	}
	return 1;
}

static int nl_lookup(struct gw_sockview *v, const struct gw_sock_query *q, struct gw_socket *out,
                     struct gw_err *err)
{
	v->stats.lookups++;
	int rc = exact(v, q, out, err);
	if (rc < 0)
		v->stats.errors++;
	else if (rc > 0)
		v->stats.lookup_hits++;
	update_malformed(v);
	return rc;
}

static const struct gw_sockview_stats *nl_stats(const struct gw_sockview *v)
{
	return &v->stats;
}

static void nl_close(struct gw_sockview *v)
{
	if (!v)
		return;
	gw__nl_close(&v->own);
	for (size_t i = 0; i < v->n_ns; i++)
		gw__nl_close(&v->ns[i].nl);
	gw__nl_io_fini(&v->io);
	gw_procinfo_free(v->procinfo);
	if (v->proc_dir >= 0)
		close(v->proc_dir);
	if (v->record)
		fclose(v->record);
	free(v->ns);
	free(v);
}

/* Process information, when owners or other namespaces are asked for. Its
 * absence on this platform (GW_ENOTSUP) is no error: owners stay unresolved. */
static int open_procinfo(struct gw_sockview *v, struct gw_err *err)
{
	if (!v->cfg.owners && !v->cfg.all_netns)
		return 0;
	int rc = gw__procinfo_open_view(&v->cfg, &v->procinfo, err);
	if (rc == GW_ENOTSUP) {
		v->procinfo = NULL;
		return 0;
	}
	return rc;
}

static int nl_open(const struct gw_sockview_config *cfg, struct gw_sockview **out,
                   struct gw_err *err)
{
	*out = NULL;
	struct gw_sockview *v = calloc(1, sizeof *v);
	if (!v)
		return gw_err_set(err, GW_ENOMEM, "netlink view: out of memory");
	v->own.fd = -1;
	v->cfg = *cfg;
	snprintf(v->proc_root, sizeof v->proc_root, "%s",
	         cfg->proc_root ? cfg->proc_root : "/proc");
	v->cfg.proc_root = v->proc_root;
	/* Missing: the RAW fallback then fails, counted in errors. */
	v->proc_dir = open(v->proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;
	bool stranded;
	v->ns = calloc(NETNS_CACHE, sizeof *v->ns);
	if (!v->ns)
		rc = gw_err_set(err, GW_ENOMEM, "netlink view: out of memory");
	else if ((rc = gw__nl_io_init(&v->io, err)) == 0 &&
	         (rc = gw__nl_open(&v->own, v->proc_root, 0, &stranded, err)) == 0)
		rc = open_procinfo(v, err);
	if (rc < 0) {
		nl_close(v);
		return rc;
	}
	*out = v;
	return 0;
}

int gw__sockview_netlink_record(struct gw_sockview *v, const char *path, struct gw_err *err)
{
	if (v->record)
		fclose(v->record);
	v->record = NULL;
	v->io.record = NULL;
	if (!path)
		return 0;
	v->record = fopen(path, "ab");
	if (!v->record)
		return gw_err_set(err, GW_EIO, "%s: %s", path, strerror(errno));
	v->io.record = v->record;
	return 0;
}

const struct gw_sockview_ops gw_sockview_netlink = {
        .name = "netlink",
        .summary = "the kernel's sock_diag: TCP, UDP, RAW, PACKET; exact lookups; every netns",
        .open = nl_open,
        .snapshot = nl_snapshot,
        .lookup = nl_lookup,
        .stats = nl_stats,
        .close = nl_close,
};
