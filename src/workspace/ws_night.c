/*
 * ws_night.c - one nightly run over a workspace (chorus_ws_run_night), in
 * one SQLite transaction:
 *
 *   store   which posts of the night are not yet held (platform, id);
 *           those already held are counted (known)
 *   sign    the new posts only (chorus_scan_sign); a matched post older
 *           than the newest post held before the night minus `late` is
 *           late: stored, not matched, counted
 *   write   the new posts get the next arrival numbers; the signatures
 *           of the matched ones go to the index; the inputs are recorded
 *           with their counts
 *   match   the signatures dated from one window before the earliest new
 *           matched post on are read back in (time, arrival) order into a
 *           matcher (chorus_matcher); the owners, whose pairs are found,
 *           are the new posts and every earlier post dated after the
 *           earliest new one (a new post may now stand between it and its
 *           bucket predecessors, which changes its neighbours)
 *   links   new owners' links are stored; a re-matched earlier post's
 *           stored links are replaced by its new ones (added and removed
 *           listed for the groups)
 *   groups  ws_groups.c
 *   evict   signatures older than newest - window - late leave the index
 *
 * Why this equals the batch scan: a post's candidates depend only on the
 * posts before it in (time, arrival) order within one window; the batch
 * scan reads the nights' posts in arrival order, so a post's pairs change
 * only when a new post comes before it within a window, and every such
 * post is an owner tonight.  Everything an owner can pair with is dated
 * from (earliest new post - window) on, which the index still holds as
 * long as no new post is late (the horizon keeps window + late).
 *
 * Cost: O(new posts) to store and sign, O(posts of the window before the
 * earliest new post) to read back and match, plus the groups touched.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chorus/alloc.h"
#include "chorus/minhash.h"
#include "chorus/timeutil.h"
#include "ws_int.h"

typedef struct night {
	chorus_ws *ws;
	const chorus_corpus *corpus;
	const chorus_models *models;
	const chorus_ws_night_opts *o;
	chorus_ws_night *n;
	chorus_scan_params p;    /* the workspace's, with threads and hooks */
	int64_t max_seq;         /* last post held before the night */
	/* new posts, in corpus order */
	size_t nnew;
	uint32_t *new_idx;       /* corpus index */
	uint8_t *new_status;     /* enum chorus_sig_status or WS_LATE */
	uint64_t *known;         /* per corpus input */
	int64_t tmin;            /* earliest new matched post (NONE: none) */
	/* the matcher's posts */
	chorus_matcher *m;
	int64_t *mseq;           /* arrival number of matcher post k */
	uint8_t *mold_owner;     /* matcher post k is an earlier post re-matched */
	size_t mcount;
	ws_link *added, *removed;
	size_t nadded, nremoved, cap_added, cap_removed;
	chorus_error *err;
} night;

static int64_t sat_sub(int64_t a, int64_t b)
{
	return a < INT64_MIN + b ? INT64_MIN : a - b;
}

static int64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * CHORUS_NS_PER_SEC + ts.tv_nsec;
}

/* Progress, and the test hook that kills the run at a step. */
static void stage(night *nt, const char *name, int done)
{
	if (!done && nt->o->kill_at && !strcmp(nt->o->kill_at, name))
		raise(SIGKILL);
	if (nt->o->on_stage)
		nt->o->on_stage(nt->o->ud, name, done);
}

/* ---- store and sign ---- */

static int find_new(night *nt)
{
	const chorus_post *posts = chorus_corpus_posts(nt->corpus);
	const size_t n = chorus_corpus_count(nt->corpus);
	int rc;

	nt->new_idx = chorus_mallocarray(n ? n : 1, sizeof *nt->new_idx);
	nt->known = chorus_calloc(chorus_corpus_input_count(nt->corpus) + 1, sizeof *nt->known);
	if (!nt->new_idx || !nt->known)
		return CHORUS_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int known;
		if ((rc = ws_db_post_known(nt->ws->db, &posts[i], &known, nt->err)) != CHORUS_OK)
			return rc;
		if (known)
			nt->known[posts[i].input]++;
		else
			nt->new_idx[nt->nnew++] = (uint32_t)i;
	}
	return CHORUS_OK;
}

