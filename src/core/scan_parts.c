/*
 * scan_parts.c - the scan in parts (chorus/scan.h): signing alone, a
 * matcher over posts signed earlier, clustering from given links, and
 * renaming clusters.
 *
 * Each part fills a struct chorus_scan and runs the batch stages on it
 * (scan_sign, scan_candidates with an owner mask, scan_verify,
 * scan_cluster), so every rule has one implementation and a caller that
 * feeds the parts what chorus_scan_run would have computed gets the same
 * links and clusters.
 *
 * Matcher layout: the arrays of the batch scan sized for cap posts; posts
 * are appended in scan order, shingles into the block of their index
 * (SCAN_BLOCK posts per block, as the sign stage lays them out), band keys
 * band-major with stride cap, compacted to stride n before the run.
 * Cost: O(total shingles + bands * n) to add, then the batch lsh and
 * verify stages.
 */
#include <assert.h>
#include <string.h>

#include "chorus/alloc.h"
#include "scan_int.h"

/* A scan over n posts with checked parameters, or NULL (err set). */
static struct chorus_scan *scan_alloc(const chorus_scan_params *p, size_t n, int *rc,
				      chorus_error *err)
{
	struct chorus_scan *s;

	if ((*rc = chorus_scan_params_check(p, err)) != CHORUS_OK)
		return NULL;
	if (n >= UINT32_MAX) {
		chorus_error_set(err, "", 0, "too many posts for one scan (limit 4294967294)");
		*rc = CHORUS_ELIMIT;
		return NULL;
	}
	s = chorus_calloc(1, sizeof *s);
	if (!s) {
		*rc = CHORUS_ENOMEM;
		return NULL;
	}
	s->p = *p;
	s->n = n;
	s->stats.posts = n;
	chorus_minhash_init(&s->mh, p->perms, p->bands, p->seed);
	return s;
}

static int fail(struct chorus_scan *s, int rc, chorus_error *err)
{
	if (rc == CHORUS_ENOMEM && !err->text[0])
		chorus_error_set(err, "", 0, "out of memory");
	chorus_scan_free(s);
	return rc;
}

int chorus_scan_sign(const chorus_post *const *posts, size_t n, const chorus_models *models,
		     const chorus_scan_params *p, chorus_scan **out, chorus_error *err)
{
	int rc;
	struct chorus_scan *s = scan_alloc(p, n, &rc, err);

	if (!s)
		return rc;
	s->models = models;
	s->post = chorus_mallocarray(n ? n : 1, sizeof *s->post);
	if (!s->post)
		return fail(s, CHORUS_ENOMEM, err);
	memcpy(s->post, posts, n * sizeof *posts);
	rc = scan_run_stage(s, CHORUS_STAGE_SIGN, "sign", scan_sign, err);
	if (rc)
		return fail(s, rc, err);
	*out = s;
	return CHORUS_OK;
}

void chorus_scan_get_sig(const chorus_scan *s, uint32_t i, chorus_sig *sig, uint32_t *keys)
{
	size_t len;

	assert(i < s->n && s->status);
	memset(sig, 0, sizeof *sig);
	sig->status = s->status[i];
	if (sig->status != ST_MATCH)
		return;
	sig->shingles = scan_shingles(s, i, &len);
	sig->nshingles = (uint32_t)len;
	sig->sethash = s->sethash[i];
	for (unsigned j = 0; j < s->mh.bands; j++)
		keys[j] = s->keys[(size_t)j * s->n + i];
	sig->keys = keys;
}

/* ---- matcher ---- */

struct chorus_matcher {
	struct chorus_scan *s; /* s->n = posts added so far */
	size_t cap;
	uint8_t *owner;        /* cap */
	size_t blk;            /* block whose data capacity is blk_cap */
	size_t blk_cap;
	int ran;
};

int chorus_matcher_new(const chorus_scan_params *p, size_t cap, chorus_matcher **out,
		       chorus_error *err)
{
	chorus_matcher *m;
	struct chorus_scan *s;
	int rc;

	if (!(s = scan_alloc(p, cap, &rc, err)))
		return rc;
	m = chorus_calloc(1, sizeof *m);
	s->time = chorus_mallocarray(cap ? cap : 1, sizeof *s->time);
	m->owner = chorus_calloc(cap ? cap : 1, 1);
	if (!m || !s->time || !m->owner || scan_sign_alloc(s) != CHORUS_OK) {
		if (m)
			chorus_free(m->owner);
		chorus_free(m);
		return fail(s, CHORUS_ENOMEM, err);
	}
	s->n = 0;
	s->stats.posts = 0;
	m->s = s;
	m->cap = cap;
	*out = m;
	return CHORUS_OK;
}

static int grow_block(shingle_block *blk, size_t *cap, size_t need)
{
	size_t c = *cap ? *cap : 4096;
	uint32_t *p;

	if (need <= *cap)
		return CHORUS_OK;
	while (c < need)
		c *= 2;
	p = chorus_reallocarray(blk->data, c, sizeof *p);
	if (!p)
		return CHORUS_ENOMEM;
	blk->data = p;
	*cap = c;
	return CHORUS_OK;
}

