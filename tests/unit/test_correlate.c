/* test_correlate.c — the correlator: socket intervals built record by record
 * (snapshot, delta, lookup, destroy, process, address), every verdict path
 * against hand-made flows, the hints and their holders, the bounds and their
 * counters, the hand-written sample timeline applied whole, and (Linux) what
 * the live poller records of this test's own connection, applied as it comes
 * and again from the timeline file it wrote. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_OS_LINUX
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ghostwire/clock.h"
#include "ghostwire/poller.h"
#endif

#include "ghostwire/correlate.h"
#include "ghostwire/timeline.h"
#include "src/correlate/correlate_internal.h"

/* 2024-05-01T12:00:00Z */
#define T0       1714564800000000LL
#define S        1000000LL

#define HOST_NS  4026531840ULL
#define OTHER_NS 4026532100ULL

/* ---- helpers ---- */

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

static struct gw_correlator *make(size_t max_sockets, size_t max_processes)
{
	struct gw_correlator_config cfg;
	gw_correlator_config_init(&cfg);
	if (max_sockets)
		cfg.max_sockets = max_sockets;
	if (max_processes)
		cfg.max_processes = max_processes;
	struct gw_correlator *c;
	struct gw_err err = {0};
	cr_assert_eq(gw_correlator_new(&cfg, &c, &err), 0, "%s", err.msg);
	struct gw_tl_header h = {.version = 1, .started_us = T0};
	h.local[h.n_local++] = cidr("10.0.0.5/32");
	h.local[h.n_local++] = cidr("2001:db8::5/128");
	h.local[h.n_local++] = cidr("127.0.0.0/8");
	gw_correlator_set_header(c, &h);
	return c;
}

/* A TCP/UDP socket; remote NULL for a listener or unconnected socket. */
static struct gw_socket sock(uint8_t proto, const char *local, uint16_t lport, const char *remote,
                             uint16_t rport, uint8_t state, uint64_t inode, int32_t pid)
{
	struct gw_socket s = {.proto = proto,
	                      .state = state,
	                      .local_port = lport,
	                      .remote_port = rport,
	                      .inode = inode,
	                      .netns = HOST_NS};
	s.local = addr(local);
	s.family = s.local.family;
	if (remote)
		s.remote = addr(remote);
	else
		s.remote.family = s.family;
	if (pid > 0) {
		s.owner_status = GW_OWNER_KNOWN;
		s.pid = pid;
		s.n_holders = 1;
	} else {
		s.owner_status = inode ? GW_OWNER_NOT_FOUND : GW_OWNER_NO_INODE;
	}
	return s;
}

static struct gw_socket raw_sock(uint8_t family, uint8_t protocol, uint64_t inode, int32_t pid)
{
	struct gw_socket s = {.proto = GW_SOCK_RAW,
	                      .family = family,
	                      .state = GW_SS_CLOSE,
	                      .raw_protocol = protocol,
	                      .inode = inode,
	                      .netns = HOST_NS,
	                      .owner_status = pid ? GW_OWNER_KNOWN : GW_OWNER_NOT_FOUND,
	                      .pid = pid};
	s.local.family = s.remote.family = family;
	return s;
}

static struct gw_socket packet_sock(bool filter, uint64_t inode, int32_t pid)
{
	struct gw_socket s = {.proto = GW_SOCK_PACKET,
	                      .state = GW_SS_CLOSE,
	                      .packet_type = 3,
	                      .packet_proto = 3,
	                      .packet_filter = filter,
	                      .inode = inode,
	                      .netns = HOST_NS,
	                      .owner_status = pid ? GW_OWNER_KNOWN : GW_OWNER_NOT_FOUND,
	                      .pid = pid};
	return s;
}

static struct gw_process proc(int32_t pid, const char *comm, const char *exe)
{
	struct gw_process p = {.pid = pid, .ppid = 1, .netns = HOST_NS};
	snprintf(p.comm, sizeof p.comm, "%s", comm);
	snprintf(p.exe, sizeof p.exe, "%s", exe);
	return p;
}

static void apply(struct gw_correlator *c, struct gw_tl_record *rec)
{
	gw_sockset_finish(&rec->set);
	gw_sockset_finish(&rec->removed);
	struct gw_err err = {0};
	cr_assert_eq(gw_correlator_apply(c, rec, &err), 0, "%s", err.msg);
	gw_tl_record_fini(rec);
}

static struct gw_tl_record record(enum gw_tl_type type, int64_t ts)
{
	struct gw_tl_record rec;
	gw_tl_record_init(&rec, 1000, 1000);
	rec.type = type;
	rec.ts_us = ts;
	return rec;
}

static void add(struct gw_tl_record *rec, const struct gw_socket *s)
{
	cr_assert_eq(gw_sockset_add(&rec->set, s), 0);
}

static void add_proc(struct gw_tl_record *rec, const struct gw_process *p)
{
	cr_assert_eq(gw_sockset_add_process(&rec->set, p), 0);
}

static void remove_sock(struct gw_tl_record *rec, const struct gw_socket *s)
{
	cr_assert_eq(gw_sockset_add(&rec->removed, s), 0);
}

/* A snapshot of n sockets (and no processes) at ts. */
static void snapshot(struct gw_correlator *c, int64_t ts, const struct gw_socket *socks, size_t n)
{
	struct gw_tl_record rec = record(GW_TL_SNAPSHOT, ts);
	for (size_t i = 0; i < n; i++)
		add(&rec, &socks[i]);
	apply(c, &rec);
}

static void process_record(struct gw_correlator *c, int64_t ts, const char *event,
                           const struct gw_process *p)
{
	struct gw_tl_record rec = record(GW_TL_PROCESS, ts);
	snprintf(rec.event, sizeof rec.event, "%s", event);
	rec.pid = p->pid;
	rec.ppid = p->ppid;
	if (strcmp(event, "exit") != 0)
		add_proc(&rec, p);
	apply(c, &rec);
}

struct flow_spec {
	uint8_t proto;
	const char *local, *remote;
	uint16_t lport, rport;
	int64_t first, last;
	uint8_t opener;
	uint8_t flags_out, flags_in;
	uint64_t pkts_out, pkts_in;
	uint64_t bytes_out, bytes_in; /* 0: 60 per packet */
	uint8_t orientation;
	uint16_t icmp_errors;
};

static struct gw_flow flow(struct flow_spec s)
{
	struct gw_flow f;
	memset(&f, 0, sizeof f);
	struct gw_addr l = addr(s.local), r = addr(s.remote);
	f.key.proto = s.proto;
	f.key.family = l.family;
	f.key.local_port = s.lport;
	f.key.remote_port = s.rport;
	memcpy(f.key.local, l.bytes, 16);
	memcpy(f.key.remote, r.bytes, 16);
	f.first_us = s.first;
	f.last_us = s.last ? s.last : s.first;
	f.opener = s.opener;
	f.orientation = s.orientation;
	f.tcp_flags[GW_DIR_OUT] = s.flags_out;
	f.tcp_flags[GW_DIR_IN] = s.flags_in;
	f.packets[GW_DIR_OUT] = s.pkts_out;
	f.packets[GW_DIR_IN] = s.pkts_in;
	f.bytes[GW_DIR_OUT] = s.bytes_out ? s.bytes_out : s.pkts_out * 60;
	f.bytes[GW_DIR_IN] = s.bytes_in ? s.bytes_in : s.pkts_in * 60;
	f.icmp_errors = s.icmp_errors;
	f.seq = 1;
	if (s.proto == GW_IPPROTO_TCP)
		f.tcp_state = GW_TCP_ESTABLISHED;
	return f;
}

/* An outbound TCP connection 10.0.0.5:51000 -> 93.184.216.34:443 over [first, last]. */
static struct gw_flow outbound(int64_t first, int64_t last)
{
	return flow((struct flow_spec){.proto = GW_IPPROTO_TCP,
	                               .local = "10.0.0.5",
	                               .lport = 51000,
	                               .remote = "93.184.216.34",
	                               .rport = 443,
	                               .first = first,
	                               .last = last,
	                               .opener = GW_DIR_OUT,
	                               .flags_out = GW_SEEN_SYN | GW_SEEN_FIN,
	                               .flags_in = GW_SEEN_SYNACK | GW_SEEN_FIN,
	                               .pkts_out = 10,
	                               .pkts_in = 12});
}

static struct gw_verdict judge(struct gw_correlator *c, const struct gw_flow *f)
{
	struct gw_verdict v;
	gw_correlator_judge(c, f, &v);
	return v;
}

static struct gw_socket curl_socket(void)
{
	return sock(GW_SOCK_TCP, "10.0.0.5", 51000, "93.184.216.34", 443, GW_SS_ESTABLISHED, 7001,
	            100);
}

/* ---- explained by an exact socket ---- */

