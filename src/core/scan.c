/*
 * scan.c - the scan driver: parameters, stage sequencing, timing, result
 * accessors, and the first stage (time order and author numbering).
 *
 * Stages and their files:
 *   order      scan.c          O(n) radix sort by time, O(n) author table
 *   sign       scan_sign.c     normalise, shingle, MinHash, band keys
 *   lsh        scan_lsh.c      candidate pairs from equal band keys
 *   verify     scan_lsh.c      exact Jaccard of candidate pairs
 *   cluster    scan_cluster.c  components, statistics, medoid, score
 */
#include <string.h>
#include <time.h>

#include "chorus/alloc.h"
#include "chorus/hash.h"
#include "chorus/timeutil.h"
#include "par_int.h"
#include "scan_int.h"
#include "sort_int.h"

/* Defaults chosen by measurement (README "How the defaults were chosen",
 * tests/eval/sweep.sh): word:1 shingles at J >= 0.55 find 118 of 120
 * planted campaigns with no false cluster; min_content 8 keeps a guard band
 * above the length (5) at which stock phrases began to collide. */
void chorus_scan_params_init(chorus_scan_params *p)
{
	memset(p, 0, sizeof *p);
	p->window = 48 * 3600 * CHORUS_NS_PER_SEC;
	p->threshold = 0.55;
	p->min_accounts = 5;
	p->shingle_kind = CHORUS_SHINGLE_WORD;
	p->shingle_k = 1;
	p->perms = 128;
	p->bands = 32;
	p->min_content = 8;
	p->max_neighbours = 8;
	p->include_reposts = 0;
	p->seed = UINT64_C(0x63686f7275732031); /* "chorus 1" */
}

int chorus_scan_params_check(const chorus_scan_params *p, chorus_error *err)
{
	const char *bad = NULL;

	if (p->window <= 0)
		bad = "--window must be positive";
	else if (!(p->threshold > 0.0 && p->threshold <= 1.0))
		bad = "--threshold must be in (0, 1]";
	else if (p->min_accounts < 1)
		bad = "--min-accounts must be at least 1";
	else if (p->shingle_kind != CHORUS_SHINGLE_WORD && p->shingle_kind != CHORUS_SHINGLE_CHAR)
		bad = "--shingle must be word:K or char:K";
	else if (p->shingle_k < 1 || p->shingle_k > 16)
		bad = "--shingle size must be 1 to 16";
	else if (p->perms < 1 || p->perms > CHORUS_MAX_PERMS)
		bad = "--perms must be 1 to 1024";
	else if (p->bands < 1 || p->perms % p->bands)
		bad = "--bands must divide --perms";
	else if (p->max_neighbours < 1)
		bad = "--neighbours must be at least 1";
	if (!bad)
		return CHORUS_OK;
	chorus_error_set(err, "", 0, "%s", bad);
	return CHORUS_EUSAGE;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * CHORUS_NS_PER_SEC + ts.tv_nsec;
}

/* Map created_at to an unsigned key with the same order. */
static uint64_t time_key(int64_t t)
{
	return (uint64_t)t ^ (UINT64_C(1) << 63);
}

/* s->post and s->time, in parallel: in the order v gives, or without v in
 * input order, and then 1 when that is time order (each post no earlier
 * than the one before). */
static int gather(struct chorus_scan *s, const chorus_post *posts, const uint32_t *v, int nt)
{
	const long ln = (long)s->n;
	int unsorted = 0;

#pragma omp parallel for num_threads(nt) schedule(static) default(none) \
	shared(s, posts, v) firstprivate(ln) reduction(| : unsorted)
	for (long i = 0; i < ln; i++) {
		const size_t from = v ? v[i] : (size_t)i;
		s->post[i] = &posts[from];
		s->time[i] = posts[from].created_at;
		unsorted |= !v && i > 0 && posts[i].created_at < posts[i - 1].created_at;
	}
	return !unsorted;
}

/* s->post and s->time in time order, posts with equal times in input
 * order.  Input already in order (collected data often is) is only
 * checked, while it is gathered; otherwise the times are sorted with the
 * key-value radix sort, which is stable, and gathered again. */