/* Sign the new posts; statuses into new_status, late ones marked. */
static int sign_new(night *nt, chorus_scan **signed_)
{
	const chorus_post *posts = chorus_corpus_posts(nt->corpus);
	const chorus_post **pp = chorus_mallocarray(nt->nnew ? nt->nnew : 1, sizeof *pp);
	const int64_t newest = nt->ws->info.newest;
	int rc;

	nt->new_status = chorus_mallocarray(nt->nnew ? nt->nnew : 1, 1);
	if (!pp || !nt->new_status) {
		chorus_free(pp);
		return CHORUS_ENOMEM;
	}
	for (size_t k = 0; k < nt->nnew; k++)
		pp[k] = &posts[nt->new_idx[k]];
	rc = chorus_scan_sign(pp, nt->nnew, nt->models, &nt->p, signed_, nt->err);
	for (size_t k = 0; rc == CHORUS_OK && k < nt->nnew; k++) {
		chorus_sig sig;
		uint32_t keys[CHORUS_MAX_PERMS];
		chorus_scan_get_sig(*signed_, (uint32_t)k, &sig, keys);
		nt->new_status[k] = (uint8_t)sig.status;
		if (sig.status == CHORUS_SIG_MATCH && newest != CHORUS_TIME_NONE &&
		    pp[k]->created_at < sat_sub(newest, nt->ws->info.wp.late))
			nt->new_status[k] = WS_LATE;
	}
	chorus_free(pp);
	return rc;
}

static void count_status(chorus_ws_night *n, int status)
{
	switch (status) {
	case CHORUS_SIG_MATCH: n->matched++; break;
	case CHORUS_SIG_REPOST: n->reposts++; break;
	case WS_LATE: n->late++; break;
	default: n->short_posts++; break;
	}
}

/* Store the new posts and the signatures of the matched ones. */
static int store_new(night *nt, const chorus_scan *signed_)
{
	const chorus_post *posts = chorus_corpus_posts(nt->corpus);
	chorus_ws_night *n = nt->n;
	unsigned long written = 0;
	int rc;

	n->newest = nt->ws->info.newest;
	for (size_t k = 0; k < nt->nnew; k++) {
		const chorus_post *p = &posts[nt->new_idx[k]];
		int64_t seq;
		if ((rc = ws_db_put_post(nt->ws->db, p, n->run, nt->new_status[k], &seq, nt->err)))
			return rc;
		if (nt->o->kill_after_posts && ++written >= nt->o->kill_after_posts)
			raise(SIGKILL);
		if (!seq) { /* the same platform and id twice in the night's corpus */
			nt->known[p->input]++;
			nt->new_status[k] = 0xff;
			continue;
		}
		n->added++;
		count_status(n, nt->new_status[k]);
		if (n->newest == CHORUS_TIME_NONE || p->created_at > n->newest)
			n->newest = p->created_at;
		if (nt->new_status[k] == CHORUS_SIG_MATCH) {
			chorus_sig sig;
			uint32_t keys[CHORUS_MAX_PERMS];
			chorus_scan_get_sig(signed_, (uint32_t)k, &sig, keys);
			rc = ws_db_put_sig(nt->ws->db, seq, p->created_at, &sig, nt->p.bands, nt->err);
			if (rc)
				return rc;
			if (nt->tmin == CHORUS_TIME_NONE || p->created_at < nt->tmin)
				nt->tmin = p->created_at;
		}
	}
	return CHORUS_OK;
}

static int record_inputs(night *nt)
{
	const size_t ni = chorus_corpus_input_count(nt->corpus);
	int rc = CHORUS_OK;

	for (size_t i = 0; rc == CHORUS_OK && i < ni; i++) {
		rc = ws_db_put_run_input(nt->ws->db, nt->n->run, (uint32_t)i,
					 chorus_corpus_input(nt->corpus, i), nt->known[i], nt->err);
		nt->n->known += nt->known[i];
	}
	return rc;
}

/* ---- match ---- */

