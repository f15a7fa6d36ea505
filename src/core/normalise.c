/*
 * normalise.c - the matching form of a post: tokens joined by single spaces.
 *
 * Three passes over one post, each linear:
 *   1. fold (unicode.c): decode, drop invalid bytes and invisible code
 *      points, NFKC_Casefold; gives code points with classes and the raw
 *      bytes each came from;
 *   2. tokenise: URLs and @mentions become placeholder tokens ("<url>",
 *      "<@>") with their raw spans kept aside; '#' of a hashtag is dropped;
 *      a run of letters, digits and marks is a word, in which look-alike
 *      Latin/Cyrillic letters are folded to the word's majority script and
 *      combining marks left over after NFKC on a Latin or Cyrillic letter
 *      (strike-through, "zalgo") are dropped (CHORUS_NORM_NO_HOMOGLYPH turns
 *      both off); an emoji with its skin tone,
 *      tags and ZWJ-joined emoji is one token, as is a flag (two regional
 *      indicators) or a keycap; a run of punctuation and symbols is one
 *      token, its first mark, dashes folded to '-', quotes to '"' and
 *      apostrophes to '\''.  Word letters are gathered for language
 *      detection unless the post's declared language is one of ours;
 *   3. output: words are stemmed (stem.c) in the detected language and
 *      every token is copied into the output text, one space apart.
 * Design choices, for matching only (the raw text is never changed):
 *   - hyphens and other punctuation split words ("кое-как" = кое - как);
 *     an apostrophe between two letters stays inside the word;
 *   - a bare domain (labels of Latin letters, digits, '-', or Cyrillic,
 *     ending in a known TLD such as .com, .ru, .kz, .me, .рф) is a URL too,
 *     so "t.me/channel" is; a URL ends at white space or at a character
 *     that never occurs unescaped in one, and loses trailing punctuation
 *     and unbalanced closing brackets (Markdown "[x](https://...)");
 *   - a mention is '@' + [a-z0-9_] (with inner '.', '-', '@' for Bluesky
 *     and fediverse handles), not preceded by a letter (e-mail addresses).
 * Invariants of the result: tokens are non-empty, in order, inside text and
 * separated by exactly one space; text is valid UTF-8 and NUL-terminated;
 * spans lie inside the raw text.
 * Memory: every buffer is sized from the fold's output before tokenising,
 * grows to the largest post seen and is reused: no allocation per post in
 * the steady state.  Raw text past 1 MiB is ignored (unicode_int.h caps).
 * Cost: O(len).  Measured (tests/bench/bench_normalise.c, Telegram posts cut
 * to ~210 bytes, one core): ~1.4 us per post without stemming, ~2.6 us
 * with it from a cold stem cache.
 */
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/error.h"
#include "chorus/hash.h"
#include "chorus/lang.h"
#include "chorus/normalise.h"
#include "chorus/stem.h"
#include "chorus/utf8.h"
#include "norm_int.h"
#include "unicode_int.h"

#define URL_TEXT "<url>"
#define MENTION_TEXT "<@>"
#define BOTH_SCRIPTS ((1u << UC_LATIN) | (1u << UC_CYRILLIC))


static const char *const steps[] = {
	"strip_invisible", "nfkc_casefold", "urls", "mentions", "hashtags", "homoglyphs",
	"emoji", "punctuation", "language", "stem", NULL
};

const char *const *chorus_norm_steps(void)
{
	return steps;
}

/* ---- workspace ---- */

/* p grown to hold need items of size bytes; on failure p is kept and *rc set. */
static void *grow(void *p, size_t *cap, size_t need, size_t size, int *rc)
{
	size_t c = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	q = chorus_reallocarray(p, c, size);
	if (!q) {
		*rc = CHORUS_ENOMEM;
		return p;
	}
	*cap = c;
	return q;
}

void chorus_norm_free(chorus_norm *w)
{
	if (!w)
		return;
	norm_cache_free(w->cache);
	chorus_ufold_dispose(&w->fold);
	chorus_stemmer_free(w->stem);
	chorus_free(w->tb);
	chorus_free(w->tok);
	chorus_free(w->url);
	chorus_free(w->men);
	chorus_free(w->ob);
	chorus_free(w);
}

