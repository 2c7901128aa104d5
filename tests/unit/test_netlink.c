/* test_netlink.c — the "netlink" socket view (Linux): recorded replies parsed back
 * (the committed fixtures, and a recording made in the same run), hostile replies
 * counted as malformed and never a crash, this test's own sockets found live with
 * the right tuple, state, inode, packet protocol and filter — in our namespace and
 * in one the test creates —, exact lookups and their latency, and parity with ss. */
#define _GNU_SOURCE /* unshare */
#include <criterion/criterion.h>

#ifdef HAVE_OS_LINUX

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>

#include "ghostwire/sockview.h"
#include "src/os/linux/netlink_internal.h"

/* ---- helpers: files, sets, views ---- */

static char path_buf[PATH_MAX];

static const char *fixture(const char *name)
{
	const char *root = getenv("GW_SOURCE_ROOT");
	snprintf(path_buf, sizeof path_buf, "%s/tests/fixtures/netlink/%s", root ? root : "..",
	         name);
	return path_buf;
}

static uint64_t ino_of(int fd)
{
	struct stat st;
	cr_assert_eq(fstat(fd, &st), 0);
	return (uint64_t)st.st_ino;
}

static uint64_t own_netns(void)
{
	struct stat st;
	cr_assert_eq(stat("/proc/self/ns/net", &st), 0);
	return (uint64_t)st.st_ino;
}

static void add_to_set(void *ud, const struct gw_socket *s)
{
	cr_assert_eq(gw_sockset_add(ud, s), 0);
}

static const struct gw_socket *find_inode(const struct gw_sockset *set, uint64_t inode)
{
	for (size_t i = 0; i < set->n_socks; i++)
		if (set->socks[i].inode == inode)
			return &set->socks[i];
	return NULL;
}

/* The socket of proto whose local port (or, RAW, protocol) and state are these. */
static const struct gw_socket *find_port(const struct gw_sockset *set, int proto, int family,
                                         uint16_t port, int state)
{
	for (size_t i = 0; i < set->n_socks; i++) {
		const struct gw_socket *s = &set->socks[i];
		if (s->proto == proto && s->family == family && s->local_port == port &&
		    (state < 0 || s->state == state))
			return s;
	}
	return NULL;
}

static void expect_endpoint(const struct gw_addr *a, uint16_t port, const char *text,
                            uint16_t want_port)
{
	struct gw_addr want;
	cr_assert_eq(gw_addr_parse(text, &want, NULL), 0);
	char got[GW_ADDR_STRLEN];
	cr_expect(gw_addr_equal(a, &want), "address %s, want %s",
	          gw_addr_format(a, got, sizeof got), text);
	cr_expect_eq(port, want_port, "port %u, want %u", port, want_port);
}

static struct gw_sockview *open_view(bool owners, bool all_netns)
{
	const struct gw_sockview_ops *ops = gw_sockview_find("netlink");
	cr_assert(ops);
	struct gw_sockview_config cfg;
	gw_sockview_config_init(&cfg);
	cfg.owners = owners;
	cfg.all_netns = all_netns;
	struct gw_sockview *v;
	struct gw_err err = {0};
	cr_assert_eq(ops->open(&cfg, &v, &err), 0, "%s", err.msg);
	return v;
}

static void snapshot(struct gw_sockview *v, struct gw_sockset *set)
{
	struct gw_err err = {0};
	cr_assert_eq(gw_sockview_find("netlink")->snapshot(v, set, &err), 0, "%s", err.msg);
}

static const struct gw_sockview_stats *stats_of(struct gw_sockview *v)
{
	return gw_sockview_find("netlink")->stats(v);
}

static void close_view(struct gw_sockview *v)
{
	gw_sockview_find("netlink")->close(v);
}

/* ---- helpers: the test's own sockets ---- */

static uint16_t port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	                                     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static socklen_t loopback(int family, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof *a;
	}
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
	a->sin6_family = AF_INET6;
	a->sin6_port = htons(port);
	a->sin6_addr = in6addr_loopback;
	return sizeof *a;
}

static int bound(int family, int type, uint16_t port)
{
	int fd = socket(family, type | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, port, &ss);
	cr_assert_eq(bind(fd, (struct sockaddr *)&ss, len), 0, "bind: %s", strerror(errno));
	return fd;
}

static int tcp_listener(int family, uint16_t port)
{
	int fd = bound(family, SOCK_STREAM, port);
	cr_assert_eq(listen(fd, 16), 0);
	return fd;
}

/* A connected pair to the listener on port (client bound to cport, 0 = any). */
static void tcp_pair(int family, uint16_t port, uint16_t cport, int listener, int *client,
                     int *server)
{
	*client = bound(family, SOCK_STREAM, cport);
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, port, &ss);
	cr_assert_eq(connect(*client, (struct sockaddr *)&ss, len), 0, "connect: %s",
	             strerror(errno));
	*server = accept(listener, NULL, NULL);
	cr_assert_geq(*server, 0);
}

static void udp_pair(int family, uint16_t pa, uint16_t pb, int *a, int *b)
{
	*a = bound(family, SOCK_DGRAM, pa);
	*b = bound(family, SOCK_DGRAM, pb);
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, port_of(*b), &ss);
	cr_assert_eq(connect(*a, (struct sockaddr *)&ss, len), 0);
	len = loopback(family, port_of(*a), &ss);
	cr_assert_eq(connect(*b, (struct sockaddr *)&ss, len), 0);
}

/* Leaves the client's end in TIME_WAIT: the client closes first. */
static uint16_t tcp_time_wait(int family, uint16_t port, uint16_t cport, int listener)
{
	int c, s;
	tcp_pair(family, port, cport, listener, &c, &s);
	uint16_t p = port_of(c);
	close(c);
	char b;
	cr_assert_eq(read(s, &b, 1), 0); /* the client's FIN */
	close(s);
	usleep(20000); /* the last ACK */
	return p;
}

/* SOCK_RAW ETH_P_ALL bound to lo, with an accept-all classic BPF filter. */
static int packet_filtered(void)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	cr_assert_geq(fd, 0, "AF_PACKET: %s", strerror(errno));
	struct sockaddr_ll ll = {.sll_family = AF_PACKET,
	                         .sll_protocol = htons(ETH_P_ALL),
	                         .sll_ifindex = (int)if_nametoindex("lo")};
	cr_assert_eq(bind(fd, (struct sockaddr *)&ll, sizeof ll), 0);
	struct sock_filter accept_all = {BPF_RET | BPF_K, 0, 0, 0xffffffff};
	struct sock_fprog prog = {1, &accept_all};
	cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog), 0);
	return fd;
}

/* SOCK_DGRAM for IPv4 only, on every interface, no filter. */
static int packet_plain(void)
{
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
	cr_assert_geq(fd, 0);
	return fd;
}

static void lo_up(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		_exit(3);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		_exit(3);
	close(fd);
}

/* ---- recorded replies: the committed fixtures ---- */

TestSuite(netlink);

static long replay_into(const char *path, struct gw_sockset *set, struct gw__nl_counts *c)
{
	struct gw__diag_sink sink = {add_to_set, set};
	struct gw_err err = {0};
	long n = gw__nl_replay_file(path, &sink, c, &err);
	cr_assert_geq(n, 0, "%s", err.msg);
	return n;
}

