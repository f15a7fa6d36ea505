/*
 * lang.c - ru / kk / en from script and letter statistics.
 *
 * Algorithm (chorus_lang_detect), over words = runs of Latin or Cyrillic
 * letters of the case-folded text:
 *   - no letters: und;  more Latin than Cyrillic words (on a tie, letters):
 *     en (every Latin-script post is taken as English; other Latin
 *     languages are not ours);
 *   - Cyrillic: one point for Kazakh per word holding one of the nine
 *     Kazakh letters ә ғ қ ң ө ұ ү һ і and per Kazakh function word (мен,
 *     деп, емес, ...); one point for Russian per Russian function word (и,
 *     в, что, ...), per word with ь ъ щ ё э (letters Kazakh uses only in
 *     loans) and per word of 4+ letters with a Russian ending that Kazakh
 *     words practically never have (-ся -ые -ых -ии -ть -го -ой -ый ...:
 *     chosen from the corpora by frequency ratio).  kk when Kazakh has more
 *     points, else ru.  The endings keep Russian news about Kazakhstan
 *     (Тоқаев, Қарағанды) Russian;
 *   - a text with Ukrainian or Belarusian letters (ї є ґ ў) and no Kazakh
 *     letter other than і is und, so Ukrainian is not taken for Kazakh.
 * A first cheap pass settles most texts without the per-word work: no
 * letters (und), no Cyrillic (en), or 40+ Cyrillic letters, none of them
 * Kazakh or Ukrainian, and at most a quarter as many Latin ones (ru).
 * Measured on the shared corpora (tests/unit/test_lang.c): 99.4 % of
 * KazNERD sentences are kk; no Telegram post is kk, and 97 % stay ru with
 * three Kazakh names (four words with Kazakh letters) put in front.  Function words and endings are found by a
 * 64-bit hash in a 256-slot table built once (pthread_once, no
 * allocation).  Cost: O(n), at most two table probes per word.
 */
#include <pthread.h>
#include <string.h>

#include "chorus/lang.h"
#include "chorus/utf8.h"

#define FW_SLOTS 256u
#define QUICK_MIN_CYRILLIC 40
#define FW_MAX_LETTERS 8

static const char *const codes[CHORUS_LANG_COUNT] = { "und", "ru", "kk", "en" };

static const char *const fw_ru[] = {
	"и", "в", "во", "на", "что", "с", "со", "по", "к", "ко", "у", "о", "об", "из",
	"за", "от", "для", "это", "как", "так", "но", "а", "же", "бы", "ли", "она", "они",
	"мы", "вы", "я", "его", "ее", "её", "их", "был", "была", "были", "быть", "будет",
	"при", "до", "после", "или", "уже", "только", "также", "чтобы", "который",
	"которые", "когда", "где", "если", "все", "всё", "более", NULL
};

static const char *const fw_kk[] = {
	"мен", "бен", "пен", "осы", "деп", "деді", "емес", "еді", "болып", "болды",
	"туралы", "бойынша", "олар", "алайда", "немесе", "екен", "енді", "жылы",
	"арасында", "бірақ", "және", "үшін", "бұл", "ғана", "дейін", "кейін", NULL
};

/* Word endings frequent in Russian, (almost) absent from Kazakh words. */
static const char *const ends_ru[] = {
	"ся", "ые", "ых", "ии", "ию", "ую", "ах", "ть", "го", "ли", "ки", "ил", "их", "ют",
	"ее", "ло", "ью", "сь", "ой", "ом", "ая", "ый", "ое", "ти", "им", "ут", "ок", "ко", NULL
};

#define FW_ENDING 100 /* table value of a Russian ending */

typedef struct fw_slot {
	uint64_t h; /* 0 = empty */
	int lang;
} fw_slot;

static fw_slot fw_table[FW_SLOTS];
static pthread_once_t fw_once = PTHREAD_ONCE_INIT;

static uint64_t fw_step(uint64_t h, uint32_t cp)
{
	return (h ^ cp) * UINT64_C(0x100000001b3);
}

