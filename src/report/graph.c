/*
 * graph.c - the account graph of a scan (model and caps: graph_int.h).
 *
 * 1. One entry per flagged post: (author bytes, cluster rank, post index),
 *    sorted; runs of one author are a node, runs of one author and cluster
 *    a member.  No hash table, so the order is the same on every machine.
 * 2. Members re-sorted by (cluster, first post): each cluster's accounts in
 *    the order they first posted.  In rank order, each cluster links its
 *    first m accounts pairwise, m = min(accounts, clique_cap), made smaller
 *    while m(m-1)/2 exceeds what is left of link_cap.  Every link written
 *    is a true co-membership; what does not fit is counted, never guessed.
 * 3. Links sorted by (a, b, cluster); runs of one pair are an edge.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/alloc.h"
#include "graph_int.h"

typedef struct entry {
	const char *name;
	uint32_t len, cluster, post;
} entry;

/* A member in its cluster's posting order. */
typedef struct slot {
	uint32_t cluster, first_post, member;
} slot;

static int cmp_u32(uint32_t a, uint32_t b)
{
	return (a > b) - (a < b);
}

static int cmp_name(const char *a, uint32_t al, const char *b, uint32_t bl)
{
	const int c = memcmp(a, b, al < bl ? al : bl);

	return c ? c : cmp_u32(al, bl);
}

static int cmp_entry(const void *x, const void *y)
{
	const entry *a = x, *b = y;
	int c = cmp_name(a->name, a->len, b->name, b->len);

	c = c ? c : cmp_u32(a->cluster, b->cluster);
	return c ? c : cmp_u32(a->post, b->post);
}

static int cmp_slot(const void *x, const void *y)
{
	const slot *a = x, *b = y;
	const int c = cmp_u32(a->cluster, b->cluster);

	return c ? c : cmp_u32(a->first_post, b->first_post);
}

static int cmp_link(const void *x, const void *y)
{
	const chorus_graph_link *a = x, *b = y;
	int c = cmp_u32(a->a, b->a);

	c = c ? c : cmp_u32(a->b, b->b);
	return c ? c : cmp_u32(a->cluster, b->cluster);
}

static int64_t time_of(const chorus_scan *s, uint32_t post)
{
	return chorus_scan_get_post(s, post)->created_at;
}

/* ---- nodes and members ---- */

static int gather(const chorus_scan *s, entry **out, size_t *n)
{
	const size_t nc = chorus_scan_cluster_count(s);
	size_t total = 0, k = 0;
	entry *e;

	for (size_t c = 0; c < nc; c++)
		total += chorus_scan_get_cluster(s, c)->nposts;
	if (nc > UINT32_MAX || total > UINT32_MAX)
		return CHORUS_ELIMIT;
	e = chorus_mallocarray(total ? total : 1, sizeof *e);
	if (!e)
		return CHORUS_ENOMEM;
	for (size_t c = 0; c < nc; c++) {
		const chorus_cluster *cl = chorus_scan_get_cluster(s, c);
		for (size_t j = 0; j < cl->nposts; j++) {
			const chorus_str a = chorus_scan_get_post(s, cl->posts[j])->author;
			e[k++] = (entry){ a.p ? a.p : "", a.p ? a.len : 0, (uint32_t)c, cl->posts[j] };
		}
	}
	qsort(e, total, sizeof *e, cmp_entry);
	*out = e;
	*n = total;
	return 0;
}

static int same_name(const entry *a, const entry *b)
{
	return cmp_name(a->name, a->len, b->name, b->len) == 0;
}

/* Handle and creation date from the account's earliest flagged post that
 * carries them (scan post indices are in time order). */
static void take_extra(chorus_graph_node *nd, const chorus_post *p, uint32_t post,
		       uint32_t *handle_post, uint32_t *created_post)
{
	const chorus_post_extra *x = p->extra;

	if (x && x->author_handle.p && post < *handle_post) {
		nd->handle = x->author_handle;
		*handle_post = post;
	}
	if (x && x->author_created_at != CHORUS_TIME_NONE && post < *created_post) {
		nd->created = x->author_created_at;
		*created_post = post;
	}
}