Test(correlate, exact_match_in_window)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_tl_record rec = record(GW_TL_SNAPSHOT, T0);
	struct gw_socket s = curl_socket();
	struct gw_process p = proc(100, "curl", "/usr/bin/curl");
	add(&rec, &s);
	add_proc(&rec, &p);
	apply(c, &rec);

	struct gw_flow f = outbound(T0 + 10 * S, T0 + 11 * S);
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	cr_expect_eq(v.match, GW_MATCH_EXACT);
	cr_expect_eq(v.unexplained, GW_UNX_NONE);
	cr_expect(v.has_socket);
	cr_expect_eq(v.socket.inode, 7001);
	cr_expect(v.has_owner);
	cr_expect_eq(v.owner.pid, 100);
	cr_expect_str_eq(v.owner.comm, "curl");
	cr_expect_str_eq(v.reason,
	                 "tcp 10.0.0.5:51000 -> 93.184.216.34:443 (established) of pid 100 curl");
	cr_expect_eq(gw_correlator_stats(c)->verdicts[GW_VERDICT_EXPLAINED], 1);
	cr_expect_eq(gw_correlator_stats(c)->records, 1);
	gw_correlator_free(c);
}

Test(correlate, socket_seen_just_inside_and_just_outside_the_grace)
{
	struct gw_correlator *c = make(0, 0);
	snapshot(c, T0, NULL, 0);
	struct gw_socket s = curl_socket();
	snapshot(c, T0 + 20 * S, &s, 1);

	/* last packet + 2 s grace reaches the snapshot that first showed it */
	struct gw_flow f = outbound(T0 + 10 * S, T0 + 18 * S);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_EXPLAINED);
	/* one microsecond short */
	f = outbound(T0 + 10 * S, T0 + 18 * S - 1);
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_UNEXPLAINED);
	cr_expect_eq(v.unexplained, GW_UNX_NO_SOCKET_OUTBOUND);
	cr_expect_not(v.has_socket);
	cr_expect_str_eq(v.reason, "no socket on tcp 10.0.0.5:51000 -> 93.184.216.34:443 "
	                           "between 12:00:08.0 and 12:00:19.9");
	gw_correlator_free(c);
}

Test(correlate, socket_gone_before_the_flow)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_socket s = curl_socket();
	snapshot(c, T0, &s, 1);
	struct gw_tl_record rec = record(GW_TL_DELTA, T0 + 5 * S);
	remove_sock(&rec, &s);
	apply(c, &rec);

	/* first packet - grace == the delta that removed it: still counts */
	struct gw_flow f = outbound(T0 + 7 * S, T0 + 8 * S);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_EXPLAINED);
	f = outbound(T0 + 7 * S + 1, T0 + 8 * S);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_UNEXPLAINED);
	gw_correlator_free(c);
}

Test(correlate, a_snapshot_without_the_socket_ends_it)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_socket s = curl_socket();
	snapshot(c, T0, &s, 1);
	snapshot(c, T0 + S, &s, 1);
	snapshot(c, T0 + 2 * S, NULL, 0);
	struct gw_flow f = outbound(T0 + 4 * S + 1, T0 + 5 * S);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_UNEXPLAINED);
	f = outbound(T0 + 4 * S, T0 + 5 * S);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_EXPLAINED);
	gw_correlator_free(c);
}

Test(correlate, a_socket_unchanged_across_deltas_stays_alive)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_socket s = curl_socket();
	snapshot(c, T0, &s, 1);
	struct gw_socket other = sock(GW_SOCK_TCP, "10.0.0.5", 22, NULL, 0, GW_SS_LISTEN, 9, 0);
	struct gw_tl_record rec = record(GW_TL_DELTA, T0 + 30 * S);
	add(&rec, &other);
	apply(c, &rec);
	rec = record(GW_TL_DELTA, T0 + 50 * S);
	remove_sock(&rec, &other);
	apply(c, &rec);
	struct gw_flow f = outbound(T0 + 100 * S, T0 + 200 * S);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_EXPLAINED);
	gw_correlator_free(c);
}

Test(correlate, time_wait_explains_with_owner_unknown)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_socket tw =
	        sock(GW_SOCK_TCP, "10.0.0.5", 51000, "93.184.216.34", 443, GW_SS_TIME_WAIT, 0, 0);
	snapshot(c, T0, &tw, 1);
	struct gw_flow f = outbound(T0 - S, T0 - S / 2);
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	cr_expect_eq(v.match, GW_MATCH_EXACT);
	cr_expect(v.has_socket);
	cr_expect_not(v.has_owner);
	cr_expect_eq(v.socket.state, GW_SS_TIME_WAIT);
	cr_expect_str_eq(v.reason, "tcp 10.0.0.5:51000 -> 93.184.216.34:443 (time-wait), owner "
	                           "unknown: no-inode");
	gw_correlator_free(c);
}

Test(correlate, the_full_socket_is_preferred_to_its_time_wait)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_socket full = curl_socket();
	snapshot(c, T0, &full, 1);
	struct gw_socket tw =
	        sock(GW_SOCK_TCP, "10.0.0.5", 51000, "93.184.216.34", 443, GW_SS_TIME_WAIT, 0, 0);
	snapshot(c, T0 + S, &tw, 1); /* the full socket is gone, its TIME_WAIT is there */
	struct gw_flow f = outbound(T0, T0 + S);
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	cr_expect_eq(v.socket.inode, 7001);
	cr_expect(v.has_owner);
	cr_expect_eq(v.owner.pid, 100);
	/* later, only the TIME_WAIT remains in the window */
	f = outbound(T0 + 4 * S, T0 + 5 * S);
	v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	cr_expect_eq(v.socket.inode, 0);
	cr_expect_not(v.has_owner);
	gw_correlator_free(c);
}

Test(correlate, owner_kept_when_a_later_record_loses_it)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_socket s = curl_socket();
	snapshot(c, T0, &s, 1);
	s.owner_status = GW_OWNER_NOT_FOUND; /* the process exited, the socket lingers */
	s.pid = 0;
	snapshot(c, T0 + S, &s, 1);
	struct gw_flow f = outbound(T0, T0 + S);
	struct gw_verdict v = judge(c, &f);
	cr_expect(v.has_owner);
	cr_expect_eq(v.owner.pid, 100);
	cr_expect_str_eq(v.reason,
	                 "tcp 10.0.0.5:51000 -> 93.184.216.34:443 (established) of pid 100");
	gw_correlator_free(c);
}

/* ---- explained by a listener ---- */

static struct gw_flow inbound_ssh(int64_t t)
{
	return flow((struct flow_spec){.proto = GW_IPPROTO_TCP,
	                               .local = "10.0.0.5",
	                               .lport = 22,
	                               .remote = "198.51.100.7",
	                               .rport = 51514,
	                               .first = t,
	                               .last = t + S,
	                               .opener = GW_DIR_IN,
	                               .flags_out = GW_SEEN_SYNACK,
	                               .flags_in = GW_SEEN_SYN,
	                               .pkts_out = 5,
	                               .pkts_in = 6});
}

Test(correlate, listener_explains_inbound)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_tl_record rec = record(GW_TL_SNAPSHOT, T0);
	struct gw_socket l = sock(GW_SOCK_TCP, "0.0.0.0", 22, NULL, 0, GW_SS_LISTEN, 20001, 812);
	struct gw_socket other =
	        sock(GW_SOCK_TCP, "10.0.0.6", 22, NULL, 0, GW_SS_LISTEN, 20002, 813);
	struct gw_process p = proc(812, "sshd", "/usr/sbin/sshd");
	add(&rec, &l);
	add(&rec, &other);
	add_proc(&rec, &p);
	apply(c, &rec);

	struct gw_flow f = inbound_ssh(T0 + 3 * S);
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	cr_expect_eq(v.match, GW_MATCH_LISTENER);
	cr_expect_eq(v.socket.inode, 20001);
	cr_expect_str_eq(v.owner.comm, "sshd");
	cr_expect_str_eq(v.reason, "tcp 0.0.0.0:22 (listen) of pid 812 sshd");

	/* the same port opened by the host is not the listener's */
	f = outbound(T0 + 3 * S, T0 + 4 * S);
	f.key.local_port = 22;
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_UNEXPLAINED);
	gw_correlator_free(c);
}

Test(correlate, the_specific_address_beats_the_wildcard)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_socket socks[] = {
	        sock(GW_SOCK_TCP, "0.0.0.0", 22, NULL, 0, GW_SS_LISTEN, 1, 0),
	        sock(GW_SOCK_TCP, "10.0.0.5", 22, NULL, 0, GW_SS_LISTEN, 2, 0),
	        sock(GW_SOCK_TCP, "::", 22, NULL, 0, GW_SS_LISTEN, 3, 0),
	};
	snapshot(c, T0, socks, 3);
	struct gw_flow f = inbound_ssh(T0);
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.match, GW_MATCH_LISTENER);
	cr_expect_eq(v.socket.inode, 2);
	cr_expect_str_eq(v.reason, "tcp 10.0.0.5:22 (listen), owner unknown: not-found");
	gw_correlator_free(c);
}

Test(correlate, dual_stack_listener_explains_ipv4_and_v6only_does_not)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_socket l6 = sock(GW_SOCK_TCP, "::", 80, NULL, 0, GW_SS_LISTEN, 30, 0);
	snapshot(c, T0, &l6, 1);
	struct gw_flow f = inbound_ssh(T0);
	f.key.local_port = 80;
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	cr_expect_eq(v.match, GW_MATCH_LISTENER);
	cr_expect_eq(v.socket.family, GW_AF_INET6);

	struct gw_correlator *c2 = make(0, 0);
	l6.v6only = true;
	snapshot(c2, T0, &l6, 1);
	v = judge(c2, &f);
	cr_expect_eq(v.kind, GW_VERDICT_UNEXPLAINED);
	cr_expect_eq(v.unexplained, GW_UNX_HIDDEN_LISTENER);
	/* an IPv6 flow it does take */
	struct gw_flow f6 = flow((struct flow_spec){.proto = GW_IPPROTO_TCP,
	                                            .local = "2001:db8::5",
	                                            .lport = 80,
	                                            .remote = "2001:db8:ffff::7",
	                                            .rport = 40000,
	                                            .first = T0,
	                                            .opener = GW_DIR_IN,
	                                            .flags_out = GW_SEEN_SYNACK,
	                                            .flags_in = GW_SEEN_SYN,
	                                            .pkts_out = 1,
	                                            .pkts_in = 1});
	cr_expect_eq(judge(c2, &f6).kind, GW_VERDICT_EXPLAINED);
	gw_correlator_free(c);
	gw_correlator_free(c2);
}

