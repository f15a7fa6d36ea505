/*
 * norm_hash.c - chorus_norm_hash: the token hashes of a post's matching
 * form, through a cache of whitespace-separated pieces of raw text.
 *
 * Why it is exact.  No step of the normaliser looks across ASCII white
 * space: the fold (NFKC) never composes across a starter such as U+0020;
 * words, URLs, mentions, hashtags, emoji sequences and punctuation runs all
 * end at a space; a mention's "not after a letter" test sees the space.
 * So the tokens of a post are the tokens of its pieces, in order, and the
 * letters gathered for language detection are theirs concatenated (cut at
 * LANG_MAX_CPS, as one run would cut them).  Only stemming depends on the
 * whole post, through its language, and it comes last.  Posts past
 * FAST_MAX_RAW bytes, where the fold's element cap could cut a piece
 * differently, go through one run as a whole.  tests/unit/test_normhash.c
 * and the fuzz target fuzz_normhash compare this with chorus_norm_run.
 *
 * The cache: an open-addressing table of NC_SLOTS entries keyed by the
 * piece's bytes (a 64-bit hash, then the bytes compared), each holding the
 * piece's tokens (text before stemming, kind, and the final hash per
 * language, filled when first asked) and its letters.  Pieces longer than
 * NC_MAX_PIECE bytes, or whose tokens do not fit, are tokenised for this
 * post only.  When a pool or the table is full the cache is emptied before
 * the next post (never during one: the post's references stay valid), so
 * its memory is fixed (about 3 MiB) whatever the input.  What is cached
 * changes speed only, never a result.
 * Cost per post: one hash and one probe per piece when it is cached; the
 * fold, tokeniser and stemmer run only on pieces not seen since the last
 * emptying.
 */
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/error.h"
#include "chorus/hash.h"
#include "chorus/lang.h"
#include "chorus/normalise.h"
#include "norm_int.h"

#define NC_SLOTS 32768u              /* power of two */
#define NC_MAX_FILL (NC_SLOTS / 2)
#define NC_MAX_PIECE 48              /* bytes of a piece worth caching */
#define NC_MAX_TOK 16                /* its tokens, punctuation left out */
#define NC_TOK_CAP (NC_MAX_FILL * 2)
#define NC_BYTES_CAP ((size_t)NC_MAX_FILL * 64)
#define NC_LC_CAP ((size_t)NC_MAX_FILL * 24)
#define FAST_MAX_RAW ((size_t)1 << 16)
#define KEY_SEED UINT64_C(0x7069656365)     /* "piece" */
#define INLINE_BIT (1u << 31)

_Static_assert(CHORUS_LANG_COUNT <= 8, "one done bit per language");

typedef struct nc_tok {
	uint64_t h[CHORUS_LANG_COUNT]; /* final hash, per language when stemmed */
	uint32_t text, len;            /* token text before stemming */
	uint8_t kind, done;            /* done: bit per h[] filled */
} nc_tok;

typedef struct nc_ent {
	uint64_t key;       /* 0: empty slot */
	uint32_t piece;     /* bytes[piece .. piece + plen) */
	uint32_t tok;       /* toks[tok .. tok + ntok) */
	uint32_t lc;        /* lcs[lc .. lc + nlc) */
	uint16_t plen, nlc;
	uint8_t ntok, nall, content;
} nc_ent;

struct norm_cache {
	uint64_t seed;
	int full;
	size_t fill;
	nc_ent *slot;
	nc_tok *tok;
	size_t ntok;
	char *bytes;
	size_t nbytes;
	uint32_t *lcs;
	size_t nlcs;
	/* this post */
	uint32_t *ref;     /* token index, INLINE_BIT set for itok[] */
	size_t nref, ref_cap;
	nc_tok *itok;      /* tokens of pieces not cached */
	size_t nitok, itok_cap;
	char *ib;          /* their texts */
	size_t nib, ib_cap;
	uint64_t *hash;    /* the result */
	size_t hash_cap;
	uint32_t plc[LANG_MAX_CPS];
	size_t nplc;
};

