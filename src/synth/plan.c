/*
 * plan.c - the corpus as post descriptors: campaigns, hard negatives
 * (plan_negatives.c), the quiet accounts' own posts, then organic posts up
 * to the requested total.
 *
 * A campaign: a template in Russian (50%), Kazakh (35%) or English (15%);
 * 5 + k^2/145 accounts for k uniform in [0, 145] (5 to 150, most campaigns
 * small; below 3,750 posts the top is posts / 25, see synth_item_cap); a
 * burst of 1 to 48 hours starting at a lively hour; each account posts one
 * copy (a troll now and then two), at a time drawn uniformly in the burst
 * or, for 60% of campaigns, front-loaded (offset = burst * u1 * u2).
 * Its accounts: 10-60% fresh (made in the week before), 10-50% from the
 * troll pool, the rest ordinary organic accounts picked at random.  Tiers go
 * round: exact, light, heavy, disguised, so every tier is present from four
 * campaigns on.
 *
 * Planted posts may take at most 60% of the total; the rest is organic:
 * author by activity weight, language mostly the author's, time by the
 * day-night rhythm.  Cost O(posts log accounts).
 */
#include <string.h>

#include "chorus/alloc.h"
#include "synth_int.h"

int synth_push_group(synth_plan *p, int campaign, int type, int lang, uint32_t *out)
{
	synth_group *g;

	if (p->ngrp == p->cap_grp) {
		uint32_t cap = p->cap_grp ? p->cap_grp * 2 : 64;
		g = chorus_reallocarray(p->grp, cap, sizeof *g);
		if (!g)
			return CHORUS_ENOMEM;
		p->grp = g;
		p->cap_grp = cap;
	}
	g = &p->grp[p->ngrp];
	memset(g, 0, sizeof *g);
	g->campaign = (uint8_t)campaign;
	g->type = (uint8_t)type;
	g->lang = (uint8_t)lang;
	g->tags = "";
	*out = p->ngrp++;
	return CHORUS_OK;
}

uint32_t synth_item_cap(const synth_plan *p, uint32_t n)
{
	uint64_t cap = p->o.posts / 25;

	return cap >= n ? n : cap < 5 ? 5 : (uint32_t)cap;
}

/* Add a post; CHORUS_ELIMIT when the requested total is reached. */
int synth_push_post(synth_plan *p, synth_rng *r, uint32_t kind, uint32_t group, uint32_t author,
		    int64_t t_ms, uint32_t *out)
{
	synth_post *q;

	if (p->npost == p->cap_post)
		return CHORUS_ELIMIT;
	q = &p->post[p->npost];
	q->t_ms = t_ms;
	q->id = 0;
	q->seed = synth_next(r);
	q->author = author;
	q->group = group;
	q->ref = SYNTH_NONE;
	q->kind = (uint8_t)kind;
	q->lang = group == SYNTH_NONE ? p->acc[author].lang : p->grp[group].lang;
	q->flags = synth_chance(r, 30) ? POST_ID_INT : 0;
	if (out)
		*out = (uint32_t)p->npost;
	p->npost++;
	if (group != SYNTH_NONE)
		*(p->grp[group].campaign ? &p->ncampaign_posts : &p->nnegative_posts) += 1;
	return CHORUS_OK;
}

/* ---- campaigns ----------------------------------------------------------- */

typedef struct burst {
	int64_t start, dur;
	int front; /* front-loaded */
} burst;

static int64_t burst_time(const burst *b, synth_rng *r)
{
	if (b->front)
		return b->start + b->dur * (int64_t)synth_below(r, 1000) / 1000 *
				  (int64_t)synth_below(r, 1000) / 1000;
	return b->start + (int64_t)synth_below(r, (uint64_t)b->dur);
}

static void plan_burst(const synth_plan *p, synth_rng *r, burst *b)
{
	static const uint8_t hours[] = { 1, 2, 3, 4, 6, 8, 12, 18, 24, 36, 48 };

	b->dur = hours[synth_below(r, sizeof hours)] * SYNTH_MS_HOUR;
	if (b->dur > p->span_ms)
		b->dur = p->span_ms;
	b->start = synth_window_start(p, r, b->dur);
	b->front = synth_chance(r, 600);
}

/* One campaign account: who, and its one or two copies. */
static int campaign_member(synth_plan *p, uint32_t gi, int role, const burst *b, synth_rng *r)
{
	uint32_t a = SYNTH_NONE;
	int rc = CHORUS_OK, copies = 1;

	if (role == ROLE_FRESH)
		rc = synth_account_fresh(p, r, b->start, &a);
	else if (role == ROLE_TROLL)
		a = synth_pick_troll(p, r);
	else
		a = synth_pick_new(p, r, 0);
	if (rc || a == SYNTH_NONE)
		return rc ? rc : CHORUS_ERR;
	if (role == ROLE_TROLL && synth_chance(r, 150))
		copies = 2;
	for (int i = 0; i < copies && rc == 0; i++)
		rc = synth_push_post(p, r, KIND_CAMPAIGN, gi, a, burst_time(b, r), NULL);
	return rc;
}