/* Recorded in a fresh network namespace by the recorder below: exactly these. */
Test(netlink, fixture_namespace_sockets)
{
	struct gw_sockset set;
	gw_sockset_init(&set, 1000, 10);
	struct gw__nl_counts c = {0};
	cr_assert_gt(replay_into(fixture("netns.bin"), &set, &c), 0);
	cr_expect_eq(gw__nl_malformed_total(&c), 0);
	cr_expect_eq(set.n_socks, 11, "%zu sockets", set.n_socks);

	const struct gw_socket *s;
	cr_assert((s = find_port(&set, GW_SOCK_TCP, GW_AF_INET, 8080, GW_SS_LISTEN)));
	expect_endpoint(&s->remote, s->remote_port, "0.0.0.0", 0);
	cr_expect_neq(s->inode, 0);
	cr_expect_neq(s->cookie, 0);
	cr_assert((s = find_port(&set, GW_SOCK_TCP, GW_AF_INET6, 8081, GW_SS_LISTEN)));
	expect_endpoint(&s->local, s->local_port, "::1", 8081);
	cr_assert((s = find_port(&set, GW_SOCK_TCP, GW_AF_INET, 40000, GW_SS_ESTABLISHED)));
	expect_endpoint(&s->remote, s->remote_port, "127.0.0.1", 8080);
	cr_assert((s = find_port(&set, GW_SOCK_TCP, GW_AF_INET, 8080, GW_SS_ESTABLISHED)));
	expect_endpoint(&s->remote, s->remote_port, "127.0.0.1", 40000);
	cr_assert((s = find_port(&set, GW_SOCK_TCP, GW_AF_INET, 40001, GW_SS_TIME_WAIT)));
	cr_expect_eq(s->inode, 0, "TIME_WAIT has no inode");
	cr_assert((s = find_port(&set, GW_SOCK_UDP, GW_AF_INET, 5353, GW_SS_CLOSE)));
	cr_assert((s = find_port(&set, GW_SOCK_UDP, GW_AF_INET6, 5354, GW_SS_CLOSE)));
	cr_assert((s = find_port(&set, GW_SOCK_UDP, GW_AF_INET, 6000, GW_SS_ESTABLISHED)));
	expect_endpoint(&s->remote, s->remote_port, "127.0.0.1", 6001);

	int filtered = 0, plain = 0;
	for (size_t i = 0; i < set.n_socks; i++) {
		s = &set.socks[i];
		if (s->proto != GW_SOCK_PACKET)
			continue;
		cr_expect_eq(s->family, GW_AF_NONE);
		if (s->packet_type == 3) {
			cr_expect_eq(s->packet_proto, ETH_P_ALL);
			cr_expect_eq(s->ifindex, 1, "bound to lo");
			cr_expect(s->packet_filter);
			filtered++;
		} else {
			cr_expect_eq(s->packet_type, 2);
			cr_expect_eq(s->packet_proto, ETH_P_IP);
			cr_expect_eq(s->ifindex, 0);
			cr_expect_not(s->packet_filter);
			plain++;
		}
	}
	cr_expect_eq(filtered, 1);
	cr_expect_eq(plain, 1);
	gw_sockset_fini(&set);
}

/* This machine's own namespace, recorded once: everything parses. */
Test(netlink, fixture_host_parses_cleanly)
{
	struct gw_sockset set;
	gw_sockset_init(&set, 100000, 10);
	struct gw__nl_counts c = {0};
	cr_assert_geq(replay_into(fixture("host.bin"), &set, &c), 7, "a record per request");
	cr_expect_eq(gw__nl_malformed_total(&c), 0);
	cr_expect_gt(set.n_socks, 0);
	cr_expect_eq(c.messages, set.n_socks);
	gw_sockset_fini(&set);
}

/* The recorder of those fixtures: runs only when GW_NETLINK_RECORD_DIR is set
 * (and as root, for the namespace). It writes netns.bin and host.bin there. */
static void record_namespace_fixture(const char *path)
{
	if (unshare(CLONE_NEWNET) < 0)
		_exit(2);
	lo_up();
	int l4 = tcp_listener(AF_INET, 8080), l6 = tcp_listener(AF_INET6, 8081), c, s;
	tcp_pair(AF_INET, 8080, 40000, l4, &c, &s);
	(void)tcp_time_wait(AF_INET, 8080, 40001, l4);
	int u4 = bound(AF_INET, SOCK_DGRAM, 5353), u6 = bound(AF_INET6, SOCK_DGRAM, 5354), ua, ub;
	udp_pair(AF_INET, 6000, 6001, &ua, &ub);
	int p1 = packet_filtered(), p2 = packet_plain();
	struct gw_sockview *v = open_view(false, false);
	unlink(path);
	if (gw__sockview_netlink_record(v, path, NULL) < 0)
		_exit(4);
	struct gw_sockset set;
	gw_sockset_init(&set, 1000, 10);
	snapshot(v, &set);
	close_view(v);
	(void)l6, (void)u4, (void)u6, (void)p1, (void)p2;
	_exit(0);
}

Test(netlink, record_fixtures)
{
	const char *dir = getenv("GW_NETLINK_RECORD_DIR");
	if (!dir)
		cr_skip_test(
		        "set GW_NETLINK_RECORD_DIR=tests/fixtures/netlink (as root) to record");
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/netns.bin", dir);
	pid_t pid = fork();
	if (pid == 0)
		record_namespace_fixture(path);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "recorder failed: %d", status);
	snprintf(path, sizeof path, "%s/host.bin", dir);
	unlink(path);
	struct gw_sockview *v = open_view(false, false);
	cr_assert_eq(gw__sockview_netlink_record(v, path, NULL), 0);
	struct gw_sockset set;
	gw_sockset_init(&set, 100000, 10);
	snapshot(v, &set);
	close_view(v);
	gw_sockset_fini(&set);
}

/* ---- hostile replies ---- */

/* Builds messages into a byte buffer, as a hostile kernel (or file) might. */
struct msgbuf {
	uint8_t b[4096];
	size_t n;
};

static size_t put_hdr(struct msgbuf *m, uint32_t len, uint16_t type, uint16_t flags, uint32_t seq)
{
	size_t at = m->n;
	uint32_t pid = 0;
	memcpy(m->b + at, &len, 4);
	memcpy(m->b + at + 4, &type, 2);
	memcpy(m->b + at + 6, &flags, 2);
	memcpy(m->b + at + 8, &seq, 4);
	memcpy(m->b + at + 12, &pid, 4);
	m->n += 16;
	return at;
}

