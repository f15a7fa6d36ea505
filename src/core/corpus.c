/*
 * corpus.c - the corpus: posts in input order, per-input statistics and one
 * arena holding every string.
 *
 * Invariants: posts[0, n) are initialised, n <= cap <= CHORUS_CORPUS_MAX_POSTS;
 * inputs[0, ninputs) likewise under CHORUS_CORPUS_MAX_INPUTS; every string a
 * post or input points to lives in the arena.  Arrays grow by doubling, so
 * appending n posts costs O(n) amortised.  Reading code lives elsewhere
 * (jsonl.c); this file only stores.
 */
#include <assert.h>
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/hash.h"
#include "corpus_int.h"
#include "par_int.h"

struct chorus_corpus {
	chorus_post *posts;
	size_t n, cap;
	chorus_input_stats *inputs;
	size_t ninputs, inputs_cap;
	chorus_arena arena;
};

chorus_corpus *chorus_corpus_new(void)
{
	chorus_corpus *c = chorus_calloc(1, sizeof *c);

	if (c)
		chorus_arena_init(&c->arena);
	return c;
}

void chorus_corpus_free(chorus_corpus *c)
{
	if (!c)
		return;
	chorus_free(c->posts);
	chorus_free(c->inputs);
	chorus_arena_dispose(&c->arena);
	chorus_free(c);
}

/* The doubled capacity that holds need elements, at most max; 0 when need
 * itself is past max. */
static size_t grown(size_t cap, size_t need, size_t max, size_t first)
{
	size_t next = cap ? cap : first;

	if (need > max)
		return 0;
	while (next < need)
		next = next > max / 2 ? max : next * 2;
	return next < max ? next : max;
}

int chorus_corpus_reserve(chorus_corpus *c, size_t n, chorus_error *err)
{
	size_t cap;
	chorus_post *p;

	if (n > CHORUS_CORPUS_MAX_POSTS - c->n) {
		chorus_error_set(err, "", 0, "too many posts (limit %zu)",
				 (size_t)CHORUS_CORPUS_MAX_POSTS);
		return CHORUS_ELIMIT;
	}
	if (c->n + n <= c->cap)
		return 0;
	cap = grown(c->cap, c->n + n, CHORUS_CORPUS_MAX_POSTS, 1024);
	p = chorus_reallocarray(c->posts, cap, sizeof *p);
	if (!p)
		return CHORUS_ENOMEM;
	c->posts = p;
	c->cap = cap;
	return 0;
}

void chorus_corpus_push(chorus_corpus *c, const chorus_post *p)
{
	assert(c->n < c->cap);
	c->posts[c->n++] = *p;
}

static int reserve_input(chorus_corpus *c, chorus_error *err)
{
	size_t cap;
	chorus_input_stats *p;

	if (c->ninputs >= CHORUS_CORPUS_MAX_INPUTS) {
		chorus_error_set(err, "", 0, "too many inputs (limit %zu)",
				 (size_t)CHORUS_CORPUS_MAX_INPUTS);
		return CHORUS_ELIMIT;
	}
	if (c->ninputs < c->inputs_cap)
		return 0;
	cap = grown(c->inputs_cap, c->ninputs + 1, CHORUS_CORPUS_MAX_INPUTS, 4);
	p = chorus_reallocarray(c->inputs, cap, sizeof *p);
	if (!p)
		return CHORUS_ENOMEM;
	c->inputs = p;
	c->inputs_cap = cap;
	return 0;
}

int chorus_corpus_add_input(chorus_corpus *c, const char *path, uint32_t *index,
			    chorus_error *err)
{
	chorus_input_stats *st;
	char *copy;
	int rc = reserve_input(c, err);

	if (rc != 0)
		return rc;
	copy = chorus_arena_strndup(&c->arena, path, strlen(path));
	if (!copy)
		return CHORUS_ENOMEM;
	st = &c->inputs[c->ninputs];
	memset(st, 0, sizeof *st);
	st->path = copy;
	*index = (uint32_t)c->ninputs++;
	return 0;
}

chorus_input_stats *chorus_corpus_input_stats(chorus_corpus *c, uint32_t index)
{
	assert(index < c->ninputs);
	return &c->inputs[index];
}

void chorus_corpus_rollback(chorus_corpus *c, size_t nposts, size_t ninputs)
{
	assert(nposts <= c->n && ninputs <= c->ninputs);
	c->n = nposts;
	c->ninputs = ninputs;
}

chorus_arena *chorus_corpus_arena(chorus_corpus *c)
{
	return &c->arena;
}

size_t chorus_corpus_count(const chorus_corpus *c)
{
	return c->n;
}