static void add_post(chorus_graph *g, const chorus_scan *s, const entry *e, int new_node,
		     uint32_t *handle_post, uint32_t *created_post)
{
	const chorus_post *p = chorus_scan_get_post(s, e->post);
	chorus_graph_node *nd;
	chorus_graph_member *m = g->nmembers ? &g->members[g->nmembers - 1] : NULL;

	if (new_node) {
		g->nodes[g->nnodes++] = (chorus_graph_node){
			.name = { e->name, e->len }, .created = CHORUS_TIME_NONE,
			.first = p->created_at, .last = p->created_at,
			.member = (uint32_t)g->nmembers };
		*handle_post = *created_post = UINT32_MAX;
	}
	nd = &g->nodes[g->nnodes - 1];
	if (new_node || m->cluster != e->cluster) {
		m = &g->members[g->nmembers++];
		*m = (chorus_graph_member){ (uint32_t)(g->nnodes - 1), e->cluster, e->post, e->post };
		nd->nmembers++;
	}
	m->last_post = e->post;
	nd->posts++;
	nd->first = p->created_at < nd->first ? p->created_at : nd->first;
	nd->last = p->created_at > nd->last ? p->created_at : nd->last;
	take_extra(nd, p, e->post, handle_post, created_post);
}

static int make_nodes(chorus_graph *g, const chorus_scan *s, const entry *e, size_t n)
{
	size_t nn = 0, nm = 0;
	uint32_t handle_post = UINT32_MAX, created_post = UINT32_MAX;

	for (size_t i = 0; i < n; i++) {
		const int new_node = i == 0 || !same_name(&e[i - 1], &e[i]);
		nn += new_node;
		nm += new_node || e[i - 1].cluster != e[i].cluster;
	}
	g->nodes = chorus_mallocarray(nn ? nn : 1, sizeof *g->nodes);
	g->members = chorus_mallocarray(nm ? nm : 1, sizeof *g->members);
	if (!g->nodes || !g->members)
		return CHORUS_ENOMEM;
	for (size_t i = 0; i < n; i++)
		add_post(g, s, &e[i], i == 0 || !same_name(&e[i - 1], &e[i]), &handle_post,
			 &created_post);
	for (size_t i = 0; i < g->nnodes; i++) {
		const chorus_graph_node *nd = &g->nodes[i];
		if (g->first == CHORUS_TIME_NONE || nd->first < g->first)
			g->first = nd->first;
		if (g->last == CHORUS_TIME_NONE || nd->last > g->last)
			g->last = nd->last;
	}
	return 0;
}

/* ---- links ---- */

static uint64_t pairs(uint64_t k)
{
	return k < 2 ? 0 : k * (k - 1) / 2;
}

/* How many first accounts of a k-account cluster to link: at most
 * clique_cap, and no more than budget links. */