Test(correlate, ipv4_flow_on_a_v4_mapped_connected_socket)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_socket s = sock(GW_SOCK_TCP, "::ffff:10.0.0.5", 8443, "::ffff:198.51.100.7",
	                          51514, GW_SS_ESTABLISHED, 44, 0);
	snapshot(c, T0, &s, 1);
	struct gw_flow f = inbound_ssh(T0);
	f.key.local_port = 8443;
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	cr_expect_eq(v.match, GW_MATCH_EXACT);
	cr_expect_eq(v.socket.inode, 44);
	gw_correlator_free(c);
}

Test(correlate, unconnected_udp_resolver_explains_outbound_dns)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_socket u = sock(GW_SOCK_UDP, "0.0.0.0", 40000, NULL, 0, GW_SS_CLOSE, 50, 0);
	snapshot(c, T0, &u, 1);
	struct gw_flow f = flow((struct flow_spec){.proto = GW_IPPROTO_UDP,
	                                           .local = "10.0.0.5",
	                                           .lport = 40000,
	                                           .remote = "8.8.8.8",
	                                           .rport = 53,
	                                           .first = T0 + S,
	                                           .opener = GW_DIR_OUT,
	                                           .pkts_out = 1,
	                                           .pkts_in = 1});
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	cr_expect_eq(v.match, GW_MATCH_LISTENER);
	cr_expect_eq(v.socket.inode, 50);
	/* another port is not it */
	f.key.local_port = 40001;
	v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_UNEXPLAINED);
	cr_expect_eq(v.unexplained, GW_UNX_NO_SOCKET_OUTBOUND);
	gw_correlator_free(c);
}

Test(correlate, loopback_traffic_explained_by_the_other_ends_listener)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_socket l = sock(GW_SOCK_TCP, "127.0.0.1", 5432, NULL, 0, GW_SS_LISTEN, 60, 0);
	snapshot(c, T0, &l, 1);
	/* the client's socket was never seen; the key's local end is the opener */
	struct gw_flow f = flow((struct flow_spec){.proto = GW_IPPROTO_TCP,
	                                           .local = "127.0.0.1",
	                                           .lport = 45000,
	                                           .remote = "127.0.0.1",
	                                           .rport = 5432,
	                                           .first = T0,
	                                           .opener = GW_DIR_OUT,
	                                           .flags_out = GW_SEEN_SYN,
	                                           .flags_in = GW_SEEN_SYNACK,
	                                           .pkts_out = 3,
	                                           .pkts_in = 2});
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	cr_expect_eq(v.match, GW_MATCH_LISTENER);
	gw_correlator_free(c);
}

/* ---- kernel responses ---- */

Test(correlate, kernel_rst_to_a_closed_port)
{
	struct gw_correlator *c = make(0, 0);
	snapshot(c, T0, NULL, 0);
	struct flow_spec spec = {.proto = GW_IPPROTO_TCP,
	                         .local = "10.0.0.5",
	                         .lport = 81,
	                         .remote = "45.33.32.156",
	                         .rport = 61000,
	                         .first = T0 + S,
	                         .opener = GW_DIR_IN,
	                         .flags_out = GW_SEEN_RST,
	                         .flags_in = GW_SEEN_SYN,
	                         .pkts_out = 1,
	                         .pkts_in = 1,
	                         .bytes_out = 54};
	struct gw_flow f = flow(spec);
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_KERNEL_RESPONSE);
	cr_expect_str_eq(v.reason,
	                 "the kernel reset: no socket on tcp 10.0.0.5:81 -> 45.33.32.156:61000");
	/* an RST carrying payload is not the kernel's */
	spec.bytes_out = 1400;
	f = flow(spec);
	v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_UNEXPLAINED);
	cr_expect_eq(v.unexplained, GW_UNX_NO_SOCKET_INBOUND);
	/* nor more RSTs than packets answered */
	spec.bytes_out = 0;
	spec.pkts_out = 3;
	f = flow(spec);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_UNEXPLAINED);
	/* backscatter: a SYN-ACK nobody asked for, answered by RST */
	spec.pkts_out = 1;
	spec.flags_in = GW_SEEN_SYNACK;
	spec.opener = GW_DIR_OUT;
	f = flow(spec);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_KERNEL_RESPONSE);
	gw_correlator_free(c);
}

Test(correlate, ping_answered_by_the_kernel)
{
	struct gw_correlator *c = make(0, 0);
	struct flow_spec spec = {.proto = GW_IPPROTO_ICMP,
	                         .local = "10.0.0.5",
	                         .lport = 77,
	                         .remote = "198.51.100.7",
	                         .rport = 77,
	                         .first = T0,
	                         .opener = GW_DIR_IN,
	                         .pkts_out = 4,
	                         .pkts_in = 4};
	struct gw_flow f = flow(spec);
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_KERNEL_RESPONSE);
	cr_expect_str_eq(v.reason, "the kernel answered (echo reply or error): no socket on icmp "
	                           "10.0.0.5 -> 198.51.100.7");
	/* the host pinging out needs a raw or ping socket */
	spec.opener = GW_DIR_OUT;
	f = flow(spec);
	v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_UNEXPLAINED);
	cr_expect_eq(v.unexplained, GW_UNX_NO_SOCKET_OUTBOUND);
	/* an unlinked ICMP error either way */
	spec.lport = spec.rport = 0;
	spec.pkts_in = 0;
	f = flow(spec);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_KERNEL_RESPONSE);
	spec.opener = GW_DIR_IN;
	spec.pkts_in = 1;
	spec.pkts_out = 0;
	f = flow(spec);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_KERNEL_RESPONSE);
	gw_correlator_free(c);
}

Test(correlate, udp_port_unreachable)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_flow f = flow((struct flow_spec){.proto = GW_IPPROTO_UDP,
	                                           .local = "10.0.0.5",
	                                           .lport = 9999,
	                                           .remote = "198.51.100.7",
	                                           .rport = 5000,
	                                           .first = T0,
	                                           .opener = GW_DIR_IN,
	                                           .pkts_in = 1,
	                                           .icmp_errors = 1});
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_KERNEL_RESPONSE);
	f.icmp_errors = 0;
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_UNEXPLAINED);
	cr_expect_eq(v.unexplained, GW_UNX_NO_SOCKET_INBOUND);
	cr_expect(strstr(v.reason, ", unanswered") != NULL, "%s", v.reason);
	gw_correlator_free(c);
}

/* ---- transit ---- */

Test(correlate, transit)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_flow f = outbound(T0, T0 + S);
	struct gw_addr a = addr("172.17.0.2");
	memcpy(f.key.local, a.bytes, 16);
	f.orientation = GW_ORIENT_TRANSIT;
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_TRANSIT);
	cr_expect_str_eq(v.reason, "transit: neither 172.17.0.2 nor 93.184.216.34 is local");
	cr_expect_eq(v.hints, 0);
	cr_expect_eq(gw_correlator_stats(c)->verdicts[GW_VERDICT_TRANSIT], 1);
	gw_correlator_free(c);
}

/* ---- unexplained ---- */

Test(correlate, hidden_listener)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_socket l = sock(GW_SOCK_TCP, "0.0.0.0", 22, NULL, 0, GW_SS_LISTEN, 1, 0);
	snapshot(c, T0, &l, 1);
	struct gw_flow f = inbound_ssh(T0 + 14 * S + S / 2);
	f.key.local_port = 4444;
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_UNEXPLAINED);
	cr_expect_eq(v.unexplained, GW_UNX_HIDDEN_LISTENER);
	cr_expect_str_eq(v.reason, "no socket on tcp 10.0.0.5:4444 -> 198.51.100.7:51514 between "
	                           "12:00:12.5 and 12:00:17.5");
	/* UDP answered from a port nobody holds */
	struct gw_flow u = flow((struct flow_spec){.proto = GW_IPPROTO_UDP,
	                                           .local = "10.0.0.5",
	                                           .lport = 53,
	                                           .remote = "198.51.100.7",
	                                           .rport = 5000,
	                                           .first = T0,
	                                           .opener = GW_DIR_IN,
	                                           .pkts_out = 1,
	                                           .pkts_in = 1});
	v = judge(c, &u);
	cr_expect_eq(v.unexplained, GW_UNX_HIDDEN_LISTENER);
	/* a LISTEN-less bound TCP socket is no listener */
	struct gw_socket bound = sock(GW_SOCK_TCP, "0.0.0.0", 4444, NULL, 0, GW_SS_CLOSE, 2, 0);
	snapshot(c, T0 + 14 * S, &bound, 1);
	v = judge(c, &f);
	cr_expect_eq(v.unexplained, GW_UNX_HIDDEN_LISTENER);
	gw_correlator_free(c);
}