static int add_sig(void *ud, int64_t seq, int64_t t, const chorus_sig *sig)
{
	night *nt = ud;
	const int is_new = seq > nt->max_seq;
	const int owner = is_new || t > nt->tmin;
	int rc = chorus_matcher_add(nt->m, t, sig, owner);

	if (rc == CHORUS_ELIMIT) {
		chorus_error_set(nt->err, "", 0, "the index changed while it was read");
		return CHORUS_EINPUT;
	}
	if (rc)
		return rc;
	nt->mseq[nt->mcount] = seq;
	nt->mold_owner[nt->mcount] = owner && !is_new;
	nt->n->rematched += owner && !is_new;
	nt->mcount++;
	return CHORUS_OK;
}

static int cmp_link_ba(const void *x, const void *y)
{
	const ws_link *a = x, *b = y;

	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	return (a->a > b->a) - (a->a < b->a);
}

static int push_link(ws_link **v, size_t *len, size_t *cap, ws_link l)
{
	if (*len == *cap) {
		size_t c = *cap ? *cap * 2 : 1024;
		ws_link *p = chorus_reallocarray(*v, c, sizeof *p);
		if (!p)
			return CHORUS_ENOMEM;
		*v = p;
		*cap = c;
	}
	(*v)[(*len)++] = l;
	return CHORUS_OK;
}

/* Links found tonight, as arrival numbers, sorted by (b, a). */
static int found_links(night *nt, ws_link **out, size_t *nout)
{
	chorus_link *l = NULL;
	size_t nl = 0;
	ws_link *v;
	int rc = chorus_matcher_run(nt->m, &l, &nl, &nt->n->candidates, nt->err);

	if (rc)
		return rc;
	v = chorus_mallocarray(nl ? nl : 1, sizeof *v);
	if (!v) {
		chorus_free(l);
		return CHORUS_ENOMEM;
	}
	for (size_t k = 0; k < nl; k++) {
		v[k].a = nt->mseq[l[k].a];
		v[k].b = nt->mseq[l[k].b];
		v[k].sim = l[k].sim;
	}
	chorus_free(l);
	qsort(v, nl, sizeof *v, cmp_link_ba);
	*out = v;
	*nout = nl;
	return CHORUS_OK;
}

static int match(night *nt, ws_link **found, size_t *nfound)
{
	const int64_t from = sat_sub(nt->tmin, nt->p.window);
	uint64_t count;
	int rc = ws_db_count_sigs(nt->ws->db, from, &count, nt->err);

	if (rc)
		return rc;
	if ((rc = chorus_matcher_new(&nt->p, count, &nt->m, nt->err)) != CHORUS_OK)
		return rc;
	nt->mseq = chorus_mallocarray(count ? count : 1, sizeof *nt->mseq);
	nt->mold_owner = chorus_calloc(count ? count : 1, 1);
	if (!nt->mseq || !nt->mold_owner)
		return CHORUS_ENOMEM;
	rc = ws_db_each_sig(nt->ws->db, from, nt->p.bands, nt->p.seed, add_sig, nt, nt->err);
	if (rc)
		return rc;
	nt->n->index_loaded = nt->mcount;
	return found_links(nt, found, nfound);
}

/* ---- links ---- */

typedef struct old_links {
	ws_link *v;
	size_t len, cap;
} old_links;

static int collect_old(void *ud, int64_t a, int64_t b, float sim)
{
	old_links *o = ud;
	ws_link l = { a, b, sim };

	return push_link(&o->v, &o->len, &o->cap, l);
}

/* Re-matched post b: its stored links (sorted by a) against the ones found
 * tonight, found[0..nf) (sorted by a). */
static int replace_links(night *nt, int64_t b, const ws_link *found, size_t nf, old_links *old)
{
	size_t i = 0, j = 0;
	int rc;

	old->len = 0;
	if ((rc = ws_db_each_link_of(nt->ws->db, b, collect_old, old, nt->err)))
		return rc;
	while (rc == CHORUS_OK && (i < old->len || j < nf)) {
		if (j == nf || (i < old->len && old->v[i].a < found[j].a)) {
			rc = ws_db_del_link(nt->ws->db, old->v[i].a, b, nt->err);
			rc = rc ? rc : push_link(&nt->removed, &nt->nremoved, &nt->cap_removed,
						 old->v[i]);
			i++;
		} else if (i == old->len || found[j].a < old->v[i].a) {
			rc = ws_db_put_link(nt->ws->db, found[j].a, b, found[j].sim, nt->n->run,
					    nt->err);
			rc = rc ? rc : push_link(&nt->added, &nt->nadded, &nt->cap_added, found[j]);
			j++;
		} else {
			i++;
			j++;
		}
	}
	return rc;
}