chorus_norm *chorus_norm_new(const chorus_models *m, unsigned flags)
{
	chorus_norm *w = chorus_calloc(1, sizeof *w);
	int rc = 0;

	if (!w)
		return NULL;
	w->flags = flags;
	if (chorus_ufold_init(&w->fold) != 0)
		goto fail;
	if (!(flags & CHORUS_NORM_NO_STEM) && !(w->stem = chorus_stemmer_new(m)))
		goto fail;
	w->ob = grow(w->ob, &w->ob_cap, 256, 1, &rc);
	if (rc)
		goto fail;
	w->ob[0] = '\0';
	return w;
fail:
	chorus_norm_free(w);
	return NULL;
}

/* Room for everything pass 2 can write, from the fold's output: a token
 * per element at most, a span per two elements, and token bytes at most
 * twice the UTF-8 of the elements (a Latin look-alike becomes a two-byte
 * Cyrillic letter; placeholders are never longer than element count plus
 * their bytes). */
static int reserve_all(chorus_norm *w)
{
	const size_t n = w->fold.n, bytes = 2 * w->fold.u8len + n + 16;
	int rc = 0;

	w->tb = grow(w->tb, &w->tb_cap, bytes, 1, &rc);
	w->tok = grow(w->tok, &w->tok_cap, n + 1, sizeof *w->tok, &rc);
	if (!rc && w->span_cap < n / 2 + 1) {
		size_t c1 = w->span_cap, c2 = w->span_cap;
		w->url = grow(w->url, &c1, n / 2 + 1, sizeof *w->url, &rc);
		w->men = grow(w->men, &c2, n / 2 + 1, sizeof *w->men, &rc);
		w->span_cap = c1 < c2 ? c1 : c2;
	}
	w->tb_len = w->ntok = w->content = w->nurl = w->nmen = w->nlc = 0;
	return rc;
}

/* ---- element access: up to two past the end (the fold's sentinels, a
 * space with code point 0); every lookahead below stops at the first ---- */

static inline unsigned cls_at(const chorus_norm *w, size_t i)
{
	return chorus_uel_cls(w->fold.el[i]);
}

static inline uint32_t cp_at(const chorus_norm *w, size_t i)
{
	return chorus_uel_cp(w->fold.el[i]);
}

static inline int word_cls(unsigned c)
{
	return c >= UC_LATIN && c <= UC_DIGIT; /* Latin, Cyrillic, letter, mark, digit */
}

static inline int letter_cls(unsigned c)
{
	return c >= UC_LATIN && c <= UC_LETTER;
}

/* Character sets of the URL and mention grammars. */
static int url_stop(uint32_t c)
{
	switch (c) {
	case '<': case '>': case '"': case '`': case '{': case '}': case '|': case '\\': case '^':
		return 1;
	default:
		return 0;
	}
}

static int url_trailing(uint32_t c)
{
	switch (c) {
	case '.': case ',': case ':': case ';': case '!': case '?': case '\'': case '"':
	case '*': case '_': case '~':
		return 1;
	default:
		return 0;
	}
}

static int after_domain(uint32_t c)
{
	return c == '/' || c == ':' || c == '?' || c == '#';
}

static int handle_joiner(uint32_t c)
{
	return c == '.' || c == '-' || c == '@';
}

static int url_start_stop(uint32_t c)
{
	return c == '.' || c == ':' || c == '-';
}

/* ---- output of pass 2 ---- */

static inline void put_cp(chorus_norm *w, uint32_t cp)
{
	char *p = w->tb + w->tb_len;

	if (cp < 0x80) {
		*p = (char)cp;
		w->tb_len++;
	} else if (cp < 0x800) {
		p[0] = (char)(0xC0 | (cp >> 6));
		p[1] = (char)(0x80 | (cp & 0x3F));
		w->tb_len += 2;
	} else {
		w->tb_len += (size_t)chorus_utf8_encode(cp, p);
	}
}

static void add_token(chorus_norm *w, size_t start, unsigned kind)
{
	chorus_token *t = &w->tok[w->ntok++];

	t->off = (uint32_t)start;
	t->len = (uint32_t)(w->tb_len - start);
	t->kind = kind;
	w->content += kind == CHORUS_TOK_WORD || kind == CHORUS_TOK_EMOJI;
}

/* A URL or mention token; the span covers the raw bytes of el[i..k). */
static size_t emit_placeholder(chorus_norm *w, size_t i, size_t k, unsigned kind)
{
	const char *text = kind == CHORUS_TOK_URL ? URL_TEXT : MENTION_TEXT;
	const size_t start = w->tb_len;
	const size_t n = kind == CHORUS_TOK_URL ? sizeof URL_TEXT - 1 : sizeof MENTION_TEXT - 1;
	chorus_span *sp = kind == CHORUS_TOK_URL ? &w->url[w->nurl++] : &w->men[w->nmen++];

	sp->off = w->fold.el[i].off;
	sp->len = w->fold.el[k - 1].end - sp->off;
	memcpy(w->tb + start, text, n);
	w->tb_len += n;
	add_token(w, start, kind);
	return k;
}

