/*
 * norm_hash.c - chorus_norm_hash: the token hashes of a post's matching
 * form, through a cache of whitespace-separated pieces of raw text.
 *
 * Why it is exact.  No step of the normaliser looks across ASCII white
 * space: the fold (NFKC) never composes across a starter such as U+0020;
 * words, URLs, mentions, hashtags, emoji sequences and punctuation runs all
 * end at a space; a mention's "not after a letter" test sees the space.
 * So the tokens of a post are the tokens of its pieces, in order, and the
 * letters gathered for language detection are theirs concatenated, each
 * piece's ending between words, so that their letter statistics add up
 * (chorus_lang_count).  When the letters pass the detector's cap
 * (LANG_MAX_CPS), the post is tokenised once as a whole for detection, so
 * the cut falls where one run would cut.  Only stemming depends on the
 * whole post, through its language, and it comes last.  Posts past
 * FAST_MAX_RAW bytes, where the fold's element cap could cut a piece
 * differently, go through one run as a whole.  tests/unit/test_normalise.c
 * and the fuzz target fuzz_normhash compare this with chorus_norm_run.
 *
 * The cache: an open-addressing table of entries of one cache line
 * each, keyed by the piece's bytes (a 64-bit hash, then the bytes
 * compared; the first NC_HEAD bytes live in the entry), holding the piece's
 * token and content counts, its packed letter statistics and the final
 * hash of its only token for the language last asked (most pieces are one
 * word and most corpora one language); other tokens and languages go to a
 * token pool with one hash per language, filled when first asked.  The
 * pieces of a post are hashed and their slots prefetched a batch at a
 * time before any is probed, so the table's cache misses overlap.  Pieces
 * longer than NC_MAX_PIECE bytes, or whose tokens do not fit, are
 * tokenised for this post only.  When a pool or the table is full, the
 * cache is emptied before the next post (never during one: the post's
 * references stay valid); the first two times, the table also doubles,
 * from NC_SLOTS_MIN to NC_SLOTS_MAX entries (measured on 1M posts: 2^15
 * slots normalise in 0.40 s, 2^16 in 0.33 s, 2^17 in 0.31 s, 2^18 in
 * 0.30 s).  So its memory is bounded, about 4 MiB for a small corpus and
 * 18 MiB at most per thread, whatever the input.  What is cached changes
 * speed only, never a result.
 * Cost per post: a hash and a probe per piece; the fold, tokeniser and
 * stemmer run only on pieces not seen since the last emptying.
 */
#include <assert.h>
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/error.h"
#include "chorus/hash.h"
#include "chorus/lang.h"
#include "chorus/normalise.h"
#include "norm_int.h"

#define NC_SLOTS_MIN 32768u          /* power of two: the first table */
#define NC_SLOTS_MAX 131072u         /* the largest, after two doublings */
#define NC_HEAD 22                   /* piece bytes kept in the entry */
#define NC_MAX_PIECE 64              /* bytes of a piece worth caching */
#define NC_MAX_TOK 16                /* its tokens, punctuation left out */
#define NC_NSTAT 12
#define BATCH 32                     /* pieces hashed and prefetched at once */
#define FAST_MAX_RAW ((size_t)1 << 16)
/* pieces of a post: one in two bytes at most, over the bit map's words
 * (FAST_MAX_RAW / 64 + 1 of them), and room for flatten's extra writes */
#define PIECE_CAP ((FAST_MAX_RAW / 64 + 1) * 32 + 8)
#define KEY_SEED UINT64_C(0x7069656365) /* "piece" */
#define H0_ANY 0xFE                  /* h0 holds for every language */
#define H0_NONE 0xFF
#define REF_INLINE (1u << 31)        /* a token of itok[], else an entry */

_Static_assert(CHORUS_LANG_COUNT <= 8, "one done bit per language");
_Static_assert(sizeof(chorus_lang_stats) == NC_NSTAT * sizeof(uint32_t), "stats unpacked");

typedef struct nc_tok {
	uint64_t h[CHORUS_LANG_COUNT]; /* final hash, per language when stemmed */
	uint32_t text, len;            /* token text before stemming */
	uint8_t kind, done;            /* done: bit per h[] filled */
} nc_tok;