static size_t clique_size(size_t k, size_t clique_cap, uint64_t budget)
{
	size_t lo = 1, hi = k < clique_cap ? k : clique_cap;

	if (pairs(hi) <= budget)
		return hi;
	while (lo + 1 < hi) { /* pairs(lo) <= budget < pairs(hi) */
		const size_t mid = lo + (hi - lo) / 2;
		if (pairs(mid) <= budget)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static size_t clique(const chorus_graph *g, const chorus_scan *s, const slot *o, size_t m,
		     chorus_graph_link *out)
{
	size_t n = 0;

	for (size_t x = 0; x < m; x++) {
		const chorus_graph_member *mx = &g->members[o[x].member];
		for (size_t y = x + 1; y < m; y++) {
			const chorus_graph_member *my = &g->members[o[y].member];
			const int64_t fx = time_of(s, mx->first_post), fy = time_of(s, my->first_post);
			const int64_t lx = time_of(s, mx->last_post), ly = time_of(s, my->last_post);
			out[n++] = (chorus_graph_link){
				.a = mx->node < my->node ? mx->node : my->node,
				.b = mx->node < my->node ? my->node : mx->node,
				.cluster = mx->cluster,
				.start = fx > fy ? fx : fy, .end = lx > ly ? lx : ly };
		}
	}
	return n;
}

/* Decide cluster by cluster, in rank order, how many accounts to link; with
 * out, write their links too.  Both passes take the same decisions.
 * Returns the number of links. */
static size_t link_clusters(chorus_graph *g, const chorus_scan *s, const slot *o, size_t n,
			    chorus_graph_link *out)
{
	uint64_t budget = g->link_cap;
	size_t made = 0;

	g->links_left_out = 0;
	g->clusters_cut = 0;
	for (size_t i = 0, j; i < n; i = j) {
		size_t k, m;
		for (j = i + 1; j < n && o[j].cluster == o[i].cluster; j++)
			;
		k = j - i;
		m = clique_size(k, g->clique_cap, budget);
		budget -= pairs(m);
		g->links_left_out += pairs(k) - pairs(m);
		g->clusters_cut += m < k;
		made += out ? clique(g, s, o + i, m, out + made) : (size_t)pairs(m);
	}
	return made;
}

static int make_links(chorus_graph *g, const chorus_scan *s)
{
	slot *o = chorus_mallocarray(g->nmembers ? g->nmembers : 1, sizeof *o);
	int rc = 0;

	if (!o)
		return CHORUS_ENOMEM;
	for (size_t i = 0; i < g->nmembers; i++)
		o[i] = (slot){ g->members[i].cluster, g->members[i].first_post, (uint32_t)i };
	qsort(o, g->nmembers, sizeof *o, cmp_slot);
	g->nlinks = link_clusters(g, s, o, g->nmembers, NULL);
	g->links = chorus_mallocarray(g->nlinks ? g->nlinks : 1, sizeof *g->links);
	if (g->links)
		link_clusters(g, s, o, g->nmembers, g->links);
	else
		rc = CHORUS_ENOMEM;
	chorus_free(o);
	if (rc == 0)
		qsort(g->links, g->nlinks, sizeof *g->links, cmp_link);
	return rc;
}

/* ---- edges ---- */

static int same_pair(const chorus_graph_link *x, const chorus_graph_link *y)
{
	return x->a == y->a && x->b == y->b;
}

static int make_edges(chorus_graph *g)
{
	const chorus_graph_link *l = g->links;
	size_t ne = 0;

	for (size_t i = 0; i < g->nlinks; i++)
		ne += i == 0 || !same_pair(&l[i - 1], &l[i]);
	g->edges = chorus_mallocarray(ne ? ne : 1, sizeof *g->edges);
	if (!g->edges)
		return CHORUS_ENOMEM;
	for (size_t i = 0; i < g->nlinks; i++) {
		chorus_graph_edge *e;
		if (i == 0 || !same_pair(&l[i - 1], &l[i]))
			g->edges[g->nedges++] = (chorus_graph_edge){ l[i].a, l[i].b, (uint32_t)i, 0,
								      l[i].start, l[i].end };
		e = &g->edges[g->nedges - 1];
		e->nlinks++;
		e->start = l[i].start < e->start ? l[i].start : e->start;
		e->end = l[i].end > e->end ? l[i].end : e->end;
	}
	return 0;
}

int chorus_graph_init(chorus_graph *g, const chorus_scan *s, size_t clique_cap,
		      size_t link_cap)
{
	chorus_graph t = { .clique_cap = clique_cap, .link_cap = link_cap,
			   .first = CHORUS_TIME_NONE, .last = CHORUS_TIME_NONE };
	entry *e = NULL;
	size_t n = 0;
	int rc;

	assert(clique_cap >= 2 && link_cap <= UINT32_MAX);
	rc = gather(s, &e, &n);
	rc = rc ? rc : make_nodes(&t, s, e, n);
	rc = rc ? rc : make_links(&t, s);
	rc = rc ? rc : make_edges(&t);
	chorus_free(e);
	if (rc) {
		chorus_graph_dispose(&t);
		return rc;
	}
	*g = t;
	return 0;
}

void chorus_graph_dispose(chorus_graph *g)
{
	chorus_free(g->nodes);
	chorus_free(g->members);
	chorus_free(g->links);
	chorus_free(g->edges);
	memset(g, 0, sizeof *g);
}
