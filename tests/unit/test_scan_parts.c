/*
 * test_scan_parts.c - the scan in parts (chorus/scan.h) against the batch
 * scan: signatures, a matcher restricted to owners, clustering from links.
 *
 * The main check replays what the workspace does over two "nights" cut
 * from the sample corpus by input line (so the second night's posts fall
 * between the first night's in time): night 1 is matched alone; night 2
 * re-matches its own posts and every earlier post dated after its first
 * one, against everything from one window before; the links owned by the
 * re-matched posts replace theirs.  Clusters from those links must give
 * the batch scan's JSON report of both files byte for byte (but for the
 * candidate count, which is not a property of the result).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "chorus/alloc.h"
#include "chorus/models.h"
#include "chorus/report.h"
#include "chorus/scan.h"

static chorus_models *models;

static const char *tmp_path(const char *name)
{
	static char path[2][4096];
	static int k;
	const char *dir = getenv("CHORUS_TEST_DIR");

	k ^= 1;
	snprintf(path[k], sizeof path[k], "%s/%s", dir ? dir : "/tmp", name);
	return path[k];
}

static const char *sample_path(void)
{
	static char path[4096];
	const char *m = getenv("CHORUS_MODELS");

	snprintf(path, sizeof path, "%s/../corpora/sample.jsonl", m ? m : "models");
	return path;
}

/* Cut the sample: lines with (line % 3 == 1) to night 2, the rest to 1. */
static void cut_nights(const char *n1, const char *n2)
{
	FILE *in = fopen(sample_path(), "r"), *a = fopen(n1, "w"), *b = fopen(n2, "w");
	char line[1 << 16];
	long k = 0;

	CHECK(in && a && b);
	while (in && a && b && fgets(line, sizeof line, in))
		fputs(line, k++ % 3 == 1 ? b : a);
	if (in)
		fclose(in);
	if (a)
		fclose(a);
	if (b)
		fclose(b);
}

static char *json(const chorus_scan *s, const chorus_corpus *c, const chorus_scan_params *p)
{
	char *text = NULL, *cand;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	chorus_report_meta meta = { .models_version = chorus_models_version(models) };
	chorus_error err;

	CHECK_INT(chorus_report_json(f, s, c, p, &meta, &err), 0);
	fclose(f);
	/* the candidate count is how the links were found, not what they are */
	if ((cand = strstr(text, "\"candidate_pairs\": "))) {
		char *eol = strchr(cand, '\n');
		memmove(cand, eol + 1, strlen(eol + 1) + 1);
	}
	return text;
}

typedef struct world {
	const chorus_post *posts; /* corpus order */
	size_t n;
	uint32_t *order;          /* corpus indices in scan order */
	chorus_scan *signed_;     /* signatures by corpus index */
	uint32_t *keys;           /* bands per post */
	chorus_sig *sig;
} world;

static void world_init(world *w, const chorus_corpus *c, const chorus_scan *batch,
		       const chorus_scan_params *p)
{
	const chorus_post **pp;
	chorus_error err;

	w->posts = chorus_corpus_posts(c);
	w->n = chorus_corpus_count(c);
	w->order = malloc(w->n * sizeof *w->order);
	for (size_t i = 0; i < w->n; i++)
		w->order[i] = (uint32_t)(chorus_scan_get_post(batch, (uint32_t)i) - w->posts);
	pp = malloc(w->n * sizeof *pp);
	for (size_t i = 0; i < w->n; i++)
		pp[i] = &w->posts[i];
	CHECK_INT(chorus_scan_sign(pp, w->n, models, p, &w->signed_, &err), 0);
	free(pp);
	w->keys = malloc(w->n * p->bands * sizeof *w->keys);
	w->sig = malloc(w->n * sizeof *w->sig);
	for (size_t i = 0; i < w->n; i++)
		chorus_scan_get_sig(w->signed_, (uint32_t)i, &w->sig[i], w->keys + i * p->bands);
}

static void world_dispose(world *w)
{
	chorus_scan_free(w->signed_);
	free(w->order);
	free(w->keys);
	free(w->sig);
}

/* Match the posts of scan order [from, n) whose corpus index is < upto;
 * owners as marked; links appended in corpus indices. */
