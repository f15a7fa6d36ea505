/*
 * variant.c - one copy of a campaign template, varied as its tier says.
 *
 *   exact      the template as is
 *   light      1-2 word edits
 *   heavy      3-5 word edits, and a sentence added (a stock remark) or cut
 *   disguised  1-2 word edits, then look-alike letters in about half the
 *              words (at least one), an invisible character in a fifth of
 *              them (at least one) and now and then a soft hyphen
 * A word edit is one of: substitute a word (a random noun or adjective of
 * the language), insert a filler word ("очень", "ғой", "really"), drop a
 * word, change a word's ending (words.c), swap two neighbours.  Edits never
 * touch a sentence's first word (its capital letter would give it away) nor
 * words with punctuation glued on.
 * Every copy, whatever the tier, may also differ in decoration: a mention
 * before it, the template's hashtags kept or dropped, an extra hashtag,
 * angry emoji, a per-post link.
 *
 * The template is split into tokens (slices of the template, of the lexicon,
 * or of a small per-copy scratch area for rewritten words); the copy is the
 * tokens joined by spaces.  Cost: linear in the template; no allocation.
 */
#include <string.h>

#include "synth_int.h"

#define MAX_TOK 192
#define SCRATCH 4096

typedef struct tok {
	const char *p;
	uint16_t len;
	uint8_t sent;  /* sentence number */
	uint8_t first; /* first word of its sentence */
} tok;

typedef struct copy {
	tok t[MAX_TOK];
	size_t n;
	unsigned nsent;
	char scratch[SCRATCH];
	size_t used;
} copy;

/* Append the words of s[0..n) as sentence number sent, before position at. */
static void add_sentence(copy *c, const char *s, size_t n, unsigned sent, size_t at)
{
	tok w[MAX_TOK];
	size_t k = 0;

	for (size_t i = 0; i < n && k < MAX_TOK;) {
		size_t j = i;
		while (j < n && s[j] != ' ')
			j++;
		if (j > i) {
			w[k].p = s + i;
			w[k].len = (uint16_t)(j - i);
			w[k].sent = (uint8_t)sent;
			w[k].first = k == 0;
			k++;
		}
		i = j + 1;
	}
	if (c->n + k > MAX_TOK)
		return;
	memmove(&c->t[at + k], &c->t[at], (c->n - at) * sizeof *c->t);
	memcpy(&c->t[at], w, k * sizeof *w);
	c->n += k;
}

static void load(copy *c, const synth_group *g)
{
	c->n = 0;
	c->used = 0;
	c->nsent = g->nsent;
	for (unsigned s = 0; s < g->nsent; s++)
		add_sentence(c, g->text + g->sent_off[s], g->sent_len[s], s, c->n);
}

static int glued(const tok *w)
{
	size_t end, a = synth_word_core(w->p, w->len, &end);

	return a != 0 || end != w->len;
}

static size_t sentence_words(const copy *c, unsigned sent)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n; i++)
		k += c->t[i].sent == sent;
	return k;
}

/* A random token that an edit may touch, or SIZE_MAX. */
static size_t pick_word(const copy *c, synth_rng *r, size_t min_bytes)
{
	for (int tries = 0; tries < 16 && c->n; tries++) {
		size_t i = (size_t)synth_below(r, c->n);
		const tok *w = &c->t[i];
		unsigned char b = (unsigned char)w->p[0];
		if (!w->first && !glued(w) && w->len >= min_bytes && (b >= 0x80 || (b | 32) >= 'a'))
			return i;
	}
	return SIZE_MAX;
}

static char *scratch(copy *c, size_t n)
{
	char *p;

	if (n > SCRATCH - c->used)
		return NULL;
	p = c->scratch + c->used;
	c->used += n;
	return p;
}

static int op_subst(copy *c, const synth_plan *p, int lang, synth_rng *r)
{
	size_t i = pick_word(c, r, 3);
	const char *w = synth_pick(&p->lex, lang, synth_chance(r, 500) ? SEC_NOUN : SEC_ADJ, r);

	if (i == SIZE_MAX || strchr(w, ' '))
		return -1;
	c->t[i].p = w;
	c->t[i].len = (uint16_t)strlen(w);
	return 0;
}

static int op_insert(copy *c, const synth_plan *p, int lang, synth_rng *r)
{
	size_t i = pick_word(c, r, 1);
	const char *w = synth_pick(&p->lex, lang, SEC_FILLER, r);

	if (i == SIZE_MAX || c->n == MAX_TOK)
		return -1;
	memmove(&c->t[i + 1], &c->t[i], (c->n - i) * sizeof *c->t);
	c->t[i].p = w;
	c->t[i].len = (uint16_t)strlen(w);
	c->t[i].first = 0;
	c->n++;
	return 0;
}

static int op_drop(copy *c, synth_rng *r)
{
	size_t i = pick_word(c, r, 1);

	if (i == SIZE_MAX || sentence_words(c, c->t[i].sent) < 4)
		return -1;
	memmove(&c->t[i], &c->t[i + 1], (c->n - i - 1) * sizeof *c->t);
	c->n--;
	return 0;
}

static int op_inflect(copy *c, int lang, synth_rng *r)
{
	size_t i = pick_word(c, r, lang == LANG_EN ? 4 : 8); /* 4 letters at least */
	char *out;
	size_t n;

	if (i == SIZE_MAX || !(out = scratch(c, c->t[i].len + 16)))
		return -1;
	n = synth_inflect(lang, c->t[i].p, c->t[i].len, out, c->t[i].len + 16, r);
	if (!n)
		return -1;
	c->t[i].p = out;
	c->t[i].len = (uint16_t)n;
	return 0;
}