static void put_bytes(struct msgbuf *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void put_attr(struct msgbuf *m, uint16_t len, uint16_t type, const void *payload, size_t n)
{
	memcpy(m->b + m->n, &len, 2);
	memcpy(m->b + m->n + 2, &type, 2);
	memcpy(m->b + m->n + 4, payload, n);
	m->n += (4 + n + 3) & ~(size_t)3;
}

/* Sets nlmsg_len of the message at `at` to what has been put since. */
static void fix_len(struct msgbuf *m, size_t at)
{
	uint32_t len = (uint32_t)(m->n - at);
	memcpy(m->b + at, &len, 4);
}

static struct inet_diag_msg tcp_msg(uint16_t sport)
{
	struct inet_diag_msg d = {.idiag_family = AF_INET,
	                          .idiag_state = GW_SS_LISTEN,
	                          .idiag_inode = 4242,
	                          .idiag_uid = 7};
	d.id.idiag_sport = htons(sport);
	d.id.idiag_src[0] = htonl(INADDR_LOOPBACK);
	return d;
}

static const struct gw__diag_kind tcp4 = {AF_INET, IPPROTO_TCP};
static const struct gw__diag_kind raw4 = {AF_INET, IPPROTO_RAW};
static const struct gw__diag_kind pkt = {AF_PACKET, 0};

struct parsed {
	struct gw_sockset set;
	struct gw__nl_counts c;
	int nl_errno;
	int r;
};

/* Parses m into *p (zeroed once by the caller), dropping what it held before. */
static void parse(struct parsed *p, struct gw__diag_kind kind, const struct msgbuf *m, uint32_t seq)
{
	gw_sockset_fini(&p->set);
	memset(p, 0, sizeof *p);
	gw_sockset_init(&p->set, 100, 10);
	/* A heap copy of exactly the bytes, so that an overread would be caught (ASan). */
	uint8_t *copy = malloc(m->n ? m->n : 1);
	cr_assert(copy);
	memcpy(copy, m->b, m->n);
	struct gw__diag_sink sink = {add_to_set, &p->set};
	p->r = gw__diag_parse_batch(kind, copy, m->n, seq, &sink, &p->c, &p->nl_errno);
	free(copy);
}

static void expect_only(const struct parsed *p, enum gw__nl_malformed why, uint64_t n)
{
	for (int i = 0; i < GW__NL_MALFORMED_MAX; i++)
		cr_expect_eq(p->c.malformed[i], i == (int)why ? n : 0, "%s: %llu",
		             gw__nl_malformed_name(i), (unsigned long long)p->c.malformed[i]);
}

Test(netlink, well_formed_message)
{
	struct msgbuf m = {0};
	size_t at = put_hdr(&m, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 9);
	struct inet_diag_msg d = tcp_msg(22);
	d.id.idiag_cookie[0] = 0x11223344;
	d.id.idiag_cookie[1] = 0x55667788;
	put_bytes(&m, &d, sizeof d);
	uint8_t v6only = 1;
	put_attr(&m, 5, INET_DIAG_SKV6ONLY | NLA_F_NESTED, &v6only, 1); /* flag bits are masked */
	fix_len(&m, at);
	put_hdr(&m, 20, NLMSG_DONE, NLM_F_MULTI, 9);
	int zero = 0;
	put_bytes(&m, &zero, 4);
	struct parsed p = {0};
	parse(&p, tcp4, &m, 9);
	cr_expect_eq(p.r, GW__NL_DONE);
	cr_expect_eq(p.nl_errno, 0);
	cr_expect_eq(gw__nl_malformed_total(&p.c), 0);
	cr_assert_eq(p.set.n_socks, 1);
	const struct gw_socket *s = &p.set.socks[0];
	cr_expect_eq(s->proto, GW_SOCK_TCP);
	cr_expect_eq(s->state, GW_SS_LISTEN);
	expect_endpoint(&s->local, s->local_port, "127.0.0.1", 22);
	cr_expect_eq(s->inode, 4242);
	cr_expect_eq(s->uid, 7);
	cr_expect_eq(s->cookie, 0x5566778811223344ull);
	gw_sockset_fini(&p.set);
}

/* INET_DIAG_SOCKOPT (struct inet_diag_sockopt): bit 5 of the first byte is
 * IP_TRANSPARENT; the other bits say nothing ghostwire reads. */
Test(netlink, transparent_from_sockopt)
{
	for (int transparent = 0; transparent < 2; transparent++) {
		struct msgbuf m = {0};
		size_t at = put_hdr(&m, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 9);
		struct inet_diag_msg d = tcp_msg(3128);
		put_bytes(&m, &d, sizeof d);
		uint8_t opt[2] = {(uint8_t)(0x02 | (transparent ? 0x20 : 0)), 0};
		put_attr(&m, 6, INET_DIAG_SOCKOPT, opt, 2);
		fix_len(&m, at);
		struct parsed p = {0};
		parse(&p, tcp4, &m, 9);
		cr_assert_eq(p.set.n_socks, 1);
		cr_expect_eq(p.set.socks[0].transparent, transparent == 1);
		gw_sockset_fini(&p.set);
	}
}

Test(netlink, raw_protocol_from_attribute_or_port)
{
	struct msgbuf m = {0};
	size_t at = put_hdr(&m, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 1);
	struct inet_diag_msg d = tcp_msg(1); /* a raw socket's "port" is its protocol */
	d.idiag_state = GW_SS_CLOSE;
	put_bytes(&m, &d, sizeof d);
	fix_len(&m, at);
	at = put_hdr(&m, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 1);
	d.idiag_inode = 4243;
	put_bytes(&m, &d, sizeof d);
	uint8_t proto = IPPROTO_ICMPV6;
	put_attr(&m, 5, INET_DIAG_PROTOCOL, &proto, 1);
	fix_len(&m, at);
	struct parsed p = {0};
	parse(&p, raw4, &m, 1);
	cr_expect_eq(p.r, GW__NL_MORE);
	cr_assert_eq(p.set.n_socks, 2);
	cr_expect_eq(p.set.socks[0].raw_protocol, 1);
	cr_expect_eq(p.set.socks[1].raw_protocol, IPPROTO_ICMPV6);
	cr_expect_eq(p.set.socks[0].local_port, 0);
	cr_expect_eq(p.set.socks[0].proto, GW_SOCK_RAW);
	gw_sockset_fini(&p.set);
}

Test(netlink, hostile_headers)
{
	struct parsed p = {0};
	struct msgbuf m = {0};
	put_bytes(&m, "\x30\x00\x00\x00\x14\x00\x02\x00\x01\x00",
	          10); /* a header cut at 10 bytes */
	parse(&p, tcp4, &m, 0);
	cr_expect_eq(p.r, GW__NL_MORE);
	expect_only(&p, GW__NL_BAD_HEADER, 1);

	memset(&m, 0, sizeof m);
	put_hdr(&m, 15, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0); /* nlmsg_len below its header */
	parse(&p, tcp4, &m, 0);
	expect_only(&p, GW__NL_BAD_HEADER, 1);

	memset(&m, 0, sizeof m);
	put_hdr(&m, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0); /* nlmsg_len 0: no endless loop */
	parse(&p, tcp4, &m, 0);
	expect_only(&p, GW__NL_BAD_HEADER, 1);

	memset(&m, 0, sizeof m);
	put_hdr(&m, 4000, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0); /* nlmsg_len past the datagram */
	struct inet_diag_msg d = tcp_msg(1);
	put_bytes(&m, &d, sizeof d);
	parse(&p, tcp4, &m, 0);
	expect_only(&p, GW__NL_BAD_LENGTH, 1);
	cr_expect_eq(p.set.n_socks, 0);

	memset(&m, 0, sizeof m);
	put_hdr(&m, 0xffffffff, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0); /* 4 GiB */
	parse(&p, tcp4, &m, 0);
	expect_only(&p, GW__NL_BAD_LENGTH, 1);

	memset(&m, 0, sizeof m);
	put_hdr(&m, 16, 0x1234, NLM_F_MULTI, 0); /* a type sock_diag never sends */
	parse(&p, tcp4, &m, 0);
	expect_only(&p, GW__NL_BAD_TYPE, 1);
	gw_sockset_fini(&p.set);
}

Test(netlink, hostile_errors)
{
	struct parsed p = {0};
	struct msgbuf m = {0};
	put_hdr(&m, 18, NLMSG_ERROR, 0, 0); /* an error code cut to 2 bytes */
	put_bytes(&m, "\xfe\xff", 2);
	parse(&p, tcp4, &m, 0);
	cr_expect_eq(p.r, GW__NL_DONE);
	cr_expect_eq(p.nl_errno, EPROTO);
	expect_only(&p, GW__NL_BAD_ERROR, 1);

	memset(&m, 0, sizeof m);
	put_hdr(&m, 20, NLMSG_ERROR, 0, 0); /* INT_MIN cannot be negated */
	int32_t e = INT32_MIN;
	put_bytes(&m, &e, 4);
	parse(&p, tcp4, &m, 0);
	cr_expect_eq(p.nl_errno, EPROTO);
	expect_only(&p, GW__NL_BAD_ERROR, 1);

	memset(&m, 0, sizeof m);
	put_hdr(&m, 20, NLMSG_ERROR, 0, 0); /* a positive "errno" */
	e = 5;
	put_bytes(&m, &e, 4);
	parse(&p, tcp4, &m, 0);
	expect_only(&p, GW__NL_BAD_ERROR, 1);

	memset(&m, 0, sizeof m);
	put_hdr(&m, 36, NLMSG_ERROR, 0, 0); /* a real one: -ENOENT and the request's header */
	e = -ENOENT;
	put_bytes(&m, &e, 4);
	put_hdr(&m, 72, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, 0);
	parse(&p, tcp4, &m, 0);
	cr_expect_eq(p.r, GW__NL_DONE);
	cr_expect_eq(p.nl_errno, ENOENT);
	cr_expect_eq(gw__nl_malformed_total(&p.c), 0);

	memset(&m, 0, sizeof m);
	put_hdr(&m, 16, NLMSG_DONE, NLM_F_MULTI, 0); /* DONE without its int: old kernels */
	parse(&p, tcp4, &m, 0);
	cr_expect_eq(p.r, GW__NL_DONE);
	cr_expect_eq(gw__nl_malformed_total(&p.c), 0);
	gw_sockset_fini(&p.set);
}

Test(netlink, hostile_messages)
{
	struct parsed p = {0};
	struct msgbuf m = {0};
	size_t at = put_hdr(&m, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0);
	struct inet_diag_msg d = tcp_msg(1);
	put_bytes(&m, &d, 40); /* inet_diag_msg cut short */
	fix_len(&m, at);
	parse(&p, tcp4, &m, 0);
	expect_only(&p, GW__NL_SHORT_MSG, 1);

	memset(&m, 0, sizeof m);
	at = put_hdr(&m, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0);
	d.idiag_family = 99;
	put_bytes(&m, &d, sizeof d);
	fix_len(&m, at);
	parse(&p, tcp4, &m, 0);
	expect_only(&p, GW__NL_BAD_FAMILY, 1);

	memset(&m, 0, sizeof m); /* a good message after a bad one is still read */
	at = put_hdr(&m, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0);
	put_bytes(&m, &d, sizeof d);
	fix_len(&m, at);
	at = put_hdr(&m, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0);
	d = tcp_msg(2);
	put_bytes(&m, &d, sizeof d);
	fix_len(&m, at);
	parse(&p, tcp4, &m, 0);
	expect_only(&p, GW__NL_BAD_FAMILY, 1);
	cr_expect_eq(p.set.n_socks, 1);

	memset(&m, 0, sizeof m); /* another request's answer (sequence 5, not 6) */
	at = put_hdr(&m, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 5);
	put_bytes(&m, &d, sizeof d);
	fix_len(&m, at);
	parse(&p, tcp4, &m, 6);
	cr_expect_eq(p.c.stale, 1);
	cr_expect_eq(p.set.n_socks, 0);

	memset(&m, 0, sizeof m); /* an unknown state from a newer kernel is kept as unknown */
	at = put_hdr(&m, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0);
	d.idiag_state = 200;
	put_bytes(&m, &d, sizeof d);
	fix_len(&m, at);
	parse(&p, tcp4, &m, 0);
	cr_assert_eq(p.set.n_socks, 1);
	cr_expect_eq(p.set.socks[0].state, GW_SS_UNKNOWN);
	gw_sockset_fini(&p.set);
}

Test(netlink, hostile_attributes)
{
	struct { /* rta_len, rta_type, payload (bytes beyond are not in the message) */
		uint16_t len, type;
		size_t payload;
		enum gw__nl_malformed why;
	} cases[] = {
	        {0, INET_DIAG_MARK, 4, GW__NL_BAD_ATTR},        /* rta_len 0 */
	        {2, INET_DIAG_MARK, 4, GW__NL_BAD_ATTR},        /* rta_len below its own header */
	        {200, INET_DIAG_MARK, 4, GW__NL_BAD_ATTR},      /* rta_len past the message */
	        {4, INET_DIAG_PROTOCOL, 0, GW__NL_SHORT_ATTR},  /* a u8 with no byte */
	        {6, INET_DIAG_CGROUP_ID, 4, GW__NL_SHORT_ATTR}, /* a u64 in 2 bytes */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct msgbuf m = {0};
		size_t at = put_hdr(&m, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0);
		struct inet_diag_msg d = tcp_msg(1);
		put_bytes(&m, &d, sizeof d);
		uint8_t zero[8] = {0};
		put_attr(&m, cases[i].len, cases[i].type, zero, cases[i].payload);
		fix_len(&m, at);
		struct parsed p = {0};
		parse(&p, tcp4, &m, 0);
		expect_only(&p, cases[i].why, 1);
		cr_expect_eq(p.set.n_socks, 0, "case %zu", i);
		gw_sockset_fini(&p.set);
	}

	struct msgbuf m = {0}; /* 1..3 stray bytes after the last attribute */
	size_t at = put_hdr(&m, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0);
	struct inet_diag_msg d = tcp_msg(1);
	put_bytes(&m, &d, sizeof d);
	put_bytes(&m, "\x01\x02", 2);
	fix_len(&m, at);
	struct parsed p = {0};
	parse(&p, tcp4, &m, 0);
	expect_only(&p, GW__NL_BAD_ATTR, 1);

	memset(&m, 0, sizeof m); /* the last attribute without its padding is fine */
	at = put_hdr(&m, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0);
	put_bytes(&m, &d, sizeof d);
	uint8_t shut = 3;
	put_attr(&m, 5, INET_DIAG_SHUTDOWN, &shut, 1);
	m.n -= 3;
	fix_len(&m, at);
	parse(&p, tcp4, &m, 0);
	cr_expect_eq(gw__nl_malformed_total(&p.c), 0);
	cr_expect_eq(p.set.n_socks, 1);
	gw_sockset_fini(&p.set);
}

static struct packet_diag_msg packet_msg(void)
{
	struct packet_diag_msg d = {.pdiag_family = AF_PACKET,
	                            .pdiag_type = SOCK_RAW,
	                            .pdiag_num = ETH_P_ALL,
	                            .pdiag_ino = 77};
	return d;
}

Test(netlink, packet_messages)
{
	struct msgbuf m = {0};
	size_t at = put_hdr(&m, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0);
	struct packet_diag_msg d = packet_msg();
	put_bytes(&m, &d, sizeof d);
	struct packet_diag_info info = {.pdi_index = 3};
	put_attr(&m, 4 + sizeof info, PACKET_DIAG_INFO, &info, sizeof info);
	uint32_t uid = 1000;
	put_attr(&m, 8, PACKET_DIAG_UID, &uid, 4);
	struct sock_filter f[2] = {{BPF_RET | BPF_K, 0, 0, 0}, {BPF_RET | BPF_K, 0, 0, 0}};
	put_attr(&m, 4 + sizeof f, PACKET_DIAG_FILTER, f, sizeof f);
	fix_len(&m, at);
	at = put_hdr(&m, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0); /* filter not shown: empty */
	put_bytes(&m, &d, sizeof d);
	put_attr(&m, 4, PACKET_DIAG_FILTER, "", 0);
	fix_len(&m, at);
	struct parsed p = {0};
	parse(&p, pkt, &m, 0);
	cr_expect_eq(gw__nl_malformed_total(&p.c), 0);
	cr_assert_eq(p.set.n_socks, 2);
	const struct gw_socket *s = &p.set.socks[0];
	cr_expect_eq(s->proto, GW_SOCK_PACKET);
	cr_expect_eq(s->packet_type, SOCK_RAW);
	cr_expect_eq(s->packet_proto, ETH_P_ALL);
	cr_expect_eq(s->ifindex, 3);
	cr_expect_eq(s->uid, 1000);
	cr_expect_eq(s->inode, 77);
	cr_expect(s->packet_filter);
	cr_expect_not(p.set.socks[1].packet_filter);
	gw_sockset_fini(&p.set);

	struct { /* hostile ones */
		uint16_t len, type;
		size_t payload;
		uint8_t family;
		enum gw__nl_malformed why;
	} cases[] = {
	        {8, PACKET_DIAG_INFO, 4, AF_PACKET, GW__NL_SHORT_ATTR}, /* info cut to 4 bytes */
	        {6, PACKET_DIAG_UID, 2, AF_PACKET, GW__NL_SHORT_ATTR},
	        {9, PACKET_DIAG_FILTER, 5, AF_PACKET, GW__NL_SHORT_ATTR}, /* not whole insns */
	        {3, PACKET_DIAG_UID, 0, AF_PACKET, GW__NL_BAD_ATTR},
	        {8, PACKET_DIAG_UID, 4, AF_INET, GW__NL_BAD_FAMILY},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		memset(&m, 0, sizeof m);
		at = put_hdr(&m, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0);
		d.pdiag_family = cases[i].family;
		put_bytes(&m, &d, sizeof d);
		uint8_t zero[8] = {0};
		put_attr(&m, cases[i].len, cases[i].type, zero, cases[i].payload);
		fix_len(&m, at);
		parse(&p, pkt, &m, 0);
		expect_only(&p, cases[i].why, 1);
		cr_expect_eq(p.set.n_socks, 0, "case %zu", i);
	}
	memset(&m, 0, sizeof m); /* packet_diag_msg cut short */
	at = put_hdr(&m, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0);
	put_bytes(&m, &d, 10);
	fix_len(&m, at);
	parse(&p, pkt, &m, 0);
	expect_only(&p, GW__NL_SHORT_MSG, 1);
	gw_sockset_fini(&p.set);
}

/* Records, good and bad, from memory. */
Test(netlink, hostile_recordings)
{
	struct msgbuf one = {0};
	size_t at = put_hdr(&one, 0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 3);
	struct inet_diag_msg d = tcp_msg(80);
	put_bytes(&one, &d, sizeof d);
	fix_len(&one, at);

	char *data;
	size_t len;
	FILE *f = open_memstream(&data, &len);
	cr_assert(gw__nl_record_write(f, tcp4, one.b, one.n));
	cr_assert(gw__nl_record_write(f, tcp4, one.b, one.n));
	fclose(f);

	struct gw_sockset set;
	gw_sockset_init(&set, 100, 10);
	struct gw__diag_sink sink = {add_to_set, &set};
	struct gw__nl_counts c = {0};
	struct gw_err err = {0};
	cr_expect_eq(gw__nl_replay((uint8_t *)data, len, &sink, &c, &err), 2);
	cr_expect_eq(set.n_socks, 2);

	gw_sockset_clear(&set); /* cut in the second record's bytes */
	cr_expect_eq(gw__nl_replay((uint8_t *)data, len - 5, &sink, &c, &err), GW_ETRUNC);
	cr_expect_eq(set.n_socks, 1, "the first record is delivered");
	cr_expect(strstr(err.msg, "offset"), "%s", err.msg);

	gw_sockset_clear(&set); /* cut in the second record's header */
	size_t rec = GW__NL_RECORD_HDR + one.n;
	cr_expect_eq(gw__nl_replay((uint8_t *)data, rec + 7, &sink, &c, &err), GW_ETRUNC);

	uint8_t *bad = malloc(len);
	struct {
		size_t at;
		uint8_t v;
	} corrupt[] = {
	        {0, 'X'},  /* magic */
	        {8, 9},    /* version */
	        {9, 1},    /* byte order of another host */
	        {7, 0x7f}, /* length far beyond the buffer */
	};
	for (size_t i = 0; i < sizeof corrupt / sizeof *corrupt; i++) {
		memcpy(bad, data, len);
		bad[rec + corrupt[i].at] = corrupt[i].v;
		gw_sockset_clear(&set);
		cr_expect_eq(gw__nl_replay(bad, len, &sink, &c, &err), GW_EFORMAT, "case %zu", i);
		cr_expect_eq(set.n_socks, 1);
	}
	memcpy(bad, data, len); /* a record naming a protocol sock_diag does not answer */
	bad[rec + 11] = 99;
	gw_sockset_clear(&set);
	memset(&c, 0, sizeof c);
	cr_expect_eq(gw__nl_replay(bad, len, &sink, &c, &err), 2);
	cr_expect_eq(c.malformed[GW__NL_BAD_RECORD], 1);
	free(bad);
	free(data);

	/* A file that is not there, and one cut short. */
	cr_expect_eq(gw__nl_replay_file("/nonexistent/x.bin", &sink, &c, &err), GW_ENOENT);
	cr_expect(strstr(err.msg, "/nonexistent/x.bin"), "%s", err.msg);
	gw_sockset_fini(&set);
}

/* Random bytes through every parser: nothing but counters may change. The fuzz
 * target does this at depth; this keeps a quick version in every run. */
Test(netlink, random_bytes)
{
	uint32_t x = 2463534242u;
	struct gw_sockset set;
	gw_sockset_init(&set, 1000, 10);
	struct gw__diag_sink sink = {add_to_set, &set};
	struct gw__nl_counts c = {0};
	const struct gw__diag_kind kinds[] = {tcp4, raw4, pkt, {AF_INET6, IPPROTO_UDP}};
	for (int round = 0; round < 20000; round++) {
		uint8_t b[256];
		size_t n = (x % sizeof b) + 1;
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			b[i] = (uint8_t)x;
		}
		if (n >= 16) { /* a plausible header, so the message parsers get reached */
			uint32_t len = (uint32_t)(x % (n + 8));
			uint16_t type = (x & 0x300) ? SOCK_DIAG_BY_FAMILY : (uint16_t)(x >> 16) % 4;
			memcpy(b, &len, 4);
			memcpy(b + 4, &type, 2);
		}
		uint8_t *copy = malloc(n);
		memcpy(copy, b, n);
		int e;
		gw__diag_parse_batch(kinds[round % 4], copy, n, 0, &sink, &c, &e);
		struct gw_err err;
		(void)gw__nl_replay(copy, n, &sink, &c, &err);
		free(copy);
		gw_sockset_clear(&set);
	}
	cr_expect_gt(gw__nl_malformed_total(&c), 0);
	gw_sockset_fini(&set);
}

