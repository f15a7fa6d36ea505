/*
 * chorus/timeutil.h - UTC instants and durations.
 *
 * An instant is int64 nanoseconds since 1970-01-01T00:00:00Z (covers the
 * years 1678 to 2261); a duration is int64 nanoseconds.
 */
#ifndef CHORUS_TIMEUTIL_H
#define CHORUS_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define CHORUS_NS_PER_SEC INT64_C(1000000000)

/* Parse RFC 3339 ("2020-04-28T09:14:05Z", "2020-04-28 09:14:05.123+06:00";
 * 'T' or 't' or one space; 'Z', 'z' or +-HH:MM; up to 9 fraction digits) into
 * UTC nanoseconds.  0 on success, -1 when malformed or out of range. */
int chorus_time_parse_rfc3339(const char *s, size_t len, int64_t *ns);

/* Days since the epoch for a proleptic Gregorian date (no validation). */
int64_t chorus_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Write an instant as RFC 3339 UTC: "2020-04-28T09:14:05Z", with a fraction
 * (trailing zeros trimmed) only when it is not whole seconds.  out holds at
 * least CHORUS_TIME_STRLEN bytes.  Returns the length written. */
#define CHORUS_TIME_STRLEN 40
size_t chorus_time_format(int64_t ns, char *out);

/* Parse a duration: a positive integer with a unit s, m, h or d ("90m",
 * "48h", "2d"); a bare integer is seconds.  0 on success, -1 otherwise. */
int chorus_duration_parse(const char *s, int64_t *ns);

/* Write a duration in the largest unit that divides it ("48h", "90m"). */
size_t chorus_duration_format(int64_t ns, char *out, size_t cap);

#endif
