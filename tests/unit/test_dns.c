/* test_dns.c — the DNS message reader on hand-built messages: compression,
 * pointer loops (self, cycle, forward, too many jumps), label and name limits,
 * truncation at every byte offset, record types and classes, escaping, and
 * the responses it declines (queries, error RCODEs). */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "ghostwire/wirenames.h"
#include "dnsbuild.h"

static struct gw_dns_answer ans;

static int parse(const struct pb *p)
{
	/* A heap copy of exactly the message, so that ASan sees any overread. */
	uint8_t *copy = malloc(p->n ? p->n : 1);
	cr_assert(copy);
	memcpy(copy, p->b, p->n);
	int res = gw_dns_parse(copy, p->n, &ans);
	free(copy);
	return res;
}

static void expect_malformed(const struct pb *p, enum gw_dns_malformed why)
{
	cr_assert_eq(parse(p), GW_DNS_MALFORMED);
	cr_expect_eq(ans.malformed, why, "reason %s, wanted %s",
	             gw_dns_malformed_name(ans.malformed), gw_dns_malformed_name(why));
}

static const uint8_t V6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x34};

/* www.example.com CNAME edge.cdn.example.net (target compressed against the
 * question), two A and one AAAA for edge.cdn.example.net, an NS record in
 * authority and an OPT record in additional: every section in use. */
static void build_rich(struct pb *p)
{
	db_header(p, DB_RESPONSE, 1, 4, 1, 1);
	size_t q = db_name(p, "www.example.com");
	pb_be16(p, 1);
	pb_be16(p, 1);
	db_ptr(p, q); /* answer 1: www.example.com CNAME edge.cdn.example.net */
	db_rr(p, 5, 300, 11);
	size_t edge = db_labels(p, "edge.cdn"); /* 9 bytes + pointer to "example.com"... */
	db_ptr(p, q + 4);                       /* ...which makes edge.cdn.example.com */
	db_ptr(p, edge);                        /* answer 2: A */
	db_a(p, 60, 192, 0, 2, 34);
	db_ptr(p, edge); /* answer 3: A */
	db_a(p, 60, 192, 0, 2, 35);
	db_ptr(p, edge); /* answer 4: AAAA */
	db_aaaa(p, 120, V6);
	db_ptr(p, q + 4); /* authority: example.com NS ns1.example.com */
	db_rr(p, 2, 3600, 6);
	db_labels(p, "ns1");
	db_ptr(p, q + 4);
	db_end(p); /* additional: OPT, root owner */
	pb_be16(p, 41);
	pb_be16(p, 1232);
	pb_be32(p, 0);
	pb_be16(p, 0);
}

Test(dns, simple_a)
{
	struct pb p = {0};
	db_header(&p, DB_RESPONSE, 1, 1, 0, 0);
	db_question(&p, "example.com", 1);
	db_name(&p, "example.com");
	db_a(&p, 3600, 192, 0, 2, 1);
	cr_assert_eq(parse(&p), GW_DNS_OK);
	cr_expect_eq(ans.id, 0x4242);
	cr_expect_str_eq(ans.qname, "example.com");
	cr_expect_eq(ans.qtype, 1);
	cr_assert_eq(ans.n, 1);
	cr_expect_eq(ans.rr[0].type, GW_DNS_A);
	cr_expect_eq(ans.rr[0].ttl, 3600);
	cr_expect_str_eq(ans.rr[0].owner, "example.com");
	char text[GW_ADDR_STRLEN];
	cr_expect_str_eq(gw_addr_format(&ans.rr[0].addr, text, sizeof text), "192.0.2.1");
}

