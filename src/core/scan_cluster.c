/*
 * scan_cluster.c - stage "cluster": connected components of the verified
 * links, then for each group with at least min_accounts distinct authors
 * within one window: accounts, similarity figures, medoid, id and score.
 *
 * Components: union-find whose root is always the smaller index, so a
 * component's root is its earliest post whatever the order of the unions.
 * Groups are numbered by root, members listed in time order.
 *
 * A group is a cluster when it has min_accounts distinct authors within one
 * window (burst_accounts, two pointers over the time-ordered members, O(m)).
 *
 * Per-cluster figures (in parallel over clusters, into fixed slots):
 *   similarity      min / median / max over the cluster's verified links
 *   template        medoid over distinct texts (shingle sets): the variant
 *                   with the highest count-weighted Jaccard to the others,
 *                   among the 64 most frequent variants against the 256 most
 *                   frequent, ties to the earliest post; O(64 * 256) Jaccards
 *                   at most per cluster
 *   id              first 16 hex digits of SHA-256 over the member post
 *                   ids, each followed by a newline, in time order
 *   score           burst_accounts * median similarity
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/sha256.h"
#include "par_int.h"
#include "scan_int.h"

#define MEDOID_CANDIDATES 64
#define MEDOID_REFERENCES 256

typedef struct group {
	uint32_t first;   /* offset of the members in the member list */
	uint32_t size;
	uint32_t edges;   /* offset of the links in the link list */
	uint32_t nedges;
	uint32_t naccounts;
	uint32_t burst;   /* most distinct authors within one window */
	bool keep;        /* enough accounts within one window: a cluster */
} group;

typedef struct variant {
	uint64_t hash;
	uint32_t first, count;
} variant;

typedef struct cluster_worker {
	float *sims;
	size_t sims_cap;
	variant *vars;
	size_t vars_cap;
	chorus_sha256 *sha;
} cluster_worker;

typedef struct grouping {
	uint32_t *members; /* linked posts grouped by component, time order */
	float *edge_sim;   /* link similarities grouped by component */
	group *groups;
	size_t ngroups;
} grouping;

static uint32_t find(uint32_t *parent, uint32_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

static void unite(uint32_t *parent, uint32_t a, uint32_t b)
{
	uint32_t ra = find(parent, a), rb = find(parent, b);

	if (ra < rb)
		parent[rb] = ra;
	else if (rb < ra)
		parent[ra] = rb;
}

/* Group linked posts and their links by component (root order). */
static int build_groups(struct chorus_scan *s, uint32_t *parent, grouping *g)
{
	uint32_t *gno = chorus_mallocarray(s->n ? s->n : 1, sizeof *gno); /* root -> group + 1 */
	size_t at = 0;

	if (!gno)
		return CHORUS_ENOMEM;
	memset(gno, 0, s->n * sizeof *gno);
	for (size_t k = 0; k < s->nedges; k++)
		unite(parent, s->edges[k].a, s->edges[k].b);
	/* parent[x] <= x always, so one ascending pass points every post
	 * straight at its root. */
	for (size_t i = 0; i < s->n; i++)
		parent[i] = parent[parent[i]];
	/* Mark linked posts, then number components in root order: a root
	 * is its component's smallest index, so it is met first. */
	for (size_t k = 0; k < s->nedges; k++) {
		gno[s->edges[k].a] = UINT32_MAX;
		gno[s->edges[k].b] = UINT32_MAX;
	}
	g->ngroups = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (!gno[i])
			continue;
		if (parent[i] == i)
			gno[i] = (uint32_t)++g->ngroups;
		else
			gno[i] = 0; /* only roots keep a number */
	}
	g->groups = chorus_calloc(g->ngroups ? g->ngroups : 1, sizeof *g->groups);
	g->members = chorus_mallocarray(s->n ? s->n : 1, sizeof *g->members);
	g->edge_sim = chorus_mallocarray(s->nedges ? s->nedges : 1, sizeof *g->edge_sim);
	if (!g->groups || !g->members || !g->edge_sim) {
		chorus_free(gno);
		return CHORUS_ENOMEM;
	}
	for (size_t i = 0; i < s->n; i++)
		if (gno[parent[i]])
			g->groups[gno[parent[i]] - 1].size++;
	for (size_t k = 0; k < s->nedges; k++)
		g->groups[gno[parent[s->edges[k].a]] - 1].nedges++;
	for (size_t q = 0, e = 0; q < g->ngroups; q++) {
		g->groups[q].first = (uint32_t)at;
		g->groups[q].edges = (uint32_t)e;
		at += g->groups[q].size;
		e += g->groups[q].nedges;
		g->groups[q].size = 0;
		g->groups[q].nedges = 0;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (!gno[parent[i]])
			continue;
		group *gr = &g->groups[gno[parent[i]] - 1];
		g->members[gr->first + gr->size++] = (uint32_t)i;
	}
	for (size_t k = 0; k < s->nedges; k++) {
		group *gr = &g->groups[gno[parent[s->edges[k].a]] - 1];
		g->edge_sim[gr->edges + gr->nedges++] = s->edges[k].sim;
	}
	s->stats.linked_posts = at;
	s->stats.groups = g->ngroups;
	chorus_free(gno);
	return CHORUS_OK;
}

