/*
 * poll_bench — times ghostwire's "netlink" socket view in process (no process
 * start-up, no output formatting), through the public interface
 * (include/ghostwire/sockview.h), for bench/sockets.sh.
 *
 *   poll_bench [-c COLD] [-k WARM] [-l LOOKUPS] [-s SEED] [-P PORTS] [-N] [-B]
 *
 * In this order:
 *   cold      COLD times (default 3): open a new view (owners on, own network
 *             namespace), take one snapshot, close it. The snapshot is timed:
 *             ghostwire's process cache (procinfo) starts empty, so every
 *             /proc/PID/fd directory is read. The kernel's own caches are as the
 *             previous commands left them.
 *   warm      one view: a first snapshot (untimed), then WARM (default 30) timed
 *             snapshots: the steady state of a poller. Each is paired with a
 *             bare dump (bare_dump.c: TCP v4+v6, messages only) timed right
 *             before it or, every other time, right after it, so that the two
 *             are compared under the same conditions: the ratio of each
 *             snapshot to its bare dump, and the median of these ratios
 *             ("warm_vs_bare").
 *   noowners  the same without owners (dump, parse, sort only), WARM times,
 *             alternating with bare dumps too; -N skips it.
 *   procinfo  gw_procinfo_refresh alone on a fresh procinfo: the first (cold)
 *             and WARM more (warm): the owner half of a poll.
 *   lookup    LOOKUPS (default 10000) exact lookups (gw_sockview_ops.lookup) of
 *             connected TCP sockets picked at random (SEED) among the farm's
 *             in the last warm snapshot (ESTABLISHED, IPv4 loopback at both
 *             ends, and with -P one end on one of PORTS: the farm's listener
 *             ports), on the warm view; each call timed.
 *   phases    with -B: the parts of a warm poll that the public interface can
 *             time alone (see phases() below): sorting the set, attributing
 *             the sockets, rereading the owners' details.
 *
 * Prints one key=value line per part (times in ms, lookups in µs; p99 is the
 * nearest rank, so with fewer than 100 samples it is the maximum):
 *   table sockets=N farm=M farm_owned=O processes=P dropped=D
 *   cold runs=R median_ms= min_ms= max_ms= all_ms=...
 *   warm runs=K median_ms= p99_ms= min_ms= max_ms= all_ms=...
 *   bare runs=K median_ms= ...          (the bare dumps between the warm polls)
 *   warm_vs_bare runs=K median=R p90=R  (each poll / the bare dump next to it)
 *   ...
 *   lookup n=L hits=H owned=O p50_us= p99_us= max_us= mean_us=
 *   phases runs=K sort_ms= attribute_ms= details_ms= owners= ...
 * Exit 1 if the view cannot be opened or a snapshot fails.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ghostwire/procinfo.h"
#include "ghostwire/socket.h"
#include "ghostwire/sockview.h"

#include "bare_dump.h"

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of n sorted values. */
static double pct(const double *s, size_t n, double p)
{
	size_t k = (size_t)(p * (double)n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return s[k - 1];
}

static double median(const double *s, size_t n)
{
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* One line of statistics over t[0..n), in the order taken. */
static void report(const char *name, const double *t, size_t n, int with_all)
{
	double *s = malloc(n * sizeof *s);
	if (!s || n == 0) {
		free(s);
		printf("%s runs=0\n", name);
		return;
	}
	memcpy(s, t, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	printf("%s runs=%zu median_ms=%.3f p99_ms=%.3f min_ms=%.3f max_ms=%.3f", name, n,
	       median(s, n), pct(s, n, 0.99), s[0], s[n - 1]);
	if (with_all) {
		printf(" all_ms=");
		for (size_t i = 0; i < n; i++)
			printf("%s%.3f", i ? "," : "", t[i]);
	}
	printf("\n");
	fflush(stdout);
	free(s);
}

static const struct gw_sockview_ops *ops;

static struct gw_sockview *open_view(bool owners)
{
	struct gw_sockview_config cfg;
	gw_sockview_config_init(&cfg);
	cfg.owners = owners;
	struct gw_sockview *v = NULL;
	struct gw_err err = {0};
	if (ops->open(&cfg, &v, &err) < 0) {
		fprintf(stderr, "poll_bench: opening the netlink view: %s\n", err.msg);
		exit(1);
	}
	return v;
}

static double timed_snapshot(struct gw_sockview *v, struct gw_sockset *set)
{
	struct gw_err err = {0};
	double t0 = now_ms();
	if (ops->snapshot(v, set, &err) < 0) {
		fprintf(stderr, "poll_bench: snapshot: %s\n", err.msg);
		exit(1);
	}
	return now_ms() - t0;
}

static bool is_loopback4(const struct gw_addr *a)
{
	return a->family == GW_AF_INET && a->bytes[0] == 127;
}

/* The farm's listener ports (-P); none given: every loopback port. */
static uint16_t farm_ports[256];
static size_t n_farm_ports;

static bool farm_port(uint16_t port)
{
	for (size_t i = 0; i < n_farm_ports; i++)
		if (farm_ports[i] == port)
			return true;
	return n_farm_ports == 0;
}

/* A connection of the farm: TCP, established, IPv4 loopback at both ends, one
 * end on a farm listener's port. */
static bool farm_socket(const struct gw_socket *s)
{
	return s->proto == GW_SOCK_TCP && s->state == GW_SS_ESTABLISHED &&
	       is_loopback4(&s->local) && is_loopback4(&s->remote) &&
	       (farm_port(s->local_port) || farm_port(s->remote_port));
}

/* "p1,p2,...": false if malformed. */
static bool parse_ports(const char *text)
{
	n_farm_ports = 0;
	while (*text) {
		char *end;
		unsigned long v = strtoul(text, &end, 10);
		if (end == text || v == 0 || v > 65535 || n_farm_ports == 256 ||
		    (*end && *end != ','))
			return false;
		farm_ports[n_farm_ports++] = (uint16_t)v;
		text = *end ? end + 1 : end;
	}
	return n_farm_ports > 0;
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t x = rng_state; /* xorshift64* */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* The parts of a warm poll the public interface can time on their own, on a
 * copy of the last warm snapshot and a warm procinfo (pi): sorting the set
 * (gw_sockset_finish, from the kernel's order — a hash order, so shuffled
 * here), attributing every socket (the inode map), and reading the details of
 * every owning process (gw_procinfo_process, which a poll rereads once per
 * refresh). Medians of `runs`. */
static void phases(struct gw_procinfo *pi, const struct gw_sockset *set, int runs)
{
	size_t n = set->n_socks;
	struct gw_sockset copy;
	gw_sockset_init(&copy, n + 1, set->n_procs + 1);
	double *ts = calloc((size_t)runs, sizeof *ts), *ta = calloc((size_t)runs, sizeof *ta),
	       *td = calloc((size_t)runs, sizeof *td);
	size_t *order = calloc(n ? n : 1, sizeof *order);
	int32_t *owners = calloc(n ? n : 1, sizeof *owners);
	if (!ts || !ta || !td || !order || !owners)
		goto out;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n; i > 1; i--) {
		size_t j = rng() % i, x = order[i - 1];
		order[i - 1] = order[j];
		order[j] = x;
	}
	struct gw_err err = {0};
	size_t n_owners = 0, known = 0;
	for (int r = 0; r < runs; r++) {
		gw_sockset_clear(&copy);
		for (size_t i = 0; i < n; i++)
			(void)gw_sockset_add(&copy, &set->socks[order[i]]);
		double t0 = now_ms();
		gw_sockset_finish(&copy);
		ts[r] = now_ms() - t0;

		if (gw_procinfo_refresh(pi, &err) < 0)
			break;
		t0 = now_ms();
		known = 0;
		for (size_t i = 0; i < copy.n_socks; i++) {
			gw_procinfo_attribute(pi, &copy.socks[i]);
			known += copy.socks[i].owner_status == GW_OWNER_KNOWN;
		}
		ta[r] = now_ms() - t0;

		/* distinct owners, then their details (as a poll reads them) */
		n_owners = 0;
		for (size_t i = 0; i < copy.n_socks; i++)
			if (copy.socks[i].owner_status == GW_OWNER_KNOWN)
				owners[n_owners++] = copy.socks[i].pid;
		qsort(owners, n_owners, sizeof *owners, cmp_i32);
		size_t k = 0;
		for (size_t i = 0; i < n_owners; i++)
			if (k == 0 || owners[k - 1] != owners[i])
				owners[k++] = owners[i];
		n_owners = k;
		t0 = now_ms();
		for (size_t i = 0; i < n_owners; i++)
			(void)gw_procinfo_process(pi, owners[i]);
		td[r] = now_ms() - t0;
	}
	qsort(ts, (size_t)runs, sizeof *ts, cmp_double);
	qsort(ta, (size_t)runs, sizeof *ta, cmp_double);
	qsort(td, (size_t)runs, sizeof *td, cmp_double);
	printf("phases runs=%d sort_ms=%.3f attribute_ms=%.3f details_ms=%.3f owners=%zu "
	       "attributed=%zu sockets=%zu\n",
	       runs, median(ts, (size_t)runs), median(ta, (size_t)runs), median(td, (size_t)runs),
	       n_owners, known, n);
out:
	free(ts);
	free(ta);
	free(td);
	free(order);
	free(owners);
	gw_sockset_fini(&copy);
}

static int bare_fd = -1;

/* `runs` timed snapshots of v, each paired with a timed bare dump just before
 * or just after it (alternately); reports NAME, "bare" (or NAME_bare) and
 * NAME_vs_bare (the median of the ratios of each pair). */
static void warm_loop(const char *name, struct gw_sockview *v, struct gw_sockset *set, int runs)
{
	double *tw = calloc((size_t)runs, sizeof *tw), *tb = calloc((size_t)runs, sizeof *tb),
	       *r = calloc((size_t)runs, sizeof *r);
	if (!tw || !tb || !r)
		exit(1);
	for (int i = 0; i < runs; i++) {
		/* Bare dump first, then the poll, then the other way round: each
		 * follows the other as often, so neither gets the warmer caches. */
		if (i % 2)
			tw[i] = timed_snapshot(v, set);
		double t0 = now_ms();
		if (bare_dump(bare_fd, 0) < 0)
			exit(1);
		tb[i] = now_ms() - t0;
		if (i % 2 == 0)
			tw[i] = timed_snapshot(v, set);
		r[i] = tb[i] > 0 ? tw[i] / tb[i] : 0;
	}
	char bname[64], rname[64];
	snprintf(bname, sizeof bname, "%s_bare", name);
	snprintf(rname, sizeof rname, "%s_vs_bare", name);
	report(name, tw, (size_t)runs, 1);
	report(strcmp(name, "warm") == 0 ? "bare" : bname, tb, (size_t)runs, 1);
	qsort(r, (size_t)runs, sizeof *r, cmp_double);
	printf("%s runs=%d median=%.3f p10=%.3f p90=%.3f\n", rname, runs, median(r, (size_t)runs),
	       pct(r, (size_t)runs, 0.10), pct(r, (size_t)runs, 0.90));
	fflush(stdout);
	free(tw);
	free(tb);
	free(r);
}

static const char usage[] =
        "usage: poll_bench [-c COLD] [-k WARM] [-l LOOKUPS] [-s SEED] [-P PORTS] [-N] [-B]\n";

int main(int argc, char **argv)
{
	int cold = 3, warm = 30, lookups = 10000, skip_noowners = 0, breakdown = 0, opt;
	unsigned long long seed = 1;
	while ((opt = getopt(argc, argv, "c:k:l:s:P:NBh")) != -1) {
		switch (opt) {
		case 'c':
			cold = atoi(optarg);
			break;
		case 'k':
			warm = atoi(optarg);
			break;
		case 'l':
			lookups = atoi(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 10);
			break;
		case 'N':
			skip_noowners = 1;
			break;
		case 'B':
			breakdown = 1;
			break;
		case 'P':
			if (!parse_ports(optarg)) {
				fprintf(stderr, "poll_bench: -P wants ports: p1,p2,...\n");
				return 2;
			}
			break;
		default:
			fputs(usage, stderr);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (cold < 0 || warm < 1 || lookups < 0 || optind != argc) {
		fputs(usage, stderr);
		return 2;
	}
	bare_fd = bare_dump_socket();
	if (bare_fd < 0) {
		perror("poll_bench: socket(NETLINK_SOCK_DIAG)");
		return 1;
	}
	if (bare_dump(bare_fd, 0) < 0) /* warms it up */
		return 1;
	rng_state = seed ? seed * 0x9e3779b97f4a7c15ull : 0x9e3779b97f4a7c15ull;
	ops = gw_sockview_find("netlink");
	if (!ops) {
		fprintf(stderr, "poll_bench: no netlink view in this build (%s)\n",
		        gw_sockview_names());
		return 1;
	}
	size_t nmax = (size_t)(warm > cold ? warm : cold) + 1;
	double *t = calloc(nmax, sizeof *t);
	struct gw_sockset set;
	struct gw_sockview_config defaults;
	gw_sockview_config_init(&defaults);
	gw_sockset_init(&set, defaults.max_sockets, defaults.max_processes);
	if (!t)
		return 1;

	/* cold: a new view each time */
	for (int i = 0; i < cold; i++) {
		struct gw_sockview *v = open_view(true);
		t[i] = timed_snapshot(v, &set);
		ops->close(v);
	}
	if (cold > 0)
		report("cold", t, (size_t)cold, 1);

	/* warm */
	struct gw_sockview *v = open_view(true);
	double first = timed_snapshot(v, &set);
	printf("first ms=%.3f\n", first);
	warm_loop("warm", v, &set, warm);

	/* the table as the last warm snapshot saw it */
	size_t n_farm = 0, n_owned = 0;
	for (size_t i = 0; i < set.n_socks; i++) {
		if (!farm_socket(&set.socks[i]))
			continue;
		n_farm++;
		n_owned += set.socks[i].owner_status == GW_OWNER_KNOWN;
	}
	printf("table sockets=%zu farm=%zu farm_owned=%zu processes=%zu dropped=%llu\n",
	       set.n_socks, n_farm, n_owned, set.n_procs, (unsigned long long)set.dropped);
	fflush(stdout);

	/* lookups on the warm view, among the farm's sockets of that snapshot */
	struct gw_sock_query *cand = n_farm ? calloc(n_farm, sizeof *cand) : NULL;
	size_t n_cand = 0;
	for (size_t i = 0; cand && i < set.n_socks; i++) {
		const struct gw_socket *s = &set.socks[i];
		if (!farm_socket(s))
			continue;
		struct gw_sock_query *q = &cand[n_cand++];
		q->proto = GW_SOCK_TCP;
		q->local = s->local;
		q->remote = s->remote;
		q->local_port = s->local_port;
		q->remote_port = s->remote_port;
		q->netns = 0;
	}
	if (lookups > 0 && n_cand > 0 && ops->lookup) {
		double *lt = calloc((size_t)lookups, sizeof *lt);
		if (!lt)
			return 1;
		size_t hits = 0, owned = 0, errors = 0;
		double sum = 0;
		for (int i = 0; i < lookups; i++) {
			const struct gw_sock_query *q = &cand[rng() % n_cand];
			struct gw_socket out;
			struct gw_err err = {0};
			double t0 = now_ms();
			int r = ops->lookup(v, q, &out, &err);
			lt[i] = (now_ms() - t0) * 1e3;
			sum += lt[i];
			if (r < 0)
				errors++;
			if (r > 0) {
				hits++;
				owned += out.owner_status == GW_OWNER_KNOWN;
			}
		}
		qsort(lt, (size_t)lookups, sizeof *lt, cmp_double);
		printf("lookup n=%d candidates=%zu hits=%zu owned=%zu errors=%zu p50_us=%.1f "
		       "p90_us=%.1f p99_us=%.1f max_us=%.1f mean_us=%.1f\n",
		       lookups, n_cand, hits, owned, errors, pct(lt, (size_t)lookups, 0.50),
		       pct(lt, (size_t)lookups, 0.90), pct(lt, (size_t)lookups, 0.99),
		       lt[lookups - 1], sum / lookups);
		free(lt);
	} else {
		printf("lookup n=0 candidates=%zu\n", n_cand);
	}
	fflush(stdout);
	free(cand);
	ops->close(v);

	/* no owners: dump, parse, sort */
	if (!skip_noowners) {
		v = open_view(false);
		(void)timed_snapshot(v, &set);
		warm_loop("noowners", v, &set, warm);
		ops->close(v);
	}

	/* the owner half alone */
	struct gw_procinfo *pi = NULL;
	struct gw_err err = {0};
	if (gw_procinfo_new("/proc", &pi, &err) == 0) {
		double t0 = now_ms();
		int r = gw_procinfo_refresh(pi, &err);
		double c = now_ms() - t0;
		if (r == 0) {
			printf("procinfo_cold ms=%.3f\n", c);
			for (int i = 0; i < warm; i++) {
				t0 = now_ms();
				if (gw_procinfo_refresh(pi, &err) < 0)
					break;
				t[i] = now_ms() - t0;
			}
			report("procinfo_warm", t, (size_t)warm, 1);
			const struct gw_procinfo_stats *st = gw_procinfo_stats(pi);
			printf("procinfo_stats processes=%llu fd_dirs_read=%llu "
			       "fd_dirs_cached=%llu "
			       "no_permission=%llu (last refresh)\n",
			       (unsigned long long)st->processes,
			       (unsigned long long)st->fd_dirs_read,
			       (unsigned long long)st->fd_dirs_cached,
			       (unsigned long long)st->no_permission);
		}
		if (breakdown)
			phases(pi, &set, warm);
		gw_procinfo_free(pi);
	}
	gw_sockset_fini(&set);
	free(t);
	return 0;
}
