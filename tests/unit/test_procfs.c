/* test_procfs.c — the "procfs" socket view: /proc/net tables parsed to exact
 * values on the fixture tree, owners and namespaces, exact lookups, hostile lines
 * (counted, named, never a crash), and on the real /proc: our own sockets, and
 * as root a socket in a namespace a child created. */
#ifdef HAVE_OS_LINUX
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ghostwire/sockview.h"
#include "src/os/linux/procfs_internal.h"

#define HOST_NS   4026531840ull
#define DOCKER_NS 4026532600ull

static char fixture[1024];

static const char *fixture_root(void)
{
	const char *root = getenv("GW_SOURCE_ROOT");
	snprintf(fixture, sizeof fixture, "%s/tests/fixtures/proc", root ? root : "..");
	return fixture;
}

static const struct gw_sockview_ops *ops;
static struct gw_sockview *view;
static struct gw_sockset set;

static void setup(void)
{
	ops = gw_sockview_find("procfs");
	cr_assert(ops, "procfs view registered");
	gw_sockset_init(&set, 100000, 10000);
}

static void teardown(void)
{
	if (ops && view)
		ops->close(view);
	view = NULL;
	gw_sockset_fini(&set);
}

TestSuite(procfs, .init = setup, .fini = teardown);

static void open_view(const char *root, bool owners, bool all_netns)
{
	struct gw_sockview_config cfg;
	struct gw_err err = {0};
	gw_sockview_config_init(&cfg);
	cfg.proc_root = root;
	cfg.owners = owners;
	cfg.all_netns = all_netns;
	cr_assert_eq(ops->open(&cfg, &view, &err), 0, "%s", err.msg);
}

static void snapshot(void)
{
	struct gw_err err = {0};
	cr_assert_eq(ops->snapshot(view, &set, &err), 0, "%s", err.msg);
}

static const struct gw_socket *by_inode(uint64_t inode)
{
	for (size_t i = 0; i < set.n_socks; i++)
		if (set.socks[i].inode == inode)
			return &set.socks[i];
	return NULL;
}

static const char *fmt(const struct gw_addr *a)
{
	static char buf[4][GW_ADDR_STRLEN];
	static int k;
	k = (k + 1) % 4;
	return gw_addr_format(a, buf[k], sizeof buf[k]);
}

static void expect_inet(const struct gw_socket *s, int proto, int family, int state,
                        const char *local, int lport, const char *remote, int rport)
{
	cr_assert(s);
	cr_expect_eq(s->proto, proto);
	cr_expect_eq(s->family, family);
	cr_expect_eq(s->state, state, "inode %llu: state %s", (unsigned long long)s->inode,
	             gw_sock_state_name(s->state));
	cr_expect_str_eq(fmt(&s->local), local);
	cr_expect_eq(s->local_port, lport);
	cr_expect_str_eq(fmt(&s->remote), remote);
	cr_expect_eq(s->remote_port, rport);
}

static void expect_owner(const struct gw_socket *s, int status, int32_t pid)
{
	cr_assert(s);
	cr_expect_eq(s->owner_status, status, "inode %llu: %s", (unsigned long long)s->inode,
	             gw_owner_status_name(s->owner_status));
	cr_expect_eq(s->pid, pid, "inode %llu: pid %d", (unsigned long long)s->inode, s->pid);
}

