/* test_flow_table.c — the bounded flow table: orientation, per-direction
 * counting, TCP states, expiry by packet time, eviction when full, tuple reuse,
 * fragments and ICMP errors linked to their flow, and first-seen flush order. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "ghostwire/flow.h"

#define MAX_ENDED 64

struct ended {
	struct gw_flow f;
	enum gw_flow_end why;
};

static struct ended ended[MAX_ENDED];
static int n_ended;

static void on_end(void *ud, const struct gw_flow *f, enum gw_flow_end why)
{
	(void)ud;
	if (n_ended < MAX_ENDED) { /* the stress test ends more than it keeps */
		ended[n_ended].f = *f;
		ended[n_ended].why = why;
	}
	n_ended++;
}

static struct gw_options opt;

static struct gw_flow_table *table(void)
{
	struct gw_err err = {0};
	struct gw_flow_table *t = gw_flow_table_new(&opt, on_end, NULL, &err);
	cr_assert_not_null(t, "%s", err.msg);
	return t;
}

static void setup(void)
{
	n_ended = 0;
	gw_options_init(&opt);
	opt.hash_seed = 42;
}

TestSuite(flow_table, .init = setup);

static struct gw_addr addr(const char *text)
{
	struct gw_addr a;
	cr_assert_eq(gw_addr_parse(text, &a, NULL), 0);
	return a;
}

static struct gw_packet tcp(int64_t ts, const char *src, uint16_t sport, const char *dst,
                            uint16_t dport, uint8_t flags, uint32_t len)
{
	struct gw_packet p = {.ts_us = ts,
	                      .wirelen = len,
	                      .proto = GW_IPPROTO_TCP,
	                      .src = addr(src),
	                      .dst = addr(dst),
	                      .sport = sport,
	                      .dport = dport,
	                      .tcp_flags = flags,
	                      .has_ports = true};
	return p;
}

static struct gw_packet udp(int64_t ts, const char *src, uint16_t sport, const char *dst,
                            uint16_t dport, uint32_t len)
{
	struct gw_packet p = {.ts_us = ts,
	                      .wirelen = len,
	                      .proto = GW_IPPROTO_UDP,
	                      .src = addr(src),
	                      .dst = addr(dst),
	                      .sport = sport,
	                      .dport = dport,
	                      .has_ports = true};
	return p;
}

enum {
	SYN = 0x02,
	SYNACK = 0x12,
	ACK = 0x10,
	FIN = 0x11,
	RST = 0x04
};
#define S 1000000LL

static void handshake_and_close(struct gw_flow_table *t, int64_t ts, const char *c, uint16_t cp,
                                const char *s, uint16_t sp)
{
	struct gw_packet seq[] = {
	        tcp(ts, c, cp, s, sp, SYN, 60),       tcp(ts + 1, s, sp, c, cp, SYNACK, 60),
	        tcp(ts + 2, c, cp, s, sp, ACK, 54),   tcp(ts + 3, c, cp, s, sp, ACK, 154),
	        tcp(ts + 4, s, sp, c, cp, ACK, 1054), tcp(ts + 5, c, cp, s, sp, FIN, 54),
	        tcp(ts + 6, s, sp, c, cp, FIN, 54),   tcp(ts + 7, c, cp, s, sp, ACK, 54),
	};
	for (size_t i = 0; i < sizeof seq / sizeof *seq; i++)
		gw_flow_table_update(t, &seq[i]);
}