Test(dns, compression_and_sections)
{
	struct pb p = {0};
	build_rich(&p);
	cr_assert_eq(parse(&p), GW_DNS_OK);
	cr_assert_eq(ans.n, 4);
	cr_expect_eq(ans.rr[0].type, GW_DNS_CNAME);
	cr_expect_str_eq(ans.rr[0].owner, "www.example.com");
	cr_expect_str_eq(ans.rr[0].target, "edge.cdn.example.com");
	cr_expect_eq(ans.rr[1].type, GW_DNS_A);
	cr_expect_str_eq(ans.rr[1].owner, "edge.cdn.example.com");
	cr_expect_eq(ans.rr[2].addr.bytes[3], 35);
	cr_expect_eq(ans.rr[3].type, GW_DNS_AAAA);
	cr_expect_eq(ans.rr[3].addr.family, GW_AF_INET6);
	cr_expect(memcmp(ans.rr[3].addr.bytes, V6, 16) == 0);
	cr_expect_eq(ans.rr[3].ttl, 120);
}

Test(dns, every_prefix_is_truncated)
{
	struct pb p = {0};
	build_rich(&p);
	for (size_t len = 0; len < p.n; len++) {
		struct pb cut = p;
		cut.n = len;
		cr_assert_eq(parse(&cut), GW_DNS_MALFORMED, "prefix of %zu bytes", len);
		cr_assert_eq(ans.malformed, GW_DNS_MAL_TRUNCATED, "prefix of %zu bytes: %s", len,
		             gw_dns_malformed_name(ans.malformed));
	}
	cr_expect_eq(parse(&p), GW_DNS_OK);
}

Test(dns, uppercase_lowered_and_escapes)
{
	struct pb p = {0};
	db_header(&p, DB_RESPONSE, 0, 1, 0, 0);
	pb_u8(&p, 3);
	pb_bytes(&p, "A.b", 3); /* a dot inside a label */
	pb_u8(&p, 2);
	pb_bytes(&p, "\x00\xff", 2);
	db_labels(&p, "WWW.Example");
	db_end(&p);
	db_a(&p, 1, 192, 0, 2, 1);
	cr_assert_eq(parse(&p), GW_DNS_OK);
	cr_assert_eq(ans.n, 1);
	cr_expect_str_eq(ans.rr[0].owner, "a\\046b.\\000\\255.www.example");
}

Test(dns, self_pointer)
{
	struct pb p = {0};
	db_header(&p, DB_RESPONSE, 1, 0, 0, 0);
	db_ptr(&p, 12); /* the question's name points at itself */
	pb_be32(&p, 0x00010001);
	expect_malformed(&p, GW_DNS_MAL_POINTER_LOOP);
}

Test(dns, pointer_back_into_the_same_name)
{
	struct pb p = {0};
	db_header(&p, DB_RESPONSE, 1, 0, 0, 0);
	db_labels(&p, "a.b");
	db_ptr(&p, 14); /* a.b.<b.<b....>>: back into its own labels */
	pb_be32(&p, 0x00010001);
	expect_malformed(&p, GW_DNS_MAL_POINTER_LOOP);
}

Test(dns, two_pointer_cycle)
{
	/* Two questions whose names point at each other: 12 → 20 is forward. */
	struct pb p = {0};
	db_header(&p, DB_RESPONSE, 2, 0, 0, 0);
	db_labels(&p, "x");
	db_ptr(&p, 20);
	pb_be32(&p, 0x00010001);
	db_ptr(&p, 12);
	pb_be32(&p, 0x00010001);
	expect_malformed(&p, GW_DNS_MAL_POINTER_FORWARD);

	/* The same cycle entered from its back: a NULL record's rdata holds
	 * a: → b and b: → a; the next owner points at b. b → a goes back, then
	 * a → b goes forward again. */
	struct pb q = {0};
	db_header(&q, DB_RESPONSE, 0, 2, 0, 0);
	db_end(&q);
	db_rr(&q, 10, 0, 4);
	size_t a = q.n;
	db_ptr(&q, a + 2);
	db_ptr(&q, a);
	db_ptr(&q, a + 2);
	db_a(&q, 1, 192, 0, 2, 1);
	expect_malformed(&q, GW_DNS_MAL_POINTER_FORWARD);
}

