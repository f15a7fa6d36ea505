/*
 * synth_int.h - shared inside src/synth only: random streams, the lexicon,
 * the plan (accounts, planted groups, post descriptors) and text buffers.
 *
 * The generator works in three steps:
 *   plan    accounts, campaigns, hard negatives and organic posts become
 *           descriptors (time, author, kind, group, text seed): ~40 bytes
 *           per post, no text yet (plan.c, accounts.c, times.c)
 *   order   descriptors are sorted by time and given snowflake ids (order.c)
 *   write   each post's text is rendered from its descriptor just before it
 *           is written, so the text of a million posts is never held in
 *           memory at once (text.c, variant.c, write.c)
 * Every random choice comes from a synth_rng stream named by (seed, stream,
 * index), so one campaign's choices do not depend on how many numbers another
 * part drew: the plan is stable when a part changes.
 */
#ifndef CHORUS_SYNTH_INT_H
#define CHORUS_SYNTH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "chorus/arena.h"
#include "chorus/error.h"
#include "chorus/hash.h"
#include "chorus/synth.h"

/* ---- random streams ------------------------------------------------------ */

typedef struct synth_rng {
	uint64_t s;
} synth_rng;

enum synth_stream {
	STREAM_ACCOUNTS = 1, STREAM_TROLLS, STREAM_CAMPAIGN, STREAM_NEGATIVE,
	STREAM_ORGANIC, STREAM_QUIET, STREAM_IDS, STREAM_TEXT, STREAM_SHARED
};

static inline synth_rng synth_rng_make(uint64_t seed, uint64_t stream, uint64_t index)
{
	synth_rng r;

	r.s = chorus_mix64(seed ^ chorus_mix64(stream << 56 ^ index));
	return r;
}

static inline uint64_t synth_next(synth_rng *r)
{
	return chorus_splitmix64(&r->s);
}

/* Uniform in [0, n); n > 0.  The modulo bias (< n / 2^64) is negligible. */
static inline uint64_t synth_below(synth_rng *r, uint64_t n)
{
	return synth_next(r) % n;
}

/* Uniform in [lo, hi]. */
static inline int64_t synth_range(synth_rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)synth_below(r, (uint64_t)(hi - lo) + 1);
}

/* 1 with probability per_mille / 1000. */
static inline int synth_chance(synth_rng *r, unsigned per_mille)
{
	return synth_below(r, 1000) < per_mille;
}

/* ---- lexicon (corpora/lexicon, compiled in) ------------------------------ */

enum synth_lang { LANG_RU, LANG_KK, LANG_EN, SYNTH_LANGS };

enum synth_section {
	SEC_NOUN, SEC_VERB, SEC_ADJ, SEC_ADV, SEC_FUNC, SEC_OPENER, SEC_CLOSER, SEC_SHORT,
	SEC_PATTERN, SEC_FILLER, SEC_TOPIC_NOUN, SEC_TOPIC_VERB, SEC_TOPIC_ADJ,
	SEC_CAMP_SUBJECT, SEC_CAMP_PREDICATE, SEC_CAMP_FACT, SEC_CAMP_RHETORIC, SEC_CAMP_CALL,
	SEC_CAMP_EXTRA, SEC_CAMP_HASHTAG, SEC_PERSON, SEC_FUNDER, SEC_COUNTRY, SEC_AMOUNT_UNIT,
	SEC_HEAD_PLACE, SEC_HEAD_EVENT, SEC_STOCK, SEC_HASHTAG, SEC_NAME,
	SEC_HANDLE_WORD, SEC_TROLL_WORD, /* English file only */
	SYNTH_SECTIONS
};

typedef struct synth_list {
	const char *const *item;
	uint32_t n;
} synth_list;

typedef struct synth_lexicon {
	synth_list sec[SYNTH_LANGS][SYNTH_SECTIONS];
} synth_lexicon;

extern const char *const chorus_synth_lexicon_ru[];
extern const char *const chorus_synth_lexicon_kk[];
extern const char *const chorus_synth_lexicon_en[];

/* Index the compiled-in lists; CHORUS_ERR when a section is missing. */
int synth_lexicon_init(synth_lexicon *lx, chorus_error *err);

static inline const char *synth_pick(const synth_lexicon *lx, int lang, int sec, synth_rng *r)
{
	const synth_list *l = &lx->sec[lang][sec];

	return l->item[synth_below(r, l->n)];
}