Test(flow_table, handshake_counts_and_state)
{
	struct gw_flow_table *t = table();
	handshake_and_close(t, 10 * S, "10.0.0.1", 40000, "192.0.2.10", 80);
	cr_assert_eq(n_ended, 0, "closed flows wait out the closed timeout");
	gw_flow_table_flush(t);
	cr_assert_eq(n_ended, 1);
	const struct gw_flow *f = &ended[0].f;
	cr_expect_eq(ended[0].why, GW_END_CLOSED, "a closed flow ends as closed at end of input");
	cr_expect_eq(f->packets[GW_DIR_OUT], 5);
	cr_expect_eq(f->packets[GW_DIR_IN], 3);
	cr_expect_eq(f->bytes[GW_DIR_OUT], 60 + 54 + 154 + 54 + 54);
	cr_expect_eq(f->bytes[GW_DIR_IN], 60 + 1054 + 54);
	cr_expect_eq(f->tcp_state, GW_TCP_CLOSED);
	cr_expect_eq(f->tcp_flags[GW_DIR_OUT], GW_SEEN_SYN | GW_SEEN_FIN);
	cr_expect_eq(f->tcp_flags[GW_DIR_IN], GW_SEEN_SYNACK | GW_SEEN_FIN);
	cr_expect_eq(f->key.local_port, 40000);
	cr_expect_eq(f->opener, GW_DIR_OUT);
	cr_expect_eq(f->orientation, GW_ORIENT_OPENER);
	cr_expect_eq(f->first_us, 10 * S);
	cr_expect_eq(f->last_us, 10 * S + 7);
	gw_flow_table_free(t);
}

Test(flow_table, established_after_third_ack)
{
	struct gw_flow_table *t = table();
	struct gw_packet a = tcp(1, "10.0.0.1", 1, "192.0.2.1", 2, SYN, 60);
	struct gw_packet b = tcp(2, "192.0.2.1", 2, "10.0.0.1", 1, SYNACK, 60);
	struct gw_packet c = tcp(3, "10.0.0.1", 1, "192.0.2.1", 2, ACK, 60);
	gw_flow_table_update(t, &a);
	gw_flow_table_update(t, &b);
	gw_flow_table_update(t, &c);
	gw_flow_table_flush(t);
	cr_expect_eq(ended[0].f.tcp_state, GW_TCP_ESTABLISHED);
	gw_flow_table_free(t);
}

Test(flow_table, local_net_decides_orientation)
{
	cr_assert_eq(gw_cidr_parse("192.0.2.0/24", &opt.local_nets[0], NULL), 0);
	opt.n_local_nets = 1;
	struct gw_flow_table *t = table();
	/* The remote 10.0.0.1 opens a connection to the local server 192.0.2.10. */
	handshake_and_close(t, 1, "10.0.0.1", 40000, "192.0.2.10", 80);
	gw_flow_table_flush(t);
	const struct gw_flow *f = &ended[0].f;
	cr_expect_eq(f->orientation, GW_ORIENT_LOCAL_NET);
	cr_expect_eq(f->key.local_port, 80);
	cr_expect_eq(f->opener, GW_DIR_IN);
	cr_expect_eq(f->packets[GW_DIR_IN], 5);
	cr_expect_eq(f->tcp_flags[GW_DIR_IN], GW_SEEN_SYN | GW_SEEN_FIN);
	gw_flow_table_free(t);
}

Test(flow_table, transit_when_neither_end_is_local)
{
	cr_assert_eq(gw_cidr_parse("198.51.100.0/24", &opt.local_nets[0], NULL), 0);
	opt.n_local_nets = 1;
	struct gw_flow_table *t = table();
	struct gw_packet p = udp(1, "10.0.0.1", 5000, "192.0.2.10", 53, 80);
	gw_flow_table_update(t, &p);
	gw_flow_table_flush(t);
	cr_expect_eq(ended[0].f.orientation, GW_ORIENT_TRANSIT);
	gw_flow_table_free(t);
}

