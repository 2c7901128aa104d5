/* clock.h — the only reader of the system clock. Replay never calls it for
 * anything that reaches a report: there the packets' timestamps are the clock. */
#ifndef GHOSTWIRE_CLOCK_H
#define GHOSTWIRE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Wall-clock time, µs since the Unix epoch (live packet time base). */
int64_t gw_clock_realtime_us(void);

/* A monotonic clock in µs, for durations and rates (progress, poll timing). */
int64_t gw_clock_monotonic_us(void);

/* Formats µs since the epoch as RFC 3339 UTC with microseconds
 * ("2024-05-01T12:00:00.123456Z") into buf (>= 32 bytes); returns buf. */
char *gw_clock_format_us(int64_t us, char *buf, unsigned size);

/* The length of that text, and the range it can write (years 0000..9999). */
#define GW_CLOCK_TEXT_LEN 27
#define GW_CLOCK_MIN_US   INT64_C(-62167219200000000)
#define GW_CLOCK_MAX_US   INT64_C(253402300799999999)

/* Parses exactly the form gw_clock_format_us writes (len bytes, no NUL
 * needed) into *out; 0, or -1 for anything else. */
int gw_clock_parse_us(const char *text, size_t len, int64_t *out);

#endif
