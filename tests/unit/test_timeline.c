/* test_timeline.c — the socket timeline: every record type written and read
 * back field by field, the hand-written sample in tests/fixtures/timeline/,
 * and hostile input, each bad line giving an error with file and line. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ghostwire/timeline.h"

/* ---- helpers ---- */

static char tmp_path[64];

static void make_tmp(void)
{
	strcpy(tmp_path, "/tmp/gw-timeline-XXXXXX");
	int fd = mkstemp(tmp_path);
	cr_assert_geq(fd, 0);
	close(fd);
}

static void remove_tmp(void)
{
	unlink(tmp_path);
}

TestSuite(timeline, .init = make_tmp, .fini = remove_tmp);

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static const char *fixture(const char *name)
{
	static char buf[1024];
	const char *root = getenv("GW_SOURCE_ROOT");
	snprintf(buf, sizeof buf, "%s/tests/fixtures/timeline/%s", root ? root : "..", name);
	return buf;
}

static struct gw_addr addr(const char *text)
{
	struct gw_addr a;
	cr_assert_eq(gw_addr_parse(text, &a, NULL), 0, "%s", text);
	return a;
}

static struct gw_cidr cidr(const char *text)
{
	struct gw_cidr c;
	cr_assert_eq(gw_cidr_parse(text, &c, NULL), 0, "%s", text);
	return c;
}

static void expect_socket_eq(const struct gw_socket *a, const struct gw_socket *b)
{
	cr_expect_eq(gw_socket_compare(a, b), 0);
	cr_expect_eq(a->proto, b->proto);
	cr_expect_eq(a->family, b->family);
	cr_expect_eq(a->state, b->state);
	cr_expect_eq(a->raw_protocol, b->raw_protocol);
	cr_expect_eq(a->local_port, b->local_port);
	cr_expect_eq(a->remote_port, b->remote_port);
	cr_expect(gw_addr_equal(&a->local, &b->local));
	cr_expect(gw_addr_equal(&a->remote, &b->remote));
	cr_expect_eq(a->packet_type, b->packet_type);
	cr_expect_eq(a->packet_proto, b->packet_proto);
	cr_expect_eq(a->packet_filter, b->packet_filter);
	cr_expect_eq(a->owner_status, b->owner_status);
	cr_expect_eq(a->ifindex, b->ifindex);
	cr_expect_eq(a->uid, b->uid);
	cr_expect_eq(a->rx_queue, b->rx_queue);
	cr_expect_eq(a->tx_queue, b->tx_queue);
	cr_expect_eq(a->inode, b->inode);
	cr_expect_eq(a->cookie, b->cookie);
	cr_expect_eq(a->netns, b->netns);
	cr_expect_eq(a->pid, b->pid);
	cr_expect_eq(a->n_holders, b->n_holders);
}

static void expect_process_eq(const struct gw_process *a, const struct gw_process *b)
{
	cr_expect_eq(a->pid, b->pid);
	cr_expect_eq(a->ppid, b->ppid);
	cr_expect_eq(a->uid, b->uid);
	cr_expect_eq(a->netns, b->netns);
	cr_expect_eq(a->start_us, b->start_us);
	cr_expect_str_eq(a->comm, b->comm);
	cr_expect_str_eq(a->exe, b->exe);
	cr_expect_str_eq(a->cmdline, b->cmdline);
	cr_expect_str_eq(a->container, b->container);
	cr_expect_str_eq(a->user, b->user);
	cr_expect_eq(a->exe_deleted, b->exe_deleted);
	cr_expect_eq(a->exe_hash_status, b->exe_hash_status);
	cr_expect_str_eq(a->exe_sha256, b->exe_sha256);
	cr_expect_eq(a->marks, b->marks);
}

static void expect_set_eq(const struct gw_sockset *a, const struct gw_sockset *b)
{
	cr_assert_eq(a->n_socks, b->n_socks);
	cr_assert_eq(a->n_procs, b->n_procs);
	for (size_t i = 0; i < a->n_socks; i++)
		expect_socket_eq(&a->socks[i], &b->socks[i]);
	for (size_t i = 0; i < a->n_procs; i++)
		expect_process_eq(&a->procs[i], &b->procs[i]);
}

static void expect_record_eq(const struct gw_tl_record *a, const struct gw_tl_record *b)
{
	cr_expect_eq(a->type, b->type);
	cr_expect_eq(a->ts_us, b->ts_us);
	expect_set_eq(&a->set, &b->set);
	expect_set_eq(&a->removed, &b->removed);
	cr_expect_eq(a->query.proto, b->query.proto);
	cr_expect(gw_addr_equal(&a->query.local, &b->query.local));
	cr_expect(gw_addr_equal(&a->query.remote, &b->query.remote));
	cr_expect_eq(a->query.local_port, b->query.local_port);
	cr_expect_eq(a->query.remote_port, b->query.remote_port);
	cr_expect_eq(a->query.netns, b->query.netns);
	cr_expect_eq(a->found, b->found);
	cr_expect_str_eq(a->event, b->event);
	cr_expect_eq(a->pid, b->pid);
	cr_expect_eq(a->ppid, b->ppid);
	cr_expect(gw_addr_equal(&a->addr.net, &b->addr.net));
	cr_expect_eq(a->addr.prefix, b->addr.prefix);
}

/* ---- values for the round trip ---- */

#define T0 INT64_C(1714564800000000) /* 2024-05-01T12:00:00Z */

static struct gw_socket sock_tcp4(void)
{
	return (struct gw_socket){
	        .proto = GW_SOCK_TCP,
	        .family = GW_AF_INET,
	        .state = GW_SS_ESTABLISHED,
	        .raw_protocol = 6,
	        .local_port = 65535,
	        .remote_port = 1,
	        .local = addr("192.0.2.10"),
	        .remote = addr("255.255.255.255"),
	        .packet_type = 65535,
	        .packet_proto = 65535,
	        .packet_filter = true,
	        .owner_status = GW_OWNER_KNOWN,
	        .ifindex = UINT32_MAX,
	        .uid = UINT32_MAX,
	        .rx_queue = UINT32_MAX,
	        .tx_queue = 4000000000u,
	        .inode = UINT64_MAX,
	        .cookie = UINT64_C(1) << 63,
	        .netns = (UINT64_C(1) << 53) - 1,
	        .pid = INT32_MAX,
	        .n_holders = UINT32_MAX,
	};
}

static struct gw_socket sock_tcp6(void)
{
	return (struct gw_socket){
	        .proto = GW_SOCK_TCP,
	        .family = GW_AF_INET6,
	        .state = GW_SS_LISTEN,
	        .local_port = 443,
	        .local = addr("2001:db8::10"),
	        .remote = addr("::"),
	        .owner_status = GW_OWNER_NO_PERMISSION,
	        .uid = 33,
	        .rx_queue = 5,
	        .tx_queue = 511,
	        .inode = UINT64_C(1) << 53,
	        .cookie = (UINT64_C(1) << 63) - 1,
	        .netns = 4026531840u,
	        .pid = -1,
	        .n_holders = 3,
	};
}

static struct gw_socket sock_udp6(void)
{
	return (struct gw_socket){
	        .proto = GW_SOCK_UDP,
	        .family = GW_AF_INET6,
	        .state = GW_SS_CLOSE,
	        .local_port = 53,
	        .remote_port = 5353,
	        .local = addr("::ffff:192.0.2.1"),
	        .remote = addr("fe80::1:2:3:4"),
	        .owner_status = GW_OWNER_NOT_FOUND,
	        .inode = 1,
	        .cookie = UINT64_MAX - 1,
	        .netns = UINT64_MAX,
	        .pid = INT32_MIN,
	};
}