/* ---- live: this test's own sockets ---- */

Test(netlink, live_tcp_udp)
{
	int l4 = tcp_listener(AF_INET, 0), l6 = tcp_listener(AF_INET6, 0), c, s, u4, u6, ua, ub;
	uint16_t p4 = port_of(l4), p6 = port_of(l6);
	tcp_pair(AF_INET, p4, 0, l4, &c, &s);
	u4 = bound(AF_INET, SOCK_DGRAM, 0);
	u6 = bound(AF_INET6, SOCK_DGRAM, 0);
	udp_pair(AF_INET, 0, 0, &ua, &ub);
	uint16_t tw = tcp_time_wait(AF_INET, p4, 0, l4);

	struct gw_sockview *v = open_view(false, false);
	struct gw_sockset set;
	gw_sockset_init(&set, 1000000, 100000);
	snapshot(v, &set);
	uint64_t ns = own_netns();
	const struct gw_socket *k;

	cr_assert((k = find_inode(&set, ino_of(l4))), "the IPv4 listener");
	cr_expect_eq(k->proto, GW_SOCK_TCP);
	cr_expect_eq(k->family, GW_AF_INET);
	cr_expect_eq(k->state, GW_SS_LISTEN);
	expect_endpoint(&k->local, k->local_port, "127.0.0.1", p4);
	expect_endpoint(&k->remote, k->remote_port, "0.0.0.0", 0);
	cr_expect_eq(k->netns, ns);
	cr_expect_eq(k->uid, geteuid());
	cr_expect_neq(k->cookie, 0);
	cr_expect_eq(k->owner_status, GW_OWNER_UNRESOLVED, "owners not asked for");

	cr_assert((k = find_inode(&set, ino_of(l6))), "the IPv6 listener");
	cr_expect_eq(k->family, GW_AF_INET6);
	cr_expect_eq(k->state, GW_SS_LISTEN);
	expect_endpoint(&k->local, k->local_port, "::1", p6);

	cr_assert((k = find_inode(&set, ino_of(c))), "the client");
	cr_expect_eq(k->state, GW_SS_ESTABLISHED);
	expect_endpoint(&k->local, k->local_port, "127.0.0.1", port_of(c));
	expect_endpoint(&k->remote, k->remote_port, "127.0.0.1", p4);
	cr_assert((k = find_inode(&set, ino_of(s))), "the accepted end");
	cr_expect_eq(k->state, GW_SS_ESTABLISHED);
	expect_endpoint(&k->local, k->local_port, "127.0.0.1", p4);
	expect_endpoint(&k->remote, k->remote_port, "127.0.0.1", port_of(c));

	cr_assert((k = find_inode(&set, ino_of(u4))), "the bound UDP socket");
	cr_expect_eq(k->proto, GW_SOCK_UDP);
	cr_expect_eq(k->state, GW_SS_CLOSE);
	expect_endpoint(&k->local, k->local_port, "127.0.0.1", port_of(u4));
	cr_assert((k = find_inode(&set, ino_of(u6))));
	expect_endpoint(&k->local, k->local_port, "::1", port_of(u6));
	cr_assert((k = find_inode(&set, ino_of(ua))), "the connected UDP socket");
	cr_expect_eq(k->state, GW_SS_ESTABLISHED);
	expect_endpoint(&k->remote, k->remote_port, "127.0.0.1", port_of(ub));

	cr_assert((k = find_port(&set, GW_SOCK_TCP, GW_AF_INET, tw, GW_SS_TIME_WAIT)), "TIME_WAIT");
	cr_expect_eq(k->inode, 0);
	expect_endpoint(&k->remote, k->remote_port, "127.0.0.1", p4);

	/* The set is in its stable order. */
	for (size_t i = 1; i < set.n_socks; i++)
		cr_expect_leq(gw_socket_compare(&set.socks[i - 1], &set.socks[i]), 0);
	const struct gw_sockview_stats *st = stats_of(v);
	cr_expect_eq(st->snapshots, 1);
	cr_expect_eq(st->malformed, 0);
	cr_expect_eq(st->netns_polled, 1);
	cr_expect_gt(st->snapshot_us, 0);
	fprintf(stderr, "netlink: snapshot of %zu sockets in %llu us\n", set.n_socks,
	        (unsigned long long)st->snapshot_us);
	close_view(v);
	gw_sockset_fini(&set);
}