Test(procfs, fixture_tables_exact)
{
	open_view(fixture_root(), true, false);
	snapshot();
	cr_expect_eq(set.n_socks, 18);
	const struct gw_sockview_stats *st = ops->stats(view);
	cr_expect_eq(st->malformed, 7);
	cr_expect_eq(st->snapshots, 1);
	cr_expect_eq(st->netns_polled, 1);
	cr_expect_str_eq(gw__sockview_procfs_last_bad(view), "net/packet:4: bad protocol");
	for (size_t i = 0; i < set.n_socks; i++)
		cr_expect_eq(set.socks[i].netns, HOST_NS);

	const struct gw_socket *s = by_inode(20001);
	expect_inet(s, GW_SOCK_TCP, GW_AF_INET, GW_SS_LISTEN, "0.0.0.0", 22, "0.0.0.0", 0);
	expect_owner(s, GW_OWNER_KNOWN, 100);
	cr_expect_eq(s->uid, 0);
	s = by_inode(1001);
	expect_inet(s, GW_SOCK_TCP, GW_AF_INET, GW_SS_LISTEN, "127.0.0.1", 631, "0.0.0.0", 0);
	cr_expect_eq(s->rx_queue, 3, "accept backlog");
	expect_owner(s, GW_OWNER_KNOWN, 1);
	s = by_inode(20003);
	expect_inet(s, GW_SOCK_TCP, GW_AF_INET, GW_SS_ESTABLISHED, "10.0.0.5", 22, "10.0.0.9",
	            51000);
	cr_expect_eq(s->tx_queue, 0x24);
	expect_owner(s, GW_OWNER_KNOWN, 100);
	cr_expect_eq(s->n_holders, 2);
	s = by_inode(0);
	expect_inet(s, GW_SOCK_TCP, GW_AF_INET, GW_SS_TIME_WAIT, "10.0.0.5", 22, "10.0.0.9", 50999);
	expect_owner(s, GW_OWNER_NO_INODE, 0);
	s = by_inode(77777);
	expect_inet(s, GW_SOCK_TCP, GW_AF_INET, GW_SS_ESTABLISHED, "10.0.0.5", 8080, "10.0.0.7",
	            54321);
	cr_expect_eq(s->uid, 1000);
	expect_owner(s, GW_OWNER_NOT_FOUND, 0);
	s = by_inode(1003);
	expect_inet(s, GW_SOCK_TCP, GW_AF_INET, GW_SS_LISTEN, "127.0.0.1", 25, "0.0.0.0", 0);

	s = by_inode(20002);
	expect_inet(s, GW_SOCK_TCP, GW_AF_INET6, GW_SS_LISTEN, "::", 22, "::", 0);
	s = by_inode(20004);
	expect_inet(s, GW_SOCK_TCP, GW_AF_INET6, GW_SS_ESTABLISHED, "::ffff:10.0.0.5", 8080,
	            "::ffff:198.51.100.7", 443);
	expect_owner(s, GW_OWNER_KNOWN, 300);
	s = by_inode(1004);
	expect_inet(s, GW_SOCK_TCP, GW_AF_INET6, GW_SS_LISTEN, "::1", 631, "::", 0);

	s = by_inode(1002);
	expect_inet(s, GW_SOCK_UDP, GW_AF_INET, GW_SS_CLOSE, "0.0.0.0", 68, "0.0.0.0", 0);
	expect_owner(s, GW_OWNER_KNOWN, 1);
	s = by_inode(1005);
	expect_inet(s, GW_SOCK_UDP, GW_AF_INET, GW_SS_CLOSE, "127.0.0.53", 53, "0.0.0.0", 0);
	cr_expect_eq(s->uid, 101);
	expect_owner(s, GW_OWNER_NOT_FOUND, 0);
	s = by_inode(20005);
	expect_inet(s, GW_SOCK_UDP, GW_AF_INET, GW_SS_ESTABLISHED, "10.0.0.5", 41394, "8.8.8.8",
	            53);
	s = by_inode(60001);
	expect_inet(s, GW_SOCK_UDP, GW_AF_INET6, GW_SS_CLOSE, "::1", 123, "::", 0);
	expect_owner(s, GW_OWNER_KNOWN, 400);

	s = by_inode(40001);
	expect_inet(s, GW_SOCK_RAW, GW_AF_INET, GW_SS_CLOSE, "0.0.0.0", 0, "0.0.0.0", 0);
	cr_expect_eq(s->raw_protocol, 1);
	expect_owner(s, GW_OWNER_KNOWN, 300);
	cr_expect_eq(by_inode(40002)->raw_protocol, 255);
	s = by_inode(40003);
	expect_inet(s, GW_SOCK_RAW, GW_AF_INET6, GW_SS_CLOSE, "::", 0, "::", 0);
	cr_expect_eq(s->raw_protocol, 58);

	s = by_inode(50001);
	cr_assert(s);
	cr_expect_eq(s->proto, GW_SOCK_PACKET);
	cr_expect_eq(s->family, GW_AF_NONE);
	cr_expect_eq(s->packet_type, 3);
	cr_expect_eq(s->packet_proto, 0x0003);
	cr_expect_eq(s->ifindex, 0);
	cr_expect_eq(s->uid, 1000);
	expect_owner(s, GW_OWNER_KNOWN, 300);
	s = by_inode(50002);
	cr_assert(s);
	cr_expect_eq(s->packet_type, 2);
	cr_expect_eq(s->packet_proto, 0x0800);
	cr_expect_eq(s->ifindex, 2);

	/* Owners' details, once each, in pid order. */
	cr_assert_eq(set.n_procs, 4);
	cr_expect_eq(set.procs[0].pid, 1);
	cr_expect_eq(set.procs[1].pid, 100);
	cr_expect_eq(set.procs[2].pid, 300);
	cr_expect_eq(set.procs[3].pid, 400);
	cr_expect_str_eq(gw_sockset_process(&set, 100)->exe, "/usr/sbin/sshd");
	cr_expect_gt(set.ts_us, 0);
}

