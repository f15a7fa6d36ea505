/*
 * words.c - the word-level disguises troll factories use, applied to one
 * token ("word" plus any punctuation glued to it).
 *
 * Inflection changes a word's ending the way a copy-editor or a careless
 * typist does: Russian endings swapped by a table of common case, number
 * and person pairs (ый -> ого, ет -> ют, а -> у ...); Kazakh case and plural
 * suffixes stripped, or added in the form vowel harmony and the last letter
 * ask for (back/front vowels; after a vowel, a voiceless or another
 * consonant); English "-s", "-ed" and "-ing" added, dropped or swapped.
 *
 * Disguise swaps Cyrillic letters for look-alike Latin ones (а->a, е->e,
 * о->o, р->p, с->c, х->x, у->y, і->i and the capitals) - or the other way in
 * English - and hides an invisible character (U+200B, U+200C, U+2060) or a
 * soft hyphen (U+00AD) between two letters.  The text then looks the same
 * on screen and differs byte for byte.
 */
#include <string.h>

#include "chorus/utf8.h"
#include "synth_int.h"

/* ---- token anatomy ------------------------------------------------------- */

static size_t lead_punct(const char *w, size_t n)
{
	if (n >= 2 && (unsigned char)w[0] == 0xC2 && (unsigned char)w[1] == 0xAB)
		return 2; /* « */
	if (n >= 1 && (w[0] == '"' || w[0] == '('))
		return 1;
	return 0;
}

static size_t trail_punct(const char *w, size_t n)
{
	if (n >= 2 && (unsigned char)w[n - 2] == 0xC2 && (unsigned char)w[n - 1] == 0xBB)
		return 2; /* » */
	if (n >= 3 && !memcmp(w + n - 3, "\xE2\x80\xA6", 3))
		return 3; /* … */
	if (n >= 1 && strchr(".,!?:;)\"", w[n - 1]) && w[n - 1])
		return 1;
	return 0;
}

/* Start of the letters of token w[0..n); *end is where they stop. */
size_t synth_word_core(const char *w, size_t n, size_t *end)
{
	size_t a = lead_punct(w, n), b = n;

	for (size_t k; b > a && (k = trail_punct(w + a, b - a)) > 0;)
		b -= k;
	*end = b;
	return a;
}

static int ends_with(const char *w, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && !memcmp(w + n - k, suf, k);
}

/* out = w[0..keep) + add; returns the length, 0 when it does not fit. */
static size_t splice(const char *w, size_t keep, const char *add, char *out, size_t cap)
{
	size_t k = strlen(add);

	if (keep + k > cap)
		return 0;
	memcpy(out, w, keep);
	memcpy(out + keep, add, k);
	return keep + k;
}

/* ---- Russian ------------------------------------------------------------- */

static const char *const ru_rules[][2] = {
	{ "ого", "ому" }, { "ому", "ого" }, { "ый", "ого" }, { "ий", "его" }, { "ая", "ой" },
	{ "ую", "ая" }, { "ое", "ого" }, { "ые", "ых" }, { "ых", "ым" }, { "ие", "их" },
	{ "их", "им" }, { "ов", "ам" }, { "ами", "ах" }, { "ам", "ами" }, { "ет", "ют" },
	{ "ит", "ят" }, { "ют", "ет" }, { "ят", "ит" }, { "ть", "л" }, { "ла", "ли" },
	{ "ли", "ла" }, { "ия", "ии" }, { "ии", "ию" }, { "ость", "ости" }, { "ости", "ость" },
	{ "а", "у" }, { "у", "ы" }, { "ы", "ам" }, { "о", "а" }, { "е", "а" }, { "и", "ей" },
	{ "ь", "и" }, { "й", "я" }
};
static const char *const ru_append[] = { "а", "у", "ом", "ы" };