static void match(const world *w, const chorus_scan_params *p, size_t from, size_t upto,
		  const uint8_t *owner, chorus_link **all, size_t *nall)
{
	chorus_matcher *m = NULL;
	chorus_link *l = NULL;
	size_t nl = 0, k = 0;
	uint32_t *idx = malloc(w->n * sizeof *idx);
	uint64_t ncand;
	chorus_error err;

	CHECK_INT(chorus_matcher_new(p, w->n, &m, &err), 0);
	for (size_t i = from; i < w->n; i++) {
		const uint32_t ci = w->order[i];
		if (ci >= upto)
			continue;
		idx[k++] = ci;
		CHECK_INT(chorus_matcher_add(m, w->posts[ci].created_at, &w->sig[ci], owner[ci]), 0);
	}
	CHECK_INT(chorus_matcher_run(m, &l, &nl, &ncand, &err), 0);
	*all = realloc(*all, (*nall + nl + 1) * sizeof **all);
	for (size_t e = 0; e < nl; e++) {
		(*all)[*nall + e].a = idx[l[e].a];
		(*all)[*nall + e].b = idx[l[e].b];
		(*all)[*nall + e].sim = l[e].sim;
	}
	*nall += nl;
	chorus_free(l);
	chorus_matcher_free(m);
	free(idx);
}

static void test_two_nights(unsigned neighbours)
{
	const char *n1 = tmp_path("parts_night1.jsonl"), *n2 = tmp_path("parts_night2.jsonl");
	chorus_corpus *c = chorus_corpus_new();
	chorus_read_opts ro = { 0 };
	chorus_scan_params p;
	chorus_scan *batch = NULL, *inc = NULL;
	chorus_link *links = NULL;
	size_t nlinks = 0, n1posts, first2 = 0, w = 0;
	uint8_t *owner;
	int64_t tmin = INT64_MAX;
	chorus_error err;
	world wd;

	cut_nights(n1, n2);
	CHECK_INT(chorus_corpus_read_jsonl(c, n1, &ro, &err), 0);
	n1posts = chorus_corpus_count(c);
	CHECK_INT(chorus_corpus_read_jsonl(c, n2, &ro, &err), 0);
	chorus_scan_params_init(&p);
	p.max_neighbours = neighbours;
	CHECK_INT(chorus_scan_run(c, models, &p, &batch, &err), 0);
	world_init(&wd, c, batch, &p);
	owner = calloc(wd.n, 1);

	/* night 1: its posts alone, all owners */
	memset(owner, 1, wd.n);
	match(&wd, &p, 0, n1posts, owner, &links, &nlinks);
	/* night 2: owners are its matched posts and night-1 posts after its
	 * first one; their night-1 links are dropped */
	for (size_t ci = n1posts; ci < wd.n; ci++)
		if (wd.sig[ci].status == CHORUS_SIG_MATCH && wd.posts[ci].created_at < tmin)
			tmin = wd.posts[ci].created_at;
	for (size_t ci = 0; ci < wd.n; ci++)
		owner[ci] = ci >= n1posts || wd.posts[ci].created_at > tmin;
	for (size_t e = 0; e < nlinks; e++)
		if (!owner[links[e].b])
			links[w++] = links[e];
	CHECK(w < nlinks); /* the cut makes night 2 re-match night-1 posts */
	nlinks = w;
	while (first2 < wd.n && wd.posts[wd.order[first2]].created_at < tmin - p.window)
		first2++;
	match(&wd, &p, first2, wd.n, owner, &links, &nlinks);

	CHECK_INT(chorus_scan_from_links(c, models, &p, links, nlinks, &inc, &err), 0);
	{
		char *a = json(batch, c, &p), *b = json(inc, c, &p);
		CHECK(strstr(a, "\"rank\": 7,") != NULL);
		CHECK_STR(a, b);
		free(a);
		free(b);
	}
	free(owner);
	free(links);
	world_dispose(&wd);
	chorus_scan_free(inc);
	chorus_scan_free(batch);
	chorus_corpus_free(c);
}

