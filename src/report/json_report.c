/*
 * json_report.c - the scan's JSON document (schema: chorus/report.h and
 * README.md).  Written through a capped buffer flushed to the stream every
 * 64 KiB, so a report of any size needs constant memory.  Every string from
 * a post goes through chorus_escape_json; numbers use fixed formats so the
 * bytes are the same on every run.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "chorus/buf.h"
#include "chorus/escape.h"
#include "chorus/minhash.h"
#include "chorus/normalise.h"
#include "chorus/report.h"
#include "chorus/timeutil.h"

#define FLUSH_AT (64u << 10)

typedef struct writer {
	FILE *f;
	chorus_buf b;
	int rc;
} writer;

static void flush(writer *w, int force)
{
	if (w->rc || (!force && w->b.len < FLUSH_AT))
		return;
	if (w->b.len && fwrite(w->b.data, 1, w->b.len, w->f) != w->b.len)
		w->rc = CHORUS_EIO;
	chorus_buf_reset(&w->b);
}

static void put(writer *w, const char *s)
{
	if (!w->rc)
		w->rc = chorus_buf_puts(&w->b, s);
	flush(w, 0);
}

static void putf(writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(writer *w, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	put(w, tmp);
}

static void str(writer *w, const char *s, size_t len)
{
	if (!w->rc)
		w->rc = chorus_escape_json(&w->b, s ? s : "", s ? len : 0);
	flush(w, 0);
}

static void cstr(writer *w, const char *s)
{
	str(w, s, s ? strlen(s) : 0);
}

static void time_str(writer *w, int64_t ns)
{
	char t[CHORUS_TIME_STRLEN];

	chorus_time_format(ns, t);
	putf(w, "\"%s\"", t);
}

/* Seconds with the fraction trimmed: 3600, 0.25. */
static void seconds(writer *w, int64_t ns)
{
	int64_t s = ns / CHORUS_NS_PER_SEC, f = ns % CHORUS_NS_PER_SEC;
	char frac[16];
	int k;

	if (!f) {
		putf(w, "%" PRId64, s);
		return;
	}
	k = snprintf(frac, sizeof frac, "%09" PRId64, f < 0 ? -f : f);
	while (k > 0 && frac[k - 1] == '0')
		frac[--k] = '\0';
	putf(w, "%" PRId64 ".%s", s, frac);
}

static void write_params(writer *w, const chorus_scan_params *p, const chorus_report_meta *m)
{
	const char *const *steps = chorus_norm_steps();
	char win[32];

	chorus_duration_format(p->window, win, sizeof win);
	put(w, "  \"params\": {\n");
	putf(w, "    \"window\": \"%s\",\n    \"window_seconds\": ", win);
	seconds(w, p->window);
	putf(w, ",\n    \"threshold\": %.6g,\n", p->threshold);
	putf(w, "    \"min_accounts\": %u,\n", p->min_accounts);
	putf(w, "    \"shingle\": \"%s:%u\",\n",
	     p->shingle_kind == CHORUS_SHINGLE_CHAR ? "char" : "word", p->shingle_k);
	putf(w, "    \"perms\": %u,\n    \"bands\": %u,\n    \"rows\": %u,\n", p->perms, p->bands,
	     p->perms / p->bands);
	putf(w, "    \"seed\": \"0x%016" PRIx64 "\",\n", p->seed);
	put(w, "    \"minhash\": \"h_i(x) = a_i*x + b_i mod 2^32, a_i odd; (a_i, b_i) from "
	       "splitmix64(seed); shingle hashes: chorus_hash64 under seed\",\n");
	putf(w, "    \"min_content\": %u,\n    \"max_neighbours\": %u,\n", p->min_content,
	     p->max_neighbours);
	putf(w, "    \"include_reposts\": %s,\n", p->include_reposts ? "true" : "false");
	put(w, "    \"normalisation\": [");
	for (size_t i = 0; steps[i]; i++) {
		if ((p->norm_flags & CHORUS_NORM_NO_STEM) && !strcmp(steps[i], "stem"))
			continue;
		if ((p->norm_flags & CHORUS_NORM_NO_HOMOGLYPH) && !strcmp(steps[i], "homoglyphs"))
			continue;
		put(w, i ? ", " : "");
		cstr(w, steps[i]);
	}
	put(w, "],\n    \"models_version\": ");
	cstr(w, m && m->models_version ? m->models_version : "");
	put(w, "\n  },\n");
}