static int cmp_i64(const void *x, const void *y)
{
	const int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

/* Links owned by new posts: stored as found. */
static int store_new_links(night *nt, const ws_link *found, size_t nfound)
{
	int rc = CHORUS_OK;

	for (size_t k = 0; rc == CHORUS_OK && k < nfound; k++) {
		if (found[k].b <= nt->max_seq)
			continue;
		rc = ws_db_put_link(nt->ws->db, found[k].a, found[k].b, found[k].sim, nt->n->run,
				    nt->err);
		rc = rc ? rc : push_link(&nt->added, &nt->nadded, &nt->cap_added, found[k]);
	}
	return rc;
}

/* Every re-matched earlier post, with or without links found tonight:
 * its stored links replaced by the found ones (found sorted by b). */
static int replace_rematched(night *nt, const ws_link *found, size_t nfound)
{
	int64_t *olds = chorus_mallocarray(nt->mcount ? nt->mcount : 1, sizeof *olds);
	old_links old = { 0 };
	size_t no = 0, k = 0;
	int rc = CHORUS_OK;

	if (!olds)
		return CHORUS_ENOMEM;
	for (size_t i = 0; i < nt->mcount; i++)
		if (nt->mold_owner[i])
			olds[no++] = nt->mseq[i];
	qsort(olds, no, sizeof *olds, cmp_i64);
	for (size_t i = 0; rc == CHORUS_OK && i < no; i++) {
		size_t e;
		while (k < nfound && found[k].b < olds[i])
			k++;
		for (e = k; e < nfound && found[e].b == olds[i]; e++)
			;
		rc = replace_links(nt, olds[i], found + k, e - k, &old);
		k = e;
	}
	chorus_free(olds);
	chorus_free(old.v);
	return rc;
}

static int store_links(night *nt, const ws_link *found, size_t nfound)
{
	int rc = store_new_links(nt, found, nfound);

	rc = rc ? rc : replace_rematched(nt, found, nfound);
	nt->n->links_added = nt->nadded;
	nt->n->links_removed = nt->nremoved;
	return rc;
}

/* ---- the night ---- */

static int evict(night *nt)
{
	chorus_ws_night *n = nt->n;
	const chorus_ws_params *wp = &nt->ws->info.wp;
	int64_t h;
	int rc;

	n->horizon = nt->ws->info.horizon;
	if (n->newest != CHORUS_TIME_NONE) {
		h = sat_sub(sat_sub(n->newest, wp->scan.window), wp->late);
		if (n->horizon == CHORUS_TIME_NONE || h > n->horizon)
			n->horizon = h;
		if ((rc = ws_db_evict_sigs(nt->ws->db, n->horizon, &n->evicted, nt->err)))
			return rc;
	}
	rc = ws_db_count_sigs(nt->ws->db, INT64_MIN, &n->indexed, nt->err);
	rc = rc ? rc : ws_db_set_horizon(nt->ws->db, n->newest, n->horizon, nt->err);
	return rc;
}

/* The command line as one line of text (for the run row). */
static char *command_line(const chorus_ws_night_opts *o)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < o->argc; i++)
		len += strlen(o->argv[i]) + 1;
	if (!(s = chorus_malloc(len)))
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < o->argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, o->argv[i]);
	}
	return s;
}

static int finish(night *nt)
{
	chorus_ws_night *n = nt->n;
	char *cl = command_line(nt->o);
	int rc;

	if (!cl)
		return CHORUS_ENOMEM;
	rc = ws_db_count_posts(nt->ws->db, &n->posts_held, nt->err);
	rc = rc ? rc : ws_db_count_active(nt->ws->db, &n->clusters, nt->err);
	if (!rc) {
		uint64_t touched = 0;
		for (size_t k = 0; k < n->nchanges; k++)
			touched += n->changes[k].kind != CHORUS_WS_WITHDRAWN;
		n->unchanged = n->clusters - touched;
	}
	rc = rc ? rc : ws_db_put_run(nt->ws->db, n, nt->o->run_time, realtime_ns(), cl, nt->err);
	chorus_free(cl);
	return rc;
}

