/* test_poller.c — the socket poller, live: a connection held across polls shows
 * up in a delta with its owner, in an exact lookup, then among the removed; and
 * (root) a child's connection opened and closed faster than the poll interval
 * still reaches the timeline with its owner, thanks to the fast polling that its
 * fork starts and to the kernel's destroy event. What the poller produced is
 * written as a timeline file and must read back the same. Other processes and
 * sockets on the machine are ignored: records are filtered by port and pid. */
#define _GNU_SOURCE /* prctl */
#include <criterion/criterion.h>

#ifdef HAVE_OS_LINUX

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ghostwire/clock.h"
#include "ghostwire/hostevents.h"
#include "ghostwire/poller.h"
#include "ghostwire/timeline.h"

/* ---- the sink: every record to a timeline file, and what the test needs in memory ---- */

/* One observation of the watched connection, copied out of a borrowed record. */
struct sighting {
	enum gw_tl_type type;
	int64_t ts_us;
	bool removed; /* DELTA: in `removed` rather than `added` */
	struct gw_socket sock;
	bool have_proc; /* the record names the owner's details */
	struct gw_process proc;
};

struct collector {
	struct gw_timeline_writer *w;
	enum gw_tl_type *types; /* every record's type, in order */
	size_t n, cap;
	/* The connection watched: TCP from 127.0.0.1:lport to 127.0.0.1:rport. */
	uint16_t lport, rport;
	struct sighting seen[64];
	size_t n_seen;
	/* Process records of this pid. */
	int32_t pid;
	bool saw_fork, saw_exit, fork_named;
};

static bool watched(const struct collector *c, const struct gw_socket *s)
{
	static const uint8_t lo[4] = {127, 0, 0, 1};
	return c->lport && s->proto == GW_SOCK_TCP && s->family == GW_AF_INET &&
	       s->local_port == c->lport && s->remote_port == c->rport &&
	       memcmp(s->local.bytes, lo, 4) == 0 && memcmp(s->remote.bytes, lo, 4) == 0;
}

static void note(struct collector *c, const struct gw_tl_record *rec, const struct gw_socket *s,
                 bool removed)
{
	if (!watched(c, s) || c->n_seen == sizeof c->seen / sizeof *c->seen)
		return;
	struct sighting *g = &c->seen[c->n_seen++];
	memset(g, 0, sizeof *g);
	g->type = rec->type;
	g->ts_us = rec->ts_us;
	g->removed = removed;
	g->sock = *s;
	const struct gw_process *p =
	        s->owner_status == GW_OWNER_KNOWN ? gw_sockset_process(&rec->set, s->pid) : NULL;
	if (p) {
		g->have_proc = true;
		g->proc = *p;
	}
}

static int collect(void *ud, const struct gw_tl_record *rec, struct gw_err *err)
{
	struct collector *c = ud;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->types = realloc(c->types, c->cap * sizeof *c->types);
		cr_assert(c->types);
	}
	c->types[c->n++] = rec->type;
	for (size_t i = 0; i < rec->set.n_socks; i++)
		note(c, rec, &rec->set.socks[i], false);
	for (size_t i = 0; i < rec->removed.n_socks; i++)
		note(c, rec, &rec->removed.socks[i], true);
	if (rec->type == GW_TL_PROCESS && c->pid && rec->pid == c->pid) {
		if (strcmp(rec->event, "fork") == 0) {
			c->saw_fork = true;
			c->fork_named = gw_sockset_process(&rec->set, c->pid) != NULL;
		} else if (strcmp(rec->event, "exit") == 0) {
			c->saw_exit = true;
		}
	}
	return gw_timeline_write(c->w, rec, err);
}

static char tmp_path[64];

static void make_tmp(void)
{
	strcpy(tmp_path, "/tmp/gw-poller-XXXXXX");
	int fd = mkstemp(tmp_path);
	cr_assert_geq(fd, 0);
	close(fd);
}