/* Most distinct authors among members (time order) within one window: two
 * pointers, O(m).  count[] is zero on entry and on return. */
static uint32_t burst_accounts(const struct chorus_scan *s, const uint32_t *posts, size_t n,
			       uint32_t *count)
{
	size_t lo = 0;
	uint32_t distinct = 0, best = 0;

	for (size_t hi = 0; hi < n; hi++) {
		const uint32_t i = posts[hi];
		if (count[s->author[i]]++ == 0)
			distinct++;
		while (s->time[i] - s->time[posts[lo]] > s->p.window)
			if (--count[s->author[posts[lo++]]] == 0)
				distinct--;
		if (distinct > best)
			best = distinct;
	}
	for (; lo < n; lo++)
		count[s->author[posts[lo]]] = 0;
	return best;
}

/*
 * Count distinct authors of every group (stamp[a] = last group seen) and,
 * where there are enough, the most of them within one window.  A group is a
 * cluster only when min_accounts distinct authors posted within one window:
 * links join posts at most a window apart, but a chain of links can stretch
 * a group over weeks (a headline shared by two readers a day for a month);
 * such a slow group is counted and left out.
 */
static int count_accounts(struct chorus_scan *s, grouping *g, size_t *nclusters, size_t *mem)
{
	uint32_t *stamp = chorus_calloc(s->nauthors ? s->nauthors : 1, sizeof *stamp);
	uint32_t *count = chorus_calloc(s->nauthors ? s->nauthors : 1, sizeof *count);

	if (!stamp || !count) {
		chorus_free(stamp);
		chorus_free(count);
		return CHORUS_ENOMEM;
	}
	*nclusters = 0;
	*mem = 0;
	for (size_t q = 0; q < g->ngroups; q++) {
		group *gr = &g->groups[q];
		for (uint32_t k = 0; k < gr->size; k++) {
			uint32_t a = s->author[g->members[gr->first + k]];
			if (stamp[a] != q + 1) {
				stamp[a] = (uint32_t)q + 1;
				gr->naccounts++;
			}
		}
		if (gr->naccounts < s->p.min_accounts)
			continue;
		gr->burst = burst_accounts(s, g->members + gr->first, gr->size, count);
		if (gr->burst < s->p.min_accounts) {
			s->stats.slow_groups++;
			continue;
		}
		gr->keep = true;
		++*nclusters;
		*mem += (size_t)gr->size + gr->naccounts;
	}
	chorus_free(stamp);
	chorus_free(count);
	return CHORUS_OK;
}

/* Lay out the posts and accounts of every cluster in s->cluster_mem. */
static int fill_clusters(struct chorus_scan *s, const grouping *g, uint32_t *gidx)
{
	uint32_t *stamp = chorus_calloc(s->nauthors ? s->nauthors : 1, sizeof *stamp);
	uint32_t *mem = s->cluster_mem;
	size_t c = 0;

	if (!stamp)
		return CHORUS_ENOMEM;
	for (size_t q = 0; q < g->ngroups; q++) {
		const group *gr = &g->groups[q];
		chorus_cluster *cl;
		uint32_t *acc;
		if (!gr->keep)
			continue;
		cl = &s->clusters[c];
		gidx[c++] = (uint32_t)q;
		memcpy(mem, g->members + gr->first, gr->size * sizeof *mem);
		cl->posts = mem;
		cl->nposts = gr->size;
		mem += gr->size;
		acc = mem;
		for (uint32_t k = 0; k < gr->size; k++) {
			uint32_t i = g->members[gr->first + k], a = s->author[i];
			if (stamp[a] != q + 1) {
				stamp[a] = (uint32_t)q + 1;
				*mem++ = i;
			}
		}
		cl->accounts = acc;
		cl->naccounts = (size_t)(mem - acc);
	}
	chorus_free(stamp);
	return CHORUS_OK;
}

