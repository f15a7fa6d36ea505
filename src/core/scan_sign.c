/*
 * scan_sign.c - stage "sign": normalise, shingle, MinHash and band keys for
 * every post, in parallel over fixed blocks of SCAN_BLOCK posts.
 *
 * Each thread owns a workspace (normaliser with its stemmers and caches,
 * shingle and signature buffers) made before the parallel region.  A block's
 * shingle sets go into the block's own array, so where a post's shingles
 * live depends only on its index, never on which thread signed it.
 * Cost: O(text) to normalise, O(s * perms) to sign s shingles.
 */
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/hash.h"
#include "chorus/normalise.h"
#include "par_int.h"
#include "scan_int.h"

typedef struct sign_worker {
	chorus_norm *norm;
	uint32_t *sh;      /* shingle scratch */
	size_t sh_cap;
	uint32_t sig[CHORUS_MAX_PERMS];
	uint32_t keys[CHORUS_MAX_PERMS];
} sign_worker;

static int grow_u32(uint32_t **v, size_t *cap, size_t need)
{
	size_t c = *cap ? *cap : 256;
	uint32_t *p;

	if (need <= *cap)
		return CHORUS_OK;
	while (c < need)
		c *= 2;
	p = chorus_reallocarray(*v, c, sizeof *p);
	if (!p)
		return CHORUS_ENOMEM;
	*v = p;
	*cap = c;
	return CHORUS_OK;
}

/* Classify, shingle and sign post i; its shingles go to the end of blk. */
static int sign_post(struct chorus_scan *s, sign_worker *w, uint32_t i, shingle_block *blk,
		     size_t *blk_cap)
{
	const chorus_post *post = s->post[i];
	const char *hint = post->extra ? post->extra->lang.p : NULL;
	size_t bound, count, content;

	if ((post->flags & CHORUS_POST_REPOST) && !s->p.include_reposts) {
		s->status[i] = ST_REPOST;
		return CHORUS_OK;
	}
	if (s->p.shingle_kind == CHORUS_SHINGLE_WORD) {
		chorus_normhash nh;
		if (chorus_norm_hash(w->norm, post->text.p, post->text.len, hint, s->p.seed, &nh))
			return CHORUS_ENOMEM;
		content = nh.content;
		bound = nh.n + 1;
		if (content >= s->p.min_content && grow_u32(&w->sh, &w->sh_cap, bound))
			return CHORUS_ENOMEM;
		count = content < s->p.min_content ? 0
			: chorus_shingle_hashes(nh.hash, nh.n, s->p.shingle_k, s->p.seed, w->sh,
						w->sh_cap);
	} else {
		chorus_normalised nz;
		if (chorus_norm_run(w->norm, post->text.p, post->text.len, hint, &nz) != 0)
			return CHORUS_ENOMEM;
		content = nz.content;
		bound = nz.len + 1;
		if (content >= s->p.min_content && grow_u32(&w->sh, &w->sh_cap, bound))
			return CHORUS_ENOMEM;
		count = content < s->p.min_content ? 0
			: chorus_shingle(&nz, s->p.shingle_kind, s->p.shingle_k, s->p.seed, w->sh,
					 w->sh_cap);
	}
	if (content < s->p.min_content) {
		s->status[i] = ST_SHORT;
		return CHORUS_OK;
	}
	if (count == 0) {
		s->status[i] = ST_EMPTY;
		return CHORUS_OK;
	}
	if (grow_u32(&blk->data, blk_cap, blk->len + count))
		return CHORUS_ENOMEM;
	memcpy(blk->data + blk->len, w->sh, count * sizeof *w->sh);
	s->sh_off[i] = blk->len;
	s->sh_len[i] = (uint32_t)count;
	blk->len += count;
	s->sethash[i] = chorus_hash64(w->sh, count * sizeof *w->sh, s->p.seed);
	minhash_sketch(w->sh, count, s->sketch + (size_t)i * MINHASH_SKETCH_BYTES);
	chorus_minhash_sign(&s->mh, w->sh, count, w->sig);
	chorus_minhash_bands(&s->mh, w->sig, w->keys);
	for (unsigned j = 0; j < s->mh.bands; j++)
		s->keys[(size_t)j * s->n + i] = w->keys[j];
	s->status[i] = ST_MATCH;
	return CHORUS_OK;
}