static size_t inflect_ru(const char *w, size_t n, char *out, size_t cap, synth_rng *r)
{
	size_t hits[sizeof ru_rules / sizeof *ru_rules], nh = 0;

	for (size_t i = 0; i < sizeof ru_rules / sizeof *ru_rules; i++)
		if (ends_with(w, n, ru_rules[i][0]) && n >= strlen(ru_rules[i][0]) + 4)
			hits[nh++] = i;
	if (nh) {
		size_t i = hits[synth_below(r, nh)];
		return splice(w, n - strlen(ru_rules[i][0]), ru_rules[i][1], out, cap);
	}
	return splice(w, n, ru_append[synth_below(r, 4)], out, cap);
}

/* ---- Kazakh -------------------------------------------------------------- */

static const char *const kk_suffixes[] = {
	"лардың", "лердің", "дардың", "дердің", "тардың", "тердің", "ларға", "лерге",
	"лары", "лері", "ның", "нің", "дың", "дің", "тың", "тің", "лар", "лер", "дар", "дер",
	"тар", "тер", "ға", "ге", "қа", "ке", "да", "де", "та", "те", "ды", "ді", "ты", "ті",
	"ны", "ні"
};

static int kk_is(uint32_t c, const char *set)
{
	char enc[4];
	int k = chorus_utf8_encode(c, enc);
	size_t n = strlen(set);

	for (size_t i = 0; i + (size_t)k <= n; i++)
		if (!memcmp(set + i, enc, (size_t)k))
			return 1;
	return 0;
}

#define KK_BACK "аоұыуяё"
#define KK_FRONT "әеөүіиэю"
#define KK_VOICELESS "кқпстфхцчшщ"

/* 0 back or 1 front vowel harmony; *last: 0 vowel, 1 voiceless, 2 other. */
static int kk_harmony(const char *w, size_t n, int *last)
{
	size_t pos = 0;
	uint32_t c = 0;
	int front = 0, l = 2;

	while (pos < n && chorus_utf8_decode(w, n, &pos, &c) == 0) {
		if (kk_is(c, KK_BACK))
			front = 0;
		else if (kk_is(c, KK_FRONT))
			front = 1;
		l = kk_is(c, KK_BACK KK_FRONT) ? 0 : kk_is(c, KK_VOICELESS) ? 1 : 2;
	}
	*last = l;
	return front;
}

static size_t inflect_kk(const char *w, size_t n, char *out, size_t cap, synth_rng *r)
{
	/* [after vowel, voiceless, other][suffix][back, front] */
	static const char *const add[3][5][2] = {
		{ { "ның", "нің" }, { "ға", "ге" }, { "да", "де" }, { "ны", "ні" }, { "лар", "лер" } },
		{ { "тың", "тің" }, { "қа", "ке" }, { "та", "те" }, { "ты", "ті" }, { "тар", "тер" } },
		{ { "дың", "дің" }, { "ға", "ге" }, { "да", "де" }, { "ды", "ді" }, { "лар", "лер" } }
	};
	int last, front;

	if (synth_chance(r, 500))
		for (size_t i = 0; i < sizeof kk_suffixes / sizeof *kk_suffixes; i++)
			if (ends_with(w, n, kk_suffixes[i]) && n >= strlen(kk_suffixes[i]) + 6)
				return splice(w, n - strlen(kk_suffixes[i]), "", out, cap);
	front = kk_harmony(w, n, &last);
	return splice(w, n, add[last][synth_below(r, 5)][front], out, cap);
}

/* ---- English ------------------------------------------------------------- */

static size_t inflect_en(const char *w, size_t n, char *out, size_t cap, synth_rng *r)
{
	if (ends_with(w, n, "ing") && n > 5)
		return splice(w, n - 3, synth_chance(r, 500) ? "s" : "ed", out, cap);
	if (ends_with(w, n, "ed") && n > 4)
		return splice(w, n - 2, "ing", out, cap);
	if (n > 3 && w[n - 1] == 's' && w[n - 2] != 's')
		return splice(w, n - 1, "", out, cap);
	if (synth_chance(r, 300))
		return splice(w, n, w[n - 1] == 'e' ? "d" : "ed", out, cap);
	return splice(w, n, "s", out, cap);
}

size_t synth_inflect(int lang, const char *w, size_t n, char *out, size_t cap, synth_rng *r)
{
	if (n < 4)
		return 0;
	switch (lang) {
	case LANG_RU: return inflect_ru(w, n, out, cap, r);
	case LANG_KK: return inflect_kk(w, n, out, cap, r);
	default: return inflect_en(w, n, out, cap, r);
	}
}

