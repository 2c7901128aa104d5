/* test_pdns.c — the passive-DNS cache through gw_wirenames: CNAME chains give
 * the asked name and the canonical one, several A/AAAA, TTLs against the
 * caller's packet time (floor, cap, grace, the chain's shortest TTL), names per
 * address, eviction and expiry at capacity, and which packets are read as DNS
 * (UDP and TCP port 53, mDNS, snap-length cuts, malformed counts). */
#include <criterion/criterion.h>

#include "ghostwire/wirenames.h"
#include "dnsbuild.h"

#define S 1000000LL /* µs per second */

static struct gw_wirenames *w;
static const struct gw_wirenames_stats *st;
static const int64_t T0 = 1700000000 * S;

static void start(uint32_t max_addrs, uint8_t per)
{
	struct gw_wirenames_limits l;
	gw_wirenames_limits_init(&l);
	l.max_addrs = max_addrs;
	l.names_per_addr = per;
	l.max_flow_names = 16;
	l.hash_seed = 7;
	struct gw_err err = {0};
	cr_assert_eq(gw_wirenames_new(&l, &w, &err), 0, "%s", err.msg);
	st = gw_wirenames_stats(w);
}

static void setup(void)
{
	start(64, 4);
}

static void teardown(void)
{
	gw_wirenames_free(w);
	w = NULL;
}

TestSuite(pdns, .init = setup, .fini = teardown);

/* The message in m as a UDP (or TCP) packet from port 53 at ts. */
static struct gw_packet packet(const struct pb *m, uint8_t proto, uint16_t sport, int64_t ts)
{
	struct gw_packet p = {0};
	p.ts_us = ts;
	p.proto = proto;
	p.has_ports = true;
	p.sport = sport;
	p.dport = 40000;
	gw_addr_set4(&p.src, B4);
	gw_addr_set4(&p.dst, A4);
	p.payload = m->b;
	p.payload_len = p.payload_caplen = (uint32_t)m->n;
	return p;
}

static void observe(const struct pb *m, int64_t ts)
{
	struct gw_packet p = packet(m, GW_IPPROTO_UDP, 53, ts);
	gw_wirenames_observe_dns(w, &p);
}

static struct gw_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct gw_addr x;
	const uint8_t bytes[4] = {a, b, c, d};
	gw_addr_set4(&x, bytes);
	return x;
}

static size_t lookup(struct gw_addr a, int64_t ts, const char **names)
{
	return gw_wirenames_for_addr(w, &a, ts, names, GW_WIRENAMES_MAX_NAMES);
}

/* qname A?, answered by one A record for owner at ttl. */
static void a_answer(struct pb *m, const char *qname, const char *owner, uint32_t ttl,
                     struct gw_addr addr)
{
	db_header(m, DB_RESPONSE, 1, 1, 0, 0);
	db_question(m, qname, 1);
	db_name(m, owner);
	db_a(m, ttl, addr.bytes[0], addr.bytes[1], addr.bytes[2], addr.bytes[3]);
}

Test(pdns, cname_chain_gives_asked_and_canonical_names)
{
	struct pb m = {0};
	db_header(&m, DB_RESPONSE, 1, 2, 0, 0);
	size_t q = db_name(&m, "www.example.com");
	pb_be32(&m, 0x00010001);
	db_ptr(&m, q);
	db_cname(&m, 300, "edge.cdn.net");
	db_name(&m, "edge.cdn.net");
	db_a(&m, 300, 93, 184, 216, 34);
	observe(&m, T0);
	const char *names[GW_WIRENAMES_MAX_NAMES];
	cr_assert_eq(lookup(v4(93, 184, 216, 34), T0 + S, names), 2);
	cr_expect_str_eq(names[0], "www.example.com");
	cr_expect_str_eq(names[1], "edge.cdn.net");
	cr_expect_eq(st->dns_responses, 1);
	cr_expect_eq(st->dns_records, 2);
	cr_expect_eq(st->cache_inserted, 1);
	cr_expect_eq(st->cache_updated, 1); /* the head's name, added to the same address */
	cr_expect_eq(st->cache_hits, 1);
}