static size_t emit_emoji(chorus_norm *w, size_t i, size_t k)
{
	const size_t start = w->tb_len;

	for (size_t t = i; t < k; t++)
		put_cp(w, cp_at(w, t));
	add_token(w, start, CHORUS_TOK_EMOJI);
	return k;
}

/* ---- URLs and mentions ---- */

static int match_ascii(const chorus_norm *w, size_t i, const char *lit)
{
	for (; *lit; lit++, i++)
		if (cp_at(w, i) != (unsigned char)*lit)
			return 0;
	return 1;
}

static int url_char(const chorus_norm *w, size_t i)
{
	const unsigned c = cls_at(w, i);

	if (word_cls(c))
		return 1;
	return c == UC_PUNCT && cp_at(w, i) < 0x80 && !url_stop(cp_at(w, i));
}

static size_t url_body(const chorus_norm *w, size_t k)
{
	while (k < w->fold.n && url_char(w, k))
		k++;
	return k;
}

/* Drop trailing punctuation and unbalanced closing brackets of el[from..k). */
static size_t url_trim(const chorus_norm *w, size_t from, size_t k)
{
	long paren = 0, bracket = 0; /* closing minus opening */

	for (size_t t = from; t < k; t++) {
		const uint32_t c = cp_at(w, t);
		paren += (c == ')') - (c == '(');
		bracket += (c == ']') - (c == '[');
	}
	while (k > from) {
		const uint32_t c = cp_at(w, k - 1);
		if (c == ')' && paren > 0)
			paren--;
		else if (c == ']' && bracket > 0)
			bracket--;
		else if (!url_trailing(c))
			break;
		k--;
	}
	return k;
}

static const char *const tlds[] = {
	"com", "net", "org", "info", "io", "me", "ru", "su", "kz", "by", "ua", "uk", "us", "tv",
	"co", "ly", "gl", "be", "to", "cc", "eu", "de", "fr", "edu", "gov", "news", "online",
	"site", "xyz", "top", "pro", "app", "dev", "link", "club", "shop", "рф", "қаз", NULL
};

static int is_tld(const chorus_norm *w, size_t s, size_t k)
{
	char buf[16];
	size_t n = 0;

	if (k - s > 6)
		return 0;
	for (size_t t = s; t < k; t++)
		n += (size_t)chorus_utf8_encode(cp_at(w, t), buf + n);
	for (size_t t = 0; tlds[t]; t++)
		if (strlen(tlds[t]) == n && memcmp(tlds[t], buf, n) == 0)
			return 1;
	return 0;
}

static int domain_char(const chorus_norm *w, size_t i)
{
	const unsigned c = cls_at(w, i);
	const uint32_t cp = cp_at(w, i);

	return (cp < 0x80 && (c == UC_LATIN || c == UC_DIGIT || cp == '-')) || c == UC_CYRILLIC;
}

/* End of a domain name with a known TLD at el[i..), or i. */
static size_t domain_end(const chorus_norm *w, size_t i)
{
	size_t k = i, last = i;
	unsigned labels = 0;

	for (;;) {
		const size_t s = k;
		while (domain_char(w, k))
			k++;
		if (k == s)
			return i;
		labels++;
		last = s;
		if (cp_at(w, k) != '.' || !domain_char(w, k + 1))
			break;
		k++;
	}
	return labels >= 2 && is_tld(w, last, k) ? k : i;
}

/* End of a bare domain, with its path if one follows, at el[i..), or i. */
static size_t domain_url_end(const chorus_norm *w, size_t i)
{
	const size_t d = domain_end(w, i);
	size_t k;

	if (d == i || !after_domain(cp_at(w, d)))
		return d;
	k = url_trim(w, i, url_body(w, d));
	return k > d ? k : d;
}

/* End of the URL starting at el[i], or i when there is none. */
static size_t url_end(const chorus_norm *w, size_t i)
{
	size_t body, k;

	if (match_ascii(w, i, "https://"))
		body = i + 8;
	else if (match_ascii(w, i, "http://"))
		body = i + 7;
	else if (match_ascii(w, i, "www."))
		body = i + 4;
	else
		return domain_url_end(w, i);
	k = url_trim(w, i, url_body(w, body));
	return k > body ? k : i;
}

