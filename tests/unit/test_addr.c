/* test_addr.c — address and CIDR parsing, formatting and matching. */
#include <criterion/criterion.h>

#include "ghostwire/addr.h"

Test(addr, parse_and_format_round_trip)
{
	const char *texts[] = {"192.0.2.1", "0.0.0.0", "2001:db8::1", "::1", "fe80::1:2:3:4"};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		struct gw_addr a;
		char buf[GW_ADDR_STRLEN];
		cr_assert_eq(gw_addr_parse(texts[i], &a, NULL), 0, "%s", texts[i]);
		cr_expect_str_eq(gw_addr_format(&a, buf, sizeof buf), texts[i]);
	}
}

Test(addr, rejects_garbage)
{
	struct gw_addr a;
	struct gw_err err = {0};
	cr_expect_lt(gw_addr_parse("192.0.2", &a, &err), 0);
	cr_expect(strstr(err.msg, "192.0.2") != NULL);
	cr_expect_lt(gw_addr_parse("", &a, NULL), 0);
	cr_expect_lt(gw_addr_parse("1.2.3.4.5", &a, NULL), 0);
}

Test(addr, cidr_parse_and_contains)
{
	struct gw_cidr c;
	struct gw_addr in, out;
	cr_assert_eq(gw_cidr_parse("10.0.0.0/8", &c, NULL), 0);
	cr_assert_eq(gw_addr_parse("10.255.1.2", &in, NULL), 0);
	cr_assert_eq(gw_addr_parse("11.0.0.1", &out, NULL), 0);
	cr_expect(gw_cidr_contains(&c, &in));
	cr_expect_not(gw_cidr_contains(&c, &out));

	cr_assert_eq(gw_cidr_parse("2001:db8:8000::/33", &c, NULL), 0);
	cr_assert_eq(gw_addr_parse("2001:db8:8fff::1", &in, NULL), 0);
	cr_assert_eq(gw_addr_parse("2001:db8:7fff::1", &out, NULL), 0);
	cr_expect(gw_cidr_contains(&c, &in));
	cr_expect_not(gw_cidr_contains(&c, &out));
	cr_expect_not(gw_cidr_contains(&c, &(struct gw_addr){.family = GW_AF_INET}));

	cr_assert_eq(gw_cidr_parse("0.0.0.0/0", &c, NULL), 0);
	cr_expect(gw_cidr_contains(&c, &out) == false); /* IPv6 is not in 0.0.0.0/0 */
	cr_assert_eq(gw_cidr_parse("192.0.2.7", &c, NULL), 0);
	cr_expect_eq(c.prefix, 32);
}

Test(addr, cidr_rejects_bad_input)
{
	struct gw_cidr c;
	const char *bad[] = {
	        "10.0.0.1/8", "10.0.0.0/33",
	        "10.0.0.0/",  "10.0.0.0/x",
	        "::/129",     "10.0.0.0/-1",
	        "nonsense/8", "1111111111111111111111111111111111111111111111111111111111111111/8"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct gw_err err = {0};
		cr_expect_lt(gw_cidr_parse(bad[i], &c, &err), 0, "%s", bad[i]);
		cr_expect_neq(err.msg[0], '\0', "%s has a message", bad[i]);
	}
}
