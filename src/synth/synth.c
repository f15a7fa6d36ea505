/*
 * synth.c - the public entry points of the generator (chorus/synth.h):
 * resolve the options, then plan, order, render and write (see synth_int.h
 * for the steps).  Memory: ~40 bytes per post for descriptors, 12 more while
 * sorting, 4 for the write order, ~30 per account, plus the shared text
 * (~10 MB) when used.
 */
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/timeutil.h"
#include "synth_int.h"

#define DEFAULT_START_S INT64_C(1585699200) /* 2020-04-01T00:00:00Z */
#define TWITTER_EPOCH_MS INT64_C(1288834974657)

static const char *const tier_names[SYNTH_TIERS] = { "exact", "light", "heavy", "disguised" };
static const char *const negative_names[SYNTH_NEGATIVES] = {
	"headline", "self_repeat", "repost", "stock_phrase", "topic"
};

const char *synth_tier_name(int tier)
{
	return tier_names[tier];
}

const char *synth_negative_name(int type)
{
	return negative_names[type];
}

void chorus_synth_opts_init(chorus_synth_opts *o)
{
	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->posts = 5000;
	o->campaigns = CHORUS_SYNTH_AUTO;
	o->accounts = CHORUS_SYNTH_AUTO;
	o->start = DEFAULT_START_S * CHORUS_NS_PER_SEC;
	o->days = 30;
	o->text_bytes = 200;
	o->shared_dir = NULL;
}

static int usage(chorus_error *err, const char *what)
{
	chorus_error_set(err, "", 0, "synth: %s", what);
	return CHORUS_EUSAGE;
}

/* Check the options and replace AUTO by the scaled defaults. */
static int resolve(const chorus_synth_opts *in, synth_plan *p, chorus_error *err)
{
	chorus_synth_opts *o = &p->o;
	int64_t end_ms, epoch;

	*o = *in;
	if (o->posts < 100 || o->posts > CHORUS_SYNTH_MAX_POSTS)
		return usage(err, "posts must be from 100 to 20000000");
	if (o->days < 1 || o->days > CHORUS_SYNTH_MAX_DAYS)
		return usage(err, "days must be from 1 to 1460");
	if (o->text_bytes < CHORUS_SYNTH_MIN_TEXT || o->text_bytes > CHORUS_SYNTH_MAX_TEXT)
		return usage(err, "text bytes must be from 20 to 4000");
	if (o->campaigns == CHORUS_SYNTH_AUTO)
		o->campaigns = o->posts * 40 / 100000 < 3 ? 3 : o->posts * 40 / 100000;
	if (o->accounts == CHORUS_SYNTH_AUTO)
		o->accounts = o->posts * 3 / 10 < 200 ? 200 : o->posts * 3 / 10;
	if (o->campaigns > o->posts / 5)
		return usage(err, "campaigns must be at most a fifth of the posts");
	if (o->accounts < 10 || o->accounts > o->posts * 10)
		return usage(err, "accounts must be from 10 to ten times the posts");
	p->start_ms = o->start / 1000000;
	p->span_ms = (int64_t)o->days * SYNTH_MS_DAY;
	end_ms = p->start_ms + p->span_ms;
	epoch = p->start_ms >= TWITTER_EPOCH_MS ? TWITTER_EPOCH_MS : p->start_ms;
	if (o->start < 0 || end_ms - epoch >= (INT64_C(1) << 41))
		return usage(err, "the period must lie between 1970 and 2079");
	return CHORUS_OK;
}

static void plan_dispose(synth_plan *p)
{
	chorus_free(p->acc);
	chorus_free(p->cum);
	chorus_free(p->mark);
	chorus_free(p->names);
	chorus_free(p->grp);
	chorus_free(p->post);
	chorus_free(p->order);
	chorus_arena_dispose(&p->arena);
}

static int generate(synth_plan *p, synth_shared *sh, FILE *corpus, FILE *truth, chorus_error *err)
{
	int rc = synth_lexicon_init(&p->lex, err);

	if (rc == 0 && p->o.shared_dir)
		rc = synth_shared_load(sh, p->o.shared_dir, p->o.seed, err);
	if (rc == 0)
		rc = synth_plan_build(p, err);
	if (rc == 0) {
		chorus_free(p->names); /* only needed while making accounts */
		p->names = NULL;
		rc = synth_order(p, err);
	}
	if (rc == 0 && sh->used)
		synth_shared_budget(sh, p);
	if (rc == 0)
		rc = synth_write_corpus(p, sh, corpus, err);
	if (rc == 0 && truth)
		rc = synth_write_truth(p, sh, truth, err);
	return rc;
}

int chorus_synth_write(const chorus_synth_opts *o, FILE *corpus, FILE *truth, chorus_error *err)
{
	synth_plan *p = chorus_calloc(1, sizeof *p);
	synth_shared *sh = chorus_calloc(1, sizeof *sh);
	int rc;

	if (!p || !sh) {
		chorus_free(p);
		chorus_free(sh);
		chorus_error_set(err, "", 0, "synth: out of memory");
		return CHORUS_ENOMEM;
	}
	chorus_arena_init(&p->arena);
	chorus_arena_init(&sh->arena);
	rc = resolve(o, p, err);
	if (rc == 0)
		rc = generate(p, sh, corpus, truth, err);
	synth_shared_dispose(sh);
	plan_dispose(p);
	chorus_free(sh);
	chorus_free(p);
	return rc;
}
