/*
 * ws_load.c - stored posts and links back into a corpus and a scan, for
 * the night's cluster figures and for reports (chorus_ws_load_clusters).
 *
 * The corpus holds the posts in arrival order, so the scan's stable time
 * sort orders ties as the batch scan over the nights' inputs would; the
 * scan is chorus_scan_from_links over the stored links, so every figure
 * is the batch scan's.  Inputs of a report corpus are the nightly inputs
 * the posts came from, found through a hash of (run, input).
 * Cost: one indexed lookup per post and per post's links.
 */
#include <stdlib.h>
#include <string.h>

#include "chorus/alloc.h"
#include "ws_int.h"

typedef struct loader {
	chorus_ws *ws;
	chorus_corpus *c;
	int with_inputs;
	int64_t *key;       /* (run << 24 | input) + 1; 0 = empty */
	uint32_t *idx;      /* corpus input of key */
	size_t cap, used;
	const int64_t *seqs;
	size_t n;
	chorus_link *links;
	size_t nlinks, cap_links;
	chorus_error *err;
} loader;

static int grow_map(loader *l)
{
	const size_t cap = l->cap ? l->cap * 2 : 64;
	int64_t *key = chorus_calloc(cap, sizeof *key);
	uint32_t *idx = chorus_calloc(cap, sizeof *idx);

	if (!key || !idx) {
		chorus_free(key);
		chorus_free(idx);
		return CHORUS_ENOMEM;
	}
	for (size_t k = 0; k < l->cap; k++) {
		size_t h;
		if (!l->key[k])
			continue;
		for (h = (size_t)((uint64_t)l->key[k] * 0x9e3779b97f4a7c15u) & (cap - 1); key[h];
		     h = (h + 1) & (cap - 1))
			;
		key[h] = l->key[k];
		idx[h] = l->idx[k];
	}
	chorus_free(l->key);
	chorus_free(l->idx);
	l->key = key;
	l->idx = idx;
	l->cap = cap;
	return CHORUS_OK;
}

/* The corpus input of nightly input (run, input), registered when new. */
static int input_of(loader *l, int64_t run, int64_t input, uint32_t *out)
{
	const int64_t key = (run << 24 | input) + 1;
	char path[4096], format[64];
	chorus_input_stats st;
	size_t h;
	int rc;

	if (run >= (INT64_C(1) << 38) || input >= (1 << 24)) {
		chorus_error_set(l->err, "", 0, "damaged workspace: a post's input is out of range");
		return CHORUS_EINPUT;
	}
	if (2 * (l->used + 1) > l->cap && (rc = grow_map(l)))
		return rc;
	for (h = (size_t)((uint64_t)key * 0x9e3779b97f4a7c15u) & (l->cap - 1); l->key[h];
	     h = (h + 1) & (l->cap - 1)) {
		if (l->key[h] == key) {
			*out = l->idx[h];
			return CHORUS_OK;
		}
	}
	rc = ws_db_get_run_input(l->ws->db, run, input, &st, path, sizeof path, format,
				 sizeof format, l->err);
	rc = rc ? rc : chorus_corpus_append_input(l->c, &st, out, l->err);
	if (rc)
		return rc;
	l->key[h] = key;
	l->idx[h] = *out;
	l->used++;
	return CHORUS_OK;
}

static int add_post(void *ud, int64_t seq, int64_t run, int64_t input, const chorus_post *p)
{
	loader *l = ud;
	chorus_post q = *p;
	uint32_t in = 0;
	int rc = l->with_inputs ? input_of(l, run, input, &in) : CHORUS_OK;

	(void)seq;
	q.input = in;
	return rc ? rc : chorus_corpus_append(l->c, &q, l->err);
}

/* Corpus index of seq, or -1. */
static long index_of(const loader *l, int64_t seq)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->seqs[mid] < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->n && l->seqs[lo] == seq ? (long)lo : -1;
}

