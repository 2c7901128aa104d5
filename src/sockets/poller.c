/* sockets/poller.c — the socket poller: owns the socket view, the kernel event
 * sources, the last two snapshots (to compute deltas and to name the owner of a
 * socket the kernel reports destroyed) and the timing of polls, fast while
 * processes are starting. Everything it sees leaves as a timeline record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghostwire/clock.h"
#include "ghostwire/hostevents.h"
#include "ghostwire/poller.h"
#include "ghostwire/procinfo.h"
#include "ghostwire/sockdiff.h"
#include "sockets_internal.h"

#define EVENT_BATCH    256
#define DEPARTED_SLOTS 1024 /* a power of two */

/* A socket that left the table while its owner was known (closed, or turned
 * orphan: no inode, no owner), kept for its destroy event to name the owner. */
struct departed {
	uint64_t cookie; /* 0 = empty slot */
	struct gw_socket sock;
	bool has_proc;
	struct gw_process proc;
};

struct gw_poller {
	struct gw_poller_config cfg;
	const struct gw_sockview_ops *ops;
	struct gw_sockview *view;
	struct gw_host_events *events; /* NULL when no source could be opened */
	struct gw_procinfo *procs;     /* process details for process events; may be NULL */
	gw_poller_sink sink;
	void *ud;
	struct gw_sockset sets[2]; /* the last snapshot and the one before */
	int cur;                   /* index of the last snapshot in sets[] */
	bool have_snapshot;
	int64_t next_poll_us;  /* monotonic */
	int64_t fast_until_us; /* monotonic: poll fast until then */
	int64_t last_ts_us;    /* last record's time, to keep times ordered */
	uint32_t polls_since_snapshot;
	struct gw_tl_record rec; /* reused for every record */
	struct gw_host_event ev[EVENT_BATCH];
	struct gw_process owner;         /* the last lookup's owner */
	struct departed *departed;       /* DEPARTED_SLOTS, direct-mapped by cookie */
	struct gw__procfs_check *pcheck; /* NULL when the cross-check is off */
	int64_t next_check_us;           /* monotonic */
	struct gw_poller_stats stats;
};

void gw_poller_config_init(struct gw_poller_config *c)
{
	memset(c, 0, sizeof *c);
	c->view = gw_sockview_default();
	gw_sockview_config_init(&c->view_cfg);
	c->interval_ms = 1000;
	c->fast_interval_ms = 50;
	c->fast_window_ms = 1000;
	c->snapshot_every = 60;
	c->events = GW_HEV_SRC_PROC | GW_HEV_SRC_ADDR | GW_HEV_SRC_SOCK;
	c->procfs_check_ms = 10000;
}

/* Opens the procfs cross-check where it applies; says in warnings if it cannot. */
static void open_procfs_check(struct gw_poller *p, char *warnings, size_t size)
{
	if (!p->cfg.procfs_check_ms || strcmp(p->cfg.view, "netlink") != 0)
		return;
	const char *root =
	        p->cfg.procfs_check_root ? p->cfg.procfs_check_root : p->cfg.view_cfg.proc_root;
	struct gw_err err = {0};
	if (gw__procfs_check_open(root, p->cfg.view_cfg.max_sockets, &p->pcheck, &err) < 0) {
		size_t len = strlen(warnings);
		snprintf(warnings + len, size - len, "%sthe /proc/net cross-check (%s)",
		         len ? "; " : "", err.msg);
	}
}

int gw_poller_new(const struct gw_poller_config *cfg, gw_poller_sink sink, void *ud,
                  struct gw_poller **out, char *warnings, size_t warnings_size, struct gw_err *err)
{
	*out = NULL;
	warnings[0] = '\0';
	const struct gw_sockview_ops *ops = gw_sockview_find(cfg->view);
	if (!ops)
		return gw_err_set(err, GW_EINVAL, "unknown socket view '%s' (views: %s)", cfg->view,
		                  gw_sockview_names());
	struct gw_poller *p = calloc(1, sizeof *p);
	if (!p)
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	p->cfg = *cfg;
	p->ops = ops;
	p->sink = sink;
	p->ud = ud;
	size_t ms = cfg->view_cfg.max_sockets, mp = cfg->view_cfg.max_processes;
	gw_sockset_init(&p->sets[0], ms, mp);
	gw_sockset_init(&p->sets[1], ms, mp);
	gw_tl_record_init(&p->rec, ms, mp);
	p->departed = calloc(DEPARTED_SLOTS, sizeof *p->departed);
	if (!p->departed) {
		gw_poller_free(p);
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	}
	int r = ops->open(&cfg->view_cfg, &p->view, err);
	if (r < 0) {
		gw_poller_free(p);
		return r;
	}
	struct gw_err eerr = {0};
	if (cfg->events &&
	    gw_host_events_open(cfg->events, &p->events, warnings, warnings_size, &eerr) < 0) {
		size_t len = strlen(warnings);
		snprintf(warnings + len, warnings_size - len, "%s%s", len ? "; " : "", eerr.msg);
	}
	struct gw_procinfo_config pcfg;
	gw_procinfo_config_init(&pcfg);
	pcfg.proc_root = cfg->view_cfg.proc_root;
	pcfg.dpkg_info_dir = cfg->view_cfg.dpkg_info_dir;
	pcfg.hash_max_bytes = cfg->view_cfg.exe_hash_max;
	if (gw_procinfo_open(&pcfg, &p->procs, NULL) < 0)
		p->procs = NULL;
	open_procfs_check(p, warnings, warnings_size);
	*out = p;
	return 0;
}