Test(correlate, no_socket_outbound_with_raw_socket_holder)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_tl_record rec = record(GW_TL_SNAPSHOT, T0);
	struct gw_socket r4 = raw_sock(GW_AF_INET, 255, 80, 300);
	struct gw_socket r6 = raw_sock(GW_AF_INET6, 58, 81, 301);
	struct gw_process p = proc(300, "nping", "/usr/bin/nping");
	add(&rec, &r4);
	add(&rec, &r6);
	add_proc(&rec, &p);
	apply(c, &rec);

	struct gw_flow f = outbound(T0 + S, T0 + 2 * S);
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_UNEXPLAINED);
	cr_expect_eq(v.unexplained, GW_UNX_NO_SOCKET_OUTBOUND);
	cr_expect_eq(v.hints, GW_HINT_RAW_SOCKET);
	cr_expect_eq(v.n_holders, 1); /* the IPv6 raw socket cannot send IPv4 */
	cr_expect_eq(v.holders[0].proto, GW_SOCK_RAW);
	cr_expect_eq(v.holders[0].pid, 300);
	cr_expect_str_eq(v.holders[0].comm, "nping");
	cr_expect_str_eq(v.holders[0].exe, "/usr/bin/nping");

	/* a raw socket gone before the window is no hint */
	rec = record(GW_TL_DELTA, T0 + 3 * S);
	remove_sock(&rec, &r4);
	apply(c, &rec);
	f = outbound(T0 + 6 * S, T0 + 7 * S);
	v = judge(c, &f);
	cr_expect_eq(v.hints, 0);
	cr_expect_eq(v.n_holders, 0);
	gw_correlator_free(c);
}

Test(correlate, packet_socket_holder_with_filter)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_tl_record rec = record(GW_TL_SNAPSHOT, T0);
	struct gw_socket pk = packet_sock(true, 31337, 4242);
	struct gw_process p = proc(4242, "kdmtmpflush", "/dev/shm/kdmtmpflush (deleted)");
	add(&rec, &pk);
	add_proc(&rec, &p);
	apply(c, &rec);

	/* a magic packet in, nothing answered */
	struct gw_flow f = flow((struct flow_spec){.proto = GW_IPPROTO_TCP,
	                                           .local = "10.0.0.5",
	                                           .lport = 8000,
	                                           .remote = "198.51.100.7",
	                                           .rport = 1234,
	                                           .first = T0 + S,
	                                           .opener = GW_DIR_IN,
	                                           .flags_in = GW_SEEN_SYN,
	                                           .pkts_in = 1});
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_UNEXPLAINED);
	cr_expect_eq(v.unexplained, GW_UNX_NO_SOCKET_INBOUND);
	cr_expect_eq(v.hints, GW_HINT_PACKET_SOCKET);
	cr_expect_eq(v.n_holders, 1);
	cr_expect_eq(v.holders[0].proto, GW_SOCK_PACKET);
	cr_expect(v.holders[0].packet_filter);
	cr_expect_eq(v.holders[0].pid, 4242);
	cr_expect_str_eq(v.holders[0].comm, "kdmtmpflush");
	cr_expect_str_eq(v.holders[0].exe, "/dev/shm/kdmtmpflush (deleted)");
	gw_correlator_free(c);
}

Test(correlate, holders_in_pid_order_and_bounded)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_tl_record rec = record(GW_TL_SNAPSHOT, T0);
	int32_t pids[] = {900, 20, 500, 7, 300, 41, 1000, 8, 20, 60};
	for (unsigned i = 0; i < 10; i++) {
		struct gw_socket s = i % 2 ? packet_sock(i == 3, 100 + i, pids[i])
		                           : raw_sock(GW_AF_INET, 6, 100 + i, pids[i]);
		add(&rec, &s);
	}
	struct gw_socket unowned = raw_sock(GW_AF_INET, 6, 200, 0);
	add(&rec, &unowned);
	apply(c, &rec);
	struct gw_flow f = outbound(T0 + S, T0 + 2 * S);
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.hints, GW_HINT_RAW_SOCKET | GW_HINT_PACKET_SOCKET);
	cr_assert_eq(v.n_holders, GW_VERDICT_MAX_HOLDERS);
	/* pid 0 (owner unknown), 7 (packet with filter), 8, 20 raw, 20 packet, 41, 60, 300 */
	int32_t want[] = {0, 7, 8, 20, 20, 41, 60, 300};
	for (unsigned i = 0; i < GW_VERDICT_MAX_HOLDERS; i++)
		cr_expect_eq(v.holders[i].pid, want[i], "holder %u: %d", i, v.holders[i].pid);
	cr_expect(v.holders[1].packet_filter);
	cr_expect_eq(v.holders[3].proto, GW_SOCK_RAW);
	cr_expect_eq(v.holders[4].proto, GW_SOCK_PACKET);
	cr_expect_eq(gw_correlator_stats(c)->holders_truncated, 1);
	gw_correlator_free(c);
}

Test(correlate, other_netns_hint)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_tl_record rec = record(GW_TL_SNAPSHOT, T0);
	struct gw_socket host[] = {
	        sock(GW_SOCK_TCP, "10.0.0.5", 22, "198.51.100.7", 5000, GW_SS_ESTABLISHED, 1, 0),
	        sock(GW_SOCK_TCP, "10.0.0.5", 22, "198.51.100.8", 5001, GW_SS_ESTABLISHED, 2, 0),
	};
	/* a container's nginx: more sockets, but none on a host address */
	struct gw_socket ctr[] = {
	        sock(GW_SOCK_TCP, "0.0.0.0", 8080, NULL, 0, GW_SS_LISTEN, 10, 500),
	        sock(GW_SOCK_TCP, "172.17.0.2", 8080, "172.17.0.1", 4000, GW_SS_ESTABLISHED, 11,
	             500),
	        sock(GW_SOCK_TCP, "172.17.0.2", 8080, "172.17.0.1", 4001, GW_SS_ESTABLISHED, 12,
	             500),
	};
	for (unsigned i = 0; i < 2; i++)
		add(&rec, &host[i]);
	for (unsigned i = 0; i < 3; i++) {
		ctr[i].netns = OTHER_NS;
		add(&rec, &ctr[i]);
	}
	struct gw_process p = proc(500, "nginx", "/usr/sbin/nginx");
	p.netns = OTHER_NS;
	add_proc(&rec, &p);
	apply(c, &rec);
	cr_expect_eq(c->host_netns, HOST_NS);
	cr_expect_not(c->host_netns_exact);

	struct gw_flow f = inbound_ssh(T0 + S);
	f.key.local_port = 8080;
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_UNEXPLAINED);
	cr_expect_eq(v.unexplained, GW_UNX_HIDDEN_LISTENER);
	cr_expect_eq(v.hints, GW_HINT_OTHER_NETNS);
	cr_expect_eq(v.owner_netns, OTHER_NS);
	cr_expect(v.has_owner);
	cr_expect_str_eq(v.owner.comm, "nginx");
	cr_expect_eq(v.socket.inode, 10);

	/* the container's own traffic on its bridge is transit, and named */
	struct gw_flow t = flow((struct flow_spec){.proto = GW_IPPROTO_TCP,
	                                           .local = "172.17.0.1",
	                                           .lport = 4000,
	                                           .remote = "172.17.0.2",
	                                           .rport = 8080,
	                                           .first = T0,
	                                           .opener = GW_DIR_OUT,
	                                           .orientation = GW_ORIENT_TRANSIT,
	                                           .flags_out = GW_SEEN_SYN,
	                                           .flags_in = GW_SEEN_SYNACK,
	                                           .pkts_out = 3,
	                                           .pkts_in = 3});
	v = judge(c, &t);
	cr_expect_eq(v.kind, GW_VERDICT_TRANSIT);
	cr_expect_eq(v.hints, GW_HINT_OTHER_NETNS);
	cr_expect_eq(v.socket.inode, 11);

	/* a lookup in namespace 0 tells the host's namespace exactly */
	rec = record(GW_TL_LOOKUP, T0 + 2 * S);
	rec.found = true;
	struct gw_socket found = host[0];
	found.netns = 4026532999ULL;
	add(&rec, &found);
	apply(c, &rec);
	cr_expect_eq(c->host_netns, 4026532999ULL);
	cr_expect(c->host_netns_exact);
	gw_correlator_free(c);
}

Test(correlate, init_names_the_host_namespace)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_tl_record rec = record(GW_TL_SNAPSHOT, T0);
	for (unsigned i = 0; i < 3; i++) {
		struct gw_socket s = sock(GW_SOCK_TCP, "10.0.0.5", (uint16_t)(80 + i), NULL, 0,
		                          GW_SS_LISTEN, i + 1, 0);
		s.netns = OTHER_NS;
		add(&rec, &s);
	}
	struct gw_process init = proc(1, "systemd", "/usr/lib/systemd/systemd");
	add_proc(&rec, &init);
	apply(c, &rec);
	cr_expect_eq(c->host_netns, HOST_NS);
	struct gw_flow f = inbound_ssh(T0);
	f.key.local_port = 80;
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_UNEXPLAINED);
	cr_expect_eq(v.hints, GW_HINT_OTHER_NETNS);
	gw_correlator_free(c);
}

/* ---- lookups, destroys, processes, addresses ---- */