Test(pdns, long_chain_uses_its_shortest_ttl)
{
	/* a.example → b.example → c.example A; the CNAME b → c has TTL 100. */
	struct pb m = {0};
	db_header(&m, DB_RESPONSE, 1, 3, 0, 0);
	db_question(&m, "a.example", 1);
	db_name(&m, "c.example"); /* records out of order on purpose */
	db_a(&m, 3000, 192, 0, 2, 7);
	db_name(&m, "b.example");
	db_cname(&m, 100, "c.example");
	db_name(&m, "a.example");
	db_cname(&m, 2000, "b.example");
	observe(&m, T0);
	const char *names[GW_WIRENAMES_MAX_NAMES];
	cr_assert_eq(lookup(v4(192, 0, 2, 7), T0, names), 2);
	cr_expect_str_eq(names[0], "a.example");
	cr_expect_str_eq(names[1], "c.example");
	/* 100 s + 60 s of grace for the chain's head; 3000 s + 60 s for c. */
	cr_expect_eq(lookup(v4(192, 0, 2, 7), T0 + 160 * S, names), 2);
	cr_assert_eq(lookup(v4(192, 0, 2, 7), T0 + 161 * S, names), 1);
	cr_expect_str_eq(names[0], "c.example");
}

Test(pdns, cname_loop_in_an_answer_ends)
{
	struct pb m = {0};
	db_header(&m, DB_RESPONSE, 1, 3, 0, 0);
	db_question(&m, "x.example", 1);
	db_name(&m, "x.example");
	db_cname(&m, 60, "y.example");
	db_name(&m, "y.example");
	db_cname(&m, 60, "x.example");
	db_name(&m, "x.example");
	db_a(&m, 60, 192, 0, 2, 9);
	observe(&m, T0);
	const char *names[GW_WIRENAMES_MAX_NAMES];
	size_t n = lookup(v4(192, 0, 2, 9), T0, names);
	cr_expect(n >= 1 && n <= 2);
	cr_expect_str_eq(names[n - 1], "x.example");
}

Test(pdns, several_a_and_aaaa)
{
	struct pb m = {0};
	db_header(&m, DB_RESPONSE, 1, 3, 0, 0);
	size_t q = db_name(&m, "multi.example");
	pb_be32(&m, 0x00ff0001);
	db_ptr(&m, q);
	db_a(&m, 60, 198, 51, 100, 1);
	db_ptr(&m, q);
	db_a(&m, 60, 198, 51, 100, 2);
	db_ptr(&m, q);
	db_aaaa(&m, 60, B6);
	observe(&m, T0);
	const char *names[GW_WIRENAMES_MAX_NAMES];
	struct gw_addr six;
	gw_addr_set6(&six, B6);
	cr_expect_eq(lookup(v4(198, 51, 100, 1), T0, names), 1);
	cr_expect_eq(lookup(v4(198, 51, 100, 2), T0, names), 1);
	cr_assert_eq(gw_wirenames_for_addr(w, &six, T0, names, 4), 1);
	cr_expect_str_eq(names[0], "multi.example");
	cr_expect_eq(lookup(v4(198, 51, 100, 3), T0, names), 0);
	cr_expect_eq(st->cache_addrs, 3);
	cr_expect_eq(st->cache_misses, 1);
}

Test(pdns, ttl_floor_cap_and_grace)
{
	const char *names[GW_WIRENAMES_MAX_NAMES];
	struct pb m = {0};
	a_answer(&m, "short.example", "short.example", 5, v4(192, 0, 2, 1));
	observe(&m, T0);
	/* 5 s rises to the 60 s floor, plus 60 s of grace. */
	cr_expect_eq(lookup(v4(192, 0, 2, 1), T0 + 120 * S, names), 1);
	cr_expect_eq(lookup(v4(192, 0, 2, 1), T0 + 120 * S + 1, names), 0);
	cr_expect_eq(st->cache_expired, 1); /* the expired address left on lookup */
	cr_expect_eq(st->cache_addrs, 0);

	struct pb n = {0};
	a_answer(&n, "long.example", "long.example", 30 * 86400, v4(192, 0, 2, 2));
	observe(&n, T0);
	/* 30 days fall to the 1-day cap. */
	cr_expect_eq(lookup(v4(192, 0, 2, 2), T0 + (86400 + 60) * S, names), 1);
	cr_expect_eq(lookup(v4(192, 0, 2, 2), T0 + (86400 + 61) * S, names), 0);

	struct pb o = {0};
	a_answer(&o, "mid.example", "mid.example", 300, v4(192, 0, 2, 3));
	observe(&o, T0);
	cr_expect_eq(lookup(v4(192, 0, 2, 3), T0 + 360 * S, names), 1);
	cr_expect_eq(lookup(v4(192, 0, 2, 3), T0 + 361 * S, names), 0);
}