typedef struct nc_ent {
	uint64_t key;        /* 0: empty slot */
	uint64_t h0;         /* final hash of the only token, for h0lang */
	uint32_t tok;        /* toks[tok .. tok + ntok) */
	uint32_t more;       /* the whole piece in bytes[], when past NC_HEAD */
	uint8_t plen, ntok, nall, content, nlc, h0lang;
	uint8_t st[NC_NSTAT]; /* chorus_lang_stats, packed */
	char head[NC_HEAD];
} nc_ent;

_Static_assert(sizeof(nc_ent) == 64, "an entry is one cache line");

struct norm_cache {
	uint64_t seed;
	int full;
	size_t nslots;     /* a power of two; the pools are sized from it */
	size_t fill;
	void *slot_mem;
	nc_ent *slot;
	nc_tok *tok;
	size_t ntok;
	char *bytes;
	size_t nbytes;
	/* this post */
	uint32_t *ref;     /* entry index, or REF_INLINE | itok index */
	size_t nref, ref_cap;
	nc_tok *itok;      /* tokens of pieces not cached */
	size_t nitok, itok_cap;
	char *ib;          /* their texts */
	uint64_t *ws;      /* white-space bits of the post (space_bits) */
	uint32_t *pstart;  /* where its pieces start, PIECE_CAP entries */
	uint32_t *pend;    /* and end (the white space after), as many */
	size_t nib, ib_cap;
	uint64_t *hash;    /* the result */
	size_t nhash, hash_cap;
	chorus_lang_stats st;
	size_t nlc;        /* letters gathered, uncapped */
	size_t nall, content;
};

void norm_cache_free(norm_cache *c)
{
	if (!c)
		return;
	chorus_free(c->slot_mem);
	chorus_free(c->tok);
	chorus_free(c->bytes);
	chorus_free(c->ref);
	chorus_free(c->itok);
	chorus_free(c->ib);
	chorus_free(c->hash);
	chorus_free(c->ws);
	chorus_free(c->pstart);
	chorus_free(c->pend);
	chorus_free(c);
}

/* Pools for a table of nslots entries, filled at most half. */
static size_t max_fill(const norm_cache *c)
{
	return c->nslots / 2;
}

static size_t tok_cap(const norm_cache *c)
{
	return c->nslots;
}

static size_t bytes_cap(const norm_cache *c)
{
	return c->nslots / 2 * 64;
}

/* Table and pools for nslots entries, in place of any there; on failure
 * the cache is left as it was. */
static int cache_size(norm_cache *c, size_t nslots)
{
	const size_t old = c->nslots;
	void *slot_mem;
	nc_tok *tok;
	char *bytes;

	c->nslots = nslots;
	/* one spare entry to align the table to a cache line */
	slot_mem = chorus_mallocarray(nslots + 1, sizeof *c->slot);
	tok = chorus_mallocarray(tok_cap(c), sizeof *tok);
	bytes = chorus_malloc(bytes_cap(c));
	if (!slot_mem || !tok || !bytes) {
		c->nslots = old;
		chorus_free(slot_mem);
		chorus_free(tok);
		chorus_free(bytes);
		return CHORUS_ENOMEM;
	}
	chorus_free(c->slot_mem);
	chorus_free(c->tok);
	chorus_free(c->bytes);
	c->slot_mem = slot_mem;
	c->tok = tok;
	c->bytes = bytes;
	c->slot = (nc_ent *)(((uintptr_t)c->slot_mem + 63) & ~(uintptr_t)63);
	return CHORUS_OK;
}

static norm_cache *cache_new(void)
{
	norm_cache *c = chorus_calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->ws = chorus_mallocarray(FAST_MAX_RAW / 64 + 1, sizeof *c->ws);
	c->pstart = chorus_mallocarray(PIECE_CAP, sizeof *c->pstart);
	c->pend = chorus_mallocarray(PIECE_CAP, sizeof *c->pend);
	if (!c->ws || !c->pstart || !c->pend || cache_size(c, NC_SLOTS_MIN) != CHORUS_OK) {
		norm_cache_free(c);
		return NULL;
	}
	return c;
}

static void cache_empty(norm_cache *c)
{
	for (size_t i = 0; i < c->nslots; i++)
		c->slot[i].key = 0;
	c->fill = c->ntok = c->nbytes = 0;
	c->full = 0;
}

/* need items of size bytes in *p (capacity *cap), keeping what is there. */
static int reserve(void *pp, size_t *cap, size_t need, size_t size)
{
	void **p = pp;
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return CHORUS_OK;
	while (n < need)
		n *= 2;
	q = chorus_reallocarray(*p, n, size);
	if (!q)
		return CHORUS_ENOMEM;
	*p = q;
	*cap = n;
	return CHORUS_OK;
}