/* Signing alone gives the batch scan's signatures. */
static void test_sign_matches_batch(void)
{
	chorus_corpus *c = chorus_corpus_new();
	chorus_read_opts ro = { 0 };
	chorus_scan_params p;
	chorus_scan *batch = NULL;
	chorus_error err;
	world wd;
	size_t same = 0;

	CHECK_INT(chorus_corpus_read_jsonl(c, sample_path(), &ro, &err), 0);
	chorus_scan_params_init(&p);
	CHECK_INT(chorus_scan_run(c, models, &p, &batch, &err), 0);
	world_init(&wd, c, batch, &p);
	for (size_t i = 0; i < wd.n; i++) {
		uint32_t keys[64];
		chorus_sig a, *b = &wd.sig[wd.order[i]];
		chorus_scan_get_sig(batch, (uint32_t)i, &a, keys);
		same += a.status == b->status && a.sethash == b->sethash &&
			a.nshingles == b->nshingles &&
			(a.status != CHORUS_SIG_MATCH ||
			 (!memcmp(a.shingles, b->shingles, a.nshingles * 4) &&
			  !memcmp(a.keys, b->keys, p.bands * 4)));
	}
	CHECK_INT(same, wd.n);
	world_dispose(&wd);
	chorus_scan_free(batch);
	chorus_corpus_free(c);
}

/* A matcher refuses posts past its room; renaming re-sorts by id ties. */
static void test_matcher_room_and_rename(void)
{
	chorus_scan_params p;
	chorus_matcher *m = NULL;
	chorus_sig sig = { .status = CHORUS_SIG_SHORT };
	chorus_link *l = NULL;
	size_t nl = 1;
	uint64_t nc = 1;
	chorus_error err;

	chorus_scan_params_init(&p);
	CHECK_INT(chorus_matcher_new(&p, 1, &m, &err), 0);
	CHECK_INT(chorus_matcher_add(m, 5, &sig, 1), 0);
	CHECK_INT(chorus_matcher_add(m, 6, &sig, 1), CHORUS_ELIMIT);
	CHECK_INT(chorus_matcher_run(m, &l, &nl, &nc, &err), 0);
	CHECK_INT(nl, 0);
	CHECK_INT(nc, 0);
	chorus_free(l);
	chorus_matcher_free(m);
	p.bands = 7;
	CHECK_INT(chorus_matcher_new(&p, 1, &m, &err), CHORUS_EUSAGE);
}

/* Corpus copies keep every field and set the repost flag. */
static void test_corpus_append(void)
{
	chorus_corpus *c = chorus_corpus_new();
	chorus_input_stats st = { .path = "night1.jsonl", .format = "twitter-v2", .records = 3 };
	chorus_post_extra x = { .platform = { "twitter", 7 }, .repost_of = { "9", 1 },
				.source = { "a.jsonl", 7 }, .author_created_at = 5 };
	chorus_post p = { .id = { "1", 1 }, .author = { "al", 2 }, .text = { "hi", 2 },
			  .created_at = 42, .extra = &x, .line = 3 };
	chorus_error err;
	uint32_t in = 9;
	const chorus_post *q;

	CHECK_INT(chorus_corpus_append_input(c, &st, &in, &err), 0);
	CHECK_INT(in, 0);
	CHECK_INT(chorus_corpus_append(c, &p, &err), 0);
	q = chorus_corpus_posts(c);
	CHECK(q->id.p != p.id.p && !strcmp(q->id.p, "1") && !strcmp(q->text.p, "hi"));
	CHECK(q->extra != &x && !strcmp(q->extra->platform.p, "twitter"));
	CHECK(q->extra->url.p == NULL && q->extra->author_created_at == 5);
	CHECK_INT(q->flags, CHORUS_POST_REPOST);
	CHECK_STR(chorus_corpus_input(c, 0)->format, "twitter-v2");
	CHECK_STR(chorus_corpus_input(c, 0)->path, "night1.jsonl");
	CHECK_INT(chorus_corpus_input(c, 0)->records, 3);
	chorus_corpus_free(c);
}

int main(void)
{
	chorus_error err;

	if (chorus_models_load(&models, NULL, &err)) {
		fprintf(stderr, "models: %s\n", err.text);
		return 1;
	}
	test_sign_matches_batch();
	test_two_nights(8);
	test_two_nights(2);
	test_matcher_room_and_rename();
	test_corpus_append();
	chorus_models_free(models);
	return check_done();
}
