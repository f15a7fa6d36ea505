/*
 * timeutil.c - RFC 3339 instants and durations as int64 nanoseconds (UTC).
 *
 * Dates use the proleptic Gregorian calendar; days_from_civil is Howard
 * Hinnant's algorithm (public domain), exact for every int64 year we accept.
 * Accepted years are 1678..2261 so that every instant fits in int64 ns.
 */
#include <stdio.h>
#include <string.h>

#include "chorus/timeutil.h"

int64_t chorus_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const int64_t yoe = y - era * 400;
	const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const int64_t doe = z - era * 146097;
	const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const int64_t mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, unsigned m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

/* Read exactly n digits at s[*i]; -1 when they are not all digits. */
static int64_t digits(const char *s, size_t len, size_t *i, int n)
{
	int64_t v = 0;

	if (*i + (size_t)n > len)
		return -1;
	for (int k = 0; k < n; k++) {
		char c = s[*i + (size_t)k];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*i += (size_t)n;
	return v;
}

static int expect(const char *s, size_t len, size_t *i, char c)
{
	if (*i >= len || s[*i] != c)
		return -1;
	(*i)++;
	return 0;
}

/* Fraction ".ddd" (1-9 digits) as nanoseconds; 0 when absent. */
static int64_t fraction(const char *s, size_t len, size_t *i)
{
	int64_t ns = 0, scale = 100000000;
	int n = 0;

	if (*i >= len || s[*i] != '.')
		return 0;
	(*i)++;
	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		if (n++ >= 9)
			return -1;
		ns += (s[*i] - '0') * scale;
		scale /= 10;
		(*i)++;
	}
	return n ? ns : -1;
}

/* Offset "Z" or "+HH:MM" as seconds east of UTC; INT64_MIN when bad. */
static int64_t offset(const char *s, size_t len, size_t *i)
{
	int64_t h, m, sign;

	if (*i < len && (s[*i] == 'Z' || s[*i] == 'z')) {
		(*i)++;
		return 0;
	}
	if (*i >= len || (s[*i] != '+' && s[*i] != '-'))
		return INT64_MIN;
	sign = s[*i] == '-' ? -1 : 1;
	(*i)++;
	if ((h = digits(s, len, i, 2)) < 0 || expect(s, len, i, ':') ||
	    (m = digits(s, len, i, 2)) < 0 || h > 23 || m > 59)
		return INT64_MIN;
	return sign * (h * 3600 + m * 60);
}

int chorus_time_parse_rfc3339(const char *s, size_t len, int64_t *ns)
{
	size_t i = 0;
	int64_t y, mo, d, h, mi, sec, frac, off, secs;

	if ((y = digits(s, len, &i, 4)) < 0 || expect(s, len, &i, '-') ||
	    (mo = digits(s, len, &i, 2)) < 0 || expect(s, len, &i, '-') ||
	    (d = digits(s, len, &i, 2)) < 0)
		return -1;
	if (i >= len || (s[i] != 'T' && s[i] != 't' && s[i] != ' '))
		return -1;
	i++;
	if ((h = digits(s, len, &i, 2)) < 0 || expect(s, len, &i, ':') ||
	    (mi = digits(s, len, &i, 2)) < 0 || expect(s, len, &i, ':') ||
	    (sec = digits(s, len, &i, 2)) < 0)
		return -1;
	if ((frac = fraction(s, len, &i)) < 0 || (off = offset(s, len, &i)) == INT64_MIN)
		return -1;
	if (i != len || y < 1678 || y > 2261 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, (unsigned)mo) || h > 23 || mi > 59 || sec > 60)
		return -1;
	secs = chorus_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	       h * 3600 + mi * 60 + sec - off;
	if (secs > INT64_MAX / CHORUS_NS_PER_SEC - 1 || secs < INT64_MIN / CHORUS_NS_PER_SEC + 1)
		return -1;
	*ns = secs * CHORUS_NS_PER_SEC + frac;
	return 0;
}

size_t chorus_time_format(int64_t ns, char *out)
{
	int64_t secs = ns / CHORUS_NS_PER_SEC, frac = ns % CHORUS_NS_PER_SEC;
	int64_t days, rem, y;
	unsigned m, d;
	int n;

	if (frac < 0) {
		frac += CHORUS_NS_PER_SEC;
		secs--;
	}
	days = secs / 86400;
	rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	n = snprintf(out, CHORUS_TIME_STRLEN, "%04lld-%02u-%02uT%02d:%02d:%02d",
		     (long long)y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	if (frac) {
		char f[16];
		int k = snprintf(f, sizeof f, "%09lld", (long long)frac);
		while (k > 0 && f[k - 1] == '0')
			f[--k] = '\0';
		n += snprintf(out + n, CHORUS_TIME_STRLEN - (size_t)n, ".%s", f);
	}
	out[n++] = 'Z';
	out[n] = '\0';
	return (size_t)n;
}

int chorus_duration_parse(const char *s, int64_t *ns)
{
	int64_t v = 0, unit = 1;
	size_t i = 0;

	if (!s || !*s)
		return -1;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0 || v == 0)
		return -1;
	switch (s[i]) {
	case '\0': unit = 1; break;
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return -1;
	}
	if (s[i] && s[i + 1])
		return -1;
	if (v > INT64_MAX / CHORUS_NS_PER_SEC / unit)
		return -1;
	*ns = v * unit * CHORUS_NS_PER_SEC;
	return 0;
}

size_t chorus_duration_format(int64_t ns, char *out, size_t cap)
{
	static const struct { int64_t secs; char unit; } units[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' }
	};
	int64_t secs = ns / CHORUS_NS_PER_SEC;
	int n;

	for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) {
		if (secs % units[k].secs == 0) {
			n = snprintf(out, cap, "%lld%c", (long long)(secs / units[k].secs), units[k].unit);
			return n < 0 ? 0 : (size_t)n;
		}
	}
	n = snprintf(out, cap, "%llds", (long long)secs);
	return n < 0 ? 0 : (size_t)n;
}
