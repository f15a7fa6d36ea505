/*
 * chorus/report.h - writing a scan's findings.
 *
 * The JSON document (schema in README.md "The JSON report"):
 *   tool     {name, version}
 *   params   every parameter used, the seed, the MinHash family, the
 *            normalisation steps and the models version
 *   inputs   [{path, sha256, bytes, records, skipped, reposts}]
 *   counts   posts, reposts and short posts left out, matched, candidate and
 *            verified pairs, linked posts, groups, clusters
 *   clusters [{id, rank, score, posts, accounts, first_seen, last_seen,
 *             span_seconds, burst_accounts, similarity {min, median, max,
 *             pairs}, template, template_post}]
 * Nothing in it depends on timing or thread count: it is byte-identical
 * for the same inputs and parameters.
 */
#ifndef CHORUS_REPORT_H
#define CHORUS_REPORT_H

#include <stdio.h>

#include "chorus/error.h"
#include "chorus/post.h"
#include "chorus/scan.h"

typedef struct chorus_report_meta {
	const char *models_version; /* chorus_models_version() */
} chorus_report_meta;

/* Write the JSON document to f.  CHORUS_EIO when a write fails (err says
 * so; the caller names the file), CHORUS_ENOMEM. */
int chorus_report_json(FILE *f, const chorus_scan *s, const chorus_corpus *c,
		       const chorus_scan_params *p, const chorus_report_meta *meta,
		       chorus_error *err);

/* Write every post of c as canonical JSON Lines, evidence fields included
 * (what `chorus import` writes).  CHORUS_EIO or CHORUS_ENOMEM. */
int chorus_write_posts_jsonl(FILE *f, const chorus_corpus *c, chorus_error *err);

#endif