/* ---- look-alike letters and invisible characters ------------------------- */

static const uint16_t glyph_pairs[][2] = { /* Cyrillic, Latin */
	{ 0x430, 'a' }, { 0x435, 'e' }, { 0x43E, 'o' }, { 0x440, 'p' }, { 0x441, 'c' },
	{ 0x445, 'x' }, { 0x443, 'y' }, { 0x456, 'i' }, { 0x410, 'A' }, { 0x412, 'B' },
	{ 0x415, 'E' }, { 0x41A, 'K' }, { 0x41C, 'M' }, { 0x41D, 'H' }, { 0x41E, 'O' },
	{ 0x420, 'P' }, { 0x421, 'C' }, { 0x422, 'T' }, { 0x425, 'X' }, { 0x406, 'I' }
};

/* The look-alike of c for lang, or 0. */
static uint32_t look_alike(uint32_t c, int lang)
{
	int from = lang == LANG_EN ? 1 : 0;

	for (size_t i = 0; i < sizeof glyph_pairs / sizeof *glyph_pairs; i++)
		if (glyph_pairs[i][from] == c)
			return glyph_pairs[i][1 - from];
	return 0;
}

static size_t count_cps(const char *w, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)w[i] & 0xC0) != 0x80;
	return k;
}

/* Bit 1: the letters hold a replaceable one; bit 2: at least 2 letters (room
 * for an invisible character); bit 4: at least 6 (worth a soft hyphen). */
int synth_can_disguise(const char *w, size_t n, int lang)
{
	size_t end, a = synth_word_core(w, n, &end), pos = a, k = count_cps(w + a, end - a);
	uint32_t c;
	int bits = (k >= 2 ? 2 : 0) | (k >= 6 ? 4 : 0);

	while (pos < end && chorus_utf8_decode(w, end, &pos, &c) == 0)
		if (look_alike(c, lang)) {
			bits |= 1;
			break;
		}
	return bits;
}

static void put_cp(synth_text *t, uint32_t c)
{
	char enc[4];

	synth_text_put(t, enc, (size_t)chorus_utf8_encode(c, enc));
}

/* Replaceable letters in w[a..end). */
static size_t count_alike(const char *w, size_t a, size_t end, int lang)
{
	size_t m = 0;
	uint32_t c;

	while (a < end)
		if (chorus_utf8_decode(w, end, &a, &c) == 0 && look_alike(c, lang))
			m++;
	return m;
}

/* Append token w with look-alikes (glyphs: each replaceable letter with
 * probability 0.6, at least one) and, when invisible is 1 or 2, an invisible
 * character or a soft hyphen between two letters of its core. */
void synth_put_disguised(synth_text *t, const char *w, size_t n, int lang, int glyphs,
			 int invisible, synth_rng *r)
{
	static const uint32_t zw[] = { 0x200B, 0x200C, 0x2060 };
	size_t end, a = synth_word_core(w, n, &end), pos = a, k = count_cps(w + a, end - a);
	size_t at = k >= 2 ? 1 + (size_t)synth_below(r, k - 1) : 0, idx = 0, j = 0;
	size_t m = glyphs ? count_alike(w, a, end, lang) : 0;
	size_t forced = m ? (size_t)synth_below(r, m) : SIZE_MAX;
	uint32_t c;

	synth_text_put(t, w, a);
	while (pos < end) {
		size_t from = pos;
		if (chorus_utf8_decode(w, end, &pos, &c) != 0) {
			synth_text_put(t, w + from, pos - from);
			continue;
		}
		if (invisible && at && idx == at)
			put_cp(t, invisible == 2 ? 0xAD : zw[synth_below(r, 3)]);
		idx++;
		uint32_t alt = m ? look_alike(c, lang) : 0;
		if (alt && (j++ == forced || synth_chance(r, 600)))
			put_cp(t, alt);
		else
			put_cp(t, c);
	}
	synth_text_put(t, w + end, n - end);
}
