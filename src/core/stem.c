/*
 * stem.c - stemming: the project's one adapter over libstemmer (Snowball
 * "russian" and "english", UTF-8), the Kazakh suffix stripper, and a
 * per-workspace cache.
 *
 * Which stemmer a word gets depends on the post's language and the word's
 * own script, so a Latin brand name in a Russian post is not fed to the
 * Russian stemmer:
 *   post und                 -> unchanged
 *   Latin-only word          -> english (whatever the post's language)
 *   Cyrillic-only word       -> russian in ru posts, kazakh in kk posts;
 *                               in en posts kazakh when it holds one of
 *                               ә ғ қ ң ө ұ ү һ і, else russian
 *   word mixing both scripts -> the post's language
 *   no Latin or Cyrillic letter (digits only, other scripts) -> unchanged
 * Words longer than STEM_MAX_WORD bytes are no real words: unchanged.
 *
 * Kazakh stripper: remove the longest suffix of models/kk/suffixes.txt that
 * ends the word, again and again, while the stem keeps at least
 * KK_MIN_STEM letters; then, if anything was removed, unvoice a final
 * б / г / ғ (кітабы -> кітаб -> кітап), the consonant alternation that
 * vowel-initial suffixes cause.  It aims at consistency (every form of a
 * word reaches the same stem), not at linguistic analysis.
 *
 * Cache: 4-way set associative, 65,536 entries of 32 bytes (the word, and
 * its stem unless the stem is a prefix of the word), a 32-bit tag per way
 * kept apart so a lookup reads one tag line and one entry line; FIFO
 * replacement within a set.  Memory is fixed (~2.3 MiB per workspace)
 * whatever the input; words that do not fit an entry (over ~14 Cyrillic
 * letters) are stemmed every time.  On the Telegram word stream ~86 % of
 * words hit.  Cost: ~18 ns per hit when hot, more when the entry has left
 * the CPU caches; a Snowball call (~140 ns for Russian) per miss.  Sizes
 * were chosen by measurement: halving the cache costs ~15 % more time per
 * word, doubling it gains ~10 %.
 */
#include <stdint.h>
#include <string.h>

#include <libstemmer.h>

#include "chorus/alloc.h"
#include "chorus/hash.h"
#include "chorus/lang.h"
#include "chorus/stem.h"
#include "models_int.h"

#define STEM_MAX_WORD 128
#define KK_MIN_STEM 3
#define CACHE_WAYS 4
#define CACHE_SETS ((size_t)1 << 14) /* 65536 entries */
#define CACHE_DATA 28

_Static_assert(STEM_MAX_WORD < 256, "lengths fit in a byte");

enum { ALG_NONE, ALG_RU, ALG_EN, ALG_KK };

/* One cached word, half a cache line: the word, then its stem unless the
 * stem is a prefix of the word (Snowball's usual answer). */
typedef struct cache_entry {
	unsigned char alg, prefix, klen, slen;
	unsigned char data[CACHE_DATA];
} cache_entry;

_Static_assert(sizeof(cache_entry) == 32, "two entries per cache line");

struct chorus_stemmer {
	const chorus_models *m;
	struct sb_stemmer *ru, *en;
	uint32_t *tag;          /* CACHE_SETS * CACHE_WAYS, 0 = empty */
	cache_entry *entry;     /* same shape, 64-byte aligned inside entry_mem */
	void *entry_mem;
	unsigned char *victim;  /* per set: the way to replace next (FIFO) */
	char kk[STEM_MAX_WORD];
};

chorus_stemmer *chorus_stemmer_new(const chorus_models *m)
{
	chorus_stemmer *s = chorus_calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->m = m;
	s->tag = chorus_calloc(CACHE_SETS * CACHE_WAYS, sizeof *s->tag);
	s->entry_mem = chorus_malloc(CACHE_SETS * CACHE_WAYS * sizeof *s->entry + 64);
	if (s->entry_mem) /* aligned so that no entry straddles two cache lines */
		s->entry = (cache_entry *)(((uintptr_t)s->entry_mem + 63) & ~(uintptr_t)63);
	s->victim = chorus_calloc(CACHE_SETS, 1);
	/* libstemmer allocates with malloc itself; it cannot be routed. */
	s->ru = sb_stemmer_new("russian", "UTF_8");
	s->en = sb_stemmer_new("english", "UTF_8");
	if (!s->tag || !s->entry || !s->victim || !s->ru || !s->en) {
		chorus_stemmer_free(s);
		return NULL;
	}
	return s;
}