Test(correlate, lookup_only_socket_lives_until_the_next_poll_record)
{
	struct gw_correlator *c = make(0, 0);
	snapshot(c, T0, NULL, 0);
	struct gw_tl_record rec = record(GW_TL_LOOKUP, T0 + 1500000);
	rec.found = true;
	struct gw_socket s = curl_socket();
	struct gw_process p = proc(100, "curl", "/usr/bin/curl");
	add(&rec, &s);
	add_proc(&rec, &p);
	apply(c, &rec);
	struct gw_socket other = sock(GW_SOCK_UDP, "0.0.0.0", 68, NULL, 0, GW_SS_CLOSE, 3, 0);
	rec = record(GW_TL_DELTA, T0 + 2 * S); /* does not list it: it was gone by then */
	add(&rec, &other);
	apply(c, &rec);

	struct gw_flow f = outbound(T0 + 1400000, T0 + 1600000);
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	cr_expect_str_eq(v.owner.comm, "curl");
	f = outbound(T0 + 4 * S + 1, T0 + 5 * S);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_UNEXPLAINED);

	/* found by a lookup and then listed by a delta: in the poll state */
	rec = record(GW_TL_LOOKUP, T0 + 10 * S);
	rec.found = true;
	struct gw_socket s2 = s;
	s2.inode = 7002;
	add(&rec, &s2);
	apply(c, &rec);
	rec = record(GW_TL_DELTA, T0 + 11 * S);
	add(&rec, &s2);
	apply(c, &rec);
	rec = record(GW_TL_DELTA, T0 + 12 * S);
	remove_sock(&rec, &other);
	apply(c, &rec);
	f = outbound(T0 + 60 * S, T0 + 61 * S);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_EXPLAINED);

	rec = record(GW_TL_LOOKUP, T0 + 70 * S);
	rec.found = false;
	apply(c, &rec);
	cr_expect_eq(gw_correlator_stats(c)->lookups_not_found, 1);
	gw_correlator_free(c);
}

Test(correlate, destroy_of_an_unseen_socket)
{
	struct gw_correlator *c = make(0, 0);
	snapshot(c, T0, NULL, 0);
	struct gw_tl_record rec = record(GW_TL_DESTROY, T0 + 3 * S);
	struct gw_socket s = curl_socket();
	add(&rec, &s);
	apply(c, &rec);
	struct gw_flow f = outbound(T0 + 2 * S, T0 + 2 * S + S / 2);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_EXPLAINED);
	f = outbound(T0 + 5 * S + 1, T0 + 6 * S);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_UNEXPLAINED);
	f = outbound(T0, T0 + S - 1);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_UNEXPLAINED);
	cr_expect_eq(gw_correlator_stats(c)->sockets, 1);
	gw_correlator_free(c);
}

Test(correlate, destroy_ends_a_polled_socket)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_socket s = curl_socket();
	snapshot(c, T0, &s, 1);
	struct gw_tl_record rec = record(GW_TL_DESTROY, T0 + S);
	add(&rec, &s);
	apply(c, &rec);
	rec = record(GW_TL_DELTA, T0 + 2 * S); /* the poller's removal comes later */
	remove_sock(&rec, &s);
	apply(c, &rec);
	struct gw_flow f = outbound(T0 + 3 * S, T0 + 4 * S);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_EXPLAINED); /* gone at T0+1 s, lo = T0+1 s */
	f = outbound(T0 + 3 * S + 1, T0 + 4 * S);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_UNEXPLAINED);
	gw_correlator_free(c);
}

Test(correlate, exited_owner_still_named)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_tl_record rec = record(GW_TL_SNAPSHOT, T0);
	struct gw_socket s = curl_socket();
	add(&rec, &s);
	apply(c, &rec);
	struct gw_process p = proc(100, "curl", "/usr/bin/curl");
	process_record(c, T0 + S, "exec", &p);
	process_record(c, T0 + 2 * S, "exit", &p);
	bool exited = false;
	const struct gw_process *got = gw__procmap_get(&c->procs, 100, &exited);
	cr_assert_not_null(got);
	cr_expect(exited);
	struct gw_flow f = outbound(T0, T0 + S);
	struct gw_verdict v = judge(c, &f);
	cr_expect_str_eq(v.owner.comm, "curl");
	gw_correlator_free(c);
}

Test(correlate, address_events)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_addr a = addr("192.0.2.77"), m = addr("::ffff:10.0.0.5");
	cr_expect_not(gw_correlator_is_local(c, &a));
	cr_expect(gw_correlator_is_local(c, &m));
	struct gw_tl_record rec = record(GW_TL_ADDRESS, T0);
	snprintf(rec.event, sizeof rec.event, "add");
	rec.addr = cidr("192.0.2.77/32");
	apply(c, &rec);
	cr_expect(gw_correlator_is_local(c, &a));
	rec = record(GW_TL_ADDRESS, T0 + S);
	snprintf(rec.event, sizeof rec.event, "del");
	rec.addr = cidr("192.0.2.77/32");
	apply(c, &rec);
	cr_expect_not(gw_correlator_is_local(c, &a));
	gw_correlator_free(c);
}

/* ---- bounds ---- */

Test(correlate, memory_bound_evicts_gone_first_and_counts)
{
	struct gw_correlator *c = make(4, 0);
	struct gw_socket socks[6];
	for (unsigned i = 0; i < 6; i++)
		socks[i] = sock(GW_SOCK_TCP, "10.0.0.5", (uint16_t)(1000 + i), NULL, 0,
		                GW_SS_LISTEN, i + 1, 0);
	snapshot(c, T0, socks, 4);
	cr_expect_eq(gw_correlator_stats(c)->sockets, 4);
	cr_expect_eq(gw_correlator_stats(c)->evicted, 0);

	struct gw_tl_record rec = record(GW_TL_DELTA, T0 + S);
	remove_sock(&rec, &socks[2]);
	apply(c, &rec);
	rec = record(GW_TL_DELTA, T0 + 2 * S);
	add(&rec, &socks[4]);
	apply(c, &rec);
	cr_expect_eq(gw_correlator_stats(c)->evicted, 1);
	cr_expect_eq(gw_correlator_stats(c)->sockets, 4);
	/* the gone one went: port 1002 no longer explains */
	struct gw_flow f = inbound_ssh(T0);
	f.key.local_port = 1002;
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_UNEXPLAINED);
	f.key.local_port = 1000;
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_EXPLAINED);

	/* nothing gone: the oldest present one goes */
	rec = record(GW_TL_DELTA, T0 + 3 * S);
	add(&rec, &socks[5]);
	apply(c, &rec);
	cr_expect_eq(gw_correlator_stats(c)->evicted, 2);
	cr_expect_eq(gw_correlator_stats(c)->sockets, 4);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_UNEXPLAINED); /* 1000 was the oldest */
	f.key.local_port = 1005;
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_EXPLAINED);
	gw_correlator_free(c);
}

Test(correlate, a_snapshot_larger_than_the_bound)
{
	struct gw_correlator *c = make(3, 0);
	struct gw_tl_record rec = record(GW_TL_SNAPSHOT, T0);
	for (unsigned i = 0; i < 10; i++) {
		struct gw_socket s = sock(GW_SOCK_UDP, "0.0.0.0", (uint16_t)(2000 + i), NULL, 0,
		                          GW_SS_CLOSE, i + 1, 0);
		add(&rec, &s);
	}
	apply(c, &rec);
	cr_expect_eq(gw_correlator_stats(c)->sockets, 3);
	cr_expect_eq(gw_correlator_stats(c)->evicted, 7);
	gw_correlator_free(c);
}

Test(correlate, process_bound)
{
	struct gw_correlator *c = make(0, 2);
	struct gw_process a = proc(1, "a", ""), b = proc(2, "b", ""), d = proc(3, "d", "");
	process_record(c, T0, "exec", &a);
	process_record(c, T0, "exec", &b);
	process_record(c, T0 + S, "exit", &a);
	process_record(c, T0 + S, "exec", &b); /* b touched again */
	process_record(c, T0 + 2 * S, "exec", &d);
	/* the exited one went first */
	cr_expect_null(gw__procmap_get(&c->procs, 1, NULL));
	cr_expect_not_null(gw__procmap_get(&c->procs, 2, NULL));
	cr_expect_not_null(gw__procmap_get(&c->procs, 3, NULL));
	process_record(c, T0 + 3 * S, "exec", &a);
	cr_expect_null(gw__procmap_get(&c->procs, 2, NULL)); /* least recently heard of */
	cr_expect_eq(gw_correlator_stats(c)->processes_evicted, 2);
	cr_expect_eq(gw_correlator_stats(c)->processes, 2);
	gw_correlator_free(c);
}

Test(correlate, expiry)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_socket a = curl_socket();
	struct gw_socket b = sock(GW_SOCK_TCP, "0.0.0.0", 22, NULL, 0, GW_SS_LISTEN, 1, 0);
	struct gw_socket both[] = {a, b};
	snapshot(c, T0, both, 2);
	snapshot(c, T0 + 5 * S, &b, 1);
	int64_t forget = 600 * S;
	gw_correlator_expire(c, T0 + 5 * S + forget); /* not before now - forget_after */
	cr_expect_eq(gw_correlator_stats(c)->forgotten, 0);
	gw_correlator_expire(c, T0 + 5 * S + forget + 1);
	cr_expect_eq(gw_correlator_stats(c)->forgotten, 1);
	cr_expect_eq(gw_correlator_stats(c)->sockets, 1);
	struct gw_flow f = outbound(T0, T0 + S);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_UNEXPLAINED);
	gw_correlator_free(c);
}

