/* test_eval.c - chorus_eval_files: figures worked out by hand. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "chorus/eval.h"

static const char *write_file(const char *name, const char *text)
{
	static char path[2][4096];
	static int which;
	const char *dir = getenv("CHORUS_TEST_DIR");
	char *p = path[which++ & 1];
	FILE *f;

	snprintf(p, 4096, "%s/%s", dir ? dir : "/tmp", name);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	return p;
}

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

/*
 * Campaign A (exact): posts 1-4; campaign B (heavy): posts 5-8;
 * hard negative H (headline): posts 9-10.
 * Clusters: {1,2,3,9} (A found: 3 of 4, 3 of 4 its own),
 *           {5,6}     (B not found: 2 of 4 is not more than half),
 *           {10,11}   (false cluster).
 */
static void test_figures(void)
{
	const char *truth = write_file("eval_truth.jsonl",
		"{\"kind\":\"header\"}\n"
		"{\"kind\":\"campaign\",\"id\":\"A\",\"tier\":\"exact\",\"posts\":[\"1\",\"2\",\"3\",\"4\"]}\n"
		"{\"kind\":\"campaign\",\"id\":\"B\",\"tier\":\"heavy\",\"posts\":[\"5\",\"6\",\"7\",\"8\"]}\n"
		"{\"kind\":\"hard_negative\",\"type\":\"headline\",\"id\":\"H\",\"posts\":[\"9\",\"10\"]}\n");
	const char *report = write_file("eval_report.json",
		"{\"clusters\":[{\"posts\":[\"1\",\"2\",\"3\",\"9\"]},{\"posts\":[\"5\",\"6\"]},"
		"{\"posts\":[\"10\",\"11\"]}]}");
	chorus_eval ev;
	chorus_error err;

	CHECK_INT(chorus_eval_files(truth, report, &ev, &err), 0);
	CHECK_INT(ev.campaigns, 2);
	CHECK_INT(ev.found, 1);
	CHECK(NEAR(ev.campaign_recall, 0.5));
	CHECK_INT(ev.flagged_posts, 8);
	CHECK_INT(ev.flagged_campaign_posts, 5);
	CHECK(NEAR(ev.post_precision, 5.0 / 8.0));
	CHECK(NEAR(ev.post_recall, 5.0 / 8.0));
	CHECK_INT(ev.clusters, 3);
	CHECK_INT(ev.false_clusters, 1);
	/* B-cubed precision over the 8 flagged posts: 1,2,3 -> 3/4 each; 9 -> 1/4;
	 * 5,6 -> 1 each; 10, 11 -> 1/2 each. */
	CHECK(NEAR(ev.bcubed_precision, (3 * 0.75 + 0.25 + 2 + 1) / 8.0));
	/* B-cubed recall over the 8 campaign posts: 1,2,3 -> 3/4; 4 -> 1/4 (alone);
	 * 5,6 -> 2/4; 7, 8 -> 1/4 each. */
	CHECK(NEAR(ev.bcubed_recall, (3 * 0.75 + 0.25 + 2 * 0.5 + 2 * 0.25) / 8.0));
	CHECK_INT(ev.negative_flagged, 2);
	CHECK_INT(ev.ntiers, 2);
}

static void test_bad_report(void)
{
	const char *truth = write_file("eval_truth2.jsonl",
		"{\"kind\":\"campaign\",\"id\":\"A\",\"tier\":\"exact\",\"posts\":[\"1\",\"2\"]}\n");
	chorus_eval ev;
	chorus_error err;

	/* A post in two clusters is not a chorus report. */
	CHECK_INT(chorus_eval_files(truth, write_file("eval_dup.json",
		"{\"clusters\":[{\"posts\":[\"1\",\"2\"]},{\"posts\":[\"2\"]}]}"), &ev, &err),
		CHORUS_EINPUT);
	CHECK_INT(chorus_eval_files(truth, write_file("eval_dup2.json",
		"{\"clusters\":[{\"posts\":[\"1\",\"1\"]}]}"), &ev, &err), CHORUS_EINPUT);
	CHECK_INT(chorus_eval_files(truth, write_file("eval_noclusters.json", "{\"x\":1}"), &ev,
				    &err), CHORUS_EINPUT);
	CHECK_INT(chorus_eval_files(truth, write_file("eval_notjson.json", "[1,"), &ev, &err),
		  CHORUS_EINPUT);
}

int main(void)
{
	test_figures();
	test_bad_report();
	return check_done();
}