void chorus_stemmer_free(chorus_stemmer *s)
{
	if (!s)
		return;
	if (s->ru)
		sb_stemmer_delete(s->ru);
	if (s->en)
		sb_stemmer_delete(s->en);
	chorus_free(s->tag);
	chorus_free(s->entry_mem);
	chorus_free(s->victim);
	chorus_free(s);
}

/* ---- choosing the algorithm ---- */

enum { W_LATIN = 1, W_CYRILLIC = 2, W_KK = 4 };

static int kk_letter(unsigned char a, unsigned char b)
{
	/* ә ө (D3 99, D3 A9); ғ қ ң ұ ү һ (D2 93 9B A3 B1 AF BB); і (D1 96) */
	if (a == 0xD3)
		return b == 0x99 || b == 0xA9;
	if (a == 0xD2)
		return b == 0x93 || b == 0x9B || b == 0xA3 || b == 0xB1 || b == 0xAF || b == 0xBB;
	return a == 0xD1 && b == 0x96;
}

static unsigned word_scripts(const unsigned char *w, size_t len)
{
	unsigned f = 0;

	for (size_t i = 0; i < len; i++) {
		const unsigned char c = w[i];
		if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
			f |= W_LATIN;
		else if (c >= 0xC3 && c <= 0xC9) /* U+00C0..U+027F */
			f |= W_LATIN;
		else if (c >= 0xD0 && c <= 0xD4) /* U+0400..U+052F */
			f |= W_CYRILLIC | (i + 1 < len && kk_letter(c, w[i + 1]) ? W_KK : 0);
	}
	return f;
}

static int by_lang(int lang)
{
	switch (lang) {
	case CHORUS_LANG_RU: return ALG_RU;
	case CHORUS_LANG_KK: return ALG_KK;
	case CHORUS_LANG_EN: return ALG_EN;
	default: return ALG_NONE;
	}
}

static int choose(int lang, const char *w, size_t len)
{
	const unsigned f = word_scripts((const unsigned char *)w, len);

	if (lang <= CHORUS_LANG_UND || lang >= CHORUS_LANG_COUNT || !(f & (W_LATIN | W_CYRILLIC)))
		return ALG_NONE;
	if ((f & W_LATIN) && (f & W_CYRILLIC))
		return by_lang(lang);
	if (f & W_LATIN)
		return ALG_EN;
	if (lang == CHORUS_LANG_EN)
		return (f & W_KK) ? ALG_KK : ALG_RU;
	return by_lang(lang);
}

/* ---- Kazakh stripper ---- */

/* Starts of the code points of w, at most STEM_MAX_WORD. */
static size_t letter_starts(const char *w, size_t len, unsigned char *start)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)w[i] & 0xC0) != 0x80)
			start[n++] = (unsigned char)i;
	return n;
}

/* Letters to keep after removing the longest suffix of w[0..start[n]...),
 * or n when no suffix fits. */
static size_t strip_once(const chorus_models *m, const char *w, size_t len,
			 const unsigned char *start, size_t n)
{
	const size_t maxl = chorus_models_kk_max_letters(m);

	if (n <= KK_MIN_STEM)
		return n;
	for (size_t l = n - KK_MIN_STEM < maxl ? n - KK_MIN_STEM : maxl; l > 0; l--) {
		const size_t at = start[n - l];
		if (chorus_models_kk_suffix(m, w + at, len - at))
			return n - l;
	}
	return n;
}

static void unvoice(char *w, size_t len)
{
	unsigned char *p;

	if (len < 2)
		return;
	p = (unsigned char *)w + len - 2;
	if (p[0] == 0xD0 && p[1] == 0xB1)      /* б -> п */
		p[1] = 0xBF;
	else if (p[0] == 0xD0 && p[1] == 0xB3) /* г -> к */
		p[1] = 0xBA;
	else if (p[0] == 0xD2 && p[1] == 0x93) /* ғ -> қ */
		p[1] = 0x9B;
}