static struct gw_socket sock_raw4(void)
{
	return (struct gw_socket){
	        .proto = GW_SOCK_RAW,
	        .family = GW_AF_INET,
	        .state = GW_SS_NEW_SYN_RECV,
	        .raw_protocol = 255,
	        .local = addr("0.0.0.0"),
	        .remote = addr("10.1.2.3"),
	        .owner_status = GW_OWNER_NO_INODE,
	        .inode = 77,
	};
}

static struct gw_socket sock_packet(void)
{
	return (struct gw_socket){
	        .proto = GW_SOCK_PACKET,
	        .family = GW_AF_NONE,
	        .state = GW_SS_UNKNOWN,
	        .packet_type = 3,
	        .packet_proto = 0x0003,
	        .packet_filter = true,
	        .owner_status = GW_OWNER_UNRESOLVED,
	        .ifindex = 2,
	        .inode = 31337,
	        .cookie = 12345,
	        .pid = 4242,
	        .n_holders = 1,
	};
}

static struct gw_process proc(int32_t pid)
{
	struct gw_process p = {
	        .pid = pid,
	        .ppid = INT32_MAX,
	        .uid = UINT32_MAX,
	        .netns = UINT64_MAX,
	        .start_us = T0 - 123456789,
	};
	strcpy(p.comm, "fifteen-chars!!"); /* 15 bytes: the most comm holds */
	strcpy(p.exe, "/tmp/\xff\xfe not utf-8 \x80 (deleted)");
	strcpy(p.cmdline, "sh -c \"echo 'hi'\"\nline two\ttab \\ back\x01\x1b[31m red, "
	                  "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 \x7f");
	memset(p.container, 'c', sizeof p.container - 1);
	memset(p.user, 'u', sizeof p.user - 1); /* 32 bytes: the most user holds */
	p.user[3] = '\xff';                     /* not UTF-8 */
	p.exe_deleted = true;
	p.exe_hash_status = GW_EXE_HASH_OK;
	strcpy(p.exe_sha256, "b90173fb7c22eac190f13e75600e31c97b5f4c94e1db6ab0a2baaf8f3346f426");
	p.marks = GW_MARK_ALL;
	return p;
}

static void add_socket(struct gw_sockset *s, struct gw_socket sock)
{
	cr_assert_eq(gw_sockset_add(s, &sock), 0);
}

static void add_process(struct gw_sockset *s, struct gw_process p)
{
	cr_assert_eq(gw_sockset_add_process(s, &p), 0);
}

#define N_RECORDS 11

/* Fills recs with one or more of every type, at times that never go back. */
static void make_records(struct gw_tl_record *recs)
{
	for (int i = 0; i < N_RECORDS; i++) {
		gw_tl_record_init(&recs[i], 16, 16);
		recs[i].ts_us = T0 + i * 1000001;
	}
	struct gw_tl_record *r = recs;

	r->type = GW_TL_SNAPSHOT;
	add_socket(&r->set, sock_tcp4());
	add_socket(&r->set, sock_tcp6());
	add_socket(&r->set, sock_udp6());
	add_socket(&r->set, sock_raw4());
	add_socket(&r->set, sock_packet());
	add_process(&r->set, proc(4242));
	add_process(&r->set, proc(1));
	struct gw_process empty = {.pid = 7}; /* every string empty, start unknown */
	add_process(&r->set, empty);
	gw_sockset_finish(&r->set);

	r++;
	r->type = GW_TL_SNAPSHOT; /* an empty snapshot, at the same time as the last */
	r->ts_us = r[-1].ts_us;

	r++;
	r->type = GW_TL_DELTA;
	add_socket(&r->set, sock_packet());
	add_socket(&r->removed, sock_tcp4());
	add_socket(&r->removed, sock_udp6());
	add_process(&r->set, proc(99));
	gw_sockset_finish(&r->set);
	gw_sockset_finish(&r->removed);

	r++;
	r->type = GW_TL_LOOKUP;
	r->query = (struct gw_sock_query){.proto = GW_SOCK_TCP,
	                                  .local = addr("2001:db8::10"),
	                                  .remote = addr("2001:db8:ffff::7"),
	                                  .local_port = 443,
	                                  .remote_port = 65535,
	                                  .netns = UINT64_MAX};
	r->found = true;
	add_socket(&r->set, sock_tcp6());
	add_process(&r->set, proc(2001));

	r++;
	r->type = GW_TL_LOOKUP;
	r->query = (struct gw_sock_query){.proto = GW_SOCK_UDP,
	                                  .local = addr("192.0.2.10"),
	                                  .remote = addr("0.0.0.0"),
	                                  .local_port = 0,
	                                  .remote_port = 53};

	r++;
	r->type = GW_TL_DESTROY;
	add_socket(&r->set, sock_raw4());
	add_process(&r->set, proc(5));

	r++;
	r->type = GW_TL_DESTROY;
	add_socket(&r->set, sock_packet());

	r++;
	r->type = GW_TL_PROCESS;
	strcpy(r->event, "fork");
	r->pid = 5150;
	r->ppid = 4242;
	add_process(&r->set, proc(5150));

	r++;
	r->type = GW_TL_PROCESS;
	strcpy(r->event, "exit");
	r->pid = 5150;
	r->ppid = 4242;

	r++;
	r->type = GW_TL_ADDRESS;
	strcpy(r->event, "add");
	r->addr = cidr("2001:db8:8000::/33");

	r++;
	r->type = GW_TL_ADDRESS;
	strcpy(r->event, "del");
	r->addr = cidr("0.0.0.0/0");
	cr_assert_eq(r - recs, N_RECORDS - 1);
}

static struct gw_tl_header make_header(void)
{
	struct gw_tl_header h = {.version = GW_TIMELINE_VERSION, .started_us = T0 - 1};
	strcpy(h.host, "h\xc3\xb6st \"quoted\"\n\x01");
	strcpy(h.source, "netlink");
	h.local[h.n_local++] = cidr("192.0.2.10/32");
	h.local[h.n_local++] = cidr("10.0.0.0/8");
	h.local[h.n_local++] = cidr("2001:db8::10/128");
	h.local[h.n_local++] = cidr("::/0");
	return h;
}

/* ---- round trip ---- */

Test(timeline, round_trip_every_record_type)
{
	struct gw_tl_record recs[N_RECORDS];
	struct gw_tl_header h = make_header(), back;
	struct gw_err err = {0};
	struct gw_timeline_writer *w;
	make_records(recs);

	cr_assert_eq(gw_timeline_writer_open(tmp_path, &h, &w, &err), 0, "%s", err.msg);
	for (int i = 0; i < N_RECORDS; i++)
		cr_assert_eq(gw_timeline_write(w, &recs[i], &err), 0, "record %d: %s", i, err.msg);
	cr_assert_eq(gw_timeline_writer_close(w, &err), 0, "%s", err.msg);

	struct gw_timeline_reader *r;
	cr_assert_eq(gw_timeline_reader_open(tmp_path, 0, &back, &r, &err), 0, "%s", err.msg);
	cr_expect_eq(back.version, GW_TIMELINE_VERSION);
	cr_expect_str_eq(back.host, h.host);
	cr_expect_str_eq(back.source, h.source);
	cr_expect_eq(back.started_us, h.started_us);
	cr_assert_eq(back.n_local, h.n_local);
	for (unsigned i = 0; i < h.n_local; i++) {
		cr_expect(gw_addr_equal(&back.local[i].net, &h.local[i].net));
		cr_expect_eq(back.local[i].prefix, h.local[i].prefix);
	}

	struct gw_tl_record rec;
	gw_tl_record_init(&rec, 16, 16);
	for (int i = 0; i < N_RECORDS; i++) {
		cr_assert_eq(gw_timeline_read(r, &rec, &err), 1, "record %d: %s", i, err.msg);
		expect_record_eq(&rec, &recs[i]);
		cr_expect_eq(rec.set.ts_us, recs[i].ts_us);
	}
	cr_expect_eq(gw_timeline_read(r, &rec, &err), 0);
	cr_expect_eq(gw_timeline_read(r, &rec, &err), 0, "the end stays the end");
	gw_timeline_reader_close(r);
	gw_tl_record_fini(&rec);
	for (int i = 0; i < N_RECORDS; i++)
		gw_tl_record_fini(&recs[i]);
}