Test(flow_table, opener_rule_without_syn)
{
	struct gw_flow_table *t = table();
	/* First packet seen is the SYN-ACK: its receiver opened the connection. */
	struct gw_packet a = tcp(1, "192.0.2.10", 443, "10.0.0.1", 50000, SYNACK, 60);
	/* Midstream from a service port to an ephemeral one: the receiver is the client. */
	struct gw_packet b = tcp(2, "192.0.2.11", 22, "10.0.0.1", 50001, ACK, 60);
	/* UDP from an ephemeral port: the sender is the client. */
	struct gw_packet c = udp(3, "10.0.0.1", 50002, "192.0.2.53", 53, 70);
	gw_flow_table_update(t, &a);
	gw_flow_table_update(t, &b);
	gw_flow_table_update(t, &c);
	gw_flow_table_flush(t);
	cr_assert_eq(n_ended, 3);
	for (int i = 0; i < 3; i++) {
		cr_expect_eq(ended[i].f.key.local_port, 50000 + i, "flow %d", i);
		cr_expect_eq(ended[i].f.opener, GW_DIR_OUT, "flow %d", i);
	}
	cr_expect_eq(ended[1].f.tcp_state, GW_TCP_MIDSTREAM);
	gw_flow_table_free(t);
}

Test(flow_table, closed_flow_ends_after_closed_timeout)
{
	opt.closed_timeout_s = 5;
	struct gw_flow_table *t = table();
	handshake_and_close(t, 1 * S, "10.0.0.1", 40000, "192.0.2.10", 80);
	struct gw_packet later = udp(1 * S + 4 * S, "10.0.0.2", 1, "192.0.2.1", 2, 60);
	gw_flow_table_update(t, &later);
	cr_expect_eq(n_ended, 0);
	struct gw_packet after = udp(1 * S + 6 * S, "10.0.0.2", 1, "192.0.2.1", 2, 60);
	gw_flow_table_update(t, &after);
	cr_assert_eq(n_ended, 1);
	cr_expect_eq(ended[0].why, GW_END_CLOSED);
	cr_expect_eq(gw_flow_table_stats(t)->ended[GW_END_CLOSED], 1);
	gw_flow_table_free(t);
}

Test(flow_table, reset_flow_is_closed)
{
	opt.closed_timeout_s = 1;
	struct gw_flow_table *t = table();
	struct gw_packet a = tcp(1, "10.0.0.1", 1, "192.0.2.1", 2, SYN, 60);
	struct gw_packet b = tcp(2, "192.0.2.1", 2, "10.0.0.1", 1, RST | ACK, 60);
	struct gw_packet c = udp(3 * S, "10.0.0.2", 1, "192.0.2.1", 2, 60);
	gw_flow_table_update(t, &a);
	gw_flow_table_update(t, &b);
	gw_flow_table_update(t, &c);
	cr_assert_eq(n_ended, 1);
	cr_expect_eq(ended[0].f.tcp_state, GW_TCP_RESET);
	cr_expect_eq(ended[0].f.tcp_flags[GW_DIR_IN], GW_SEEN_RST);
	gw_flow_table_free(t);
}

Test(flow_table, idle_flows_expire_in_age_order)
{
	opt.idle_timeout_s = 10;
	struct gw_flow_table *t = table();
	struct gw_packet a = udp(0, "10.0.0.1", 1000, "192.0.2.1", 53, 60);
	struct gw_packet b = udp(1 * S, "10.0.0.1", 1001, "192.0.2.1", 53, 60);
	struct gw_packet a2 = udp(2 * S, "192.0.2.1", 53, "10.0.0.1", 1000, 60); /* a is touched */
	gw_flow_table_update(t, &a);
	gw_flow_table_update(t, &b);
	gw_flow_table_update(t, &a2);
	/* Deadlines are kept to the second: a flow ends within the second after. */
	gw_flow_table_expire(t, 11 * S);
	cr_assert_eq(n_ended, 0);
	gw_flow_table_expire(t, 12 * S);
	cr_assert_eq(n_ended, 1);
	cr_expect_eq(ended[0].f.key.local_port, 1001);
	cr_expect_eq(ended[0].why, GW_END_IDLE);
	gw_flow_table_expire(t, 13 * S);
	cr_assert_eq(n_ended, 2);
	cr_expect_eq(ended[1].f.key.local_port, 1000);
	cr_expect_eq(ended[1].f.packets[GW_DIR_IN], 1);
	gw_flow_table_free(t);
}