static size_t kk_strip(const chorus_models *m, const char *w, size_t len, char *out)
{
	unsigned char start[STEM_MAX_WORD + 1];
	size_t n = letter_starts(w, len, start), keep;

	start[n] = (unsigned char)len;
	for (keep = n;;) {
		const size_t k = strip_once(m, w, start[keep], start, keep);
		if (k == keep)
			break;
		keep = k;
	}
	memcpy(out, w, start[keep]);
	if (keep < n)
		unvoice(out, start[keep]);
	return start[keep];
}

/* ---- cache ---- */

static size_t cache_set(uint64_t h)
{
	return (size_t)h & (CACHE_SETS - 1);
}

static uint32_t cache_tag(uint64_t h)
{
	return (uint32_t)(h >> 32) | 1u; /* 0 marks an empty way */
}

static int cache_get(const chorus_stemmer *s, uint64_t h, int alg, const char *w, size_t len,
		     const char **out, size_t *outlen)
{
	const size_t set = cache_set(h);
	const uint32_t tag = cache_tag(h);

	for (unsigned k = 0; k < CACHE_WAYS; k++) {
		const cache_entry *e = &s->entry[set * CACHE_WAYS + k];
		if (s->tag[set * CACHE_WAYS + k] != tag || e->alg != alg || e->klen != len ||
		    memcmp(e->data, w, len) != 0)
			continue;
		if (e->prefix) { /* the stem is the word's first slen bytes */
			*out = w;
		} else {
			*out = (const char *)e->data + len;
		}
		*outlen = e->slen;
		return 1;
	}
	return 0;
}

static void cache_put(chorus_stemmer *s, uint64_t h, int alg, const char *w, size_t len,
		      const char *st, size_t stlen)
{
	const size_t set = cache_set(h);
	const int prefix = stlen <= len && memcmp(w, st, stlen) == 0;
	const size_t slot = set * CACHE_WAYS + s->victim[set];
	cache_entry *e = &s->entry[slot];

	if (len + (prefix ? 0 : stlen) > CACHE_DATA)
		return;
	s->victim[set] = (unsigned char)((s->victim[set] + 1) % CACHE_WAYS);
	s->tag[slot] = cache_tag(h);
	e->alg = (unsigned char)alg;
	e->prefix = (unsigned char)prefix;
	e->klen = (unsigned char)len;
	e->slen = (unsigned char)stlen;
	memcpy(e->data, w, len);
	if (!prefix)
		memcpy(e->data + len, st, stlen);
}

/* ---- stemming ---- */

static void run(chorus_stemmer *s, int alg, const char *w, size_t len, const char **out,
		size_t *outlen)
{
	struct sb_stemmer *sb = alg == ALG_RU ? s->ru : s->en;
	const sb_symbol *r;

	if (alg == ALG_KK) {
		if (!s->m) /* no models: no suffix list */
			return;
		*outlen = kk_strip(s->m, w, len, s->kk);
		*out = s->kk;
		return;
	}
	r = sb_stemmer_stem(sb, (const sb_symbol *)w, (int)len);
	if (r) { /* NULL only when libstemmer runs out of memory: keep the word */
		*out = (const char *)r;
		*outlen = (size_t)sb_stemmer_length(sb);
	}
}

void chorus_stem(chorus_stemmer *s, int lang, const char *w, size_t len, const char **out,
		 size_t *outlen)
{
	const int alg = len <= STEM_MAX_WORD ? choose(lang, w, len) : ALG_NONE;
	uint64_t h;

	*out = w;
	*outlen = len;
	if (alg == ALG_NONE)
		return;
	if (len > CACHE_DATA) {
		run(s, alg, w, len, out, outlen);
		return;
	}
	h = chorus_hash64(w, len, (uint64_t)alg);
	if (cache_get(s, h, alg, w, len, out, outlen))
		return;
	run(s, alg, w, len, out, outlen);
	cache_put(s, h, alg, w, len, *out, *outlen);
}
