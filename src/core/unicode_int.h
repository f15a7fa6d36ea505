/*
 * unicode_int.h - the code point table and the "fold" stage of the
 * normaliser (NFKC + case folding + invisible-character removal), shared
 * inside src/core only.  Implemented in unicode.c, the only file that
 * calls utf8proc.
 *
 * Table entry (uint32_t), one per code point, describing NFKC_Casefold of
 * that code point on its own:
 *
 *   bits  0..20  the mapped code point (0 when UC_IDENT or UC_MULTI is set)
 *   bits 21..25  class of the mapped code point (enum chorus_ucls)
 *   bit  26      UC_IDENT  maps to itself
 *   bit  27      UC_MULTI  maps to several code points: slow path
 *   bit  28      UC_JOIN   not a normalisation boundary: may reorder or
 *                          compose with what precedes it (combining marks,
 *                          composition seconds, Hangul vowel/trailing jamo,
 *                          or a compatibility character decomposing to one)
 *   bit  29      UC_INVIS  class UC_IGNORE, UC_ZWJ, UC_VS or UC_TAG
 * An entry with none of UC_MULTI, UC_JOIN, UC_INVIS is the fast path.
 *
 * Lookup is two loads: idx[cp >> 7] names a 128-entry block of ent[];
 * low[] repeats the entries below U+0800 (ASCII, Latin, Cyrillic) for one
 * load.  Blocks are deduplicated: the whole range costs about 150 KiB.
 */
#ifndef CHORUS_UNICODE_INT_H
#define CHORUS_UNICODE_INT_H

#include <stddef.h>
#include <stdint.h>

enum chorus_ucls {
	UC_SPACE = 0,  /* white space, line breaks, controls: separators */
	UC_IGNORE,     /* default-ignorable (ZWSP, bidi controls, soft hyphen...) */
	UC_ZWJ,        /* U+200D: kept only inside emoji sequences */
	UC_VS,         /* variation selectors: always dropped */
	UC_TAG,        /* U+E0020..E007F: kept only after an emoji (flag tags) */
	UC_LATIN,      /* letter of the Latin script */
	UC_CYRILLIC,   /* letter of the Cyrillic script */
	UC_LETTER,     /* letter of another script, or unassigned */
	UC_MARK,       /* combining mark (Mn, Mc, Me) */
	UC_DIGIT,      /* Nd, Nl, No */
	UC_PUNCT,      /* punctuation and non-emoji symbols */
	UC_EMOJI,      /* Extended_Pictographic */
	UC_EMOJI_MOD,  /* skin tone modifiers U+1F3FB..1F3FF */
	UC_RI,         /* regional indicators (flags come in pairs) */
	UC_KEYCAP,     /* U+20E3 combining enclosing keycap */
	UC_NCLASSES
};

#define UC_CP_MASK 0x1FFFFFu
#define UC_CLS_SHIFT 21
#define UC_CLS_MASK 0x1Fu
#define UC_IDENT (1u << 26)
#define UC_MULTI (1u << 27)
#define UC_JOIN (1u << 28)
#define UC_INVIS (1u << 29)
#define UC_LOW 0x800u

_Static_assert(UC_NCLASSES <= UC_CLS_MASK + 1, "class fits in 5 bits");

typedef struct chorus_utable {
	const uint16_t *idx; /* 0x110000 >> 7 block numbers */
	const uint32_t *ent; /* blocks of 128 entries */
	const uint32_t *low; /* entries of U+0000..U+07FF */
} chorus_utable;

static inline uint32_t chorus_uc_entry(const chorus_utable *t, uint32_t cp)
{
	return t->ent[((uint32_t)t->idx[cp >> 7] << 7) | (cp & 127u)];
}

static inline unsigned chorus_uc_cls(uint32_t entry)
{
	return (entry >> UC_CLS_SHIFT) & UC_CLS_MASK;
}

/* The process-wide table, built on first call (about 10 ms) under a mutex,
 * so any thread may call this; NULL when out of memory (a later call
 * retries).  The table is never freed and read-only once returned. */
const chorus_utable *chorus_utable_get(void);

/* The class of one code point (as the table would give for its mapping). */
unsigned chorus_uc_class_of(const chorus_utable *t, uint32_t cp);

/* One folded code point of a post, with the raw bytes it came from. */
typedef struct chorus_uelem {
	uint32_t v;   /* code point | class << UC_CLS_SHIFT */
	uint32_t off; /* raw[off..end) produced it (a whole chunk on the slow path) */
	uint32_t end;
} chorus_uelem;

static inline uint32_t chorus_uel_cp(chorus_uelem e)
{
	return e.v & UC_CP_MASK;
}

static inline unsigned chorus_uel_cls(chorus_uelem e)
{
	return chorus_uc_cls(e.v);
}

/* Caps: raw text beyond CHORUS_UFOLD_MAX_RAW bytes is not looked at, and
 * folding stops after CHORUS_UFOLD_MAX_ELEMS code points (compatibility
 * expansions can turn one byte into several code points). */
#define CHORUS_UFOLD_MAX_RAW ((size_t)1 << 20)
#define CHORUS_UFOLD_MAX_ELEMS ((size_t)1 << 21)

/* Fold workspace: elements of the last run, reused between runs.  After a
 * run, el[n] and el[n + 1] are sentinels (class UC_SPACE, code point 0,
 * off = end = the length looked at), so readers may look two ahead. */
typedef struct chorus_ufold {
	const chorus_utable *t;
	chorus_uelem *el;
	size_t n, cap;
	size_t u8len; /* UTF-8 bytes needed to encode el[0..n) */
} chorus_ufold;

/* 0, or CHORUS_ENOMEM when the table cannot be built. */
int chorus_ufold_init(chorus_ufold *f);
void chorus_ufold_dispose(chorus_ufold *f);

/* Decode raw[0..len) (invalid bytes dropped), remove default-ignorable code
 * points (ZWJ and tags only inside emoji sequences survive; variation
 * selectors never do), then NFKC_Casefold.  Fills f->el.  Exactly equal to
 * utf8proc's NFKC + CASEFOLD + COMPOSE + STABLE mapping of the text without
 * its ignorables, except past 32 consecutive non-starters, where a boundary
 * is forced (UAX #15 stream-safe format) so the cost stays linear.
 * Returns 0 or CHORUS_ENOMEM. */
int chorus_ufold_run(chorus_ufold *f, const char *raw, size_t len);

/* Testing only: NFKC_Casefold of valid UTF-8 s[0..len) through utf8proc in
 * one call (ignorables stripped first, no chunking), into out[0..cap).
 * Returns the code point count (> cap: did not fit) or -1 (invalid). */
long chorus_ufold_reference(const char *s, size_t len, uint32_t *out, size_t cap);

#endif