static int cmp_float(const void *a, const void *b)
{
	const float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

static int similarity_figures(chorus_cluster *cl, const float *sims, size_t n,
			      cluster_worker *w)
{
	if (n > w->sims_cap) {
		float *p = chorus_reallocarray(w->sims, n, sizeof *p);
		if (!p)
			return CHORUS_ENOMEM;
		w->sims = p;
		w->sims_cap = n;
	}
	memcpy(w->sims, sims, n * sizeof *sims);
	qsort(w->sims, n, sizeof *w->sims, cmp_float);
	cl->pairs = n;
	cl->sim_min = w->sims[0];
	cl->sim_max = w->sims[n - 1];
	cl->sim_median = n % 2 ? w->sims[n / 2]
			       : ((double)w->sims[n / 2 - 1] + (double)w->sims[n / 2]) / 2.0;
	return CHORUS_OK;
}

static int cmp_variant_hash(const void *a, const void *b)
{
	const variant *x = a, *y = b;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return (x->first > y->first) - (x->first < y->first);
}

static int cmp_variant_count(const void *a, const void *b)
{
	const variant *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return (x->first > y->first) - (x->first < y->first);
}

/* Distinct shingle sets of the cluster, most frequent first. */
static int variants(const struct chorus_scan *s, const chorus_cluster *cl, cluster_worker *w,
		    size_t *nvars)
{
	size_t v = 0;

	if (cl->nposts > w->vars_cap) {
		variant *p = chorus_reallocarray(w->vars, cl->nposts, sizeof *p);
		if (!p)
			return CHORUS_ENOMEM;
		w->vars = p;
		w->vars_cap = cl->nposts;
	}
	for (size_t k = 0; k < cl->nposts; k++) {
		w->vars[k].hash = s->sethash[cl->posts[k]];
		w->vars[k].first = cl->posts[k];
		w->vars[k].count = 1;
	}
	qsort(w->vars, cl->nposts, sizeof *w->vars, cmp_variant_hash);
	for (size_t k = 0; k < cl->nposts; k++) {
		if (v && w->vars[v - 1].hash == w->vars[k].hash)
			w->vars[v - 1].count++;
		else
			w->vars[v++] = w->vars[k];
	}
	qsort(w->vars, v, sizeof *w->vars, cmp_variant_count);
	*nvars = v;
	return CHORUS_OK;
}

static int medoid(const struct chorus_scan *s, chorus_cluster *cl, cluster_worker *w)
{
	size_t nv, nc, nr, best = 0;
	double best_score = -1.0;
	int rc = variants(s, cl, w, &nv);

	if (rc)
		return rc;
	nc = nv < MEDOID_CANDIDATES ? nv : MEDOID_CANDIDATES;
	nr = nv < MEDOID_REFERENCES ? nv : MEDOID_REFERENCES;
	for (size_t c = 0; c < nc; c++) {
		size_t na, nb;
		const uint32_t *a = scan_shingles(s, w->vars[c].first, &na);
		double sum = 0.0;
		for (size_t r = 0; r < nr; r++) {
			const uint32_t *b = scan_shingles(s, w->vars[r].first, &nb);
			sum += w->vars[r].count * (r == c ? 1.0 : chorus_jaccard(a, na, b, nb));
		}
		if (sum > best_score ||
		    (sum == best_score && w->vars[c].first < w->vars[best].first)) {
			best_score = sum;
			best = c;
		}
	}
	cl->template_post = w->vars[best].first;
	return CHORUS_OK;
}

static void cluster_id(const struct chorus_scan *s, chorus_cluster *cl, chorus_sha256 *sha)
{
	char hex[CHORUS_SHA256_HEX];

	for (size_t k = 0; k < cl->nposts; k++) {
		const chorus_str *id = &s->post[cl->posts[k]]->id;
		chorus_sha256_update(sha, id->p, id->len);
		chorus_sha256_update(sha, "\n", 1);
	}
	chorus_sha256_final_hex(sha, hex);
	memcpy(cl->id, hex, 16);
	cl->id[16] = '\0';
}

static int describe(const struct chorus_scan *s, chorus_cluster *cl, const group *gr,
		    const float *edge_sim, cluster_worker *w)
{
	int rc;

	cl->first_seen = s->time[cl->posts[0]];
	cl->last_seen = s->time[cl->posts[cl->nposts - 1]];
	cl->burst_accounts = gr->burst;
	rc = similarity_figures(cl, edge_sim + gr->edges, gr->nedges, w);
	if (!rc)
		rc = medoid(s, cl, w);
	cluster_id(s, cl, w->sha);
	cl->score = (double)cl->burst_accounts * cl->sim_median;
	return rc;
}

static int cmp_cluster(const void *a, const void *b)
{
	const chorus_cluster *x = a, *y = b;
	int c;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->nposts != y->nposts)
		return x->nposts > y->nposts ? -1 : 1;
	if (x->first_seen != y->first_seen)
		return x->first_seen < y->first_seen ? -1 : 1;
	if ((c = strcmp(x->id, y->id)) != 0)
		return c;
	return (x->posts[0] > y->posts[0]) - (x->posts[0] < y->posts[0]);
}

