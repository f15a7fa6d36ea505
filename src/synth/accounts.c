/*
 * accounts.c - who posts: organic accounts, the troll pool, fresh accounts.
 *
 * Organic accounts (the first norganic) have a preferred language (ru 55%,
 * kk 25%, en 20%) and an activity weight W / (1 + u), u uniform in [0, W):
 * a Pareto tail with exponent 1, so a few accounts post a hundred times more
 * than most, and most post once or not at all.  W = norganic / 10 (between
 * 20 and 1000) keeps the busiest account near 1-2% of the posts however
 * small the corpus.  Accounts were created years before the period.
 * The troll pool (next ntroll) was created in the year before the period,
 * posts little of its own and joins many campaigns.  Fresh accounts are
 * made for one campaign, in the week before its burst.
 *
 * Handles look like real ones ("aidos_nurlanov", "marina1987",
 * "steppe_wolf", "patriot_truth_2841") and are unique: an open-addressing
 * set of their 64-bit hashes turns a clash into a retry with digits added.
 * About 1% of organic accounts have a numeric id for a handle (10 to 20
 * digits, written as a JSON integer, some past 2^64).
 *
 * Picking accounts for one planted item without repeats uses a stamp per
 * account instead of a set: synth_pick_reset starts a new item in O(1).
 */
#include <string.h>

#include "chorus/alloc.h"
#include "synth_int.h"

#define HANDLE_MAX 96

typedef struct handle {
	char s[HANDLE_MAX];
	size_t n;
} handle;

static void h_put(handle *h, const char *s)
{
	size_t k = strlen(s);

	if (k > HANDLE_MAX - 1 - h->n)
		k = HANDLE_MAX - 1 - h->n;
	memcpy(h->s + h->n, s, k);
	h->n += k;
	h->s[h->n] = '\0';
}

static void h_digits(handle *h, synth_rng *r, unsigned n)
{
	char d[24];

	d[0] = (char)('1' + synth_below(r, 9));
	for (unsigned i = 1; i < n && i < sizeof d - 1; i++)
		d[i] = (char)('0' + synth_below(r, 10));
	d[n < sizeof d - 1 ? n : sizeof d - 1] = '\0';
	h_put(h, d);
}

static void h_year(handle *h, synth_rng *r)
{
	char d[8];
	unsigned y = 1965 + (unsigned)synth_below(r, 42);

	d[0] = (char)('0' + y / 1000);
	d[1] = (char)('0' + y / 100 % 10);
	d[2] = (char)('0' + y / 10 % 10);
	d[3] = (char)('0' + y % 10);
	d[4] = '\0';
	h_put(h, synth_chance(r, 500) ? d : d + 2);
}

static const char *word(const synth_plan *p, int lang, int sec, synth_rng *r)
{
	return synth_pick(&p->lex, lang, sec, r);
}

static void organic_handle(const synth_plan *p, int lang, synth_rng *r, handle *h)
{
	unsigned k = (unsigned)synth_below(r, 100);

	h_put(h, word(p, lang, k < 65 || k >= 88 ? SEC_NAME : SEC_HANDLE_WORD, r));
	if (k < 30) {
		h_put(h, "_");
		h_put(h, word(p, lang, SEC_NAME, r));
	} else if (k < 50) {
		h_put(h, word(p, lang, SEC_NAME, r));
		h_digits(h, r, 2);
	} else if (k < 65) {
		h_year(h, r);
	} else if (k < 88) {
		h_put(h, "_");
		h_put(h, word(p, lang, SEC_HANDLE_WORD, r));
	} else if (k < 96) {
		h_put(h, "_");
		h_put(h, word(p, lang, SEC_HANDLE_WORD, r));
		h_digits(h, r, 1);
	} else {
		h->n = 0;
		h_put(h, "user");
		h_digits(h, r, 8);
	}
}

/* Troll and fresh accounts: patriotic words and long digit tails. */
static void troll_handle(const synth_plan *p, int lang, synth_rng *r, handle *h)
{
	unsigned k = (unsigned)synth_below(r, 100);

	if (k < 40) {
		h_put(h, word(p, lang, SEC_TROLL_WORD, r));
		h_put(h, "_");
		h_put(h, word(p, lang, SEC_TROLL_WORD, r));
		h_put(h, "_");
		h_digits(h, r, 2 + (unsigned)synth_below(r, 3));
	} else if (k < 70) {
		h_put(h, word(p, lang, SEC_NAME, r));
		h_digits(h, r, 8);
	} else {
		h_put(h, word(p, lang, SEC_TROLL_WORD, r));
		h_put(h, "_");
		h_put(h, word(p, lang, SEC_NAME, r));
		h_digits(h, r, 2);
	}
}

