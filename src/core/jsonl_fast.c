/*
 * jsonl_fast.c - a one-pass scanner for the common canonical record.
 *
 * chorus_jsonl_fast_scan reads one line that is a flat JSON object and
 * picks out the fields the reader knows, without building a document.  It
 * answers only for a record that is entirely valid JSON, the way jansson
 * (JSON_DECODE_ANY | JSON_REJECT_DUPLICATES) reads it: anything else -- a
 * syntax error, invalid UTF-8, a NUL byte or \u0000, a lone surrogate, a
 * repeated key, a key with an escape, a nested object, a real number out of
 * range, nesting deeper than FAST_DEPTH, more than FAST_KEYS keys -- makes
 * it say "not sure" (0), and the caller runs jansson, whose result and
 * message then stand.  So the fast path changes speed, never results; the
 * differential fuzz target fuzz_jsonl_fast checks exactly that.
 *
 * Values of known keys: strings point into the line when they hold no
 * escape, else into scratch (which must hold len bytes: an unescaped
 * string is never longer than its JSON form); integers within int64 are
 * converted, longer digit runs are handed back as text (JV_BIGINT, sign
 * included), as the jansson path does.  Reals, booleans and arrays under a
 * known key are reported by kind; unknown keys' values are validated and
 * skipped.
 * Cost: one pass over the bytes, no allocation.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/utf8.h"
#include "jsonl_int.h"

#define FAST_KEYS 32
#define FAST_DEPTH 32
#define REAL_MAX_LEN 64

static const char *const known[JK_COUNT] = {
	"id", "author", "text", "created_at", "platform", "url", "lang", "repost_of",
	"reply_to", "author_created_at", "author_handle", "server_time", "source",
	"source_line", "raw_sha256"
};

typedef struct scanner {
	const char *s;
	size_t len, i;
	char *scratch;
	size_t used;
} scanner;

static void skip_ws(scanner *sc)
{
	while (sc->i < sc->len) {
		const char c = sc->s[sc->i];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return;
		sc->i++;
	}
}

static int hex4(const char *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int k = 0; k < 4; k++) {
		const char c = p[k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* One escape after the backslash at s[i]; appends to out, advances *i. */