void scan_sort_clusters(struct chorus_scan *s)
{
	qsort(s->clusters, s->nclusters, sizeof *s->clusters, cmp_cluster);
}

static void free_workers(cluster_worker *w, int nt)
{
	if (!w)
		return;
	for (int t = 0; t < nt; t++) {
		chorus_free(w[t].sims);
		chorus_free(w[t].vars);
		chorus_sha256_free(w[t].sha);
	}
	chorus_free(w);
}

static cluster_worker *new_workers(const struct chorus_scan *s, int nt)
{
	cluster_worker *w = chorus_calloc((size_t)nt, sizeof *w);

	if (!w)
		return NULL;
	for (int t = 0; t < nt; t++) {
		w[t].sha = chorus_sha256_new();
		if (!w[t].sha) {
			free_workers(w, nt);
			return NULL;
		}
	}
	return w;
}

static int describe_all(struct chorus_scan *s, const grouping *g, const uint32_t *gidx)
{
	const int nt = chorus_par_threads(s->p.threads);
	const long nc = (long)s->nclusters;
	cluster_worker *w = new_workers(s, nt);
	int failed = 0;

	if (!w)
		return CHORUS_ENOMEM;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) default(none) \
	shared(s, g, gidx, w, failed) firstprivate(nc)
	for (long c = 0; c < nc; c++) {
		cluster_worker *me = &w[chorus_par_thread_id()];
		if (describe(s, &s->clusters[c], &g->groups[gidx[c]], g->edge_sim, me)) {
#pragma omp atomic write
			failed = 1;
		}
	}
	free_workers(w, nt);
	return failed ? CHORUS_ENOMEM : CHORUS_OK;
}

int scan_cluster(struct chorus_scan *s, chorus_error *err)
{
	uint32_t *parent = chorus_mallocarray(s->n ? s->n : 1, sizeof *parent);
	uint32_t *gidx = NULL;
	grouping g = { 0 };
	size_t mem = 0;
	int rc = CHORUS_ENOMEM;

	if (!parent)
		return CHORUS_ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		parent[i] = (uint32_t)i;
	rc = build_groups(s, parent, &g);
	if (!rc)
		rc = count_accounts(s, &g, &s->nclusters, &mem);
	if (rc)
		goto out;
	rc = CHORUS_ENOMEM;
	s->clusters = chorus_calloc(s->nclusters ? s->nclusters : 1, sizeof *s->clusters);
	s->cluster_mem = chorus_mallocarray(mem ? mem : 1, sizeof *s->cluster_mem);
	gidx = chorus_mallocarray(s->nclusters ? s->nclusters : 1, sizeof *gidx);
	if (!s->clusters || !s->cluster_mem || !gidx)
		goto out;
	rc = fill_clusters(s, &g, gidx);
	if (!rc)
		rc = describe_all(s, &g, gidx);
	if (!rc) {
		scan_sort_clusters(s);
		s->stats.clusters = s->nclusters;
	}
out:
	chorus_free(parent);
	chorus_free(gidx);
	chorus_free(g.groups);
	chorus_free(g.members);
	chorus_free(g.edge_sim);
	return rc;
}