const char *synth_lang_code(int lang);

/* ---- text buffer --------------------------------------------------------- */

#define SYNTH_TEXT_CAP 32768

/* A fixed buffer: an append that does not fit is dropped whole, so the text
 * stays valid UTF-8.  Generated texts are far below the cap by design. */
typedef struct synth_text {
	size_t len;
	char s[SYNTH_TEXT_CAP];
} synth_text;

void synth_text_put(synth_text *t, const char *s, size_t n);
void synth_text_puts(synth_text *t, const char *s);
void synth_text_space(synth_text *t); /* one space unless empty or after space */
void synth_text_u64(synth_text *t, uint64_t v);

/* ---- plan ---------------------------------------------------------------- */

#define SYNTH_NONE UINT32_MAX
#define SYNTH_MS_HOUR INT64_C(3600000)
#define SYNTH_MS_DAY INT64_C(86400000)
#define SYNTH_MAX_SENT 12

enum synth_role { ROLE_ORGANIC, ROLE_TROLL, ROLE_FRESH };

typedef struct synth_account {
	const char *handle; /* NUL-terminated, in the plan arena */
	int64_t created_ms;
	uint8_t lang;
	uint8_t role;
	uint8_t meta;    /* posts carry platform, url, lang, author_created_at */
	uint8_t numeric; /* handle is digits, written as a JSON integer */
} synth_account;

enum synth_kind {
	KIND_ORGANIC, KIND_CAMPAIGN, KIND_HEADLINE, KIND_SELF, KIND_REPOST_SRC, KIND_REPOST,
	KIND_STOCK, KIND_TOPIC
};

enum synth_tier { TIER_EXACT, TIER_LIGHT, TIER_HEAVY, TIER_DISGUISED, SYNTH_TIERS };

enum synth_negative { NEG_HEADLINE, NEG_SELF, NEG_REPOST, NEG_STOCK, NEG_TOPIC, SYNTH_NEGATIVES };

const char *synth_tier_name(int tier);
const char *synth_negative_name(int type);

/* A campaign or a hard negative. */
typedef struct synth_group {
	uint8_t campaign; /* 1 campaign, 0 hard negative */
	uint8_t type;     /* enum synth_tier or enum synth_negative */
	uint8_t lang;
	uint8_t nsent;    /* template sentences (campaigns) */
	uint32_t nfresh;  /* fresh accounts (campaigns) */
	uint32_t naccounts;
	uint32_t label;   /* number in the truth file, from 1 */
	const char *text; /* template (sentences joined by spaces) or fixed text */
	size_t len;
	const char *tags; /* template hashtags, space-separated, or "" */
	uint16_t sent_off[SYNTH_MAX_SENT], sent_len[SYNTH_MAX_SENT];
} synth_group;

enum synth_post_flag {
	POST_ID_INT = 1 /* id written as a JSON integer */
};

typedef struct synth_post {
	int64_t t_ms;    /* UTC milliseconds */
	uint64_t id;     /* snowflake, set by synth_order */
	uint64_t seed;   /* the text's random stream */
	uint32_t author;
	uint32_t group;  /* SYNTH_NONE for organic posts */
	uint32_t ref;    /* reposts: index of the source post */
	uint8_t kind;
	uint8_t lang;
	uint8_t flags;
} synth_post;

typedef struct synth_plan {
	chorus_synth_opts o; /* resolved: no AUTO left */
	int64_t start_ms, span_ms;
	synth_lexicon lex;
	chorus_arena arena;
	synth_account *acc;
	uint32_t nacc, cap_acc;
	uint32_t norganic, ntroll; /* organic accounts first, then the troll pool */
	uint64_t *cum;             /* cumulative activity weight of organic accounts */
	uint32_t *mark;            /* per organic/troll account: stamp of last pick */
	uint32_t stamp;
	uint64_t *names;           /* open-addressing set of handle hashes */
	size_t names_cap, names_used;
	synth_group *grp;
	uint32_t ngrp, cap_grp;
	synth_post *post;
	size_t npost, cap_post;
	uint32_t *order; /* write order: post indices by id */
	size_t ncampaign_posts, nnegative_posts;
} synth_plan;

/* accounts.c */
int synth_accounts_make(synth_plan *p, chorus_error *err);
int synth_account_fresh(synth_plan *p, synth_rng *r, int64_t before_ms, uint32_t *out);
uint32_t synth_pick_active(const synth_plan *p, synth_rng *r);
uint32_t synth_pick_new(synth_plan *p, synth_rng *r, int weighted);
uint32_t synth_pick_troll(synth_plan *p, synth_rng *r);
void synth_pick_reset(synth_plan *p);

