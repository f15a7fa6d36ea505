/*
 * scan_lsh.c - stages "lsh" (candidate pairs) and "verify" (exact Jaccard).
 *
 * Candidates: for each band (in parallel over bands), the matched posts
 * whose band key another post may share (a bit-table filter keeps every
 * such post and drops most keys held once) are sorted by (band key, scan
 * index) with a stable radix sort; a run of equal keys is an LSH bucket,
 * in time order.  Each post is paired with at most
 * max_neighbours bucket predecessors, nearest first, stopping at the first
 * one outside the window or with an identical shingle set (which already
 * links it to everything earlier).  A bucket of m posts therefore gives at
 * most m * max_neighbours pairs, never m^2: one text posted 100,000 times
 * costs 100,000 pairs per band, and connected components still join them.
 * The pairs of every band are merged, sorted and made unique, so the set
 * does not depend on which thread handled which band.  With an owner mask
 * (chorus_matcher) only the marked posts look for predecessors; the others
 * are still in the buckets as predecessors, so a marked post gets exactly
 * the pairs it would get in a full scan.
 * Cost: O(bands * n) for the sorts, O(pairs) for the rest.
 *
 * Verify: exact Jaccard of each candidate's sorted shingle sets, in
 * parallel over pairs into per-pair slots, then compacted in pair order.
 * Pairs whose set sizes alone rule out the threshold (J <= min/max), or
 * whose sketches (counts of shingles per 64 buckets, made when signing)
 * bound what they share below what the threshold needs, are not merged
 * at all (on the 1M-post benchmark 3.3M of 3.8M candidates are below
 * J = 0.2, and most end there); a merge stops once what is left of the
 * sets cannot reach the threshold.
 */
#include <math.h>
#include <string.h>

#include "chorus/alloc.h"
#include "par_int.h"
#include "scan_int.h"
#include "sort_int.h"

#define VERIFY_AHEAD 8 /* pairs prefetched ahead in verify */
#define LSH_AHEAD 64   /* sorted band entries looked at ahead in lsh */
#define FILTER_BITS 23 /* cells of the shared-key filter: 2^23, 2 MiB */
#define FILTER_WORDS (((size_t)1 << FILTER_BITS) / 64)

typedef struct pair_vec {
	uint64_t *v;
	size_t len, cap;
} pair_vec;

static int push_pair(pair_vec *pv, uint64_t pair)
{
	if (pv->len == pv->cap) {
		size_t c = pv->cap ? pv->cap * 2 : 4096;
		uint64_t *p = chorus_reallocarray(pv->v, c, sizeof *p);
		if (!p)
			return CHORUS_ENOMEM;
		pv->v = p;
		pv->cap = c;
	}
	pv->v[pv->len++] = pair;
	return CHORUS_OK;
}

/* Pairs of one bucket arr[lo..hi) (low 32 bits: scan index, time order). */
static int bucket_pairs(const struct chorus_scan *s, const uint64_t *arr, size_t lo, size_t hi,
			pair_vec *out)
{
	const size_t reach = s->p.max_neighbours;

	for (size_t p = lo + 1; p < hi; p++) {
		const uint32_t i = (uint32_t)arr[p];
		const size_t stop = p - lo > reach ? p - reach : lo;
		if (s->owner && !s->owner[i])
			continue;
		for (size_t q = p; q-- > stop;) {
			const uint32_t j = (uint32_t)arr[q];
			if (s->time[i] - s->time[j] > s->p.window)
				break;
			if (push_pair(out, (uint64_t)j << 32 | i))
				return CHORUS_ENOMEM;
			if (s->sethash[j] == s->sethash[i])
				break;
		}
	}
	return CHORUS_OK;
}

/* The matched posts (match[0..nmatch), in scan order) whose key in this
 * band some other matched post shares (and a few more), as (key << 32 |
 * scan index), in scan order.  A key
 * held by one post alone makes a bucket of one, which gives no pair, and
 * most keys are such: sorting only the others is what makes a band cheap.
 * Two bit tables indexed by the key's low FILTER_BITS bits, one cache line
 * apart at most, say "seen" and "seen twice"; a post is kept when its cell
 * was seen twice.  Every post of a real bucket is kept; so are posts whose
 * key merely shares those bits with another (about one in
 * 2^FILTER_BITS / matched), which make buckets of one again after the sort.
 * So the buckets, and their order, are exactly those of sorting all. */
