/*
 * chorus/scan.h - the detection pipeline and its result.
 *
 *   posts (time order) -> normalise -> shingle -> MinHash -> LSH band keys
 *   -> candidate pairs (same band key, times within the window)
 *   -> verified pairs (exact Jaccard of shingle sets >= threshold)
 *   -> connected components -> clusters (>= min_accounts distinct authors
 *   within one window) -> scoring and ordering.
 *
 * Determinism: every parallel stage writes into slots indexed by post or by
 * pair and is merged in a fixed order, so the result is identical whatever
 * the thread count.  See README.md "How chorus decides" for the rules.
 */
#ifndef CHORUS_SCAN_H
#define CHORUS_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "chorus/error.h"
#include "chorus/models.h"
#include "chorus/post.h"

typedef struct chorus_scan_params {
	int64_t window;          /* ns: linked posts are at most this far apart */
	double threshold;        /* minimum exact Jaccard of linked posts */
	unsigned min_accounts;   /* distinct authors a cluster needs */
	int shingle_kind;        /* enum chorus_shingle_kind */
	unsigned shingle_k;
	unsigned perms, bands;   /* MinHash size and LSH bands (bands | perms) */
	unsigned min_content;    /* posts with fewer WORD+EMOJI tokens are short */
	unsigned max_neighbours; /* bucket predecessors compared per post */
	int include_reposts;     /* 1: native reposts are matched like posts */
	uint64_t seed;           /* shingle and MinHash seed */
	unsigned norm_flags;     /* enum chorus_norm_flag */
	int threads;             /* 0 = OpenMP default; never changes output */
	/* Optional progress hook: called from the calling thread when a stage
	 * starts (done == 0) and ends (done == 1). */
	void (*on_stage)(void *ud, const char *stage, int done);
	void *ud;
} chorus_scan_params;

/* Defaults (chosen by measurement; see README "How the defaults were
 * chosen"). */
void chorus_scan_params_init(chorus_scan_params *p);
/* CHORUS_EUSAGE with err->text naming the bad parameter. */
int chorus_scan_params_check(const chorus_scan_params *p, chorus_error *err);

typedef struct chorus_cluster {
	char id[17];              /* 16 hex digits, from the member post ids */
	const uint32_t *posts;    /* scan post indices, time order */
	size_t nposts;
	const uint32_t *accounts; /* scan post index of each author's first post */
	size_t naccounts;
	size_t burst_accounts;    /* most distinct authors within one window */
	int64_t first_seen, last_seen;
	double sim_min, sim_median, sim_max;
	size_t pairs;             /* verified pairs inside the cluster */
	uint32_t template_post;   /* scan post index of the medoid */
	double score;
} chorus_cluster;

/* Counts of one run; stage_ns are wall-clock times (never written to the
 * JSON report, which must not depend on timing). */
enum chorus_stage {
	CHORUS_STAGE_NORMALISE, CHORUS_STAGE_SIGN, CHORUS_STAGE_LSH,
	CHORUS_STAGE_VERIFY, CHORUS_STAGE_CLUSTER, CHORUS_STAGE_COUNT
};

typedef struct chorus_scan_stats {
	uint64_t posts;           /* posts in the corpus */
	uint64_t reposts;         /* native reposts left out */
	uint64_t short_posts;     /* below min_content, left out */
	uint64_t matched;         /* posts signed and matched */
	uint64_t candidates;      /* distinct candidate pairs */
	uint64_t verified;        /* candidates at or above the threshold */
	uint64_t linked_posts;    /* posts with at least one verified link */
	uint64_t groups;          /* connected groups of 2+ posts */
	uint64_t slow_groups;     /* enough accounts, but never min_accounts
				     within one window: left out */
	uint64_t clusters;        /* groups with min_accounts within a window */
	int64_t stage_ns[CHORUS_STAGE_COUNT];
} chorus_scan_stats;

typedef struct chorus_scan chorus_scan;

/*
 * Run the pipeline over every post of corpus.  The corpus and models must
 * outlive the result (it points into them).  Returns CHORUS_OK,
 * CHORUS_EUSAGE (bad params) or CHORUS_ENOMEM; *out is set only on success.
 */
int chorus_scan_run(const chorus_corpus *corpus, const chorus_models *models,
		    const chorus_scan_params *p, chorus_scan **out, chorus_error *err);
void chorus_scan_free(chorus_scan *s);

const chorus_scan_stats *chorus_scan_get_stats(const chorus_scan *s);
/* The parameters the scan ran with (hooks included). */
const chorus_scan_params *chorus_scan_get_params(const chorus_scan *s);
size_t chorus_scan_cluster_count(const chorus_scan *s);
/* Clusters ordered by score, best first (ties: more posts, earlier
 * first_seen, smaller id). */
const chorus_cluster *chorus_scan_get_cluster(const chorus_scan *s, size_t i);
/* The scan's view of posts: corpus posts in time order (ties: input order). */
const chorus_post *chorus_scan_get_post(const chorus_scan *s, uint32_t i);

#endif
