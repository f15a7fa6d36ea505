/* test_scan.c - the scan pipeline end to end through the library API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "chorus/hash.h"
#include "chorus/models.h"
#include "chorus/report.h"
#include "chorus/scan.h"
#include "chorus/timeutil.h"

static chorus_models *models;

static const char *tmp_path(const char *name)
{
	static char path[4096];
	const char *dir = getenv("CHORUS_TEST_DIR");

	snprintf(path, sizeof path, "%s/%s", dir ? dir : "/tmp", name);
	return path;
}

static const char *base_text =
	"Так называемое бюро по правам человека годами живёт на иностранные гранты "
	"и очерняет нашу страну перед западными спонсорами";

/* Write n posts: post k by author "acct<k % authors>", `gap` seconds apart,
 * text = base_text with variant k's word appended when vary is set. */
static void write_posts(FILE *f, int first_id, int n, int authors, long start, long gap,
			const char *text, int vary, const char *extra)
{
	for (int k = 0; k < n; k++)
		fprintf(f, "{\"id\":\"%d\",\"author\":\"acct%d\",\"text\":\"%s%s\","
			   "\"created_at\":%ld%s}\n",
			first_id + k, k % authors, text, vary ? (k % 2 ? " !!!" : " 👍") : "",
			start + k * gap, extra ? extra : "");
}

static chorus_corpus *load(const char *path)
{
	chorus_corpus *c = chorus_corpus_new();
	chorus_read_opts ro = { 0 };
	chorus_error err;

	CHECK_INT(chorus_corpus_read_jsonl(c, path, &ro, &err), 0);
	return c;
}

static chorus_scan *scan(const chorus_corpus *c, chorus_scan_params *p)
{
	chorus_scan *s = NULL;
	chorus_error err;

	CHECK_INT(chorus_scan_run(c, models, p, &s, &err), 0);
	return s;
}

static void test_campaign_and_window(void)
{
	const char *path = tmp_path("scan_campaign.jsonl");
	FILE *f = fopen(path, "w");
	chorus_scan_params p;

	/* 8 posts by 8 accounts within 2 hours: a campaign. */
	write_posts(f, 100, 8, 8, 1588000000, 900, base_text, 1, NULL);
	/* The same text by 6 accounts, 5 days apart each: never within 2d. */
	write_posts(f, 200, 6, 6, 1590000000, 5 * 86400,
		    "Власти объявили о продлении режима чрезвычайного положения до одиннадцатого мая", 0, NULL);
	/* 6 reposts of the campaign text: left out. */
	write_posts(f, 300, 6, 6, 1588000100, 60, base_text, 0, ",\"repost_of\":\"100\"");
	/* Short stock phrase by 10 accounts on one day. */
	write_posts(f, 400, 10, 10, 1588300000, 60, "С праздником! 🎉", 0, NULL);
	fclose(f);

	chorus_corpus *c = load(path);
	chorus_scan_params_init(&p);
	chorus_scan *s = scan(c, &p);
	const chorus_scan_stats *st = chorus_scan_get_stats(s);
	CHECK_INT(st->posts, 30);
	CHECK_INT(st->reposts, 6);
	CHECK_INT(st->short_posts, 10);
	CHECK_INT(chorus_scan_cluster_count(s), 1);
	const chorus_cluster *cl = chorus_scan_get_cluster(s, 0);
	CHECK_INT(cl->nposts, 8);
	CHECK_INT(cl->naccounts, 8);
	CHECK_INT(cl->burst_accounts, 8);
	CHECK_STR(chorus_scan_get_post(s, cl->posts[0])->id.p, "100");
	CHECK_STR(chorus_scan_get_post(s, cl->posts[7])->id.p, "107");
	CHECK_INT(cl->first_seen, INT64_C(1588000000) * CHORUS_NS_PER_SEC);
	CHECK_INT(cl->last_seen - cl->first_seen, INT64_C(7 * 900) * CHORUS_NS_PER_SEC);
	CHECK(cl->sim_max == 1.0 && cl->sim_min >= p.threshold);
	chorus_scan_free(s);

	/* Reposts included: they join the campaign. */
	p.include_reposts = 1;
	s = scan(c, &p);
	CHECK_INT(chorus_scan_cluster_count(s), 1);
	CHECK_INT(chorus_scan_get_cluster(s, 0)->nposts, 14);
	chorus_scan_free(s);

	/* A window of 6 days links the headline shares into one chain, but no
	 * 6 days hold 5 of its accounts: a slow group, left out and counted. */
	chorus_scan_params_init(&p);
	p.window = 6 * 86400 * CHORUS_NS_PER_SEC;
	s = scan(c, &p);
	CHECK_INT(chorus_scan_cluster_count(s), 1);
	CHECK_INT(chorus_scan_get_stats(s)->groups, 2);
	CHECK_INT(chorus_scan_get_stats(s)->slow_groups, 1);
	chorus_scan_free(s);

	/* A window of 25 days holds all six: a cluster. */
	p.window = 25 * 86400 * CHORUS_NS_PER_SEC;
	s = scan(c, &p);
	CHECK_INT(chorus_scan_cluster_count(s), 2);
	CHECK_INT(chorus_scan_get_stats(s)->slow_groups, 0);
	chorus_scan_free(s);

	/* More accounts than the campaign has: nothing. */
	chorus_scan_params_init(&p);
	p.min_accounts = 9;
	s = scan(c, &p);
	CHECK_INT(chorus_scan_cluster_count(s), 0);
	chorus_scan_free(s);
	chorus_corpus_free(c);
}

