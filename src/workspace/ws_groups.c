/*
 * ws_groups.c - groups and clusters after a night changed some links.
 *
 * A group is a connected component of the link graph (two or more posts);
 * it is a cluster when the batch rule says so (min_accounts distinct
 * accounts within one window), and gets a cluster id the first night it
 * qualifies.  Only the groups a changed link touches can change:
 *
 *   1. T = the endpoints of the links added and removed tonight; S = T and
 *      every member of their groups.  Every link with an end in S has its
 *      owner (later end) in S, so the links owned by S are the subgraph.
 *   2. Union-find over S gives the new components (a post left alone is
 *      no longer a member).
 *   3. Each old group claims the component holding its earliest member
 *      still linked.  A component claimed by several groups is a merge:
 *      the survivor is the part whose cluster was first seen earliest
 *      (parts with a cluster id before parts without; ties: the earliest
 *      anchor post), the others are absorbed and their cluster ids retired
 *      as merged into the survivor's.  A component nobody claims is new
 *      (possibly a part split off a group).
 *   4. The components are clustered from their links by the batch code
 *      (ws_load_scan -> chorus_scan_from_links), which says which qualify
 *      and gives every figure; a new cluster's id is its batch id that
 *      night (or, if a retired id has it, a hash of it with a counter).
 *
 * Events ('new', 'grown', 'absorbed', 'merged', 'split', 'withdrawn') go
 * to cluster_events; the changes (new, grown, withdrawn) to the night.
 * Cost: O(|S| log |S|) plus one indexed lookup per post and link of S.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/sha256.h"
#include "chorus/timeutil.h"
#include "ws_int.h"

typedef struct node {
	int64_t seq, t, old_grp;
	uint32_t parent;
	uint32_t comp;        /* component number + 1; 0: alone */
} node;

typedef struct comp {
	uint32_t size, anchor;  /* node of its earliest post */
	const chorus_cluster *cl; /* when it qualifies */
} comp;

typedef struct old_group {
	ws_group g;
	ws_cluster c;         /* when g.cluster is set */
	int64_t anchor_t;
	uint32_t claim;       /* component + 1; 0: dissolved */
} old_group;

typedef struct vec64 {
	int64_t *v;
	size_t len, cap;
} vec64;

typedef struct upd {
	chorus_ws *ws;
	chorus_ws_night *n;
	chorus_error *err;
	vec64 t, g, s;        /* touched posts, their groups, all posts */
	node *nodes;
	ws_link *edges;
	size_t nedges, cap_edges;
	comp *comps;
	size_t ncomps;
	old_group *og;        /* one per g.v[] */
	size_t cap_changes;
} upd;

static int push64(vec64 *v, int64_t x)
{
	if (v->len == v->cap) {
		size_t c = v->cap ? v->cap * 2 : 256;
		int64_t *p = chorus_reallocarray(v->v, c, sizeof *p);
		if (!p)
			return CHORUS_ENOMEM;
		v->v = p;
		v->cap = c;
	}
	v->v[v->len++] = x;
	return CHORUS_OK;
}

