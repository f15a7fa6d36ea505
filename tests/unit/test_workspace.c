/*
 * test_workspace.c - the nightly workspace against the batch scan.
 *
 * A synthetic corpus (chorus_synth: 10 days, planted campaigns) is cut
 * into ten nights by day, and stories are added by hand:
 *   - a campaign that grows over three nights (new, grown, grown, one id);
 *     a copy of it arrives a night late, dated within --late, and takes the
 *     place of a bucket neighbour of posts already held (their links are
 *     found again and some replaced, as the batch scan would have them);
 *   - two clusters (first seen on nights 3 and 4) that a bridging text
 *     merges on night 5: the older keeps its id, the other is merged;
 *   - a late duplicate: a post of night 2 delivered again on night 5
 *     (same id: ignored, counted as already held);
 *   - a late copy of the growing campaign, dated within --late before the
 *     newest post held: matched, and the earlier posts after it re-matched;
 *   - a copy dated days before the newest post held: late, not matched.
 * After the ten nights the clusters (member posts, accounts, every figure)
 * must equal those of chorus_scan_run over the nights' files read in the
 * same order, without the too-late post; ids may differ, and do for
 * clusters that grew after the night they were first seen.
 * Also: the lock, the fixed versions, a damaged or altered file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "chorus/models.h"
#include "chorus/synth.h"
#include "chorus/timeutil.h"
#include "chorus/workspace.h"
#include "ws_int.h"

#define NIGHTS 10
#define DAY (86400 * CHORUS_NS_PER_SEC)

static chorus_models *models;
static char dir[2048];

static const char *path_of(const char *name)
{
	static char p[4][4096];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
	return p[k];
}

static const char *night_file(int n)
{
	char name[32];

	snprintf(name, sizeof name, "night%02d.jsonl", n);
	return path_of(name);
}

/* Word k of a vocabulary of invented words (distinct stems). */
static void word(int k, char *out)
{
	static const char *const c = "bdfgklmnprstvz", *const v = "aeiou";

	snprintf(out, 16, "%c%c%c%c%co", c[k % 14], v[(k / 14) % 5], c[(k / 70) % 14],
		 v[(k / 980) % 5], c[(k * 7 + 3) % 14]);
}

/* Text of words lo..hi-1, then word extra when >= 0. */
static void text_of(int lo, int hi, int extra, char *out)
{
	char w[16];

	out[0] = '\0';
	for (int k = lo; k < hi; k++) {
		word(k, w);
		strcat(out, k > lo ? " " : "");
		strcat(out, w);
	}
	if (extra >= 0) {
		word(extra, w);
		strcat(out, " ");
		strcat(out, w);
	}
}

/* Append a post dated day d (1-based) at seconds s to night n's file. */
static void add_post(int n, const char *id, const char *author, int d, long s, const char *text)
{
	FILE *f = fopen(night_file(n), "a");
	char t[CHORUS_TIME_STRLEN];

	chorus_time_format(chorus_days_from_civil(2020, 4, (unsigned)d) * DAY +
			   s * CHORUS_NS_PER_SEC, t);
	fprintf(f, "{\"id\":\"%s\",\"author\":\"%s\",\"text\":\"%s\",\"created_at\":\"%s\"}\n",
		id, author, text, t);
	fclose(f);
}

/* The synthetic corpus, one night per day. */
static void write_synth_nights(void)
{
	chorus_synth_opts o;
	chorus_error err;
	FILE *f = fopen(path_of("synth.jsonl"), "w");
	char line[1 << 16];

	chorus_synth_opts_init(&o);
	o.seed = 3;
	o.posts = 6000;
	o.campaigns = 8;
	o.days = NIGHTS;
	CHECK_INT(chorus_synth_write(&o, f, NULL, &err), 0);
	fclose(f);
	f = fopen(path_of("synth.jsonl"), "r");
	while (f && fgets(line, sizeof line, f)) {
		const char *t = strstr(line, "\"created_at\":\"2020-04-");
		int day = t ? atoi(t + 22) : 1;
		FILE *o2 = fopen(night_file(day >= 1 && day <= NIGHTS ? day : 1), "a");
		fputs(line, o2);
		fclose(o2);
	}
	if (f)
		fclose(f);
}

