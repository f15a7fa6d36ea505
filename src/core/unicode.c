/*
 * unicode.c - code point table and the fold stage (NFKC_Casefold, invisible
 * characters removed) of the normaliser.  This file is the project's one
 * adapter over utf8proc: nothing else includes utf8proc.h.
 *
 * Why a table: utf8proc_map costs a malloc and a few hundred nanoseconds per
 * call, while the target is about 1 us for a whole post.  Almost every code
 * point maps to exactly one code point and composes with nothing, so its
 * NFKC_Casefold can be looked up.  The table (see unicode_int.h for the
 * entry layout) is computed once per process from utf8proc itself, so the
 * fast path and utf8proc agree by construction.
 *
 * Algorithm of chorus_ufold_run: decode; drop invalid bytes and ignorable
 * code points; cut the stream into chunks, each a boundary code point
 * followed by the code points flagged UC_JOIN (combining marks, composition
 * seconds, Hangul jamo that compose with what precedes them).  By UAX #15,
 * NFKC of a text is the concatenation of the NFKC of such chunks.  A
 * boundary code point that maps to one code point is looked up and emitted
 * at once (the fast path: almost every code point of a post).  A JOIN code
 * point takes that element back and makes the chunk pending, as does a
 * code point mapping to several; a pending chunk goes through
 * utf8proc_decompose + utf8proc_normalize_utf32 once, on a stack buffer (no
 * allocation), when the next boundary ends it.  A chunk holds at most
 * CHUNK_MAX code points: a longer run of marks gets a forced boundary, as
 * the stream-safe text format does, so the cost per code point stays
 * bounded (utf8proc's mark reordering is quadratic).
 *
 * Invariants: elements come out in raw order, off/end within the raw text;
 * every element's code point is valid and not ignorable.  The table is
 * built once per process under a mutex (any thread may ask first), never
 * changed afterwards and never freed.
 * Cost: O(len), one table load per code point below U+0800 and two above;
 * the slow path is taken only around combining marks and compatibility
 * expansions (at worst ~40 ms for 1 MiB of nothing but combining marks).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include <utf8proc.h>

#include "chorus/alloc.h"
#include "chorus/error.h"
#include "chorus/utf8.h"
#include "unicode_int.h"

#define NCP 0x110000u
#define BLOCK 128u
#define NBLOCKS (NCP / BLOCK)
#define DEDUP_SLOTS 16384u
#define CHUNK_MAX 32u
#define DECOMP_CAP 1024 /* NFKC_Casefold of one code point is at most 18 */

#define FOLD_OPTS (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD)

_Static_assert(NBLOCKS <= 65536, "block numbers fit in 16 bits");

static chorus_utable table;
static atomic_int table_ready;
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- classification (table build time only) ---- */

static int in_latin(uint32_t c)
{
	return (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0xAA || c == 0xBA ||
	       (c >= 0xC0 && c <= 0x2AF && c != 0xD7 && c != 0xF7) || (c >= 0x1D00 && c <= 0x1DBF) ||
	       (c >= 0x1E00 && c <= 0x1EFF) || c == 0x2071 || c == 0x207F ||
	       (c >= 0x2090 && c <= 0x209C) || (c >= 0x2C60 && c <= 0x2C7F) ||
	       (c >= 0xA720 && c <= 0xA7FF) || (c >= 0xAB30 && c <= 0xAB6F) ||
	       (c >= 0xFB00 && c <= 0xFB06) || (c >= 0xFF21 && c <= 0xFF3A) ||
	       (c >= 0xFF41 && c <= 0xFF5A) || (c >= 0x10780 && c <= 0x107BF) ||
	       (c >= 0x1DF00 && c <= 0x1DFFF);
}

static int in_cyrillic(uint32_t c)
{
	return (c >= 0x400 && c <= 0x52F) || (c >= 0x1C80 && c <= 0x1C8F) || c == 0x1D2B ||
	       c == 0x1D78 || (c >= 0xA640 && c <= 0xA69F) || (c >= 0x1E030 && c <= 0x1E08F);
}

static unsigned letter_class(uint32_t c)
{
	if (in_latin(c))
		return UC_LATIN;
	return in_cyrillic(c) ? UC_CYRILLIC : UC_LETTER;
}

/* Unassigned code points: the emoji blocks get new emoji every year and
 * utf8proc may be older than the posts, so treat them as emoji. */
static unsigned unassigned_class(uint32_t c)
{
	if ((c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x1FC00 && c <= 0x1FFFD))
		return UC_EMOJI;
	if ((c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE)
		return UC_SPACE; /* noncharacters */
	return UC_LETTER;
}

static unsigned special_class(uint32_t c)
{
	if (c == 0x200D)
		return UC_ZWJ;
	if ((c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF))
		return UC_VS;
	if (c >= 0xE0020 && c <= 0xE007F)
		return UC_TAG;
	if (c >= 0x1F3FB && c <= 0x1F3FF)
		return UC_EMOJI_MOD;
	if (c >= 0x1F1E6 && c <= 0x1F1FF)
		return UC_RI;
	if (c == 0x20E3)
		return UC_KEYCAP;
	return UC_NCLASSES;
}

static unsigned category_class(uint32_t c, const utf8proc_property_t *p)
{
	switch (p->category) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
		return letter_class(c);
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
		return UC_MARK;
	case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
		return UC_DIGIT;
	case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
	case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CS:
		return UC_SPACE;
	case UTF8PROC_CATEGORY_CF:
		return UC_IGNORE; /* invisible format characters */
	case UTF8PROC_CATEGORY_CN:
		return unassigned_class(c);
	default:
		return UC_PUNCT; /* P*, S*, Co */
	}
}

static unsigned classify(uint32_t c)
{
	const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)c);
	const unsigned s = special_class(c);

	if (s != UC_NCLASSES)
		return s;
	if (p->ignorable)
		return UC_IGNORE;
	if (p->boundclass == UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC ||
	    p->boundclass == UTF8PROC_BOUNDCLASS_E_ZWG)
		return UC_EMOJI;
	return category_class(c, p);
}