Test(dns, forward_pointer)
{
	struct pb p = {0};
	db_header(&p, DB_RESPONSE, 1, 1, 0, 0);
	db_ptr(&p, 18); /* to the answer's owner, after it */
	pb_be32(&p, 0x00010001);
	db_name(&p, "example.com");
	db_a(&p, 1, 192, 0, 2, 1);
	expect_malformed(&p, GW_DNS_MAL_POINTER_FORWARD);
}

Test(dns, pointer_past_the_end)
{
	struct pb p = {0};
	db_header(&p, DB_RESPONSE, 1, 0, 0, 0);
	db_ptr(&p, 0x3fff);
	pb_be32(&p, 0x00010001);
	expect_malformed(&p, GW_DNS_MAL_POINTER_FORWARD);
}

Test(dns, too_many_jumps)
{
	/* A NULL record's rdata holds 70 pointers, each to the one before it, the
	 * first to a root name; the next answer's owner starts at the last. */
	struct pb p = {0};
	db_header(&p, DB_RESPONSE, 0, 2, 0, 0);
	db_end(&p); /* answer 1: root owner, type NULL */
	db_rr(&p, 10, 0, 1 + 70 * 2);
	size_t root = p.n;
	db_end(&p);
	size_t prev = root;
	for (int i = 0; i < 70; i++) {
		size_t here = p.n;
		db_ptr(&p, prev);
		prev = here;
	}
	db_ptr(&p, prev); /* answer 2's owner */
	db_a(&p, 1, 192, 0, 2, 1);
	expect_malformed(&p, GW_DNS_MAL_POINTER_LOOP);
}

Test(dns, label_too_long)
{
	struct pb p = {0};
	db_header(&p, DB_RESPONSE, 1, 0, 0, 0);
	pb_u8(&p, 64);
	pb_zero(&p, 64);
	db_end(&p);
	pb_be32(&p, 0x00010001);
	expect_malformed(&p, GW_DNS_MAL_LABEL_TOO_LONG);

	struct pb q = {0}; /* 0x80: the obsolete label type */
	db_header(&q, DB_RESPONSE, 1, 0, 0, 0);
	pb_u8(&q, 0x80);
	pb_be32(&q, 0x00010001);
	expect_malformed(&q, GW_DNS_MAL_LABEL_TOO_LONG);
}

/* A name of `labels` labels of 63 'a' then one of `last` 'b'. */
static void long_name(struct pb *p, int labels, int last)
{
	for (int i = 0; i < labels; i++) {
		pb_u8(p, 63);
		memset(p->b + p->n, 'a', 63);
		p->n += 63;
	}
	pb_u8(p, (uint8_t)last);
	memset(p->b + p->n, 'b', (size_t)last);
	p->n += (size_t)last;
	db_end(p);
}

