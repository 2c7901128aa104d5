/* core/clock.c — the one place that reads the system clock, and the timestamp
 * format every report uses. */
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "ghostwire/clock.h"

int64_t gw_clock_realtime_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t gw_clock_monotonic_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Days since 1970-01-01 → civil date (Howard Hinnant's days_from_civil, inverted). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static char *digits(char *p, unsigned v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

char *gw_clock_format_us(int64_t us, char *buf, unsigned size)
{
	int64_t sec = us / 1000000, frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		sec -= 1;
	}
	int64_t days = sec / 86400, rem = sec % 86400;
	if (rem < 0) {
		rem += 86400;
		days -= 1;
	}
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	if (size < 28 || y < 0 || y > 9999) {
		snprintf(buf, size, "?");
		return buf;
	}
	/* YYYY-MM-DDTHH:MM:SS.uuuuuuZ */
	char *p = digits(buf, (unsigned)y, 4);
	*p++ = '-';
	p = digits(p, m, 2);
	*p++ = '-';
	p = digits(p, d, 2);
	*p++ = 'T';
	p = digits(p, (unsigned)(rem / 3600), 2);
	*p++ = ':';
	p = digits(p, (unsigned)(rem / 60 % 60), 2);
	*p++ = ':';
	p = digits(p, (unsigned)(rem % 60), 2);
	*p++ = '.';
	p = digits(p, (unsigned)frac, 6);
	*p++ = 'Z';
	*p = '\0';
	return buf;
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	static const unsigned char days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

static unsigned parse_digits(const char *s, int n)
{
	unsigned v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	return v;
}

int gw_clock_parse_us(const char *t, size_t len, int64_t *out)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	*out = 0;
	if (len != GW_CLOCK_TEXT_LEN)
		return -1;
	for (size_t i = 0; i < len; i++) {
		bool ok = shape[i] == 'd' ? t[i] >= '0' && t[i] <= '9' : t[i] == shape[i];
		if (!ok)
			return -1;
	}
	unsigned y = parse_digits(t, 4), mo = parse_digits(t + 5, 2), d = parse_digits(t + 8, 2);
	unsigned h = parse_digits(t + 11, 2), mi = parse_digits(t + 14, 2),
	         s = parse_digits(t + 17, 2);
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59)
		return -1;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	*out = secs * 1000000 + parse_digits(t + 20, 6);
	return 0;
}
