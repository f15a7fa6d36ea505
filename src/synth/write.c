/*
 * write.c - render and write the corpus, then the ground truth.
 *
 * Corpus lines, in id order (= created_at order), fields in this order:
 *   id          string, or a JSON integer for ~3% of posts
 *   author      string, or a JSON integer for numeric accounts
 *   text        rendered now from the post's descriptor (see synth_int.h)
 *   created_at  RFC 3339 UTC, whole seconds
 *   platform, url, lang, author_created_at   for accounts with metadata
 *   repost_of   native reposts: the source post's id
 * Lines are built in one buffer and written in 1 MiB blocks.
 *
 * Truth lines: see chorus/synth.h.  The post ids of each planted item are
 * gathered by a counting sort over the write order, so they come out in
 * time order; items are numbered by their first post.
 */
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/buf.h"
#include "chorus/escape.h"
#include "chorus/timeutil.h"
#include "synth_int.h"

#define FLUSH_AT ((size_t)1 << 20)
#define BUF_MAX ((size_t)1 << 26)

static int flush(chorus_buf *b, FILE *f, chorus_error *err)
{
	if (b->len && fwrite(b->data, 1, b->len, f) != b->len) {
		chorus_error_set(err, "", 0, "synth: write failed");
		return CHORUS_EIO;
	}
	chorus_buf_reset(b);
	return CHORUS_OK;
}

/* Write out what is left and flush f; what names the output in errors. */
static int finish(chorus_buf *b, FILE *f, int rc, const char *what, chorus_error *err)
{
	if (rc == 0)
		rc = flush(b, f, err);
	if (rc == 0 && fflush(f) != 0) {
		chorus_error_set(err, "", 0, "synth: write failed");
		rc = CHORUS_EIO;
	}
	if (rc == CHORUS_ENOMEM || rc == CHORUS_ELIMIT)
		chorus_error_set(err, "", 0, "synth: out of memory writing the %s", what);
	return rc;
}