static int add_link(void *ud, int64_t a, int64_t b, float sim)
{
	loader *l = ud;
	const long i = index_of(l, a), j = index_of(l, b);

	if (i < 0 || j < 0) {
		chorus_error_set(l->err, "", 0, "damaged workspace: a link leaves its cluster");
		return CHORUS_EINPUT;
	}
	if (l->nlinks == l->cap_links) {
		size_t c = l->cap_links ? l->cap_links * 2 : 1024;
		chorus_link *p = chorus_reallocarray(l->links, c, sizeof *p);
		if (!p)
			return CHORUS_ENOMEM;
		l->links = p;
		l->cap_links = c;
	}
	l->links[l->nlinks].a = (uint32_t)i;
	l->links[l->nlinks].b = (uint32_t)j;
	l->links[l->nlinks].sim = sim;
	l->nlinks++;
	return CHORUS_OK;
}

static int load_links(loader *l, const ws_link *links, size_t nlinks)
{
	int rc = CHORUS_OK;

	if (links) {
		for (size_t k = 0; rc == CHORUS_OK && k < nlinks; k++)
			rc = add_link(l, links[k].a, links[k].b, links[k].sim);
		return rc;
	}
	for (size_t k = 0; rc == CHORUS_OK && k < l->n; k++)
		rc = ws_db_each_link_of(l->ws->db, l->seqs[k], add_link, l, l->err);
	return rc;
}

int ws_load_scan(chorus_ws *ws, const int64_t *seqs, size_t n, const ws_link *links,
		 size_t nlinks, const chorus_models *models, int threads, int with_inputs,
		 chorus_corpus **corpus, chorus_scan **scan, chorus_error *err)
{
	loader l;
	chorus_scan_params p = ws->info.wp.scan;
	int rc = CHORUS_OK;

	memset(&l, 0, sizeof l);
	l.ws = ws;
	l.with_inputs = with_inputs;
	l.seqs = seqs;
	l.n = n;
	l.err = err;
	if (!(l.c = chorus_corpus_new()))
		return CHORUS_ENOMEM;
	if (!with_inputs) {
		chorus_input_stats st = { .path = "workspace", .format = "jsonl" };
		uint32_t in;
		rc = chorus_corpus_append_input(l.c, &st, &in, err);
	}
	rc = rc ? rc : ws_db_each_post(ws->db, seqs, n, add_post, &l, err);
	rc = rc ? rc : load_links(&l, links, nlinks);
	p.threads = threads;
	rc = rc ? rc : chorus_scan_from_links(l.c, models, &p, l.links, l.nlinks, scan, err);
	chorus_free(l.key);
	chorus_free(l.idx);
	chorus_free(l.links);
	if (rc) {
		chorus_corpus_free(l.c);
		return rc;
	}
	*corpus = l.c;
	return CHORUS_OK;
}

/* ---- reports ---- */

typedef struct id_list {
	char (*v)[17];
	size_t len, cap;
} id_list;

static int push_id(void *ud, const char *id)
{
	id_list *l = ud;

	if (l->len == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 64;
		char (*p)[17] = chorus_reallocarray(l->v, c, sizeof *p);
		if (!p)
			return CHORUS_ENOMEM;
		l->v = p;
		l->cap = c;
	}
	memcpy(l->v[l->len++], id, 17);
	return CHORUS_OK;
}

typedef struct seq_list {
	int64_t *v;
	size_t len, cap;
} seq_list;

static int push_seq(void *ud, int64_t seq)
{
	seq_list *l = ud;

	if (l->len == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 256;
		int64_t *p = chorus_reallocarray(l->v, c, sizeof *p);
		if (!p)
			return CHORUS_ENOMEM;
		l->v = p;
		l->cap = c;
	}
	l->v[l->len++] = seq;
	return CHORUS_OK;
}