Test(procfs, fixture_without_owners)
{
	open_view(fixture_root(), false, false);
	snapshot();
	cr_expect_eq(set.n_socks, 18);
	cr_expect_eq(set.n_procs, 0);
	for (size_t i = 0; i < set.n_socks; i++)
		cr_expect_eq(set.socks[i].owner_status, GW_OWNER_UNRESOLVED);
}

Test(procfs, fixture_all_namespaces)
{
	open_view(fixture_root(), true, true);
	snapshot();
	const struct gw_sockview_stats *st = ops->stats(view);
	cr_expect_eq(st->netns_polled, 2);
	cr_expect_eq(st->netns_failed, 1, "pid 600's namespace has no net/ directory");
	cr_expect_eq(set.n_socks, 20);
	const struct gw_socket *s = by_inode(30001);
	expect_inet(s, GW_SOCK_TCP, GW_AF_INET, GW_SS_LISTEN, "0.0.0.0", 80, "0.0.0.0", 0);
	cr_expect_eq(s->netns, DOCKER_NS);
	expect_owner(s, GW_OWNER_KNOWN, 200);
	s = by_inode(30002);
	expect_inet(s, GW_SOCK_TCP, GW_AF_INET, GW_SS_ESTABLISHED, "172.17.0.2", 80, "172.17.0.1",
	            40000);
	cr_expect_eq(s->netns, DOCKER_NS);
	cr_expect_eq(by_inode(20001)->netns, HOST_NS);
	const struct gw_process *d = gw_sockset_process(&set, 200);
	cr_assert(d);
	cr_expect_str_eq(d->container,
	                 "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899");
	/* A second snapshot gives the same set. */
	size_t n = set.n_socks;
	snapshot();
	cr_expect_eq(set.n_socks, n);
	cr_expect_eq(ops->stats(view)->snapshots, 2);
}

static struct gw_sock_query query(int proto, const char *l, int lp, const char *r, int rp,
                                  uint64_t netns)
{
	struct gw_sock_query q = {.proto = (uint8_t)proto,
	                          .local_port = (uint16_t)lp,
	                          .remote_port = (uint16_t)rp,
	                          .netns = netns};
	cr_assert_eq(gw_addr_parse(l, &q.local, NULL), 0);
	cr_assert_eq(gw_addr_parse(r, &q.remote, NULL), 0);
	return q;
}

static int lookup(struct gw_sock_query q, struct gw_socket *out)
{
	struct gw_err err = {0};
	int r = ops->lookup(view, &q, out, &err);
	cr_assert_geq(r, 0, "%s", err.msg);
	return r;
}

