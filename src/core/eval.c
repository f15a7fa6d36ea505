/*
 * eval.c - quality of a scan report against ground truth (see
 * chorus/eval.h for the measures).  jansson reads both files here.
 *
 * Post ids go into one open-addressing table (id -> campaign, negative,
 * cluster); every measure is then a pass over the clusters or the truth.
 * Cost O(total ids); memory O(total ids).  Files are capped at 1 GiB.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/eval.h"
#include "chorus/hash.h"

#define MAX_FILE ((size_t)1 << 30)

typedef struct entry {
	char *id;
	int32_t campaign, negative, cluster;
} entry;

typedef struct item {
	int group;     /* tier or type index */
	uint32_t size; /* posts */
	int found;
} item;

typedef struct evalctx {
	entry *tab;
	size_t cap, used;
	item *camp, *neg;
	size_t ncamp, nneg, capcamp, capneg;
	chorus_eval *out;
} evalctx;

static entry *lookup(evalctx *e, const char *id, int create)
{
	size_t h = (size_t)chorus_hash64(id, strlen(id), 0);

	if (create && (e->used + 1) * 2 > e->cap) {
		size_t ncap = e->cap ? e->cap * 2 : 1024;
		entry *nt = chorus_calloc(ncap, sizeof *nt);
		if (!nt)
			return NULL;
		for (size_t i = 0; i < e->cap; i++) {
			if (!e->tab[i].id)
				continue;
			size_t k = (size_t)chorus_hash64(e->tab[i].id, strlen(e->tab[i].id), 0);
			while (nt[k & (ncap - 1)].id)
				k++;
			nt[k & (ncap - 1)] = e->tab[i];
		}
		chorus_free(e->tab);
		e->tab = nt;
		e->cap = ncap;
	}
	if (!e->cap)
		return NULL;
	for (;; h++) {
		entry *en = &e->tab[h & (e->cap - 1)];
		if (!en->id) {
			if (!create)
				return NULL;
			size_t len = strlen(id);
			en->id = chorus_malloc(len + 1);
			if (!en->id)
				return NULL;
			memcpy(en->id, id, len + 1);
			en->campaign = en->negative = en->cluster = -1;
			e->used++;
			return en;
		}
		if (!strcmp(en->id, id))
			return en;
	}
}

static int group_index(chorus_eval_group *g, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(g[i].name, name))
			return (int)i;
	if (*n == CHORUS_EVAL_MAX_GROUPS)
		return CHORUS_EVAL_MAX_GROUPS - 1;
	snprintf(g[*n].name, sizeof g[*n].name, "%s", name);
	return (int)(*n)++;
}

static int push_item(item **v, size_t *n, size_t *cap, int group)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		item *p = chorus_reallocarray(*v, c, sizeof *p);
		if (!p)
			return CHORUS_ENOMEM;
		*v = p;
		*cap = c;
	}
	(*v)[*n].group = group;
	(*v)[*n].size = 0;
	(*v)[*n].found = 0;
	(*n)++;
	return CHORUS_OK;
}

static int truth_line(evalctx *e, json_t *o, const char *path, uint64_t line, chorus_error *err)
{
	const char *kind = json_string_value(json_object_get(o, "kind"));
	json_t *posts = json_object_get(o, "posts");
	int is_camp, g;
	size_t i;
	json_t *v;

	if (!kind || !strcmp(kind, "header"))
		return CHORUS_OK;
	is_camp = !strcmp(kind, "campaign");
	if (!is_camp && strcmp(kind, "hard_negative"))
		return CHORUS_OK;
	if (!json_is_array(posts)) {
		chorus_error_set(err, path, line, "field \"posts\" is missing or not an array");
		return CHORUS_EINPUT;
	}
	if (is_camp) {
		const char *tier = json_string_value(json_object_get(o, "tier"));
		g = group_index(e->out->tiers, &e->out->ntiers, tier ? tier : "?");
		if (push_item(&e->camp, &e->ncamp, &e->capcamp, g))
			return CHORUS_ENOMEM;
	} else {
		const char *type = json_string_value(json_object_get(o, "type"));
		g = group_index(e->out->negatives, &e->out->nnegatives, type ? type : "?");
		if (push_item(&e->neg, &e->nneg, &e->capneg, g))
			return CHORUS_ENOMEM;
	}
	json_array_foreach(posts, i, v) {
		const char *id = json_string_value(v);
		entry *en;
		if (!id) {
			chorus_error_set(err, path, line, "post id %zu is not a string", i);
			return CHORUS_EINPUT;
		}
		if (!(en = lookup(e, id, 1)))
			return CHORUS_ENOMEM;
		if (is_camp && en->campaign < 0) {
			en->campaign = (int32_t)(e->ncamp - 1);
			e->camp[e->ncamp - 1].size++;
		} else if (!is_camp && en->negative < 0) {
			en->negative = (int32_t)(e->nneg - 1);
			e->neg[e->nneg - 1].size++;
		}
	}
	return CHORUS_OK;
}