#define FW_SEED UINT64_C(0xcbf29ce484222325)
#define END_SEED UINT64_C(0x9e3779b97f4a7c15)

static void fw_add(const char *w, int lang)
{
	const size_t len = strlen(w);
	size_t pos = 0;
	uint64_t h = lang == FW_ENDING ? END_SEED : FW_SEED;
	uint32_t cp;
	unsigned i;

	while (pos < len)
		if (chorus_utf8_decode(w, len, &pos, &cp) == 0)
			h = fw_step(h, cp);
	for (i = (unsigned)h & (FW_SLOTS - 1); fw_table[i].h; i = (i + 1) & (FW_SLOTS - 1))
		;
	fw_table[i].h = h;
	fw_table[i].lang = lang;
}

static void fw_build(void)
{
	for (size_t i = 0; fw_ru[i]; i++)
		fw_add(fw_ru[i], CHORUS_LANG_RU);
	for (size_t i = 0; fw_kk[i]; i++)
		fw_add(fw_kk[i], CHORUS_LANG_KK);
	for (size_t i = 0; ends_ru[i]; i++)
		fw_add(ends_ru[i], FW_ENDING);
}

static int fw_lookup(uint64_t h)
{
	for (unsigned i = (unsigned)h & (FW_SLOTS - 1); fw_table[i].h; i = (i + 1) & (FW_SLOTS - 1))
		if (fw_table[i].h == h)
			return fw_table[i].lang;
	return CHORUS_LANG_UND;
}

const char *chorus_lang_code(int lang)
{
	return lang > 0 && lang < CHORUS_LANG_COUNT ? codes[lang] : codes[0];
}

static int lower_ascii(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int subtag_is(const char *s, size_t n, const char *code)
{
	size_t i = 0;

	for (; i < n && code[i]; i++)
		if (lower_ascii((unsigned char)s[i]) != code[i])
			return 0;
	return i == n && code[i] == '\0';
}

int chorus_lang_from_code(const char *s, size_t len)
{
	size_t n = 0;

	if (!s)
		return CHORUS_LANG_UND;
	while (n < len && s[n] != '-' && s[n] != '_')
		n++;
	if (subtag_is(s, n, "ru") || subtag_is(s, n, "rus"))
		return CHORUS_LANG_RU;
	if (subtag_is(s, n, "kk") || subtag_is(s, n, "kaz"))
		return CHORUS_LANG_KK;
	if (subtag_is(s, n, "en") || subtag_is(s, n, "eng"))
		return CHORUS_LANG_EN;
	return CHORUS_LANG_UND;
}

/* ---- detection ---- */

enum { SC_NONE, SC_LATIN, SC_CYRILLIC };

static int script(uint32_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0x24F && c != 0xF7))
		return SC_LATIN;
	return c >= 0x400 && c <= 0x52F ? SC_CYRILLIC : SC_NONE;
}

enum { F_KK = 1, F_KK_I = 2, F_RU = 4, F_UK = 8 };

static unsigned letter_flags(uint32_t c)
{
	switch (c) {
	case 0x4D9: case 0x493: case 0x49B: case 0x4A3: case 0x4E9:
	case 0x4B1: case 0x4AF: case 0x4BB:
		return F_KK;          /* ә ғ қ ң ө ұ ү һ */
	case 0x456:
		return F_KK_I;        /* і: Kazakh, also Ukrainian and Belarusian */
	case 0x44C: case 0x44A: case 0x449: case 0x451: case 0x44D:
		return F_RU;          /* ь ъ щ ё э */
	case 0x457: case 0x454: case 0x491: case 0x45E:
		return F_UK;          /* ї є ґ ў */
	default:
		return 0;
	}
}

typedef chorus_lang_stats lstats;