Test(procfs, fixture_lookup)
{
	open_view(fixture_root(), true, false);
	struct gw_socket s;
	cr_assert_eq(lookup(query(GW_SOCK_TCP, "10.0.0.5", 22, "10.0.0.9", 51000, 0), &s), 1);
	cr_expect_eq(s.inode, 20003);
	expect_owner(&s, GW_OWNER_KNOWN, 100);
	cr_expect_eq(s.netns, HOST_NS);
	/* An IPv4 flow held by a dual-stack socket (tcp6, v4-mapped). */
	cr_assert_eq(lookup(query(GW_SOCK_TCP, "10.0.0.5", 8080, "198.51.100.7", 443, 0), &s), 1);
	cr_expect_eq(s.inode, 20004);
	cr_expect_eq(s.family, GW_AF_INET6);
	expect_owner(&s, GW_OWNER_KNOWN, 300);
	/* TIME_WAIT is a match too, without an owner. */
	cr_assert_eq(lookup(query(GW_SOCK_TCP, "10.0.0.5", 22, "10.0.0.9", 50999, 0), &s), 1);
	expect_owner(&s, GW_OWNER_NO_INODE, 0);
	cr_assert_eq(lookup(query(GW_SOCK_UDP, "10.0.0.5", 41394, "8.8.8.8", 53, 0), &s), 1);
	cr_expect_eq(s.inode, 20005);
	/* Exact: a listener does not answer for a connection, nor UDP for TCP. */
	cr_expect_eq(lookup(query(GW_SOCK_TCP, "10.0.0.5", 22, "10.0.0.9", 1, 0), &s), 0);
	cr_expect_eq(lookup(query(GW_SOCK_UDP, "10.0.0.5", 22, "10.0.0.9", 51000, 0), &s), 0);
	/* Another namespace, by id; and one nobody is in any more. */
	cr_assert_eq(
	        lookup(query(GW_SOCK_TCP, "172.17.0.2", 80, "172.17.0.1", 40000, DOCKER_NS), &s),
	        1);
	cr_expect_eq(s.inode, 30002);
	cr_expect_eq(s.netns, DOCKER_NS);
	expect_owner(&s, GW_OWNER_KNOWN, 200);
	cr_expect_eq(lookup(query(GW_SOCK_TCP, "172.17.0.2", 80, "172.17.0.1", 40000, 12345), &s),
	             0);
	const struct gw_sockview_stats *st = ops->stats(view);
	cr_expect_eq(st->lookups, 8);
	cr_expect_eq(st->lookup_hits, 5);
	struct gw_sock_query bad = query(GW_SOCK_RAW, "10.0.0.5", 0, "10.0.0.9", 0, 0);
	struct gw_err err = {0};
	cr_expect_eq(ops->lookup(view, &bad, &s, &err), GW_EINVAL);
}

Test(procfs, open_errors_name_the_root)
{
	struct gw_sockview_config cfg;
	struct gw_err err = {0};
	gw_sockview_config_init(&cfg);
	cfg.proc_root = "/nonexistent/proc";
	cr_expect_eq(ops->open(&cfg, &view, &err), GW_ENOENT);
	cr_expect(strstr(err.msg, "/nonexistent/proc"), "%s", err.msg);
	cr_expect_null(view);
	cfg.proc_root = "/tmp";
	cr_expect_eq(ops->open(&cfg, &view, &err), GW_ENOENT);
	cr_expect(strstr(err.msg, "/tmp/net/tcp"), "%s", err.msg);
	ops->close(NULL);
}

/* ---- hostile lines ---- */

#define GOOD_TCP                                                                                   \
	"   2: 0500000A:0016 0900000A:C738 01 00000024:00000000 01:00000014 00000000     0   "     \
	"     0 20003 4 0000000000000000 20 4 30 10 -1"
#define GOOD_TCP6                                                                                  \
	"   1: 0000000000000000FFFF00000500000A:1F90 0000000000000000FFFF0000076433C6:01BB 01 "    \
	"00000000:00000000 00:00000000 00000000  1000        0 20004 1 0000000000000000 100 0 0 "  \
	"10 0"
#define GOOD_PACKET "ffff8881004c8000 3      3    0003   2     1 0      0      18324"
static const char *good_tcp = GOOD_TCP, *good_tcp6 = GOOD_TCP6, *good_packet = GOOD_PACKET;

static const char *parse(enum gw__net_table t, const char *line, struct gw_socket *s)
{
	return gw__net_parse_line(t, gw_cursor_make((const uint8_t *)line, strlen(line)), s);
}