void norm_cache_free(norm_cache *c)
{
	if (!c)
		return;
	chorus_free(c->slot);
	chorus_free(c->tok);
	chorus_free(c->bytes);
	chorus_free(c->lcs);
	chorus_free(c->ref);
	chorus_free(c->itok);
	chorus_free(c->ib);
	chorus_free(c->hash);
	chorus_free(c);
}

static norm_cache *cache_new(void)
{
	norm_cache *c = chorus_calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->slot = chorus_calloc(NC_SLOTS, sizeof *c->slot);
	c->tok = chorus_mallocarray(NC_TOK_CAP, sizeof *c->tok);
	c->bytes = chorus_malloc(NC_BYTES_CAP);
	c->lcs = chorus_mallocarray(NC_LC_CAP, sizeof *c->lcs);
	if (!c->slot || !c->tok || !c->bytes || !c->lcs) {
		norm_cache_free(c);
		return NULL;
	}
	return c;
}

static void cache_empty(norm_cache *c)
{
	memset(c->slot, 0, NC_SLOTS * sizeof *c->slot);
	c->fill = c->ntok = c->nbytes = c->nlcs = 0;
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

static void add_letters(norm_cache *c, const uint32_t *lc, size_t n)
{
	const size_t room = LANG_MAX_CPS - c->nplc;

	if (n > room)
		n = room;
	memcpy(c->plc + c->nplc, lc, n * sizeof *lc);
	c->nplc += n;
}

/* The tokens the workspace holds (last norm_tokenise), for this post only. */
static int add_inline(chorus_norm *w, norm_cache *c, size_t *nall, size_t *content)
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
		c->ref[c->nref++] = (uint32_t)c->nitok++ | INLINE_BIT;
	}
	*nall += w->ntok;
	*content += w->content;
	add_letters(c, w->lc, w->nlc);
	return CHORUS_OK;
}

/* Store the workspace's tokens as the entry for piece p[0..n) in slot e;
 * 0 when they do not fit (the cache is then marked full). */
static int store(chorus_norm *w, norm_cache *c, nc_ent *e, uint64_t key, const char *p, size_t n)
{
	size_t ntok = 0, bytes = n;

	for (size_t t = 0; t < w->ntok; t++) {
		if (w->tok[t].kind != CHORUS_TOK_PUNCT) {
			ntok++;
			bytes += w->tok[t].len;
		}
	}
	if (ntok > NC_MAX_TOK || w->ntok > UINT8_MAX || w->content > UINT8_MAX ||
	    w->nlc > UINT16_MAX)
		return 0;
	if (c->fill >= NC_MAX_FILL || c->ntok + ntok > NC_TOK_CAP ||
	    c->nbytes + bytes > NC_BYTES_CAP || c->nlcs + w->nlc > NC_LC_CAP) {
		c->full = 1;
		return 0;
	}
	e->key = key;
	e->piece = (uint32_t)c->nbytes;
	e->plen = (uint16_t)n;
	memcpy(c->bytes + c->nbytes, p, n);
	c->nbytes += n;
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
	e->lc = (uint32_t)c->nlcs;
	e->nlc = (uint16_t)w->nlc;
	memcpy(c->lcs + c->nlcs, w->lc, w->nlc * sizeof *w->lc);
	c->nlcs += w->nlc;
	c->fill++;
	return 1;
}

/* The entry for piece p[0..n): found, or made now; NULL when it cannot be
 * cached (then its tokens are in the workspace, or *rc is set). */
static const nc_ent *lookup(chorus_norm *w, norm_cache *c, const char *p, size_t n, int *rc)
{
	uint64_t key = chorus_hash64(p, n, KEY_SEED) | 1u;
	size_t i = (size_t)key & (NC_SLOTS - 1);
	nc_ent *e;

	for (;; i = (i + 1) & (NC_SLOTS - 1)) {
		e = &c->slot[i];
		if (e->key == 0)
			break;
		if (e->key == key && e->plen == n && memcmp(c->bytes + e->piece, p, n) == 0)
			return e;
	}
	if ((*rc = norm_tokenise(w, p, n, 1)) != 0)
		return NULL;
	return store(w, c, e, key, p, n) ? e : NULL;
}