static int sort_by_time(struct chorus_scan *s, const chorus_post *posts)
{
	const size_t n = s->n;
	const int nt = chorus_par_threads(s->p.threads);
	uint64_t *k, *kt;
	uint32_t *v, *vt;
	int rc = CHORUS_ENOMEM;

	if (gather(s, posts, NULL, nt))
		return CHORUS_OK;
	k = chorus_mallocarray(n, sizeof *k);
	kt = chorus_mallocarray(n, sizeof *kt);
	v = chorus_mallocarray(n, sizeof *v);
	vt = chorus_mallocarray(n, sizeof *vt);
	if (k && kt && v && vt) {
		for (size_t i = 0; i < n; i++) {
			k[i] = time_key(s->time[i]);
			v[i] = (uint32_t)i;
		}
		chorus_radix_kv(k, v, kt, vt, n); /* stable */
		(void)gather(s, posts, v, nt);
		rc = CHORUS_OK;
	}
	chorus_free(k);
	chorus_free(kt);
	chorus_free(v);
	chorus_free(vt);
	return rc;
}

/* A table slot: an author's name and its first post (+ 1; 0 = empty). */
typedef struct author_slot {
	const char *p;
	uint32_t len, first;
} author_slot;

#define AUTHOR_AHEAD 16 /* posts whose slot is fetched ahead */

/* Note, for each post of one part of the authors (those whose hash says
 * part), the author's first post, walking the posts in order. */
static int first_posts(const struct chorus_scan *s, const uint64_t *hash, uint32_t *first,
		       int part, int nparts)
{
	uint32_t *own;
	size_t mine, mask;
	author_slot *const slot =
		chorus_par_split(hash, s->n, part, nparts, sizeof *slot, &own, &mine, &mask);

	if (!slot)
		return CHORUS_ENOMEM;
	for (size_t k = 0; k < mine; k++) {
		const uint32_t i = own[k];
		const chorus_str *a = &s->post[i]->author;
		if (k + AUTHOR_AHEAD < mine)
			__builtin_prefetch(&slot[hash[own[k + AUTHOR_AHEAD]] & mask]);
		if (k + AUTHOR_AHEAD / 2 < mine) {
			const author_slot *ahead = &slot[hash[own[k + AUTHOR_AHEAD / 2]] & mask];
			if (ahead->first)
				__builtin_prefetch(ahead->p);
		}
		for (size_t h = hash[i] & mask;; h = (h + 1) & mask) {
			author_slot *e = &slot[h];
			if (!e->first) {
				e->p = a->p;
				e->len = (uint32_t)a->len;
				e->first = i + 1;
				first[i] = i;
				break;
			}
			if (e->len == a->len && memcmp(e->p, a->p, a->len) == 0) {
				first[i] = e->first - 1;
				break;
			}
		}
	}
	chorus_free(own);
	chorus_free(slot);
	return CHORUS_OK;
}

/* Number authors 0, 1, ... in order of their first post.  The authors are
 * split by hash among the threads; each walks its posts in order through
 * its own table (the names kept in the slots, fetched ahead) and notes,
 * for each, the author's first post.  A last pass in order numbers the
 * first posts.  The numbers depend only on the order of the posts, never
 * on the split. */
static int number_authors(struct chorus_scan *s)
{
	const size_t n = s->n;
	const int nt = chorus_par_threads(s->p.threads);
	const long ln = (long)n;
	uint64_t *hash = chorus_mallocarray(n ? n : 1, sizeof *hash);
	uint32_t *first = chorus_mallocarray(n ? n : 1, sizeof *first), next = 0;
	int failed = 0;

	if (!hash || !first) {
		failed = 1;
		goto out;
	}
#pragma omp parallel num_threads(nt) default(none) shared(s, hash, first, failed) \
	firstprivate(ln, nt)
	{
#pragma omp for schedule(static)
		for (long i = 0; i < ln; i++) {
			/* the names lie apart from the posts: fetched ahead */
			if (i + AUTHOR_AHEAD < ln)
				__builtin_prefetch(s->post[i + AUTHOR_AHEAD]->author.p);
			hash[i] = chorus_hash64(s->post[i]->author.p, s->post[i]->author.len, 0);
		}
#pragma omp for schedule(static, 1)
		for (int part = 0; part < nt; part++) {
			if (first_posts(s, hash, first, part, nt) != CHORUS_OK) {
#pragma omp atomic write
				failed = 1;
			}
		}
	}
	if (failed)
		goto out;
	for (size_t i = 0; i < n; i++)
		s->author[i] = first[i] == i ? next++ : s->author[first[i]];
	s->nauthors = next;
out:
	chorus_free(hash);
	chorus_free(first);
	return failed ? CHORUS_ENOMEM : CHORUS_OK;
}