Test(timeline, output_is_one_compact_ascii_line_per_record)
{
	struct gw_tl_record recs[N_RECORDS];
	struct gw_tl_header h = make_header();
	struct gw_timeline_writer *w;
	make_records(recs);
	cr_assert_eq(gw_timeline_writer_open(tmp_path, &h, &w, NULL), 0);
	for (int i = 0; i < N_RECORDS; i++)
		cr_assert_eq(gw_timeline_write(w, &recs[i], NULL), 0);
	cr_assert_eq(gw_timeline_writer_close(w, NULL), 0);

	FILE *f = fopen(tmp_path, "rb");
	char line[65536];
	int lines = 0;
	while (fgets(line, sizeof line, f)) {
		size_t n = strlen(line);
		cr_assert_gt(n, 1);
		cr_expect_eq(line[n - 1], '\n');
		cr_expect_eq(line[0], '{');
		for (size_t i = 0; i < n - 1; i++)
			cr_assert(line[i] >= 0x20 && line[i] <= 0x7f, "line %d byte %zu", lines + 1,
			          i);
		if (lines > 0)
			cr_expect_eq(strncmp(line, "{\"type\":\"", 9), 0, "compact: %s", line);
		lines++;
	}
	fclose(f);
	cr_expect_eq(lines, N_RECORDS + 1);

	/* The documented spellings. */
	f = fopen(tmp_path, "rb");
	cr_assert(fgets(line, sizeof line, f));
	cr_expect(strncmp(line, "{\"format\":\"ghostwire-timeline\",\"version\":2,", 42) == 0, "%s",
	          line);
	cr_expect_not_null(strstr(line, "\"started\":\"2024-05-01T11:59:59.999999Z\""));
	cr_expect_not_null(strstr(line, "\"local_addrs\":[\"192.0.2.10/32\",\"10.0.0.0/8\","
	                                "\"2001:db8::10/128\",\"::/0\"]"));
	cr_assert(fgets(line, sizeof line, f));
	cr_expect_not_null(strstr(line, "\"inode\":\"18446744073709551615\""), "%s", line);
	cr_expect_not_null(strstr(line, "\"cookie\":\"9223372036854775808\""));
	cr_expect_not_null(strstr(line, "\"netns\":9007199254740991"), "2^53-1 stays a number");
	cr_expect_not_null(strstr(line, "\"inode\":\"9007199254740992\""), "2^53 is a string");
	cr_expect_not_null(strstr(line, "\"exe\":{\"hex\":\"2f746d702ffffe"), "not UTF-8: hex");
	cr_expect_not_null(strstr(line, "\"local\":null"), "packet sockets have no address");
	cr_expect_not_null(strstr(line, "\"state\":\"new-syn-recv\""));
	cr_expect_not_null(strstr(line, "\"start\":null"));
	fclose(f);
	for (int i = 0; i < N_RECORDS; i++)
		gw_tl_record_fini(&recs[i]);
}

/* ---- the hand-written sample ---- */

Test(timeline, reads_the_sample)
{
	struct gw_tl_header h;
	struct gw_timeline_reader *r;
	struct gw_err err = {0};
	cr_assert_eq(gw_timeline_reader_open(fixture("sample.jsonl"), 0, &h, &r, &err), 0, "%s",
	             err.msg);
	cr_expect_str_eq(h.host, "web-01");
	cr_expect_str_eq(h.source, "netlink");
	cr_expect_eq(h.started_us, T0);
	cr_assert_eq(h.n_local, 3);
	cr_expect(gw_addr_equal(&h.local[1].net, &(struct gw_addr){0}) == false);
	cr_expect_eq(h.local[2].prefix, 8);

	struct gw_tl_record rec;
	gw_tl_record_init(&rec, 100, 100);

	cr_assert_eq(gw_timeline_read(r, &rec, &err), 1, "%s", err.msg);
	cr_expect_eq(rec.type, GW_TL_SNAPSHOT);
	cr_expect_eq(rec.ts_us, T0 + 250000);
	cr_assert_eq(rec.set.n_socks, 4);
	cr_expect_eq(rec.set.socks[0].state, GW_SS_LISTEN);
	cr_expect_eq(rec.set.socks[0].tx_queue, 128);
	cr_expect_eq(rec.set.socks[1].cookie, UINT64_MAX);
	cr_expect_eq(rec.set.socks[1].n_holders, 2);
	cr_expect_eq(rec.set.socks[2].proto, GW_SOCK_UDP);
	cr_expect_eq(rec.set.socks[2].family, GW_AF_INET6);
	cr_expect_eq(rec.set.socks[2].owner_status, GW_OWNER_NO_PERMISSION);
	cr_expect_eq(rec.set.socks[3].proto, GW_SOCK_PACKET);
	cr_expect(rec.set.socks[3].packet_filter);
	cr_expect_eq(rec.set.socks[3].cookie, UINT64_C(9007199254740991));
	const struct gw_process *p = gw_sockset_process(&rec.set, 4242);
	cr_assert_not_null(p);
	cr_expect_str_eq(p->exe, "/dev/shm/kdmtmpflush (deleted)"); /* recorded before the flag */
	cr_expect_eq(p->start_us, 0);
	cr_expect_not(p->exe_deleted, "absent: false");
	cr_expect_eq(p->marks, 0);
	cr_expect_eq(p->exe_hash_status, GW_EXE_HASH_NONE);
	cr_expect_str_eq(p->exe_sha256, "");
	cr_expect_str_eq(p->user, "");
	cr_expect_eq(gw_sockset_process(&rec.set, 812)->start_us,
	             T0 - 86400000000 + (8 * 3600 + 15 * 60 + 2 - 12 * 3600) * INT64_C(1000000) +
	                     500000);

	cr_assert_eq(gw_timeline_read(r, &rec, &err), 1, "%s", err.msg);
	cr_expect_eq(rec.type, GW_TL_LOOKUP);
	cr_expect(rec.found);
	cr_expect_eq(rec.query.remote_port, 40000);
	cr_expect(gw_addr_equal(
	        &rec.query.remote,
	        &(struct gw_addr){.family = GW_AF_INET6,
	                          .bytes = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 7}}));
	cr_assert_eq(rec.set.n_socks, 1);
	cr_assert_eq(rec.set.n_procs, 1);
	cr_expect_str_eq(rec.set.procs[0].container, "docker-3f2a9c");

	cr_assert_eq(gw_timeline_read(r, &rec, &err), 1, "%s", err.msg);
	cr_expect_eq(rec.type, GW_TL_LOOKUP);
	cr_expect_not(rec.found);
	cr_expect_eq(rec.set.n_socks, 0);
	cr_expect_eq(rec.query.netns, 4026532100u);
	cr_expect_eq(rec.ts_us, T0 + 1000100, "an equal time is in order");

	cr_assert_eq(gw_timeline_read(r, &rec, &err), 1, "%s", err.msg);
	cr_expect_eq(rec.type, GW_TL_DELTA);
	cr_assert_eq(rec.set.n_socks, 1);
	cr_expect_eq(rec.set.socks[0].raw_protocol, 255);
	cr_assert_eq(rec.removed.n_socks, 1);
	cr_expect_eq(rec.removed.socks[0].inode, 20417);

	cr_assert_eq(gw_timeline_read(r, &rec, &err), 1, "%s", err.msg);
	cr_expect_eq(rec.type, GW_TL_DESTROY);
	cr_expect_eq(rec.set.socks[0].state, GW_SS_TIME_WAIT);
	cr_expect_eq(rec.set.n_procs, 0);

	cr_assert_eq(gw_timeline_read(r, &rec, &err), 1, "%s", err.msg);
	cr_expect_eq(rec.type, GW_TL_PROCESS);
	cr_expect_str_eq(rec.event, "exec");
	cr_expect_eq(rec.pid, 5150);
	cr_expect_eq(rec.ppid, 4242);
	cr_expect_str_eq(rec.set.procs[0].cmdline, "sh -c echo \"pwned\"\nid");

	cr_assert_eq(gw_timeline_read(r, &rec, &err), 1, "%s", err.msg);
	cr_expect_eq(rec.type, GW_TL_ADDRESS);
	cr_expect_str_eq(rec.event, "add");
	cr_expect_eq(rec.addr.prefix, 128);

	cr_assert_eq(gw_timeline_read(r, &rec, &err), 1, "%s", err.msg);
	cr_expect_str_eq(rec.event, "exit");
	cr_expect_eq(rec.set.n_procs, 0);

	cr_expect_eq(gw_timeline_read(r, &rec, &err), 0);
	gw_timeline_reader_close(r);
	gw_tl_record_fini(&rec);
}