static void remove_tmp(void)
{
	unlink(tmp_path);
}

TestSuite(poller, .init = make_tmp, .fini = remove_tmp);

static void collector_open(struct collector *c)
{
	memset(c, 0, sizeof *c);
	struct gw_tl_header h;
	memset(&h, 0, sizeof h);
	h.version = GW_TIMELINE_VERSION;
	snprintf(h.host, sizeof h.host, "test-poller");
	snprintf(h.source, sizeof h.source, "netlink");
	h.started_us = gw_clock_realtime_us();
	struct gw_err err = {0};
	cr_assert_eq(gw_timeline_writer_open(tmp_path, &h, &c->w, &err), 0, "%s", err.msg);
}

static void collector_close(struct collector *c)
{
	struct gw_err err = {0};
	cr_assert_eq(gw_timeline_writer_close(c->w, &err), 0, "%s", err.msg);
	c->w = NULL;
}

/* The file written holds exactly the records the poller produced, in order,
 * and the watched connection's sightings read back with the same owner. */
static void expect_roundtrip(const struct collector *c, const struct gw_poller_config *cfg)
{
	struct gw_tl_header h;
	struct gw_timeline_reader *r = NULL;
	struct gw_err err = {0};
	cr_assert_eq(gw_timeline_reader_open(tmp_path, 0, &h, &r, &err), 0, "%s", err.msg);
	cr_expect_str_eq(h.source, "netlink");
	struct gw_tl_record rec;
	gw_tl_record_init(&rec, cfg->view_cfg.max_sockets, cfg->view_cfg.max_processes);
	struct collector again = {.lport = c->lport, .rport = c->rport};
	size_t n = 0;
	int rc;
	while ((rc = gw_timeline_read(r, &rec, &err)) == 1) {
		if (n < c->n)
			cr_expect_eq(rec.type, c->types[n],
			             "record %zu: type %d read back, %d written", n, rec.type,
			             c->types[n]);
		n++;
		for (size_t i = 0; i < rec.set.n_socks; i++)
			note(&again, &rec, &rec.set.socks[i], false);
		for (size_t i = 0; i < rec.removed.n_socks; i++)
			note(&again, &rec, &rec.removed.socks[i], true);
	}
	cr_expect_eq(rc, 0, "%s", err.msg);
	cr_expect_eq(n, c->n, "%zu records read back, %zu written", n, c->n);
	cr_expect_eq(again.n_seen, c->n_seen);
	for (size_t i = 0; i < again.n_seen && i < c->n_seen; i++) {
		cr_expect_eq(again.seen[i].type, c->seen[i].type);
		cr_expect_eq(again.seen[i].sock.owner_status, c->seen[i].sock.owner_status);
		cr_expect_eq(again.seen[i].sock.pid, c->seen[i].sock.pid);
		cr_expect_eq(again.seen[i].have_proc, c->seen[i].have_proc);
		cr_expect_str_eq(again.seen[i].proc.comm, c->seen[i].proc.comm);
	}
	gw_tl_record_fini(&rec);
	gw_timeline_reader_close(r);
}

/* ---- sockets and stepping ---- */