static void write_stories(void)
{
	char t[1024], id[32], au[32];

	/* merge: A (words 0..19) night 3, B (10..29) night 4, bridge C (5..24)
	 * night 5; J(A,B) = 1/3, J(A,C) = J(B,C) = 3/5 */
	for (int k = 0; k < 5; k++) {
		text_of(0, 20, 200 + k, t);
		snprintf(id, sizeof id, "a%d", k);
		snprintf(au, sizeof au, "acct_a%d", k);
		add_post(3, id, au, 3, 79200 + 600 * k, t);
		text_of(10, 30, 210 + k, t);
		snprintf(id, sizeof id, "b%d", k);
		snprintf(au, sizeof au, "acct_b%d", k);
		add_post(4, id, au, 4, 72000 + 600 * k, t);
	}
	for (int k = 0; k < 2; k++) {
		text_of(5, 25, -1, t);
		snprintf(id, sizeof id, "c%d", k);
		snprintf(au, sizeof au, "acct_c%d", k);
		add_post(5, id, au, 5, 36000 + 600 * k, t);
	}
	/* growing campaign G (words 40..59): 10 posts night 6, 3 night 7,
	 * 3 night 8, and a copy dated between night 7's first and second
	 * delivered on night 8: it becomes the nearest predecessor of the
	 * second and third in every bucket, pushing their ninth out */
	for (int k = 0; k < 16; k++) {
		const int n = k < 10 ? 6 : k < 13 ? 7 : 8;
		const long s = k < 10 ? 50400 + 3600 * k : k < 13 ? 7200 + 3600 * (k - 10)
							     : 3600 + 1800 * (k - 13);
		text_of(40, 60, 300 + k, t);
		snprintf(id, sizeof id, "g%d", k);
		snprintf(au, sizeof au, "acct_g%d", k);
		add_post(n, id, au, n, s, t);
	}
	text_of(40, 60, 320, t);
	add_post(8, "g_late", "acct_g_late", 7, 9000, t);
	/* too late: a copy of A dated day 3, delivered on night 9 */
	text_of(0, 20, 205, t);
	add_post(9, "a_too_late", "acct_a9", 3, 82000, t);
}

/* Night 2's first line again on night 5. */
static void write_duplicate(void)
{
	FILE *in = fopen(night_file(2), "r"), *out;
	char line[1 << 16];

	CHECK(in && fgets(line, sizeof line, in));
	fclose(in);
	out = fopen(night_file(5), "a");
	fputs(line, out);
	fclose(out);
}

static chorus_corpus *read_files(int upto, int skip_too_late)
{
	chorus_corpus *c = chorus_corpus_new();
	chorus_read_opts ro = { 0 };
	chorus_error err;

	for (int n = 1; n <= upto; n++)
		CHECK_INT(chorus_corpus_read(c, night_file(n), &ro, &err), 0);
	CHECK(chorus_corpus_dedup(c, 0) >= 1);
	if (skip_too_late) {
		/* the batch side reads night 9 without the too-late post */
		chorus_corpus_free(c);
		c = chorus_corpus_new();
		for (int n = 1; n <= upto; n++) {
			const char *path = night_file(n);
			if (n == 9) {
				FILE *in = fopen(path, "r"), *out = fopen(path_of("night09b.jsonl"), "w");
				char line[1 << 16];
				while (fgets(line, sizeof line, in))
					if (!strstr(line, "a_too_late"))
						fputs(line, out);
				fclose(in);
				fclose(out);
				path = path_of("night09b.jsonl");
			}
			CHECK_INT(chorus_corpus_read(c, path, &ro, &err), 0);
		}
		chorus_corpus_dedup(c, 0);
	}
	return c;
}

static chorus_ws_night *run_night(chorus_ws *ws, int n)
{
	chorus_corpus *c = chorus_corpus_new();
	chorus_read_opts ro = { 0 };
	chorus_ws_night_opts o = { 0 };
	chorus_ws_night *out = NULL;
	chorus_error err;

	CHECK_INT(chorus_corpus_read(c, night_file(n), &ro, &err), 0);
	chorus_corpus_dedup(c, 0);
	o.run_time = (int64_t)n * DAY;
	if (chorus_ws_run_night(ws, c, models, &o, &out, &err) != 0)
		fprintf(stderr, "night %d: %s: %s\n", n, err.source, err.text);
	CHECK(out != NULL);
	chorus_corpus_free(c);
	return out;
}

static const chorus_ws_change *change_of(const chorus_ws_night *n, const char *id)
{
	for (size_t k = 0; k < n->nchanges; k++)
		if (!strcmp(n->changes[k].id, id))
			return &n->changes[k];
	return NULL;
}

