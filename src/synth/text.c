/*
 * text.c - generated text: sentences from the lexicon's patterns, organic
 * posts, topic posts, holiday greetings and their decorations (emoji, links,
 * mentions, hashtags).
 *
 * A sentence follows one pattern of the language ("A N V D": adjective, noun,
 * verb, adverb), each slot filled with a random entry of its list: the
 * result has the vocabulary and rough shape of chatter without being
 * grammatical, which is all a near-duplicate detector can tell apart anyway
 * (it sees word or character shingles).  Two generated texts share a word
 * pair only by chance, so organic posts never look like copies.
 *
 * Organic lengths: 9% short posts (a stock reaction, at most five words and
 * emoji, so a detector's minimum-content rule is exercised), 4% long ones
 * (2 to 4 times the mean), the rest uniform between 0.35 and 1.65 times the
 * requested mean, minus the decorations' expected share.  Cost: linear in
 * the text produced; no allocation.
 */
#include <string.h>

#include "chorus/utf8.h"
#include "synth_int.h"

/* ---- buffer -------------------------------------------------------------- */

void synth_text_put(synth_text *t, const char *s, size_t n)
{
	if (n > SYNTH_TEXT_CAP - 1 - t->len)
		return;
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

void synth_text_puts(synth_text *t, const char *s)
{
	synth_text_put(t, s, strlen(s));
}

void synth_text_space(synth_text *t)
{
	if (t->len && t->s[t->len - 1] != ' ' && t->s[t->len - 1] != '\n')
		synth_text_put(t, " ", 1);
}

void synth_text_u64(synth_text *t, uint64_t v)
{
	char d[20];
	size_t n = 0;

	do {
		d[sizeof d - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	synth_text_put(t, d + sizeof d - n, n);
}

static void put_digits(synth_text *t, synth_rng *r, unsigned n)
{
	char d[24];

	d[0] = (char)('1' + synth_below(r, 9));
	for (unsigned i = 1; i < n && i < sizeof d; i++)
		d[i] = (char)('0' + synth_below(r, 10));
	synth_text_put(t, d, n < sizeof d ? n : sizeof d);
}

static void put_chars(synth_text *t, synth_rng *r, const char *set, unsigned n)
{
	size_t k = strlen(set);

	for (unsigned i = 0; i < n; i++)
		synth_text_put(t, set + synth_below(r, k), 1);
}

/* ---- letters ------------------------------------------------------------- */

static uint32_t upper_cp(uint32_t c)
{
	if (c >= 'a' && c <= 'z')
		return c - 32;
	if (c >= 0x430 && c <= 0x44F)
		return c - 0x20;
	if (c >= 0x450 && c <= 0x45F)
		return c - 0x50;
	if (c >= 0x460 && c <= 0x4FF && (c & 1))
		return c - 1; /* Kazakh letters: upper case is the even code point */
	return c;
}

/* Upper-case the first letter of s in place (the cases used here keep the
 * byte length: ASCII stays 1 byte, Cyrillic 2). */
void synth_capitalize(char *s, size_t len)
{
	size_t pos = 0;
	uint32_t c, u;
	char enc[4];

	if (!len || chorus_utf8_decode(s, len, &pos, &c) != 0)
		return;
	u = upper_cp(c);
	if (u != c && (size_t)chorus_utf8_encode(u, enc) == pos)
		memcpy(s, enc, pos);
}

/* ---- sentences ----------------------------------------------------------- */

static const char *slot_word(const synth_lexicon *lx, int lang, char c, int topic, synth_rng *r)
{
	int from_topic = topic && synth_chance(r, 700);

	switch (c) {
	case 'O': return synth_pick(lx, lang, SEC_OPENER, r);
	case 'N': return synth_pick(lx, lang, from_topic ? SEC_TOPIC_NOUN : SEC_NOUN, r);
	case 'V': return synth_pick(lx, lang, from_topic ? SEC_TOPIC_VERB : SEC_VERB, r);
	case 'A': return synth_pick(lx, lang, from_topic ? SEC_TOPIC_ADJ : SEC_ADJ, r);
	case 'D': return synth_pick(lx, lang, SEC_ADV, r);
	case 'F': return synth_pick(lx, lang, SEC_FUNC, r);
	default: return NULL;
	}
}

static int ends_in_punct(const synth_text *t)
{
	return t->len && strchr(".,!?:;", t->s[t->len - 1]) != NULL;
}

void synth_sentence(const synth_lexicon *lx, int lang, int topic, synth_rng *r, synth_text *t)
{
	static const char *const ends[] = { ".", ".", ".", ".", ".", ".", "!", "?", "…", "!!", "..." };
	const char *pat = synth_pick(lx, lang, SEC_PATTERN, r);
	size_t at = t->len;

	for (const char *c = pat; *c; c++) {
		const char *w = slot_word(lx, lang, *c, topic, r);
		if (!w)
			continue;
		if (t->len > at)
			synth_text_put(t, " ", 1);
		synth_text_puts(t, w);
		if (c[1] && !ends_in_punct(t) && synth_chance(r, 40))
			synth_text_put(t, ",", 1);
	}
	synth_capitalize(t->s + at, t->len - at);
	if (!ends_in_punct(t))
		synth_text_puts(t, ends[synth_below(r, sizeof ends / sizeof *ends)]);
}

/* Separator before another sentence: mostly a space, sometimes a line break. */
static void sentence_break(synth_text *t, synth_rng *r)
{
	unsigned k = (unsigned)synth_below(r, 100);

	if (!t->len || t->s[t->len - 1] == ' ' || t->s[t->len - 1] == '\n')
		return;
	synth_text_puts(t, k < 5 ? "\n" : k < 7 ? "\n\n" : " ");
}

/* Generated sentences until about target bytes are written after start. */
static void body(const synth_plan *p, int lang, int topic, size_t target, synth_rng *r,
		 synth_text *t)
{
	size_t start = t->len;

	for (int i = 0; i < 64 && t->len - start + 12 < target; i++) {
		sentence_break(t, r);
		synth_sentence(&p->lex, lang, topic, r, t);
	}
}

void synth_text_plain(const synth_plan *p, int lang, int topic, size_t target, synth_rng *r,
		      synth_text *t)
{
	body(p, lang, topic, target, r, t);
}

/* ---- decorations --------------------------------------------------------- */

static const char *const emoji_any[] = {
	"😂", "🤣", "😊", "🙂", "😍", "👍", "🙏", "❤️", "🔥", "💯", "😢", "😭", "🤔", "😎",
	"👏", "✨", "☀️", "🌸", "😅", "🙈", "💪", "🥰", "😴", "🤷‍♀️", "🇰🇿", "👀"
};
static const char *const emoji_angry[] = {
	"😡", "🤬", "👎", "‼️", "❗", "😱", "🤮", "💩", "🤡", "🇰🇿", "⚠️", "😤"
};
static const char *const emoji_festive[] = {
	"🎉", "🌷", "💐", "🎊", "❤️", "✨", "🙏", "🥳", "🌹"
};

/* One to three emoji after a space; a run of one emoji now and then. */
void synth_put_emoji(synth_text *t, synth_rng *r, int mood)
{
	const char *const *set = mood == MOOD_ANGRY ? emoji_angry
				 : mood == MOOD_FESTIVE ? emoji_festive : emoji_any;
	size_t n = mood == MOOD_ANGRY ? sizeof emoji_angry / sizeof *emoji_angry
		   : mood == MOOD_FESTIVE ? sizeof emoji_festive / sizeof *emoji_festive
		   : sizeof emoji_any / sizeof *emoji_any;
	unsigned count = synth_chance(r, 650) ? 1 : 2 + (unsigned)synth_below(r, 2);
	const char *e = set[synth_below(r, n)];

	synth_text_space(t);
	for (unsigned i = 0; i < count; i++) {
		synth_text_puts(t, e);
		if (synth_chance(r, 500))
			e = set[synth_below(r, n)];
	}
}

void synth_put_link(synth_text *t, synth_rng *r, const synth_plan *p)
{
	static const char alnum[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

	synth_text_space(t);
	switch (synth_below(r, 5)) {
	case 0:
		synth_text_puts(t, "https://t.me/");
		synth_text_puts(t, synth_pick(&p->lex, LANG_EN, SEC_HANDLE_WORD, r));
		synth_text_puts(t, synth_pick(&p->lex, LANG_EN, SEC_HANDLE_WORD, r));
		synth_text_puts(t, "/");
		put_digits(t, r, 2 + (unsigned)synth_below(r, 4));
		break;
	case 1:
		synth_text_puts(t, "https://bit.ly/");
		put_chars(t, r, alnum, 7);
		break;
	case 2:
		synth_text_puts(t, "https://vk.com/wall-");
		put_digits(t, r, 9);
		synth_text_puts(t, "_");
		put_digits(t, r, 4);
		break;
	case 3:
		synth_text_puts(t, "https://youtu.be/");
		put_chars(t, r, b64, 11);
		break;
	default:
		synth_text_puts(t, "https://www.instagram.com/p/");
		put_chars(t, r, b64, 11);
		synth_text_puts(t, "/");
		break;
	}
}

/* "@handle" of a random organic account (numeric ones are not mentioned). */
void synth_put_mention(synth_text *t, synth_rng *r, const synth_plan *p)
{
	const synth_account *a = &p->acc[synth_below(r, p->norganic)];

	for (int i = 0; i < 4 && a->numeric; i++)
		a = &p->acc[synth_below(r, p->norganic)];
	if (a->numeric)
		return;
	synth_text_space(t);
	synth_text_puts(t, "@");
	synth_text_puts(t, a->handle);
}

void synth_put_hashtags(synth_text *t, synth_rng *r, const synth_plan *p, int lang, int sec)
{
	unsigned n = synth_chance(r, 600) ? 1 : 2 + (unsigned)synth_below(r, 2);

	for (unsigned i = 0; i < n; i++) {
		synth_text_space(t);
		synth_text_puts(t, synth_pick(&p->lex, lang, sec, r));
	}
}

/* ---- organic posts ------------------------------------------------------- */

/* Byte length to aim for; 0 means a short post. */
static size_t organic_target(synth_rng *r, uint32_t mean)
{
	uint64_t k = synth_below(r, 1000);
	uint64_t m = mean > 40 ? mean - 18 : mean; /* decorations add ~18 bytes */

	if (k < 90)
		return 0;
	if (k < 130)
		return (size_t)(m * 2 + synth_below(r, m * 2 + 1));
	return (size_t)(m * 35 / 100 + synth_below(r, m * 130 / 100 + 1));
}

static void short_post(const synth_plan *p, int lang, synth_rng *r, synth_text *t)
{
	synth_text_puts(t, synth_pick(&p->lex, lang, SEC_SHORT, r));
	if (synth_chance(r, 300)) {
		synth_text_space(t);
		synth_text_puts(t, emoji_any[synth_below(r, sizeof emoji_any / sizeof *emoji_any)]);
	}
}

/* Real sentences from the shared pool until about target bytes. */
static void shared_body(synth_pool *pl, size_t target, synth_rng *r, synth_text *t)
{
	size_t start = t->len, len;

	for (int i = 0; i < 64 && (i == 0 || t->len - start + 12 < target); i++) {
		const char *s = synth_shared_next(pl, &len);
		sentence_break(t, r);
		synth_text_put(t, s, len);
	}
}

static void decorate(const synth_plan *p, int lang, synth_rng *r, synth_text *t)
{
	if (synth_chance(r, 110)) {
		sentence_break(t, r);
		synth_text_puts(t, synth_pick(&p->lex, lang, SEC_CLOSER, r));
	}
	if (synth_chance(r, 180))
		synth_put_emoji(t, r, MOOD_ANY);
	if (synth_chance(r, 90))
		synth_put_hashtags(t, r, p, lang, SEC_HASHTAG);
	if (synth_chance(r, 90))
		synth_put_link(t, r, p);
}

void synth_text_organic(const synth_plan *p, synth_shared *sh, const synth_post *q, synth_text *t)
{
	synth_rng r = synth_rng_make(p->o.seed, STREAM_TEXT, q->seed);
	size_t target = organic_target(&r, p->o.text_bytes);
	synth_pool *pl = sh ? &sh->pool[q->lang] : NULL;

	if (!target) {
		short_post(p, q->lang, &r, t);
		return;
	}
	if (synth_chance(&r, 50))
		synth_put_mention(t, &r, p);
	if (pl && pl->n && synth_chance(&r, pl->per_mille))
		shared_body(pl, target, &r, t);
	else
		body(p, q->lang, synth_chance(&r, 20), target, &r, t);
	if (q->lang == LANG_KK && synth_chance(&r, 60)) {
		sentence_break(t, &r);
		synth_sentence(&p->lex, LANG_RU, 0, &r, t); /* code-switching */
	}
	decorate(p, q->lang, &r, t);
}

/* ---- hard negatives ------------------------------------------------------ */

/* Same subject, own wording: sentences drawn mostly from the topic lists. */
void synth_text_topic(const synth_plan *p, int lang, synth_rng *r, synth_text *t)
{
	unsigned n = 2 + (unsigned)synth_below(r, 3);

	for (unsigned i = 0; i < n; i++) {
		sentence_break(t, r);
		synth_sentence(&p->lex, lang, 1, r, t);
	}
	if (synth_chance(r, 150))
		synth_put_emoji(t, r, MOOD_ANY);
}

/* A holiday greeting: at most three words and two emoji, so it stays a
 * short text whatever the variant. */
void synth_text_stock(const synth_plan *p, int lang, synth_rng *r, synth_text *t)
{
	const char *s = synth_pick(&p->lex, lang, SEC_STOCK, r);
	size_t n = strlen(s);
	unsigned k = (unsigned)synth_below(r, 100);

	if (k < 10) {
		synth_text_puts(t, emoji_festive[synth_below(r, sizeof emoji_festive / sizeof *emoji_festive)]);
		synth_text_put(t, " ", 1);
	}
	if (n && s[n - 1] == '!' && k >= 10 && k < 25) {
		synth_text_put(t, s, n - 1);
		synth_text_puts(t, "!!!");
	} else {
		synth_text_put(t, s, n);
	}
	if (k >= 10 && synth_chance(r, 550)) {
		synth_text_space(t);
		for (unsigned i = synth_chance(r, 600) ? 1 : 2; i > 0; i--)
			synth_text_puts(t, emoji_festive[synth_below(r, sizeof emoji_festive / sizeof *emoji_festive)]);
	}
}