static void stats_pack(const chorus_lang_stats *st, uint8_t *out)
{
	const uint32_t *v = (const uint32_t *)st;

	for (int i = 0; i < NC_NSTAT; i++)
		out[i] = (uint8_t)v[i];
}

static int stats_fit(const chorus_lang_stats *st)
{
	const uint32_t *v = (const uint32_t *)st;

	for (int i = 0; i < NC_NSTAT; i++)
		if (v[i] > UINT8_MAX)
			return 0;
	return 1;
}

static void stats_add_packed(chorus_lang_stats *st, const uint8_t *in)
{
	uint32_t *v = (uint32_t *)st;

	for (int i = 0; i < NC_NSTAT - 1; i++)
		v[i] += in[i];
	v[NC_NSTAT - 1] |= in[NC_NSTAT - 1]; /* flags: a union */
}

/* The tokens the workspace holds (last norm_tokenise), for this post only. */
static int add_inline(chorus_norm *w, norm_cache *c)
{
	if (reserve(&c->itok, &c->itok_cap, c->nitok + w->ntok, sizeof *c->itok) ||
	    reserve(&c->ref, &c->ref_cap, c->nref + w->ntok, sizeof *c->ref) ||
	    reserve(&c->ib, &c->ib_cap, c->nib + w->tb_len, 1))
		return CHORUS_ENOMEM;
	for (size_t t = 0; t < w->ntok; t++) {
		const chorus_token *tk = &w->tok[t];
		nc_tok *o;
		if (tk->kind == CHORUS_TOK_PUNCT)
			continue;
		o = &c->itok[c->nitok];
		o->text = (uint32_t)c->nib;
		o->len = tk->len;
		o->kind = (uint8_t)tk->kind;
		o->done = 0;
		memcpy(c->ib + c->nib, w->tb + tk->off, tk->len);
		c->nib += tk->len;
		c->ref[c->nref++] = (uint32_t)c->nitok++ | REF_INLINE;
	}
	c->nall += w->ntok;
	c->content += w->content;
	c->nlc += w->nlc;
	chorus_lang_count(w->lc, w->nlc, &c->st);
	return CHORUS_OK;
}

/* Store the workspace's tokens as the entry for piece p[0..n) in slot e;
 * 0 when they do not fit (and when a pool is full the cache is marked
 * full).  *st gets the piece's letter statistics either way. */
static int store(chorus_norm *w, norm_cache *c, nc_ent *e, uint64_t key, const char *p, size_t n,
		 chorus_lang_stats *st)
{
	size_t ntok = 0, bytes = n > NC_HEAD ? n : 0;

	memset(st, 0, sizeof *st);
	chorus_lang_count(w->lc, w->nlc, st);
	for (size_t t = 0; t < w->ntok; t++) {
		if (w->tok[t].kind != CHORUS_TOK_PUNCT) {
			ntok++;
			bytes += w->tok[t].len;
		}
	}
	if (ntok > NC_MAX_TOK || w->ntok > UINT8_MAX || w->content > UINT8_MAX ||
	    w->nlc > UINT8_MAX || !stats_fit(st))
		return 0;
	if (c->fill >= max_fill(c) || c->ntok + ntok > tok_cap(c) ||
	    c->nbytes + bytes > bytes_cap(c)) {
		c->full = 1;
		return 0;
	}
	memset(e, 0, sizeof *e);
	e->key = key;
	e->plen = (uint8_t)n;
	memcpy(e->head, p, n < NC_HEAD ? n : NC_HEAD);
	if (n > NC_HEAD) {
		e->more = (uint32_t)c->nbytes;
		memcpy(c->bytes + c->nbytes, p, n);
		c->nbytes += n;
	}
	e->tok = (uint32_t)c->ntok;
	e->ntok = (uint8_t)ntok;
	for (size_t t = 0; t < w->ntok; t++) {
		const chorus_token *tk = &w->tok[t];
		nc_tok *o;
		if (tk->kind == CHORUS_TOK_PUNCT)
			continue;
		o = &c->tok[c->ntok++];
		o->text = (uint32_t)c->nbytes;
		o->len = tk->len;
		o->kind = (uint8_t)tk->kind;
		o->done = 0;
		memcpy(c->bytes + c->nbytes, w->tb + tk->off, tk->len);
		c->nbytes += tk->len;
	}
	e->nall = (uint8_t)w->ntok;
	e->content = (uint8_t)w->content;
	e->nlc = (uint8_t)w->nlc;
	e->h0lang = H0_NONE;
	stats_pack(st, e->st);
	c->fill++;
	return 1;
}