const chorus_post *chorus_corpus_posts(const chorus_corpus *c)
{
	return c->posts;
}

size_t chorus_corpus_input_count(const chorus_corpus *c)
{
	return c->ninputs;
}

const chorus_input_stats *chorus_corpus_input(const chorus_corpus *c, size_t i)
{
	return i < c->ninputs ? &c->inputs[i] : NULL;
}

/* ---- duplicates ---- */

static uint64_t post_key(const chorus_post *p)
{
	const chorus_str *pl = p->extra ? &p->extra->platform : NULL;
	uint64_t h = chorus_hash64(p->id.p, p->id.len, 0x6964);

	if (pl && pl->p)
		h ^= chorus_mix64(chorus_hash64(pl->p, pl->len, 0x706c));
	return h;
}

static int same_post(const chorus_post *a, const chorus_post *b)
{
	const chorus_str *pa = a->extra ? &a->extra->platform : NULL;
	const chorus_str *pb = b->extra ? &b->extra->platform : NULL;
	const int ha = pa && pa->p, hb = pb && pb->p;

	if (a->id.len != b->id.len || memcmp(a->id.p, b->id.p, a->id.len) != 0 || ha != hb)
		return 0;
	return !ha || (pa->len == pb->len && memcmp(pa->p, pb->p, pa->len) == 0);
}

#define DEDUP_AHEAD 16 /* posts whose slots are fetched ahead */

/* Mark in dup[] every post of one part of the keys (those whose key says
 * part) whose (platform, id) an earlier post of the corpus has, walking
 * the posts in order through an open-addressing table of (upper 32 bits of
 * the key << 32 | post index + 1), 0 = empty, at most half full, the slots
 * of later posts prefetched.  Two posts are compared only when the upper
 * halves of their keys agree, so a probe rarely leaves the table. */
static int dedup_part(const chorus_corpus *c, const uint64_t *key, uint8_t *dup, int part,
		      int nparts)
{
	uint32_t *own;
	size_t mine, mask;
	uint64_t *const slot =
		chorus_par_split(key, c->n, part, nparts, sizeof *slot, &own, &mine, &mask);

	if (!slot)
		return CHORUS_ENOMEM;
	for (size_t k = 0; k < mine; k++) {
		const uint32_t i = own[k];
		const uint64_t tag = key[i] >> 32 << 32;
		size_t h = (size_t)key[i] & mask;
		if (k + DEDUP_AHEAD < mine)
			__builtin_prefetch(&slot[key[own[k + DEDUP_AHEAD]] & mask]);
		dup[i] = 0;
		for (; slot[h]; h = (h + 1) & mask) {
			if ((slot[h] & ~(uint64_t)UINT32_MAX) == tag &&
			    same_post(&c->posts[(uint32_t)slot[h] - 1], &c->posts[i])) {
				dup[i] = 1;
				break;
			}
		}
		if (!dup[i])
			slot[h] = tag | (i + 1);
	}
	chorus_free(own);
	chorus_free(slot);
	return CHORUS_OK;
}

/* Keys of every post are made first (a hash of the id and platform each),
 * then the keys are split among the threads by their upper bits, and each
 * marks the repeats among its own (dedup_part); equal keys always fall in
 * one part, and each part is walked in corpus order, so which copy is kept
 * depends on the order alone, never on the split.  A last pass in order
 * drops the marked posts. */
long chorus_corpus_dedup(chorus_corpus *c, int threads)
{
	const long n = (long)c->n;
	const int nt = chorus_par_threads(threads);
	uint64_t *key = chorus_mallocarray(c->n ? c->n : 1, sizeof *key);
	uint8_t *dup = chorus_mallocarray(c->n ? c->n : 1, 1);
	long dropped = 0;
	size_t w = 0;
	int failed = 0;

	if (!key || !dup) {
		chorus_free(key);
		chorus_free(dup);
		return -1;
	}
#pragma omp parallel num_threads(nt) default(none) shared(c, key, dup, failed) firstprivate(n, nt)
	{
#pragma omp for schedule(static)
		for (long i = 0; i < n; i++) {
			/* the id, extra fields and platform lie apart: fetched ahead */
			if (i + 2 * DEDUP_AHEAD < n) {
				__builtin_prefetch(c->posts[i + 2 * DEDUP_AHEAD].id.p);
				__builtin_prefetch(c->posts[i + 2 * DEDUP_AHEAD].extra);
			}
			if (i + DEDUP_AHEAD < n && c->posts[i + DEDUP_AHEAD].extra)
				__builtin_prefetch(c->posts[i + DEDUP_AHEAD].extra->platform.p);
			key[i] = post_key(&c->posts[i]);
		}
#pragma omp for schedule(static, 1)
		for (int part = 0; part < nt; part++) {
			if (dedup_part(c, key, dup, part, nt) != CHORUS_OK) {
#pragma omp atomic write
				failed = 1;
			}
		}
	}
	for (size_t i = 0; !failed && i < c->n; i++) {
		if (dup[i]) {
			c->inputs[c->posts[i].input].duplicates++;
			c->inputs[c->posts[i].input].records--;
			if (c->posts[i].flags & CHORUS_POST_REPOST)
				c->inputs[c->posts[i].input].reposts--;
			dropped++;
			continue;
		}
		if (w != i)
			c->posts[w] = c->posts[i];
		w++;
	}
	if (!failed)
		c->n = w;
	chorus_free(key);
	chorus_free(dup);
	return failed ? -1 : dropped;
}