Test(correlate, incomplete_snapshot_ends_nothing)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_socket s = curl_socket();
	snapshot(c, T0, &s, 1);
	struct gw_tl_record rec = record(GW_TL_SNAPSHOT, T0 + S);
	rec.set.dropped = 1;
	apply(c, &rec);
	cr_expect_eq(gw_correlator_stats(c)->incomplete_sets, 1);
	struct gw_flow f = outbound(T0 + 10 * S, T0 + 11 * S);
	cr_expect_eq(judge(c, &f).kind, GW_VERDICT_EXPLAINED);
	gw_correlator_free(c);
}

Test(correlate, bad_config_and_record)
{
	struct gw_correlator_config cfg;
	gw_correlator_config_init(&cfg);
	cr_expect_eq(cfg.grace_us, 2 * S);
	cr_expect_eq(cfg.max_sockets, 1000000);
	cr_expect_eq(cfg.max_processes, 100000);
	cr_expect_eq(cfg.forget_after_us, 600 * S);
	struct gw_correlator *c = (void *)1;
	struct gw_err err = {0};
	cfg.max_sockets = 0;
	cr_expect_eq(gw_correlator_new(&cfg, &c, &err), GW_EINVAL);
	cr_expect_null(c);
	cr_expect(strstr(err.msg, "max_sockets") != NULL);
	gw_correlator_free(NULL);

	c = make(0, 0);
	struct gw_tl_record rec = record(99, T0);
	cr_expect_eq(gw_correlator_apply(c, &rec, &err), GW_EINVAL);
	gw_tl_record_fini(&rec);
	gw_correlator_free(c);
}

/* Two correlators (two random hash keys) fed the same records give the same
 * verdicts, byte for byte. */
Test(correlate, deterministic_whatever_the_hash_key)
{
	struct gw_correlator *c[2] = {make(0, 0), make(0, 0)};
	for (int k = 0; k < 2; k++) {
		struct gw_tl_record rec = record(GW_TL_SNAPSHOT, T0);
		for (unsigned i = 0; i < 200; i++) {
			struct gw_socket s = sock(GW_SOCK_TCP, "10.0.0.5", 80, "198.51.100.7",
			                          (uint16_t)(10000 + i % 50), GW_SS_ESTABLISHED,
			                          i + 1, i % 3 ? (int32_t)(1000 + i) : 0);
			add(&rec, &s);
			struct gw_socket r = raw_sock(GW_AF_INET, 6, 5000 + i, (int32_t)(3000 - i));
			add(&rec, &r);
		}
		apply(c[k], &rec);
	}
	for (unsigned i = 0; i < 60; i++) {
		struct gw_flow f = inbound_ssh(T0);
		f.key.local_port = 80;
		f.key.remote_port = (uint16_t)(10000 + i);
		struct gw_verdict a = judge(c[0], &f), b = judge(c[1], &f);
		cr_expect_eq(memcmp(&a, &b, sizeof a), 0, "flow %u", i);
	}
	gw_correlator_free(c[0]);
	gw_correlator_free(c[1]);
}

/* ---- names ---- */

Test(correlate, names)
{
	cr_expect_str_eq(gw_verdict_kind_name(GW_VERDICT_EXPLAINED), "explained");
	cr_expect_str_eq(gw_verdict_kind_name(GW_VERDICT_KERNEL_RESPONSE), "kernel-response");
	cr_expect_str_eq(gw_verdict_kind_name(GW_VERDICT_TRANSIT), "transit");
	cr_expect_str_eq(gw_verdict_kind_name(GW_VERDICT_UNEXPLAINED), "unexplained");
	cr_expect_str_eq(gw_verdict_kind_name(0), "unknown");
	cr_expect_str_eq(gw_unexplained_kind_name(GW_UNX_HIDDEN_LISTENER), "hidden-listener");
	cr_expect_str_eq(gw_unexplained_kind_name(GW_UNX_NO_SOCKET_OUTBOUND), "no-socket-outbound");
	cr_expect_str_eq(gw_unexplained_kind_name(GW_UNX_NO_SOCKET_INBOUND), "no-socket-inbound");
	char buf[128];
	cr_expect_str_eq(gw_hint_names(0, buf, sizeof buf), "");
	cr_expect_str_eq(gw_hint_names(0x7f, buf, sizeof buf),
	                 "raw-socket,packet-socket,other-netns,"
	                 "procfs-hidden,crafted-syn,capture-"
	                 "loss,proxy");
	cr_expect_str_eq(
	        gw_hint_names(GW_HINT_PACKET_SOCKET | GW_HINT_OTHER_NETNS, buf, sizeof buf),
	        "packet-socket,other-netns");
	char small[20];
	cr_expect_str_eq(gw_hint_names(0x7, small, sizeof small), "raw-socket");
}

/* ---- the sample timeline, applied whole ---- */

static const char *fixture(const char *name)
{
	static char buf[1024];
	const char *root = getenv("GW_SOURCE_ROOT");
	snprintf(buf, sizeof buf, "%s/tests/fixtures/timeline/%s", root ? root : "..", name);
	return buf;
}

Test(correlate, sample_timeline)
{
	struct gw_tl_header h;
	struct gw_timeline_reader *r;
	struct gw_err err = {0};
	cr_assert_eq(gw_timeline_reader_open(fixture("sample.jsonl"), 0, &h, &r, &err), 0, "%s",
	             err.msg);
	struct gw_correlator_config cfg;
	gw_correlator_config_init(&cfg);
	struct gw_correlator *c;
	cr_assert_eq(gw_correlator_new(&cfg, &c, &err), 0);
	gw_correlator_set_header(c, &h);
	struct gw_tl_record rec;
	gw_tl_record_init(&rec, 1000, 1000);
	int n = 0, rc;
	while ((rc = gw_timeline_read(r, &rec, &err)) == 1) {
		cr_assert_eq(gw_correlator_apply(c, &rec, &err), 0, "%s", err.msg);
		n++;
	}
	cr_assert_eq(rc, 0, "%s", err.msg);
	gw_tl_record_fini(&rec);
	gw_timeline_reader_close(r);
	cr_expect_eq(gw_correlator_stats(c)->records, (uint64_t)n);
	cr_expect_eq(c->host_netns, 4026531840ULL);
	cr_expect(c->host_netns_exact); /* the IPv6 lookup in namespace 0 */

	/* alice's ssh session, until the delta at 12:00:02.25 removed it */
	struct gw_flow f = flow((struct flow_spec){.proto = GW_IPPROTO_TCP,
	                                           .local = "192.0.2.10",
	                                           .lport = 22,
	                                           .remote = "198.51.100.7",
	                                           .rport = 51514,
	                                           .first = T0 + S,
	                                           .opener = GW_DIR_IN,
	                                           .flags_in = GW_SEEN_SYN,
	                                           .flags_out = GW_SEEN_SYNACK,
	                                           .pkts_out = 2,
	                                           .pkts_in = 2});
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.match, GW_MATCH_EXACT);
	cr_expect_eq(v.owner.pid, 1390);
	cr_expect_str_eq(v.owner.cmdline, "sshd: alice [priv]");
	/* a later connection to sshd: its listener */
	f.first_us = f.last_us = T0 + 10 * S;
	v = judge(c, &f);
	cr_expect_eq(v.match, GW_MATCH_LISTENER);
	cr_expect_eq(v.owner.pid, 812);

	/* nginx, found by the on-demand lookup */
	struct gw_flow f6 = flow((struct flow_spec){.proto = GW_IPPROTO_TCP,
	                                            .local = "2001:db8::10",
	                                            .lport = 443,
	                                            .remote = "2001:db8:ffff::7",
	                                            .rport = 40000,
	                                            .first = T0 + S,
	                                            .last = T0 + 2 * S,
	                                            .opener = GW_DIR_IN,
	                                            .flags_in = GW_SEEN_SYN,
	                                            .flags_out = GW_SEEN_SYNACK,
	                                            .pkts_out = 5,
	                                            .pkts_in = 5});
	v = judge(c, &f6);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	cr_expect_str_eq(v.owner.comm, "nginx");
	cr_expect_str_eq(v.owner.container, "docker-3f2a9c");

	/* DNS on the dual-stack [::]:53 whose owner could not be read */
	struct gw_flow dns = flow((struct flow_spec){.proto = GW_IPPROTO_UDP,
	                                             .local = "192.0.2.10",
	                                             .lport = 53,
	                                             .remote = "203.0.113.9",
	                                             .rport = 33333,
	                                             .first = T0 + S,
	                                             .opener = GW_DIR_IN,
	                                             .pkts_out = 1,
	                                             .pkts_in = 1});
	v = judge(c, &dns);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	cr_expect_eq(v.match, GW_MATCH_LISTENER);
	cr_expect_not(v.has_owner);
	cr_expect_str_eq(v.reason, "udp [::]:53 (unconn), owner unknown: no-permission");

	/* a shell talking out: the raw socket (owner unknown) and the BPFDoor-style
	 * packet socket with its filter are who could have sent it */
	struct gw_flow sh = flow((struct flow_spec){.proto = GW_IPPROTO_TCP,
	                                            .local = "192.0.2.10",
	                                            .lport = 42424,
	                                            .remote = "203.0.113.66",
	                                            .rport = 443,
	                                            .first = T0 + 3 * S,
	                                            .opener = GW_DIR_OUT,
	                                            .flags_out = GW_SEEN_SYN,
	                                            .flags_in = GW_SEEN_SYNACK,
	                                            .pkts_out = 9,
	                                            .pkts_in = 7});
	v = judge(c, &sh);
	cr_expect_eq(v.kind, GW_VERDICT_UNEXPLAINED);
	cr_expect_eq(v.unexplained, GW_UNX_NO_SOCKET_OUTBOUND);
	cr_expect_eq(v.hints, GW_HINT_RAW_SOCKET | GW_HINT_PACKET_SOCKET);
	cr_assert_eq(v.n_holders, 2);
	cr_expect_eq(v.holders[0].pid, 0);
	cr_expect_eq(v.holders[0].proto, GW_SOCK_RAW);
	cr_expect_eq(v.holders[1].pid, 4242);
	cr_expect(v.holders[1].packet_filter);
	cr_expect_str_eq(v.holders[1].comm, "kdmtmpflush");

	bool exited = false;
	const struct gw_process *p = gw__procmap_get(&c->procs, 5150, &exited);
	cr_assert_not_null(p);
	cr_expect_str_eq(p->comm, "sh");
	cr_expect(exited);
	struct gw_addr added = addr("2001:db8:1::5");
	cr_expect(gw_correlator_is_local(c, &added));
	gw_correlator_free(c);
}