Test(flow_table, full_table_evicts_least_recent_and_counts)
{
	opt.max_flows = 3;
	struct gw_flow_table *t = table();
	for (uint16_t i = 0; i < 10; i++) {
		struct gw_packet p = udp(i, "10.0.0.1", (uint16_t)(2000 + i), "192.0.2.1", 53, 60);
		gw_flow_table_update(t, &p);
	}
	const struct gw_flow_table_stats *st = gw_flow_table_stats(t);
	cr_expect_eq(st->active, 3);
	cr_expect_eq(st->max_active, 3);
	cr_expect_eq(st->ended[GW_END_EVICTED], 7);
	cr_assert_eq(n_ended, 7);
	for (int i = 0; i < 7; i++)
		cr_expect_eq(ended[i].f.key.local_port, 2000 + i);
	gw_flow_table_flush(t);
	cr_expect_eq(st->flows, 10);
	gw_flow_table_free(t);
}

Test(flow_table, eviction_prefers_closed_flows)
{
	opt.max_flows = 2;
	struct gw_flow_table *t = table();
	struct gw_packet open = udp(1, "10.0.0.1", 1, "192.0.2.1", 2, 60);
	gw_flow_table_update(t, &open);
	handshake_and_close(t, 2, "10.0.0.1", 40000, "192.0.2.10", 80);
	struct gw_packet third = udp(20, "10.0.0.1", 3, "192.0.2.1", 4, 60);
	gw_flow_table_update(t, &third);
	cr_assert_eq(n_ended, 1);
	cr_expect_eq(ended[0].f.key.local_port, 40000);
	cr_expect_eq(ended[0].why, GW_END_EVICTED);
	gw_flow_table_free(t);
}

Test(flow_table, new_syn_on_closed_tuple_starts_new_flow)
{
	struct gw_flow_table *t = table();
	handshake_and_close(t, 1, "10.0.0.1", 40000, "192.0.2.10", 80);
	struct gw_packet syn = tcp(100, "10.0.0.1", 40000, "192.0.2.10", 80, SYN, 60);
	gw_flow_table_update(t, &syn);
	cr_assert_eq(n_ended, 1);
	cr_expect_eq(ended[0].why, GW_END_REUSED);
	gw_flow_table_flush(t);
	cr_assert_eq(n_ended, 2);
	cr_expect_eq(ended[1].f.packets[GW_DIR_OUT], 1);
	cr_expect_eq(ended[1].f.seq, 2);
	gw_flow_table_free(t);
}

Test(flow_table, fragments_follow_their_first)
{
	struct gw_flow_table *t = table();
	struct gw_packet first = udp(1, "10.0.0.1", 5000, "192.0.2.1", 6000, 1514);
	first.is_fragment = true;
	first.frag_id = 77;
	struct gw_packet rest = {.ts_us = 2,
	                         .wirelen = 600,
	                         .proto = GW_IPPROTO_UDP,
	                         .src = first.src,
	                         .dst = first.dst,
	                         .is_fragment = true,
	                         .frag_offset = 185,
	                         .frag_id = 77};
	struct gw_packet stray = rest;
	stray.frag_id = 78;
	gw_flow_table_update(t, &first);
	gw_flow_table_update(t, &rest);
	gw_flow_table_update(t, &stray);
	gw_flow_table_flush(t);
	cr_assert_eq(n_ended, 1);
	cr_expect_eq(ended[0].f.packets[GW_DIR_OUT], 2);
	cr_expect_eq(ended[0].f.bytes[GW_DIR_OUT], 2114);
	cr_expect_eq(ended[0].f.fragments, 1);
	cr_expect_eq(ended[0].f.fragment_bytes, 600);
	cr_expect_eq(gw_flow_table_stats(t)->frag_attributed, 1);
	cr_expect_eq(gw_flow_table_stats(t)->frag_unattributed, 1);
	gw_flow_table_free(t);
}