static size_t shared_keys(const uint32_t *keys, const uint32_t *match, size_t nmatch,
			  uint64_t *filter, uint64_t *arr)
{
	const uint32_t mask = (1u << FILTER_BITS) - 1;
	size_t m = 0;

	memset(filter, 0, FILTER_WORDS * 2 * sizeof *filter);
	for (size_t k = 0; k < nmatch; k++) {
		const uint32_t c = keys[match[k]] & mask;
		uint64_t *w = &filter[(c >> 6) * 2];
		const uint64_t bit = (uint64_t)1 << (c & 63);
		w[1] |= w[0] & bit;
		w[0] |= bit;
	}
	for (size_t k = 0; k < nmatch; k++) {
		const uint32_t i = match[k], c = keys[i] & mask;
		arr[m] = (uint64_t)keys[i] << 32 | i;
		m += filter[(c >> 6) * 2 + 1] >> (c & 63) & 1;
	}
	return m;
}

static int band_pairs(const struct chorus_scan *s, unsigned band, const uint32_t *match,
		      size_t nmatch, uint64_t *arr, uint64_t *tmp, uint64_t *filter, pair_vec *out)
{
	const size_t m = shared_keys(s->keys + (size_t)band * s->n, match, nmatch, filter, arr);

	chorus_radix_u64(arr, tmp, m, 32);
	for (size_t lo = 0; lo < m;) {
		size_t hi = lo + 1;
		while (hi < m && arr[hi] >> 32 == arr[lo] >> 32)
			hi++;
		/* bucket members are far apart in the scan: fetch the times and
		 * set hashes of those a little ahead while this bucket is done */
		for (size_t a = lo + LSH_AHEAD; a < hi + LSH_AHEAD && a + 1 < m; a++) {
			if (arr[a] >> 32 == arr[a + 1] >> 32 || arr[a] >> 32 == arr[a - 1] >> 32) {
				__builtin_prefetch(&s->time[(uint32_t)arr[a]]);
				__builtin_prefetch(&s->sethash[(uint32_t)arr[a]]);
			}
		}
		if (hi - lo > 1 && bucket_pairs(s, arr, lo, hi, out))
			return CHORUS_ENOMEM;
		lo = hi;
	}
	return CHORUS_OK;
}

#define PAIR_PARTS 256 /* ranges of the first post that pairs are sorted in */

/* Sort v[0..m) and drop repeats, in place; returns the count kept. */
static size_t sort_unique(uint64_t *v, uint64_t *tmp, size_t m)
{
	size_t w = 0;

	chorus_radix_u64(v, tmp, m, 0);
	for (size_t k = 0; k < m; k++)
		if (w == 0 || v[k] != v[w - 1])
			v[w++] = v[k];
	return w;
}

/* Every thread's pairs into s->cand, sorted and made unique: the set and
 * its order do not depend on which thread found which pair.  The pairs
 * are first spread over PAIR_PARTS ranges of their first post (each
 * thread writes its own slots of each range), then each range is sorted
 * on its own, in parallel and within the cache, and the ranges are
 * closed up in order. */