/* ---- hostile input ---- */

#define HEADER                                                                                     \
	"{\"format\":\"ghostwire-timeline\",\"version\":1,\"host\":\"h\",\"source\":\"netlink\","  \
	"\"started\":\"2024-05-01T12:00:00.000000Z\",\"local_addrs\":[\"10.0.0.1/32\"]}\n"

/* One socket's fields, with a hole for more at the end. */
#define SOCK_BASE                                                                                  \
	"\"proto\":\"tcp\",\"family\":\"ipv4\",\"raw_protocol\":0,\"remote\":\"10.0.0.2\","        \
	"\"remote_port\":80,\"packet_type\":0,\"packet_proto\":0,\"packet_filter\":false,"         \
	"\"owner_status\":\"known\",\"ifindex\":0,\"rx_queue\":0,\"tx_queue\":0,\"inode\":1,"      \
	"\"netns\":3,\"pid\":4,\"n_holders\":1"
#define SOCK_LOCAL ",\"local\":\"10.0.0.1\",\"local_port\":22,\"uid\":0"
#define SOCK_HEAD  SOCK_BASE ",\"state\":\"established\",\"cookie\":2"
#define SOCK_OK    SOCK_HEAD SOCK_LOCAL
#define SNAP(ts, socks)                                                                            \
	"{\"type\":\"snapshot\",\"ts\":\"" ts "\",\"sockets\":[" socks "],\"processes\":[]}\n"
#define TS1 "2024-05-01T12:00:01.000000Z"
#define PROC_HEAD                                                                                  \
	"\"pid\":9,\"ppid\":1,\"uid\":0,\"netns\":1,\"start\":null,\"exe\":\"\","                  \
	"\"cmdline\":\"\",\"container\":\"\""
#define THIRTY_THREE "abcdefghijklmnopqrstuvwxyz0123456"
#define PSNAP(proc)                                                                                \
	"{\"type\":\"snapshot\",\"ts\":\"" TS1 "\",\"sockets\":[],\"processes\":[" proc "]}\n"

struct bad_case {
	const char *text;  /* the whole file */
	int line;          /* the line the error must name */
	const char *words; /* and words it must contain */
};