Test(flow_table, fragments_before_their_first_are_held)
{
	struct gw_flow_table *t = table();
	struct gw_packet first = udp(2, "10.0.0.1", 5000, "192.0.2.1", 6000, 1514);
	first.is_fragment = true;
	first.frag_id = 9;
	struct gw_packet last = {.ts_us = 1,
	                         .wirelen = 300,
	                         .proto = GW_IPPROTO_UDP,
	                         .src = first.src,
	                         .dst = first.dst,
	                         .is_fragment = true,
	                         .frag_offset = 370,
	                         .frag_id = 9};
	struct gw_packet middle = last;
	middle.ts_us = 3;
	middle.frag_offset = 185;
	gw_flow_table_update(t, &last);
	gw_flow_table_update(t, &first);
	gw_flow_table_update(t, &middle);
	gw_flow_table_flush(t);
	cr_assert_eq(n_ended, 1);
	cr_expect_eq(ended[0].f.packets[GW_DIR_OUT], 3);
	cr_expect_eq(ended[0].f.bytes[GW_DIR_OUT], 1514 + 600);
	cr_expect_eq(ended[0].f.fragments, 2);
	cr_expect_eq(ended[0].f.first_us, 1, "the held fragment came first");
	cr_expect_eq(gw_flow_table_stats(t)->frag_attributed, 2);
	cr_expect_eq(gw_flow_table_stats(t)->frag_unattributed, 0);
	gw_flow_table_free(t);
}

Test(flow_table, icmp_error_counts_in_quoted_flow)
{
	struct gw_flow_table *t = table();
	struct gw_packet out = udp(1, "10.0.0.1", 40000, "192.0.2.1", 33434, 60);
	gw_flow_table_update(t, &out);
	struct gw_packet err = {.ts_us = 2,
	                        .wirelen = 90,
	                        .proto = GW_IPPROTO_ICMP,
	                        .src = addr("192.0.2.1"),
	                        .dst = addr("10.0.0.1"),
	                        .icmp_type = 3,
	                        .icmp_code = 3,
	                        .is_icmp_error = true,
	                        .quoted_ok = true,
	                        .quoted = {.proto = GW_IPPROTO_UDP,
	                                   .src = addr("10.0.0.1"),
	                                   .dst = addr("192.0.2.1"),
	                                   .sport = 40000,
	                                   .dport = 33434}};
	gw_flow_table_update(t, &err);
	/* An error quoting a flow not held becomes an ICMP flow of its own. */
	struct gw_packet orphan = err;
	orphan.quoted.sport = 40001;
	gw_flow_table_update(t, &orphan);
	gw_flow_table_flush(t);
	cr_assert_eq(n_ended, 2);
	cr_expect_eq(ended[0].f.icmp_errors, 1);
	cr_expect_eq(ended[0].f.packets[GW_DIR_IN], 0);
	cr_expect_eq(ended[1].f.key.proto, GW_IPPROTO_ICMP);
	cr_expect_eq(gw_flow_table_stats(t)->icmp_linked, 1);
	gw_flow_table_free(t);
}

Test(flow_table, flush_is_in_first_seen_order_whatever_the_seed)
{
	uint64_t seeds[] = {1, 2, 0xdeadbeef};
	for (size_t s = 0; s < 3; s++) {
		setup();
		opt.hash_seed = seeds[s];
		struct gw_flow_table *t = table();
		for (uint16_t i = 0; i < 50; i++) {
			struct gw_packet p = udp(i, "10.0.0.1", (uint16_t)(3000 + (i * 7919) % 50),
			                         "192.0.2.1", 53, 60);
			gw_flow_table_update(t, &p);
		}
		gw_flow_table_flush(t);
		cr_assert_eq(n_ended, 50);
		for (int i = 0; i < 50; i++)
			cr_expect_eq(ended[i].f.seq, (uint64_t)i + 1);
		gw_flow_table_free(t);
	}
}