Test(netlink, owners_or_unresolved)
{
	int l = tcp_listener(AF_INET, 0), c, s;
	tcp_pair(AF_INET, port_of(l), 0, l, &c, &s);
	uint16_t tw = tcp_time_wait(AF_INET, port_of(l), 0, l);
	struct gw_sockview *v = open_view(true, false);
	struct gw_sockset set;
	gw_sockset_init(&set, 1000000, 100000);
	snapshot(v, &set);
	const struct gw_socket *k = find_inode(&set, ino_of(l));
	cr_assert(k);
	if (k->owner_status == GW_OWNER_KNOWN) { /* process attribution is there */
		cr_expect_eq(k->pid, getpid());
		cr_expect(gw_sockset_process(&set, getpid()), "the owner is in the set");
	} else {
		cr_expect_eq(k->owner_status, GW_OWNER_UNRESOLVED, "status %d", k->owner_status);
	}
	cr_assert((k = find_port(&set, GW_SOCK_TCP, GW_AF_INET, tw, GW_SS_TIME_WAIT)));
	cr_expect_eq(k->owner_status, GW_OWNER_NO_INODE);
	cr_expect_eq(stats_of(v)->errors, 0);
	close_view(v);
	gw_sockset_fini(&set);
}

Test(netlink, ceiling_counts_drops)
{
	int l1 = tcp_listener(AF_INET, 0), l2 = tcp_listener(AF_INET, 0);
	(void)l1, (void)l2;
	struct gw_sockview *v = open_view(false, false);
	struct gw_sockset set;
	gw_sockset_init(&set, 1, 10);
	snapshot(v, &set);
	cr_expect_eq(set.n_socks, 1);
	cr_expect_geq(set.dropped, 1);
	close_view(v);
	gw_sockset_fini(&set);
}

