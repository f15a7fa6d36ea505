/*
 * chorus/eval.h - detection quality of a scan report against ground truth.
 *
 * Truth (JSON Lines, as `chorus synth --truth` writes it): a header line,
 * then {"kind": "campaign", "id", "tier", "posts": [...]} and
 * {"kind": "hard_negative", "type", "id", "posts": [...]} lines.
 * Report: the JSON document of `chorus scan` (only clusters[].posts is read).
 *
 * Measures (post ids compared as strings):
 *   campaign found   some cluster holds more than half of the campaign's
 *                    posts and more than half of its own posts are the
 *                    campaign's
 *   post precision   flagged posts that belong to a campaign / flagged posts
 *   post recall      campaign posts flagged / campaign posts
 *   B-cubed          per-post precision |C(p) & K(p)| / |C(p)| averaged over
 *                    flagged posts, per-post recall |C(p) & K(p)| / |K(p)|
 *                    averaged over campaign posts (an unflagged post is its
 *                    own cluster); F1 their harmonic mean.  A post outside
 *                    every campaign is a class of its own.
 *   false clusters   clusters with no campaign making up more than half
 *   hard negatives   posts of each hard-negative type that were flagged
 * Each campaign figure is also given per tier.
 */
#ifndef CHORUS_EVAL_H
#define CHORUS_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "chorus/error.h"

#define CHORUS_EVAL_MAX_GROUPS 16

typedef struct chorus_eval_group {
	char name[32];        /* tier or hard-negative type */
	uint64_t items;       /* campaigns (tiers) or hard negatives (types) */
	uint64_t found;       /* campaigns found / hard negatives with a flagged post */
	uint64_t posts;       /* their posts */
	uint64_t flagged;     /* their posts that were flagged */
} chorus_eval_group;

typedef struct chorus_eval {
	uint64_t campaigns, found;
	uint64_t campaign_posts, flagged_posts, flagged_campaign_posts;
	uint64_t clusters, false_clusters;
	double campaign_recall, post_precision, post_recall;
	double bcubed_precision, bcubed_recall, bcubed_f1;
	chorus_eval_group tiers[CHORUS_EVAL_MAX_GROUPS];
	size_t ntiers;
	chorus_eval_group negatives[CHORUS_EVAL_MAX_GROUPS];
	size_t nnegatives;
	uint64_t negative_posts, negative_flagged;
} chorus_eval;

/* Evaluate report_path against truth_path.  CHORUS_EIO (cannot read),
 * CHORUS_EINPUT (malformed, err names file and line), CHORUS_ENOMEM. */
int chorus_eval_files(const char *truth_path, const char *report_path, chorus_eval *out,
		      chorus_error *err);

#endif