static const struct bad_case bad_cases[] = {
        {"", 1, "empty file"},
        {"\n", 1, "empty line"},
        {"{\"type\":\"snapshot\",\"ts\":\"" TS1 "\",\"sockets\":[],\"processes\":[]}\n", 1,
         "not a ghostwire timeline"},
        {"{\"format\":\"pcap\",\"version\":1}\n", 1, "not a ghostwire timeline"},
        {"{\"format\":\"ghostwire-timeline\",\"version\":3,\"whatever\":true}\n", 1,
         "version 3 is newer"},
        {"{\"format\":\"ghostwire-timeline\",\"version\":0}\n", 1, "not a version"},
        {"{\"format\":\"ghostwire-timeline\",\"version\":\"1\"}\n", 1, "must be an integer"},
        {"{\"format\":\"ghostwire-timeline\",\"version\":1,\"host\":\"h\",\"source\":\"s\","
         "\"started\":\"2024-05-01T12:00:00.000000Z\"}\n",
         1, "\"local_addrs\" is missing"},
        {"{\"format\":\"ghostwire-timeline\",\"version\":1,\"host\":\"h\",\"source\":\"s\","
         "\"started\":\"2024-05-01T12:00:00.000000Z\",\"local_addrs\":[\"10.0.0.1/8\"]}\n",
         1, "host bits"},
        {"{\"format\":\"ghostwire-timeline\",\"version\":1,\"host\":\"h\",\"source\":\"s\","
         "\"started\":\"2024-05-01T12:00:00.000000Z\",\"local_addrs\":[\"10.0.0.0/33\"]}\n",
         1, "prefix length"},
        {"{\"format\":\"ghostwire-timeline\",\"version\":1,\"host\":\"h\","
         "\"source\":\"0123456789012345678901234567890123456789\","
         "\"started\":\"2024-05-01T12:00:00.000000Z\",\"local_addrs\":[]}\n",
         1, "longer than the 31"},
        {"{\"format\":\"ghostwire-timeline\",\"version\":1,\"host\":\"h\",\"source\":\"s\","
         "\"started\":\"2024-05-01T12:00:00Z\",\"local_addrs\":[]}\n",
         1, "\"started\""},
        {"{\"format\":\"ghostwire-timeline\" \"version\":1}\n", 1, "not valid JSON"},
        {HEADER "{nope\n", 2, "not valid JSON"},
        {HEADER "[1,2]\n", 2, "one JSON object"},
        {HEADER "{\"type\":\"snapshot\",\"type\":\"delta\"}\n", 2, "duplicate"},
        {HEADER "{\"ts\":\"" TS1 "\"}\n", 2, "\"type\" is missing"},
        {HEADER "{\"type\":\"teleport\",\"ts\":\"" TS1 "\"}\n", 2, "not a record type"},
        {HEADER "{\"type\":\"snapshot\",\"ts\":5}\n", 2, "\"ts\" must be a string"},
        {HEADER "{\"type\":\"snapshot\",\"ts\":\"2024-05-01T12:00:01.000000+00:00\"}\n", 2,
         "is not a time"},
        {HEADER "{\"type\":\"snapshot\",\"ts\":\"2024-02-30T12:00:01.000000Z\"}\n", 2,
         "is not a time"},
        {HEADER "{\"type\":\"snapshot\",\"ts\":\"2024-05-01 12:00:01.000000Z\"}\n", 2,
         "is not a time"},
        {HEADER "{\"type\":\"snapshot\",\"ts\":\"2024-05-01T24:00:00.000000Z\"}\n", 2,
         "is not a time"},
        {HEADER "{\"type\":\"snapshot\",\"ts\":\"" TS1 "\",\"processes\":[]}\n", 2,
         "\"sockets\" is missing"},
        {HEADER "{\"type\":\"snapshot\",\"ts\":\"" TS1 "\",\"sockets\":{},\"processes\":[]}\n", 2,
         "must be an array"},
        {HEADER SNAP(TS1, "{" SOCK_OK "}") SNAP("2024-05-01T12:00:00.999999Z", "{" SOCK_OK "}"), 3,
         "earlier than 2024-05-01T12:00:01.000000Z on line 2"},
        {HEADER SNAP("2024-05-01T11:59:59.999999Z", ""), 2, "earlier than"},
        {HEADER SNAP(TS1, "{" SOCK_HEAD ",\"local\":\"10.0.0.1\",\"local_port\":70000,\"uid\":0}"),
         2, "sockets[0]: \"local_port\": 70000 is out of range (0..65535)"},
        {HEADER SNAP(TS1, "{" SOCK_HEAD ",\"local\":\"10.0.0.1\",\"local_port\":-1,\"uid\":0}"), 2,
         "out of range"},
        {HEADER SNAP(TS1, "{" SOCK_HEAD ",\"local\":\"10.0.0.1\",\"local_port\":\"22\",\"uid\":0}"),
         2, "\"local_port\" must be an integer, not a string"},
        {HEADER SNAP(TS1, "{" SOCK_HEAD ",\"local\":\"10.0.0.1\",\"local_port\":22.0,\"uid\":0}"),
         2, "not a real number"},
        {HEADER SNAP(TS1, "{" SOCK_HEAD ",\"local\":\"10.0.0.300\",\"local_port\":22,\"uid\":0}"),
         2, "\"local\": \"10.0.0.300\" is not an IP address"},
        {HEADER SNAP(TS1, "{" SOCK_HEAD ",\"local\":\"2001:db8::1\",\"local_port\":22,\"uid\":0}"),
         2, "is an ipv6 address, the family is ipv4"},
        {HEADER SNAP(TS1, "{" SOCK_HEAD ",\"local\":null,\"local_port\":22,\"uid\":0}"), 2,
         "\"local\" must be a string, not null"},
        {HEADER SNAP(TS1, "{" SOCK_HEAD ",\"local\":\"10.0.0.1\",\"local_port\":22}"), 2,
         "sockets[0]: \"uid\" is missing"},
        {HEADER SNAP(TS1, "{" SOCK_HEAD ",\"local\":\"10.0.0.1\",\"local_port\":22,"
                          "\"uid\":4294967296}"),
         2, "out of range"},
        {HEADER SNAP(TS1, "{" SOCK_OK "},{" SOCK_BASE
                          ",\"state\":\"sleeping\",\"cookie\":2" SOCK_LOCAL "}"),
         2, "sockets[1]: \"state\": \"sleeping\" is not one of unknown, established"},
        {HEADER SNAP(TS1, "{\"state\":\"listen\"," SOCK_OK "}"), 2,
         "duplicate object key near '\"state\"'"},
        {HEADER SNAP(TS1, "{" SOCK_OK "},{" SOCK_OK "},7"), 2,
         "sockets[2]: a socket must be an object"},
        {HEADER "{\"type\":\"destroy\",\"ts\":\"" TS1 "\",\"socket\":{"
                "\"proto\":\"tcp\",\"family\":\"ipv4\",\"state\":\"sleeping\"},"
                "\"process\":null}\n",
         2, "\"state\": \"sleeping\" is not one of"},
        {HEADER "{\"type\":\"destroy\",\"ts\":\"" TS1 "\",\"socket\":{"
                "\"proto\":\"sctp\"},\"process\":null}\n",
         2, "\"proto\": \"sctp\" is not one of"},
        {HEADER "{\"type\":\"destroy\",\"ts\":\"" TS1 "\",\"socket\":{"
                "\"proto\":\"packet\",\"family\":\"ipv4\"},\"process\":null}\n",
         2, "family none"},
        {HEADER "{\"type\":\"destroy\",\"ts\":\"" TS1 "\",\"socket\":null,\"process\":null}\n", 2,
         "\"socket\" must be an object, not null"},
        {HEADER "{\"type\":\"destroy\",\"ts\":\"" TS1 "\",\"socket\":{" SOCK_BASE SOCK_LOCAL
                ",\"state\":\"listen\",\"cookie\":\"18446744073709551616\"},\"process\":null}\n",
         2, "socket: \"cookie\": \"18446744073709551616\" is not an unsigned 64-bit"},
        {HEADER "{\"type\":\"destroy\",\"ts\":\"" TS1 "\",\"socket\":{" SOCK_BASE SOCK_LOCAL
                ",\"state\":\"listen\",\"cookie\":1e3},\"process\":null}\n",
         2, "\"cookie\" must be an integer or a string of digits, not a real number"},
        {HEADER "{\"type\":\"destroy\",\"ts\":\"" TS1 "\",\"socket\":{" SOCK_BASE SOCK_LOCAL
                ",\"state\":\"listen\",\"cookie\":\"00x\"},\"process\":null}\n",
         2, "\"00x\" is not an unsigned 64-bit"},

        {HEADER "{\"type\":\"destroy\",\"ts\":\"" TS1 "\",\"socket\":{" SOCK_HEAD
                ",\"local\":\"10.0.0.1\",\"local_port\":22,\"uid\":0},\"process\":7}\n",
         2, "\"process\" must be an object or null"},
        {HEADER PSNAP("{\"comm\":\"sixteen-chars!!!\"," PROC_HEAD "}"), 2,
         "processes[0]: \"comm\": 16 bytes, longer than the 15"},
        {HEADER PSNAP("{\"comm\":\"a\\u0000b\"," PROC_HEAD "}"), 2, "not valid JSON"},
        {HEADER PSNAP("{\"comm\":{\"hex\":\"6100\"}," PROC_HEAD "}"), 2, "non-zero bytes"},
        {HEADER PSNAP("{\"comm\":{\"hex\":\"6\"}," PROC_HEAD "}"), 2, "odd number"},
        {HEADER PSNAP("{\"comm\":{\"hex\":\"zz\"}," PROC_HEAD "}"), 2, "hex digits"},
        {HEADER PSNAP("{\"comm\":{\"base64\":\"YQ==\"}," PROC_HEAD "}"), 2, "a string or {\"hex\""},
        {HEADER PSNAP("{\"comm\":\"a\"," PROC_HEAD "},{\"comm\":\"b\"," PROC_HEAD "}"), 2,
         "listed twice"},
        {HEADER PSNAP("{\"comm\":\"a\"," PROC_HEAD ",\"marks\":\"tmp-exe\"}"), 2,
         "processes[0]: \"marks\" must be an array, not a string"},
        {HEADER PSNAP("{\"comm\":\"a\"," PROC_HEAD ",\"marks\":[1]}"), 2,
         "\"marks\"[0] must be a string, not an integer"},
        {HEADER PSNAP("{\"comm\":\"a\"," PROC_HEAD ",\"exe_hash_status\":\"maybe\"}"), 2,
         "\"exe_hash_status\": \"maybe\" is not one of none, ok"},
        {HEADER PSNAP("{\"comm\":\"a\"," PROC_HEAD ",\"exe_hash_status\":\"ok\"}"), 2,
         "processes[0]: exe_sha256 is not 64 lower-case hex digits"},
        {HEADER PSNAP("{\"comm\":\"a\"," PROC_HEAD ",\"exe_sha256\":\"ab\"}"), 2,
         "exe_sha256 is set but exe_hash_status is not ok"},
        {HEADER PSNAP("{\"comm\":\"a\"," PROC_HEAD ",\"exe_deleted\":1}"), 2,
         "\"exe_deleted\" must be true or false"},
        {HEADER PSNAP("{\"comm\":\"a\"," PROC_HEAD ",\"user\":\"" THIRTY_THREE "\"}"), 2,
         "\"user\": 33 bytes, longer than the 32"},
        {HEADER PSNAP("{\"comm\":\"a\",\"pid\":9,\"ppid\":1,\"uid\":0,\"netns\":\"-1\","
                      "\"start\":null,\"exe\":\"\",\"cmdline\":\"\",\"container\":\"\"}"),
         2, "\"netns\": \"-1\" is not an unsigned 64-bit decimal"},
        {HEADER PSNAP("{\"comm\":\"a\",\"pid\":9,\"ppid\":1,\"uid\":0,"
                      "\"netns\":\"18446744073709551616\",\"start\":null,\"exe\":\"\","
                      "\"cmdline\":\"\",\"container\":\"\"}"),
         2, "not an unsigned 64-bit decimal"},
        {HEADER PSNAP("{\"comm\":\"a\",\"pid\":9,\"ppid\":1,\"uid\":0,"
                      "\"netns\":18446744073709551615,\"start\":null,\"exe\":\"\","
                      "\"cmdline\":\"\",\"container\":\"\"}"),
         2, "too big"},
        {HEADER PSNAP("{\"comm\":\"a\",\"pid\":2147483648,\"ppid\":1,\"uid\":0,\"netns\":1,"
                      "\"start\":null,\"exe\":\"\",\"cmdline\":\"\",\"container\":\"\"}"),
         2, "\"pid\": 2147483648 is out of range"},
        {HEADER "{\"type\":\"lookup\",\"ts\":\"" TS1 "\",\"query\":{\"proto\":\"tcp\","
                "\"family\":\"ipv4\",\"local\":\"10.0.0.1\",\"local_port\":1,\"remote\":"
                "\"10.0.0.2\",\"remote_port\":2,\"netns\":0},\"found\":true,\"socket\":null,"
                "\"process\":null}\n",
         2, "\"found\" is true but \"socket\" is null"},
        {HEADER "{\"type\":\"lookup\",\"ts\":\"" TS1 "\",\"query\":{\"proto\":\"raw\","
                "\"family\":\"ipv4\"},\"found\":false,\"socket\":null,\"process\":null}\n",
         2, "a lookup is for tcp or udp"},
        {HEADER "{\"type\":\"lookup\",\"ts\":\"" TS1 "\",\"query\":{\"proto\":\"tcp\","
                "\"family\":\"none\"},\"found\":false,\"socket\":null,\"process\":null}\n",
         2, "ipv4 or ipv6"},
        {HEADER "{\"type\":\"lookup\",\"ts\":\"" TS1 "\",\"query\":{\"proto\":\"tcp\","
                "\"family\":\"ipv6\",\"local\":\"10.0.0.1\"},\"found\":false}\n",
         2, "query: \"local\": 10.0.0.1 is an ipv4 address, the family is ipv6"},
        {HEADER "{\"type\":\"process\",\"ts\":\"" TS1 "\",\"event\":\"spawn\",\"pid\":1,"
                "\"ppid\":0,\"process\":null}\n",
         2, "\"event\": \"spawn\" is not one of fork, exec, exit"},
        {HEADER "{\"type\":\"process\",\"ts\":\"" TS1 "\",\"event\":\"exec\",\"pid\":1,"
                "\"ppid\":0,\"process\":{\"comm\":\"a\"," PROC_HEAD "}}\n",
         2, "has pid 9, the record's \"pid\" 1"},
        {HEADER "{\"type\":\"address\",\"ts\":\"" TS1
                "\",\"event\":\"add\",\"addr\":\"fe80::1/10\"}\n",
         2, "host bits"},
        {HEADER "{\"type\":\"address\",\"ts\":\"" TS1
                "\",\"event\":\"add\",\"addr\":\"\\u001b[2J\"}\n",
         2, "\"\\x1b[2J\" is not a network"},
        {HEADER "{\"type\":\"address\",\"ts\":\"" TS1 "\",\"event\":\"upd\",\"addr\":\"::/0\"}\n",
         2, "not one of add, del"},
        {HEADER "{\"type\":\"address\",\"ts\":\"" TS1 "\",\"event\":\"add\",\"addr\":\"::/0\"}\n"
                "\n",
         3, "empty line"},
        {HEADER "{\"type\":\"address\",\"ts\":\"" TS1 "\",\"event\":\"add\",\"addr\":\"::/0\"}\n"
                "{\"type\":\"address\",\"ts\":\"" TS1 "\",\"eve",
         3, "ends in the middle of a record"},
        {HEADER "{\"type\":\"address\",\"ts\":\"\xff\xfe\"}\n", 2, "not valid JSON"},
};