/* Every step inside the transaction. */
static int steps(night *nt)
{
	chorus_scan *signed_ = NULL;
	ws_link *found = NULL;
	size_t nfound = 0;
	int rc;

	stage(nt, "store", 0);
	rc = ws_db_max_post(nt->ws->db, &nt->max_seq, nt->err);
	rc = rc ? rc : ws_db_next_run(nt->ws->db, &nt->n->run, nt->err);
	rc = rc ? rc : find_new(nt);
	stage(nt, "store", 1);
	if (!rc) {
		stage(nt, "sign", 0);
		rc = sign_new(nt, &signed_);
		stage(nt, "sign", 1);
	}
	if (!rc) {
		stage(nt, "write", 0);
		rc = store_new(nt, signed_);
		rc = rc ? rc : record_inputs(nt);
		stage(nt, "write", 1);
	}
	chorus_scan_free(signed_);
	if (!rc && nt->tmin != CHORUS_TIME_NONE) {
		stage(nt, "match", 0);
		rc = match(nt, &found, &nfound);
		chorus_matcher_free(nt->m);
		nt->m = NULL;
		stage(nt, "match", 1);
		if (!rc) {
			stage(nt, "links", 0);
			rc = store_links(nt, found, nfound);
			stage(nt, "links", 1);
		}
	}
	chorus_free(found);
	if (!rc) {
		stage(nt, "groups", 0);
		rc = ws_groups_update(nt->ws, nt->models, nt->p.threads, nt->added, nt->nadded,
				      nt->removed, nt->nremoved, nt->n, nt->err);
		stage(nt, "groups", 1);
	}
	if (!rc) {
		stage(nt, "evict", 0);
		rc = evict(nt);
		stage(nt, "evict", 1);
	}
	return rc ? rc : finish(nt);
}

static void night_dispose(night *nt)
{
	chorus_matcher_free(nt->m);
	chorus_free(nt->new_idx);
	chorus_free(nt->new_status);
	chorus_free(nt->known);
	chorus_free(nt->mseq);
	chorus_free(nt->mold_owner);
	chorus_free(nt->added);
	chorus_free(nt->removed);
}

int chorus_ws_run_night(chorus_ws *ws, const chorus_corpus *night_corpus,
			const chorus_models *models, const chorus_ws_night_opts *o,
			chorus_ws_night **out, chorus_error *err)
{
	night nt;
	int rc;

	memset(&nt, 0, sizeof nt);
	nt.ws = ws;
	nt.corpus = night_corpus;
	nt.models = models;
	nt.o = o;
	nt.err = err;
	nt.tmin = CHORUS_TIME_NONE;
	nt.p = ws->info.wp.scan;
	nt.p.threads = o->threads;
	if (ws->mode != CHORUS_WS_WRITE) {
		chorus_error_set(err, ws->dir, 0, "opened for reading only");
		return CHORUS_EUSAGE;
	}
	if (!(nt.n = chorus_calloc(1, sizeof *nt.n)))
		return CHORUS_ENOMEM;
	nt.n->read = chorus_corpus_count(night_corpus);
	nt.n->newest = nt.n->horizon = CHORUS_TIME_NONE;
	if ((rc = ws_db_begin(ws->db, err)) == CHORUS_OK) {
		rc = steps(&nt);
		if (!rc) {
			stage(&nt, "commit", 0);
			rc = ws_db_commit(ws->db, err);
			stage(&nt, "commit", 1);
		}
		if (rc)
			ws_db_rollback(ws->db);
	}
	night_dispose(&nt);
	if (rc) {
		if (rc == CHORUS_ENOMEM && !err->text[0])
			chorus_error_set(err, "", 0, "out of memory");
		chorus_ws_night_free(nt.n);
		return rc;
	}
	/* the row read at open is now behind: keep it current */
	ws->info.newest = nt.n->newest;
	ws->info.horizon = nt.n->horizon;
	*out = nt.n;
	return CHORUS_OK;
}

void chorus_ws_night_free(chorus_ws_night *n)
{
	if (!n)
		return;
	for (size_t k = 0; k < n->nchanges; k++)
		chorus_free(n->changes[k].merged);
	chorus_free(n->changes);
	chorus_free(n);
}