static void write_inputs(writer *w, const chorus_corpus *c)
{
	put(w, "  \"inputs\": [");
	for (size_t i = 0; i < chorus_corpus_input_count(c); i++) {
		const chorus_input_stats *in = chorus_corpus_input(c, i);
		put(w, i ? ",\n    {\"path\": " : "\n    {\"path\": ");
		cstr(w, in->path);
		putf(w, ", \"format\": \"%s\", \"sha256\": \"%s\", \"bytes\": %" PRIu64
			", \"records\": %" PRIu64 ", \"skipped\": %" PRIu64 ", \"duplicates\": %" PRIu64
			", \"ignored\": %" PRIu64 ", \"reposts\": %" PRIu64,
		     in->format ? in->format : "jsonl", in->sha256, in->bytes, in->records,
		     in->skipped, in->duplicates, in->ignored, in->reposts);
		if (in->outside) /* only for pages of an evidence store */
			putf(w, ", \"outside\": %" PRIu64, in->outside);
		put(w, "}");
	}
	put(w, chorus_corpus_input_count(c) ? "\n  ],\n" : "],\n");
}

static void write_counts(writer *w, const chorus_scan_stats *st)
{
	put(w, "  \"counts\": {\n");
	putf(w, "    \"posts\": %" PRIu64 ",\n    \"reposts_left_out\": %" PRIu64 ",\n",
	     st->posts, st->reposts);
	putf(w, "    \"short_left_out\": %" PRIu64 ",\n    \"matched\": %" PRIu64 ",\n",
	     st->short_posts, st->matched);
	putf(w, "    \"candidate_pairs\": %" PRIu64 ",\n    \"verified_pairs\": %" PRIu64 ",\n",
	     st->candidates, st->verified);
	putf(w, "    \"linked_posts\": %" PRIu64 ",\n    \"groups\": %" PRIu64 ",\n",
	     st->linked_posts, st->groups);
	putf(w, "    \"slow_groups_left_out\": %" PRIu64 ",\n", st->slow_groups);
	putf(w, "    \"clusters\": %" PRIu64 "\n  },\n", st->clusters);
}

static void id_list(writer *w, const chorus_scan *s, const uint32_t *idx, size_t n, int author)
{
	put(w, "[");
	for (size_t k = 0; k < n; k++) {
		const chorus_post *p = chorus_scan_get_post(s, idx[k]);
		const chorus_str *v = author ? &p->author : &p->id;
		put(w, k ? ", " : "");
		str(w, v->p, v->len);
	}
	put(w, "]");
}

static void write_cluster(writer *w, const chorus_scan *s, const chorus_cluster *cl, size_t rank)
{
	const chorus_post *tp = chorus_scan_get_post(s, cl->template_post);

	putf(w, "    {\n      \"id\": \"%s\",\n      \"rank\": %zu,\n", cl->id, rank);
	putf(w, "      \"score\": %.4f,\n      \"posts\": ", cl->score);
	id_list(w, s, cl->posts, cl->nposts, 0);
	put(w, ",\n      \"accounts\": ");
	id_list(w, s, cl->accounts, cl->naccounts, 1);
	put(w, ",\n      \"first_seen\": ");
	time_str(w, cl->first_seen);
	put(w, ",\n      \"last_seen\": ");
	time_str(w, cl->last_seen);
	put(w, ",\n      \"span_seconds\": ");
	seconds(w, cl->last_seen - cl->first_seen);
	putf(w, ",\n      \"burst_accounts\": %zu,\n", cl->burst_accounts);
	putf(w, "      \"similarity\": {\"min\": %.4f, \"median\": %.4f, \"max\": %.4f, "
		"\"pairs\": %zu},\n", cl->sim_min, cl->sim_median, cl->sim_max, cl->pairs);
	put(w, "      \"template\": ");
	str(w, tp->text.p, tp->text.len);
	put(w, ",\n      \"template_post\": ");
	str(w, tp->id.p, tp->id.len);
	put(w, "\n    }");
}

int chorus_report_json(FILE *f, const chorus_scan *s, const chorus_corpus *c,
		       const chorus_scan_params *p, const chorus_report_meta *meta,
		       chorus_error *err)
{
	writer w = { .f = f, .rc = 0 };
	const size_t n = chorus_scan_cluster_count(s);

	chorus_buf_init(&w.b, (size_t)1 << 30);
	putf(&w, "{\n  \"tool\": {\"name\": \"chorus\", \"version\": \"%s\"},\n", CHORUS_VERSION);
	if (meta && meta->workspace) {
		put(&w, "  \"workspace\": {\"path\": ");
		cstr(&w, meta->workspace);
		putf(&w, ", \"run\": %" PRId64 "},\n", meta->workspace_run);
	}
	write_params(&w, p, meta);
	write_inputs(&w, c);
	write_counts(&w, chorus_scan_get_stats(s));
	put(&w, "  \"clusters\": [");
	for (size_t i = 0; i < n; i++) {
		put(&w, i ? ",\n" : "\n");
		write_cluster(&w, s, chorus_scan_get_cluster(s, i), i + 1);
	}
	put(&w, n ? "\n  ]\n}\n" : "]\n}\n");
	flush(&w, 1);
	chorus_buf_dispose(&w.b);
	if (!w.rc && fflush(f) != 0)
		w.rc = CHORUS_EIO;
	if (w.rc)
		chorus_error_set(err, "", 0, "%s", w.rc == CHORUS_EIO ? "write failed"
								      : chorus_code_str(w.rc));
	return w.rc;
}
