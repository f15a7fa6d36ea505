/*
 * cmd_eval.c - `chorus eval --truth TRUTH REPORT.json`: detection quality
 * of a scan against ground truth (measures: chorus/eval.h).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "chorus/eval.h"
#include "cli.h"

static const char eval_usage[] =
	"usage: chorus eval --truth TRUTH.jsonl [--json] REPORT.json\n"
	"\n"
	"Measure a scan report against a ground-truth file written by 'chorus synth':\n"
	"campaign recall (a campaign is found when one cluster holds most of its posts\n"
	"and is mostly made of them), post precision and recall, B-cubed F1, false\n"
	"clusters, each by tier, and the hard negatives that were flagged.\n"
	"  --truth FILE   ground truth (required)\n"
	"  --json         print the figures as one JSON object\n";

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

static void print_text(const chorus_eval *e)
{
	printf("campaign recall   %.4f  (%llu of %llu)\n", e->campaign_recall,
	       (unsigned long long)e->found, (unsigned long long)e->campaigns);
	printf("post precision    %.4f  (%llu of %llu flagged posts are campaign posts)\n",
	       e->post_precision, (unsigned long long)e->flagged_campaign_posts,
	       (unsigned long long)e->flagged_posts);
	printf("post recall       %.4f  (%llu of %llu campaign posts flagged)\n", e->post_recall,
	       (unsigned long long)e->flagged_campaign_posts, (unsigned long long)e->campaign_posts);
	printf("B-cubed           precision %.4f  recall %.4f  F1 %.4f\n", e->bcubed_precision,
	       e->bcubed_recall, e->bcubed_f1);
	printf("false clusters    %llu of %llu\n", (unsigned long long)e->false_clusters,
	       (unsigned long long)e->clusters);
	printf("\n%-12s %9s %7s %8s %12s\n", "tier", "campaigns", "found", "recall", "post recall");
	for (size_t i = 0; i < e->ntiers; i++) {
		const chorus_eval_group *g = &e->tiers[i];
		printf("%-12s %9llu %7llu %8.4f %12.4f\n", g->name, (unsigned long long)g->items,
		       (unsigned long long)g->found, ratio(g->found, g->items), ratio(g->flagged, g->posts));
	}
	printf("\n%-14s %7s %8s %7s %13s\n", "hard negative", "items", "flagged", "posts",
	       "posts flagged");
	for (size_t i = 0; i < e->nnegatives; i++) {
		const chorus_eval_group *g = &e->negatives[i];
		printf("%-14s %7llu %8llu %7llu %13llu\n", g->name, (unsigned long long)g->items,
		       (unsigned long long)g->found, (unsigned long long)g->posts,
		       (unsigned long long)g->flagged);
	}
}

static void print_groups(const char *key, const chorus_eval_group *g, size_t n)
{
	printf(", \"%s\": {", key);
	for (size_t i = 0; i < n; i++)
		printf("%s\"%s\": {\"items\": %llu, \"found\": %llu, \"posts\": %llu, \"flagged\": %llu}",
		       i ? ", " : "", g[i].name, (unsigned long long)g[i].items,
		       (unsigned long long)g[i].found, (unsigned long long)g[i].posts,
		       (unsigned long long)g[i].flagged);
	printf("}");
}

static void print_json(const chorus_eval *e)
{
	printf("{\"campaigns\": %llu, \"found\": %llu, \"campaign_recall\": %.4f, "
	       "\"post_precision\": %.4f, \"post_recall\": %.4f, \"bcubed_precision\": %.4f, "
	       "\"bcubed_recall\": %.4f, \"bcubed_f1\": %.4f, \"clusters\": %llu, "
	       "\"false_clusters\": %llu, \"hard_negative_posts_flagged\": %llu",
	       (unsigned long long)e->campaigns, (unsigned long long)e->found, e->campaign_recall,
	       e->post_precision, e->post_recall, e->bcubed_precision, e->bcubed_recall,
	       e->bcubed_f1, (unsigned long long)e->clusters, (unsigned long long)e->false_clusters,
	       (unsigned long long)e->negative_flagged);
	print_groups("tiers", e->tiers, e->ntiers);
	print_groups("hard_negatives", e->negatives, e->nnegatives);
	printf("}\n");
}

int cmd_eval(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "truth", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *truth = NULL;
	int json = 0, opt;
	chorus_eval e;
	chorus_error err;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 't': truth = optarg; break;
		case 'j': json = 1; break;
		case 'h': fputs(eval_usage, stdout); return CLI_EXIT_OK;
		default:
			cli_error("eval: unknown option or missing value: '%s' (try --help)",
				  argv[optind - 1]);
			return CLI_EXIT_USAGE;
		}
	}
	if (!truth || optind != argc - 1) {
		cli_error("eval: need --truth TRUTH and one REPORT (try --help)");
		return CLI_EXIT_USAGE;
	}
	chorus_error_clear(&err);
	int rc = chorus_eval_files(truth, argv[optind], &e, &err);
	if (rc) {
		if (err.line)
			cli_error("%s:%llu: %s", err.source, (unsigned long long)err.line, err.text);
		else
			cli_error("%s: %s", err.source, err.text[0] ? err.text : chorus_code_str(rc));
		return rc == CHORUS_EINPUT ? CLI_EXIT_INPUT : CLI_EXIT_FAIL;
	}
	if (json)
		print_json(&e);
	else
		print_text(&e);
	return CLI_EXIT_OK;
}
