/*
 * chorus/report.h - writing a scan's findings.
 *
 * The JSON document (schema in README.md "The JSON report"):
 *   tool     {name, version}
 *   workspace {path, run}: only for a workspace report (meta->workspace)
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

#include "chorus/buf.h"
#include "chorus/error.h"
#include "chorus/models.h"
#include "chorus/post.h"
#include "chorus/scan.h"

typedef struct chorus_report_meta {
	const char *models_version; /* chorus_models_version() */
	/* for provenance.json (evidence folders only) */
	int argc;                   /* the command line, as given */
	char *const *argv;
	const char *cwd;            /* NULL when unknown */
	int64_t run_time;           /* UTC, ns since the epoch */
	int run_time_fixed;         /* 1: pinned by --fixed-time */
	int redacted;               /* 1: chorus_redact was applied */
	/* a workspace report (chorus scan --workspace): its folder and run,
	 * written as "workspace" so that it is never re-run as a batch scan */
	const char *workspace;      /* NULL for a batch scan */
	int64_t workspace_run;
} chorus_report_meta;

/* Write the JSON document to f.  CHORUS_EIO when a write fails (err says
 * so; the caller names the file), CHORUS_ENOMEM. */
int chorus_report_json(FILE *f, const chorus_scan *s, const chorus_corpus *c,
		       const chorus_scan_params *p, const chorus_report_meta *meta,
		       chorus_error *err);

/* Write every post of c as canonical JSON Lines, evidence fields included
 * (what `chorus import` writes).  CHORUS_EIO or CHORUS_ENOMEM. */
int chorus_write_posts_jsonl(FILE *f, const chorus_corpus *c, chorus_error *err);
/*
 * Write the evidence folder dir (created when missing; files replaced
 * atomically):
 *   clusters.jsonl   one cluster per line, rank order: id, rank, score,
 *                    first_seen, last_seen, burst_accounts, similarity,
 *                    template_post, accounts, posts (ids as strings)
 *   posts.csv        RFC 4180, CRLF: cluster_id, cluster_rank, post_id,
 *                    author, created_at (UTC RFC 3339), created_at_epoch,
 *                    text; cells starting with = + - @ tab CR get a "'"
 *   report.html      the page for readers (html_report.c)
 *   accounts.gexf    the accounts as a graph for Gephi (GEXF 1.3, dynamic)
 *   accounts.graphml the same graph as GraphML (graph_xml.c)
 *   scan.json        the JSON document (chorus_report_json): what
 *                    `chorus report` and `chorus verify --replay` start from
 *   provenance.json  tool and build, command line, folder, run time,
 *                    params, inputs (provenance.c)
 *   MANIFEST.sha256  sha256sum lines for the files above and every input
 *                    read from a file (by its path as given)
 * CHORUS_EIO (err names the file), CHORUS_ENOMEM, CHORUS_EUSAGE (path too
 * long).  Byte-identical for the same inputs and parameters.
 */
int chorus_report_folder(const char *dir, const chorus_scan *s, const chorus_corpus *c,
			 const chorus_report_meta *meta, chorus_error *err);

/* Append provenance.json (layout: provenance.c) for the corpus c, the
 * folder's scan.json text scan_json[0..len) (its params are copied) and
 * meta.  CHORUS_ENOMEM. */
int chorus_report_provenance(chorus_buf *b, const chorus_corpus *c,
			     const chorus_report_meta *meta, const char *scan_json, size_t len);

/* The shareable version (scan --redact): in the texts of every clustered
 * post, each @mention of an account that is in no cluster becomes
 * "@account_N" (N from 1, by first appearance: clusters by rank, posts in
 * time order); the texts are replaced in c, so every writer after this
 * call writes them.  on_map (may be NULL) hears each pseudonym once, with
 * the handle as written.  *pseudonyms gets their number.  CHORUS_ENOMEM. */
typedef struct chorus_redact_opts {
	void (*on_map)(void *ud, size_t num, const char *handle, size_t len);
	void *ud;
} chorus_redact_opts;

int chorus_redact(const chorus_scan *s, chorus_corpus *c, const chorus_models *m,
		  const chorus_redact_opts *o, size_t *pseudonyms);

/* The scan a JSON report records, as `chorus scan` arguments (replay.c):
 * argv[0..argc) are options, then "--", then the inputs from
 * argv[first_input]; sha256[i] is input i's recorded hash. */
typedef struct chorus_replay_plan {
	char **argv;
	size_t argc, cap, first_input;
	char **sha256;
	size_t ninputs;
} chorus_replay_plan;

/* Parse the JSON report text[0..len) (file names it in messages).
 * CHORUS_EINPUT with err saying why it cannot be re-run (not JSON, another
 * version, missing or mistyped fields, standard input...), CHORUS_ENOMEM. */
int chorus_replay_plan_parse(const char *file, const char *text, size_t len,
			     chorus_replay_plan *plan, chorus_error *err);
void chorus_replay_plan_free(chorus_replay_plan *plan);

/* Append report.html (see README "Report folders") for the scan to b.
 * CHORUS_ENOMEM or CHORUS_ELIMIT. */
int chorus_report_html(chorus_buf *b, const chorus_scan *s, const chorus_corpus *c,
		       const chorus_report_meta *meta);

/*
 * Append accounts.gexf / accounts.graphml (see README "Report folders"):
 * one node per account of any cluster, one undirected edge per pair of
 * accounts that share a cluster (weight = clusters shared).  In each
 * cluster only the first 200 accounts to post are linked pairwise, and at
 * most 200,000 (pair, cluster) links are made in all; the files say how
 * many were left out.  Untrusted text is XML-escaped (chorus_escape_xml).
 * CHORUS_ENOMEM or CHORUS_ELIMIT.  Byte-identical for the same scan.
 */
int chorus_report_gexf(chorus_buf *b, const chorus_scan *s);
int chorus_report_graphml(chorus_buf *b, const chorus_scan *s);

#endif
