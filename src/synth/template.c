/*
 * template.c - texts fixed at plan time: campaign templates, news headlines,
 * and the one text a self-repeating account or a reposted post carries.
 *
 * A campaign template is 20 to 60 words: an accusation ("subject" +
 * "predicate", the predicate agreeing with a singular or plural subject),
 * maybe a "fact" with an amount and a year, maybe a second accusation, a
 * rhetorical question, a call to action; sentences are added or dropped
 * until the word count fits.  Slots {PERSON} {FUNDER} {COUNTRY} {AMOUNT}
 * {YEAR} are filled once per template, so its sentences agree.  With about
 * fifteen subjects, twenty predicates and a dozen of each other part per
 * language, two campaigns share a whole sentence pair about once in a few
 * thousand draws: distinct campaigns do not look like copies of each other.
 *
 * A headline is "Place: event" plus a news link.  The caller hands out each
 * (language, event) pair once per corpus, so two different headlines never
 * differ in the place alone.
 */
#include <stdio.h>
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/timeutil.h"
#include "synth_int.h"

typedef struct slots {
	const char *person, *funder, *country;
	char amount[64];
	char year[8];
} slots;

static int start_year(const synth_plan *p)
{
	char s[CHORUS_TIME_STRLEN];

	chorus_time_format(p->start_ms * 1000000, s);
	return (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
}

static void choose_slots(const synth_plan *p, int lang, synth_rng *r, slots *s)
{
	unsigned n = 5 * (2 + (unsigned)synth_below(r, 190));
	int y = start_year(p) - 1 - (int)synth_below(r, 8);

	s->person = synth_pick(&p->lex, lang, SEC_PERSON, r);
	s->funder = synth_pick(&p->lex, lang, SEC_FUNDER, r);
	s->country = synth_pick(&p->lex, lang, SEC_COUNTRY, r);
	snprintf(s->amount, sizeof s->amount, "%u %s", n,
		 synth_pick(&p->lex, lang, SEC_AMOUNT_UNIT, r));
	snprintf(s->year, sizeof s->year, "%04d", y);
}

static const char *slot_value(const slots *s, const char *name, size_t n)
{
	static const char *const names[] = { "PERSON", "FUNDER", "COUNTRY", "AMOUNT", "YEAR" };
	const char *vals[] = { s->person, s->funder, s->country, s->amount, s->year };

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strlen(names[i]) == n && !memcmp(names[i], name, n))
			return vals[i];
	return NULL;
}

/* Append src with its slots filled and {sg|pl} alternatives chosen. */
static void fill(const char *src, int plural, const slots *s, synth_text *t)
{
	while (*src) {
		const char *open = strchr(src, '{'), *close, *bar, *v;
		if (!open || !(close = strchr(open, '}'))) {
			synth_text_puts(t, src);
			return;
		}
		synth_text_put(t, src, (size_t)(open - src));
		bar = memchr(open, '|', (size_t)(close - open));
		if (bar && plural)
			synth_text_put(t, bar + 1, (size_t)(close - bar - 1));
		else if (bar)
			synth_text_put(t, open + 1, (size_t)(bar - open - 1));
		else if ((v = slot_value(s, open + 1, (size_t)(close - open - 1))) != NULL)
			synth_text_puts(t, v);
		src = close + 1;
	}
}

/* ---- campaign templates -------------------------------------------------- */

enum part { PART_CLAIM, PART_FACT, PART_RHETORIC, PART_CALL };

typedef struct tmpl {
	synth_text *t;
	uint16_t off[SYNTH_MAX_SENT], len[SYNTH_MAX_SENT];
	uint32_t used[SYNTH_MAX_SENT]; /* part << 24 | entry index, to avoid repeats */
	unsigned n;
} tmpl;

static const char *pick_unused(const synth_plan *p, int lang, int sec, tmpl *m, synth_rng *r)
{
	const synth_list *l = &p->lex.sec[lang][sec];
	uint32_t k = 0;

	for (int tries = 0; tries < 8; tries++) {
		int dup = 0;
		k = (uint32_t)synth_below(r, l->n);
		for (unsigned i = 0; i < m->n; i++)
			dup |= m->used[i] == ((uint32_t)sec << 24 | k);
		if (!dup)
			break;
	}
	m->used[m->n] = (uint32_t)sec << 24 | k;
	return l->item[k];
}

static void add_part(const synth_plan *p, int lang, int part, const slots *s, tmpl *m,
		     synth_rng *r)
{
	static const int sec[] = { SEC_CAMP_SUBJECT, SEC_CAMP_FACT, SEC_CAMP_RHETORIC, SEC_CAMP_CALL };
	size_t at = m->t->len;

	if (m->n == SYNTH_MAX_SENT)
		return;
	if (at)
		synth_text_put(m->t, " ", 1);
	at = m->t->len;
	if (part == PART_CLAIM) {
		const char *subj = pick_unused(p, lang, SEC_CAMP_SUBJECT, m, r);
		int plural = !strncmp(subj, "pl=", 3);
		fill(subj + (plural ? 3 : 0), plural, s, m->t);
		synth_text_put(m->t, " ", 1);
		fill(synth_pick(&p->lex, lang, SEC_CAMP_PREDICATE, r), plural, s, m->t);
		synth_text_puts(m->t, synth_chance(r, 700) ? "." : "!");
	} else {
		fill(pick_unused(p, lang, sec[part], m, r), 0, s, m->t);
	}
	synth_capitalize(m->t->s + at, m->t->len - at);
	m->off[m->n] = (uint16_t)at;
	m->len[m->n] = (uint16_t)(m->t->len - at);
	m->n++;
}