static int unescape(scanner *sc, size_t *i, char *out, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit;
	uint32_t cp, lo;

	if (*i + 1 >= sc->len)
		return -1;
	if (sc->s[*i + 1] != 'u') {
		if (!sc->s[*i + 1] || !(hit = strchr(from, sc->s[*i + 1])))
			return -1;
		out[(*n)++] = to[hit - from];
		*i += 2;
		return 0;
	}
	if (*i + 6 > sc->len || hex4(sc->s + *i + 2, &cp) != 0 || cp == 0)
		return -1;
	*i += 6;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return -1; /* a low surrogate first */
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (*i + 6 > sc->len || sc->s[*i] != '\\' || sc->s[*i + 1] != 'u' ||
		    hex4(sc->s + *i + 2, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
			return -1;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		*i += 6;
	}
	*n += (size_t)chorus_utf8_encode(cp, out + *n);
	return 0;
}

/*
 * A string starting at the quote s[i]; *p, *plen get its value (NULL when
 * want is 0).  0, or -1 when not sure.
 */
static int string(scanner *sc, int want, const char **p, size_t *plen)
{
	size_t i = sc->i + 1, start = i, bad;
	char *out = NULL;
	size_t n = 0;

	while (i < sc->len) {
		const unsigned char c = (unsigned char)sc->s[i];
		if (c == '"')
			break;
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			if (out)
				out[n++] = (char)c;
			i++;
			continue;
		}
		if (!out && want) {
			out = sc->scratch + sc->used;
			memcpy(out, sc->s + start, i - start);
			n = i - start;
		}
		if (want) {
			if (unescape(sc, &i, out, &n) != 0)
				return -1;
		} else {
			char tmp[4];
			size_t m = 0;
			if (unescape(sc, &i, tmp, &m) != 0)
				return -1;
		}
	}
	if (i >= sc->len)
		return -1;
	if (!chorus_utf8_valid(sc->s + start, i - start, &bad))
		return -1;
	if (want) {
		if (out) {
			*p = out;
			*plen = n;
			sc->used += n;
		} else {
			*p = sc->s + start;
			*plen = i - start;
		}
	}
	sc->i = i + 1;
	return 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A number at s[i] by the JSON grammar.  Integers within int64 go to *iv
 * (kind JV_INT), longer ones are JV_BIGINT over their text; reals JV_REAL
 * unless they overflow a double (jansson refuses those: not sure). */
static int number(scanner *sc, chorus_jfield *f)
{
	const size_t start = sc->i;
	size_t i = start;
	int real = 0;

	if (i < sc->len && sc->s[i] == '-')
		i++;
	if (i >= sc->len || !is_digit(sc->s[i]))
		return -1;
	if (sc->s[i] == '0')
		i++;
	else
		while (i < sc->len && is_digit(sc->s[i]))
			i++;
	if (i < sc->len && sc->s[i] == '.') {
		real = 1;
		if (++i >= sc->len || !is_digit(sc->s[i]))
			return -1;
		while (i < sc->len && is_digit(sc->s[i]))
			i++;
	}
	if (i < sc->len && (sc->s[i] == 'e' || sc->s[i] == 'E')) {
		real = 1;
		if (++i < sc->len && (sc->s[i] == '+' || sc->s[i] == '-'))
			i++;
		if (i >= sc->len || !is_digit(sc->s[i]))
			return -1;
		while (i < sc->len && is_digit(sc->s[i]))
			i++;
	}
	sc->i = i;
	if (real) {
		char buf[REAL_MAX_LEN + 1];
		double d;
		if (i - start > REAL_MAX_LEN)
			return -1;
		memcpy(buf, sc->s + start, i - start);
		buf[i - start] = '\0';
		errno = 0;
		d = strtod(buf, NULL);
		if ((errno == ERANGE && d != 0.0) || isinf(d))
			return -1;
		f->kind = JV_REAL;
		return 0;
	}
	/* Integer: int64 when it fits, else its digits. */
	{
		const int neg = sc->s[start] == '-';
		uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		int over = 0;
		for (size_t k = start + (size_t)neg; k < i; k++) {
			const uint64_t d = (uint64_t)(sc->s[k] - '0');
			if (v > (lim - d) / 10) {
				over = 1;
				break;
			}
			v = v * 10 + d;
		}
		if (over) {
			f->kind = JV_BIGINT;
			f->p = sc->s + start;
			f->len = i - start;
		} else {
			f->kind = JV_INT;
			f->i = neg ? (int64_t)(0 - v) : (int64_t)v;
		}
	}
	return 0;
}

static int literal(scanner *sc, const char *word, size_t n)
{
	if (sc->len - sc->i < n || memcmp(sc->s + sc->i, word, n) != 0)
		return -1;
	sc->i += n;
	return 0;
}

static int value(scanner *sc, chorus_jfield *f, int depth);

/* An array at s[i] (validated and skipped). */
static int array(scanner *sc, int depth)
{
	chorus_jfield dummy;

	if (depth >= FAST_DEPTH)
		return -1;
	sc->i++;
	skip_ws(sc);
	if (sc->i < sc->len && sc->s[sc->i] == ']') {
		sc->i++;
		return 0;
	}
	for (;;) {
		skip_ws(sc);
		if (value(sc, &dummy, depth + 1) != 0)
			return -1;
		skip_ws(sc);
		if (sc->i >= sc->len)
			return -1;
		if (sc->s[sc->i] == ']') {
			sc->i++;
			return 0;
		}
		if (sc->s[sc->i++] != ',')
			return -1;
	}
}

/* Any value at s[i]; f (may be a dummy) gets its kind and, for strings and
 * integers, its value.  Objects are left to jansson (their keys would need
 * the duplicate check too). */
static int value(scanner *sc, chorus_jfield *f, int depth)
{
	if (sc->i >= sc->len)
		return -1;
	switch (sc->s[sc->i]) {
	case '"':
		f->kind = JV_STRING;
		return string(sc, 1, &f->p, &f->len);
	case '[':
		f->kind = JV_ARRAY;
		return array(sc, depth);
	case 't':
		f->kind = JV_BOOL;
		return literal(sc, "true", 4);
	case 'f':
		f->kind = JV_BOOL;
		return literal(sc, "false", 5);
	case 'n':
		f->kind = JV_NULL;
		return literal(sc, "null", 4);
	default:
		return number(sc, f);
	}
}

static int key_index(const char *k, size_t n)
{
	for (int j = 0; j < JK_COUNT; j++)
		if (strlen(known[j]) == n && memcmp(known[j], k, n) == 0)
			return j;
	return -1;
}

int chorus_jsonl_fast_scan(const char *p, size_t len, char *scratch,
			   chorus_jfield out[JK_COUNT])
{
	scanner sc = { p, len, 0, scratch, 0 };
	const char *keys[FAST_KEYS];
	size_t klen[FAST_KEYS], nkeys = 0;

	for (int j = 0; j < JK_COUNT; j++)
		out[j].kind = JV_ABSENT;
	skip_ws(&sc);
	if (sc.i >= len || p[sc.i] != '{')
		return 0;
	sc.i++;
	skip_ws(&sc);
	if (sc.i < len && p[sc.i] == '}') {
		sc.i++;
	} else {
		for (;;) {
			const char *k;
			size_t kn;
			chorus_jfield dummy;
			int j;
			skip_ws(&sc);
			if (sc.i >= len || p[sc.i] != '"' || nkeys == FAST_KEYS)
				return 0;
			k = p + sc.i + 1;
			if (string(&sc, 0, NULL, NULL) != 0)
				return 0;
			kn = (size_t)(p + sc.i - 1 - k);
			if (memchr(k, '\\', kn))
				return 0; /* escaped key: let jansson compare */
			for (size_t q = 0; q < nkeys; q++)
				if (klen[q] == kn && memcmp(keys[q], k, kn) == 0)
					return 0; /* duplicate: jansson refuses it */
			keys[nkeys] = k;
			klen[nkeys++] = kn;
			skip_ws(&sc);
			if (sc.i >= len || p[sc.i++] != ':')
				return 0;
			skip_ws(&sc);
			if (sc.i < len && p[sc.i] == '{')
				return 0;
			j = key_index(k, kn);
			if (value(&sc, j >= 0 ? &out[j] : &dummy, 0) != 0)
				return 0;
			skip_ws(&sc);
			if (sc.i >= len)
				return 0;
			if (p[sc.i] == '}') {
				sc.i++;
				break;
			}
			if (p[sc.i++] != ',')
				return 0;
		}
	}
	skip_ws(&sc);
	return sc.i == len;
}