/* A live snapshot recorded and replayed gives the same sockets. */
Test(netlink, record_and_replay_roundtrip)
{
	int l = tcp_listener(AF_INET, 0), c, s, u = bound(AF_INET6, SOCK_DGRAM, 0);
	tcp_pair(AF_INET, port_of(l), 0, l, &c, &s);
	(void)u;
	char path[] = "/tmp/gw_netlink_XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	unlink(path);
	struct gw_sockview *v = open_view(false, false);
	cr_assert_eq(gw__sockview_netlink_record(v, path, NULL), 0);
	struct gw_sockset live, back;
	gw_sockset_init(&live, 1000000, 10);
	gw_sockset_init(&back, 1000000, 10);
	snapshot(v, &live);
	cr_assert_eq(gw__sockview_netlink_record(v, NULL, NULL), 0);
	close_view(v);
	struct gw__nl_counts cnt = {0};
	cr_assert_geq(replay_into(path, &back, &cnt), 7);
	unlink(path);
	cr_expect_eq(gw__nl_malformed_total(&cnt), 0);
	for (size_t i = 0; i < back.n_socks; i++)
		back.socks[i].netns = own_netns();
	gw_sockset_finish(&back);
	/* RAW may come from /proc (no raw_diag): compare everything else. */
	size_t n_live = 0;
	for (size_t i = 0; i < live.n_socks; i++)
		if (live.socks[i].proto != GW_SOCK_RAW)
			live.socks[n_live++] = live.socks[i];
	cr_assert_eq(back.n_socks, n_live);
	for (size_t i = 0; i < n_live; i++)
		cr_expect_eq(memcmp(&live.socks[i], &back.socks[i], sizeof live.socks[i]), 0,
		             "socket %zu", i);
	gw_sockset_fini(&live);
	gw_sockset_fini(&back);
}

Test(netlink, live_raw_and_packet)
{
	if (geteuid() != 0)
		cr_skip_test("raw and packet sockets need root (CAP_NET_RAW): skipped");
	int raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	int raw6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	cr_assert(raw >= 0 && raw6 >= 0);
	int p1 = packet_filtered(), p2 = packet_plain();
	struct gw_sockview *v = open_view(false, false);
	struct gw_sockset set;
	gw_sockset_init(&set, 1000000, 100000);
	snapshot(v, &set);
	const struct gw_socket *k;
	cr_assert((k = find_inode(&set, ino_of(raw))), "the raw ICMP socket");
	cr_expect_eq(k->proto, GW_SOCK_RAW);
	cr_expect_eq(k->family, GW_AF_INET);
	cr_expect_eq(k->raw_protocol, IPPROTO_ICMP);
	cr_expect_eq(k->state, GW_SS_CLOSE);
	cr_expect_eq(k->local_port, 0);
	cr_expect_eq(k->netns, own_netns());
	cr_assert((k = find_inode(&set, ino_of(raw6))), "the raw ICMPv6 socket");
	cr_expect_eq(k->family, GW_AF_INET6);
	cr_expect_eq(k->raw_protocol, IPPROTO_ICMPV6);

	cr_assert((k = find_inode(&set, ino_of(p1))), "the filtered packet socket");
	cr_expect_eq(k->proto, GW_SOCK_PACKET);
	cr_expect_eq(k->packet_type, SOCK_RAW);
	cr_expect_eq(k->packet_proto, ETH_P_ALL);
	cr_expect_eq(k->ifindex, if_nametoindex("lo"));
	cr_expect(k->packet_filter);
	cr_expect_eq(k->netns, own_netns());
	cr_assert((k = find_inode(&set, ino_of(p2))), "the plain packet socket");
	cr_expect_eq(k->packet_type, SOCK_DGRAM);
	cr_expect_eq(k->packet_proto, ETH_P_IP);
	cr_expect_eq(k->ifindex, 0);
	cr_expect_not(k->packet_filter);
	cr_expect_eq(stats_of(v)->errors, 0);
	close_view(v);
	gw_sockset_fini(&set);
}

/* ---- another network namespace ---- */

/* A child in a network namespace of its own, holding a TCP listener on
 * 127.0.0.1:7777 and a connected client, until its pipe closes. */
struct nschild {
	pid_t pid;
	int hold;         /* closing it ends the child */
	uint64_t info[4]; /* listener inode, netns, client port, client inode */
};

static void nschild_main(int report, int hold)
{
	if (unshare(CLONE_NEWNET) < 0)
		_exit(2);
	lo_up();
	int l = tcp_listener(AF_INET, 7777), c, s;
	tcp_pair(AF_INET, 7777, 0, l, &c, &s);
	struct stat st;
	if (stat("/proc/self/ns/net", &st) < 0)
		_exit(2);
	uint64_t info[4] = {ino_of(l), st.st_ino, port_of(c), ino_of(c)};
	if (write(report, info, sizeof info) != sizeof info)
		_exit(2);
	char b;
	while (read(hold, &b, 1) > 0)
		;
	_exit(0);
}

static void nschild_start(struct nschild *k)
{
	int report[2], hold[2];
	cr_assert_eq(pipe(report), 0);
	cr_assert_eq(pipe(hold), 0);
	k->pid = fork();
	cr_assert_geq(k->pid, 0);
	if (k->pid == 0) {
		close(report[0]);
		close(hold[1]);
		nschild_main(report[1], hold[0]);
	}
	close(report[1]);
	close(hold[0]);
	k->hold = hold[1];
	cr_assert_eq(read(report[0], k->info, sizeof k->info), (ssize_t)sizeof k->info,
	             "the namespace child failed");
	close(report[0]);
}

static void nschild_stop(struct nschild *k)
{
	close(k->hold);
	int status;
	waitpid(k->pid, &status, 0);
}

static void collect(void *ud, const struct gw_socket *s)
{
	add_to_set(ud, s);
}

Test(netlink, socket_inside_other_namespace)
{
	if (geteuid() != 0)
		cr_skip_test("creating and entering a network namespace needs root: skipped");
	uint64_t before = own_netns();
	struct nschild k;
	nschild_start(&k);
	cr_assert_neq(k.info[1], before);

	struct gw__nl nl;
	bool stranded = true;
	struct gw_err err = {0};
	cr_assert_eq(gw__nl_open(&nl, "/proc", k.pid, &stranded, &err), 0, "%s", err.msg);
	cr_expect_not(stranded);
	cr_expect_eq(nl.netns, k.info[1]);
	cr_expect_eq(gw__netns_of("/proc", 0), before, "back in our own namespace");
	cr_expect_eq(own_netns(), before);

	struct gw__nl_io io;
	cr_assert_eq(gw__nl_io_init(&io, &err), 0);
	uint8_t req[GW__INET_DIAG_REQ_LEN];
	struct gw__diag_kind kind = {AF_INET, IPPROTO_TCP};
	gw__inet_diag_dump_req(req, AF_INET, IPPROTO_TCP);
	struct gw_sockset set;
	gw_sockset_init(&set, 1000, 10);
	struct gw__diag_sink sink = {collect, &set};
	int e;
	cr_assert_eq(gw__nl_request(&nl, &io, kind, true, req, sizeof req, &sink, &e, &err), 0,
	             "%s", err.msg);
	const struct gw_socket *s = find_inode(&set, k.info[0]);
	cr_assert(s, "the child's listener, seen from inside its namespace");
	expect_endpoint(&s->local, s->local_port, "127.0.0.1", 7777);
	cr_expect_eq(s->state, GW_SS_LISTEN);
	cr_expect_eq(set.n_socks, 3, "listener, client, accepted: nothing of ours");
	gw__nl_close(&nl);
	gw__nl_io_fini(&io);
	gw_sockset_fini(&set);
	nschild_stop(&k);
}