static unsigned count_words(const synth_text *t)
{
	unsigned k = 0;

	for (size_t i = 0; i < t->len; i++)
		k += t->s[i] != ' ' && (i == 0 || t->s[i - 1] == ' ');
	return k;
}

static void drop_last(tmpl *m)
{
	m->n--;
	m->t->len = m->off[m->n] ? m->off[m->n] - 1u : 0;
	m->t->s[m->t->len] = '\0';
}

static void compose(const synth_plan *p, int lang, synth_rng *r, tmpl *m)
{
	unsigned target = 20 + (unsigned)synth_below(r, 41);
	slots s;

	choose_slots(p, lang, r, &s);
	add_part(p, lang, PART_CLAIM, &s, m, r);
	if (synth_chance(r, 700))
		add_part(p, lang, PART_FACT, &s, m, r);
	if (synth_chance(r, 400))
		add_part(p, lang, PART_CLAIM, &s, m, r);
	if (synth_chance(r, 600))
		add_part(p, lang, PART_RHETORIC, &s, m, r);
	if (synth_chance(r, 850))
		add_part(p, lang, PART_CALL, &s, m, r);
	while (count_words(m->t) < target && m->n < SYNTH_MAX_SENT)
		add_part(p, lang, (int)synth_below(r, 4), &s, m, r);
	while (count_words(m->t) > 60 && m->n > 2)
		drop_last(m);
}

static char *keep(synth_plan *p, const char *s, size_t n)
{
	return chorus_arena_strndup(&p->arena, s, n);
}

static int template_tags(synth_plan *p, synth_group *g, synth_rng *r)
{
	unsigned k = (unsigned)synth_below(r, 10), n = k < 4 ? 0 : k < 8 ? 1 : 2;
	synth_text *t = chorus_malloc(sizeof *t);
	const char *first = NULL;

	if (!t)
		return CHORUS_ENOMEM;
	t->len = 0;
	for (unsigned i = 0; i < n; i++) {
		const char *tag = synth_pick(&p->lex, g->lang, SEC_CAMP_HASHTAG, r);
		if (tag == first)
			continue;
		synth_text_space(t);
		synth_text_puts(t, tag);
		first = tag;
	}
	g->tags = keep(p, t->s, t->len);
	chorus_free(t);
	return g->tags ? CHORUS_OK : CHORUS_ENOMEM;
}

int synth_template_campaign(synth_plan *p, synth_group *g, synth_rng *r)
{
	tmpl m;

	memset(&m, 0, sizeof m);
	if (!(m.t = chorus_malloc(sizeof *m.t)))
		return CHORUS_ENOMEM;
	m.t->len = 0;
	m.t->s[0] = '\0';
	compose(p, g->lang, r, &m);
	g->text = keep(p, m.t->s, m.t->len);
	g->len = m.t->len;
	g->nsent = (uint8_t)m.n;
	memcpy(g->sent_off, m.off, sizeof m.off);
	memcpy(g->sent_len, m.len, sizeof m.len);
	chorus_free(m.t);
	if (!g->text)
		return CHORUS_ENOMEM;
	return template_tags(p, g, r);
}

/* ---- headlines and fixed texts ------------------------------------------- */

static void news_link(int lang, synth_rng *r, synth_text *t)
{
	static const char *const sites[SYNTH_LANGS][3] = {
		{ "https://tengrinews.kz/kazakhstan_news/", "https://www.zakon.kz/",
		  "https://informburo.kz/novosti/" },
		{ "https://kaz.tengrinews.kz/", "https://kaz.nur.kz/", "https://egemen.kz/article/" },
		{ "https://en.tengrinews.kz/", "https://astanatimes.com/news/", "https://www.inform.kz/en/" }
	};

	synth_text_puts(t, sites[lang][synth_below(r, 3)]);
	synth_text_u64(t, 100000 + synth_below(r, 900000));
	synth_text_puts(t, "-");
	synth_text_u64(t, 1000 + synth_below(r, 9000));
}

static int set_text(synth_plan *p, synth_group *g, const synth_text *t)
{
	g->text = keep(p, t->s, t->len);
	g->len = t->len;
	return g->text ? CHORUS_OK : CHORUS_ENOMEM;
}

int synth_template_headline(synth_plan *p, synth_group *g, synth_rng *r, uint32_t event)
{
	synth_text *t = chorus_malloc(sizeof *t);
	int rc;

	if (!t)
		return CHORUS_ENOMEM;
	t->len = 0;
	synth_text_puts(t, synth_pick(&p->lex, g->lang, SEC_HEAD_PLACE, r));
	synth_text_put(t, " ", 1);
	synth_text_puts(t, p->lex.sec[g->lang][SEC_HEAD_EVENT].item[event]);
	synth_text_put(t, " ", 1);
	news_link(g->lang, r, t);
	rc = set_text(p, g, t);
	chorus_free(t);
	return rc;
}

/* A self-repeating account's spam (often with a link or hashtags) or a post
 * that many will repost (often on the bureau's subject). */
int synth_template_fixed(synth_plan *p, synth_group *g, synth_rng *r)
{
	synth_text *t = chorus_malloc(sizeof *t);
	int self = g->type == NEG_SELF, rc;

	if (!t)
		return CHORUS_ENOMEM;
	t->len = 0;
	t->s[0] = '\0';
	synth_text_plain(p, g->lang, !self && synth_chance(r, 400),
			 60 + (size_t)synth_below(r, 200), r, t);
	if (self && synth_chance(r, 500))
		synth_put_link(t, r, p);
	if (synth_chance(r, self ? 300 : 150))
		synth_put_hashtags(t, r, p, g->lang, SEC_HASHTAG);
	rc = set_text(p, g, t);
	chorus_free(t);
	return rc;
}
