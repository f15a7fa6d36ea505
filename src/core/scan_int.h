/*
 * scan_int.h - the scan's internal state, shared by the stage files
 * (scan.c driver, scan_sign.c, scan_lsh.c, scan_cluster.c).
 *
 * Posts are addressed by their scan index: position in time order.  Every
 * per-post array below has n entries indexed that way.
 */
#ifndef CHORUS_SCAN_INT_H
#define CHORUS_SCAN_INT_H

#include "chorus/minhash.h"
#include "chorus/scan.h"
#include "minhash_int.h"

/* The public chorus_sig_status under short names. */
enum post_status {
	ST_MATCH = CHORUS_SIG_MATCH,   /* signed and matched */
	ST_REPOST = CHORUS_SIG_REPOST, /* native repost, left out */
	ST_SHORT = CHORUS_SIG_SHORT,   /* below min_content, left out */
	ST_EMPTY = CHORUS_SIG_EMPTY    /* no shingle at all (e.g. only punctuation) */
};

/* Shingle sets of one block of consecutive posts. */
typedef struct shingle_block {
	uint32_t *data;
	size_t len;
} shingle_block;

#define SCAN_BLOCK 2048 /* posts per signing block */

/* A verified link: posts a < b (scan indices), similarity. */
typedef chorus_link scan_edge;

struct chorus_scan {
	const chorus_corpus *corpus;
	const chorus_models *models;
	chorus_scan_params p;
	chorus_minhash mh;
	size_t n;
	const chorus_post **post;  /* n, time order */
	int64_t *time;             /* n, created_at */
	uint32_t *author;          /* n, interned author number */
	size_t nauthors;
	uint8_t *status;           /* n, enum post_status */
	uint64_t *sh_off;          /* n, first shingle within the post's block */
	uint32_t *sh_len;          /* n, number of shingles */
	shingle_block *blocks;     /* (n + SCAN_BLOCK - 1) / SCAN_BLOCK */
	uint64_t *sethash;         /* n, hash of the shingle set */
	uint8_t *sketch;           /* n * MINHASH_SKETCH_BYTES, of the shingle set */
	uint32_t *keys;            /* bands * n, band-major */
	const uint8_t *owner;      /* n or NULL: only pairs whose later post is
				      marked are made (chorus_matcher) */
	uint64_t *cand;            /* candidate pairs (a << 32 | b), sorted */
	size_t ncand;
	scan_edge *edges;          /* verified, in candidate order */
	size_t nedges;
	chorus_cluster *clusters;
	size_t nclusters;
	uint32_t *cluster_mem;     /* storage for cluster posts and accounts */
	chorus_scan_stats stats;
};

static inline const uint32_t *scan_shingles(const struct chorus_scan *s, uint32_t i,
					    size_t *len)
{
	*len = s->sh_len[i];
	return s->blocks[i / SCAN_BLOCK].data + s->sh_off[i];
}

typedef int (*scan_stage_fn)(struct chorus_scan *s, chorus_error *err);

/* Run one stage with the progress hook and timing (stage < 0: untimed). */
int scan_run_stage(struct chorus_scan *s, int stage, const char *name, scan_stage_fn fn,
		   chorus_error *err);
/* Allocate the per-post arrays the sign stage fills (n posts). */
int scan_sign_alloc(struct chorus_scan *s);
int scan_order(struct chorus_scan *s, chorus_error *err);
int scan_sign(struct chorus_scan *s, chorus_error *err);
int scan_candidates(struct chorus_scan *s, chorus_error *err);
int scan_verify(struct chorus_scan *s, chorus_error *err);
int scan_cluster(struct chorus_scan *s, chorus_error *err);
/* Sort s->clusters by score (ties: more posts, earlier first_seen, id). */
void scan_sort_clusters(struct chorus_scan *s);

#endif