#ifdef HAVE_OS_LINUX

/* ---- live: the poller's records, applied as they come and replayed from file ---- */

struct live {
	struct gw_correlator *c;
	struct gw_timeline_writer *w;
};

static int live_sink(void *ud, const struct gw_tl_record *rec, struct gw_err *err)
{
	struct live *l = ud;
	int r = gw_correlator_apply(l->c, rec, err);
	return r < 0 ? r : gw_timeline_write(l->w, rec, err);
}

static void live_step(struct gw_poller *p, int ms)
{
	int64_t deadline = gw_clock_monotonic_us() + (int64_t)ms * 1000;
	for (;;) {
		struct gw_err err = {0};
		cr_assert_eq(gw_poller_step(p, &err), 0, "%s", err.msg);
		int64_t left = (deadline - gw_clock_monotonic_us() + 999) / 1000;
		if (left <= 0)
			return;
		int t = gw_poller_timeout_ms(p);
		poll(NULL, 0, t < left ? t : (int)left);
	}
}

static struct gw_flow loopback_flow(uint16_t cport, uint16_t sport, int64_t first, int64_t last)
{
	return flow((struct flow_spec){.proto = GW_IPPROTO_TCP,
	                               .local = "127.0.0.1",
	                               .lport = cport,
	                               .remote = "127.0.0.1",
	                               .rport = sport,
	                               .first = first,
	                               .last = last,
	                               .opener = GW_DIR_OUT,
	                               .flags_out = GW_SEEN_SYN | GW_SEEN_FIN,
	                               .flags_in = GW_SEEN_SYNACK | GW_SEEN_FIN,
	                               .pkts_out = 4,
	                               .pkts_in = 4});
}

Test(correlate, live_poller_records_and_their_replay)
{
	char path[] = "/tmp/gw-correlate-XXXXXX";
	int tfd = mkstemp(path);
	cr_assert_geq(tfd, 0);
	close(tfd);

	struct gw_tl_header h = {.version = GW_TIMELINE_VERSION};
	snprintf(h.source, sizeof h.source, "netlink");
	h.started_us = gw_clock_realtime_us();
	h.local[h.n_local++] = cidr("127.0.0.0/8");
	struct live l = {0};
	struct gw_correlator_config cfg;
	gw_correlator_config_init(&cfg);
	struct gw_err err = {0};
	cr_assert_eq(gw_correlator_new(&cfg, &l.c, &err), 0);
	gw_correlator_set_header(l.c, &h);
	cr_assert_eq(gw_timeline_writer_open(path, &h, &l.w, &err), 0, "%s", err.msg);

	struct gw_poller_config pc;
	gw_poller_config_init(&pc);
	pc.interval_ms = 50;
	pc.events = 0;
	char warnings[512];
	struct gw_poller *p = NULL;
	if (gw_poller_new(&pc, live_sink, &l, &p, warnings, sizeof warnings, &err) < 0) {
		gw_timeline_writer_close(l.w, NULL);
		gw_correlator_free(l.c);
		unlink(path);
		cr_skip_test("the netlink view cannot be opened here: %s", err.msg);
	}
	live_step(p, 0);

	/* a listener, a connection held across polls, then closed by the client */
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	cr_assert_eq(bind(ls, (struct sockaddr *)&sa, sizeof sa), 0);
	cr_assert_eq(listen(ls, 4), 0);
	cr_assert_eq(getsockname(ls, (struct sockaddr *)&sa, &len), 0);
	uint16_t sport = ntohs(sa.sin_port);
	int64_t t_open = gw_clock_realtime_us();
	int cl = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(connect(cl, (struct sockaddr *)&sa, sizeof sa), 0);
	len = sizeof sa;
	cr_assert_eq(getsockname(cl, (struct sockaddr *)&sa, &len), 0);
	uint16_t cport = ntohs(sa.sin_port);
	int sv = accept(ls, NULL, NULL);
	cr_assert_geq(sv, 0);
	live_step(p, 200);
	close(cl); /* the client closes first: its end goes to TIME_WAIT */
	close(sv);
	close(ls);
	int64_t t_close = gw_clock_realtime_us();
	live_step(p, 200);
	gw_poller_free(p);
	cr_assert_eq(gw_timeline_writer_close(l.w, &err), 0, "%s", err.msg);

	/* the same records, read back from the file */
	struct gw_correlator *again;
	cr_assert_eq(gw_correlator_new(&cfg, &again, &err), 0);
	struct gw_tl_header rh;
	struct gw_timeline_reader *r;
	cr_assert_eq(gw_timeline_reader_open(path, 0, &rh, &r, &err), 0, "%s", err.msg);
	gw_correlator_set_header(again, &rh);
	struct gw_tl_record rec;
	gw_tl_record_init(&rec, 1000000, 100000);
	int rc;
	while ((rc = gw_timeline_read(r, &rec, &err)) == 1)
		cr_assert_eq(gw_correlator_apply(again, &rec, &err), 0, "%s", err.msg);
	cr_expect_eq(rc, 0, "%s", err.msg);
	gw_tl_record_fini(&rec);
	gw_timeline_reader_close(r);
	unlink(path);
	cr_expect_eq(gw_correlator_stats(again)->records, gw_correlator_stats(l.c)->records);

	/* the connection: our own socket, owned by us */
	struct gw_flow f = loopback_flow(cport, sport, t_open, t_close);
	struct gw_verdict v = judge(l.c, &f), w = judge(again, &f);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED, "%s", v.reason);
	cr_expect_eq(v.match, GW_MATCH_EXACT, "%s", v.reason);
	cr_expect(v.has_owner, "%s", v.reason);
	cr_expect_eq(v.owner.pid, getpid());
	cr_expect_eq(memcmp(&v, &w, sizeof v), 0, "live: %s; replayed: %s", v.reason, w.reason);

	/* well after: only the client's TIME_WAIT remains, without an owner */
	f = loopback_flow(cport, sport, t_close + 30 * S, t_close + 31 * S);
	v = judge(l.c, &f);
	w = judge(again, &f);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED, "%s", v.reason);
	cr_expect_eq(v.socket.state, GW_SS_TIME_WAIT, "%s", v.reason);
	cr_expect_not(v.has_owner, "%s", v.reason);
	cr_expect_eq(memcmp(&v, &w, sizeof v), 0, "live: %s; replayed: %s", v.reason, w.reason);

	/* a port nobody had */
	f = loopback_flow(cport, sport, t_open, t_close);
	f.key.local_port = 1;
	f.key.remote_port = 2;
	v = judge(l.c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_UNEXPLAINED, "%s", v.reason);
	gw_correlator_free(l.c);
	gw_correlator_free(again);
}

#endif

/* ---- behind NAT, crafted SYNs, openings ---- */

