/* test_clock.c — the report timestamp format against gmtime_r, across eras. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <time.h>

#include "ghostwire/clock.h"

static void expect_like_gmtime(int64_t us)
{
	char got[32], want[96];
	int64_t sec = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
	time_t t = (time_t)sec;
	struct tm tm;
	cr_assert_not_null(gmtime_r(&t, &tm));
	snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	         (int)(us - sec * 1000000));
	cr_expect_str_eq(gw_clock_format_us(us, got, sizeof got), want, "us=%lld", (long long)us);
}

Test(clock, format_matches_gmtime)
{
	expect_like_gmtime(0);
	expect_like_gmtime(1714564800123456LL);
	expect_like_gmtime(-1);
	expect_like_gmtime(951782400000000LL);  /* 2000-02-29 */
	expect_like_gmtime(4102444799999999LL); /* 2099-12-31T23:59:59.999999 */
	for (int64_t us = -86400LL * 1000000 * 800; us < 86400LL * 1000000 * 365 * 200;
	     us += 86400LL * 1000000 * 17 + 3723000001LL)
		expect_like_gmtime(us);
}

Test(clock, out_of_range_and_small_buffers)
{
	char buf[32];
	cr_expect_str_eq(gw_clock_format_us(INT64_MAX, buf, sizeof buf), "?");
	char small[8];
	cr_expect_str_eq(gw_clock_format_us(0, small, sizeof small), "?");
}