static void test_one_author_is_not_a_campaign(void)
{
	const char *path = tmp_path("scan_self.jsonl");
	FILE *f = fopen(path, "w");
	chorus_scan_params p;

	write_posts(f, 1, 20, 1, 1588000000, 60, base_text, 1, NULL);
	fclose(f);
	chorus_corpus *c = load(path);
	chorus_scan_params_init(&p);
	chorus_scan *s = scan(c, &p);
	CHECK_INT(chorus_scan_get_stats(s)->groups, 1);
	CHECK_INT(chorus_scan_cluster_count(s), 0);
	chorus_scan_free(s);
	chorus_corpus_free(c);
}

static char *report(const chorus_scan *s, const chorus_corpus *c, const chorus_scan_params *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	chorus_report_meta meta = { .models_version = "test" };
	chorus_error err;

	CHECK_INT(chorus_report_json(f, s, c, p, &meta, &err), 0);
	fclose(f);
	return buf;
}

/* Twelve made-up words per campaign, drawn from a syllable table by a hash of
 * the campaign number, so that different campaigns share almost no shingles. */
static const char *campaign_text(int camp)
{
	static const char *syl[16] = { "ка", "ро", "ми", "зу", "те", "ла", "по", "ны",
				       "ва", "се", "ду", "ки", "хо", "бе", "ша", "гу" };
	static char text[512];
	size_t at = 0;

	for (int w = 0; w < 12; w++) {
		uint64_t h = chorus_mix64((uint64_t)camp * 1000 + (uint64_t)w);
		for (int j = 0; j < 4; j++) {
			const char *s = syl[(h >> (4 * j)) & 15];
			memcpy(text + at, s, strlen(s));
			at += strlen(s);
		}
		text[at++] = ' ';
	}
	text[at - 1] = '\0';
	return text;
}

static void test_threads_identical(void)
{
	const char *path = tmp_path("scan_threads.jsonl");
	FILE *f = fopen(path, "w");
	chorus_scan_params p;
	char *out[3];

	/* 40 campaigns interleaved with unrelated posts, 30,000 posts. */
	for (int k = 0; k < 30000; k++) {
		int camp = k % 7 == 0 ? (k / 7) % 40 : -1;
		if (camp >= 0)
			fprintf(f, "{\"id\":\"%d\",\"author\":\"u%d\",\"text\":\"%s вариант %d\","
				   "\"created_at\":%d}\n", k, k % 977, campaign_text(camp), k % 3,
				1588000000 + k * 7);
		else
			fprintf(f, "{\"id\":\"%d\",\"author\":\"u%d\",\"text\":\"%s\","
				   "\"created_at\":%d}\n",
				k, k % 977, campaign_text(100000 + k), 1588000000 + k * 7);
	}
	fclose(f);
	chorus_corpus *c = load(path);
	for (int t = 1; t <= 3; t++) {
		chorus_scan_params_init(&p);
		p.threads = t;
		chorus_scan *s = scan(c, &p);
		out[t - 1] = report(s, c, &p);
		if (t == 1)
			CHECK_INT(chorus_scan_cluster_count(s), 40);
		chorus_scan_free(s);
	}
	CHECK_STR(out[0], out[1]);
	CHECK_STR(out[0], out[2]);
	for (int t = 0; t < 3; t++)
		free(out[t]);
	chorus_corpus_free(c);
}

static void test_params(void)
{
	chorus_scan_params p;
	chorus_error err;

	chorus_scan_params_init(&p);
	CHECK_INT(chorus_scan_params_check(&p, &err), 0);
	p.bands = 30;
	CHECK_INT(chorus_scan_params_check(&p, &err), CHORUS_EUSAGE);
	chorus_scan_params_init(&p);
	p.threshold = 0;
	CHECK_INT(chorus_scan_params_check(&p, &err), CHORUS_EUSAGE);
	chorus_scan_params_init(&p);
	p.shingle_k = 17;
	CHECK_INT(chorus_scan_params_check(&p, &err), CHORUS_EUSAGE);
}

int main(void)
{
	chorus_error err;

	if (chorus_models_load(&models, NULL, &err)) {
		fprintf(stderr, "models: %s\n", err.text);
		return 1;
	}
	test_params();
	test_campaign_and_window();
	test_one_author_is_not_a_campaign();
	test_threads_identical();
	chorus_models_free(models);
	return check_done();
}