Test(pdns, time_is_the_callers)
{
	/* A lookup before the answer's time still finds it: there is no lower
	 * bound, and nothing here reads a clock. */
	const char *names[GW_WIRENAMES_MAX_NAMES];
	struct pb m = {0};
	a_answer(&m, "t.example", "t.example", 300, v4(192, 0, 2, 4));
	observe(&m, 1 * S);
	cr_expect_eq(lookup(v4(192, 0, 2, 4), 0, names), 1);
	cr_expect_eq(lookup(v4(192, 0, 2, 4), 361 * S, names), 1);
	cr_expect_eq(lookup(v4(192, 0, 2, 4), 362 * S, names), 0);
}

Test(pdns, a_refresh_extends_and_moves_to_front)
{
	const char *names[GW_WIRENAMES_MAX_NAMES];
	struct gw_addr a = v4(203, 0, 113, 5);
	struct pb m1 = {0}, m2 = {0};
	a_answer(&m1, "one.example", "one.example", 100, a);
	a_answer(&m2, "two.example", "two.example", 100, a);
	observe(&m1, T0);
	observe(&m2, T0 + 10 * S);
	cr_assert_eq(lookup(a, T0 + 10 * S, names), 2);
	cr_expect_str_eq(names[0], "two.example");
	observe(&m1, T0 + 100 * S); /* one.example again: newest, valid longer */
	cr_assert_eq(lookup(a, T0 + 100 * S, names), 2);
	cr_expect_str_eq(names[0], "one.example");
	cr_assert_eq(lookup(a, T0 + 200 * S, names), 1);
	cr_expect_str_eq(names[0], "one.example");
}

Test(pdns, names_per_address_are_bounded)
{
	const char *names[GW_WIRENAMES_MAX_NAMES];
	struct gw_addr a = v4(203, 0, 113, 6);
	const char *const all[] = {"n1.example", "n2.example", "n3.example", "n4.example",
	                           "n5.example"};
	for (int i = 0; i < 5; i++) {
		struct pb m = {0};
		a_answer(&m, all[i], all[i], 600, a);
		observe(&m, T0 + i * S);
	}
	cr_assert_eq(lookup(a, T0 + 5 * S, names), 4);
	cr_expect_str_eq(names[0], "n5.example");
	cr_expect_str_eq(names[3], "n2.example");
	cr_expect_eq(st->cache_names_displaced, 1);
	cr_expect_eq(gw_wirenames_for_addr(w, &a, T0, names, 2), 2); /* max respected */
}

Test(pdns, eviction_at_capacity)
{
	teardown();
	start(4, 2);
	const char *names[GW_WIRENAMES_MAX_NAMES];
	for (uint8_t i = 1; i <= 5; i++) {
		struct pb m = {0};
		a_answer(&m, "e.example", "e.example", 600, v4(192, 0, 2, i));
		observe(&m, T0 + i * S);
	}
	cr_expect_eq(st->cache_addrs, 4);
	cr_expect_eq(st->cache_inserted, 5);
	cr_expect_eq(st->cache_evicted, 1);
	cr_expect_eq(lookup(v4(192, 0, 2, 1), T0 + 6 * S, names), 0); /* the oldest left */
	for (uint8_t i = 2; i <= 5; i++)
		cr_expect_eq(lookup(v4(192, 0, 2, i), T0 + 6 * S, names), 1, "address %u", i);
}