int scan_order(struct chorus_scan *s, chorus_error *err)
{
	const size_t n = s->n;
	int rc;

	s->post = chorus_mallocarray(n, sizeof *s->post);
	s->time = chorus_mallocarray(n, sizeof *s->time);
	s->author = chorus_mallocarray(n, sizeof *s->author);
	if (!s->post || !s->time || !s->author)
		return CHORUS_ENOMEM;
	rc = sort_by_time(s, chorus_corpus_posts(s->corpus));
	if (rc == CHORUS_OK)
		rc = number_authors(s);
	return rc;
}

int scan_run_stage(struct chorus_scan *s, int stage, const char *name, scan_stage_fn fn,
		   chorus_error *err)
{
	int64_t t0 = now_ns();
	int rc;

	if (s->p.on_stage)
		s->p.on_stage(s->p.ud, name, 0);
	rc = fn(s, err);
	if (stage >= 0)
		s->stats.stage_ns[stage] += now_ns() - t0;
	if (s->p.on_stage && rc == CHORUS_OK)
		s->p.on_stage(s->p.ud, name, 1);
	return rc;
}

int chorus_scan_run(const chorus_corpus *corpus, const chorus_models *models,
		    const chorus_scan_params *p, chorus_scan **out, chorus_error *err)
{
	struct chorus_scan *s;
	int rc = chorus_scan_params_check(p, err);

	if (rc)
		return rc;
	if (chorus_corpus_count(corpus) >= UINT32_MAX) {
		chorus_error_set(err, "", 0, "too many posts for one scan (limit 4294967294)");
		return CHORUS_ELIMIT;
	}
	s = chorus_calloc(1, sizeof *s);
	if (!s)
		return CHORUS_ENOMEM;
	s->corpus = corpus;
	s->p = *p;
	s->n = chorus_corpus_count(corpus);
	s->stats.posts = s->n;
	chorus_minhash_init(&s->mh, p->perms, p->bands, p->seed);
	s->models = models;
	rc = scan_run_stage(s, -1, "order", scan_order, err);
	if (!rc)
		rc = scan_run_stage(s, CHORUS_STAGE_SIGN, "sign", scan_sign, err);
	if (!rc)
		rc = scan_run_stage(s, CHORUS_STAGE_LSH, "lsh", scan_candidates, err);
	if (!rc)
		rc = scan_run_stage(s, CHORUS_STAGE_VERIFY, "verify", scan_verify, err);
	if (!rc)
		rc = scan_run_stage(s, CHORUS_STAGE_CLUSTER, "cluster", scan_cluster, err);
	if (rc) {
		if (rc == CHORUS_ENOMEM && !err->text[0])
			chorus_error_set(err, "", 0, "out of memory");
		chorus_scan_free(s);
		return rc;
	}
	*out = s;
	return CHORUS_OK;
}

void chorus_scan_free(chorus_scan *s)
{
	if (!s)
		return;
	if (s->blocks)
		for (size_t b = 0; b < (s->n + SCAN_BLOCK - 1) / SCAN_BLOCK; b++)
			chorus_free(s->blocks[b].data);
	chorus_free(s->blocks);
	chorus_free(s->post);
	chorus_free(s->time);
	chorus_free(s->author);
	chorus_free(s->status);
	chorus_free(s->sh_off);
	chorus_free(s->sh_len);
	chorus_free(s->sethash);
	chorus_free(s->sketch);
	chorus_free(s->keys);
	chorus_free(s->cand);
	chorus_free(s->edges);
	chorus_free(s->clusters);
	chorus_free(s->cluster_mem);
	chorus_free(s);
}

const chorus_scan_stats *chorus_scan_get_stats(const chorus_scan *s)
{
	return &s->stats;
}

const chorus_scan_params *chorus_scan_get_params(const chorus_scan *s)
{
	return &s->p;
}

size_t chorus_scan_cluster_count(const chorus_scan *s)
{
	return s->nclusters;
}

const chorus_cluster *chorus_scan_get_cluster(const chorus_scan *s, size_t i)
{
	return i < s->nclusters ? &s->clusters[i] : NULL;
}

const chorus_post *chorus_scan_get_post(const chorus_scan *s, uint32_t i)
{
	return i < s->n ? s->post[i] : NULL;
}