/* The cluster of s whose posts include post id, or NULL. */
static const chorus_cluster *cluster_with(const chorus_scan *s, const char *id)
{
	for (size_t k = 0; k < chorus_scan_cluster_count(s); k++) {
		const chorus_cluster *cl = chorus_scan_get_cluster(s, k);
		for (size_t i = 0; i < cl->nposts; i++)
			if (!strcmp(chorus_scan_get_post(s, cl->posts[i])->id.p, id))
				return cl;
	}
	return NULL;
}

static int same_ids(const chorus_scan *a, const uint32_t *x, const chorus_scan *b,
		    const uint32_t *y, size_t n, int author)
{
	for (size_t i = 0; i < n; i++) {
		const chorus_post *p = chorus_scan_get_post(a, x[i]), *q = chorus_scan_get_post(b, y[i]);
		const chorus_str *u = author ? &p->author : &p->id, *v = author ? &q->author : &q->id;
		if (u->len != v->len || memcmp(u->p, v->p, u->len))
			return 0;
	}
	return 1;
}

/* Same clusters: for each batch cluster, the workspace cluster holding its
 * first post has the same posts, accounts and figures. */
static void compare(const chorus_scan *batch, const chorus_scan *ws)
{
	size_t same = 0;

	CHECK_INT(chorus_scan_cluster_count(ws), chorus_scan_cluster_count(batch));
	for (size_t k = 0; k < chorus_scan_cluster_count(batch); k++) {
		const chorus_cluster *a = chorus_scan_get_cluster(batch, k);
		const chorus_cluster *b =
			cluster_with(ws, chorus_scan_get_post(batch, a->posts[0])->id.p);
		int eq = b && a->nposts == b->nposts && a->naccounts == b->naccounts &&
			 same_ids(batch, a->posts, ws, b->posts, a->nposts, 0) &&
			 same_ids(batch, a->accounts, ws, b->accounts, a->naccounts, 1) &&
			 a->burst_accounts == b->burst_accounts && a->first_seen == b->first_seen &&
			 a->last_seen == b->last_seen && a->sim_min == b->sim_min &&
			 a->sim_median == b->sim_median && a->sim_max == b->sim_max &&
			 a->pairs == b->pairs && a->score == b->score &&
			 same_ids(batch, &a->template_post, ws, &b->template_post, 1, 0);
		if (!eq)
			fprintf(stderr, "cluster %s (%zu posts) differs\n", a->id, a->nposts);
		same += eq;
	}
	CHECK_INT(same, chorus_scan_cluster_count(batch));
}