static int cmp_i64(const void *x, const void *y)
{
	const int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

/* The members of every cluster named, sorted. */
static int members_of(chorus_ws *ws, const id_list *ids, seq_list *seqs, chorus_error *err)
{
	int rc = CHORUS_OK;

	for (size_t k = 0; rc == CHORUS_OK && k < ids->len; k++) {
		ws_cluster c;
		int64_t grp = 0;
		int found;
		rc = ws_db_get_cluster(ws->db, ids->v[k], &c, &found, err);
		if (rc == CHORUS_OK && (!found || c.status != WS_ACTIVE)) {
			chorus_error_set(err, ws->dir, 0, "%s is not an active cluster of this "
					 "workspace", ids->v[k]);
			rc = CHORUS_EUSAGE;
		}
		rc = rc ? rc : ws_db_group_of_cluster(ws->db, ids->v[k], &grp, err);
		if (rc == CHORUS_OK && !grp) {
			chorus_error_set(err, ws->dir, 0, "damaged: cluster %s has no group",
					 ids->v[k]);
			rc = CHORUS_EINPUT;
		}
		rc = rc ? rc : ws_db_each_member(ws->db, grp, push_seq, seqs, err);
	}
	if (rc == CHORUS_OK && seqs->len) {
		size_t w = 1;
		qsort(seqs->v, seqs->len, sizeof *seqs->v, cmp_i64);
		for (size_t k = 1; k < seqs->len; k++)
			if (seqs->v[k] != seqs->v[w - 1])
				seqs->v[w++] = seqs->v[k];
		seqs->len = w;
	}
	return rc;
}

/* Give the scan's clusters the workspace's ids. */
static int name_clusters(chorus_ws *ws, chorus_scan *scan, const chorus_corpus *corpus,
			 const seq_list *seqs, chorus_error *err)
{
	const size_t nc = chorus_scan_cluster_count(scan);
	char (*ids)[17] = chorus_mallocarray(nc ? nc : 1, sizeof *ids);
	int rc = ids ? CHORUS_OK : CHORUS_ENOMEM;

	for (size_t k = 0; rc == CHORUS_OK && k < nc; k++) {
		const chorus_cluster *cl = chorus_scan_get_cluster(scan, k);
		const chorus_post *p0 = chorus_scan_get_post(scan, cl->posts[0]);
		int64_t grp;
		ws_group g;
		rc = ws_db_group_of(ws->db, seqs->v[p0 - chorus_corpus_posts(corpus)], &grp, err);
		rc = rc ? rc : ws_db_get_group(ws->db, grp, &g, err);
		if (rc == CHORUS_OK && !g.cluster[0]) {
			chorus_error_set(err, ws->dir, 0, "damaged: a cluster's group has no id");
			rc = CHORUS_EINPUT;
		}
		if (rc == CHORUS_OK)
			memcpy(ids[k], g.cluster, 17);
	}
	if (rc == CHORUS_OK)
		chorus_scan_set_cluster_ids(scan, (const char (*)[17])ids);
	chorus_free(ids);
	return rc;
}

int chorus_ws_load_clusters(chorus_ws *ws, const char (*ids)[17], size_t nids,
			    const chorus_models *models, int threads, chorus_corpus **corpus,
			    chorus_scan **scan, chorus_error *err)
{
	id_list want = { 0 };
	seq_list seqs = { 0 };
	chorus_corpus *c = NULL;
	chorus_scan *s = NULL;
	int rc = ws_db_begin_read(ws->db, err);

	for (size_t k = 0; rc == CHORUS_OK && ids && k < nids; k++)
		rc = push_id(&want, ids[k]);
	if (rc == CHORUS_OK && !ids)
		rc = ws_db_each_active_cluster(ws->db, push_id, &want, err);
	rc = rc ? rc : members_of(ws, &want, &seqs, err);
	rc = rc ? rc : ws_load_scan(ws, seqs.v, seqs.len, NULL, 0, models, threads, 1, &c, &s, err);
	rc = rc ? rc : name_clusters(ws, s, c, &seqs, err);
	ws_db_rollback(ws->db);
	chorus_free(want.v);
	chorus_free(seqs.v);
	if (rc) {
		chorus_scan_free(s);
		chorus_corpus_free(c);
		return rc;
	}
	if (chorus_scan_cluster_count(s) != want.len) {
		chorus_scan_free(s);
		chorus_corpus_free(c);
		chorus_error_set(err, ws->dir, 0, "damaged: a stored cluster no longer qualifies");
		return CHORUS_EINPUT;
	}
	*corpus = c;
	*scan = s;
	return CHORUS_OK;
}
