/* test_procfs_hidden.c — the procfs-hidden hint end to end: the poller's
 * cross-check against a /proc/net that lacks one of our sockets (a fake proc
 * root, as a rootkit hooking /proc/net/tcp would show it) writes a hidden
 * record; the record survives the timeline; the correlator then marks the
 * flows that socket explains, and such a verdict is a finding. */
#include <criterion/criterion.h>

#ifdef HAVE_OS_LINUX

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ghostwire/correlate.h"
#include "ghostwire/poller.h"
#include "ghostwire/timeline.h"

static char root[64];

static void make_root(void)
{
	strcpy(root, "/tmp/gw-fakeproc-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	char path[128];
	snprintf(path, sizeof path, "%s/net", root);
	cr_assert_eq(mkdir(path, 0755), 0);
}

static void remove_root(void)
{
	static const char *const tables[] = {"tcp", "tcp6", "udp", "udp6"};
	char path[128];
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/net/%s", root, tables[i]);
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/net", root);
	rmdir(path);
	rmdir(root);
}

TestSuite(procfs_hidden, .init = make_root, .fini = remove_root);

/* Copies /proc/self/net/TABLE into the fake root without the lines of inode. */
static void copy_without(const char *table, unsigned long inode)
{
	char src[64], dst[128], line[512], needle[32];
	snprintf(src, sizeof src, "/proc/self/net/%s", table);
	snprintf(dst, sizeof dst, "%s/net/%s", root, table);
	snprintf(needle, sizeof needle, " %lu ", inode);
	FILE *in = fopen(src, "r"), *out = fopen(dst, "w");
	cr_assert(in && out);
	while (fgets(line, sizeof line, in))
		if (!strstr(line, needle))
			fputs(line, out);
	fclose(in);
	fclose(out);
}

static int listener(uint16_t *port, unsigned long *inode)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0, "bind: %s", strerror(errno));
	cr_assert_eq(listen(fd, 4), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	struct stat st;
	cr_assert_eq(fstat(fd, &st), 0);
	*inode = (unsigned long)st.st_ino;
	return fd;
}

struct hidden_seen {
	unsigned long want_inode, other_inode;
	int records;
	bool found, found_other;
};

static int sink(void *ud, const struct gw_tl_record *rec, struct gw_err *err)
{
	(void)err;
	struct hidden_seen *h = ud;
	if (rec->type != GW_TL_HIDDEN)
		return 0;
	h->records++;
	for (size_t i = 0; i < rec->set.n_socks; i++) {
		if (rec->set.socks[i].inode == h->want_inode)
			h->found = true;
		if (rec->set.socks[i].inode == h->other_inode)
			h->found_other = true;
	}
	return 0;
}

Test(procfs_hidden, poller_reports_a_socket_procfs_does_not_list)
{
	uint16_t port, port2;
	unsigned long inode, inode2;
	int fd = listener(&port, &inode), fd2 = listener(&port2, &inode2);
	static const char *const tables[] = {"tcp", "tcp6", "udp", "udp6"};
	for (int i = 0; i < 4; i++)
		copy_without(tables[i], inode);

	struct gw_poller_config cfg;
	gw_poller_config_init(&cfg);
	cfg.events = 0;
	cfg.view_cfg.owners = false;
	cfg.procfs_check_root = root;
	struct hidden_seen h = {.want_inode = inode, .other_inode = inode2};
	struct gw_poller *p;
	char warnings[256];
	struct gw_err err = {0};
	int r = gw_poller_new(&cfg, sink, &h, &p, warnings, sizeof warnings, &err);
	if (r < 0)
		cr_skip_test("no netlink socket view here (%s): skipped", err.msg);
	cr_assert_str_empty(warnings, "%s", warnings);
	cr_assert_eq(gw_poller_step(p, &err), 0, "%s", err.msg);
	cr_expect_eq(h.records, 1);
	cr_expect(h.found, "the socket missing from the fake /proc/net/tcp is reported");
	cr_expect_not(h.found_other, "a socket procfs lists is not");
	cr_expect_eq(gw_poller_stats(p)->procfs_checks, 1);
	gw_poller_free(p);
	close(fd);
	close(fd2);
}