static int sign_block(struct chorus_scan *s, sign_worker *w, size_t b)
{
	const size_t lo = b * SCAN_BLOCK;
	const size_t hi = lo + SCAN_BLOCK < s->n ? lo + SCAN_BLOCK : s->n;
	shingle_block *blk = &s->blocks[b];
	size_t cap = 0;

	for (size_t i = lo; i < hi; i++) {
		int rc = sign_post(s, w, (uint32_t)i, blk, &cap);
		if (rc)
			return rc;
	}
	if (blk->len && blk->len < cap) {
		uint32_t *p = chorus_reallocarray(blk->data, blk->len, sizeof *p);
		if (p)
			blk->data = p;
	}
	return CHORUS_OK;
}

static void free_workers(sign_worker *w, int nt)
{
	if (!w)
		return;
	for (int t = 0; t < nt; t++) {
		chorus_norm_free(w[t].norm);
		chorus_free(w[t].sh);
	}
	chorus_free(w);
}

static sign_worker *new_workers(const struct chorus_scan *s, int nt)
{
	sign_worker *w = chorus_calloc((size_t)nt, sizeof *w);

	if (!w)
		return NULL;
	for (int t = 0; t < nt; t++) {
		w[t].norm = chorus_norm_new(s->models, s->p.norm_flags);
		if (!w[t].norm) {
			free_workers(w, nt);
			return NULL;
		}
	}
	return w;
}

int scan_sign_alloc(struct chorus_scan *s)
{
	const size_t n = s->n, nblocks = (n + SCAN_BLOCK - 1) / SCAN_BLOCK;

	s->status = chorus_calloc(n, 1);
	s->sh_off = chorus_calloc(n, sizeof *s->sh_off);
	s->sh_len = chorus_calloc(n, sizeof *s->sh_len);
	s->sethash = chorus_calloc(n, sizeof *s->sethash);
	s->sketch = chorus_mallocarray(n ? n : 1, MINHASH_SKETCH_BYTES);
	/* zeroed, so no key is ever indeterminate (only signed posts' are read) */
	s->keys = chorus_calloc(n ? n : 1, (size_t)s->mh.bands * sizeof *s->keys);
	s->blocks = chorus_calloc(nblocks, sizeof *s->blocks);
	if (!s->status || !s->sh_off || !s->sh_len || !s->sethash || !s->sketch || !s->keys ||
	    !s->blocks)
		return CHORUS_ENOMEM;
	return CHORUS_OK;
}

static void count_status(struct chorus_scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		switch (s->status[i]) {
		case ST_MATCH: s->stats.matched++; break;
		case ST_REPOST: s->stats.reposts++; break;
		default: s->stats.short_posts++; break;
		}
	}
}

int scan_sign(struct chorus_scan *s, chorus_error *err)
{
	const long nblocks = (long)((s->n + SCAN_BLOCK - 1) / SCAN_BLOCK);
	const int nt = chorus_par_threads(s->p.threads);
	sign_worker *w;
	int failed = 0;

	if (scan_sign_alloc(s))
		return CHORUS_ENOMEM;
	w = new_workers(s, nt);
	if (!w)
		return CHORUS_ENOMEM;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) default(none) \
	shared(s, w, failed) firstprivate(nblocks)
	for (long b = 0; b < nblocks; b++) {
		if (sign_block(s, &w[chorus_par_thread_id()], (size_t)b) != 0) {
#pragma omp atomic write
			failed = 1;
		}
	}
	free_workers(w, nt);
	if (failed)
		return CHORUS_ENOMEM;
	count_status(s);
	return CHORUS_OK;
}