/* Through the view: every namespace, when process information can list them. */
Test(netlink, view_polls_every_namespace)
{
	if (geteuid() != 0)
		cr_skip_test("creating and entering a network namespace needs root: skipped");
	struct nschild k;
	nschild_start(&k);
	struct gw_sockview *v = open_view(true, true);
	struct gw_sockset set;
	gw_sockset_init(&set, 1000000, 100000);
	snapshot(v, &set);
	const struct gw_sockview_stats *st = stats_of(v);
	if (st->netns_polled < 2 && st->netns_failed == 0) {
		close_view(v);
		gw_sockset_fini(&set);
		nschild_stop(&k);
		cr_skip_test("process information lists no namespaces yet (procinfo): skipped");
	}
	cr_expect_eq(st->netns_failed, 0);
	const struct gw_socket *s = find_inode(&set, k.info[0]);
	cr_assert(s, "the child's listener in the view's snapshot");
	cr_expect_eq(s->netns, k.info[1]);
	cr_expect_eq(s->state, GW_SS_LISTEN);
	if (s->owner_status == GW_OWNER_KNOWN)
		cr_expect_eq(s->pid, k.pid);

	/* The exact lookup inside that namespace. */
	struct gw_sock_query q = {.proto = GW_SOCK_TCP,
	                          .local_port = (uint16_t)k.info[2],
	                          .remote_port = 7777,
	                          .netns = k.info[1]};
	cr_assert_eq(gw_addr_parse("127.0.0.1", &q.local, NULL), 0);
	q.remote = q.local;
	struct gw_socket out;
	struct gw_err err = {0};
	cr_expect_eq(gw_sockview_find("netlink")->lookup(v, &q, &out, &err), 1, "%s", err.msg);
	cr_expect_eq(out.inode, k.info[3]);
	cr_expect_eq(out.netns, k.info[1]);
	q.netns = 0; /* our namespace has no such socket */
	cr_expect_eq(gw_sockview_find("netlink")->lookup(v, &q, &out, &err), 0);
	close_view(v);
	gw_sockset_fini(&set);
	nschild_stop(&k);
}

/* Without privileges entering a namespace fails cleanly: counted, never stranded. */
Test(netlink, namespace_entry_without_privileges)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (geteuid() == 0 &&
		    (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0))
			_exit(2);
		struct gw__nl nl;
		bool stranded = false;
		struct gw_err err = {0};
		int rc = gw__nl_open(&nl, "/proc", 1, &stranded, &err);
		_exit(rc == GW_EPERM && !stranded && strstr(err.msg, "/proc/1/ns/net") ? 0 : 1);
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
}

/* ---- exact lookup ---- */

static struct gw_sock_query query(int proto, const char *local, uint16_t lport, const char *remote,
                                  uint16_t rport)
{
	struct gw_sock_query q = {
	        .proto = (uint8_t)proto, .local_port = lport, .remote_port = rport};
	cr_assert_eq(gw_addr_parse(local, &q.local, NULL), 0);
	cr_assert_eq(gw_addr_parse(remote, &q.remote, NULL), 0);
	return q;
}