Test(procfs_hidden, off_for_other_views_and_when_zero)
{
	struct gw_poller_config cfg;
	gw_poller_config_init(&cfg);
	cfg.events = 0;
	cfg.procfs_check_ms = 0;
	struct hidden_seen h = {0};
	struct gw_poller *p;
	char warnings[256];
	struct gw_err err = {0};
	if (gw_poller_new(&cfg, sink, &h, &p, warnings, sizeof warnings, &err) < 0)
		cr_skip_test("no netlink socket view here (%s): skipped", err.msg);
	cr_assert_eq(gw_poller_step(p, &err), 0, "%s", err.msg);
	cr_expect_eq(gw_poller_stats(p)->procfs_checks, 0);
	gw_poller_free(p);
}

static struct gw_socket hidden_listener(void)
{
	struct gw_socket s;
	memset(&s, 0, sizeof s);
	s.proto = GW_SOCK_TCP;
	s.family = GW_AF_INET;
	s.state = GW_SS_LISTEN;
	s.local_port = 31337;
	s.inode = 4242;
	s.owner_status = GW_OWNER_KNOWN;
	s.pid = 666;
	return s;
}

Test(procfs_hidden, round_trip_and_verdict)
{
	char path[128];
	snprintf(path, sizeof path, "%s/net/tcp", root); /* a file the fini removes */
	struct gw_tl_header hd = {.version = GW_TIMELINE_VERSION, .started_us = 1};
	strcpy(hd.source, "netlink");
	struct gw_timeline_writer *w;
	struct gw_err err = {0};
	cr_assert_eq(gw_timeline_writer_open(path, &hd, &w, &err), 0, "%s", err.msg);
	struct gw_tl_record rec;
	gw_tl_record_init(&rec, 8, 8);
	rec.type = GW_TL_SNAPSHOT;
	rec.ts_us = 1000000;
	struct gw_socket s = hidden_listener();
	gw_sockset_add(&rec.set, &s);
	struct gw_process proc = {.pid = 666};
	strcpy(proc.comm, "sshd-backdoor");
	gw_sockset_add_process(&rec.set, &proc);
	gw_sockset_finish(&rec.set);
	cr_assert_eq(gw_timeline_write(w, &rec, &err), 0, "%s", err.msg);
	rec.type = GW_TL_HIDDEN;
	rec.ts_us = 1000001;
	cr_assert_eq(gw_timeline_write(w, &rec, &err), 0, "%s", err.msg);
	cr_assert_eq(gw_timeline_writer_close(w, &err), 0);

	struct gw_correlator_config ccfg;
	gw_correlator_config_init(&ccfg);
	struct gw_correlator *c;
	cr_assert_eq(gw_correlator_new(&ccfg, &c, &err), 0);
	struct gw_timeline_reader *r;
	struct gw_tl_header h;
	cr_assert_eq(gw_timeline_reader_open(path, 0, &h, &r, &err), 0, "%s", err.msg);
	int types = 0;
	while (gw_timeline_read(r, &rec, &err) == 1) {
		types |= 1 << rec.type;
		cr_assert_eq(gw_correlator_apply(c, &rec, &err), 0, "%s", err.msg);
	}
	cr_expect(types & (1 << GW_TL_HIDDEN));
	gw_timeline_reader_close(r);
	gw_tl_record_fini(&rec);
	cr_expect_eq(gw_correlator_stats(c)->procfs_hidden, 1);

	struct gw_flow f;
	memset(&f, 0, sizeof f);
	f.key.proto = 6;
	f.key.family = GW_AF_INET;
	f.key.local_port = 31337;
	f.key.remote_port = 50000;
	memcpy(f.key.local, (uint8_t[]){192, 0, 2, 10}, 4);
	memcpy(f.key.remote, (uint8_t[]){198, 51, 100, 9}, 4);
	f.first_us = f.last_us = 2000000;
	f.opener = GW_DIR_IN;
	f.tcp_flags[GW_DIR_IN] = GW_SEEN_SYN;
	f.tcp_flags[GW_DIR_OUT] = GW_SEEN_SYNACK;
	f.packets[0] = f.packets[1] = 3;
	f.seq = 1;
	struct gw_verdict v;
	gw_correlator_judge(c, &f, &v);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	cr_expect_eq(v.hints, GW_HINT_PROCFS_HIDDEN);
	cr_expect_str_eq(v.owner.comm, "sshd-backdoor");
	cr_expect(gw_verdict_is_finding(&v));
	cr_expect(strstr(v.reason, "hidden from /proc/net") != NULL, "%s", v.reason);
	gw_correlator_free(c);
}

#else

Test(procfs_hidden, not_linux)
{
	cr_skip_test("the procfs cross-check is Linux's");
}

#endif