static int add_piece(chorus_norm *w, norm_cache *c, const char *p, size_t n, size_t *nall,
		     size_t *content)
{
	const nc_ent *e;
	int rc = 0;

	if (n > NC_MAX_PIECE) {
		if ((rc = norm_tokenise(w, p, n, 1)) != 0)
			return rc;
		return add_inline(w, c, nall, content);
	}
	e = lookup(w, c, p, n, &rc);
	if (rc)
		return rc;
	if (!e)
		return add_inline(w, c, nall, content);
	if (reserve(&c->ref, &c->ref_cap, c->nref + e->ntok, sizeof *c->ref))
		return CHORUS_ENOMEM;
	for (uint32_t t = 0; t < e->ntok; t++)
		c->ref[c->nref++] = e->tok + t;
	*nall += e->nall;
	*content += e->content;
	add_letters(c, c->lcs + e->lc, e->nlc);
	return CHORUS_OK;
}

static int is_space(unsigned char b)
{
	return b == ' ' || (b >= '\t' && b <= '\r');
}

/* Tokens and letters of every piece of raw[0..len), in order. */
static int add_pieces(chorus_norm *w, norm_cache *c, const char *raw, size_t len, size_t *nall,
		      size_t *content)
{
	const unsigned char *r = (const unsigned char *)raw;
	size_t i = 0;

	if (len > FAST_MAX_RAW) {
		int rc = norm_tokenise(w, raw, len, 1);
		return rc ? rc : add_inline(w, c, nall, content);
	}
	while (i < len) {
		size_t j;
		int rc;
		while (i < len && is_space(r[i]))
			i++;
		if (i == len)
			break;
		for (j = i + 1; j < len && !is_space(r[j]); j++)
			;
		if ((rc = add_piece(w, c, raw + i, j - i, nall, content)) != 0)
			return rc;
		i = j;
	}
	return CHORUS_OK;
}

static uint64_t ref_hash(chorus_norm *w, norm_cache *c, uint32_t ref, int lang)
{
	const int inl = (ref & INLINE_BIT) != 0;
	nc_tok *t = inl ? &c->itok[ref & ~INLINE_BIT] : &c->tok[ref];
	const unsigned li = w->stem && t->kind == CHORUS_TOK_WORD ? (unsigned)lang : 0;

	if (!(t->done & (1u << li))) {
		const char *s = (inl ? c->ib : c->bytes) + t->text;
		t->h[li] = norm_token_hash(w, lang, t->kind, s, t->len, c->seed);
		t->done |= (uint8_t)(1u << li);
	}
	return t->h[li];
}

int chorus_norm_hash(chorus_norm *w, const char *raw, size_t len, const char *lang_hint,
		     uint64_t seed, chorus_normhash *out)
{
	const int hint = lang_hint ? chorus_lang_from_code(lang_hint, strlen(lang_hint))
				   : CHORUS_LANG_UND;
	size_t nall = 0, content = 0;
	norm_cache *c = w->cache;
	int rc, lang;

	if (!c) {
		if (!(c = w->cache = cache_new()))
			return CHORUS_ENOMEM;
		cache_empty(c);
		c->seed = seed;
	}
	if (c->full || c->seed != seed) {
		cache_empty(c);
		c->seed = seed;
	}
	c->nref = c->nitok = c->nib = c->nplc = 0;
	if ((rc = add_pieces(w, c, raw, len, &nall, &content)) != 0)
		return rc;
	lang = hint == CHORUS_LANG_UND ? chorus_lang_detect(c->plc, c->nplc) : hint;
	if (reserve(&c->hash, &c->hash_cap, c->nref + 1, sizeof *c->hash))
		return CHORUS_ENOMEM;
	for (size_t k = 0; k < c->nref; k++)
		c->hash[k] = ref_hash(w, c, c->ref[k], lang);
	out->hash = c->hash;
	out->n = c->nref;
	out->ntokens = nall;
	out->content = content;
	out->lang = lang;
	return CHORUS_OK;
}