static char *slurp(const char *path, size_t *len, chorus_error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f) {
		chorus_error_set(err, path, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	for (;;) {
		if (n + 65536 + 1 > cap) {
			size_t c = cap ? cap * 2 : 1 << 20;
			char *p;
			if (c > MAX_FILE + 65536 + 1 || !(p = chorus_realloc(buf, c))) {
				chorus_error_set(err, path, 0, "file too large or out of memory");
				chorus_free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
			cap = c;
		}
		size_t got = fread(buf + n, 1, 65536, f);
		n += got;
		if (got < 65536)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int read_truth(evalctx *e, const char *path, chorus_error *err)
{
	size_t len, line = 0;
	char *buf = slurp(path, &len, err), *p;
	int rc = CHORUS_OK;

	if (!buf)
		return CHORUS_EIO;
	for (p = buf; rc == CHORUS_OK && p < buf + len;) {
		char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(buf + len - p);
		json_error_t je;
		json_t *o;
		line++;
		if (n) {
			o = json_loadb(p, n, 0, &je);
			if (!json_is_object(o)) {
				chorus_error_set(err, path, line, "invalid JSON: %s", je.text);
				rc = CHORUS_EINPUT;
			} else {
				rc = truth_line(e, o, path, line, err);
			}
			json_decref(o);
		}
		p += n + 1;
	}
	chorus_free(buf);
	return rc;
}

/* Campaign making up most of the cluster, and the per-post measures. */
static int cmp_i32(const void *a, const void *b)
{
	const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/* B-cubed sums and found / false for one cluster of n posts: its posts'
 * campaigns sorted, so each campaign's count is one run.  O(n log n). */
static void score_cluster(evalctx *e, json_t *posts, int32_t *camps, double *bp, double *br)
{
	const size_t n = json_array_size(posts);
	int32_t major = -1;
	size_t major_n = 0;

	for (size_t i = 0; i < n; i++) {
		entry *en = lookup(e, json_string_value(json_array_get(posts, i)), 0);
		camps[i] = en ? en->campaign : -1;
	}
	qsort(camps, n, sizeof *camps, cmp_i32);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && camps[j] == camps[i]; j++)
			;
		const size_t k = j - i;
		if (camps[i] < 0) {
			*bp += (double)k / (double)n; /* each is a class of its own */
			continue;
		}
		*bp += (double)k * (double)k / (double)n;
		*br += (double)k * (double)k / (double)e->camp[camps[i]].size;
		if (k > major_n) {
			major_n = k;
			major = camps[i];
		}
	}
	if (major >= 0 && 2 * major_n > n) {
		if (2 * major_n > e->camp[major].size)
			e->camp[major].found = 1;
	} else {
		e->out->false_clusters++;
	}
}

static int read_report(evalctx *e, const char *path, double *bp, double *br, chorus_error *err)
{
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je), *clusters, *c;
	int32_t *camps = NULL;
	size_t i, maxn = 1;

	if (!doc) {
		chorus_error_set(err, path, (uint64_t)(je.line > 0 ? je.line : 0), "%s", je.text);
		return CHORUS_EINPUT;
	}
	clusters = json_object_get(doc, "clusters");
	if (!json_is_array(clusters)) {
		chorus_error_set(err, path, 0, "no \"clusters\" array: not a chorus scan report");
		json_decref(doc);
		return CHORUS_EINPUT;
	}
	json_array_foreach(clusters, i, c) {
		size_t n = json_array_size(json_object_get(c, "posts"));
		maxn = n > maxn ? n : maxn;
	}
	camps = chorus_mallocarray(maxn, sizeof *camps);
	if (!camps) {
		json_decref(doc);
		return CHORUS_ENOMEM;
	}
	json_array_foreach(clusters, i, c) {
		json_t *posts = json_object_get(c, "posts"), *v;
		size_t j;
		json_array_foreach(posts, j, v) {
			entry *en = json_string_value(v) ? lookup(e, json_string_value(v), 1) : NULL;
			if (!en) {
				chorus_error_set(err, path, 0, "cluster %zu: post %zu is not a string", i, j);
				chorus_free(camps);
				json_decref(doc);
				return CHORUS_EINPUT;
			}
			if (en->cluster >= 0) {
				chorus_error_set(err, path, 0,
						 "post \"%s\" is in cluster %d and again in cluster %zu: "
						 "not a chorus scan report", en->id, en->cluster + 1, i + 1);
				chorus_free(camps);
				json_decref(doc);
				return CHORUS_EINPUT;
			}
			e->out->flagged_posts++;
			en->cluster = (int32_t)i;
		}
		score_cluster(e, posts, camps, bp, br);
		e->out->clusters++;
	}
	chorus_free(camps);
	json_decref(doc);
	return CHORUS_OK;
}

static void tally(evalctx *e, double bp, double br)
{
	chorus_eval *o = e->out;

	for (size_t i = 0; i < e->cap; i++) {
		const entry *en = &e->tab[i];
		if (!en->id)
			continue;
		if (en->campaign >= 0) {
			chorus_eval_group *g = &o->tiers[e->camp[en->campaign].group];
			g->posts++;
			o->campaign_posts++;
			if (en->cluster >= 0) {
				g->flagged++;
				o->flagged_campaign_posts++;
			} else {
				br += 1.0 / (double)e->camp[en->campaign].size;
			}
		}
		if (en->negative >= 0) {
			chorus_eval_group *g = &o->negatives[e->neg[en->negative].group];
			g->posts++;
			o->negative_posts++;
			if (en->cluster >= 0) {
				g->flagged++;
				o->negative_flagged++;
				e->neg[en->negative].found = 1;
			}
		}
	}
	for (size_t c = 0; c < e->ncamp; c++) {
		o->tiers[e->camp[c].group].items++;
		o->tiers[e->camp[c].group].found += (uint64_t)e->camp[c].found;
		o->found += (uint64_t)e->camp[c].found;
	}
	for (size_t c = 0; c < e->nneg; c++) {
		o->negatives[e->neg[c].group].items++;
		o->negatives[e->neg[c].group].found += (uint64_t)e->neg[c].found;
	}
	o->campaigns = e->ncamp;
	o->campaign_recall = o->campaigns ? (double)o->found / (double)o->campaigns : 0.0;
	o->post_precision = o->flagged_posts ? (double)o->flagged_campaign_posts / (double)o->flagged_posts : 1.0;
	o->post_recall = o->campaign_posts ? (double)o->flagged_campaign_posts / (double)o->campaign_posts : 0.0;
	o->bcubed_precision = o->flagged_posts ? bp / (double)o->flagged_posts : 1.0;
	o->bcubed_recall = o->campaign_posts ? br / (double)o->campaign_posts : 0.0;
	o->bcubed_f1 = o->bcubed_precision + o->bcubed_recall > 0
		? 2 * o->bcubed_precision * o->bcubed_recall / (o->bcubed_precision + o->bcubed_recall)
		: 0.0;
}

int chorus_eval_files(const char *truth_path, const char *report_path, chorus_eval *out,
		      chorus_error *err)
{
	evalctx e = { 0 };
	double bp = 0.0, br = 0.0;
	int rc;

	memset(out, 0, sizeof *out);
	e.out = out;
	rc = read_truth(&e, truth_path, err);
	if (!rc)
		rc = read_report(&e, report_path, &bp, &br, err);
	if (!rc)
		tally(&e, bp, br);
	for (size_t i = 0; i < e.cap; i++)
		chorus_free(e.tab[i].id);
	chorus_free(e.tab);
	chorus_free(e.camp);
	chorus_free(e.neg);
	return rc;
}