Test(dns, name_length_limit)
{
	struct pb p = {0}; /* 3 * 64 + 62 + 1 = 255 octets: the longest legal name */
	db_header(&p, DB_RESPONSE, 0, 1, 0, 0);
	long_name(&p, 3, 61);
	db_a(&p, 1, 192, 0, 2, 1);
	cr_assert_eq(parse(&p), GW_DNS_OK);
	cr_assert_eq(ans.n, 1);
	cr_expect_eq(strlen(ans.rr[0].owner), 253);

	struct pb q = {0}; /* 256 octets */
	db_header(&q, DB_RESPONSE, 0, 1, 0, 0);
	long_name(&q, 3, 62);
	db_a(&q, 1, 192, 0, 2, 1);
	expect_malformed(&q, GW_DNS_MAL_NAME_TOO_LONG);

	/* Over 255 through a pointer: 200 octets of labels, then 100 pointed at. */
	struct pb r = {0};
	db_header(&r, DB_RESPONSE, 1, 1, 0, 0);
	size_t base = r.n;
	long_name(&r, 1, 35); /* 64 + 36 + 1 = 101 octets */
	pb_be32(&r, 0x00010001);
	for (int i = 0; i < 3; i++) {
		pb_u8(&r, 50);
		memset(r.b + r.n, 'c', 50);
		r.n += 50;
	}
	db_ptr(&r, base); /* 153 + 101 = 254 octets: fits */
	db_a(&r, 1, 192, 0, 2, 1);
	cr_expect_eq(parse(&r), GW_DNS_OK);
	struct pb s = {0}; /* one label more: 305 */
	db_header(&s, DB_RESPONSE, 1, 1, 0, 0);
	long_name(&s, 1, 35);
	pb_be32(&s, 0x00010001);
	for (int i = 0; i < 4; i++) {
		pb_u8(&s, 50);
		memset(s.b + s.n, 'c', 50);
		s.n += 50;
	}
	db_ptr(&s, base);
	db_a(&s, 1, 192, 0, 2, 1);
	expect_malformed(&s, GW_DNS_MAL_NAME_TOO_LONG);
}

Test(dns, bad_rdata)
{
	struct pb p = {0};
	db_header(&p, DB_RESPONSE, 0, 1, 0, 0);
	db_name(&p, "example.com");
	db_rr(&p, 1, 1, 5);
	pb_zero(&p, 5);
	expect_malformed(&p, GW_DNS_MAL_BAD_RDATA);

	struct pb q = {0}; /* AAAA of 4 bytes */
	db_header(&q, DB_RESPONSE, 0, 1, 0, 0);
	db_name(&q, "example.com");
	db_rr(&q, 28, 1, 4);
	pb_zero(&q, 4);
	expect_malformed(&q, GW_DNS_MAL_BAD_RDATA);

	struct pb r = {0}; /* CNAME whose name stops short of its rdata */
	db_header(&r, DB_RESPONSE, 0, 1, 0, 0);
	db_name(&r, "example.com");
	db_rr(&r, 5, 1, 8);
	db_name(&r, "a.b");
	pb_zero(&r, 3);
	expect_malformed(&r, GW_DNS_MAL_BAD_RDATA);

	struct pb s = {0}; /* CNAME whose name runs past its rdata */
	db_header(&s, DB_RESPONSE, 0, 1, 0, 0);
	db_name(&s, "example.com");
	db_rr(&s, 5, 1, 3);
	db_name(&s, "abc.d");
	expect_malformed(&s, GW_DNS_MAL_BAD_RDATA);
}

Test(dns, declined_messages)
{
	struct pb p = {0};
	db_header(&p, DB_QUERY, 1, 0, 0, 0);
	db_question(&p, "example.com", 1);
	cr_expect_eq(parse(&p), GW_DNS_NOT_RESPONSE);

	struct pb q = {0};
	db_header(&q, DB_RESPONSE | 3, 1, 0, 0, 0); /* NXDOMAIN */
	db_question(&q, "nx.example.com", 1);
	cr_expect_eq(parse(&q), GW_DNS_ERROR_RCODE);

	struct pb r = {0};
	db_header(&r, DB_RESPONSE | 5 << 11, 0, 0, 0, 0); /* UPDATE */
	cr_expect_eq(parse(&r), GW_DNS_NOT_RESPONSE);

	struct pb s = {0};
	pb_be16(&s, 1);
	cr_expect_eq(parse(&s), GW_DNS_MALFORMED);
	cr_expect_eq(ans.malformed, GW_DNS_MAL_TRUNCATED);
}