static int listener(uint16_t *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0, "bind: %s", strerror(errno));
	cr_assert_eq(listen(fd, 16), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* A connected client to 127.0.0.1:port; its local port in *lport; -1 on error
 * (so that a forked child can use it without Criterion's asserts). */
static int connect_to(uint16_t port, uint16_t *lport)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_port = htons(port),
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	*lport = ntohs(sa.sin_port);
	return fd;
}

/* Steps the poller for ms milliseconds, waiting as an event loop would. */
static void run_for(struct gw_poller *p, int ms)
{
	int64_t deadline = gw_clock_monotonic_us() + (int64_t)ms * 1000;
	for (;;) {
		struct gw_err err = {0};
		cr_assert_eq(gw_poller_step(p, &err), 0, "%s", err.msg);
		int64_t left = (deadline - gw_clock_monotonic_us() + 999) / 1000;
		if (left <= 0)
			return;
		int raw[8];
		struct pollfd fds[8];
		size_t n = gw_poller_fds(p, raw, 8);
		for (size_t i = 0; i < n; i++)
			fds[i] = (struct pollfd){.fd = raw[i], .events = POLLIN};
		int timeout = gw_poller_timeout_ms(p);
		poll(fds, n, timeout < left ? timeout : (int)left);
	}
}

static const struct sighting *find_sighting(const struct collector *c, enum gw_tl_type type,
                                            bool removed)
{
	for (size_t i = 0; i < c->n_seen; i++)
		if (c->seen[i].type == type && c->seen[i].removed == removed)
			return &c->seen[i];
	return NULL;
}

/* Steps the poller until the sink has seen a record of type (removed: in a
 * delta's removed sockets) for the watched connection, or timeout_ms passed:
 * a host with many sockets polls slowly, so no fixed number of polls is
 * assumed. */
static const struct sighting *run_until(struct gw_poller *p, const struct collector *c,
                                        enum gw_tl_type type, bool removed, int timeout_ms)
{
	int64_t deadline = gw_clock_monotonic_us() + (int64_t)timeout_ms * 1000;
	const struct sighting *g;
	while (!(g = find_sighting(c, type, removed)) && gw_clock_monotonic_us() < deadline)
		run_for(p, 10);
	return g;
}

static void own_comm(char *out, size_t size)
{
	FILE *f = fopen("/proc/self/comm", "r");
	cr_assert(f);
	cr_assert(fgets(out, (int)size, f));
	fclose(f);
	out[strcspn(out, "\n")] = 0;
}

/* ---- a connection held across polls (no privileges needed) ---- */

Test(poller, connection_in_delta_lookup_and_removed)
{
	struct gw_poller_config cfg;
	gw_poller_config_init(&cfg);
	cfg.interval_ms = 100;
	cfg.events = 0; /* polling only: what this test is about */
	struct collector c;
	collector_open(&c);
	char warnings[512];
	struct gw_poller *p = NULL;
	struct gw_err err = {0};
	cr_assert_eq(gw_poller_new(&cfg, collect, &c, &p, warnings, sizeof warnings, &err), 0, "%s",
	             err.msg);
	run_for(p, 0); /* the first snapshot */
	cr_assert_geq(c.n, 1);
	cr_expect_eq(c.types[0], GW_TL_SNAPSHOT);

	uint16_t lport, sport;
	int l = listener(&sport);
	int cl = connect_to(sport, &lport);
	cr_assert_geq(cl, 0, "connect: %s", strerror(errno));
	int sv = accept(l, NULL, NULL);
	cr_assert_geq(sv, 0);
	c.lport = lport;
	c.rport = sport;
	const struct sighting *added = run_until(p, &c, GW_TL_DELTA, false, 10000);
	cr_assert(added, "no delta added the connection 127.0.0.1:%u -> 127.0.0.1:%u", lport,
	          sport);
	cr_expect_eq(added->sock.state, GW_SS_ESTABLISHED);
	cr_expect_eq(added->sock.owner_status, GW_OWNER_KNOWN, "owner %s",
	             gw_owner_status_name(added->sock.owner_status));
	cr_expect_eq(added->sock.pid, getpid());
	cr_assert(added->have_proc, "the delta does not name the owner's process");
	char comm[32];
	own_comm(comm, sizeof comm);
	cr_expect_str_eq(added->proc.comm, comm);
	cr_expect_eq(added->proc.pid, getpid());

	/* An exact lookup finds it with its owner, and is recorded. */
	struct gw_sock_query q = {.proto = GW_SOCK_TCP, .local_port = lport, .remote_port = sport};
	cr_assert_eq(gw_addr_parse("127.0.0.1", &q.local, NULL), 0);
	q.remote = q.local;
	struct gw_socket found;
	const struct gw_process *owner;
	cr_assert_eq(gw_poller_lookup(p, &q, &found, &owner, &err), 1, "%s", err.msg);
	cr_expect_eq(found.local_port, lport);
	cr_expect_eq(found.owner_status, GW_OWNER_KNOWN);
	cr_assert(owner);
	cr_expect_eq(owner->pid, getpid());
	cr_expect(find_sighting(&c, GW_TL_LOOKUP, false), "the lookup was not recorded");

	close(cl);
	close(sv);
	close(l);
	cr_expect(run_until(p, &c, GW_TL_DELTA, true, 10000), "no delta removed the connection");
	const struct gw_poller_stats *st = gw_poller_stats(p);
	cr_expect_geq(st->polls, 3);
	cr_expect_eq(st->poll_errors, 0);
	cr_expect_eq(st->lookups, 1);
	cr_expect_eq(st->lookup_hits, 1);
	gw_poller_free(p);
	collector_close(&c);
	expect_roundtrip(&c, &cfg);
	free(c.types);
}

/* ---- a connection faster than the poll interval (root) ---- */

#define CHILD_NAME "gw-poller-kid"

/* The child: names itself, connects, reports its local port, holds the
 * connection hold_ms, closes it and exits. Never returns. */
static void child_main(int report, uint16_t port, int hold_ms)
{
	prctl(PR_SET_NAME, CHILD_NAME, 0, 0, 0);
	uint16_t lport = 0;
	int fd = connect_to(port, &lport);
	if (write(report, &lport, sizeof lport) != (ssize_t)sizeof lport || fd < 0)
		_exit(1);
	usleep((useconds_t)hold_ms * 1000);
	close(fd);
	_exit(0);
}

Test(poller, short_lived_connection_has_owner)
{
	if (geteuid() != 0)
		cr_skip_test("the process connector (fork and exec events, which start the fast "
		             "polling) and socket-destroy events need root (CAP_NET_ADMIN): "
		             "skipped");
	struct gw_poller_config cfg;
	gw_poller_config_init(&cfg);
	cfg.interval_ms = 1000;
	struct collector c;
	collector_open(&c);
	char warnings[512];
	struct gw_poller *p = NULL;
	struct gw_err err = {0};
	cr_assert_eq(gw_poller_new(&cfg, collect, &c, &p, warnings, sizeof warnings, &err), 0, "%s",
	             err.msg);
	if (strstr(warnings, "process events")) {
		gw_poller_free(p);
		collector_close(&c);
		free(c.types);
		cr_skip_test("the process connector is unavailable (%s): skipped", warnings);
	}
	if (warnings[0])
		fprintf(stderr, "poller: working without %s\n", warnings);
	uint16_t port;
	int l = listener(&port);
	run_for(p, 0); /* the first snapshot, before the child exists */

	/* The connection is held 100 ms: long enough for the fork event to be read
	 * and a fast poll (50 ms later) to find it, as long as a snapshot is quick.
	 * On a host with very many sockets (a benchmark's socket farm) it is not:
	 * then hold it for three snapshot times more, still under the interval. */
	int snap_ms = (int)(gw_poller_stats(p)->poll_us_max / 1000);
	int hold_ms = 100 + 3 * snap_ms;
	if (hold_ms > (int)cfg.interval_ms * 9 / 10) {
		close(l);
		gw_poller_free(p);
		collector_close(&c);
		free(c.types);
		cr_skip_test("a snapshot of this host's sockets takes %d ms: a connection shorter "
		             "than the %u ms interval cannot be caught reliably: skipped",
		             snap_ms, cfg.interval_ms);
	}
	if (hold_ms > 100)
		fprintf(stderr, "poller: a snapshot takes %d ms here: the child holds %d ms\n",
		        snap_ms, hold_ms);

	int pipefd[2];
	cr_assert_eq(pipe(pipefd), 0);
	int64_t forked = gw_clock_monotonic_us();
	pid_t child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		close(pipefd[0]);
		child_main(pipefd[1], port, hold_ms);
	}
	close(pipefd[1]);
	uint16_t lport = 0;
	struct pollfd pfd = {.fd = pipefd[0], .events = POLLIN};
	cr_assert_eq(poll(&pfd, 1, 5000), 1, "the child did not report its port");
	cr_assert_eq(read(pipefd[0], &lport, sizeof lport), (ssize_t)sizeof lport);
	close(pipefd[0]);
	c.lport = lport;
	c.rport = port;
	c.pid = child;
	int run_ms = hold_ms + 1400 + 4 * snap_ms; /* 1.5 s on a quiet host */
	run_for(p, run_ms - (int)((gw_clock_monotonic_us() - forked) / 1000));
	int status;
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child failed (status %d)",
	          status);
	close(l);

	const struct gw_poller_stats *st = gw_poller_stats(p);
	cr_expect(c.saw_fork, "no process record of the child's fork (pid %d)", (int)child);
	cr_expect(c.saw_exit, "no process record of the child's exit (pid %d)", (int)child);
	cr_expect_gt(st->fast_polls, 0, "the fork did not start fast polling");

	/* The connection with its owner: among a poll's sockets (a delta's added, or
	 * a snapshot's) or in a destroy. */
	const struct sighting *owned = NULL;
	for (size_t i = 0; i < c.n_seen && !owned; i++) {
		const struct sighting *g = &c.seen[i];
		if ((g->type == GW_TL_DELTA && !g->removed) || g->type == GW_TL_SNAPSHOT ||
		    g->type == GW_TL_DESTROY)
			if (g->sock.owner_status == GW_OWNER_KNOWN)
				owned = g;
	}
	cr_assert(owned,
	          "the child's connection 127.0.0.1:%u -> 127.0.0.1:%u (held %d ms, poll "
	          "interval %u ms, snapshots up to %llu ms) never appeared with a known owner "
	          "(%zu sightings, %llu fast polls, %llu destroyed, %llu with owner, %llu event "
	          "overruns)",
	          lport, port, hold_ms, cfg.interval_ms,
	          (unsigned long long)(st->poll_us_max / 1000), c.n_seen,
	          (unsigned long long)st->fast_polls, (unsigned long long)st->destroyed,
	          (unsigned long long)st->destroyed_owned, (unsigned long long)st->event_overruns);
	cr_expect_eq(owned->sock.pid, child, "owner pid %d, the child is %d", owned->sock.pid,
	             (int)child);
	cr_assert(owned->have_proc, "the record does not name the owner's process");
	cr_expect_eq(owned->proc.pid, child);
	cr_expect_str_eq(owned->proc.comm, CHILD_NAME);
	/* The kernel's destroy event is the other way of seeing it; whether its
	 * record names the owner is tested by destroy_names_owner_of_orphaned_socket. */
	if (!warnings[0])
		cr_expect(find_sighting(&c, GW_TL_DESTROY, false),
		          "no destroy record of the child's connection");
	gw_poller_free(p);
	collector_close(&c);
	expect_roundtrip(&c, &cfg);
	free(c.types);
}