size_t chorus_corpus_keep_range(chorus_corpus *c, size_t from, int64_t since, int64_t until)
{
	size_t w = from;

	for (size_t i = from; i < c->n; i++) {
		const chorus_post *p = &c->posts[i];
		if ((since && p->created_at < since) || (until && p->created_at >= until)) {
			chorus_input_stats *in = &c->inputs[p->input];
			in->outside++;
			in->records--;
			if (p->flags & CHORUS_POST_REPOST)
				in->reposts--;
			continue;
		}
		c->posts[w++] = *p;
	}
	{
		const size_t dropped = c->n - w;
		c->n = w;
		return dropped;
	}
}

int chorus_corpus_replace_text(chorus_corpus *c, size_t i, const char *text, size_t len)
{
	char *p;

	if (i >= c->n || len > UINT32_MAX)
		return CHORUS_EUSAGE;
	if (!(p = chorus_arena_strndup(&c->arena, text, len)))
		return CHORUS_ENOMEM;
	c->posts[i].text.p = p;
	c->posts[i].text.len = (uint32_t)len;
	return CHORUS_OK;
}

/* ---- building a corpus from posts kept elsewhere ---- */

int chorus_corpus_append_input(chorus_corpus *c, const chorus_input_stats *st, uint32_t *index,
			       chorus_error *err)
{
	const int f = st->format ? chorus_format_from_name(st->format) : CHORUS_FORMAT_JSONL;
	const char *format = f >= 0 ? chorus_format_name(f) : NULL;
	uint32_t k;
	int rc = chorus_corpus_add_input(c, st->path, &k, err);
	const char *path;

	if (rc)
		return rc;
	if (!format && !(format = chorus_arena_strndup(&c->arena, st->format, strlen(st->format)))) {
		c->ninputs--;
		return CHORUS_ENOMEM;
	}
	path = c->inputs[k].path;
	c->inputs[k] = *st;
	c->inputs[k].path = path;
	c->inputs[k].format = format;
	*index = k;
	return CHORUS_OK;
}

/* Copy s into the arena (absent stays absent). */
static int copy_str(chorus_arena *a, chorus_str *s)
{
	char *p;

	if (!s->p)
		return CHORUS_OK;
	if (!(p = chorus_arena_strndup(a, s->p, s->len)))
		return CHORUS_ENOMEM;
	s->p = p;
	return CHORUS_OK;
}

static int copy_extra(chorus_arena *a, chorus_post *p)
{
	chorus_post_extra *x = chorus_arena_alloc(a, sizeof *x);
	chorus_str *const s[] = { &x->platform, &x->url, &x->lang, &x->repost_of, &x->reply_to,
				  &x->author_handle, &x->source, &x->source_line, &x->raw_sha256 };

	if (!x)
		return CHORUS_ENOMEM;
	*x = *p->extra;
	for (size_t k = 0; k < sizeof s / sizeof s[0]; k++)
		if (copy_str(a, s[k]))
			return CHORUS_ENOMEM;
	p->extra = x;
	return CHORUS_OK;
}

int chorus_corpus_append(chorus_corpus *c, const chorus_post *p, chorus_error *err)
{
	chorus_post q = *p;
	int rc;

	assert(p->input < c->ninputs);
	if ((rc = chorus_corpus_reserve(c, 1, err)) != CHORUS_OK)
		return rc;
	if (copy_str(&c->arena, &q.id) || copy_str(&c->arena, &q.author) ||
	    copy_str(&c->arena, &q.text) || (q.extra && copy_extra(&c->arena, &q)))
		return CHORUS_ENOMEM;
	q.flags = (q.extra && q.extra->repost_of.p) ? CHORUS_POST_REPOST : 0;
	chorus_corpus_push(c, &q);
	return CHORUS_OK;
}