static int merge_pairs(struct chorus_scan *s, pair_vec *pv, int nt)
{
	size_t total = 0, at = 0, maxpart = 0, w = 0;
	size_t (*off)[PAIR_PARTS] = chorus_calloc((size_t)nt, sizeof *off);
	size_t start[PAIR_PARTS + 1], kept[PAIR_PARTS];
	uint64_t **tmp = chorus_calloc((size_t)nt, sizeof *tmp);
	unsigned shift = 0;
	int failed = 0;

	for (int t = 0; t < nt; t++)
		total += pv[t].len;
	while (s->n > 0 && ((s->n - 1) >> shift) >= PAIR_PARTS)
		shift++;
	s->cand = chorus_mallocarray(total ? total : 1, sizeof *s->cand);
	if (!off || !tmp || !s->cand) {
		failed = 1;
		goto out;
	}
#pragma omp parallel for num_threads(nt) schedule(static, 1) default(none) shared(pv, off) \
	firstprivate(nt, shift)
	for (int t = 0; t < nt; t++)
		for (size_t k = 0; k < pv[t].len; k++)
			off[t][(pv[t].v[k] >> 32) >> shift]++;
	for (unsigned p = 0; p < PAIR_PARTS; p++) {
		start[p] = at;
		for (int t = 0; t < nt; t++) {
			const size_t c = off[t][p];
			off[t][p] = at;
			at += c;
		}
		maxpart = at - start[p] > maxpart ? at - start[p] : maxpart;
	}
	start[PAIR_PARTS] = at;
	for (int t = 0; t < nt; t++)
		if (!(tmp[t] = chorus_mallocarray(maxpart ? maxpart : 1, sizeof **tmp)))
			failed = 1;
	if (failed)
		goto out;
#pragma omp parallel num_threads(nt) default(none) shared(s, pv, off, start, kept, tmp) \
	firstprivate(nt, shift)
	{
#pragma omp for schedule(static, 1)
		for (int t = 0; t < nt; t++) {
			size_t *o = off[t];
			for (size_t k = 0; k < pv[t].len; k++) {
				const uint64_t x = pv[t].v[k];
				s->cand[o[(x >> 32) >> shift]++] = x;
			}
		}
#pragma omp for schedule(dynamic, 4)
		for (int p = 0; p < PAIR_PARTS; p++)
			kept[p] = sort_unique(s->cand + start[p], tmp[chorus_par_thread_id()],
					      start[p + 1] - start[p]);
	}
	for (unsigned p = 0; p < PAIR_PARTS; p++) {
		memmove(s->cand + w, s->cand + start[p], kept[p] * sizeof *s->cand);
		w += kept[p];
	}
	s->ncand = w;
	s->stats.candidates = w;
out:
	for (int t = 0; t < nt; t++) {
		chorus_free(pv[t].v);
		pv[t].v = NULL;
		if (tmp)
			chorus_free(tmp[t]);
	}
	chorus_free(tmp);
	chorus_free(off);
	return failed ? CHORUS_ENOMEM : CHORUS_OK;
}

int scan_candidates(struct chorus_scan *s, chorus_error *err)
{
	const int nt = chorus_par_threads(s->p.threads);
	const long bands = (long)s->mh.bands;
	pair_vec *pv = chorus_calloc((size_t)nt, sizeof *pv);
	uint64_t **arr = chorus_calloc((size_t)nt * 3, sizeof *arr); /* 2 sort, 1 filter */
	uint32_t *match = chorus_mallocarray(s->n ? s->n : 1, sizeof *match);
	size_t nmatch = 0;
	int failed = 0, rc;

	if (!pv || !arr || !match) {
		failed = 1;
		goto out;
	}
	/* the matched posts, once for every band */
	for (size_t i = 0; i < s->n; i++)
		if (s->status[i] == ST_MATCH)
			match[nmatch++] = (uint32_t)i;
	for (int t = 0; t < 3 * nt; t++) {
		const size_t len = t < 2 * nt ? (s->n ? s->n : 1) : FILTER_WORDS * 2;
		if (!(arr[t] = chorus_mallocarray(len, sizeof **arr)))
			failed = 1;
	}
	if (failed)
		goto out;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) default(none) \
	shared(s, pv, arr, match, failed) firstprivate(bands, nt, nmatch)
	for (long b = 0; b < bands; b++) {
		const int t = chorus_par_thread_id();
		if (band_pairs(s, (unsigned)b, match, nmatch, arr[2 * t], arr[2 * t + 1],
			       arr[2 * nt + t], &pv[t])) {
#pragma omp atomic write
			failed = 1;
		}
	}
out:
	if (arr)
		for (int t = 0; t < 3 * nt; t++)
			chorus_free(arr[t]);
	chorus_free(arr);
	chorus_free(match);
	rc = failed ? CHORUS_ENOMEM : merge_pairs(s, pv, nt);
	if (pv)
		for (int t = 0; t < nt; t++)
			chorus_free(pv[t].v);
	chorus_free(pv);
	return rc;
}

