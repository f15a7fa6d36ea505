/*
 * plan_negatives.c - hard negatives: texts that repeat, or look alike, for
 * innocent reasons.  A detector must not report any of them.
 *
 *   headline      one news headline and link shared by 8-24 accounts over
 *                 weeks, 13 to 48 hours apart (never five in two days);
 *                 each (language, headline) pair is used once per corpus
 *   self_repeat   one active account posting one text 10-40 times in 1-3
 *                 days
 *   repost        a post and 5-60 native reposts (repost_of set, same
 *                 text) by distinct accounts within a day
 *   stock_phrase  a holiday greeting ("С праздником!", "Құттықтаймын!",
 *                 "Happy holidays!", with emoji) written by many on one
 *                 Almaty day; one item per holiday and language, 1-3
 *                 holidays, 0.4% (ru), 0.2% (kk), 0.15% (en) of the posts
 *                 each; always short
 *   topic         8-30 accounts writing about the bureau in 1-2 days, each
 *                 in its own words from the topic word lists
 * Counts: 20 items per 100,000 posts for each type (at least 3; 2 below
 * 5,000 posts, 1 below 1,000), stock phrases as above (at least 8 posts, 3
 * below 5,000 posts).  Below 3,750 posts no item has more than posts / 25
 * posts (synth_item_cap), so small corpora still fit.  Each item draws from its own random stream.
 */
#include "chorus/alloc.h"
#include "synth_int.h"

static uint32_t scaled(const synth_plan *p, uint64_t per_100k, uint32_t min)
{
	uint64_t n = p->o.posts * per_100k / 100000;

	return n < min ? min : n > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)n;
}

/* At least 3 items of each type from 5,000 posts on, 2 from 1,000, else 1. */
static uint32_t items(const synth_plan *p)
{
	return scaled(p, 20, p->o.posts >= 5000 ? 3 : p->o.posts >= 1000 ? 2 : 1);
}

static synth_rng item_rng(const synth_plan *p, int type, uint32_t i)
{
	return synth_rng_make(p->o.seed, STREAM_NEGATIVE, (uint64_t)type << 32 | i);
}

static int pick_lang(synth_rng *r)
{
	uint64_t k = synth_below(r, 1000);

	return k < 500 ? LANG_RU : k < 850 ? LANG_KK : LANG_EN;
}

/* Push count posts of distinct accounts at times in [lo, hi). */
static int crowd(synth_plan *p, synth_rng *r, uint32_t gi, int kind, uint32_t count, int64_t lo,
		 int64_t hi)
{
	int rc = CHORUS_OK;
	uint32_t k;

	for (k = 0; rc == 0 && k < count; k++) {
		uint32_t a = synth_pick_new(p, r, 1);
		if (a == SYNTH_NONE)
			break;
		rc = synth_push_post(p, r, (uint32_t)kind, gi, a, synth_time_daytime(p, r, lo, hi), NULL);
	}
	p->grp[gi].naccounts += k;
	return rc;
}

static int64_t capped(const synth_plan *p, int64_t dur)
{
	return dur < p->span_ms ? dur : p->span_ms;
}

/* ---- headlines ----------------------------------------------------------- */

static int headline_item(synth_plan *p, uint32_t i, uint32_t pair)
{
	synth_rng r = item_rng(p, NEG_HEADLINE, i);
	uint32_t gi, count = synth_item_cap(p, 8 + (uint32_t)synth_below(&r, 17)), k = 0;
	int64_t end = p->start_ms + p->span_ms;
	int64_t t = synth_time_daytime(p, &r, p->start_ms, p->start_ms + p->span_ms * 2 / 3 + 1);
	int rc = synth_push_group(p, 0, NEG_HEADLINE, (int)(pair >> 16), &gi);

	if (rc || (rc = synth_template_headline(p, &p->grp[gi], &r, pair & 0xFFFF)) != 0)
		return rc;
	synth_pick_reset(p);
	for (; rc == 0 && k < count && t < end; k++) {
		uint32_t a = synth_pick_new(p, &r, 1);
		if (a == SYNTH_NONE)
			break;
		rc = synth_push_post(p, &r, KIND_HEADLINE, gi, a, t, NULL);
		t += synth_range(&r, 13 * SYNTH_MS_HOUR, 48 * SYNTH_MS_HOUR);
	}
	p->grp[gi].naccounts = k;
	return rc;
}

static int plan_headlines(synth_plan *p)
{
	synth_rng r = item_rng(p, NEG_HEADLINE, UINT32_MAX);
	uint32_t total = 0, n, *pairs;
	int rc = CHORUS_OK;

	for (int l = 0; l < SYNTH_LANGS; l++)
		total += p->lex.sec[l][SEC_HEAD_EVENT].n;
	if (!(pairs = chorus_mallocarray(total, sizeof *pairs)))
		return CHORUS_ENOMEM;
	n = 0;
	for (uint32_t l = 0; l < SYNTH_LANGS; l++)
		for (uint32_t e = 0; e < p->lex.sec[l][SEC_HEAD_EVENT].n; e++)
			pairs[n++] = l << 16 | e;
	for (uint32_t k = total; k > 1; k--) {
		uint32_t j = (uint32_t)synth_below(&r, k), x = pairs[k - 1];
		pairs[k - 1] = pairs[j];
		pairs[j] = x;
	}
	n = items(p);
	for (uint32_t i = 0; rc == 0 && i < n && i < total; i++)
		rc = headline_item(p, i, pairs[i]);
	chorus_free(pairs);
	return rc;
}

/* ---- one account, one text, many times ---------------------------------- */

