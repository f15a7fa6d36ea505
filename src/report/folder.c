/*
 * folder.c - the evidence folder: clusters.jsonl, posts.csv, accounts.gexf,
 * accounts.graphml, report.html, scan.json, provenance.json and
 * MANIFEST.sha256 (layout: chorus/report.h and README "Report folders").
 *
 * Each file is built in a capped buffer, hashed, written as
 * "NAME.tmp.PID" and renamed into place, so a reader never sees a half
 * file.  Clusters and posts follow the scan's fixed order (rank, then post
 * time), so the folder is byte-identical for the same inputs and
 * parameters.  Cost: one pass over the flagged posts per file; the account
 * graph files sort them (graph_int.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chorus/buf.h"
#include "chorus/escape.h"
#include "chorus/report.h"
#include "chorus/sha256.h"
#include "chorus/timeutil.h"

#define FILE_CAP ((size_t)1 << 32) /* 4 GiB per file */
#define PATH_CAP 4096
/* Fill err and yield code (chorus_error_set returns nothing). */
#define FAIL(err, code, ...) (chorus_error_set((err), __VA_ARGS__), (code))

typedef struct manifest {
	chorus_buf b; /* "HASH  NAME\n" lines */
} manifest;

static int put_time(chorus_buf *b, int64_t ns)
{
	char t[CHORUS_TIME_STRLEN];

	chorus_time_format(ns, t);
	return chorus_buf_printf(b, "\"%s\"", t);
}

static int64_t epoch_seconds(int64_t ns)
{
	int64_t q = ns / CHORUS_NS_PER_SEC;

	return (ns % CHORUS_NS_PER_SEC < 0) ? q - 1 : q;
}

static int put_str_json(chorus_buf *b, chorus_str s)
{
	return chorus_escape_json(b, s.p ? s.p : "", s.p ? s.len : 0);
}

static int cluster_line(chorus_buf *b, const chorus_scan *s, const chorus_cluster *cl,
			size_t rank)
{
	int rc = chorus_buf_printf(b, "{\"id\":\"%s\",\"rank\":%zu,\"score\":%.6f,"
				   "\"first_seen\":", cl->id, rank, cl->score);
	rc = rc ? rc : put_time(b, cl->first_seen);
	rc = rc ? rc : chorus_buf_puts(b, ",\"last_seen\":");
	rc = rc ? rc : put_time(b, cl->last_seen);
	rc = rc ? rc : chorus_buf_printf(b, ",\"burst_accounts\":%zu,\"similarity\":"
					 "{\"min\":%.6f,\"median\":%.6f,\"max\":%.6f,"
					 "\"pairs\":%zu},\"template_post\":",
					 cl->burst_accounts, cl->sim_min, cl->sim_median,
					 cl->sim_max, cl->pairs);
	rc = rc ? rc : put_str_json(b, chorus_scan_get_post(s, cl->template_post)->id);
	rc = rc ? rc : chorus_buf_puts(b, ",\"accounts\":[");
	for (size_t i = 0; rc == 0 && i < cl->naccounts; i++) {
		rc = i ? chorus_buf_putc(b, ',') : 0;
		rc = rc ? rc : put_str_json(b, chorus_scan_get_post(s, cl->accounts[i])->author);
	}
	rc = rc ? rc : chorus_buf_puts(b, "],\"posts\":[");
	for (size_t i = 0; rc == 0 && i < cl->nposts; i++) {
		rc = i ? chorus_buf_putc(b, ',') : 0;
		rc = rc ? rc : put_str_json(b, chorus_scan_get_post(s, cl->posts[i])->id);
	}
	return rc ? rc : chorus_buf_puts(b, "]}\n");
}

static int build_clusters(chorus_buf *b, const chorus_scan *s)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < chorus_scan_cluster_count(s); i++)
		rc = cluster_line(b, s, chorus_scan_get_cluster(s, i), i + 1);
	return rc;
}

static int csv_str(chorus_buf *b, chorus_str s)
{
	return chorus_escape_csv(b, s.p ? s.p : "", s.p ? s.len : 0);
}

static int post_row(chorus_buf *b, const chorus_cluster *cl, size_t rank,
		    const chorus_post *p)
{
	char t[CHORUS_TIME_STRLEN];
	int rc = chorus_buf_printf(b, "\"%s\",%zu,", cl->id, rank);

	chorus_time_format(p->created_at, t);
	rc = rc ? rc : csv_str(b, p->id);
	rc = rc ? rc : chorus_buf_putc(b, ',');
	rc = rc ? rc : csv_str(b, p->author);
	rc = rc ? rc : chorus_buf_printf(b, ",\"%s\",%" PRId64 ",", t,
					 epoch_seconds(p->created_at));
	rc = rc ? rc : csv_str(b, p->text);
	return rc ? rc : chorus_buf_puts(b, "\r\n");
}

static int build_posts(chorus_buf *b, const chorus_scan *s)
{
	int rc = chorus_buf_puts(b, "cluster_id,cluster_rank,post_id,author,created_at,"
				 "created_at_epoch,text\r\n");

	for (size_t i = 0; rc == 0 && i < chorus_scan_cluster_count(s); i++) {
		const chorus_cluster *cl = chorus_scan_get_cluster(s, i);

		for (size_t j = 0; rc == 0 && j < cl->nposts; j++)
			rc = post_row(b, cl, i + 1, chorus_scan_get_post(s, cl->posts[j]));
	}
	return rc;
}

static int join(char *out, const char *dir, const char *name, const char *suffix)
{
	int n = snprintf(out, PATH_CAP, "%s/%s%s", dir, name, suffix);

	return (n < 0 || n >= PATH_CAP) ? CHORUS_EUSAGE : 0;
}