Test(pdns, expired_addresses_leave_before_valid_ones)
{
	teardown();
	start(4, 2);
	const char *names[GW_WIRENAMES_MAX_NAMES];
	/* .1 long-lived and oldest, .2 short-lived, .3 and .4 long-lived. */
	const uint32_t ttls[] = {3600, 10, 3600, 3600};
	for (uint8_t i = 1; i <= 4; i++) {
		struct pb m = {0};
		a_answer(&m, "x.example", "x.example", ttls[i - 1], v4(192, 0, 2, i));
		observe(&m, T0 + i * S);
	}
	struct pb m = {0}; /* at +200 s .2 has expired: it makes room, not .1 */
	a_answer(&m, "x.example", "x.example", 3600, v4(192, 0, 2, 5));
	observe(&m, T0 + 200 * S);
	cr_expect_eq(st->cache_expired, 1);
	cr_expect_eq(st->cache_evicted, 0);
	cr_expect_eq(lookup(v4(192, 0, 2, 1), T0 + 201 * S, names), 1);
	cr_expect_eq(lookup(v4(192, 0, 2, 5), T0 + 201 * S, names), 1);
}

Test(pdns, expired_oldest_leaves_as_new_answers_come)
{
	const char *names[GW_WIRENAMES_MAX_NAMES];
	struct pb m1 = {0}, m2 = {0};
	a_answer(&m1, "old.example", "old.example", 10, v4(192, 0, 2, 1));
	a_answer(&m2, "new.example", "new.example", 10, v4(192, 0, 2, 2));
	observe(&m1, T0);
	observe(&m2, T0 + 1000 * S);
	cr_expect_eq(st->cache_expired, 1);
	cr_expect_eq(st->cache_addrs, 1);
	cr_expect_eq(lookup(v4(192, 0, 2, 2), T0 + 1000 * S, names), 1);
}

Test(pdns, which_packets_are_dns)
{
	const char *names[GW_WIRENAMES_MAX_NAMES];
	struct pb m = {0};
	a_answer(&m, "p.example", "p.example", 60, v4(192, 0, 2, 1));
	struct gw_packet p = packet(&m, GW_IPPROTO_UDP, 80, T0); /* not from port 53 */
	gw_wirenames_observe_dns(w, &p);
	p = packet(&m, GW_IPPROTO_UDP, 53, T0);
	p.payload = NULL; /* a fragment */
	gw_wirenames_observe_dns(w, &p);
	cr_expect_eq(st->dns_messages, 0);
	cr_expect_eq(lookup(v4(192, 0, 2, 1), T0, names), 0);

	p = packet(&m, GW_IPPROTO_UDP, 53, T0);
	p.payload_len += 100; /* cut by the snap length */
	p.payload_caplen -= 3;
	gw_wirenames_observe_dns(w, &p);
	cr_expect_eq(st->dns_snaplen_cut, 1);
	cr_expect_eq(st->dns_malformed[GW_DNS_MAL_TRUNCATED], 0);

	p.payload_len = p.payload_caplen; /* the same bytes, whole: malformed */
	gw_wirenames_observe_dns(w, &p);
	cr_expect_eq(st->dns_malformed[GW_DNS_MAL_TRUNCATED], 1);

	struct pb q = {0};
	db_header(&q, DB_QUERY, 1, 0, 0, 0);
	db_question(&q, "q.example", 1);
	observe(&q, T0);
	struct pb e = {0};
	db_header(&e, DB_RESPONSE | 2, 0, 0, 0, 0);
	observe(&e, T0);
	cr_expect_eq(st->dns_not_response, 1);
	cr_expect_eq(st->dns_error_rcode, 1);
	cr_expect_eq(st->dns_messages, 4);
}

Test(pdns, mdns_responses)
{
	const char *names[GW_WIRENAMES_MAX_NAMES];
	struct pb m = {0};
	db_header(&m, 0x8400, 0, 1, 0, 0);
	db_name(&m, "Printer.local");
	pb_be16(&m, 1);
	pb_be16(&m, 0x8001);
	pb_be32(&m, 120);
	pb_be16(&m, 4);
	pb_be32(&m, 0xc0a80114);
	struct gw_packet p = packet(&m, GW_IPPROTO_UDP, 5353, T0);
	gw_wirenames_observe_dns(w, &p);
	cr_assert_eq(lookup(v4(192, 168, 1, 20), T0, names), 1);
	cr_expect_str_eq(names[0], "printer.local");

	teardown();
	struct gw_wirenames_limits l;
	gw_wirenames_limits_init(&l);
	l.mdns = false;
	cr_assert_eq(gw_wirenames_new(&l, &w, NULL), 0);
	gw_wirenames_observe_dns(w, &p);
	cr_expect_eq(gw_wirenames_stats(w)->dns_messages, 0);
}