Test(dns, other_types_and_classes)
{
	struct pb p = {0};
	db_header(&p, DB_RESPONSE, 0, 4, 0, 0);
	size_t owner = db_name(&p, "example.com");
	db_rr(&p, 15, 60, 4); /* MX, skipped */
	pb_be16(&p, 10);
	db_ptr(&p, owner);
	db_ptr(&p, owner); /* A in class CH, skipped */
	pb_be16(&p, 1);
	pb_be16(&p, 3);
	pb_be32(&p, 60);
	pb_be16(&p, 4);
	pb_be32(&p, 0x7f000001);
	db_ptr(&p, owner); /* A in class IN with mDNS's cache-flush bit: kept */
	pb_be16(&p, 1);
	pb_be16(&p, 0x8001);
	pb_be32(&p, 0x80000000); /* a TTL with the top bit set reads as 0 */
	pb_be16(&p, 4);
	pb_be32(&p, 0xc0000205);
	db_ptr(&p, owner); /* MX rdata is not read: a bad name inside it is not seen */
	db_rr(&p, 15, 60, 3);
	pb_bytes(&p, "\x00\x01\xc0", 3);
	cr_assert_eq(parse(&p), GW_DNS_OK);
	cr_assert_eq(ans.n, 1);
	cr_expect_eq(ans.rr[0].addr.bytes[3], 5);
	cr_expect_eq(ans.rr[0].ttl, 0);
	cr_expect_str_eq(ans.qname, "");
}

Test(dns, records_past_the_limit_are_counted)
{
	struct pb p = {0};
	uint16_t n = GW_DNS_MAX_RECORDS + 6;
	db_header(&p, DB_RESPONSE, 1, n, 0, 0);
	size_t q = db_name(&p, "many.example");
	pb_be32(&p, 0x00010001);
	for (uint16_t i = 0; i < n; i++) {
		db_ptr(&p, q);
		db_a(&p, 30, 198, 51, 100, (uint8_t)i);
	}
	cr_assert_eq(parse(&p), GW_DNS_OK);
	cr_expect_eq(ans.n, GW_DNS_MAX_RECORDS);
	cr_expect_eq(ans.dropped, 6);
	cr_expect_eq(ans.rr[GW_DNS_MAX_RECORDS - 1].addr.bytes[3], GW_DNS_MAX_RECORDS - 1);
}

Test(dns, unrepresentable_names_are_skipped)
{
	/* Two labels of 63 NUL bytes: legal on the wire, 252 characters of \000
	 * each as text: too long to keep. */
	struct pb p = {0};
	db_header(&p, DB_RESPONSE, 0, 2, 0, 0);
	pb_u8(&p, 63);
	pb_zero(&p, 63);
	pb_u8(&p, 63);
	pb_zero(&p, 63);
	pb_u8(&p, 1);
	pb_u8(&p, 'x');
	db_end(&p);
	db_a(&p, 1, 192, 0, 2, 1);
	db_name(&p, "ok.example");
	db_a(&p, 1, 192, 0, 2, 2);
	cr_assert_eq(parse(&p), GW_DNS_OK);
	cr_expect_eq(ans.unrepresentable, 1);
	cr_assert_eq(ans.n, 1);
	cr_expect_str_eq(ans.rr[0].owner, "ok.example");
}

Test(dns, trailing_bytes_are_ignored)
{
	struct pb p = {0};
	db_header(&p, DB_RESPONSE, 0, 1, 0, 0);
	db_name(&p, "example.com");
	db_a(&p, 1, 192, 0, 2, 1);
	pb_zero(&p, 7);
	cr_expect_eq(parse(&p), GW_DNS_OK);
	cr_expect_eq(ans.n, 1);
}

Test(dns, malformed_names)
{
	cr_expect_str_eq(gw_dns_malformed_name(GW_DNS_MAL_TRUNCATED), "truncated");
	cr_expect_str_eq(gw_dns_malformed_name(GW_DNS_MAL_POINTER_LOOP), "pointer-loop");
	for (int i = 0; i < GW_DNS_MAL_COUNT; i++)
		cr_expect(gw_dns_malformed_name(i) != NULL);
	cr_expect_null(gw_dns_malformed_name(GW_DNS_MAL_COUNT));
}