Test(procfs, hostile_lines_refused)
{
	struct gw_socket s;
	cr_assert_null(parse(GW__NET_TCP, good_tcp, &s));
	cr_assert_null(parse(GW__NET_TCP6, good_tcp6, &s));
	cr_assert_null(parse(GW__NET_PACKET, good_packet, &s));
	static const struct {
		enum gw__net_table t;
		const char *line, *why;
	} bad[] = {
	        {GW__NET_TCP, "", "too few fields"},
	        {GW__NET_TCP, "          ", "too few fields"},
	        {GW__NET_TCP, "   2: 0500000A:0016", "too few fields"},
	        {GW__NET_TCP, "x: 0 0 0 0 0 0 0 0 0", "bad slot number"},
	        {GW__NET_TCP, "2 0500000A:0016 0900000A:C738 01 0:0 0:0 0 0 0 1",
	         "bad slot number"},
	        {GW__NET_TCP, "2: 0500000A 0900000A:C738 01 0:0 0:0 0 0 0 1", "bad local address"},
	        {GW__NET_TCP, "2: 0500000A:16 0900000A:C738 01 0:0 0:0 0 0 0 1",
	         "bad local address"},
	        {GW__NET_TCP, "2: 500000A:0016 0900000A:C738 01 0:0 0:0 0 0 0 1",
	         "bad local address"},
	        {GW__NET_TCP, "2: 0500000A:0016 0900000A:C738 01 0:0 0:0 0 0 0 1", NULL},
	        {GW__NET_TCP, "2: 0500000A:-016 0900000A:C738 01 0:0 0:0 0 0 0 1",
	         "bad local address"},
	        {GW__NET_TCP, "2: 0500000A:0016 0900000A:C7 01 0:0 0:0 0 0 0 1",
	         "bad remote address"},
	        {GW__NET_TCP, "2: 0500000A:0016 0900000A:C738 00 0:0 0:0 0 0 0 1", "bad state"},
	        {GW__NET_TCP, "2: 0500000A:0016 0900000A:C738 0D 0:0 0:0 0 0 0 1", "bad state"},
	        {GW__NET_TCP, "2: 0500000A:0016 0900000A:C738 1 0:0 0:0 0 0 0 1", "bad state"},
	        {GW__NET_TCP, "2: 0500000A:0016 0900000A:C738 01 00 0:0 0 0 0 1",
	         "bad tx_queue:rx_queue"},
	        {GW__NET_TCP, "2: 0500000A:0016 0900000A:C738 01 0:123456789 0:0 0 0 0 1",
	         "bad tx_queue:rx_queue"},
	        {GW__NET_TCP, "2: 0500000A:0016 0900000A:C738 01 0:0 00 0 0 0 1",
	         "bad timer fields"},
	        {GW__NET_TCP, "2: 0500000A:0016 0900000A:C738 01 0:0 0:0 0 -1 0 1", "bad uid"},
	        {GW__NET_TCP, "2: 0500000A:0016 0900000A:C738 01 0:0 0:0 0 4294967296 0 1",
	         "bad uid"},
	        {GW__NET_TCP,
	         "2: 0500000A:0016 0900000A:C738 01 0:0 0:0 0 0 0 18446744073709551616",
	         "bad inode"},
	        {GW__NET_TCP, "2: 0500000A:0016 0900000A:C738 01 0:0 0:0 0 0 0 1x", "bad inode"},
	        {GW__NET_TCP6, "2: 0500000A:0016 0900000A:C738 01 0:0 0:0 0 0 0 1",
	         "bad local address"},
	        {GW__NET_TCP,
	         "2: 00000000000000000000000000000000:0016 0900000A:C738 01 0:0 0:0 0 0 0 1",
	         "bad local address"},
	        {GW__NET_RAW, "2: 00000000:0100 00000000:0000 07 0:0 0:0 0 0 0 1",
	         "bad raw protocol"},
	        {GW__NET_PACKET, "ffff8881004c8000 3 3 0003 2 1 0 0", "too few fields"},
	        {GW__NET_PACKET, "ffff8881004c800g 3 3 0003 2 1 0 0 1", "bad sk or refcount"},
	        {GW__NET_PACKET, "ffff8881004c8000 3 0 0003 2 1 0 0 1", "bad type"},
	        {GW__NET_PACKET, "ffff8881004c8000 3 11 0003 2 1 0 0 1", "bad type"},
	        {GW__NET_PACKET, "ffff8881004c8000 3 3 003 2 1 0 0 1", "bad protocol"},
	        {GW__NET_PACKET, "ffff8881004c8000 3 3 0003 -2 1 0 0 1", "bad interface index"},
	        {GW__NET_PACKET, "ffff8881004c8000 3 3 0003 2 2 0 0 1", "bad running or rmem"},
	        {GW__NET_PACKET, "ffff8881004c8000 3 3 0003 2 1 0 x 1", "bad uid"},
	        {GW__NET_PACKET, "ffff8881004c8000 3 3 0003 2 1 0 0 -1", "bad inode"},
	        {GW__NET_TABLES, GOOD_TCP, "unknown table"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *why = parse(bad[i].t, bad[i].line, &s);
		if (bad[i].why)
			cr_expect(why && strcmp(why, bad[i].why) == 0, "case %zu: \"%s\" → %s", i,
			          bad[i].line, why ? why : "(accepted)");
		else
			cr_expect_null(why, "case %zu refused: %s", i, why);
	}
}

/* Every prefix of a good line, in a buffer of exactly that size (so ASan sees a
 * read past it), and a deterministic storm of random mutations. */
Test(procfs, hostile_prefixes_and_mutations)
{
	const char *lines[] = {good_tcp, good_tcp6, good_packet};
	enum gw__net_table tables[] = {GW__NET_TCP, GW__NET_TCP6, GW__NET_PACKET};
	struct gw_socket s;
	for (size_t k = 0; k < 3; k++) {
		size_t n = strlen(lines[k]);
		for (size_t len = 0; len < n; len++) {
			uint8_t *copy = malloc(len ? len : 1);
			memcpy(copy, lines[k], len);
			(void)gw__net_parse_line(tables[k], gw_cursor_make(copy, len), &s);
			free(copy);
		}
	}
	uint32_t x = 12345;
	size_t accepted = 0;
	for (int round = 0; round < 20000; round++) {
		size_t k = (size_t)round % 3, n = strlen(lines[k]);
		uint8_t *copy = malloc(n);
		memcpy(copy, lines[k], n);
		for (int m = 0; m < 1 + round % 4; m++) {
			x = x * 1103515245 + 12345;
			copy[(x >> 8) % n] = (uint8_t)(x >> 20);
		}
		accepted += gw__net_parse_line(tables[k], gw_cursor_make(copy, n), &s) == NULL;
		free(copy);
	}
	cr_expect_lt(accepted, 20000);
}

static const char *write_temp(const char *content, size_t len)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/gw_procfs_XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, content, len), (ssize_t)len);
	close(fd);
	return path;
}