/* Write data to dir/name atomically. */
static int write_file(const char *dir, const char *name, const chorus_buf *b,
		      chorus_error *err)
{
	char path[PATH_CAP], tmp[PATH_CAP], sfx[32];
	FILE *f;
	int ok;

	snprintf(sfx, sizeof sfx, ".tmp.%ld", (long)getpid());
	if (join(path, dir, name, "") || join(tmp, dir, name, sfx))
		return FAIL(err, CHORUS_EUSAGE, dir, 0, "path too long");
	f = fopen(tmp, "wb");
	if (!f)
		return FAIL(err, CHORUS_EIO, path, 0, "%s", strerror(errno));
	ok = (b->len == 0 || fwrite(b->data, 1, b->len, f) == b->len);
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		remove(tmp);
		return FAIL(err, CHORUS_EIO, path, 0, "cannot write");
	}
	return 0;
}

static int emit(manifest *m, const char *dir, const char *name, const chorus_buf *b,
		chorus_error *err)
{
	char hex[CHORUS_SHA256_HEX];
	int rc;

	if (chorus_sha256_hex(b->data ? b->data : "", b->len, hex) != 0)
		return FAIL(err, CHORUS_ENOMEM, name, 0, "out of memory");
	rc = write_file(dir, name, b, err);
	if (rc == 0 && chorus_buf_printf(&m->b, "%s  %s\n", hex, name) != 0)
		rc = FAIL(err, CHORUS_ENOMEM, name, 0, "out of memory");
	return rc;
}

typedef int (*builder)(chorus_buf *b, const chorus_scan *s);

static int emit_built(manifest *m, const char *dir, const char *name, builder build,
		      const chorus_scan *s, chorus_error *err)
{
	chorus_buf b;
	int rc;

	chorus_buf_init(&b, FILE_CAP);
	rc = build(&b, s);
	if (rc)
		rc = FAIL(err, rc, name, 0, rc == CHORUS_ELIMIT ? "too large" : "out of memory");
	else
		rc = emit(m, dir, name, &b, err);
	chorus_buf_dispose(&b);
	return rc;
}

static int manifest_inputs(manifest *m, const chorus_corpus *c)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < chorus_corpus_input_count(c); i++) {
		const chorus_input_stats *in = chorus_corpus_input(c, i);

		if (strcmp(in->path, "-") != 0)
			rc = chorus_buf_printf(&m->b, "%s  %s\n", in->sha256, in->path);
	}
	return rc;
}

/* scan.json, and provenance.json built from it. */
static int emit_scan_files(manifest *m, const char *dir, const chorus_scan *s,
			   const chorus_corpus *c, const chorus_report_meta *meta,
			   chorus_error *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	chorus_buf b;
	int rc;

	if (!f)
		return FAIL(err, CHORUS_ENOMEM, "scan.json", 0, "out of memory");
	rc = chorus_report_json(f, s, c, chorus_scan_get_params(s), meta, err);
	if (fclose(f) != 0 && rc == 0)
		rc = FAIL(err, CHORUS_ENOMEM, "scan.json", 0, "out of memory");
	chorus_buf_init(&b, FILE_CAP);
	if (rc == 0 && chorus_buf_append(&b, text, len) != 0)
		rc = FAIL(err, CHORUS_ENOMEM, "scan.json", 0, "out of memory");
	rc = rc ? rc : emit(m, dir, "scan.json", &b, err);
	chorus_buf_dispose(&b);
	chorus_buf_init(&b, FILE_CAP);
	if (rc == 0 && chorus_report_provenance(&b, c, meta, text, len) != 0)
		rc = FAIL(err, CHORUS_ENOMEM, "provenance.json", 0, "out of memory");
	rc = rc ? rc : emit(m, dir, "provenance.json", &b, err);
	chorus_buf_dispose(&b);
	free(text);
	return rc;
}

static int make_dir(const char *dir, chorus_error *err)
{
	struct stat st;

	if (mkdir(dir, 0777) == 0 || (errno == EEXIST && stat(dir, &st) == 0 &&
				      S_ISDIR(st.st_mode)))
		return 0;
	return FAIL(err, CHORUS_EIO, dir, 0, "cannot create folder: %s",
				strerror(errno));
}

int chorus_report_folder(const char *dir, const chorus_scan *s, const chorus_corpus *c,
			 const chorus_report_meta *meta, chorus_error *err)
{
	manifest m;
	int rc = make_dir(dir, err);

	if (rc)
		return rc;
	chorus_buf_init(&m.b, (size_t)1 << 24);
	rc = emit_built(&m, dir, "clusters.jsonl", build_clusters, s, err);
	rc = rc ? rc : emit_built(&m, dir, "posts.csv", build_posts, s, err);
	rc = rc ? rc : emit_built(&m, dir, "accounts.gexf", chorus_report_gexf, s, err);
	rc = rc ? rc : emit_built(&m, dir, "accounts.graphml", chorus_report_graphml, s, err);
	if (rc == 0) {
		chorus_buf h;
		chorus_buf_init(&h, FILE_CAP);
		rc = chorus_report_html(&h, s, c, meta) ? FAIL(err, CHORUS_ENOMEM, "report.html", 0,
								"out of memory")
							: emit(&m, dir, "report.html", &h, err);
		chorus_buf_dispose(&h);
	}
	if (rc == 0)
		rc = emit_scan_files(&m, dir, s, c, meta, err);
	if (rc == 0 && manifest_inputs(&m, c) != 0)
		rc = FAIL(err, CHORUS_ENOMEM, dir, 0, "out of memory");
	rc = rc ? rc : write_file(dir, "MANIFEST.sha256", &m.b, err);
	chorus_buf_dispose(&m.b);
	return rc;
}
