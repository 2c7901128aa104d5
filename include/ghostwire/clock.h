/* clock.h — the only reader of the system clock. Replay never calls it for
 * anything that reaches a report: there the packets' timestamps are the clock. */
#ifndef GHOSTWIRE_CLOCK_H
#define GHOSTWIRE_CLOCK_H

#include <stdint.h>

/* Wall-clock time, µs since the Unix epoch (live packet time base). */
int64_t gw_clock_realtime_us(void);

/* A monotonic clock in µs, for durations and rates (progress, poll timing). */
int64_t gw_clock_monotonic_us(void);

/* Formats µs since the epoch as RFC 3339 UTC with microseconds
 * ("2024-05-01T12:00:00.123456Z") into buf (>= 32 bytes); returns buf. */
char *gw_clock_format_us(int64_t us, char *buf, unsigned size);

#endif