/* Reads text as a file to its end; returns the last result, err its message. */
static int read_all(const char *path, size_t max_line, size_t max_sockets, struct gw_err *err,
                    int *records)
{
	struct gw_tl_header h;
	struct gw_timeline_reader *r;
	*records = 0;
	int rc = gw_timeline_reader_open(path, max_line, &h, &r, err);
	if (rc < 0)
		return rc;
	struct gw_tl_record rec;
	gw_tl_record_init(&rec, max_sockets, 100);
	while ((rc = gw_timeline_read(r, &rec, err)) == 1)
		(*records)++;
	if (rc < 0) {
		/* The error sticks. */
		struct gw_err again = {0};
		cr_expect_eq(gw_timeline_read(r, &rec, &again), rc);
		cr_expect_str_eq(again.msg, err->msg);
	}
	gw_timeline_reader_close(r);
	gw_tl_record_fini(&rec);
	return rc;
}

static void expect_error_at(const char *path, int rc, const struct gw_err *err, int line,
                            const char *words)
{
	char where[128];
	snprintf(where, sizeof where, "%s:%d: ", path, line);
	cr_expect_lt(rc, 0, "%s: accepted", words);
	cr_expect_eq(strncmp(err->msg, where, strlen(where)), 0, "want %s..., got: %s", where,
	             err->msg);
	cr_expect_not_null(strstr(err->msg, words), "want \"%s\" in: %s", words, err->msg);
	for (const char *c = err->msg; *c; c++)
		cr_expect((unsigned char)*c >= 0x20 && *c != 0x7f, "control byte in: %s", err->msg);
}

Test(timeline, rejects_bad_lines_naming_file_and_line)
{
	for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
		const struct bad_case *c = &bad_cases[i];
		struct gw_err err = {0};
		int records;
		write_file(tmp_path, c->text, strlen(c->text));
		int rc = read_all(tmp_path, 0, 100, &err, &records);
		expect_error_at(tmp_path, rc, &err, c->line, c->words);
		cr_expect_eq(records, c->line - 2 > 0 ? c->line - 2 : 0, "case %zu: %s", i,
		             c->words);
	}
}

Test(timeline, rejects_more_sockets_than_the_ceiling)
{
	const char *text = HEADER SNAP(TS1, "{" SOCK_OK "}")
	        SNAP(TS1, "{" SOCK_OK "},{" SOCK_OK "},{" SOCK_OK "}");
	struct gw_err err = {0};
	int records;
	write_file(tmp_path, text, strlen(text));
	int rc = read_all(tmp_path, 0, 2, &err, &records);
	expect_error_at(tmp_path, rc, &err, 3, "3 sockets, over the ceiling of 2");
	cr_expect_eq(records, 1);
}

Test(timeline, rejects_a_long_line_without_reading_it_all)
{
	size_t big = 10 << 20;
	char *text = malloc(big + 200);
	cr_assert_not_null(text);
	size_t n = strlen(HEADER);
	memcpy(text, HEADER, n);
	memcpy(text + n, "{\"type\":\"", 9);
	memset(text + n + 9, 'x', big);
	memcpy(text + n + 9 + big, "\"}\n", 3);
	write_file(tmp_path, text, n + big + 12);
	free(text);
	struct gw_err err = {0};
	int records;
	int rc = read_all(tmp_path, 1 << 20, 100, &err, &records);
	expect_error_at(tmp_path, rc, &err, 2, "line longer than 1048576 bytes");
	cr_expect_eq(rc, GW_ENOMEM);

	/* A header longer than max_line is named too. */
	rc = read_all(tmp_path, 40, 100, &err, &records);
	expect_error_at(tmp_path, rc, &err, 1, "line longer than 40 bytes");
}

Test(timeline, rejects_nul_bytes)
{
	static const char text[] = HEADER "{\"type\":\"snap\0shot\"}\n";
	struct gw_err err = {0};
	int records;
	write_file(tmp_path, text, sizeof text - 1);
	int rc = read_all(tmp_path, 0, 100, &err, &records);
	expect_error_at(tmp_path, rc, &err, 2, "NUL byte at column 14");
}