Test(pdns, dns_over_tcp)
{
	const char *names[GW_WIRENAMES_MAX_NAMES];
	struct pb m1 = {0}, m2 = {0}, seg = {0};
	a_answer(&m1, "t1.example", "t1.example", 60, v4(192, 0, 2, 1));
	a_answer(&m2, "t2.example", "t2.example", 60, v4(192, 0, 2, 2));
	pb_be16(&seg, (uint16_t)m1.n); /* two whole messages in one segment */
	pb_bytes(&seg, m1.b, m1.n);
	pb_be16(&seg, (uint16_t)m2.n);
	pb_bytes(&seg, m2.b, m2.n);
	pb_be16(&seg, 500); /* and the start of a third */
	pb_bytes(&seg, m1.b, 10);
	struct gw_packet p = packet(&seg, GW_IPPROTO_TCP, 53, T0);
	gw_wirenames_observe_dns(w, &p);
	cr_expect_eq(st->dns_responses, 2);
	cr_expect_eq(st->dns_tcp_partial, 1);
	cr_expect_eq(lookup(v4(192, 0, 2, 1), T0, names), 1);
	cr_expect_eq(lookup(v4(192, 0, 2, 2), T0, names), 1);

	p = packet(&m1, GW_IPPROTO_TCP, 5353, T0); /* mDNS is UDP only */
	gw_wirenames_observe_dns(w, &p);
	cr_expect_eq(st->dns_messages, 2);
}

Test(pdns, malformed_counted_by_reason)
{
	struct pb m = {0};
	db_header(&m, DB_RESPONSE, 1, 0, 0, 0);
	db_ptr(&m, 12);
	pb_be32(&m, 0x00010001);
	observe(&m, T0);
	cr_expect_eq(st->dns_malformed[GW_DNS_MAL_POINTER_LOOP], 1);
	cr_expect_eq(st->dns_responses, 0);
}

Test(pdns, limits_are_checked)
{
	struct gw_wirenames_limits l;
	struct gw_wirenames *x = (struct gw_wirenames *)&l;
	struct gw_err err = {0};
	gw_wirenames_limits_init(&l);
	l.max_addrs = 0;
	cr_expect_eq(gw_wirenames_new(&l, &x, &err), GW_EINVAL);
	cr_expect_null(x);
	cr_expect(strstr(err.msg, "max_addrs") != NULL);
	gw_wirenames_limits_init(&l);
	l.names_per_addr = GW_WIRENAMES_MAX_NAMES + 1;
	cr_expect_eq(gw_wirenames_new(&l, &x, &err), GW_EINVAL);
	gw_wirenames_limits_init(&l);
	l.ttl_floor_s = l.ttl_cap_s + 1;
	cr_expect_eq(gw_wirenames_new(&l, &x, &err), GW_EINVAL);
	gw_wirenames_limits_init(&l);
	l.max_flow_names = 0;
	cr_expect_eq(gw_wirenames_new(&l, &x, &err), GW_EINVAL);
	gw_wirenames_free(NULL);
}

Test(pdns, many_addresses_churn)
{
	/* 5000 answers through a 64-address cache: bounded, and every count adds up. */
	for (uint32_t i = 0; i < 5000; i++) {
		struct pb m = {0};
		a_answer(&m, "c.example", "c.example", i % 7 == 0 ? 1 : 600,
		         v4(10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i));
		observe(&m, T0 + (int64_t)i * S / 10);
	}
	cr_expect_eq(st->cache_addrs, 64);
	cr_expect_eq(st->cache_inserted, 5000);
	cr_expect_eq(st->cache_inserted - st->cache_evicted - st->cache_expired, st->cache_addrs);
}
