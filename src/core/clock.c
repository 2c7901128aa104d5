/* core/clock.c — the one place that reads the system clock, and the timestamp
 * format every report uses. */
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

char *gw_clock_format_us(int64_t us, char *buf, unsigned size)
{
	int64_t sec = us / 1000000, frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		sec -= 1;
	}
	time_t t = (time_t)sec;
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, size, "?");
		return buf;
	}
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
	return buf;
}