static int put_u64(chorus_buf *b, uint64_t v)
{
	char d[20];
	size_t n = 0;

	do {
		d[sizeof d - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return chorus_buf_append(b, d + sizeof d - n, n);
}

static int put_id(chorus_buf *b, uint64_t id, int bare)
{
	int rc = bare ? 0 : chorus_buf_putc(b, '"');

	rc = rc ? rc : put_u64(b, id);
	return rc || bare ? rc : chorus_buf_putc(b, '"');
}

static int put_time(chorus_buf *b, int64_t ms)
{
	char s[CHORUS_TIME_STRLEN];
	int64_t sec = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	size_t n = chorus_time_format(sec * CHORUS_NS_PER_SEC, s);
	int rc = chorus_buf_putc(b, '"');

	rc = rc ? rc : chorus_buf_append(b, s, n);
	return rc ? rc : chorus_buf_putc(b, '"');
}

/* ---- corpus -------------------------------------------------------------- */

static void render(const synth_plan *p, synth_shared *sh, const synth_post *q, synth_text *t)
{
	synth_rng r = synth_rng_make(p->o.seed, STREAM_TEXT, q->seed);
	const synth_group *g = q->group == SYNTH_NONE ? NULL : &p->grp[q->group];

	t->len = 0;
	t->s[0] = '\0';
	switch (q->kind) {
	case KIND_ORGANIC: synth_text_organic(p, sh, q, t); break;
	case KIND_CAMPAIGN: synth_text_campaign(p, g, &r, t); break;
	case KIND_STOCK: synth_text_stock(p, q->lang, &r, t); break;
	case KIND_TOPIC: synth_text_topic(p, q->lang, &r, t); break;
	default: synth_text_put(t, g->text, g->len); break;
	}
}

static int put_author(chorus_buf *b, const synth_account *a)
{
	if (a->numeric)
		return chorus_buf_puts(b, a->handle);
	return chorus_escape_json(b, a->handle, strlen(a->handle));
}

static int put_meta(chorus_buf *b, const synth_plan *p, const synth_post *q, const synth_account *a)
{
	int rc = chorus_buf_puts(b, ",\"platform\":\"twitter\",\"url\":\"https://twitter.com/");

	if (rc == 0)
		rc = chorus_buf_puts(b, a->numeric ? "i/web" : a->handle);
	if (rc == 0)
		rc = chorus_buf_puts(b, "/status/");
	if (rc == 0)
		rc = put_u64(b, q->id);
	if (rc == 0)
		rc = chorus_buf_puts(b, "\",\"lang\":\"");
	if (rc == 0)
		rc = chorus_buf_puts(b, synth_lang_code(q->lang));
	return rc ? rc : chorus_buf_putc(b, '"');
}

static int put_post(chorus_buf *b, const synth_plan *p, const synth_post *q, const synth_text *t)
{
	const synth_account *a = &p->acc[q->author];
	int rc = chorus_buf_puts(b, "{\"id\":");

	if (rc == 0)
		rc = put_id(b, q->id, q->flags & POST_ID_INT);
	if (rc == 0)
		rc = chorus_buf_puts(b, ",\"author\":");
	if (rc == 0)
		rc = put_author(b, a);
	if (rc == 0)
		rc = chorus_buf_puts(b, ",\"text\":");
	if (rc == 0)
		rc = chorus_escape_json(b, t->s, t->len);
	if (rc == 0)
		rc = chorus_buf_puts(b, ",\"created_at\":");
	if (rc == 0)
		rc = put_time(b, q->t_ms);
	if (rc == 0 && a->meta)
		rc = put_meta(b, p, q, a);
	if (rc == 0 && q->kind == KIND_REPOST) {
		rc = chorus_buf_puts(b, ",\"repost_of\":");
		rc = rc ? rc : put_id(b, p->post[q->ref].id, 0);
	}
	if (rc == 0 && a->meta) {
		rc = chorus_buf_puts(b, ",\"author_created_at\":");
		rc = rc ? rc : put_time(b, a->created_ms);
	}
	return rc ? rc : chorus_buf_puts(b, "}\n");
}

int synth_write_corpus(const synth_plan *p, synth_shared *sh, FILE *f, chorus_error *err)
{
	synth_text *t = chorus_malloc(sizeof *t);
	chorus_buf b;
	int rc = t ? CHORUS_OK : CHORUS_ENOMEM;

	chorus_buf_init(&b, BUF_MAX);
	for (size_t i = 0; rc == 0 && i < p->npost; i++) {
		const synth_post *q = &p->post[p->order[i]];
		render(p, sh, q, t);
		rc = put_post(&b, p, q, t);
		if (rc == 0 && b.len >= FLUSH_AT)
			rc = flush(&b, f, err);
	}
	rc = finish(&b, f, rc, "corpus", err);
	chorus_buf_dispose(&b);
	chorus_free(t);
	return rc;
}

/* ---- truth --------------------------------------------------------------- */

typedef struct members {
	size_t *start; /* per group: first slot in idx; start[ngrp] = total */
	uint32_t *idx; /* post indices, grouped, in write order */
} members;

static int gather(const synth_plan *p, members *m)
{
	size_t total = 0, *fill;

	m->start = chorus_calloc((size_t)p->ngrp + 1, sizeof *m->start);
	fill = chorus_calloc((size_t)p->ngrp + 1, sizeof *fill);
	m->idx = chorus_mallocarray(p->ncampaign_posts + p->nnegative_posts + 1, sizeof *m->idx);
	if (!m->start || !fill || !m->idx) {
		chorus_free(fill);
		return CHORUS_ENOMEM;
	}
	for (size_t i = 0; i < p->npost; i++)
		if (p->post[i].group != SYNTH_NONE)
			m->start[p->post[i].group + 1]++;
	for (uint32_t g = 0; g < p->ngrp; g++) {
		total += m->start[g + 1];
		m->start[g + 1] = total;
	}
	for (size_t i = 0; i < p->npost; i++) {
		uint32_t k = p->order[i], g = p->post[k].group;
		if (g != SYNTH_NONE)
			m->idx[m->start[g] + fill[g]++] = k;
	}
	chorus_free(fill);
	return CHORUS_OK;
}

/* Number the items of each kind by their first post (ties: plan order). */
static int label(const synth_plan *p, const members *m, uint32_t **byl, uint32_t *ncamp)
{
	uint32_t *v = chorus_mallocarray((size_t)p->ngrp + 1, sizeof *v), n = 0, nc = 0;

	if (!v)
		return CHORUS_ENOMEM;
	for (size_t i = 0; i < p->npost; i++) {
		uint32_t g = p->post[p->order[i]].group;
		if (g != SYNTH_NONE && m->idx[m->start[g]] == p->order[i])
			v[n++] = g;
	}
	for (uint32_t g = 0; g < p->ngrp; g++)
		if (m->start[g] == m->start[g + 1])
			v[n++] = g; /* an item left without posts still gets a line */
	/* campaigns first, keeping first-post order within each kind */
	uint32_t *w = chorus_mallocarray((size_t)p->ngrp + 1, sizeof *w), k = 0;
	if (!w) {
		chorus_free(v);
		return CHORUS_ENOMEM;
	}
	for (int pass = 1; pass >= 0; pass--)
		for (uint32_t i = 0; i < n; i++)
			if (p->grp[v[i]].campaign == pass) {
				w[k++] = v[i];
				nc += pass;
			}
	chorus_free(v);
	*byl = w;
	*ncamp = nc;
	return CHORUS_OK;
}

static int put_item(chorus_buf *b, const synth_plan *p, const members *m, uint32_t gi, uint32_t num)
{
	const synth_group *g = &p->grp[gi];
	size_t lo = m->start[gi], hi = m->start[gi + 1];
	int rc = g->campaign
		 ? chorus_buf_printf(b, "{\"kind\":\"campaign\",\"id\":\"camp-%03u\","
				     "\"tier\":\"%s\",\"posts\":[", num, synth_tier_name(g->type))
		 : chorus_buf_printf(b, "{\"kind\":\"hard_negative\",\"type\":\"%s\","
				     "\"id\":\"neg-%03u\",\"posts\":[", synth_negative_name(g->type), num);

	for (size_t i = lo; rc == 0 && i < hi; i++) {
		rc = i > lo ? chorus_buf_putc(b, ',') : 0;
		rc = rc ? rc : put_id(b, p->post[m->idx[i]].id, 0);
	}
	if (rc == 0)
		rc = chorus_buf_printf(b, "],\"accounts\":%u", g->naccounts);
	if (rc == 0 && hi > lo) {
		rc = chorus_buf_puts(b, ",\"first_seen\":");
		rc = rc ? rc : put_time(b, p->post[m->idx[lo]].t_ms);
		rc = rc ? rc : chorus_buf_puts(b, ",\"last_seen\":");
		rc = rc ? rc : put_time(b, p->post[m->idx[hi - 1]].t_ms);
	}
	if (rc == 0)
		rc = chorus_buf_printf(b, ",\"lang\":\"%s\"", synth_lang_code(g->lang));
	if (rc == 0 && g->campaign) {
		rc = chorus_buf_printf(b, ",\"fresh_accounts\":%u,\"template\":", g->nfresh);
		rc = rc ? rc : chorus_escape_json(b, g->text, g->len);
	}
	return rc ? rc : chorus_buf_puts(b, "}\n");
}

static int put_header(chorus_buf *b, const synth_plan *p, const synth_shared *sh, uint32_t ncamp)
{
	char start[CHORUS_TIME_STRLEN];
	int rc;

	chorus_time_format(p->o.start, start);
	rc = chorus_buf_printf(b,
		"{\"kind\":\"header\",\"generator\":\"chorus synth\",\"version\":%d,"
		"\"seed\":%llu,\"posts\":%zu,\"options\":{\"campaigns\":%llu,\"accounts\":%llu,"
		"\"start\":\"%s\",\"days\":%u,\"text_bytes\":%u},\"shared_text\":%s,",
		CHORUS_SYNTH_VERSION, (unsigned long long)p->o.seed, p->npost,
		(unsigned long long)p->o.campaigns, (unsigned long long)p->o.accounts, start,
		p->o.days, p->o.text_bytes, sh->used ? "true" : "false");
	if (rc == 0 && sh->used)
		rc = chorus_buf_printf(b, "\"shared_sentences\":{\"ru\":%u,\"kk\":%u},",
				       sh->pool[LANG_RU].n, sh->pool[LANG_KK].n);
	if (rc == 0)
		rc = chorus_buf_printf(b,
			"\"counts\":{\"campaigns\":%u,\"campaign_posts\":%zu,\"hard_negatives\":%u,"
			"\"hard_negative_posts\":%zu,\"accounts\":%u}}\n",
			ncamp, p->ncampaign_posts, p->ngrp - ncamp, p->nnegative_posts, p->nacc);
	return rc;
}

int synth_write_truth(const synth_plan *p, const synth_shared *sh, FILE *f, chorus_error *err)
{
	members m = { NULL, NULL };
	uint32_t *byl = NULL, ncamp = 0;
	chorus_buf b;
	int rc = gather(p, &m);

	chorus_buf_init(&b, BUF_MAX);
	if (rc == 0)
		rc = label(p, &m, &byl, &ncamp);
	if (rc == 0)
		rc = put_header(&b, p, sh, ncamp);
	for (uint32_t i = 0; rc == 0 && i < p->ngrp; i++) {
		rc = put_item(&b, p, &m, byl[i], i < ncamp ? i + 1 : i - ncamp + 1);
		if (rc == 0 && b.len >= FLUSH_AT)
			rc = flush(&b, f, err);
	}
	rc = finish(&b, f, rc, "truth", err);
	chorus_buf_dispose(&b);
	chorus_free(byl);
	chorus_free(m.start);
	chorus_free(m.idx);
	return rc;
}