static int handle_char(const chorus_norm *w, size_t i)
{
	const uint32_t cp = cp_at(w, i);

	return cp < 0x80 && (cls_at(w, i) == UC_LATIN || cls_at(w, i) == UC_DIGIT || cp == '_');
}

/* End of the @mention starting at el[i] ('@'), or i. */
static size_t mention_end(const chorus_norm *w, size_t i)
{
	size_t k = i + 1;

	if ((i > 0 && word_cls(cls_at(w, i - 1))) || !handle_char(w, k))
		return i;
	for (;;) {
		while (handle_char(w, k))
			k++;
		if (!handle_joiner(cp_at(w, k)) || !handle_char(w, k + 1))
			return k;
		k++;
	}
}

/* ---- words ---- */

static int is_apostrophe(uint32_t c)
{
	return c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x02BC;
}

/* Latin letter -> Cyrillic look-alike (upper or lower case alike), or 0. */
static uint32_t lat_to_cyr(uint32_t c)
{
	switch (c) {
	case 'a': return 0x430; case 'b': return 0x432; case 'c': return 0x441;
	case 'e': return 0x435; case 'h': return 0x43D; case 'i': return 0x456;
	case 'k': return 0x43A; case 'm': return 0x43C; case 'o': return 0x43E;
	case 'p': return 0x440; case 't': return 0x442; case 'x': return 0x445;
	case 'y': return 0x443; case 0xEB: return 0x451; case 0x259: return 0x4D9;
	default: return 0;
	}
}

/* Cyrillic letter -> Latin look-alike, or 0. */
static uint32_t cyr_to_lat(uint32_t c)
{
	switch (c) {
	case 0x430: return 'a'; case 0x432: return 'b'; case 0x441: return 'c';
	case 0x435: return 'e'; case 0x43D: return 'h'; case 0x456: return 'i';
	case 0x43A: return 'k'; case 0x43C: return 'm'; case 0x43E: return 'o';
	case 0x440: return 'p'; case 0x442: return 't'; case 0x445: return 'x';
	case 0x443: return 'y'; case 0x451: return 0xEB; case 0x4D9: return 0x259;
	case 0x458: return 'j'; case 0x455: return 's'; case 0x4BB: return 'h';
	case 0x501: return 'd'; case 0x51B: return 'q'; case 0x51D: return 'w';
	default: return 0;
	}
}

/* Script to fold a mixed word into: UC_LATIN, UC_CYRILLIC or 0 (leave).
 * The majority of letters decides; on a tie, the script with more letters
 * that have no look-alike in the other. */
static unsigned word_target(const chorus_norm *w, size_t i, size_t j)
{
	size_t lat = 0, cyr = 0, lat_own = 0, cyr_own = 0;

	for (size_t k = i; k < j; k++) {
		const unsigned c = cls_at(w, k);
		if (c == UC_LATIN) {
			lat++;
			lat_own += lat_to_cyr(cp_at(w, k)) == 0;
		} else if (c == UC_CYRILLIC) {
			cyr++;
			cyr_own += cyr_to_lat(cp_at(w, k)) == 0;
		}
	}
	if (lat != cyr)
		return cyr > lat ? UC_CYRILLIC : UC_LATIN;
	if (lat_own != cyr_own)
		return cyr_own > lat_own ? UC_CYRILLIC : UC_LATIN;
	return 0;
}

static uint32_t fold_letter(uint32_t cp, unsigned c, unsigned target)
{
	uint32_t f = 0;

	if (target == UC_CYRILLIC && c == UC_LATIN)
		f = lat_to_cyr(cp);
	else if (target == UC_LATIN && c == UC_CYRILLIC)
		f = cyr_to_lat(cp);
	return f ? f : cp;
}

static void lang_letter(chorus_norm *w, uint32_t cp)
{
	if (w->nlc < LANG_MAX_CPS)
		w->lc[w->nlc++] = cp;
}

/* Write the word at el[i..) (letters, digits, marks, apostrophes between
 * letters), look-alike letters folded to target (0: none), leftover marks
 * on Latin/Cyrillic letters dropped; gather its letters for detection.
 * Returns its end; *seen gets the set of classes met. */