Test(timeline, deep_nesting_is_an_error_not_a_crash)
{
	size_t depth = 100000;
	char *text = malloc(strlen(HEADER) + 2 * depth + 64);
	cr_assert_not_null(text);
	char *p = text + sprintf(text, "%s{\"type\":\"snapshot\",\"x\":", HEADER);
	memset(p, '[', depth);
	memset(p + depth, ']', depth);
	strcpy(p + 2 * depth, "}\n");
	write_file(tmp_path, text, strlen(text));
	free(text);
	struct gw_err err = {0};
	int records;
	int rc = read_all(tmp_path, 0, 100, &err, &records);
	expect_error_at(tmp_path, rc, &err, 2, "not valid JSON");
}

Test(timeline, a_complete_last_line_without_newline_is_accepted)
{
	const char *text = HEADER "{\"type\":\"address\",\"ts\":\"" TS1
	                          "\",\"event\":\"del\",\"addr\":\"10.0.0.1/32\"}";
	struct gw_err err = {0};
	int records;
	write_file(tmp_path, text, strlen(text));
	cr_expect_eq(read_all(tmp_path, 0, 100, &err, &records), 0, "%s", err.msg);
	cr_expect_eq(records, 1);

	/* So is a header alone without its newline. */
	write_file(tmp_path, HEADER, strlen(HEADER) - 1);
	cr_expect_eq(read_all(tmp_path, 0, 100, &err, &records), 0, "%s", err.msg);
	cr_expect_eq(records, 0);

	/* But a cut one is GW_ETRUNC, so that replay can say the recording was cut. */
	write_file(tmp_path, HEADER, strlen(HEADER) - 5);
	int rc = read_all(tmp_path, 0, 100, &err, &records);
	expect_error_at(tmp_path, rc, &err, 1, "ends in the middle of a record");
	cr_expect_eq(rc, GW_ETRUNC);
}

Test(timeline, unknown_fields_are_ignored)
{
	const char *text =
	        "{\"format\":\"ghostwire-timeline\",\"version\":1,\"host\":\"h\",\"source\":\"s\","
	        "\"started\":\"2024-05-01T12:00:00.000000Z\",\"local_addrs\":[],\"new\":{\"a\":[]}}"
	        "\n"
	        "{\"type\":\"address\",\"ts\":\"" TS1 "\",\"event\":\"del\",\"addr\":\"10.0.0.1\","
	        "\"why\":\"dhcp\"}\n";
	struct gw_err err = {0};
	int records;
	write_file(tmp_path, text, strlen(text));
	cr_expect_eq(read_all(tmp_path, 0, 100, &err, &records), 0, "%s", err.msg);
	cr_expect_eq(records, 1);
}

/* Marks are an open set: a name this reader does not know is skipped. */
Test(timeline, unknown_mark_names_are_ignored)
{
	FILE *f = fopen(tmp_path, "w");
	cr_assert_not_null(f);
	fputs(HEADER PSNAP("{\"comm\":\"a\"," PROC_HEAD ",\"user\":\"root\","
	                   "\"exe_deleted\":true,\"exe_hash_status\":\"too-large\","
	                   "\"exe_sha256\":\"\",\"marks\":[\"future-mark\",\"tmp-exe\"]}"),
	      f);
	fclose(f);
	struct gw_tl_header h;
	struct gw_timeline_reader *r;
	struct gw_err err = {0};
	cr_assert_eq(gw_timeline_reader_open(tmp_path, 0, &h, &r, &err), 0, "%s", err.msg);
	struct gw_tl_record rec;
	gw_tl_record_init(&rec, 4, 4);
	cr_assert_eq(gw_timeline_read(r, &rec, &err), 1, "%s", err.msg);
	const struct gw_process *p = gw_sockset_process(&rec.set, 9);
	cr_assert_not_null(p);
	cr_expect_eq(p->marks, GW_MARK_TMP_EXE);
	cr_expect_str_eq(p->user, "root");
	cr_expect(p->exe_deleted);
	cr_expect_eq(p->exe_hash_status, GW_EXE_HASH_TOO_LARGE);
	gw_tl_record_fini(&rec);
	gw_timeline_reader_close(r);
}

Test(timeline, missing_file_is_named)
{
	struct gw_tl_header h;
	struct gw_timeline_reader *r;
	struct gw_err err = {0};
	cr_expect_eq(gw_timeline_reader_open("/nonexistent/t.jsonl", 0, &h, &r, &err), GW_ENOENT);
	cr_expect_not_null(strstr(err.msg, "/nonexistent/t.jsonl: "), "%s", err.msg);
	cr_expect_null(r);
}

Test(timeline, open_stream_names_the_stream)
{
	static char text[] = "garbage\n";
	FILE *f = fmemopen(text, strlen(text), "r");
	struct gw_tl_header h;
	struct gw_timeline_reader *r;
	struct gw_err err = {0};
	cr_expect_lt(gw_timeline_reader_open_stream(f, "session/t.jsonl", 0, &h, &r, &err), 0);
	const char *want = "session/t.jsonl:1: not valid JSON";
	cr_expect_eq(strncmp(err.msg, want, strlen(want)), 0, "%s", err.msg);
}

/* ---- the writer's side ---- */

Test(timeline, writer_refuses_what_the_reader_would_reject)
{
	struct gw_tl_header h = make_header();
	struct gw_timeline_writer *w;
	struct gw_err err = {0};
	cr_assert_eq(gw_timeline_writer_open(tmp_path, &h, &w, &err), 0, "%s", err.msg);
	struct gw_tl_record rec;
	gw_tl_record_init(&rec, 4, 4);

	rec.type = GW_TL_SNAPSHOT;
	rec.ts_us = h.started_us - 1;
	cr_expect_eq(gw_timeline_write(w, &rec, &err), GW_EINVAL);
	cr_expect_not_null(strstr(err.msg, "must not go backwards"), "%s", err.msg);

	rec.ts_us = h.started_us;
	struct gw_socket s = sock_tcp4();
	s.state = GW_SS_MAX;
	cr_assert_eq(gw_sockset_add(&rec.set, &s), 0);
	cr_expect_eq(gw_timeline_write(w, &rec, &err), GW_EINVAL);
	cr_expect_not_null(strstr(err.msg, "cannot record the snapshot"), "%s", err.msg);

	gw_tl_record_clear(&rec);
	rec.type = GW_TL_SNAPSHOT;
	rec.ts_us = h.started_us;
	s = sock_packet();
	s.family = GW_AF_INET;
	cr_assert_eq(gw_sockset_add(&rec.set, &s), 0);
	cr_expect_eq(gw_timeline_write(w, &rec, &err), GW_EINVAL);

	gw_tl_record_clear(&rec);
	rec.type = GW_TL_SNAPSHOT;
	rec.ts_us = h.started_us;
	struct gw_process p = proc(1);
	memset(p.comm, 'x', sizeof p.comm); /* no NUL */
	cr_assert_eq(gw_sockset_add_process(&rec.set, &p), 0);
	cr_expect_eq(gw_timeline_write(w, &rec, &err), GW_EINVAL);
	cr_expect_not_null(strstr(err.msg, "comm is not NUL-terminated"), "%s", err.msg);

	gw_tl_record_clear(&rec);
	rec.type = GW_TL_SNAPSHOT;
	rec.ts_us = h.started_us;
	p = proc(1);
	p.exe_hash_status = GW_EXE_HASH_TOO_LARGE; /* but a digest is set */
	cr_assert_eq(gw_sockset_add_process(&rec.set, &p), 0);
	cr_expect_eq(gw_timeline_write(w, &rec, &err), GW_EINVAL);
	cr_expect_not_null(strstr(err.msg, "exe_sha256 is set"), "%s", err.msg);
	gw_tl_record_clear(&rec);
	rec.type = GW_TL_SNAPSHOT;
	rec.ts_us = h.started_us;
	p = proc(1);
	p.exe_sha256[5] = 'X';
	cr_assert_eq(gw_sockset_add_process(&rec.set, &p), 0);
	cr_expect_eq(gw_timeline_write(w, &rec, &err), GW_EINVAL);
	cr_expect_not_null(strstr(err.msg, "64 lower-case hex"), "%s", err.msg);
	gw_tl_record_clear(&rec);
	rec.type = GW_TL_SNAPSHOT;
	rec.ts_us = h.started_us;
	p = proc(1);
	p.marks |= 1u << 30;
	cr_assert_eq(gw_sockset_add_process(&rec.set, &p), 0);
	cr_expect_eq(gw_timeline_write(w, &rec, &err), GW_EINVAL);
	cr_expect_not_null(strstr(err.msg, "unknown marks"), "%s", err.msg);

	gw_tl_record_clear(&rec);
	rec.type = GW_TL_LOOKUP;
	rec.found = true;
	rec.query.proto = GW_SOCK_TCP;
	rec.query.local = rec.query.remote = addr("10.0.0.1");
	cr_expect_eq(gw_timeline_write(w, &rec, &err), GW_EINVAL, "found, but no socket");

	gw_tl_record_clear(&rec);
	rec.type = GW_TL_ADDRESS;
	strcpy(rec.event, "add");
	rec.addr = cidr("10.0.0.0/8");
	rec.addr.prefix = 4; /* host bits now set */
	cr_expect_eq(gw_timeline_write(w, &rec, &err), GW_EINVAL);
	strcpy(rec.event, "upd");
	rec.addr.prefix = 8;
	cr_expect_eq(gw_timeline_write(w, &rec, &err), GW_EINVAL);

	gw_tl_record_clear(&rec);
	rec.type = GW_TL_SNAPSHOT;
	rec.ts_us = INT64_MAX;
	cr_expect_eq(gw_timeline_write(w, &rec, &err), GW_EINVAL);
	cr_expect_not_null(strstr(err.msg, "years 0000..9999"), "%s", err.msg);

	/* None of that reached the file, which is still good. */
	cr_expect_eq(gw_timeline_writer_close(w, &err), 0);
	int records;
	cr_expect_eq(read_all(tmp_path, 0, 100, &err, &records), 0, "%s", err.msg);
	cr_expect_eq(records, 0);
	gw_tl_record_fini(&rec);
}