static int op_swap(copy *c, synth_rng *r)
{
	size_t i = pick_word(c, r, 1);
	tok w;

	if (i == SIZE_MAX || i + 1 >= c->n || c->t[i + 1].sent != c->t[i].sent ||
	    glued(&c->t[i + 1]))
		return -1;
	w = c->t[i];
	c->t[i] = c->t[i + 1];
	c->t[i + 1] = w;
	return 0;
}

/* One word edit of a random kind (a few tries: not every kind fits every
 * template). */
static void edit(copy *c, const synth_plan *p, int lang, synth_rng *r)
{
	for (int tries = 0; tries < 12; tries++) {
		int rc;
		switch (synth_below(r, 5)) {
		case 0: rc = op_subst(c, p, lang, r); break;
		case 1: rc = op_insert(c, p, lang, r); break;
		case 2: rc = op_drop(c, r); break;
		case 3: rc = op_inflect(c, lang, r); break;
		default: rc = op_swap(c, r); break;
		}
		if (rc == 0)
			return;
	}
}

static size_t sentence_start(const copy *c, unsigned sent)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->t[i].sent == sent)
			return i;
	return c->n;
}

static void cut_sentence(copy *c, synth_rng *r)
{
	unsigned s = 1 + (unsigned)synth_below(r, c->nsent - 1);
	size_t k = 0;

	for (size_t i = 0; i < c->n; i++)
		if (c->t[i].sent != s)
			c->t[k++] = c->t[i];
	c->n = k;
}

static void add_remark(copy *c, const synth_plan *p, int lang, synth_rng *r)
{
	const char *s = synth_pick(&p->lex, lang,
				   synth_chance(r, 600) ? SEC_CAMP_EXTRA : SEC_CAMP_RHETORIC, r);
	unsigned before = (unsigned)synth_below(r, c->nsent + 1);
	size_t at = before == c->nsent ? c->n : sentence_start(c, before);

	add_sentence(c, s, strlen(s), c->nsent, at);
	c->nsent++;
}

static void vary(copy *c, const synth_plan *p, const synth_group *g, synth_rng *r)
{
	unsigned edits = 0;

	switch (g->type) {
	case TIER_LIGHT:
	case TIER_DISGUISED:
		edits = 1 + (unsigned)synth_below(r, 2);
		break;
	case TIER_HEAVY:
		edits = 3 + (unsigned)synth_below(r, 3);
		break;
	default:
		break;
	}
	for (unsigned i = 0; i < edits; i++)
		edit(c, p, g->lang, r);
	if (g->type != TIER_HEAVY)
		return;
	if (c->nsent >= 3 && synth_chance(r, 500))
		cut_sentence(c, r);
	else
		add_remark(c, p, g->lang, r);
}

static void emit_plain(const copy *c, synth_text *t)
{
	for (size_t i = 0; i < c->n; i++) {
		synth_text_space(t);
		synth_text_put(t, c->t[i].p, c->t[i].len);
	}
}

/* Disguised output: two tokens are chosen up front to carry the look-alike
 * letters and the invisible character that every disguised copy has. */
static void emit_disguised(const copy *c, int lang, synth_rng *r, synth_text *t)
{
	size_t force_glyph = SIZE_MAX, force_hidden = SIZE_MAX, ng = 0, nh = 0;

	for (size_t i = 0; i < c->n; i++) {
		int bits = synth_can_disguise(c->t[i].p, c->t[i].len, lang);
		if ((bits & 1) && synth_below(r, ++ng) == 0)
			force_glyph = i;
		if ((bits & 2) && synth_below(r, ++nh) == 0)
			force_hidden = i;
	}
	for (size_t i = 0; i < c->n; i++) {
		int bits = synth_can_disguise(c->t[i].p, c->t[i].len, lang);
		int glyphs = (bits & 1) && (i == force_glyph || synth_chance(r, 450));
		int hidden = 0;
		if (bits & 2)
			hidden = i == force_hidden || synth_chance(r, 200) ? 1
				 : (bits & 4) && synth_chance(r, 100) ? 2 : 0;
		synth_text_space(t);
		synth_put_disguised(t, c->t[i].p, c->t[i].len, lang, glyphs, hidden, r);
	}
}

/* The template's hashtags, each kept with probability 0.85. */
static void keep_tags(const synth_group *g, synth_rng *r, synth_text *t)
{
	const char *s = g->tags;

	while (*s) {
		const char *e = strchr(s, ' ');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (synth_chance(r, 850)) {
			synth_text_space(t);
			synth_text_put(t, s, n);
		}
		s += n + (e != NULL);
	}
}

void synth_text_campaign(const synth_plan *p, const synth_group *g, synth_rng *r, synth_text *t)
{
	copy c;

	load(&c, g);
	vary(&c, p, g, r);
	if (synth_chance(r, 100))
		synth_put_mention(t, r, p);
	if (g->type == TIER_DISGUISED)
		emit_disguised(&c, g->lang, r, t);
	else
		emit_plain(&c, t);
	keep_tags(g, r, t);
	if (synth_chance(r, 150))
		synth_put_hashtags(t, r, p, g->lang, SEC_CAMP_HASHTAG);
	if (synth_chance(r, 350))
		synth_put_emoji(t, r, MOOD_ANGRY);
	if (synth_chance(r, 200))
		synth_put_link(t, r, p);
}