static size_t scan_word(chorus_norm *w, size_t i, unsigned target, unsigned *seen)
{
	const int drop_marks = !(w->flags & CHORUS_NORM_NO_HOMOGLYPH);
	unsigned s = 0, prev = UC_SPACE;
	size_t j;

	for (j = i;; j++) {
		const unsigned c = cls_at(w, j);
		uint32_t cp = cp_at(w, j);
		if (word_cls(c)) {
			s |= 1u << c;
			if (c == UC_MARK && drop_marks && (prev == UC_LATIN || prev == UC_CYRILLIC))
				continue;
			if (target)
				cp = fold_letter(cp, c, target);
		} else if (!is_apostrophe(cp) || !letter_cls(cls_at(w, j - 1)) ||
			   !letter_cls(cls_at(w, j + 1))) {
			break;
		}
		if (is_apostrophe(cp))
			cp = '\'';
		prev = c;
		put_cp(w, cp);
		if (w->want_lang && letter_cls(c))
			lang_letter(w, cp);
	}
	*seen = s;
	return j;
}

static int url_trigger(const chorus_norm *w, size_t i, size_t j)
{
	const uint32_t first = cp_at(w, i);

	return url_start_stop(cp_at(w, j)) && (first < 0x80 || cls_at(w, i) == UC_CYRILLIC);
}

/* A word, or a URL starting like one; written in one pass, redone only
 * when it turns out to be a URL or to mix Latin and Cyrillic letters. */
static size_t word(chorus_norm *w, size_t i)
{
	const size_t tb0 = w->tb_len, lc0 = w->nlc;
	unsigned seen, target;
	size_t j, k;

	if (cls_at(w, i) == UC_DIGIT && cls_at(w, i + 1) == UC_KEYCAP)
		return emit_emoji(w, i, i + 2);
	j = scan_word(w, i, 0, &seen);
	if (url_trigger(w, i, j) && (k = url_end(w, i)) > i) {
		w->tb_len = tb0;
		w->nlc = lc0;
		return emit_placeholder(w, i, k, CHORUS_TOK_URL);
	}
	if (!(w->flags & CHORUS_NORM_NO_HOMOGLYPH) && (seen & BOTH_SCRIPTS) == BOTH_SCRIPTS &&
	    (target = word_target(w, i, j)) != 0) {
		w->tb_len = tb0;
		w->nlc = lc0;
		scan_word(w, i, target, &seen);
	}
	if (w->want_lang)
		lang_letter(w, ' ');
	add_token(w, tb0, CHORUS_TOK_WORD);
	return j;
}

/* ---- emoji and punctuation ---- */

static size_t emoji_end(const chorus_norm *w, size_t i)
{
	const unsigned c = cls_at(w, i);
	size_t k = i + 1;

	if (c == UC_RI)
		return cls_at(w, k) == UC_RI ? k + 1 : k;
	if (c == UC_KEYCAP)
		return k;
	for (;;) {
		const unsigned d = cls_at(w, k);
		if (d == UC_EMOJI_MOD || d == UC_TAG)
			k++;
		else if (d == UC_ZWJ && cls_at(w, k + 1) == UC_EMOJI)
			k += 2;
		else
			return k;
	}
}

static uint32_t fold_punct(uint32_t c)
{
	if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0x2E3A || c == 0x2E3B ||
	    c == 0x058A || c == 0x05BE || c == 0x1806 || c == 0x2E17 || c == 0x301C ||
	    c == 0x30A0 || c == 0x2E40)
		return '-';
	if (c == 0xAB || c == 0xBB || (c >= 0x201C && c <= 0x201F) || c == 0x2039 ||
	    c == 0x203A || (c >= 0x300C && c <= 0x300F) || (c >= 0x301D && c <= 0x301F))
		return '"';
	if ((c >= 0x2018 && c <= 0x201B) || c == 0x2032 || c == 0x2035 || c == '`')
		return '\'';
	return c;
}

static int hashtag_at(const chorus_norm *w, size_t i)
{
	const unsigned c = cls_at(w, i + 1);

	return cp_at(w, i) == '#' && word_cls(c) && c != UC_MARK;
}

static int keycap_at(const chorus_norm *w, size_t i)
{
	return (cp_at(w, i) == '#' || cp_at(w, i) == '*') && cls_at(w, i + 1) == UC_KEYCAP;
}

/* Does el[i] start a token of its own inside a punctuation run? */
static int starts_special(const chorus_norm *w, size_t i)
{
	if (cp_at(w, i) == '@')
		return mention_end(w, i) > i;
	return keycap_at(w, i) || hashtag_at(w, i);
}