/* A socket closed by its process lingers as an orphan (no file, so no inode
 * and no owner) until the kernel is done with it; a poll in between sees it so.
 * The destroy record must still name the owner that the poll before saw: both
 * snapshots are at hand, and the orphan has the same cookie. The orphan is made
 * to linger by closing with unsent data against a full receive window; the
 * peer's close (with unread data, so a reset) then destroys it. */
Test(poller, destroy_names_owner_of_orphaned_socket)
{
	if (geteuid() != 0)
		cr_skip_test("socket-destroy events need root (CAP_NET_ADMIN): skipped");
	struct gw_poller_config cfg;
	gw_poller_config_init(&cfg);
	cfg.interval_ms = 100;
	cfg.events = GW_HEV_SRC_SOCK;
	struct collector c;
	collector_open(&c);
	char warnings[512];
	struct gw_poller *p = NULL;
	struct gw_err err = {0};
	cr_assert_eq(gw_poller_new(&cfg, collect, &c, &p, warnings, sizeof warnings, &err), 0, "%s",
	             err.msg);
	if (warnings[0]) {
		gw_poller_free(p);
		collector_close(&c);
		free(c.types);
		cr_skip_test("socket-destroy events are unavailable (%s): skipped", warnings);
	}
	run_for(p, 0);
	uint16_t sport, lport;
	int l = listener(&sport);
	int small = 4096;
	cr_assert_eq(setsockopt(l, SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
	int cl = connect_to(sport, &lport);
	cr_assert_geq(cl, 0, "connect: %s", strerror(errno));
	int sv = accept(l, NULL, NULL);
	cr_assert_geq(sv, 0);
	c.lport = lport;
	c.rport = sport;
	/* Fill the peer's window and our send queue: the FIN cannot leave. */
	cr_assert_eq(setsockopt(cl, SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
	static char junk[65536];
	for (;;) {
		ssize_t w = send(cl, junk, sizeof junk, MSG_DONTWAIT);
		if (w < 0) {
			cr_assert(errno == EAGAIN || errno == EWOULDBLOCK, "send: %s",
			          strerror(errno));
			break;
		}
	}
	const struct sighting *owned = run_until(p, &c, GW_TL_DELTA, false, 10000);
	cr_assert(owned && owned->sock.owner_status == GW_OWNER_KNOWN &&
	                  owned->sock.pid == getpid(),
	          "no delta added the connection with its owner");

	close(cl); /* an orphan now */
	uint64_t polls = gw_poller_stats(p)->polls;
	while (gw_poller_stats(p)->polls < polls + 1)
		run_for(p, 5); /* exactly one poll sees the orphan */
	size_t before = c.n_seen;
	bool orphan_seen = false;
	for (size_t i = 0; i < c.n_seen; i++)
		orphan_seen |= c.seen[i].type == GW_TL_DELTA && !c.seen[i].removed &&
		               c.seen[i].sock.owner_status != GW_OWNER_KNOWN;
	cr_assert(orphan_seen, "the poll after the close did not see the orphaned socket");

	close(sv); /* unread data: a reset, which destroys the orphan */
	/* Let the destroy event arrive before the next step, which reads events
	 * before it polls: no poll may come between (it would see the orphan gone
	 * and push the owned observation out of the last two). */
	usleep(200 * 1000);
	run_for(p, 0);
	const struct sighting *d = NULL;
	for (size_t i = before; i < c.n_seen && !d; i++)
		if (c.seen[i].type == GW_TL_DESTROY)
			d = &c.seen[i];
	if (!d && gw_poller_stats(p)->event_overruns)
		cr_skip_test("the kernel dropped events (%llu overruns; a busy host): skipped",
		             (unsigned long long)gw_poller_stats(p)->event_overruns);
	cr_assert(d, "no destroy record of the orphaned socket");
	cr_expect(d->sock.owner_status == GW_OWNER_KNOWN && d->sock.pid == getpid(),
	          "BUG (sockets/poller.c last_seen): the destroy record of a socket whose owner "
	          "(pid %d) the previous poll saw names %s pid %d: the last poll's orphaned entry "
	          "(same cookie, no inode) shadows the owned one",
	          (int)getpid(), gw_owner_status_name(d->sock.owner_status), d->sock.pid);
	close(l);
	gw_poller_free(p);
	collector_close(&c);
	expect_roundtrip(&c, &cfg);
	free(c.types);
}

#else

Test(poller, not_linux)
{
	cr_skip_test("the poller's live tests use the netlink view (Linux only)");
}

#endif