static int cmp_i64(const void *x, const void *y)
{
	const int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

static void sort_unique(vec64 *v)
{
	size_t w = 0;

	if (v->len < 2)
		return;
	qsort(v->v, v->len, sizeof *v->v, cmp_i64);
	for (size_t k = 0; k < v->len; k++)
		if (w == 0 || v->v[k] != v->v[w - 1])
			v->v[w++] = v->v[k];
	v->len = w;
}

/* Index of x in sorted v, or -1. */
static long find64(const vec64 *v, int64_t x)
{
	size_t lo = 0, hi = v->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v->v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < v->len && v->v[lo] == x ? (long)lo : -1;
}

static int damaged(upd *u, const char *what)
{
	chorus_error_set(u->err, "", 0, "damaged workspace: %s", what);
	return CHORUS_EINPUT;
}

/* (t, seq) order of nodes */
static int earlier(const node *a, const node *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

/* ---- 1. the posts concerned ---- */

static int add_member(void *ud, int64_t seq)
{
	return push64(&((upd *)ud)->s, seq);
}

static int gather(upd *u, const ws_link *added, size_t nadded, const ws_link *removed,
		  size_t nremoved)
{
	int rc = CHORUS_OK;

	for (size_t k = 0; rc == CHORUS_OK && k < nadded; k++)
		rc = push64(&u->t, added[k].a) ? CHORUS_ENOMEM : push64(&u->t, added[k].b);
	for (size_t k = 0; rc == CHORUS_OK && k < nremoved; k++)
		rc = push64(&u->t, removed[k].a) ? CHORUS_ENOMEM : push64(&u->t, removed[k].b);
	if (rc)
		return rc;
	sort_unique(&u->t);
	for (size_t k = 0; rc == CHORUS_OK && k < u->t.len; k++) {
		int64_t grp;
		rc = ws_db_group_of(u->ws->db, u->t.v[k], &grp, u->err);
		if (rc == CHORUS_OK && grp)
			rc = push64(&u->g, grp);
		if (rc == CHORUS_OK)
			rc = push64(&u->s, u->t.v[k]);
	}
	if (rc)
		return rc;
	sort_unique(&u->g);
	for (size_t k = 0; rc == CHORUS_OK && k < u->g.len; k++)
		rc = ws_db_each_member(u->ws->db, u->g.v[k], add_member, u, u->err);
	sort_unique(&u->s);
	return rc;
}

/* ---- 2. components ---- */

static uint32_t find(node *nd, uint32_t x)
{
	while (nd[x].parent != x) {
		nd[x].parent = nd[nd[x].parent].parent;
		x = nd[x].parent;
	}
	return x;
}

static int add_edge(void *ud, int64_t a, int64_t b, float sim)
{
	upd *u = ud;
	const long i = find64(&u->s, a), j = find64(&u->s, b);
	ws_link l = { a, b, sim };
	uint32_t ra, rb;

	if (i < 0 || j < 0)
		return damaged(u, "a link leaves its group");
	if (u->nedges == u->cap_edges) {
		size_t c = u->cap_edges ? u->cap_edges * 2 : 1024;
		ws_link *p = chorus_reallocarray(u->edges, c, sizeof *p);
		if (!p)
			return CHORUS_ENOMEM;
		u->edges = p;
		u->cap_edges = c;
	}
	u->edges[u->nedges++] = l;
	ra = find(u->nodes, (uint32_t)i);
	rb = find(u->nodes, (uint32_t)j);
	if (ra != rb)
		u->nodes[ra > rb ? ra : rb].parent = ra < rb ? ra : rb;
	return CHORUS_OK;
}

static int components(upd *u)
{
	const size_t n = u->s.len;
	uint32_t *num;
	int rc = CHORUS_OK;

	u->nodes = chorus_calloc(n ? n : 1, sizeof *u->nodes);
	num = chorus_calloc(n ? n : 1, sizeof *num);
	if (!u->nodes || !num) {
		chorus_free(num);
		return CHORUS_ENOMEM;
	}
	for (size_t i = 0; rc == CHORUS_OK && i < n; i++) {
		node *nd = &u->nodes[i];
		nd->seq = u->s.v[i];
		nd->parent = (uint32_t)i;
		rc = ws_db_post_time(u->ws->db, nd->seq, &nd->t, u->err);
		rc = rc ? rc : ws_db_group_of(u->ws->db, nd->seq, &nd->old_grp, u->err);
	}
	for (size_t i = 0; rc == CHORUS_OK && i < n; i++)
		rc = ws_db_each_link_of(u->ws->db, u->s.v[i], add_edge, u, u->err);
	if (rc) {
		chorus_free(num);
		return rc;
	}
	/* roots are a component's smallest index: numbered in node order */
	for (size_t i = 0; i < n; i++)
		num[find(u->nodes, (uint32_t)i)]++;
	for (size_t i = 0; i < n; i++)
		if (num[i] >= 2)
			num[i] = (uint32_t)++u->ncomps | 0x80000000u;
	u->comps = chorus_calloc(u->ncomps ? u->ncomps : 1, sizeof *u->comps);
	if (!u->comps) {
		chorus_free(num);
		return CHORUS_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const uint32_t r = num[find(u->nodes, (uint32_t)i)];
		comp *c;
		if (!(r & 0x80000000u))
			continue;
		u->nodes[i].comp = r & 0x7fffffffu;
		c = &u->comps[u->nodes[i].comp - 1];
		if (c->size++ == 0 || earlier(&u->nodes[i], &u->nodes[c->anchor]))
			c->anchor = (uint32_t)i;
	}
	chorus_free(num);
	return CHORUS_OK;
}

/* ---- 3. who claims what ---- */

static int load_old_groups(upd *u)
{
	int rc = CHORUS_OK;

	u->og = chorus_calloc(u->g.len ? u->g.len : 1, sizeof *u->og);
	if (!u->og)
		return CHORUS_ENOMEM;
	for (size_t k = 0; rc == CHORUS_OK && k < u->g.len; k++) {
		old_group *o = &u->og[k];
		long a;
		int found = 1;
		rc = ws_db_get_group(u->ws->db, u->g.v[k], &o->g, u->err);
		if (rc == CHORUS_OK && o->g.cluster[0])
			rc = ws_db_get_cluster(u->ws->db, o->g.cluster, &o->c, &found, u->err);
		if (rc == CHORUS_OK && !found)
			rc = damaged(u, "a group names a cluster that is not recorded");
		if (rc == CHORUS_OK && (a = find64(&u->s, o->g.anchor)) < 0)
			rc = damaged(u, "a group's anchor is not among its members");
		if (rc == CHORUS_OK)
			o->anchor_t = u->nodes[a].t;
	}
	/* claim: the component of the earliest member still linked */
	{
		uint32_t *best = chorus_calloc(u->g.len ? u->g.len : 1, sizeof *best);
		if (!best)
			return CHORUS_ENOMEM;
		for (size_t i = 0; rc == CHORUS_OK && i < u->s.len; i++) {
			const node *nd = &u->nodes[i];
			long k;
			if (!nd->comp || !nd->old_grp)
				continue;
			if ((k = find64(&u->g, nd->old_grp)) < 0)
				continue;
			if (!best[k] || earlier(nd, &u->nodes[best[k] - 1]))
				best[k] = (uint32_t)i + 1;
		}
		for (size_t k = 0; k < u->g.len; k++)
			u->og[k].claim = best[k] ? u->nodes[best[k] - 1].comp : 0;
		chorus_free(best);
	}
	return rc;
}

/* Does part a survive rather than b? */
static int survives(const old_group *a, const old_group *b)
{
	const int ia = a->g.cluster[0] != 0, ib = b->g.cluster[0] != 0;

	if (ia != ib)
		return ia;
	if (ia && a->c.first_run != b->c.first_run)
		return a->c.first_run < b->c.first_run;
	if (a->anchor_t != b->anchor_t)
		return a->anchor_t < b->anchor_t;
	return a->g.anchor < b->g.anchor;
}

/* ---- 4. clusters ---- */

static int describe(upd *u, const chorus_models *models, int threads, chorus_corpus **corpus,
		    chorus_scan **scan)
{
	vec64 in = { 0 };
	int rc = CHORUS_OK;

	for (size_t i = 0; rc == CHORUS_OK && i < u->s.len; i++)
		if (u->nodes[i].comp)
			rc = push64(&in, u->s.v[i]);
	if (!rc)
		rc = ws_load_scan(u->ws, in.v, in.len, u->edges, u->nedges, models, threads, 0,
				  corpus, scan, u->err);
	for (size_t k = 0; rc == CHORUS_OK && k < chorus_scan_cluster_count(*scan); k++) {
		const chorus_cluster *cl = chorus_scan_get_cluster(*scan, k);
		const chorus_post *p0 = chorus_scan_get_post(*scan, cl->posts[0]);
		const long i = find64(&u->s, in.v[p0 - chorus_corpus_posts(*corpus)]);
		u->comps[u->nodes[i].comp - 1].cl = cl;
	}
	chorus_free(in.v);
	return rc;
}

/* An id for a new cluster: its batch id, unless a recorded cluster has it. */
static int fresh_id(upd *u, const char *base, char out[17])
{
	for (unsigned k = 0;; k++) {
		ws_cluster c;
		int found;
		int rc;
		if (k == 0) {
			memcpy(out, base, 17);
		} else {
			char text[64], hex[CHORUS_SHA256_HEX];
			snprintf(text, sizeof text, "%s#%u", base, k);
			if (chorus_sha256_hex(text, strlen(text), hex))
				return CHORUS_ENOMEM;
			memcpy(out, hex, 16);
			out[16] = '\0';
		}
		if ((rc = ws_db_get_cluster(u->ws->db, out, &c, &found, u->err)) || !found)
			return rc;
	}
}

static void figures(ws_cluster *c, const chorus_cluster *cl)
{
	c->posts = cl->nposts;
	c->accounts = cl->naccounts;
	c->burst = cl->burst_accounts;
	c->score = cl->score;
	c->first_seen = cl->first_seen;
	c->last_seen = cl->last_seen;
}

static chorus_ws_change *new_change(upd *u, const ws_cluster *c, int kind, uint64_t before)
{
	chorus_ws_night *n = u->n;
	chorus_ws_change *ch;

	if (n->nchanges == u->cap_changes) {
		size_t cap = u->cap_changes ? u->cap_changes * 2 : 16;
		ch = chorus_reallocarray(n->changes, cap, sizeof *ch);
		if (!ch)
			return NULL;
		n->changes = ch;
		u->cap_changes = cap;
	}
	ch = &n->changes[n->nchanges++];
	memset(ch, 0, sizeof *ch);
	memcpy(ch->id, c->id, 17);
	ch->kind = kind;
	ch->posts = c->posts;
	ch->posts_before = before;
	ch->accounts = c->accounts;
	ch->burst_accounts = c->burst;
	ch->score = c->score;
	ch->first_seen = c->first_seen;
	ch->last_seen = c->last_seen;
	return ch;
}

static int note_merge(chorus_ws_change *ch, const char *id)
{
	char (*m)[17] = chorus_reallocarray(ch->merged, ch->nmerged + 1, sizeof *m);

	if (!m)
		return CHORUS_ENOMEM;
	ch->merged = m;
	memcpy(m[ch->nmerged++], id, 17);
	return CHORUS_OK;
}

/* Retire the absorbed parts' cluster ids into survivor id x. */
static int absorb(upd *u, size_t c, size_t surv, const ws_cluster *x, chorus_ws_change *ch)
{
	const int64_t run = u->n->run;
	int rc = CHORUS_OK;

	for (size_t k = 0; rc == CHORUS_OK && k < u->g.len; k++) {
		old_group *o = &u->og[k];
		if (o->claim != c + 1 || k == surv)
			continue;
		if (o->g.cluster[0]) {
			o->c.status = WS_MERGED;
			memcpy(o->c.merged_into, x->id, 17);
			o->c.last_run = run;
			rc = ws_db_put_cluster(u->ws->db, &o->c, u->err);
			rc = rc ? rc : ws_db_put_event(u->ws->db, run, o->c.id, "merged", x->id,
						       &o->c, u->err);
			rc = rc ? rc : ws_db_put_event(u->ws->db, run, x->id, "absorbed", o->c.id,
						       x, u->err);
			rc = rc ? rc : (ch ? note_merge(ch, o->c.id) : CHORUS_OK);
			u->n->merged++;
		}
		rc = rc ? rc : ws_db_del_group(u->ws->db, o->g.grp, u->err);
	}
	return rc;
}

/* A cluster of a part cut off another group, or "". */
static const char *split_parent(const upd *u, size_t c)
{
	for (size_t i = 0; i < u->s.len; i++) {
		const node *nd = &u->nodes[i];
		long k;
		if (nd->comp != c + 1 || !nd->old_grp || (k = find64(&u->g, nd->old_grp)) < 0)
			continue;
		if (u->og[k].claim != c + 1 && u->og[k].g.cluster[0])
			return u->og[k].g.cluster;
	}
	return "";
}

/* The cluster of component c (it qualifies) with survivor part surv or none
 * (surv == g.len).  Updates the group row g. */
static int settle_cluster(upd *u, size_t c, size_t surv, ws_group *g)
{
	const int64_t run = u->n->run;
	const chorus_cluster *cl = u->comps[c].cl;
	int absorbs = 0, rc;
	chorus_ws_change *ch = NULL;
	ws_cluster x;

	for (size_t k = 0; k < u->g.len; k++)
		absorbs += u->og[k].claim == c + 1 && k != surv && u->og[k].g.cluster[0];
	if (g->cluster[0]) {
		const ws_cluster *prev = &u->og[surv].c;
		x = *prev;
		figures(&x, cl);
		x.status = WS_ACTIVE;
		x.last_run = run;
		if (x.posts > prev->posts || absorbs || prev->status != WS_ACTIVE) {
			if (!(ch = new_change(u, &x, CHORUS_WS_GROWN, prev->posts)))
				return CHORUS_ENOMEM;
		}
		rc = ws_db_put_cluster(u->ws->db, &x, u->err);
		if (!rc && ch)
			rc = ws_db_put_event(u->ws->db, run, x.id, "grown", NULL, &x, u->err);
	} else {
		const char *parent = split_parent(u, c);
		memset(&x, 0, sizeof x);
		if ((rc = fresh_id(u, cl->id, x.id)))
			return rc;
		memcpy(g->cluster, x.id, 17);
		figures(&x, cl);
		x.first_run = x.last_run = run;
		x.status = WS_ACTIVE;
		if (!(ch = new_change(u, &x, CHORUS_WS_NEW, 0)))
			return CHORUS_ENOMEM;
		memcpy(ch->split_from, parent, strlen(parent) + 1);
		rc = ws_db_put_cluster(u->ws->db, &x, u->err);
		rc = rc ? rc : ws_db_put_event(u->ws->db, run, x.id, "new", parent, &x, u->err);
		if (!rc && parent[0])
			rc = ws_db_put_event(u->ws->db, run, parent, "split", x.id, &x, u->err);
	}
	return rc ? rc : absorb(u, c, surv, &x, ch);
}

static int withdraw(upd *u, ws_cluster *c)
{
	const int64_t run = u->n->run;
	int rc;

	if (c->status != WS_ACTIVE)
		return CHORUS_OK;
	c->status = WS_WITHDRAWN;
	c->last_run = run;
	if (!new_change(u, c, CHORUS_WS_WITHDRAWN, c->posts))
		return CHORUS_ENOMEM;
	rc = ws_db_put_cluster(u->ws->db, c, u->err);
	return rc ? rc : ws_db_put_event(u->ws->db, run, c->id, "withdrawn", NULL, c, u->err);
}

/* Component c becomes a group row (the survivor's, or a new one). */
static int settle(upd *u, size_t c)
{
	const comp *cp = &u->comps[c];
	size_t surv = u->g.len;
	ws_group g;
	int rc = CHORUS_OK;

	for (size_t k = 0; k < u->g.len; k++)
		if (u->og[k].claim == c + 1 && (surv == u->g.len || survives(&u->og[k], &u->og[surv])))
			surv = k;
	if (surv < u->g.len) {
		g = u->og[surv].g;
	} else {
		memset(&g, 0, sizeof g);
		g.first_run = u->n->run;
	}
	g.anchor = u->nodes[cp->anchor].seq;
	g.posts = cp->size;
	g.last_run = u->n->run;
	if (cp->cl)
		rc = settle_cluster(u, c, surv, &g);
	else if (g.cluster[0])
		rc = withdraw(u, &u->og[surv].c);
	if (!cp->cl && !rc)
		rc = absorb(u, c, surv, &u->og[surv < u->g.len ? surv : 0].c, NULL);
	rc = rc ? rc : ws_db_put_group(u->ws->db, &g, u->err);
	for (size_t i = 0; rc == CHORUS_OK && i < u->s.len; i++)
		if (u->nodes[i].comp == c + 1 && u->nodes[i].old_grp != g.grp)
			rc = ws_db_set_member(u->ws->db, u->nodes[i].seq, g.grp, u->err);
	return rc;
}

static int cmp_change(const void *x, const void *y)
{
	const chorus_ws_change *a = x, *b = y;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return strcmp(a->id, b->id);
}

static int settle_all(upd *u)
{
	int rc = CHORUS_OK;

	for (size_t c = 0; rc == CHORUS_OK && c < u->ncomps; c++)
		rc = settle(u, c);
	/* posts left alone, groups left with nothing */
	for (size_t i = 0; rc == CHORUS_OK && i < u->s.len; i++)
		if (!u->nodes[i].comp && u->nodes[i].old_grp)
			rc = ws_db_del_member(u->ws->db, u->nodes[i].seq, u->err);
	for (size_t k = 0; rc == CHORUS_OK && k < u->g.len; k++) {
		if (u->og[k].claim)
			continue;
		if (u->og[k].g.cluster[0])
			rc = withdraw(u, &u->og[k].c);
		rc = rc ? rc : ws_db_del_group(u->ws->db, u->og[k].g.grp, u->err);
	}
	if (u->n->nchanges)
		qsort(u->n->changes, u->n->nchanges, sizeof *u->n->changes, cmp_change);
	return rc;
}

int ws_groups_update(chorus_ws *ws, const chorus_models *models, int threads,
		     const ws_link *added, size_t nadded, const ws_link *removed,
		     size_t nremoved, chorus_ws_night *n, chorus_error *err)
{
	upd u;
	chorus_corpus *corpus = NULL;
	chorus_scan *scan = NULL;
	int rc;

	memset(&u, 0, sizeof u);
	u.ws = ws;
	u.n = n;
	u.err = err;
	rc = gather(&u, added, nadded, removed, nremoved);
	rc = rc ? rc : components(&u);
	rc = rc ? rc : load_old_groups(&u);
	rc = rc ? rc : describe(&u, models, threads, &corpus, &scan);
	rc = rc ? rc : settle_all(&u);
	chorus_scan_free(scan);
	chorus_corpus_free(corpus);
	chorus_free(u.t.v);
	chorus_free(u.g.v);
	chorus_free(u.s.v);
	chorus_free(u.nodes);
	chorus_free(u.edges);
	chorus_free(u.comps);
	chorus_free(u.og);
	return rc;
}