Test(flow_table, many_flows_stress_chains)
{
	/* A small bucket array relative to the flows: long chains, removals in the middle. */
	opt.max_flows = 20000;
	opt.idle_timeout_s = 1;
	struct gw_flow_table *t = table();
	char ip[32];
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 20000; i++) {
			snprintf(ip, sizeof ip, "10.%d.%d.1", (i >> 8) & 255, i & 255);
			struct gw_packet p =
			        udp((int64_t)round * 10 * S + i, ip, 1234, "192.0.2.1", 53, 60);
			gw_flow_table_update(t, &p);
		}
		cr_expect_eq(gw_flow_table_stats(t)->active, 20000);
	}
	cr_expect_eq(gw_flow_table_stats(t)->ended[GW_END_IDLE], 40000);
	cr_expect_eq(gw_flow_table_stats(t)->ended[GW_END_EVICTED], 0);
	gw_flow_table_free(t);
}

static int n_due;
static uint64_t due_seq[8];

static uint8_t on_due(void *ud, const struct gw_flow *f)
{
	(void)ud;
	if (n_due < 8)
		due_seq[n_due] = f->seq;
	n_due++;
	return f->key.remote_port == 4444; /* "alert" on this one */
}

Test(flow_table, due_calls_come_at_first_plus_delay_for_held_flows)
{
	opt.n_local_nets = 1;
	cr_assert_eq(gw_cidr_parse("10.0.0.0/8", &opt.local_nets[0], NULL), 0);
	opt.closed_timeout_s = 1;
	struct gw_flow_table *t = table();
	n_due = 0;
	cr_assert_eq(gw_flow_table_on_due(t, on_due, 2 * S), 0);
	/* Flow 1 lives long; flow 2 closes and ends before it is due. */
	struct gw_packet a = tcp(10 * S, "10.0.0.1", 40000, "192.0.2.1", 4444, SYN, 60);
	gw_flow_table_update(t, &a);
	handshake_and_close(t, 10 * S + 10, "10.0.0.1", 40001, "192.0.2.1", 80);
	struct gw_packet b = tcp(11 * S, "10.0.0.1", 40000, "192.0.2.1", 4444, ACK, 60);
	gw_flow_table_update(t, &b);
	gw_flow_table_expire(t, 12 * S - 1);
	cr_expect_eq(n_due, 0, "not due before first + delay");
	gw_flow_table_expire(t, 12 * S + 100);
	cr_assert_eq(n_due, 1, "only the flow still held is due (closed one ended at 11.x s)");
	cr_expect_eq(due_seq[0], 1);
	gw_flow_table_flush(t);
	cr_assert_eq(n_ended, 2);
	bool saw_alerted = false;
	for (int i = 0; i < n_ended; i++)
		if (ended[i].f.key.remote_port == 4444)
			saw_alerted = ended[i].f.alerted;
	cr_expect(saw_alerted, "the due callback's true marks the flow");
	cr_expect_eq(gw_flow_table_stats(t)->due_called, 1);
	gw_flow_table_free(t);
}

Test(flow_table, due_queue_is_bounded)
{
	opt.max_flows = 4;
	struct gw_flow_table *t = table();
	n_due = 0;
	cr_assert_eq(gw_flow_table_on_due(t, on_due, 100 * S), 0);
	for (uint16_t i = 0; i < 6; i++) {
		struct gw_packet p =
		        udp(S + i, "10.0.0.1", (uint16_t)(1000 + i), "192.0.2.1", 53, 80);
		gw_flow_table_update(t, &p);
	}
	/* Two evictions freed slots, but the queue held 4 calls already. */
	cr_expect_eq(gw_flow_table_stats(t)->due_dropped, 2);
	gw_flow_table_free(t);
}