/* May c compose with or reorder around what precedes it? */
static int joins(uint32_t c)
{
	const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)c);

	if (p->combining_class != 0)
		return 1;
	if (p->comb_index != UINT16_MAX && (p->comb_index & 0x8000))
		return 1;
	return (c >= 0x1161 && c <= 0x1175) || (c >= 0x11A8 && c <= 0x11C2);
}

/* ---- NFKC_Casefold through utf8proc without allocation ---- */

static size_t encode_cps(const uint32_t *cps, size_t n, char *out)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += (size_t)chorus_utf8_encode(cps[i], out + len);
	return len;
}

/* Decompose (compatibility + case fold) cps[0..n) into out; the length, or
 * -1 when it does not fit. */
static utf8proc_ssize_t decompose(const uint32_t *cps, size_t n, utf8proc_int32_t *out,
				  utf8proc_ssize_t cap)
{
	char u8[CHUNK_MAX * 4];
	const size_t len = encode_cps(cps, n, u8);
	const utf8proc_ssize_t r = utf8proc_decompose((const utf8proc_uint8_t *)u8,
						      (utf8proc_ssize_t)len, out, cap, FOLD_OPTS);

	return r < 0 || r > cap ? -1 : r;
}

/* ---- table build ---- */

static uint32_t with_invis(uint32_t e)
{
	const unsigned cls = chorus_uc_cls(e);

	return cls >= UC_IGNORE && cls <= UC_TAG ? e | UC_INVIS : e;
}

static uint32_t entry_for(uint32_t c)
{
	utf8proc_int32_t d[DECOMP_CAP];
	const unsigned cls = classify(c);
	const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)c);
	utf8proc_ssize_t n;
	uint32_t e = (uint32_t)cls << UC_CLS_SHIFT;

	if (c >= 0xD800 && c <= 0xDFFF)
		return e | UC_IDENT;
	if (p->decomp_seqindex == UINT16_MAX && p->casefold_seqindex == UINT16_MAX &&
	    !(c >= 0xAC00 && c <= 0xD7A3))
		return e | UC_IDENT | (joins(c) ? UC_JOIN : 0);
	n = decompose(&c, 1, d, DECOMP_CAP);
	if (n < 1)
		return e | UC_IDENT | UC_JOIN; /* cannot happen; the slow path copes */
	if (joins(c) || joins((uint32_t)d[0]))
		e |= UC_JOIN;
	n = utf8proc_normalize_utf32(d, n, FOLD_OPTS);
	if (n != 1)
		return e | UC_MULTI;
	if ((uint32_t)d[0] == c)
		return e | UC_IDENT;
	return ((uint32_t)classify((uint32_t)d[0]) << UC_CLS_SHIFT) | (e & UC_JOIN) | (uint32_t)d[0];
}

