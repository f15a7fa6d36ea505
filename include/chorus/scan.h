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

/*
 * ---- The scan in parts ----
 *
 * For callers that keep signatures and links between runs (the workspace,
 * chorus/workspace.h): sign posts once, find the verified pairs that a set
 * of new posts makes with posts signed earlier, and cluster from stored
 * links.  Each part is the batch scan's own code, so a caller that feeds
 * them what chorus_scan_run would have computed gets the same result.
 */

/* What signing says about a post (the batch scan's reasons to leave a post
 * out of matching). */
enum chorus_sig_status {
	CHORUS_SIG_MATCH = 0,  /* signed and matched */
	CHORUS_SIG_REPOST,     /* native repost, left out */
	CHORUS_SIG_SHORT,      /* below min_content, left out */
	CHORUS_SIG_EMPTY       /* no shingle at all, left out */
};

/* One post's signature.  For status CHORUS_SIG_MATCH: the sorted distinct
 * shingle hashes (nshingles >= 1), their hash sethash (equal for identical
 * sets), and bands LSH band keys; otherwise only status is meaningful. */
typedef struct chorus_sig {
	int status;               /* enum chorus_sig_status */
	uint64_t sethash;
	const uint32_t *shingles;
	uint32_t nshingles;
	const uint32_t *keys;     /* p->bands values */
} chorus_sig;

/* A verified link between posts a < b (in the order the caller gave them)
 * with their exact Jaccard similarity. */
typedef struct chorus_link {
	uint32_t a, b;
	float sim;
} chorus_link;

/*
 * Sign posts[0..n) (the sign stage alone, in parallel; p->threads).  The
 * posts must outlive the result; read it with chorus_scan_get_sig (index i
 * = posts[i]), free it with chorus_scan_free.  Returns CHORUS_OK,
 * CHORUS_EUSAGE (bad params), CHORUS_ELIMIT (n >= 2^32 - 1) or
 * CHORUS_ENOMEM; *out is set only on success.
 */
int chorus_scan_sign(const chorus_post *const *posts, size_t n, const chorus_models *models,
		     const chorus_scan_params *p, chorus_scan **out, chorus_error *err);

/* Post i's signature in any scan (i < posts).  keys has room for p->bands
 * values and receives the band keys; sig points into s and keys, valid
 * while both are. */
void chorus_scan_get_sig(const chorus_scan *s, uint32_t i, chorus_sig *sig, uint32_t *keys);

/*
 * A matcher finds the verified pairs among posts given in scan order (time
 * non-decreasing; posts with equal times in the order they were first
 * read), keeping only pairs whose later post is an "owner": the candidates
 * and verification of chorus_scan_run, restricted.  A post's candidates
 * depend only on the posts before it within one window, so pairs owned by
 * a post are those chorus_scan_run would make whenever every post up to
 * one window before it is given.  Signatures are copied.
 *
 * chorus_matcher_new: room for cap posts.  CHORUS_EUSAGE, CHORUS_ENOMEM.
 * chorus_matcher_add: the next post; CHORUS_ELIMIT past cap, CHORUS_ENOMEM.
 *   A time before the previous one is a programming error (assert).
 * chorus_matcher_run: *links gets the verified pairs (indices in add
 *   order, a < b, sorted by (a, b); free with chorus_free), *nlinks their
 *   number, *ncand the distinct candidate pairs.  Runs once; CHORUS_ENOMEM.
 * Not thread-safe for one matcher; uses p->threads threads.
 */
typedef struct chorus_matcher chorus_matcher;

int chorus_matcher_new(const chorus_scan_params *p, size_t cap, chorus_matcher **out,
		       chorus_error *err);
int chorus_matcher_add(chorus_matcher *m, int64_t time, const chorus_sig *sig, int owner);
int chorus_matcher_run(chorus_matcher *m, chorus_link **links, size_t *nlinks, uint64_t *ncand,
		       chorus_error *err);
void chorus_matcher_free(chorus_matcher *m); /* NULL-safe */

/*
 * Cluster the posts of corpus from given links (a, b: corpus indices, each
 * pair once) instead of finding them: the order, sign and cluster stages
 * of chorus_scan_run, so with the links chorus_scan_run would verify the
 * clusters are the same, every figure included.  Posts are signed again
 * for the medoid; a link to a post that no longer signs as matched (other
 * models or parameters than when it was verified) is CHORUS_EINPUT.  The
 * stats count candidate and verified pairs as nlinks.  Returns CHORUS_OK,
 * CHORUS_EUSAGE, CHORUS_EINPUT, CHORUS_ELIMIT or CHORUS_ENOMEM.
 */
int chorus_scan_from_links(const chorus_corpus *corpus, const chorus_models *models,
			   const chorus_scan_params *p, const chorus_link *links, size_t nlinks,
			   chorus_scan **out, chorus_error *err);

/* Give the clusters new ids (ids[i] for cluster i in the current order:
 * 16 characters and a NUL) and sort them again by score (ties: more posts,
 * earlier first_seen, smaller id). */
void chorus_scan_set_cluster_ids(chorus_scan *s, const char (*ids)[17]);

#endif