static size_t punct(chorus_norm *w, size_t i)
{
	const size_t start = w->tb_len;
	size_t k;

	if (cp_at(w, i) == '@' && (k = mention_end(w, i)) > i)
		return emit_placeholder(w, i, k, CHORUS_TOK_MENTION);
	if (keycap_at(w, i))
		return emit_emoji(w, i, i + 2);
	if (hashtag_at(w, i))
		return i + 1;
	for (k = i + 1; cls_at(w, k) == UC_PUNCT && !starts_special(w, k); k++)
		;
	put_cp(w, fold_punct(cp_at(w, i)));
	add_token(w, start, CHORUS_TOK_PUNCT);
	return k;
}

static void tokenise(chorus_norm *w)
{
	size_t i = 0;

	while (i < w->fold.n) {
		switch (cls_at(w, i)) {
		case UC_LATIN: case UC_CYRILLIC: case UC_LETTER: case UC_DIGIT:
			i = word(w, i);
			break;
		case UC_PUNCT:
			i = punct(w, i);
			break;
		case UC_EMOJI: case UC_EMOJI_MOD: case UC_RI: case UC_KEYCAP:
			i = emit_emoji(w, i, emoji_end(w, i));
			break;
		default: /* space; a mark, ZWJ or tag with nothing to attach to */
			i++;
		}
	}
}

/* ---- pass 3 ---- */

/* The text pass 3 writes for token s[0..l) of kind: a word's stem in lang
 * (stems are never longer than their words: Snowball and the Kazakh
 * stripper only cut or replace; the check guards the assumption), anything
 * else as it is. */
static void final_text(const chorus_norm *w, int lang, unsigned kind, const char **s,
		       size_t *l)
{
	const char *s0 = *s;
	const size_t l0 = *l;

	if (w->stem && kind == CHORUS_TOK_WORD) {
		chorus_stem(w->stem, lang, s0, l0, s, l);
		if (*l == 0 || *l > l0) {
			*s = s0;
			*l = l0;
		}
	}
}

uint64_t norm_token_hash(chorus_norm *w, int lang, unsigned kind, const char *s, size_t l,
			 uint64_t seed)
{
	final_text(w, lang, kind, &s, &l);
	return chorus_hash64(s, l, seed);
}

/* The first reservation covers every token, since stems are never longer
 * than their words. */
static int build_output(chorus_norm *w, int lang)
{
	size_t o = 0;
	int rc = 0;

	w->ob = grow(w->ob, &w->ob_cap, w->tb_len + w->ntok + 1, 1, &rc);
	for (size_t t = 0; t < w->ntok && !rc; t++) {
		chorus_token *tk = &w->tok[t];
		const char *s = w->tb + tk->off;
		size_t l = tk->len;
		final_text(w, lang, tk->kind, &s, &l);
		if (t)
			w->ob[o++] = ' ';
		memcpy(w->ob + o, s, l);
		tk->off = (uint32_t)o;
		tk->len = (uint32_t)l;
		o += l;
	}
	w->ob[rc ? 0 : o] = '\0';
	w->ob_len = rc ? 0 : o;
	return rc;
}

static void fill(const chorus_norm *w, int lang, chorus_normalised *out)
{
	out->text = w->ob;
	out->len = w->ob_len;
	out->tokens = w->tok;
	out->ntokens = w->ntok;
	out->urls = w->url;
	out->nurls = w->nurl;
	out->mentions = w->men;
	out->nmentions = w->nmen;
	out->lang = lang;
	out->content = w->content;
}

int norm_tokenise(chorus_norm *w, const char *raw, size_t len, int want_lang)
{
	int rc;

	if ((rc = chorus_ufold_run(&w->fold, raw, len)) != 0 || (rc = reserve_all(w)) != 0)
		return rc;
	w->want_lang = want_lang;
	tokenise(w);
	return 0;
}

int chorus_norm_run(chorus_norm *w, const char *raw, size_t len, const char *lang_hint,
		    chorus_normalised *out)
{
	const int hint = lang_hint ? chorus_lang_from_code(lang_hint, strlen(lang_hint))
				   : CHORUS_LANG_UND;
	int rc, lang;

	if ((rc = norm_tokenise(w, raw, len, hint == CHORUS_LANG_UND)) != 0)
		return rc;
	lang = w->want_lang ? chorus_lang_detect(w->lc, w->nlc) : hint;
	if ((rc = build_output(w, lang)) != 0)
		return rc;
	fill(w, lang, out);
	return 0;
}