static inline uint64_t rd64(const void *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static inline uint32_t rd32(const void *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

/* Whether entry e holds piece p[0..n): up to NC_HEAD bytes by two or three
 * overlapping word loads that between them cover every byte. */
static inline int same_piece(const norm_cache *c, const nc_ent *e, const char *p, size_t n)
{
	const char *h = e->head;

	if (e->plen != n)
		return 0;
	if (n > NC_HEAD)
		return memcmp(c->bytes + e->more, p, n) == 0;
	if (n >= 8)
		return rd64(h) == rd64(p) && rd64(h + n - 8) == rd64(p + n - 8) &&
		       (n <= 16 || rd64(h + 8) == rd64(p + 8));
	if (n >= 4)
		return rd32(h) == rd32(p) && rd32(h + n - 4) == rd32(p + n - 4);
	return h[0] == p[0] && h[n / 2] == p[n / 2] && h[n - 1] == p[n - 1];
}

/* Add piece p[0..n) with key to the post: its entry, found or made now,
 * or its tokens for this post only. */
static int add_piece(chorus_norm *w, norm_cache *c, const char *p, size_t n, uint64_t key)
{
	const size_t mask = c->nslots - 1;
	size_t i = (size_t)key & mask;
	chorus_lang_stats st;
	nc_ent *e;
	int rc;

	if (n > NC_MAX_PIECE) {
		rc = norm_tokenise(w, p, n, 1);
		return rc ? rc : add_inline(w, c);
	}
	for (;; i = (i + 1) & mask) {
		e = &c->slot[i];
		if (e->key == 0)
			break;
		if (e->key == key && same_piece(c, e, p, n))
			goto found;
	}
	if ((rc = norm_tokenise(w, p, n, 1)) != 0)
		return rc;
	if (!store(w, c, e, key, p, n, &st))
		return add_inline(w, c);
found:
	if (reserve(&c->ref, &c->ref_cap, c->nref + 1, sizeof *c->ref))
		return CHORUS_ENOMEM;
	c->ref[c->nref++] = (uint32_t)(e - c->slot);
	c->nall += e->nall;
	c->content += e->content;
	c->nlc += e->nlc;
	stats_add_packed(&c->st, e->st);
	return CHORUS_OK;
}

/* The cache key of piece p[0..n), n >= 1: word loads mixed by 128-bit
 * multiplies, the length folded in.  It only places and pre-checks
 * entries (the bytes are always compared), so it may differ between
 * hosts; never 0. */
static inline uint64_t piece_key(const char *p, size_t n)
{
	uint64_t a, b;

	if (n > 16) {
		uint64_t h = KEY_SEED ^ (uint64_t)n * UINT64_C(0x9E3779B97F4A7C15);
		for (size_t i = 0; i + 16 < n; i += 8)
			h = chorus_mum(h ^ rd64(p + i), UINT64_C(0xe7037ed1a0b428db));
		a = h ^ rd64(p + n - 16);
		b = rd64(p + n - 8);
	} else if (n >= 8) {
		a = rd64(p);
		b = rd64(p + n - 8);
	} else if (n >= 4) {
		a = rd32(p);
		b = rd32(p + n - 4);
	} else {
		const unsigned char *u = (const unsigned char *)p;
		a = (uint64_t)u[0] << 16 | (uint64_t)u[n / 2] << 8 | u[n - 1];
		b = 0;
	}
	/* one multiply for the common short piece: both words at once */
	return chorus_mum(a ^ UINT64_C(0x8ebc6af09c88c6e3), b ^ KEY_SEED ^ (uint64_t)n << 56) | 1u;
}

#if defined(__SSE2__)
#include <emmintrin.h>
/* Bits of 16 bytes that are ASCII white space (' ', '\t' to '\r'). */
static inline uint64_t space16(const unsigned char *p)
{
	const __m128i v = _mm_loadu_si128((const __m128i *)p);
	const __m128i sp = _mm_cmpeq_epi8(v, _mm_set1_epi8(' '));
	const __m128i ctl = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('\t' - 1)),
					  _mm_cmplt_epi8(v, _mm_set1_epi8('\r' + 1)));
	return (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(sp, ctl));
}