static void test_nights_equal_batch(void)
{
	chorus_ws_params wp;
	chorus_ws *ws = NULL;
	chorus_ws_night *n[NIGHTS + 1] = { 0 };
	chorus_corpus *bc, *wc = NULL;
	chorus_scan *batch = NULL, *wscan = NULL;
	chorus_scan_params p;
	chorus_error err;
	char grow_id[17] = "", x_id[17] = "", y_id[17] = "";

	write_synth_nights();
	write_stories();
	write_duplicate();
	chorus_ws_params_init(&wp);
	CHECK_INT(chorus_ws_init(path_of("ws"), &wp, chorus_models_version(models), 0, &err), 0);
	CHECK_INT(chorus_ws_init(path_of("ws"), &wp, chorus_models_version(models), 0, &err),
		  CHORUS_EUSAGE);
	CHECK_INT(chorus_ws_open(path_of("ws"), CHORUS_WS_WRITE, &ws, &err), 0);
	CHECK_INT(chorus_ws_check_versions(ws, chorus_models_version(models), &err), 0);
	CHECK_INT(chorus_ws_check_versions(ws, "1999.01-1", &err), CHORUS_EUSAGE);
	{
		chorus_ws *other = NULL;
		CHECK_INT(chorus_ws_open(path_of("ws"), CHORUS_WS_WRITE, &other, &err), CHORUS_ERR);
		CHECK(strstr(err.text, "workspace in use by another run (pid ") != NULL);
		CHECK(other == NULL);
	}
	for (int k = 1; k <= NIGHTS; k++)
		n[k] = run_night(ws, k);
	if (!n[NIGHTS])
		goto out;
	/* the merge: X (night 3) absorbs Y (night 4) on night 5 */
	CHECK_INT(n[3]->nchanges >= 1, 1);
	for (size_t k = 0; k < n[3]->nchanges; k++)
		if (n[3]->changes[k].posts == 5 && n[3]->changes[k].kind == CHORUS_WS_NEW)
			memcpy(x_id, n[3]->changes[k].id, 17);
	for (size_t k = 0; k < n[4]->nchanges; k++)
		if (n[4]->changes[k].posts == 5 && n[4]->changes[k].kind == CHORUS_WS_NEW)
			memcpy(y_id, n[4]->changes[k].id, 17);
	CHECK(x_id[0] && y_id[0]);
	{
		const chorus_ws_change *ch = change_of(n[5], x_id);
		CHECK(ch && ch->kind == CHORUS_WS_GROWN && ch->posts == 12 && ch->posts_before == 5);
		CHECK(ch && ch->nmerged == 1 && !strcmp(ch->merged[0], y_id));
		CHECK_INT(n[5]->merged, 1);
		CHECK(change_of(n[5], y_id) == NULL);
	}
	/* the late duplicate */
	CHECK_INT(n[5]->known, 1);
	CHECK_INT(n[5]->added, n[5]->read - 1);
	/* the campaign growing over nights 6, 7, 8 keeps one id */
	for (size_t k = 0; k < n[6]->nchanges; k++)
		if (n[6]->changes[k].posts == 10 && n[6]->changes[k].kind == CHORUS_WS_NEW)
			memcpy(grow_id, n[6]->changes[k].id, 17);
	CHECK(grow_id[0] != '\0');
	CHECK(change_of(n[7], grow_id) && change_of(n[7], grow_id)->kind == CHORUS_WS_GROWN &&
	      change_of(n[7], grow_id)->posts == 13);
	CHECK(change_of(n[8], grow_id) && change_of(n[8], grow_id)->kind == CHORUS_WS_GROWN &&
	      change_of(n[8], grow_id)->posts == 17 && change_of(n[8], grow_id)->posts_before == 13);
	/* the late copy re-matched earlier posts and replaced some of their
	 * links; the too-late one is late */
	CHECK(n[8]->rematched > 0 && n[8]->links_removed > 0);
	CHECK_INT(n[8]->late, 0);
	CHECK_INT(n[9]->late, 1);
	CHECK(n[NIGHTS]->indexed < n[NIGHTS]->posts_held);
	CHECK(n[NIGHTS]->horizon == n[NIGHTS]->newest - 2 * wp.scan.window);

	/* equal to one batch scan of the same posts in the same order */
	bc = read_files(NIGHTS, 1);
	chorus_scan_params_init(&p);
	CHECK_INT(chorus_scan_run(bc, models, &p, &batch, &err), 0);
	CHECK_INT(chorus_ws_load_clusters(ws, NULL, 0, models, 0, &wc, &wscan, &err), 0);
	if (batch && wscan) {
		const chorus_cluster *g = cluster_with(wscan, "g0");
		compare(batch, wscan);
		CHECK(chorus_scan_cluster_count(batch) >= 8);
		CHECK(g && !strcmp(g->id, grow_id));
		CHECK(cluster_with(batch, "g0") && strcmp(cluster_with(batch, "g0")->id, grow_id));
		CHECK(cluster_with(wscan, "b0") && !strcmp(cluster_with(wscan, "b0")->id, x_id));
		CHECK(cluster_with(wscan, "a_too_late") == NULL);
	}
	/* a report of chosen clusters */
	{
		chorus_corpus *c1 = NULL;
		chorus_scan *s1 = NULL;
		CHECK_INT(chorus_ws_load_clusters(ws, (const char (*)[17])grow_id, 1, models, 0, &c1,
						  &s1, &err), 0);
		CHECK(s1 && chorus_scan_cluster_count(s1) == 1 &&
		      !strcmp(chorus_scan_get_cluster(s1, 0)->id, grow_id));
		CHECK(c1 && chorus_corpus_input_count(c1) == 3); /* nights 6, 7, 8 */
		chorus_scan_free(s1);
		chorus_corpus_free(c1);
		CHECK_INT(chorus_ws_load_clusters(ws, (const char (*)[17])y_id, 1, models, 0, &c1,
						  &s1, &err), CHORUS_EUSAGE);
	}
	chorus_scan_free(batch);
	chorus_scan_free(wscan);
	chorus_corpus_free(bc);
	chorus_corpus_free(wc);
out:
	for (int k = 1; k <= NIGHTS; k++)
		chorus_ws_night_free(n[k]);
	chorus_ws_close(ws);
}