static uint32_t block_hash(const uint32_t *b)
{
	uint32_t h = 2166136261u;

	for (unsigned i = 0; i < BLOCK; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

typedef struct builder {
	uint16_t *idx;
	uint32_t *ent;
	uint32_t *low;
	size_t nblk, cap;
	uint16_t *dedup; /* block number + 1, 0 = empty */
} builder;

/* Block number of b, appending it unless an identical block exists. */
static int add_block(builder *bd, const uint32_t *b, uint16_t *out)
{
	size_t s = block_hash(b) & (DEDUP_SLOTS - 1);

	for (; bd->dedup[s]; s = (s + 1) & (DEDUP_SLOTS - 1)) {
		const size_t k = bd->dedup[s] - 1u;
		if (memcmp(bd->ent + k * BLOCK, b, BLOCK * sizeof *b) == 0) {
			*out = (uint16_t)k;
			return 0;
		}
	}
	if (bd->nblk == bd->cap) {
		uint32_t *p = chorus_reallocarray(bd->ent, bd->cap * 2 * BLOCK, sizeof *p);
		if (!p)
			return CHORUS_ENOMEM;
		bd->ent = p;
		bd->cap *= 2;
	}
	memcpy(bd->ent + bd->nblk * BLOCK, b, BLOCK * sizeof *b);
	bd->dedup[s] = (uint16_t)(bd->nblk + 1);
	*out = (uint16_t)bd->nblk++;
	return 0;
}

static int build_blocks(builder *bd)
{
	uint32_t b[BLOCK];

	for (uint32_t k = 0; k < NBLOCKS; k++) {
		for (uint32_t i = 0; i < BLOCK; i++)
			b[i] = with_invis(entry_for(k * BLOCK + i));
		if (add_block(bd, b, &bd->idx[k]))
			return CHORUS_ENOMEM;
	}
	return 0;
}

static int build_table(void)
{
	builder bd = { .cap = 512 };
	int rc = CHORUS_ENOMEM;

	bd.idx = chorus_mallocarray(NBLOCKS, sizeof *bd.idx);
	bd.ent = chorus_mallocarray(bd.cap * BLOCK, sizeof *bd.ent);
	bd.low = chorus_mallocarray(UC_LOW, sizeof *bd.low);
	bd.dedup = chorus_calloc(DEDUP_SLOTS, sizeof *bd.dedup);
	if (bd.idx && bd.ent && bd.low && bd.dedup && (rc = build_blocks(&bd)) == 0) {
		for (uint32_t c = 0; c < UC_LOW; c++)
			bd.low[c] = bd.ent[((uint32_t)bd.idx[c >> 7] << 7) | (c & 127u)];
		table.idx = bd.idx;
		table.ent = bd.ent;
		table.low = bd.low;
		bd.idx = NULL;
		bd.ent = NULL;
		bd.low = NULL;
	}
	chorus_free(bd.idx);
	chorus_free(bd.ent);
	chorus_free(bd.low);
	chorus_free(bd.dedup);
	return rc;
}

const chorus_utable *chorus_utable_get(void)
{
	if (atomic_load_explicit(&table_ready, memory_order_acquire))
		return &table;
	pthread_mutex_lock(&table_lock);
	if (!atomic_load_explicit(&table_ready, memory_order_relaxed) && build_table() == 0)
		atomic_store_explicit(&table_ready, 1, memory_order_release);
	pthread_mutex_unlock(&table_lock);
	return atomic_load_explicit(&table_ready, memory_order_acquire) ? &table : NULL;
}

unsigned chorus_uc_class_of(const chorus_utable *t, uint32_t cp)
{
	return cp < NCP ? chorus_uc_cls(chorus_uc_entry(t, cp)) : UC_SPACE;
}

/* ---- fold stage ---- */

/* The last chunk: a boundary code point and the JOIN code points after
 * it.  CH_FAST: one code point, emitted, its one element is the last (only
 * the state is kept up to date).  CH_PENDING: cp[0..n) from raw [off, end)
 * wait for the slow path, which runs once when the chunk ends. */
enum { CH_NONE, CH_FAST, CH_PENDING };

typedef struct chunk {
	uint32_t cp[CHUNK_MAX];
	unsigned n;
	int state;
	uint32_t off, end;
} chunk;

int chorus_ufold_init(chorus_ufold *f)
{
	memset(f, 0, sizeof *f);
	f->t = chorus_utable_get();
	return f->t ? 0 : CHORUS_ENOMEM;
}

void chorus_ufold_dispose(chorus_ufold *f)
{
	chorus_free(f->el);
	memset(f, 0, sizeof *f);
}

/* Room for need elements plus the two sentinels. */
static int reserve(chorus_ufold *f, size_t need)
{
	size_t cap = f->cap ? f->cap : 256;
	chorus_uelem *p;

	need += 2;
	if (need <= f->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (cap > CHORUS_UFOLD_MAX_ELEMS + 2)
		cap = CHORUS_UFOLD_MAX_ELEMS + 2;
	p = chorus_reallocarray(f->el, cap, sizeof *p);
	if (!p)
		return CHORUS_ENOMEM;
	f->el = p;
	f->cap = cap;
	return 0;
}

static inline size_t u8len(uint32_t c)
{
	return 1 + (size_t)(c >= 0x80) + (size_t)(c >= 0x800) + (size_t)(c >= 0x10000);
}

static int grow_for_one(chorus_ufold *f)
{
	if (f->n + 2 >= CHORUS_UFOLD_MAX_ELEMS + 2)
		return 1;
	return reserve(f, f->n + 1);
}

/* Append one element; 1 when the element cap is reached (stop folding). */
static inline int push(chorus_ufold *f, uint32_t cp, unsigned cls, uint32_t off, uint32_t end)
{
	chorus_uelem *e;
	int rc;

	if (f->n + 2 >= f->cap && (rc = grow_for_one(f)) != 0)
		return rc;
	e = &f->el[f->n++];
	e->v = cp | (uint32_t)cls << UC_CLS_SHIFT;
	e->off = off;
	e->end = end;
	f->u8len += u8len(cp);
	return 0;
}

/* Take back the last element (a fast chunk's). */
static void pop_last(chorus_ufold *f)
{
	f->n--;
	f->u8len -= u8len(chorus_uel_cp(f->el[f->n]));
}

/* Run a pending chunk through utf8proc and emit the result. */
static int flush(chorus_ufold *f, chunk *c)
{
	utf8proc_int32_t d[DECOMP_CAP];
	utf8proc_ssize_t n;

	if (c->state != CH_PENDING)
		return 0;
	c->state = CH_NONE;
	n = decompose(c->cp, c->n, d, DECOMP_CAP);
	if (n < 0) /* cannot happen: CHUNK_MAX * 18 < DECOMP_CAP */
		return 0;
	n = utf8proc_normalize_utf32(d, n, FOLD_OPTS);
	for (utf8proc_ssize_t i = 0; i < n; i++) {
		const uint32_t cp = (uint32_t)d[i];
		const unsigned cls = chorus_uc_class_of(f->t, cp);
		int rc;
		if (cls == UC_IGNORE || cls == UC_VS)
			continue;
		if ((rc = push(f, cp, cls, c->off, c->end)) != 0)
			return rc;
	}
	return 0;
}

/* A JOIN code point joins the last chunk; a fast chunk's element is taken
 * back and its code point decoded again from the raw text. */
static int join_chunk(chorus_ufold *f, chunk *c, const unsigned char *s, uint32_t cp,
		      uint32_t at, uint32_t end)
{
	int rc;

	if (c->state == CH_FAST) {
		const chorus_uelem last = f->el[f->n - 1];
		size_t pos = last.off;
		chorus_utf8_decode((const char *)s, last.end, &pos, &c->cp[0]);
		pop_last(f);
		c->n = 1;
		c->off = last.off;
	} else if (c->state == CH_NONE || c->n == CHUNK_MAX) {
		/* text start, or a stream-safe cut after CHUNK_MAX code points */
		if ((rc = flush(f, c)) != 0)
			return rc;
		c->n = 0;
		c->off = at;
	}
	c->cp[c->n++] = cp;
	c->end = end;
	c->state = CH_PENDING;
	return 0;
}

/* A boundary code point that maps to several code points. */
static int multi_chunk(chorus_ufold *f, chunk *c, uint32_t cp, uint32_t at, uint32_t end)
{
	const int rc = flush(f, c);

	c->cp[0] = cp;
	c->n = 1;
	c->off = at;
	c->end = end;
	c->state = CH_PENDING;
	return rc;
}

/* ZWJ survives after an emoji, tag characters after an emoji or a tag. */
static int keep_invisible(unsigned cls, unsigned prev)
{
	if (cls == UC_ZWJ)
		return prev == UC_EMOJI || prev == UC_EMOJI_MOD;
	if (cls == UC_TAG)
		return prev == UC_EMOJI || prev == UC_TAG;
	return 0;
}

static inline int decode(const unsigned char *s, size_t len, size_t *pos, uint32_t *cp)
{
	const size_t p = *pos;

	if (s[p] >= 0xC2 && s[p] <= 0xDF && p + 1 < len && (s[p + 1] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(s[p] & 0x1F) << 6) | (s[p + 1] & 0x3F);
		*pos = p + 2;
		return 0;
	}
	return chorus_utf8_decode((const char *)s, len, pos, cp);
}

/* A code point off the fast path: invisible, joining or expanding. */
static int fold_special(chorus_ufold *f, chunk *c, const unsigned char *s, uint32_t cp,
			uint32_t e, uint32_t at, uint32_t end, unsigned *prev)
{
	const unsigned cls = chorus_uc_cls(e);

	if ((e & UC_INVIS) && !keep_invisible(cls, *prev))
		return 0;
	*prev = cls;
	if (e & UC_JOIN)
		return join_chunk(f, c, s, cp, at, end);
	if (e & UC_MULTI)
		return multi_chunk(f, c, cp, at, end);
	if (c->state == CH_PENDING) { /* a kept ZWJ or tag */
		int rc = flush(f, c);
		if (rc)
			return rc;
	}
	c->state = CH_FAST;
	return push(f, (e & UC_IDENT) ? cp : (e & UC_CP_MASK), cls, at, end);
}

static int fold(chorus_ufold *f, const unsigned char *s, size_t len)
{
	const chorus_utable *t = f->t;
	chunk c;
	unsigned prev = UC_SPACE;
	size_t pos = 0;
	int rc;

	c.n = 0;
	c.state = CH_NONE;
	while (pos < len) {
		const size_t at = pos;
		uint32_t cp, e;
		if (s[pos] < 0x80)
			cp = s[pos++];
		else if (decode(s, len, &pos, &cp) != 0)
			continue;
		e = cp < UC_LOW ? t->low[cp] : chorus_uc_entry(t, cp);
		if (!(e & (UC_MULTI | UC_JOIN | UC_INVIS))) {
			if (c.state == CH_PENDING && (rc = flush(f, &c)) != 0)
				return rc;
			const int ascii_space = cp == ' ' || (cp >= '\t' && cp <= '\r');
			prev = chorus_uc_cls(e);
			/* ASCII white space ends a chunk for good: nothing joins it
			 * (no composition starts at a space), so a stream-safe cut
			 * counts from what follows, as when a piece between white
			 * space is folded alone (chorus_norm_hash relies on it) */
			c.state = ascii_space ? CH_NONE : CH_FAST;
			rc = push(f, (e & UC_IDENT) ? cp : (e & UC_CP_MASK), prev, (uint32_t)at,
				  (uint32_t)pos);
		} else {
			rc = fold_special(f, &c, s, cp, e, (uint32_t)at, (uint32_t)pos, &prev);
		}
		if (rc)
			return rc;
	}
	return flush(f, &c);
}

int chorus_ufold_run(chorus_ufold *f, const char *raw, size_t len)
{
	int rc;

	f->n = 0;
	f->u8len = 0;
	if (len > CHORUS_UFOLD_MAX_RAW)
		len = CHORUS_UFOLD_MAX_RAW;
	if (reserve(f, len + 1))
		return CHORUS_ENOMEM;
	rc = fold(f, (const unsigned char *)raw, len);
	if (rc < 0)
		return rc;
	f->el[f->n].v = f->el[f->n + 1].v = (uint32_t)UC_SPACE << UC_CLS_SHIFT;
	f->el[f->n].off = f->el[f->n].end = f->el[f->n + 1].off = f->el[f->n + 1].end = (uint32_t)len;
	return 0;
}

long chorus_ufold_reference(const char *s, size_t len, uint32_t *out, size_t cap)
{
	const utf8proc_option_t opts = FOLD_OPTS | UTF8PROC_IGNORE;
	utf8proc_ssize_t n;

	_Static_assert(sizeof(utf8proc_int32_t) == sizeof(uint32_t), "same code point width");
	n = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
			       (utf8proc_int32_t *)out, (utf8proc_ssize_t)cap, opts);
	if (n < 0 || (size_t)n > cap)
		return n < 0 ? -1 : (long)n;
	return (long)utf8proc_normalize_utf32((utf8proc_int32_t *)out, n, opts);
}