static inline uint64_t space64(const unsigned char *p)
{
	return space16(p) | space16(p + 16) << 16 | space16(p + 32) << 32 | space16(p + 48) << 48;
}
#else
static inline uint64_t space64(const unsigned char *p)
{
	uint64_t m = 0;
	for (unsigned k = 0; k < 64; k++)
		m |= (uint64_t)(p[k] == ' ' || (p[k] >= '\t' && p[k] <= '\r')) << k;
	return m;
}
#endif

/* ws[k / 64] bit k set when raw[k] is white space, and for every k >= len
 * up to the end of word len / 64, so that a piece always ends by then.
 * Returns the number of words. */
static size_t space_bits(const unsigned char *r, size_t len, uint64_t *ws)
{
	const size_t full = len / 64;
	unsigned char tail[64];

	for (size_t w = 0; w < full; w++)
		ws[w] = space64(r + 64 * w);
	memset(tail, ' ', sizeof tail);
	memcpy(tail, r + 64 * full, len - 64 * full);
	ws[full] = space64(tail);
	return full + 1;
}

/* Bits set in x. */
static inline unsigned popcount64(uint64_t x)
{
	x -= x >> 1 & UINT64_C(0x5555555555555555);
	x = (x & UINT64_C(0x3333333333333333)) + (x >> 2 & UINT64_C(0x3333333333333333));
	x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
	return (unsigned)((x * UINT64_C(0x0101010101010101)) >> 56);
}

/* Append base + the position of each set bit of bits to out[n..], in
 * order; returns the new count.  Eight are written whatever the count
 * (out has room), so the loop after them rarely runs and the number of
 * bits, which varies, is never a branch. */
static inline size_t flatten(uint32_t *out, size_t n, uint32_t base, uint64_t bits)
{
	const unsigned cnt = popcount64(bits);
	uint32_t *o = out + n;

	for (unsigned k = 0; k < 8; k++) {
		/* bit 63 only keeps the count defined once bits is used up */
		o[k] = base + (uint32_t)__builtin_ctzll(bits | UINT64_C(1) << 63);
		bits &= bits - 1;
	}
	for (unsigned k = 8; k < cnt; k++) {
		o[k] = base + (uint32_t)__builtin_ctzll(bits);
		bits &= bits - 1;
	}
	return n + cnt;
}

/* Tokens and letter statistics of every piece of raw[0..len), in order.
 * The pieces are found from a bit map of the white space, a word at a
 * time (a start is a byte after white space that is not, an end white
 * space after a byte that is not); then a batch of pieces is hashed,
 * their slots prefetched, and each is added. */
static int add_pieces(chorus_norm *w, norm_cache *c, const char *raw, size_t len)
{
	if (len == 0) /* no piece (and raw may be NULL) */
		return CHORUS_OK;
	const size_t nw = space_bits((const unsigned char *)raw, len, c->ws);
	const nc_ent *slot = c->slot;
	const size_t mask = c->nslots - 1;
	uint64_t key[BATCH], before = 1; /* byte -1 counts as white space */
	size_t np = 0, ne = 0;

	for (size_t k = 0; k < nw; k++) {
		const uint64_t sp = c->ws[k], after_space = sp << 1 | before;
		np = flatten(c->pstart, np, (uint32_t)(64 * k), ~sp & after_space);
		ne = flatten(c->pend, ne, (uint32_t)(64 * k), sp & ~after_space);
		before = sp >> 63;
	}
	/* the bit map ends in white space, so every piece has its end */
	assert(ne == np);
	for (size_t b0 = 0; b0 < np; b0 += BATCH) {
		const size_t nb = np - b0 < BATCH ? np - b0 : BATCH;
		const uint32_t *ps = c->pstart + b0, *pe = c->pend + b0;
		/* keyed in a loop of their own: fewer live values, no spills */
		for (size_t b = 0; b < nb; b++) {
			key[b] = 0; /* unused past NC_MAX_PIECE */
			if (pe[b] - ps[b] <= NC_MAX_PIECE) {
				key[b] = piece_key(raw + ps[b], pe[b] - ps[b]);
				__builtin_prefetch(&slot[key[b] & mask]);
			}
		}
		if (reserve(&c->ref, &c->ref_cap, c->nref + nb, sizeof *c->ref))
			return CHORUS_ENOMEM;
		for (size_t b = 0; b < nb; b++) {
			int rc = add_piece(w, c, raw + ps[b], pe[b] - ps[b], key[b]);
			if (rc)
				return rc;
		}
	}
	(void)ne; /* only asserted */
	return CHORUS_OK;
}