/* A night that finds nothing new changes only its own run row. */
static void test_repeat_night(void)
{
	chorus_ws *ws = NULL;
	chorus_ws_night *n;
	chorus_error err;

	CHECK_INT(chorus_ws_open(path_of("ws"), CHORUS_WS_WRITE, &ws, &err), 0);
	n = run_night(ws, 4);
	CHECK(n && n->added == 0 && n->known == n->read && n->nchanges == 0 &&
	      n->links_added == 0 && n->evicted == 0);
	chorus_ws_night_free(n);
	chorus_ws_close(ws);
}

static void sql(const char *db, const char *q)
{
	sqlite3 *h;

	CHECK_INT(sqlite3_open(db, &h), SQLITE_OK);
	CHECK_INT(sqlite3_exec(h, q, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

static void copy_file(const char *from, const char *to)
{
	FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
	char buf[65536];
	size_t r;

	while (a && b && (r = fread(buf, 1, sizeof buf, a)) > 0)
		fwrite(buf, 1, r, b);
	if (a)
		fclose(a);
	if (b)
		fclose(b);
}

/* A copy of the workspace, altered by q, refused with a message holding
 * want (on open, or on the next night). */
static void check_damage(const char *name, const char *q, const char *want)
{
	char wdir[4096], file[4200];
	chorus_ws *ws = NULL;
	chorus_error err;
	int rc;

	snprintf(wdir, sizeof wdir, "%s", path_of(name));
	mkdir(wdir, 0777);
	snprintf(file, sizeof file, "%s/%s", wdir, CHORUS_WS_FILE);
	copy_file(path_of("ws/" CHORUS_WS_FILE), file);
	sql(file, q);
	chorus_error_clear(&err);
	rc = chorus_ws_open(wdir, CHORUS_WS_WRITE, &ws, &err);
	if (rc == 0) {
		chorus_corpus *c = chorus_corpus_new();
		chorus_read_opts ro = { 0 };
		chorus_ws_night_opts o = { 0 };
		chorus_ws_night *n = NULL;
		/* a new post at the end: the night reads the index back */
		chorus_corpus_read(c, path_of("fresh.jsonl"), &ro, &err);
		rc = chorus_ws_run_night(ws, c, models, &o, &n, &err);
		chorus_ws_night_free(n);
		chorus_corpus_free(c);
		chorus_ws_close(ws);
	}
	CHECK_INT(rc, CHORUS_EINPUT);
	if (!strstr(err.text, want))
		fprintf(stderr, "%s: got \"%s\"\n", name, err.text);
	CHECK(strstr(err.text, want) != NULL);
}

static void test_damaged(void)
{
	char t[1024];

	text_of(60, 80, -1, t);
	remove(path_of("fresh.jsonl"));
	{
		FILE *f = fopen(path_of("fresh.jsonl"), "w");
		fprintf(f, "{\"id\":\"fresh\",\"author\":\"x\",\"text\":\"%s\","
			"\"created_at\":\"2020-04-10T23:00:00Z\"}\n", t);
		fclose(f);
	}
	check_damage("dmg_trigger", "CREATE TRIGGER t AFTER INSERT ON posts BEGIN "
		     "DELETE FROM posts; END", "not those of a chorus workspace");
	check_damage("dmg_app", "PRAGMA application_id = 7", "not a chorus workspace");
	check_damage("dmg_order", "UPDATE signatures SET shingles = x'0200000001000000'"
		     " WHERE post = (SELECT max(post) FROM signatures)", "out of order");
	check_damage("dmg_sethash", "UPDATE signatures SET sethash = sethash + 1"
		     " WHERE post = (SELECT max(post) FROM signatures)", "set hash");
	check_damage("dmg_keys", "UPDATE signatures SET band_keys = x'00'"
		     " WHERE post = (SELECT max(post) FROM signatures)", "band keys");
	check_damage("dmg_params", "UPDATE workspace SET bands = 7", "workspace row");
}

static void rm_rf(const char *p)
{
	char cmd[8300];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", p);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", p);
}

int main(void)
{
	const char *base = getenv("CHORUS_TEST_DIR");
	chorus_error err;

	snprintf(dir, sizeof dir, "%s/test_workspace.d", base ? base : "/tmp");
	rm_rf(dir);
	if (mkdir(dir, 0777) != 0) {
		fprintf(stderr, "cannot make %s\n", dir);
		return 1;
	}
	if (chorus_models_load(&models, NULL, &err)) {
		fprintf(stderr, "models: %s\n", err.text);
		return 1;
	}
	test_nights_equal_batch();
	test_repeat_night();
	test_damaged();
	chorus_models_free(models);
	return check_done();
}