/* ---- uniqueness ---------------------------------------------------------- */

static int names_grow(synth_plan *p)
{
	size_t cap = p->names_cap ? p->names_cap * 2 : 4096;
	uint64_t *t = chorus_calloc(cap, sizeof *t);

	if (!t)
		return CHORUS_ENOMEM;
	for (size_t i = 0; i < p->names_cap; i++) {
		uint64_t h = p->names[i];
		if (!h)
			continue;
		size_t k = (size_t)h & (cap - 1);
		while (t[k])
			k = (k + 1) & (cap - 1);
		t[k] = h;
	}
	chorus_free(p->names);
	p->names = t;
	p->names_cap = cap;
	return CHORUS_OK;
}

/* 1 when the handle was new (and is now taken), 0 when taken, < 0 error. */
static int names_take(synth_plan *p, const char *s, size_t n)
{
	uint64_t h = chorus_hash64(s, n, 0x68616e646c65ULL) | 1;
	size_t k;

	if ((p->names_used + 1) * 2 > p->names_cap && names_grow(p))
		return CHORUS_ENOMEM;
	for (k = (size_t)h & (p->names_cap - 1); p->names[k]; k = (k + 1) & (p->names_cap - 1))
		if (p->names[k] == h)
			return 0;
	p->names[k] = h;
	p->names_used++;
	return 1;
}

/* Make h unique, adding digits as needed, and keep it in the arena. */
static int settle(synth_plan *p, handle *h, synth_rng *r, const char **out)
{
	for (;;) {
		int rc = names_take(p, h->s, h->n);
		if (rc < 0)
			return rc;
		if (rc == 1)
			break;
		if (h->n > HANDLE_MAX - 8)
			h->n = HANDLE_MAX - 8;
		h_put(h, "_");
		h_digits(h, r, 2 + (unsigned)synth_below(r, 3));
	}
	*out = chorus_arena_strndup(&p->arena, h->s, h->n);
	return *out ? CHORUS_OK : CHORUS_ENOMEM;
}

/* ---- accounts ------------------------------------------------------------ */

static int push_account(synth_plan *p, uint32_t *out)
{
	if (p->nacc == p->cap_acc) {
		uint32_t cap = p->cap_acc ? p->cap_acc * 2 : 1024;
		synth_account *a = chorus_reallocarray(p->acc, cap, sizeof *a);
		if (!a)
			return CHORUS_ENOMEM;
		p->acc = a;
		p->cap_acc = cap;
	}
	memset(&p->acc[p->nacc], 0, sizeof *p->acc);
	*out = p->nacc++;
	return CHORUS_OK;
}

static int pick_lang(synth_rng *r, unsigned ru, unsigned kk)
{
	uint64_t k = synth_below(r, 1000);

	return k < ru ? LANG_RU : k < ru + kk ? LANG_KK : LANG_EN;
}

static int make_organic(synth_plan *p, uint32_t i)
{
	synth_rng r = synth_rng_make(p->o.seed, STREAM_ACCOUNTS, i);
	uint64_t w = p->norganic / 10;
	synth_account *a = &p->acc[i];
	handle h = { .n = 0 };

	w = w < 20 ? 20 : w > 1000 ? 1000 : w;
	p->cum[i] = (i ? p->cum[i - 1] : 0) + w / (1 + synth_below(&r, w));
	a->role = ROLE_ORGANIC;
	a->lang = (uint8_t)pick_lang(&r, 550, 250);
	a->created_ms = p->start_ms - 30 * SYNTH_MS_DAY - (int64_t)synth_below(&r, 4000) * SYNTH_MS_DAY -
			(int64_t)synth_below(&r, (uint64_t)SYNTH_MS_DAY);
	a->meta = synth_chance(&r, 450);
	a->numeric = synth_chance(&r, 10);
	if (a->numeric)
		h_digits(&h, &r, 10 + (unsigned)synth_below(&r, 11));
	else
		organic_handle(p, a->lang, &r, &h);
	return settle(p, &h, &r, &a->handle);
}