Test(timeline, disk_full_is_reported)
{
	struct gw_tl_header h = make_header();
	struct gw_timeline_writer *w;
	struct gw_err err = {0};
	cr_expect_eq(gw_timeline_writer_open("/dev/full", &h, &w, &err), GW_EIO);
	cr_expect_not_null(strstr(err.msg, "/dev/full: write failed: No space left on device"),
	                   "%s", err.msg);
	cr_expect_null(w);
}

/* A file size limit makes a write fail part way through a line, as a full
 * disk would; the writer must cut the file back to its last complete line. */
Test(timeline, a_failed_write_leaves_no_partial_line)
{
	struct gw_tl_header h = make_header();
	struct gw_timeline_writer *w;
	struct gw_err err = {0};
	cr_assert_eq(gw_timeline_writer_open(tmp_path, &h, &w, &err), 0, "%s", err.msg);
	struct stat st;
	cr_assert_eq(stat(tmp_path, &st), 0);
	off_t header_size = st.st_size;

	signal(SIGXFSZ, SIG_IGN);
	struct rlimit lim = {.rlim_cur = (rlim_t)header_size + 100, .rlim_max = RLIM_INFINITY};
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);

	struct gw_tl_record recs[N_RECORDS];
	make_records(recs);
	int rc = gw_timeline_write(w, &recs[0], &err);
	cr_expect_eq(rc, GW_EIO);
	cr_expect_not_null(strstr(err.msg, "write failed: File too large (nothing of the record "
	                                   "was kept)"),
	                   "%s", err.msg);
	cr_assert_eq(stat(tmp_path, &st), 0);
	cr_expect_eq(st.st_size, header_size);

	/* And the writer stops. */
	cr_expect_eq(gw_timeline_write(w, &recs[9], &err), GW_EIO);
	cr_expect_not_null(strstr(err.msg, "an earlier write failed"), "%s", err.msg);
	gw_timeline_writer_close(w, NULL);

	int records;
	cr_expect_eq(read_all(tmp_path, 0, 100, &err, &records), 0, "%s", err.msg);
	for (int i = 0; i < N_RECORDS; i++)
		gw_tl_record_fini(&recs[i]);
}

Test(timeline, writer_takes_the_stream)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct gw_tl_header h = make_header();
	struct gw_timeline_writer *w;
	cr_assert_eq(gw_timeline_writer_open_stream(f, "mem", &h, &w, NULL), 0);
	cr_expect_eq(gw_timeline_writer_close(w, NULL), 0);
	cr_expect_gt(len, 0);
	cr_expect_eq(buf[len - 1], '\n');
	free(buf);
	cr_expect_eq(gw_timeline_writer_close(NULL, NULL), 0);
}

/* Appending to a file that holds something else: a failed write may cut only
 * its own partial line, never what was there before. */
Test(timeline, a_failed_append_keeps_what_was_there)
{
	char before[1000];
	memset(before, 'x', sizeof before);
	before[sizeof before - 1] = '\n';
	write_file(tmp_path, before, sizeof before);

	signal(SIGXFSZ, SIG_IGN);
	struct rlimit lim = {.rlim_cur = sizeof before + 50, .rlim_max = RLIM_INFINITY};
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	FILE *f = fopen(tmp_path, "a");
	cr_assert(f);
	struct gw_tl_header h = make_header();
	struct gw_timeline_writer *w;
	struct gw_err err = {0};
	cr_expect_eq(gw_timeline_writer_open_stream(f, tmp_path, &h, &w, &err), GW_EIO);
	cr_expect_not_null(strstr(err.msg, "nothing of the record was kept"), "%s", err.msg);
	struct stat st;
	cr_assert_eq(stat(tmp_path, &st), 0);
	cr_expect_eq(st.st_size, (off_t)sizeof before);
}

Test(timeline, reads_the_extremes_fixture)
{
	struct gw_err err = {0};
	int records;
	cr_expect_eq(read_all(fixture("extremes.jsonl"), 0, 100, &err, &records), 0, "%s", err.msg);
	cr_expect_eq(records, 2);

	struct gw_tl_header h;
	struct gw_timeline_reader *r;
	cr_assert_eq(gw_timeline_reader_open(fixture("extremes.jsonl"), 0, &h, &r, &err), 0);
	cr_expect_str_eq(h.host, "h\xc3\xb6st\t\"q\"\xff");
	cr_expect_eq(h.started_us, 0);
	struct gw_tl_record rec;
	gw_tl_record_init(&rec, 2, 1);
	cr_assert_eq(gw_timeline_read(r, &rec, &err), 1, "%s", err.msg);
	cr_assert_eq(rec.set.n_socks, 2);
	cr_expect_eq(rec.set.socks[0].inode, UINT64_MAX);
	cr_expect_eq(rec.set.socks[0].cookie, UINT64_C(1) << 53);
	cr_expect_eq(rec.set.socks[0].pid, INT32_MIN);
	cr_expect_eq(rec.set.socks[1].packet_proto, 0x86dd);
	cr_expect_str_eq(rec.set.procs[0].comm, "\x1b[31m\xff");
	cr_expect_str_eq(rec.set.procs[0].cmdline, "\xf0\x9f\x98\x80 \x01");
	cr_expect_eq(rec.set.procs[0].start_us, INT64_C(253402300799999999));
	cr_assert_eq(gw_timeline_read(r, &rec, &err), 1, "%s", err.msg);
	cr_expect_eq(rec.ts_us, INT64_C(253402300799999999));
	cr_expect_eq(gw_timeline_read(r, &rec, &err), 0);
	gw_timeline_reader_close(r);
	gw_tl_record_fini(&rec);
}