static int count_sink(void *ctx, const struct gw_socket *s)
{
	(void)s;
	(*(size_t *)ctx)++;
	return 0;
}

/* A table far larger than the read buffer, a long line across buffer edges, a
 * last line without newline, and binary junk. */
Test(procfs, big_table_and_long_lines)
{
	size_t cap = 8 << 20, len = 0;
	char *buf = malloc(cap);
	len += (size_t)sprintf(buf + len, "   sl  local_address ...header\n");
	const size_t n_good = 60000;
	for (size_t i = 0; i < n_good; i++) {
		if (i == 30000) {
			memset(buf + len, 'x', 70000); /* crosses the 64 KiB buffer */
			len += 70000;
			buf[len++] = '\n';
			memcpy(buf + len, "\0\0\xff\n", 4);
			len += 4;
		}
		len += (size_t)sprintf(buf + len,
		                       "%5zu: 0100007F:%04zX 00000000:0000 07 00000000:00000000 "
		                       "00:00000000 00000000     0        0 %zu 2 ffff 0%s",
		                       i, i % 65536, 100000 + i, i + 1 == n_good ? "" : "\n");
	}
	const char *path = write_temp(buf, len);
	free(buf);
	struct gw__net_counts counts = {0};
	size_t got = 0;
	cr_assert_eq(gw__net_read_table(AT_FDCWD, path, GW__NET_UDP, 7, count_sink, &got, &counts),
	             0);
	cr_expect_eq(got, n_good);
	cr_expect_eq(counts.sockets, n_good);
	cr_expect_eq(counts.malformed, 2);
	cr_expect_eq(counts.lines, n_good + 2);
	cr_expect(strstr(counts.last_bad, ":30003: too few fields"), "%s", counts.last_bad);
	unlink(path);

	/* Only a header; an empty file; a missing one. */
	path = write_temp("header only", 11);
	counts = (struct gw__net_counts){0};
	got = 0;
	cr_expect_eq(gw__net_read_table(AT_FDCWD, path, GW__NET_TCP, 0, count_sink, &got, &counts),
	             0);
	cr_expect_eq(got + counts.malformed, 0);
	unlink(path);
	path = write_temp("", 0);
	cr_expect_eq(gw__net_read_table(AT_FDCWD, path, GW__NET_TCP, 0, count_sink, &got, &counts),
	             0);
	unlink(path);
	cr_expect_eq(gw__net_read_table(AT_FDCWD, "/nonexistent", GW__NET_TCP, 0, count_sink, &got,
	                                &counts),
	             -ENOENT);
}

