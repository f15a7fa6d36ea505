/*
 * order.c - sort the planned posts by time and give them ids.
 *
 * Ids are Twitter snowflakes: milliseconds since the Twitter epoch
 * (2010-11-04T01:42:54.657Z) shifted left 22 bits, then a random 10-bit
 * worker number and a 12-bit sequence counting posts of the same
 * millisecond.  They are 19 digits for any period from 2010 to about 2080,
 * above 2^53 like real ones, unique (the sequence differs within a
 * millisecond), and they grow with time: sorting by id is sorting by
 * created_at then id.  A period starting before the Twitter epoch uses its
 * own start as the epoch.
 *
 * Sort key: (ms since start) << 25 | post index, one 64-bit integer (the
 * period is under 2^39 ms and posts under 2^25).  Cost O(n log n).
 */
#include <stdlib.h>

#include "chorus/alloc.h"
#include "synth_int.h"

#define TWITTER_EPOCH_MS INT64_C(1288834974657)
#define INDEX_BITS 25

_Static_assert(CHORUS_SYNTH_MAX_POSTS < (UINT64_C(1) << INDEX_BITS), "index fits the key");
_Static_assert((int64_t)CHORUS_SYNTH_MAX_DAYS * 86400000 < (INT64_C(1) << (64 - INDEX_BITS)),
	       "time fits the key");

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Sort the ids of one millisecond (a handful of posts at most). */
static void sort_run(synth_plan *p, size_t lo, size_t hi)
{
	for (size_t i = lo + 1; i < hi; i++) {
		uint32_t x = p->order[i];
		size_t j = i;
		while (j > lo && p->post[p->order[j - 1]].id > p->post[x].id) {
			p->order[j] = p->order[j - 1];
			j--;
		}
		p->order[j] = x;
	}
}

static int assign_ids(synth_plan *p, chorus_error *err)
{
	synth_rng r = synth_rng_make(p->o.seed, STREAM_IDS, 0);
	int64_t epoch = p->start_ms >= TWITTER_EPOCH_MS ? TWITTER_EPOCH_MS : p->start_ms;
	size_t run = 0;

	for (size_t i = 0; i < p->npost; i++) {
		synth_post *q = &p->post[p->order[i]];
		if (i && q->t_ms != p->post[p->order[i - 1]].t_ms) {
			sort_run(p, run, i);
			run = i;
		}
		if (i - run >= 4096) {
			chorus_error_set(err, "", 0, "synth: more than 4096 posts in one millisecond");
			return CHORUS_EUSAGE;
		}
		q->id = (uint64_t)(q->t_ms - epoch) << 22 | synth_below(&r, 1024) << 12 | (i - run);
	}
	sort_run(p, run, p->npost);
	return CHORUS_OK;
}

int synth_order(synth_plan *p, chorus_error *err)
{
	uint64_t *key = chorus_mallocarray(p->npost ? p->npost : 1, sizeof *key);
	int rc;

	p->order = chorus_mallocarray(p->npost ? p->npost : 1, sizeof *p->order);
	if (!key || !p->order) {
		chorus_free(key);
		chorus_error_set(err, "", 0, "synth: out of memory sorting posts");
		return CHORUS_ENOMEM;
	}
	for (size_t i = 0; i < p->npost; i++)
		key[i] = (uint64_t)(p->post[i].t_ms - p->start_ms) << INDEX_BITS | i;
	qsort(key, p->npost, sizeof *key, cmp_u64);
	for (size_t i = 0; i < p->npost; i++)
		p->order[i] = (uint32_t)(key[i] & ((UINT64_C(1) << INDEX_BITS) - 1));
	chorus_free(key);
	rc = assign_ids(p, err);
	return rc;
}