void gw_poller_free(struct gw_poller *p)
{
	if (!p)
		return;
	if (p->view)
		p->ops->close(p->view);
	gw_host_events_close(p->events);
	gw_procinfo_free(p->procs);
	gw__procfs_check_close(p->pcheck);
	gw_sockset_fini(&p->sets[0]);
	gw_sockset_fini(&p->sets[1]);
	gw_tl_record_fini(&p->rec);
	free(p->departed);
	free(p);
}

size_t gw_poller_fds(const struct gw_poller *p, int *fds, size_t max)
{
	return p->events ? gw_host_events_fds(p->events, fds, max) : 0;
}

int gw_poller_timeout_ms(const struct gw_poller *p)
{
	int64_t left = p->next_poll_us - gw_clock_monotonic_us();
	return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

const struct gw_poller_stats *gw_poller_stats(const struct gw_poller *p)
{
	return &p->stats;
}

/* Record times come from the wall clock but never go backwards. */
static int64_t record_time(struct gw_poller *p)
{
	int64_t now = gw_clock_realtime_us();
	if (now < p->last_ts_us) {
		p->stats.clock_steps_back++;
		now = p->last_ts_us;
	}
	p->last_ts_us = now;
	return now;
}

static int emit(struct gw_poller *p, struct gw_err *err)
{
	p->rec.ts_us = record_time(p);
	p->stats.record_dropped += p->rec.set.dropped + p->rec.removed.dropped;
	return p->sink(p->ud, &p->rec, err);
}

/* Adds to the record's set the owner of sock, found in `from` (duplicates go
 * when the set is finished). */
static void add_owner(struct gw_sockset *to, const struct gw_sockset *from,
                      const struct gw_socket *sock)
{
	if (sock->owner_status != GW_OWNER_KNOWN)
		return;
	const struct gw_process *proc = gw_sockset_process(from, sock->pid);
	if (proc)
		gw_sockset_add_process(to, proc);
}

struct delta {
	struct gw_poller *p;
	const struct gw_sockset *now, *before;
};

static void remember_departed(struct gw_poller *p, const struct gw_sockset *set,
                              const struct gw_socket *s)
{
	if (!s->cookie || s->owner_status != GW_OWNER_KNOWN)
		return;
	struct departed *d = &p->departed[s->cookie & (DEPARTED_SLOTS - 1)];
	d->cookie = s->cookie;
	d->sock = *s;
	const struct gw_process *proc = gw_sockset_process(set, s->pid);
	d->has_proc = proc != NULL;
	if (proc)
		d->proc = *proc;
}

static void on_change(void *ud, const struct gw_socket *s, enum gw_sockdiff_side side)
{
	struct delta *d = ud;
	struct gw_tl_record *rec = &d->p->rec;
	if (side == GW_DIFF_ONLY_A) {
		gw_sockset_add(&rec->set, s); /* new since the last poll */
		add_owner(&rec->set, d->now, s);
	} else {
		gw_sockset_add(&rec->removed, s);
		remember_departed(d->p, d->before, s);
	}
}

static int poll_now(struct gw_poller *p, struct gw_err *err)
{
	int next = 1 - p->cur;
	struct gw_sockset *now = &p->sets[next];
	int64_t t0 = gw_clock_monotonic_us();
	int r = p->ops->snapshot(p->view, now, err);
	uint64_t took = (uint64_t)(gw_clock_monotonic_us() - t0);
	p->stats.polls++;
	p->stats.poll_us_total += took;
	if (took > p->stats.poll_us_max)
		p->stats.poll_us_max = took;
	if (r < 0) {
		p->stats.poll_errors++;
		return r;
	}
	gw_tl_record_clear(&p->rec);
	bool full = !p->have_snapshot || ++p->polls_since_snapshot >= p->cfg.snapshot_every;
	if (full) {
		p->rec.type = GW_TL_SNAPSHOT;
		for (size_t i = 0; i < now->n_socks; i++)
			gw_sockset_add(&p->rec.set, &now->socks[i]);
		for (size_t i = 0; i < now->n_procs; i++)
			gw_sockset_add_process(&p->rec.set, &now->procs[i]);
		p->polls_since_snapshot = 0;
	} else {
		p->rec.type = GW_TL_DELTA;
		struct delta d = {.p = p, .now = now, .before = &p->sets[p->cur]};
		gw_sockset_diff(now, &p->sets[p->cur], on_change, &d);
	}
	/* What the view could not keep: the record's absences are then not trusted. */
	p->rec.set.dropped += now->dropped;
	p->cur = next;
	p->have_snapshot = true;
	if (!full && p->rec.set.n_socks == 0 && p->rec.removed.n_socks == 0 && !p->rec.set.dropped)
		return 0; /* nothing changed: no record */
	gw_sockset_finish(&p->rec.set);
	gw_sockset_finish(&p->rec.removed);
	return emit(p, err);
}

/* The socket the kernel destroyed, as the last two snapshots knew it (by
 * cookie, else by tuple), so that its owner is named; NULL if never seen. */
static const struct gw_socket *last_seen(const struct gw_poller *p, const struct gw_socket *s,
                                         const struct gw_sockset **in)
{
	for (int k = 0; k < 2; k++) {
		const struct gw_sockset *set = &p->sets[k == 0 ? p->cur : 1 - p->cur];
		for (size_t i = 0; i < set->n_socks; i++) {
			const struct gw_socket *c = &set->socks[i];
			bool same = s->cookie && c->cookie ? s->cookie == c->cookie
			                                   : gw_socket_compare(c, s) == 0;
			if (same && c->proto == s->proto) {
				*in = set;
				return c;
			}
		}
	}
	return NULL;
}

static int on_destroy(struct gw_poller *p, const struct gw_host_event *e, struct gw_err *err)
{
	gw_tl_record_clear(&p->rec);
	p->rec.type = GW_TL_DESTROY;
	const struct gw_sockset *in = NULL;
	const struct gw_socket *seen = last_seen(p, &e->sock, &in);
	const struct departed *gone = NULL;
	if ((!seen || seen->owner_status != GW_OWNER_KNOWN) && e->sock.cookie) {
		const struct departed *d = &p->departed[e->sock.cookie & (DEPARTED_SLOTS - 1)];
		if (d->cookie == e->sock.cookie) {
			gone = d;
			seen = &d->sock;
			in = NULL;
		}
	}
	struct gw_socket s = e->sock;
	if (seen) {
		s.pid = seen->pid;
		s.n_holders = seen->n_holders;
		s.owner_status = seen->owner_status;
		if (!s.inode)
			s.inode = seen->inode;
		if (!s.netns)
			s.netns = seen->netns;
	} else if (s.owner_status == GW_OWNER_UNRESOLVED) {
		s.owner_status = GW_OWNER_NOT_FOUND;
	}
	p->stats.destroyed++;
	if (s.owner_status == GW_OWNER_KNOWN)
		p->stats.destroyed_owned++;
	gw_sockset_add(&p->rec.set, &s);
	if (gone && gone->has_proc)
		gw_sockset_add_process(&p->rec.set, &gone->proc);
	else if (seen && in)
		add_owner(&p->rec.set, in, &s);
	gw_sockset_finish(&p->rec.set);
	return emit(p, err);
}

static int on_process(struct gw_poller *p, const struct gw_host_event *e, struct gw_err *err)
{
	static const char *const names[] = {
	        [GW_HEV_FORK] = "fork", [GW_HEV_EXEC] = "exec", [GW_HEV_EXIT] = "exit"};
	gw_tl_record_clear(&p->rec);
	p->rec.type = GW_TL_PROCESS;
	snprintf(p->rec.event, sizeof p->rec.event, "%s", names[e->type]);
	p->rec.pid = e->pid;
	p->rec.ppid = e->ppid;
	if (e->type != GW_HEV_EXIT && p->procs) {
		const struct gw_process *proc = gw_procinfo_process(p->procs, e->pid);
		if (proc && proc->pid == e->pid)
			gw_sockset_add_process(&p->rec.set, proc);
	}
	p->stats.process_events++;
	/* A process is starting: poll fast for a while to see its sockets. */
	if (e->type != GW_HEV_EXIT) {
		int64_t now = gw_clock_monotonic_us();
		p->fast_until_us = now + (int64_t)p->cfg.fast_window_ms * 1000;
		int64_t soon = now + (int64_t)p->cfg.fast_interval_ms * 1000;
		if (soon < p->next_poll_us)
			p->next_poll_us = soon;
	}
	return emit(p, err);
}

static int on_address(struct gw_poller *p, const struct gw_host_event *e, struct gw_err *err)
{
	gw_tl_record_clear(&p->rec);
	p->rec.type = GW_TL_ADDRESS;
	snprintf(p->rec.event, sizeof p->rec.event, "%s",
	         e->type == GW_HEV_ADDR_ADD ? "add" : "del");
	p->rec.addr = e->addr;
	p->stats.address_events++;
	return emit(p, err);
}

static int drain_events(struct gw_poller *p, struct gw_err *err)
{
	if (!p->events)
		return 0;
	uint64_t overruns = gw_host_events_stats(p->events)->overruns;
	int n;
	do {
		n = gw_host_events_read(p->events, p->ev, EVENT_BATCH, err);
		if (n < 0)
			return n;
		for (int i = 0; i < n; i++) {
			const struct gw_host_event *e = &p->ev[i];
			int r = e->type == GW_HEV_SOCK_DESTROY ? on_destroy(p, e, err)
			        : e->type == GW_HEV_ADDR_ADD || e->type == GW_HEV_ADDR_DEL
			                ? on_address(p, e, err)
			                : on_process(p, e, err);
			if (r < 0)
				return r;
		}
	} while (n == EVENT_BATCH);
	p->stats.event_overruns += gw_host_events_stats(p->events)->overruns - overruns;
	return 0;
}

/* The procfs cross-check on the last poll's sockets: a hidden record when
 * some are missing from /proc/net. A failed check is counted, not fatal. */
static int check_procfs(struct gw_poller *p, struct gw_err *err)
{
	p->next_check_us = gw_clock_monotonic_us() + (int64_t)p->cfg.procfs_check_ms * 1000;
	gw_tl_record_clear(&p->rec);
	p->rec.type = GW_TL_HIDDEN;
	struct gw_err cerr = {0};
	if (gw__procfs_check_run(p->pcheck, &p->sets[p->cur], 0, p->ops, p->view, &p->rec.set,
	                         &cerr) < 0) {
		p->stats.procfs_errors++;
		return 0;
	}
	p->stats.procfs_checks++;
	if (p->rec.set.n_socks == 0)
		return 0;
	p->stats.procfs_hidden += p->rec.set.n_socks;
	gw_sockset_finish(&p->rec.set);
	return emit(p, err);
}

int gw_poller_step(struct gw_poller *p, struct gw_err *err)
{
	if (!p->have_snapshot) {
		int r = poll_now(p, err); /* the first record is a snapshot */
		p->next_poll_us = gw_clock_monotonic_us() + (int64_t)p->cfg.interval_ms * 1000;
		if (r < 0)
			return r;
	}
	int r = drain_events(p, err);
	if (r < 0)
		return r;
	int64_t now = gw_clock_monotonic_us();
	if (p->pcheck && now >= p->next_check_us && (r = check_procfs(p, err)) < 0)
		return r;
	if (now < p->next_poll_us)
		return 0;
	bool fast = now < p->fast_until_us;
	if (fast)
		p->stats.fast_polls++;
	p->next_poll_us =
	        now + (int64_t)(fast ? p->cfg.fast_interval_ms : p->cfg.interval_ms) * 1000;
	return poll_now(p, err);
}

int gw_poller_lookup(struct gw_poller *p, const struct gw_sock_query *q, struct gw_socket *out,
                     const struct gw_process **owner, struct gw_err *err)
{
	*owner = NULL;
	if (!p->ops->lookup)
		return 0;
	int found = p->ops->lookup(p->view, q, out, err);
	p->stats.lookups++;
	if (found < 0)
		return found;
	gw_tl_record_clear(&p->rec);
	p->rec.type = GW_TL_LOOKUP;
	p->rec.query = *q;
	p->rec.found = found == 1;
	if (found == 1) {
		p->stats.lookup_hits++;
		gw_sockset_add(&p->rec.set, out);
		if (out->owner_status == GW_OWNER_KNOWN && p->procs) {
			const struct gw_process *proc = gw_procinfo_process(p->procs, out->pid);
			if (proc) {
				p->owner = *proc;
				*owner = &p->owner;
				gw_sockset_add_process(&p->rec.set, proc);
			}
		}
		gw_sockset_finish(&p->rec.set);
	}
	int r = emit(p, err);
	return r < 0 ? r : found;
}