Test(procfs, link_ids)
{
	uint64_t id;
	cr_expect(gw__proc_link_id((const uint8_t *)"socket:[123]", 12, "socket:", &id));
	cr_expect_eq(id, 123);
	const char *bad[] = {"socket:[]",
	                     "socket:[0]",
	                     "socket:123",
	                     "socket:[12",
	                     "sock:[1]",
	                     "socket:[1]x",
	                     "socket:[99999999999999999999]",
	                     "socket:[-1]",
	                     "pipe:[5]"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_expect_not(
		        gw__proc_link_id((const uint8_t *)bad[i], strlen(bad[i]), "socket:", &id),
		        "%s", bad[i]);
}

/* ---- the real /proc ---- */

static uint64_t inode_of(int fd)
{
	struct stat st;
	cr_assert_eq(fstat(fd, &st), 0);
	return (uint64_t)st.st_ino;
}

static int bound(int type, struct sockaddr_in *a)
{
	int fd = socket(AF_INET, type, 0);
	cr_assert_geq(fd, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	socklen_t len = sizeof *a;
	cr_assert_eq(getsockname(fd, (struct sockaddr *)a, &len), 0);
	return fd;
}

Test(procfs, live_own_sockets)
{
	struct sockaddr_in la, ua, ca;
	int lfd = bound(SOCK_STREAM, &la);
	cr_assert_eq(listen(lfd, 8), 0);
	int ufd = bound(SOCK_DGRAM, &ua);
	int cfd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_eq(connect(cfd, (struct sockaddr *)&la, sizeof la), 0);
	socklen_t len = sizeof ca;
	cr_assert_eq(getsockname(cfd, (struct sockaddr *)&ca, &len), 0);
	int afd = accept(lfd, NULL, NULL);
	cr_assert_geq(afd, 0);

	open_view("/proc", true, false);
	snapshot();
	const struct gw_socket *s = by_inode(inode_of(lfd));
	cr_assert(s, "our listener is in /proc/net/tcp");
	expect_inet(s, GW_SOCK_TCP, GW_AF_INET, GW_SS_LISTEN, "127.0.0.1", ntohs(la.sin_port),
	            "0.0.0.0", 0);
	expect_owner(s, GW_OWNER_KNOWN, getpid());
	cr_expect_eq(s->uid, geteuid());
	cr_expect_neq(s->netns, 0);
	s = by_inode(inode_of(ufd));
	cr_assert(s, "our UDP socket is in /proc/net/udp");
	expect_inet(s, GW_SOCK_UDP, GW_AF_INET, GW_SS_CLOSE, "127.0.0.1", ntohs(ua.sin_port),
	            "0.0.0.0", 0);
	expect_owner(s, GW_OWNER_KNOWN, getpid());
	s = by_inode(inode_of(afd));
	cr_assert(s);
	expect_inet(s, GW_SOCK_TCP, GW_AF_INET, GW_SS_ESTABLISHED, "127.0.0.1", ntohs(la.sin_port),
	            "127.0.0.1", ntohs(ca.sin_port));
	const struct gw_process *d = gw_sockset_process(&set, getpid());
	cr_assert(d);
	char comm[32] = "";
	FILE *f = fopen("/proc/self/comm", "r");
	cr_assert(f && fgets(comm, sizeof comm, f));
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	cr_expect_str_eq(d->comm, comm, "Criterion's worker names itself; the kernel knows");
	cr_expect(strstr(d->exe, "/test_procfs"), "%s", d->exe);
	/* boxfort rewrites its argv, so cmdline is whatever the kernel says now. */
	char cmdline[512] = "";
	f = fopen("/proc/self/cmdline", "r");
	cr_assert(f);
	size_t n = fread(cmdline, 1, sizeof cmdline - 1, f);
	fclose(f);
	while (n > 0 && cmdline[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		cmdline[i] = cmdline[i] ? cmdline[i] : ' ';
	cmdline[n] = '\0';
	cr_expect_str_eq(d->cmdline, cmdline);
	cr_expect_eq(ops->stats(view)->malformed, 0, "%s", gw__sockview_procfs_last_bad(view));

	/* A connection opened after the snapshot is found by an exact lookup. */
	int c2 = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_eq(connect(c2, (struct sockaddr *)&la, sizeof la), 0);
	struct sockaddr_in c2a;
	len = sizeof c2a;
	cr_assert_eq(getsockname(c2, (struct sockaddr *)&c2a, &len), 0);
	struct gw_socket found;
	cr_assert_eq(lookup(query(GW_SOCK_TCP, "127.0.0.1", ntohs(c2a.sin_port), "127.0.0.1",
	                          ntohs(la.sin_port), 0),
	                    &found),
	             1);
	cr_expect_eq(found.inode, inode_of(c2));
	expect_owner(&found, GW_OWNER_KNOWN, getpid());
	close(c2);
	close(afd);
	close(cfd);
	close(ufd);
	close(lfd);
}

Test(procfs, live_other_namespace)
{
	if (geteuid() != 0)
		cr_skip_test("creating a network namespace needs root");
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	pid_t child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed test */
		uint64_t msg[2] = {0, 0};
		if (unshare(CLONE_NEWNET) == 0) {
			struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(4711)};
			int fd = socket(AF_INET, SOCK_STREAM, 0);
			if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
			    listen(fd, 1) == 0) {
				struct stat st;
				fstat(fd, &st);
				msg[0] = (uint64_t)st.st_ino;
			}
		}
		if (write(fds[1], msg, sizeof msg) != sizeof msg)
			_exit(1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	uint64_t msg[2];
	cr_assert_eq(read(fds[0], msg, sizeof msg), (ssize_t)sizeof msg);
	close(fds[0]);
	if (!msg[0]) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		cr_skip_test("the child could not listen in a new namespace");
	}

	open_view("/proc", true, false);
	snapshot();
	cr_expect_null(by_inode(msg[0]), "another namespace's socket without all_netns");
	ops->close(view);
	view = NULL;

	open_view("/proc", true, true);
	snapshot();
	const struct gw_socket *s = by_inode(msg[0]);
	cr_assert(s, "the child's listener, in its namespace");
	expect_inet(s, GW_SOCK_TCP, GW_AF_INET, GW_SS_LISTEN, "0.0.0.0", 4711, "0.0.0.0", 0);
	expect_owner(s, GW_OWNER_KNOWN, child);
	uint64_t self_ns = 0;
	cr_assert_eq(gw__proc_ns_id(AT_FDCWD, "/proc/self/ns/net", "net", &self_ns), 0);
	cr_expect_neq(s->netns, self_ns);
	cr_expect_neq(s->netns, 0);
	cr_expect_geq(ops->stats(view)->netns_polled, 2);
	const struct gw_process *d = gw_sockset_process(&set, child);
	cr_assert(d);
	cr_expect_eq(d->netns, s->netns);

	/* An exact lookup in that namespace, on the listener's own tuple. */
	struct gw_socket found;
	cr_expect_eq(lookup(query(GW_SOCK_TCP, "0.0.0.0", 4711, "0.0.0.0", 0, s->netns), &found),
	             1);
	cr_expect_eq(found.inode, msg[0]);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

#endif