/* Count the word at cps[i..); return its end. */
static size_t count_word(const uint32_t *cps, size_t n, size_t i, lstats *st)
{
	uint64_t h = FW_SEED;
	unsigned flags = 0;
	size_t j = i, cyr = 0;
	int sc;

	while (j < n && (sc = script(cps[j])) != SC_NONE) {
		if (sc == SC_CYRILLIC) {
			cyr++;
			flags |= letter_flags(cps[j]);
		} else {
			st->latin++;
		}
		if (j - i < FW_MAX_LETTERS)
			h = fw_step(h, cps[j]);
		j++;
	}
	st->cyrillic += (uint32_t)cyr;
	st->flags |= flags;
	if (2 * cyr < j - i)
		st->latin_words++;
	else
		st->cyrillic_words++;
	if (cyr == 0)
		return j;
	st->kk_words += (flags & (F_KK | F_KK_I)) != 0;
	st->kk_strict += (flags & F_KK) != 0;
	st->ru_words += (flags & F_RU) != 0;
	st->uk_words += (flags & F_UK) != 0;
	if (j - i <= FW_MAX_LETTERS) {
		const int l = fw_lookup(h);
		st->fw_kk += l == CHORUS_LANG_KK;
		st->fw_ru += l == CHORUS_LANG_RU;
	}
	if (j - i >= 4)
		st->ru_ends += fw_lookup(fw_step(fw_step(END_SEED, cps[j - 2]), cps[j - 1])) == FW_ENDING;
	return j;
}

/* One cheap pass: letters per script and the union of letter flags. */
static void quick_counts(const uint32_t *cps, size_t n, lstats *st, unsigned *flags)
{
	unsigned f = 0;

	for (size_t i = 0; i < n; i++) {
		const uint32_t c = cps[i];
		if (c - 0x400u < 0x130u) {
			st->cyrillic++;
			f |= letter_flags(c);
		} else if (script(c) == SC_LATIN) {
			st->latin++;
		}
	}
	*flags = f;
}

/* The answer when the quick counts settle it, else -1. */
static int quick_decide(const lstats *st, unsigned flags)
{
	if (st->latin == 0 && st->cyrillic == 0)
		return CHORUS_LANG_UND;
	if (st->cyrillic == 0)
		return CHORUS_LANG_EN;
	if (!(flags & (F_KK | F_KK_I | F_UK)) && st->cyrillic >= QUICK_MIN_CYRILLIC &&
	    4 * st->latin <= st->cyrillic)
		return CHORUS_LANG_RU;
	return -1;
}

static int decide(const lstats *st)
{
	if (st->latin == 0 && st->cyrillic == 0)
		return CHORUS_LANG_UND;
	if (st->latin_words != st->cyrillic_words ? st->latin_words > st->cyrillic_words
						  : st->latin > st->cyrillic)
		return CHORUS_LANG_EN;
	if (st->uk_words > 0 && st->kk_strict == 0)
		return CHORUS_LANG_UND;
	if (st->kk_words + st->fw_kk > st->fw_ru + st->ru_words + st->ru_ends)
		return CHORUS_LANG_KK;
	return CHORUS_LANG_RU;
}

void chorus_lang_count(const uint32_t *cps, size_t n, chorus_lang_stats *st)
{
	size_t i = 0;

	pthread_once(&fw_once, fw_build);
	while (i < n) {
		if (script(cps[i]) == SC_NONE)
			i++;
		else
			i = count_word(cps, n, i, st);
	}
}

/* The quick decision sees only the letter counts and flags, which the full
 * count gives too (the same letters, word by word). */
int chorus_lang_decide(const chorus_lang_stats *st)
{
	const int quick = quick_decide(st, st->flags);

	return quick >= 0 ? quick : decide(st);
}

int chorus_lang_detect(const uint32_t *cps, size_t n)
{
	lstats st;
	unsigned flags;
	int quick;

	memset(&st, 0, sizeof st);
	quick_counts(cps, n, &st, &flags);
	if ((quick = quick_decide(&st, flags)) >= 0)
		return quick;
	memset(&st, 0, sizeof st);
	chorus_lang_count(cps, n, &st);
	return decide(&st);
}