static int plan_campaign(synth_plan *p, uint32_t i)
{
	synth_rng r = synth_rng_make(p->o.seed, STREAM_CAMPAIGN, i);
	uint64_t k = synth_below(&r, 146), lk = synth_below(&r, 1000), top = synth_item_cap(p, 150);
	uint32_t size = (uint32_t)(5 + k * k * (top - 5) / (145 * 145)), gi, nfresh, ntroll;
	burst b;
	int lang = lk < 500 ? LANG_RU : lk < 850 ? LANG_KK : LANG_EN;
	int rc = synth_push_group(p, 1, (int)(i % SYNTH_TIERS), lang, &gi);

	if (rc || (rc = synth_template_campaign(p, &p->grp[gi], &r)) != 0)
		return rc;
	plan_burst(p, &r, &b);
	nfresh = size * (uint32_t)synth_range(&r, 100, 600) / 1000;
	ntroll = size * (uint32_t)synth_range(&r, 100, 500) / 1000;
	ntroll = ntroll > p->ntroll / 2 ? p->ntroll / 2 : ntroll;
	if (size - nfresh - ntroll > p->norganic / 2)
		nfresh = size - ntroll - p->norganic / 2;
	p->grp[gi].naccounts = size;
	p->grp[gi].nfresh = nfresh;
	synth_pick_reset(p);
	for (uint32_t m = 0; rc == 0 && m < size; m++)
		rc = campaign_member(p, gi, m < nfresh ? ROLE_FRESH : m < nfresh + ntroll ? ROLE_TROLL
						 : ROLE_ORGANIC, &b, &r);
	return rc;
}

/* ---- organic posts ------------------------------------------------------- */

/* Troll and fresh accounts post a little of their own (0-4 / 0-3 posts). */
static int plan_quiet(synth_plan *p)
{
	int rc = CHORUS_OK;
	int64_t end = p->start_ms + p->span_ms;

	for (uint32_t a = p->norganic; rc == 0 && a < p->nacc; a++) {
		synth_rng r = synth_rng_make(p->o.seed, STREAM_QUIET, a);
		int64_t lo = p->acc[a].created_ms > p->start_ms ? p->acc[a].created_ms : p->start_ms;
		unsigned n = (unsigned)synth_below(&r, p->acc[a].role == ROLE_TROLL ? 5 : 4);
		for (unsigned k = 0; rc == 0 && k < n && lo < end; k++)
			rc = synth_push_post(p, &r, KIND_ORGANIC, SYNTH_NONE, a,
					     synth_time_daytime(p, &r, lo, end), NULL);
	}
	return rc;
}

static int plan_organic(synth_plan *p)
{
	synth_rng r = synth_rng_make(p->o.seed, STREAM_ORGANIC, 0);
	uint32_t i;

	while (p->npost < p->cap_post) {
		uint32_t a = synth_pick_active(p, &r);
		int rc = synth_push_post(p, &r, KIND_ORGANIC, SYNTH_NONE, a, synth_time_organic(p, &r), &i);
		if (rc)
			return rc;
		if (synth_chance(&r, 150))
			p->post[i].lang = (uint8_t)synth_below(&r, SYNTH_LANGS);
	}
	return CHORUS_OK;
}

static int too_few(const synth_plan *p, chorus_error *err)
{
	chorus_error_set(err, "", 0,
			 "synth: %llu posts are too few for %llu campaigns and the hard negatives "
			 "(planted posts may be at most 60%% of all); raise --posts or lower --campaigns",
			 (unsigned long long)p->o.posts, (unsigned long long)p->o.campaigns);
	return CHORUS_EUSAGE;
}

int synth_plan_build(synth_plan *p, chorus_error *err)
{
	int rc;

	p->cap_post = (size_t)p->o.posts;
	p->post = chorus_mallocarray(p->cap_post, sizeof *p->post);
	if (!p->post) {
		chorus_error_set(err, "", 0, "synth: out of memory for %zu posts", p->cap_post);
		return CHORUS_ENOMEM;
	}
	rc = synth_accounts_make(p, err);
	for (uint32_t i = 0; rc == 0 && i < p->o.campaigns; i++)
		rc = plan_campaign(p, i);
	if (rc == 0)
		rc = synth_plan_negatives(p, err);
	if (rc == 0)
		rc = plan_quiet(p);
	if (rc == 0 && p->npost > p->cap_post * 6 / 10)
		return too_few(p, err);
	if (rc == 0)
		rc = plan_organic(p);
	if (rc == CHORUS_ELIMIT || rc == CHORUS_ERR)
		return too_few(p, err);
	if (rc == CHORUS_ENOMEM)
		chorus_error_set(err, "", 0, "synth: out of memory while planning");
	return rc;
}