static uint64_t tok_hash(chorus_norm *w, nc_tok *t, const char *texts, int lang, uint64_t seed)
{
	const unsigned li = w->stem && t->kind == CHORUS_TOK_WORD ? (unsigned)lang : 0;

	if (!(t->done & (1u << li))) {
		t->h[li] = norm_token_hash(w, lang, t->kind, texts + t->text, t->len, seed);
		t->done |= (uint8_t)(1u << li);
	}
	return t->h[li];
}

/* The hashes of the post's tokens, in order, into c->hash. */
static int resolve(chorus_norm *w, norm_cache *c, int lang)
{
	size_t n = 0;

	for (size_t k = 0; k < c->nref; k++) {
		const uint32_t ref = c->ref[k];
		if (ref & REF_INLINE) {
			if (reserve(&c->hash, &c->hash_cap, n + 1, sizeof *c->hash))
				return CHORUS_ENOMEM;
			c->hash[n++] = tok_hash(w, &c->itok[ref & ~REF_INLINE], c->ib, lang, c->seed);
			continue;
		}
		nc_ent *e = &c->slot[ref];
		if (reserve(&c->hash, &c->hash_cap, n + e->ntok, sizeof *c->hash))
			return CHORUS_ENOMEM;
		if (e->ntok == 1 && (e->h0lang == lang || e->h0lang == H0_ANY)) {
			c->hash[n++] = e->h0;
			continue;
		}
		for (uint32_t t = 0; t < e->ntok; t++)
			c->hash[n++] = tok_hash(w, &c->tok[e->tok + t], c->bytes, lang, c->seed);
		if (e->ntok == 1) {
			const nc_tok *t = &c->tok[e->tok];
			e->h0 = c->hash[n - 1];
			e->h0lang = w->stem && t->kind == CHORUS_TOK_WORD ? (uint8_t)lang : H0_ANY;
		}
	}
	c->nhash = n;
	return CHORUS_OK;
}

static int post_lang(chorus_norm *w, norm_cache *c, const char *raw, size_t len, int hint)
{
	if (hint != CHORUS_LANG_UND)
		return hint;
	if (c->nlc <= LANG_MAX_CPS)
		return chorus_lang_decide(&c->st);
	/* past the cap: detect from the letters one run gathers */
	if (norm_tokenise(w, raw, len, 1) != 0)
		return -1;
	return chorus_lang_detect(w->lc, w->nlc);
}

int chorus_norm_hash(chorus_norm *w, const char *raw, size_t len, const char *lang_hint,
		     uint64_t seed, chorus_normhash *out)
{
	const int hint = lang_hint ? chorus_lang_from_code(lang_hint, strlen(lang_hint))
				   : CHORUS_LANG_UND;
	norm_cache *c = w->cache;
	int rc, lang;

	if (!c) {
		if (!(c = w->cache = cache_new()))
			return CHORUS_ENOMEM;
		cache_empty(c);
		c->seed = seed;
	}
	if (c->full || c->seed != seed) {
		/* a full table grows (while it may) rather than only emptying:
		 * a corpus whose pieces overflow it would keep paying misses */
		if (c->full && c->nslots < NC_SLOTS_MAX)
			(void)cache_size(c, c->nslots * 2); /* else it stays as it is */
		cache_empty(c);
		c->seed = seed;
	}
	c->nref = c->nitok = c->nib = c->nlc = c->nall = c->content = 0;
	memset(&c->st, 0, sizeof c->st);
	if (len > FAST_MAX_RAW) {
		rc = norm_tokenise(w, raw, len, 1);
		rc = rc ? rc : add_inline(w, c);
	} else {
		rc = add_pieces(w, c, raw, len);
	}
	if (rc)
		return rc;
	if ((lang = post_lang(w, c, raw, len, hint)) < 0 || resolve(w, c, lang) != 0)
		return CHORUS_ENOMEM;
	out->hash = c->hash;
	out->n = c->nhash;
	out->ntokens = c->nall;
	out->content = c->content;
	out->lang = lang;
	return CHORUS_OK;
}