static double pair_similarity(const struct chorus_scan *s, uint32_t a, uint32_t b)
{
	size_t na, nb;
	const uint32_t *sa = scan_shingles(s, a, &na), *sb = scan_shingles(s, b, &nb);

	if (s->sethash[a] == s->sethash[b] && na == nb && memcmp(sa, sb, na * sizeof *sa) == 0)
		return 1.0;
	/* J <= min(na, nb) / max(na, nb): sets too different in size cannot
	 * reach the threshold, and their exact value is never used. */
	if ((double)(na < nb ? na : nb) < s->p.threshold * (double)(na < nb ? nb : na))
		return 0.0;
	/* Nor can sets whose sketches bound what they share below what the
	 * threshold needs (the bound of chorus_jaccard_atleast, with its
	 * margin): most candidates end here, without a merge. */
	{
		const double t = s->p.threshold, need = floor(t * (double)(na + nb) / (1.0 + t)) - 1.0;
		const unsigned ub = minhash_sketch_common(s->sketch + (size_t)a * MINHASH_SKETCH_BYTES,
							  s->sketch + (size_t)b * MINHASH_SKETCH_BYTES);
		if ((double)ub < need)
			return 0.0;
	}
	return chorus_jaccard_atleast(sa, na, sb, nb, s->p.threshold);
}

/* Bring the shingle sets of pair k toward the cache: pairs come sorted by
 * their first post, so it is the second post's set that is far away. */
static inline void prefetch_pair(const struct chorus_scan *s, size_t k)
{
	if (k < s->ncand) {
		size_t nb;
		const uint32_t *sb = scan_shingles(s, (uint32_t)s->cand[k], &nb);
		__builtin_prefetch(s->sketch + (size_t)(uint32_t)s->cand[k] * MINHASH_SKETCH_BYTES);
		__builtin_prefetch(sb);
		__builtin_prefetch(sb + 16);
		__builtin_prefetch(sb + 32);
	}
}

int scan_verify(struct chorus_scan *s, chorus_error *err)
{
	const int nt = chorus_par_threads(s->p.threads);
	const long ncand = (long)s->ncand;
	/* per candidate: its similarity (as an edge keeps it), or -1 when
	 * below the threshold, which is decided on the exact value */
	float *sim = chorus_mallocarray(s->ncand ? s->ncand : 1, sizeof *sim);
	size_t start[CHORUS_PAR_MAX_THREADS + 1];
	int failed = 0;

	(void)nt; /* unused without OpenMP */
	if (!sim)
		return CHORUS_ENOMEM;
#pragma omp parallel num_threads(nt) default(none) shared(s, sim, start, failed) \
	firstprivate(ncand)
	{
#pragma omp for schedule(static, 4096)
		for (long k = 0; k < ncand; k++) {
			prefetch_pair(s, (size_t)k + VERIFY_AHEAD);
			const double j = pair_similarity(s, (uint32_t)(s->cand[k] >> 32),
							 (uint32_t)s->cand[k]);
			sim[k] = j >= s->p.threshold ? (float)j : -1.0f;
		}
		/* the edges, in candidate order: each thread counts the links of
		 * a range of its own, then writes them after those before it */
		const int team = chorus_par_team(), t = chorus_par_thread_id();
		const size_t lo = (size_t)ncand * (size_t)t / (size_t)team;
		const size_t hi = (size_t)ncand * (size_t)(t + 1) / (size_t)team;
		size_t w = 0;
		for (size_t k = lo; k < hi; k++)
			w += sim[k] >= 0.0f;
		start[t + 1] = w;
#pragma omp barrier
#pragma omp single
		{
			start[0] = 0;
			for (int u = 1; u <= team; u++)
				start[u] += start[u - 1];
			s->nedges = start[team];
			s->edges = chorus_mallocarray(s->nedges ? s->nedges : 1, sizeof *s->edges);
			failed = s->edges == NULL;
		}
		w = start[t];
		for (size_t k = lo; k < hi && !failed; k++) {
			if (sim[k] < 0.0f)
				continue;
			s->edges[w].a = (uint32_t)(s->cand[k] >> 32);
			s->edges[w].b = (uint32_t)s->cand[k];
			s->edges[w].sim = sim[k];
			w++;
		}
	}
	chorus_free(sim);
	if (failed) {
		s->nedges = 0;
		return CHORUS_ENOMEM;
	}
	s->stats.verified = s->nedges;
	chorus_free(s->cand);
	s->cand = NULL;
	return CHORUS_OK;
}