int chorus_matcher_add(chorus_matcher *m, int64_t time, const chorus_sig *sig, int owner)
{
	struct chorus_scan *s = m->s;
	const size_t i = s->n;
	shingle_block *blk;

	if (i >= m->cap)
		return CHORUS_ELIMIT;
	assert(!m->ran && (i == 0 || time >= s->time[i - 1]));
	assert(sig->status != ST_MATCH || sig->nshingles > 0);
	if (i / SCAN_BLOCK != m->blk) {
		m->blk = i / SCAN_BLOCK;
		m->blk_cap = 0;
	}
	blk = &s->blocks[m->blk];
	if (sig->status == ST_MATCH) {
		if (grow_block(blk, &m->blk_cap, blk->len + sig->nshingles))
			return CHORUS_ENOMEM;
		memcpy(blk->data + blk->len, sig->shingles, sig->nshingles * sizeof *blk->data);
		s->sh_off[i] = blk->len;
		s->sh_len[i] = sig->nshingles;
		blk->len += sig->nshingles;
		s->sethash[i] = sig->sethash;
		minhash_sketch(sig->shingles, sig->nshingles, s->sketch + i * MINHASH_SKETCH_BYTES);
		for (unsigned j = 0; j < s->mh.bands; j++)
			s->keys[(size_t)j * m->cap + i] = sig->keys[j];
	}
	s->time[i] = time;
	s->status[i] = (uint8_t)sig->status;
	m->owner[i] = owner != 0;
	s->n++;
	s->stats.posts++;
	return CHORUS_OK;
}

int chorus_matcher_run(chorus_matcher *m, chorus_link **links, size_t *nlinks, uint64_t *ncand,
		       chorus_error *err)
{
	struct chorus_scan *s = m->s;
	int rc;

	assert(!m->ran);
	m->ran = 1;
	/* band-major with stride n, as the lsh stage reads them */
	for (unsigned j = 1; s->n < m->cap && j < s->mh.bands; j++)
		memmove(s->keys + (size_t)j * s->n, s->keys + (size_t)j * m->cap,
			s->n * sizeof *s->keys);
	s->owner = m->owner;
	rc = scan_run_stage(s, CHORUS_STAGE_LSH, "lsh", scan_candidates, err);
	if (!rc)
		rc = scan_run_stage(s, CHORUS_STAGE_VERIFY, "verify", scan_verify, err);
	if (rc) {
		if (rc == CHORUS_ENOMEM && !err->text[0])
			chorus_error_set(err, "", 0, "out of memory");
		return rc;
	}
	*links = s->edges;
	*nlinks = s->nedges;
	*ncand = s->stats.candidates;
	s->edges = NULL;
	s->nedges = 0;
	return CHORUS_OK;
}

void chorus_matcher_free(chorus_matcher *m)
{
	if (!m)
		return;
	/* blocks past the posts added hold nothing; free them all */
	m->s->n = m->cap;
	chorus_scan_free(m->s);
	chorus_free(m->owner);
	chorus_free(m);
}

/* ---- clusters from links ---- */

/* s->edges from corpus-index links: scan indices, a < b. */
static int adopt_links(struct chorus_scan *s, const chorus_link *links, size_t nlinks,
		       chorus_error *err)
{
	const chorus_post *base = chorus_corpus_posts(s->corpus);
	uint32_t *scan_of = chorus_mallocarray(s->n ? s->n : 1, sizeof *scan_of);

	s->edges = chorus_mallocarray(nlinks ? nlinks : 1, sizeof *s->edges);
	if (!scan_of || !s->edges) {
		chorus_free(scan_of);
		return CHORUS_ENOMEM;
	}
	for (size_t i = 0; i < s->n; i++)
		scan_of[s->post[i] - base] = (uint32_t)i;
	for (size_t k = 0; k < nlinks; k++) {
		uint32_t a, b;
		assert(links[k].a < s->n && links[k].b < s->n && links[k].a != links[k].b);
		a = scan_of[links[k].a];
		b = scan_of[links[k].b];
		if (s->status[a] != ST_MATCH || s->status[b] != ST_MATCH) {
			const chorus_str *id = &s->post[s->status[a] != ST_MATCH ? a : b]->id;
			chorus_error_set(err, "", 0, "post %.*s no longer signs as matched (other "
					 "models or parameters than when it was linked)",
					 (int)(id->len > 64 ? 64 : id->len), id->p);
			chorus_free(scan_of);
			return CHORUS_EINPUT;
		}
		s->edges[k].a = a < b ? a : b;
		s->edges[k].b = a < b ? b : a;
		s->edges[k].sim = links[k].sim;
	}
	chorus_free(scan_of);
	s->nedges = nlinks;
	s->stats.candidates = nlinks;
	s->stats.verified = nlinks;
	return CHORUS_OK;
}

int chorus_scan_from_links(const chorus_corpus *corpus, const chorus_models *models,
			   const chorus_scan_params *p, const chorus_link *links, size_t nlinks,
			   chorus_scan **out, chorus_error *err)
{
	int rc;
	struct chorus_scan *s = scan_alloc(p, chorus_corpus_count(corpus), &rc, err);

	if (!s)
		return rc;
	s->corpus = corpus;
	s->models = models;
	rc = scan_run_stage(s, -1, "order", scan_order, err);
	if (!rc)
		rc = scan_run_stage(s, CHORUS_STAGE_SIGN, "sign", scan_sign, err);
	if (!rc)
		rc = adopt_links(s, links, nlinks, err);
	if (!rc)
		rc = scan_run_stage(s, CHORUS_STAGE_CLUSTER, "cluster", scan_cluster, err);
	if (rc)
		return fail(s, rc, err);
	*out = s;
	return CHORUS_OK;
}

void chorus_scan_set_cluster_ids(chorus_scan *s, const char (*ids)[17])
{
	for (size_t i = 0; i < s->nclusters; i++) {
		memcpy(s->clusters[i].id, ids[i], 16);
		s->clusters[i].id[16] = '\0';
	}
	scan_sort_clusters(s);
}