Test(correlate, nat_origin_by_remote_end_and_preserved_port)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_tl_record rec = record(GW_TL_SNAPSHOT, T0);
	struct gw_socket host = sock(GW_SOCK_TCP, "10.0.0.5", 22, NULL, 0, GW_SS_LISTEN, 1, 0);
	add(&rec, &host);
	/* the container's client: its own address, the port NAT kept */
	struct gw_socket ctr = sock(GW_SOCK_TCP, "172.17.0.2", 51000, "93.184.216.34", 443,
	                            GW_SS_ESTABLISHED, 20, 600);
	ctr.netns = OTHER_NS;
	add(&rec, &ctr);
	struct gw_socket other_port = sock(GW_SOCK_TCP, "172.17.0.2", 51001, "93.184.216.34", 443,
	                                   GW_SS_ESTABLISHED, 21, 600);
	other_port.netns = OTHER_NS;
	add(&rec, &other_port);
	struct gw_process p = proc(600, "curl", "/usr/bin/curl");
	p.netns = OTHER_NS;
	add_proc(&rec, &p);
	apply(c, &rec);

	struct gw_flow f = outbound(T0 + S, T0 + 2 * S);
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_UNEXPLAINED);
	cr_expect_eq(v.unexplained, GW_UNX_NO_SOCKET_OUTBOUND);
	cr_expect_eq(v.hints, GW_HINT_OTHER_NETNS);
	cr_expect_eq(v.owner_netns, OTHER_NS);
	cr_expect_eq(v.socket.inode, 20);
	cr_expect_str_eq(v.owner.comm, "curl");
	cr_expect(strstr(v.reason, "via NAT") != NULL, "%s", v.reason);

	/* another remote port: no origin */
	f.key.remote_port = 8443;
	v = judge(c, &f);
	cr_expect_eq(v.hints, 0);
	/* inbound flows are not NAT'd outbound connections */
	f = outbound(T0 + S, T0 + 2 * S);
	f.opener = GW_DIR_IN;
	v = judge(c, &f);
	cr_expect_eq(v.hints & GW_HINT_OTHER_NETNS, 0);
	gw_correlator_free(c);
}

Test(correlate, nat_origin_unconnected_udp_in_the_container)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_tl_record rec = record(GW_TL_SNAPSHOT, T0);
	struct gw_socket host = sock(GW_SOCK_TCP, "10.0.0.5", 22, NULL, 0, GW_SS_LISTEN, 1, 0);
	add(&rec, &host);
	struct gw_socket u = sock(GW_SOCK_UDP, "0.0.0.0", 40000, NULL, 0, GW_SS_CLOSE, 30, 700);
	u.netns = OTHER_NS;
	add(&rec, &u);
	apply(c, &rec);
	struct gw_flow f = flow((struct flow_spec){.proto = GW_IPPROTO_UDP,
	                                           .local = "10.0.0.5",
	                                           .lport = 40000,
	                                           .remote = "192.0.2.53",
	                                           .rport = 53,
	                                           .first = T0 + S,
	                                           .opener = GW_DIR_OUT,
	                                           .pkts_out = 1,
	                                           .pkts_in = 1});
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_UNEXPLAINED);
	cr_expect_eq(v.hints, GW_HINT_OTHER_NETNS);
	cr_expect_eq(v.socket.inode, 30);
	gw_correlator_free(c);
}

Test(correlate, crafted_syn_hint_on_unexplained_only)
{
	struct gw_correlator *c = make(0, 0);
	snapshot(c, T0, NULL, 0);
	struct gw_flow f = outbound(T0 + S, T0 + S);
	f.syn_quirks = GW_SYN_NO_MSS;
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_UNEXPLAINED);
	cr_expect_eq(v.hints, GW_HINT_CRAFTED_SYN);

	struct gw_socket s = curl_socket();
	snapshot(c, T0 + S, &s, 1);
	v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	cr_expect_eq(v.hints, 0);
	gw_correlator_free(c);
}

Test(correlate, opening_judged_on_the_first_packet_window_alone)
{
	struct gw_correlator *c = make(0, 0);
	cr_expect_eq(gw_correlator_opening_delay_us(c), 2 * S + 250000);
	snapshot(c, T0, NULL, 0);
	/* A long flow whose socket shows up only 10 s after its first packet: its
	 * opening is a finding, its whole life is explained. */
	struct gw_socket s = curl_socket();
	snapshot(c, T0 + 10 * S, &s, 1);
	struct gw_flow f = outbound(T0, T0 + 20 * S);
	struct gw_verdict v;
	gw_correlator_judge_opening(c, &f, &v);
	cr_expect_eq(v.kind, GW_VERDICT_UNEXPLAINED);
	v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	const struct gw_correlator_stats *st = gw_correlator_stats(c);
	cr_expect_eq(st->openings_judged, 1);
	cr_expect_eq(st->openings_unexplained, 1);
	cr_expect_eq(st->verdicts[GW_VERDICT_UNEXPLAINED], 0, "openings are not final verdicts");
	cr_expect_eq(st->verdicts[GW_VERDICT_EXPLAINED], 1);
	gw_correlator_free(c);
}

Test(correlate, proxy_names_its_loopback_clients)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_tl_record rec = record(GW_TL_SNAPSHOT, T0);
	struct gw_socket s[] = {
	        /* the proxy (pid 900): a listener on 127.0.0.1:1080, the accepted
	         * connection from the client, and its own connection out */
	        sock(GW_SOCK_TCP, "127.0.0.1", 1080, NULL, 0, GW_SS_LISTEN, 1, 900),
	        sock(GW_SOCK_TCP, "127.0.0.1", 1080, "127.0.0.1", 45000, GW_SS_ESTABLISHED, 2, 900),
	        curl_socket(),
	        /* the client (pid 901) */
	        sock(GW_SOCK_TCP, "127.0.0.1", 45000, "127.0.0.1", 1080, GW_SS_ESTABLISHED, 3, 901),
	        /* the proxy's own loopback connection elsewhere is no client */
	        sock(GW_SOCK_TCP, "127.0.0.1", 46000, "127.0.0.1", 5432, GW_SS_ESTABLISHED, 4, 900),
	        sock(GW_SOCK_TCP, "127.0.0.1", 5432, "127.0.0.1", 46000, GW_SS_ESTABLISHED, 5, 902),
	};
	s[2].pid = 900;
	for (unsigned i = 0; i < sizeof s / sizeof *s; i++)
		add(&rec, &s[i]);
	struct gw_process p[] = {proc(900, "danted", "/usr/sbin/danted"),
	                         proc(901, "firefox", "/usr/lib/firefox/firefox"),
	                         proc(902, "postgres", "/usr/lib/postgresql/15/bin/postgres")};
	for (unsigned i = 0; i < 3; i++)
		add_proc(&rec, &p[i]);
	apply(c, &rec);

	struct gw_flow f = outbound(T0 + S, T0 + 2 * S);
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	cr_expect_str_eq(v.owner.comm, "danted");
	cr_expect_eq(v.hints, GW_HINT_PROXY);
	cr_assert_eq(v.n_clients, 1);
	cr_expect_eq(v.clients[0].pid, 901);
	cr_expect_str_eq(v.clients[0].comm, "firefox");

	/* after the client's connection is gone (and before the flow), no proxy */
	struct gw_socket left[] = {s[0], s[2]};
	snapshot(c, T0 + 10 * S, left, 2);
	f = outbound(T0 + 20 * S, T0 + 21 * S);
	v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	cr_expect_eq(v.hints, 0);
	cr_expect_eq(v.n_clients, 0);
	gw_correlator_free(c);
}

/* Orphaned sockets (inode 0) reusing one tuple: the kernel's cookies tell the
 * connections apart, so each destroy explains its own flow, and an earlier
 * flow is not judged by a later connection's interval. */
Test(correlate, destroys_of_orphans_on_one_tuple_are_separate_sockets)
{
	struct gw_correlator *c = make(0, 0);
	snapshot(c, T0, NULL, 0);
	for (int k = 0; k < 3; k++) {
		struct gw_tl_record rec = record(GW_TL_DESTROY, T0 + (10 + 10 * k) * S);
		struct gw_socket s = curl_socket();
		s.inode = 0;
		s.owner_status = GW_OWNER_NOT_FOUND;
		s.pid = 0;
		s.state = GW_SS_CLOSE;
		s.cookie = 1000 + (uint64_t)k;
		add(&rec, &s);
		apply(c, &rec);
	}
	cr_expect_eq(gw_correlator_stats(c)->sockets, 3);
	for (int k = 0; k < 3; k++) {
		struct gw_flow f =
		        outbound(T0 + (10 + 10 * k) * S - 1000, T0 + (10 + 10 * k) * S - 500);
		struct gw_verdict v = judge(c, &f);
		cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED, "connection %d", k);
		cr_expect_not(v.has_owner);
	}
	struct gw_flow between = outbound(T0 + 15 * S, T0 + 15 * S + 1);
	cr_expect_eq(judge(c, &between).kind, GW_VERDICT_UNEXPLAINED);
	gw_correlator_free(c);
}

Test(correlate, tunnel_owner_is_a_proxy_without_clients)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_tl_record rec = record(GW_TL_SNAPSHOT, T0);
	struct gw_socket s = curl_socket();
	s.pid = 910;
	add(&rec, &s);
	struct gw_process p = proc(910, "openvpn", "/usr/sbin/openvpn");
	p.marks = GW_MARK_TUN_DEVICE;
	add_proc(&rec, &p);
	apply(c, &rec);
	struct gw_flow f = outbound(T0 + S, T0 + 2 * S);
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	cr_expect_eq(v.hints, GW_HINT_PROXY);
	cr_expect_eq(v.n_clients, 0);
	gw_correlator_free(c);
}

Test(correlate, transparent_socket_is_a_proxy)
{
	struct gw_correlator *c = make(0, 0);
	struct gw_tl_record rec = record(GW_TL_SNAPSHOT, T0);
	struct gw_socket s = curl_socket();
	s.transparent = true;
	add(&rec, &s);
	apply(c, &rec);
	struct gw_flow f = outbound(T0 + S, T0 + 2 * S);
	struct gw_verdict v = judge(c, &f);
	cr_expect_eq(v.kind, GW_VERDICT_EXPLAINED);
	cr_expect_eq(v.hints, GW_HINT_PROXY);
	gw_correlator_free(c);
}