static int self_item(synth_plan *p, uint32_t i)
{
	synth_rng r = item_rng(p, NEG_SELF, i);
	uint32_t a = synth_pick_active(p, &r), gi;
	uint32_t count = synth_item_cap(p, 10 + (uint32_t)synth_below(&r, 31));
	int64_t dur = capped(p, synth_range(&r, SYNTH_MS_DAY, 3 * SYNTH_MS_DAY));
	int64_t t0 = synth_window_start(p, &r, dur);
	int rc = synth_push_group(p, 0, NEG_SELF, p->acc[a].lang, &gi);

	if (rc || (rc = synth_template_fixed(p, &p->grp[gi], &r)) != 0)
		return rc;
	p->grp[gi].naccounts = 1;
	for (uint32_t k = 0; rc == 0 && k < count; k++)
		rc = synth_push_post(p, &r, KIND_SELF, gi, a, synth_time_daytime(p, &r, t0, t0 + dur), NULL);
	return rc;
}

/* ---- native reposts ------------------------------------------------------ */

static int repost_item(synth_plan *p, uint32_t i)
{
	synth_rng r = item_rng(p, NEG_REPOST, i);
	int64_t dur = capped(p, SYNTH_MS_DAY), t0 = synth_window_start(p, &r, dur);
	uint32_t count = synth_item_cap(p, 5 + (uint32_t)synth_below(&r, 56)), src, gi, a, q, k;
	int rc;

	synth_pick_reset(p);
	a = synth_pick_new(p, &r, 1);
	rc = synth_push_group(p, 0, NEG_REPOST, p->acc[a].lang, &gi);
	if (rc || (rc = synth_template_fixed(p, &p->grp[gi], &r)) != 0)
		return rc;
	rc = synth_push_post(p, &r, KIND_REPOST_SRC, gi, a, t0, &src);
	for (k = 0; rc == 0 && k < count; k++) {
		int64_t off = (dur - 2000) * synth_range(&r, 1, 1000) / 1000 * synth_range(&r, 1, 1000) / 1000;
		if ((a = synth_pick_new(p, &r, 1)) == SYNTH_NONE)
			break;
		rc = synth_push_post(p, &r, KIND_REPOST, gi, a, t0 + 1000 + off, &q);
		if (rc == 0)
			p->post[q].ref = src;
	}
	p->grp[gi].naccounts = k + 1;
	return rc;
}

/* ---- holiday greetings --------------------------------------------------- */

static int stock_day(synth_plan *p, uint32_t h, int64_t lo, int64_t hi)
{
	static const uint64_t per_100k[SYNTH_LANGS] = { 400, 200, 150 };
	int rc = CHORUS_OK;

	for (int l = 0; rc == 0 && l < SYNTH_LANGS; l++) {
		synth_rng r = item_rng(p, NEG_STOCK, h * SYNTH_LANGS + (uint32_t)l);
		uint32_t gi, count = scaled(p, per_100k[l], p->o.posts >= 5000 ? 8 : 3);
		if (count > p->norganic / 3)
			count = p->norganic / 3;
		rc = synth_push_group(p, 0, NEG_STOCK, l, &gi);
		synth_pick_reset(p);
		if (rc == 0)
			rc = crowd(p, &r, gi, KIND_STOCK, count, lo, hi);
	}
	return rc;
}

static int plan_stock(synth_plan *p)
{
	synth_rng r = item_rng(p, NEG_STOCK, UINT32_MAX);
	int64_t end = p->start_ms + p->span_ms, first = synth_local_midnight(p, p->start_ms);
	uint32_t want = p->o.days / 10, days, used[3] = { 0 }, n = 0;
	int rc = CHORUS_OK;

	if (first < p->start_ms)
		first += SYNTH_MS_DAY;
	days = (uint32_t)((end - first) / SYNTH_MS_DAY);
	if (days == 0)
		return stock_day(p, 0, p->start_ms, end);
	want = want < 1 ? 1 : want > 3 ? 3 : want;
	while (rc == 0 && n < want && n < days) {
		uint32_t d = (uint32_t)synth_below(&r, days), dup = 0;
		for (uint32_t k = 0; k < n; k++)
			dup |= used[k] == d;
		if (dup)
			continue;
		used[n] = d;
		rc = stock_day(p, n++, first + d * SYNTH_MS_DAY, first + (d + 1) * SYNTH_MS_DAY);
	}
	return rc;
}

/* ---- same topic, own words ----------------------------------------------- */

static int topic_item(synth_plan *p, uint32_t i)
{
	synth_rng r = item_rng(p, NEG_TOPIC, i);
	int64_t dur = capped(p, synth_range(&r, SYNTH_MS_DAY, 2 * SYNTH_MS_DAY));
	int64_t t0 = synth_window_start(p, &r, dur);
	uint32_t gi, count = synth_item_cap(p, 8 + (uint32_t)synth_below(&r, 23));
	int rc = synth_push_group(p, 0, NEG_TOPIC, pick_lang(&r), &gi);

	synth_pick_reset(p);
	return rc ? rc : crowd(p, &r, gi, KIND_TOPIC, count, t0, t0 + dur);
}

int synth_plan_negatives(synth_plan *p, chorus_error *err)
{
	uint32_t n = items(p);
	int rc = plan_headlines(p);

	for (uint32_t i = 0; rc == 0 && i < n; i++)
		rc = self_item(p, i);
	for (uint32_t i = 0; rc == 0 && i < n; i++)
		rc = repost_item(p, i);
	if (rc == 0)
		rc = plan_stock(p);
	for (uint32_t i = 0; rc == 0 && i < n; i++)
		rc = topic_item(p, i);
	if (rc == CHORUS_ENOMEM)
		chorus_error_set(err, "", 0, "synth: out of memory planning hard negatives");
	return rc;
}
