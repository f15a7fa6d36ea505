/*
 * times.c - when people post.
 *
 * Activity follows Almaty time (UTC+6): a day-night rhythm by local hour
 * (quiet from 1 to 5, rising in the morning, busiest in the evening) and
 * weekends at 80% of weekdays.  Instants are drawn by rejection: uniform in
 * the range, kept with probability weight / max weight (about 60% are
 * kept), in integers only, so the result is the same on every platform.
 */
#include "synth_int.h"

#define ALMATY_MS (6 * SYNTH_MS_HOUR)

static const uint8_t hour_weight[24] = {
	3, 2, 1, 1, 1, 2, 4, 7, 10, 12, 13, 13, 13, 13, 12, 12, 12, 12, 13, 14, 15, 15, 12, 7
};

static unsigned weight(int64_t t_ms)
{
	int64_t local = t_ms + ALMATY_MS;
	int64_t day = local >= 0 ? local / SYNTH_MS_DAY : (local + 1) / SYNTH_MS_DAY - 1;
	int64_t hour = (local - day * SYNTH_MS_DAY) / SYNTH_MS_HOUR;
	int64_t dow = ((day % 7) + 7 + 4) % 7; /* 1970-01-01 was a Thursday; 0 = Sunday */

	return hour_weight[hour] * (dow == 0 || dow == 6 ? 8u : 10u);
}

int64_t synth_time_daytime(const synth_plan *p, synth_rng *r, int64_t lo, int64_t hi)
{
	int64_t t = lo;

	(void)p;
	if (hi <= lo)
		return lo;
	for (int tries = 0; tries < 64; tries++) {
		t = lo + (int64_t)synth_below(r, (uint64_t)(hi - lo));
		if (synth_below(r, 150) < weight(t))
			break;
	}
	return t;
}

int64_t synth_time_organic(const synth_plan *p, synth_rng *r)
{
	return synth_time_daytime(p, r, p->start_ms, p->start_ms + p->span_ms);
}

/* Start of a window of length dur inside the period (at a lively hour). */
int64_t synth_window_start(const synth_plan *p, synth_rng *r, int64_t dur)
{
	int64_t hi = p->start_ms + p->span_ms - dur;

	return synth_time_daytime(p, r, p->start_ms, hi > p->start_ms ? hi : p->start_ms + 1);
}

/* The last Almaty midnight at or before t_ms, as UTC ms. */
int64_t synth_local_midnight(const synth_plan *p, int64_t t_ms)
{
	int64_t local = t_ms + ALMATY_MS;
	int64_t day = local >= 0 ? local / SYNTH_MS_DAY : (local + 1) / SYNTH_MS_DAY - 1;

	(void)p;
	return day * SYNTH_MS_DAY - ALMATY_MS;
}