/* times.c */
int64_t synth_time_organic(const synth_plan *p, synth_rng *r);
int64_t synth_time_daytime(const synth_plan *p, synth_rng *r, int64_t lo, int64_t hi);
int64_t synth_window_start(const synth_plan *p, synth_rng *r, int64_t dur);
int64_t synth_local_midnight(const synth_plan *p, int64_t t_ms);

/* plan.c */
int synth_plan_build(synth_plan *p, chorus_error *err);
int synth_push_post(synth_plan *p, synth_rng *r, uint32_t kind, uint32_t group,
		    uint32_t author, int64_t t_ms, uint32_t *out);
int synth_push_group(synth_plan *p, int campaign, int type, int lang, uint32_t *out);
/* n, or less in a small corpus: at most posts / 25, at least 5. */
uint32_t synth_item_cap(const synth_plan *p, uint32_t n);

/* plan_negatives.c */
int synth_plan_negatives(synth_plan *p, chorus_error *err);

/* template.c: texts fixed at plan time, kept in the plan arena */
int synth_template_campaign(synth_plan *p, synth_group *g, synth_rng *r);
int synth_template_headline(synth_plan *p, synth_group *g, synth_rng *r, uint32_t event);
int synth_template_fixed(synth_plan *p, synth_group *g, synth_rng *r);

/* order.c */
int synth_order(synth_plan *p, chorus_error *err);

/* ---- rendering ----------------------------------------------------------- */

/* Real sentences of one language from the shared folder, dealt out in
 * reshuffled passes so a sentence comes back only after all others. */
typedef struct synth_pool {
	const char **s;
	uint32_t *len;
	uint32_t n, cap;
	uint32_t *perm;
	uint32_t pos;
	uint32_t per_mille; /* share of organic posts of the language using it */
	synth_rng r;
} synth_pool;

typedef struct synth_shared {
	chorus_arena arena;
	synth_pool pool[SYNTH_LANGS];
	int used; /* 1 when any sentence was loaded */
} synth_shared;

/* shared.c */
int synth_shared_load(synth_shared *sh, const char *dir, uint64_t seed, chorus_error *err);
void synth_shared_dispose(synth_shared *sh);
void synth_shared_budget(synth_shared *sh, const synth_plan *p);
const char *synth_shared_next(synth_pool *pl, size_t *len);

/* text.c: generated text */
void synth_capitalize(char *s, size_t len);
void synth_sentence(const synth_lexicon *lx, int lang, int topic, synth_rng *r, synth_text *t);
void synth_put_emoji(synth_text *t, synth_rng *r, int mood);
void synth_put_link(synth_text *t, synth_rng *r, const synth_plan *p);
void synth_put_mention(synth_text *t, synth_rng *r, const synth_plan *p);
void synth_put_hashtags(synth_text *t, synth_rng *r, const synth_plan *p, int lang, int sec);
void synth_text_organic(const synth_plan *p, synth_shared *sh, const synth_post *q, synth_text *t);
void synth_text_topic(const synth_plan *p, int lang, synth_rng *r, synth_text *t);
void synth_text_stock(const synth_plan *p, int lang, synth_rng *r, synth_text *t);
void synth_text_plain(const synth_plan *p, int lang, int topic, size_t target, synth_rng *r,
		      synth_text *t);

enum { MOOD_ANY, MOOD_ANGRY, MOOD_FESTIVE };

/* variant.c: one campaign copy */
void synth_text_campaign(const synth_plan *p, const synth_group *g, synth_rng *r, synth_text *t);

/* words.c: word surgery */
size_t synth_word_core(const char *w, size_t n, size_t *end);
size_t synth_inflect(int lang, const char *w, size_t n, char *out, size_t cap, synth_rng *r);
void synth_put_disguised(synth_text *t, const char *w, size_t n, int lang, int glyphs,
			 int invisible, synth_rng *r);
int synth_can_disguise(const char *w, size_t n, int lang);

/* write.c */
int synth_write_corpus(const synth_plan *p, synth_shared *sh, FILE *f, chorus_error *err);
int synth_write_truth(const synth_plan *p, const synth_shared *sh, FILE *f, chorus_error *err);

#endif