static int make_troll(synth_plan *p, uint32_t i)
{
	synth_rng r = synth_rng_make(p->o.seed, STREAM_TROLLS, i);
	synth_account *a = &p->acc[i];
	handle h = { .n = 0 };

	a->role = ROLE_TROLL;
	a->lang = (uint8_t)pick_lang(&r, 600, 400);
	a->created_ms = p->start_ms - 30 * SYNTH_MS_DAY - (int64_t)synth_below(&r, 335) * SYNTH_MS_DAY -
			(int64_t)synth_below(&r, (uint64_t)SYNTH_MS_DAY);
	a->meta = synth_chance(&r, 600);
	troll_handle(p, a->lang, &r, &h);
	return settle(p, &h, &r, &a->handle);
}

int synth_accounts_make(synth_plan *p, chorus_error *err)
{
	uint64_t trolls = p->o.campaigns * 4;
	uint32_t id;
	int rc = CHORUS_OK;

	p->norganic = (uint32_t)p->o.accounts;
	p->ntroll = p->o.campaigns ? (uint32_t)(trolls < 30 ? 30 : trolls > 5000 ? 5000 : trolls) : 0;
	p->cum = chorus_mallocarray(p->norganic, sizeof *p->cum);
	p->mark = chorus_calloc((size_t)p->norganic + p->ntroll, sizeof *p->mark);
	if (!p->cum || !p->mark)
		rc = CHORUS_ENOMEM;
	for (uint32_t i = 0; rc == 0 && i < p->norganic + p->ntroll; i++) {
		rc = push_account(p, &id);
		if (rc == 0)
			rc = i < p->norganic ? make_organic(p, i) : make_troll(p, i);
	}
	if (rc)
		chorus_error_set(err, "", 0, "synth: out of memory making accounts");
	return rc;
}

int synth_account_fresh(synth_plan *p, synth_rng *r, int64_t before_ms, uint32_t *out)
{
	handle h = { .n = 0 };
	synth_account *a;
	uint32_t i;
	int rc = push_account(p, &i);

	if (rc)
		return rc;
	a = &p->acc[i];
	a->role = ROLE_FRESH;
	a->lang = (uint8_t)pick_lang(r, 600, 400);
	a->created_ms = before_ms - 2 * SYNTH_MS_HOUR -
			(int64_t)synth_below(r, (uint64_t)(7 * SYNTH_MS_DAY - 2 * SYNTH_MS_HOUR));
	a->meta = 1;
	troll_handle(p, a->lang, r, &h);
	rc = settle(p, &h, r, &p->acc[i].handle);
	if (rc == 0)
		*out = i;
	return rc;
}

/* ---- picking ------------------------------------------------------------- */

uint32_t synth_pick_active(const synth_plan *p, synth_rng *r)
{
	uint64_t x = synth_below(r, p->cum[p->norganic - 1]);
	uint32_t lo = 0, hi = p->norganic - 1;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (p->cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

void synth_pick_reset(synth_plan *p)
{
	if (++p->stamp == 0) {
		memset(p->mark, 0, ((size_t)p->norganic + p->ntroll) * sizeof *p->mark);
		p->stamp = 1;
	}
}

/* An unmarked account in [lo, lo + n): random tries, then a linear probe. */
static uint32_t pick_unmarked(synth_plan *p, synth_rng *r, uint32_t lo, uint32_t n, int weighted)
{
	uint32_t a = lo;

	if (!n)
		return SYNTH_NONE;
	for (int tries = 0; tries < 32; tries++) {
		a = weighted ? synth_pick_active(p, r) : lo + (uint32_t)synth_below(r, n);
		if (p->mark[a] != p->stamp)
			break;
	}
	for (uint32_t k = 0; k < n && p->mark[a] == p->stamp; k++)
		a = lo + (a - lo + 1) % n;
	if (p->mark[a] == p->stamp)
		return SYNTH_NONE;
	p->mark[a] = p->stamp;
	return a;
}

uint32_t synth_pick_new(synth_plan *p, synth_rng *r, int weighted)
{
	return pick_unmarked(p, r, 0, p->norganic, weighted);
}

uint32_t synth_pick_troll(synth_plan *p, synth_rng *r)
{
	return pick_unmarked(p, r, p->norganic, p->ntroll, 0);
}