static int lookup(struct gw_sockview *v, const struct gw_sock_query *q, struct gw_socket *out)
{
	struct gw_err err = {0};
	int rc = gw_sockview_find("netlink")->lookup(v, q, out, &err);
	cr_assert_geq(rc, 0, "%s", err.msg);
	return rc;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* p50 and p99 of n lookups of q, in µs (printed: the per-flow cost). */
static void time_lookups(struct gw_sockview *v, const struct gw_sock_query *q, const char *what)
{
	enum {
		N = 20000
	};
	static int64_t t[N];
	struct gw_socket out;
	for (int i = 0; i < N; i++) {
		int64_t t0 = now_ns();
		(void)lookup(v, q, &out);
		t[i] = now_ns() - t0;
	}
	qsort(t, N, sizeof *t, cmp_i64);
	fprintf(stderr,
	        "netlink: exact lookup (%s): p50 %.1f us, p99 %.1f us, max %.1f us (%d calls)\n",
	        what, t[N / 2] / 1e3, t[N * 99 / 100] / 1e3, t[N - 1] / 1e3, N);
	cr_expect_lt(t[N / 2], 1000000, "a lookup takes under a millisecond");
}

Test(netlink, exact_lookup)
{
	int l4 = tcp_listener(AF_INET, 0), l6 = tcp_listener(AF_INET6, 0), c4, s4, c6, s6, ua, ub;
	uint16_t p4 = port_of(l4), p6 = port_of(l6);
	tcp_pair(AF_INET, p4, 0, l4, &c4, &s4);
	tcp_pair(AF_INET6, p6, 0, l6, &c6, &s6);
	udp_pair(AF_INET, 0, 0, &ua, &ub);
	int gone = bound(AF_INET, SOCK_STREAM, 0); /* a port nobody holds */
	uint16_t free_port = port_of(gone);
	close(gone);

	struct gw_sockview *v = open_view(true, false);
	struct gw_socket out;
	struct gw_sock_query q = query(GW_SOCK_TCP, "127.0.0.1", port_of(c4), "127.0.0.1", p4);
	cr_expect_eq(lookup(v, &q, &out), 1, "client end");
	cr_expect_eq(out.inode, ino_of(c4));
	cr_expect_eq(out.state, GW_SS_ESTABLISHED);
	cr_expect_eq(out.netns, own_netns());
	cr_expect_neq(out.owner_status, GW_OWNER_NOT_FOUND);
	q = query(GW_SOCK_TCP, "127.0.0.1", p4, "127.0.0.1", port_of(c4));
	cr_expect_eq(lookup(v, &q, &out), 1, "accepted end");
	cr_expect_eq(out.inode, ino_of(s4));
	q = query(GW_SOCK_TCP, "::1", port_of(c6), "::1", p6);
	cr_expect_eq(lookup(v, &q, &out), 1, "IPv6 client end");
	cr_expect_eq(out.inode, ino_of(c6));
	q = query(GW_SOCK_TCP, "::1", p6, "::1", port_of(c6));
	cr_expect_eq(lookup(v, &q, &out), 1, "IPv6 accepted end");
	cr_expect_eq(out.inode, ino_of(s6));
	q = query(GW_SOCK_UDP, "127.0.0.1", port_of(ua), "127.0.0.1", port_of(ub));
	cr_expect_eq(lookup(v, &q, &out), 1, "UDP one way");
	cr_expect_eq(out.inode, ino_of(ua));
	q = query(GW_SOCK_UDP, "127.0.0.1", port_of(ub), "127.0.0.1", port_of(ua));
	cr_expect_eq(lookup(v, &q, &out), 1, "UDP the other way");
	cr_expect_eq(out.inode, ino_of(ub));

	q = query(GW_SOCK_TCP, "127.0.0.1", free_port, "127.0.0.1", 9);
	cr_expect_eq(lookup(v, &q, &out), 0, "a tuple nobody has");
	q = query(GW_SOCK_UDP, "127.0.0.1", free_port, "127.0.0.1", 9);
	cr_expect_eq(lookup(v, &q, &out), 0, "a UDP tuple nobody has");
	q = query(GW_SOCK_TCP, "127.0.0.2", port_of(c4), "127.0.0.1", p4);
	cr_expect_eq(lookup(v, &q, &out), 0, "another local address");

	/* An inbound tuple with no connection yet: the listener that owns it. */
	q = query(GW_SOCK_TCP, "127.0.0.1", p4, "192.0.2.1", 4321);
	cr_expect_eq(lookup(v, &q, &out), 1);
	cr_expect_eq(out.state, GW_SS_LISTEN);
	cr_expect_eq(out.inode, ino_of(l4));
	/* Unconnected UDP: the bound socket a datagram from anywhere would reach. */
	int u = bound(AF_INET, SOCK_DGRAM, 0);
	q = query(GW_SOCK_UDP, "127.0.0.1", port_of(u), "192.0.2.1", 53);
	cr_expect_eq(lookup(v, &q, &out), 1);
	cr_expect_eq(out.inode, ino_of(u));
	cr_expect_eq(out.state, GW_SS_CLOSE);

	const struct gw_sockview_stats *st = stats_of(v);
	cr_expect_eq(st->lookups, 11);
	cr_expect_eq(st->lookup_hits, 8);
	cr_expect_eq(st->errors, 0);

	q = query(GW_SOCK_TCP, "127.0.0.1", port_of(c4), "127.0.0.1", p4);
	time_lookups(v, &q, "hit, TCP");
	q = query(GW_SOCK_TCP, "127.0.0.1", free_port, "127.0.0.1", 9);
	time_lookups(v, &q, "miss, TCP");
	q = query(GW_SOCK_UDP, "127.0.0.1", port_of(ua), "127.0.0.1", port_of(ub));
	time_lookups(v, &q, "hit, UDP");
	cr_expect_eq(stats_of(v)->malformed, 0);
	close_view(v);
}

Test(netlink, lookup_refuses_bad_queries)
{
	struct gw_sockview *v = open_view(false, false);
	struct gw_sock_query q = query(GW_SOCK_TCP, "127.0.0.1", 1, "::1", 2); /* mixed families */
	struct gw_socket out;
	struct gw_err err = {0};
	cr_expect_eq(gw_sockview_find("netlink")->lookup(v, &q, &out, &err), GW_EINVAL);
	q = query(GW_SOCK_RAW, "127.0.0.1", 1, "127.0.0.1", 2);
	cr_expect_eq(gw_sockview_find("netlink")->lookup(v, &q, &out, &err), GW_EINVAL);
	q = query(GW_SOCK_TCP, "127.0.0.1", 1, "127.0.0.1", 2);
	q.netns = 12345; /* no process is known in it */
	cr_expect_eq(gw_sockview_find("netlink")->lookup(v, &q, &out, &err), GW_ENOENT);
	cr_expect(strstr(err.msg, "12345"), "%s", err.msg);
	cr_expect_eq(stats_of(v)->errors, 3);
	close_view(v);
}

/* ---- parity with ss ---- */

/* What ss prints for s in its Local / Peer columns. */
static void ss_endpoint(const struct gw_socket *s, const struct gw_addr *a, uint16_t port,
                        bool local, char *out, size_t size)
{
	char addr[GW_ADDR_STRLEN + 2], text[GW_ADDR_STRLEN];
	bool any = true;
	for (int i = 0; i < 16; i++)
		any = any && a->bytes[i] == 0;
	if (any)
		snprintf(addr, sizeof addr, "%s", a->family == GW_AF_INET ? "0.0.0.0" : "*");
	else if (a->family == GW_AF_INET6)
		snprintf(addr, sizeof addr, "[%s]", gw_addr_format(a, text, sizeof text));
	else
		snprintf(addr, sizeof addr, "%s", gw_addr_format(a, text, sizeof text));
	if (s->proto == GW_SOCK_RAW)
		port = local ? s->raw_protocol : 0;
	if (port)
		snprintf(out, size, "%s:%u", addr, port);
	else
		snprintf(out, size, "%s:*", addr);
}

static void ss_state(uint8_t state, char *out, size_t size)
{
	const char *name = state == GW_SS_ESTABLISHED ? "estab" : gw_sock_state_name(state);
	size_t i = 0;
	for (; name[i] && i + 1 < size; i++)
		out[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
	out[i] = 0;
}

/* The ss line of the socket s: netid state rq sq local peer. */
static void ss_expected(const struct gw_socket *s, char *out, size_t size)
{
	char st[24], local[80], peer[80];
	ss_state(s->state, st, sizeof st);
	if (s->proto == GW_SOCK_PACKET) {
		char ifname[IF_NAMESIZE] = "*";
		if (s->ifindex)
			if_indextoname(s->ifindex, ifname);
		if (s->packet_proto == ETH_P_ALL)
			snprintf(local, sizeof local, "*:%s", ifname);
		else
			snprintf(local, sizeof local, "[%u]:%s", s->packet_proto, ifname);
		snprintf(out, size, "%s %s %s *", s->packet_type == SOCK_RAW ? "p_raw" : "p_dgr",
		         st, local);
		return;
	}
	ss_endpoint(s, &s->local, s->local_port, true, local, sizeof local);
	ss_endpoint(s, &s->remote, s->remote_port, false, peer, sizeof peer);
	snprintf(out, size, "%s %s %s %s", gw_sock_proto_name(s->proto), st, local, peer);
}

/* ss writes the IPv6 wildcard "[::]" for a v6only socket, "*" otherwise; a
 * struct gw_socket does not say v6only, so both mean the wildcard here. */
static void unwild(char *endpoint)
{
	if (strncmp(endpoint, "[::]:", 5) == 0) {
		endpoint[0] = '*';
		memmove(endpoint + 1, endpoint + 4, strlen(endpoint + 4) + 1);
	}
}

/* Compares ss's lines for this process's fds with the snapshot; returns how many. */
static int ss_compare(const char *cmd, const struct gw_sockset *set, int filtered_fd)
{
	FILE *p = popen(cmd, "r");
	cr_assert(p);
	char line[4096], want[256], mark[64];
	snprintf(mark, sizeof mark, "pid=%d,fd=", (int)getpid());
	int n = 0, last_fd = -1;
	bool saw_filter = false;
	while (fgets(line, sizeof line, p)) {
		if (line[0] == '\t' ||
		    line[0] == ' ') { /* a continuation line of the last socket */
			if (last_fd == filtered_fd && strstr(line, "bpf filter"))
				saw_filter = true;
			continue;
		}
		last_fd = -1;
		char *at = strstr(line, mark);
		if (!at)
			continue;
		int fd = atoi(at + strlen(mark));
		last_fd = fd;
		const struct gw_socket *s = find_inode(set, ino_of(fd));
		cr_assert(s, "ss shows fd %d, which the snapshot lacks: %s", fd, line);
		char netid[16], state[24], rq[16], sq[16], local[96], peer[96], got[256];
		cr_assert_eq(sscanf(line, "%15s %23s %15s %15s %95s %95s", netid, state, rq, sq,
		                    local, peer),
		             6, "%s", line);
		unwild(local);
		unwild(peer);
		snprintf(got, sizeof got, "%s %s %s %s", netid, state, local, peer);
		ss_expected(s, want, sizeof want);
		cr_expect_str_eq(got, want, "fd %d: ss \"%s\", netlink \"%s\"", fd, got, want);
		char ino[32];
		snprintf(ino, sizeof ino, "ino:%llu ", (unsigned long long)s->inode);
		if (s->proto != GW_SOCK_RAW) /* ss -e shows no inode for raw sockets */
			cr_expect(strstr(line, ino), "ss shows another inode: %s", line);
		n++;
	}
	cr_assert_eq(pclose(p), 0, "%s failed", cmd);
	if (filtered_fd >= 0)
		cr_expect(saw_filter, "ss -b shows the filter");
	return n;
}

Test(netlink, parity_with_ss)
{
	if (system("ss -V >/dev/null 2>&1") != 0)
		cr_skip_test("ss (iproute2) is not installed: skipped");
	int l4 = tcp_listener(AF_INET, 0), l6 = tcp_listener(AF_INET6, 0), c, s, ua, ub;
	tcp_pair(AF_INET, port_of(l4), 0, l4, &c, &s);
	udp_pair(AF_INET6, 0, 0, &ua, &ub);
	int u = bound(AF_INET, SOCK_DGRAM, 0);
	(void)l6, (void)u;
	int raw = -1, p1 = -1, p2 = -1, expected = 7;
	if (geteuid() == 0) {
		raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
		p1 = packet_filtered();
		p2 = packet_plain();
		expected += 1;
	} else {
		fprintf(stderr, "netlink: parity with ss covers TCP and UDP only (not root)\n");
	}
	struct gw_sockview *v = open_view(false, false);
	struct gw_sockset set;
	gw_sockset_init(&set, 1000000, 10);
	snapshot(v, &set);
	close_view(v);
	cr_expect_eq(ss_compare("ss -H -tanuwpe 2>/dev/null", &set, -1), expected);
	if (geteuid() == 0)
		cr_expect_eq(ss_compare("ss -H -0 -anpeb 2>/dev/null", &set, p1), 2);
	(void)raw, (void)p2;
	gw_sockset_fini(&set);
}

#else

Test(netlink, not_linux)
{
	cr_skip_test("the netlink socket view is Linux only");
}

#endif
