/*
 * cmd_scan.c - `chorus scan [options] INPUT...`: read posts, run the
 * detection pipeline, write the JSON report.
 *
 * Bad records are reported one per line on standard error as
 * "chorus: FILE:LINE: reason" (at most --max-errors per input, then a count),
 * skipped and counted; --strict turns the first into exit status 3.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chorus/minhash.h"
#include "chorus/models.h"
#include "chorus/report.h"
#include "chorus/scan.h"
#include "chorus/timeutil.h"
#include "cli.h"
#include "opts.h"
#include "read.h"

static const char scan_usage[] =
	"usage: chorus scan [options] INPUT...\n"
	"\n"
	"Find groups of near-identical posts published by several distinct accounts\n"
	"within a time window, and write them as JSON.  INPUT is a JSON Lines file of\n"
	"posts (gzip is detected and read transparently) or '-' for standard input.\n"
	"\n"
	"detection:\n"
	"  --window DURATION    linked posts are at most this far apart: 90m, 48h, 2d\n"
	"                       (default 2d)\n"
	"  --threshold J        minimum Jaccard similarity of linked posts (default 0.55)\n"
	"  --min-accounts N     distinct accounts a cluster needs (default 5)\n"
	"  --shingle word:K|char:K  shingles compared (default word:1)\n"
	"  --perms N            MinHash permutations (default 128)\n"
	"  --bands B            LSH bands, must divide --perms (default 32)\n"
	"  --min-content N      posts with fewer words and emoji are short and left\n"
	"                       out (default 8)\n"
	"  --neighbours N       bucket predecessors compared per post (default 8)\n"
	"  --include-reposts    match native reposts too (default: left out, counted)\n"
	"  --seed N             hash seed (default 0x63686f7275732031)\n"
	"\n"
	"input and output:\n"
	"  --format NAME        auto, jsonl, twitter-v1.1, twitter-v2, telegram,\n"
	"                       mastodon, bluesky, csv, twitter-io, ira, cnt\n"
	"                       (default auto: detected from the content)\n"
	"  --map SPEC           CSV columns: id=COL,author=COL,text=COL,created_at=COL\n"
	"                       [,handle=COL,repost_of=COL,reply_to=COL,lang=COL,url=COL]\n"
	"  --json FILE          write the JSON report to FILE ('-' = stdout, default)\n"
	"  --out DIR            also write the evidence folder DIR (clusters.jsonl,\n"
	"                       posts.csv, report.html, accounts.gexf,\n"
	"                       accounts.graphml, MANIFEST.sha256)\n"
	"  --strict             stop at the first bad record (exit status 3)\n"
	"  --max-errors N       bad records printed per input, 0 = all (default 100)\n"
	"  --max-record BYTES   longest input line accepted (default 1048576)\n"
	"  --models DIR         models folder (default: $CHORUS_MODELS or built-in)\n"
	"  --threads N          worker threads (default: all cores); never changes output\n"
	"  --progress MODE      auto, bar, log or none (default auto: bar on a terminal)\n"
	"  --help, --version\n"
	"\n"
	"exit status: 0 scan ran (clusters or not), 1 failure, 2 usage error,\n"
	"3 bad input under --strict.\n";

typedef struct scan_cli {
	chorus_scan_params p;
	cli_reader rd;
	const char *json;
	const char *out_dir;
	const char *models_dir;
	int progress; /* PROGRESS_* */
	struct timespec t0;
} scan_cli;

enum { PROGRESS_NONE, PROGRESS_BAR, PROGRESS_LOG };

enum {
	OPT_WINDOW = 256, OPT_THRESHOLD, OPT_MIN_ACCOUNTS, OPT_SHINGLE, OPT_PERMS, OPT_BANDS,
	OPT_THREADS, OPT_JSON, OPT_OUT, OPT_STRICT, OPT_PROGRESS, OPT_HELP, OPT_VERSION,
	OPT_MIN_CONTENT, OPT_NEIGHBOURS, OPT_REPOSTS, OPT_SEED, OPT_MAX_ERRORS, OPT_MAX_RECORD,
	OPT_MODELS, OPT_FORMAT, OPT_MAP
};

static const struct option long_opts[] = {
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "min-accounts", required_argument, NULL, OPT_MIN_ACCOUNTS },
	{ "shingle", required_argument, NULL, OPT_SHINGLE },
	{ "perms", required_argument, NULL, OPT_PERMS },
	{ "bands", required_argument, NULL, OPT_BANDS },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "min-content", required_argument, NULL, OPT_MIN_CONTENT },
	{ "neighbours", required_argument, NULL, OPT_NEIGHBOURS },
	{ "include-reposts", no_argument, NULL, OPT_REPOSTS },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "max-errors", required_argument, NULL, OPT_MAX_ERRORS },
	{ "max-record", required_argument, NULL, OPT_MAX_RECORD },
	{ "models", required_argument, NULL, OPT_MODELS },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "map", required_argument, NULL, OPT_MAP },
	{ NULL, 0, NULL, 0 }
};

static int parse_progress(const char *v, int *out)
{
	if (!strcmp(v, "none"))
		*out = PROGRESS_NONE;
	else if (!strcmp(v, "bar"))
		*out = PROGRESS_BAR;
	else if (!strcmp(v, "log"))
		*out = PROGRESS_LOG;
	else if (!strcmp(v, "auto"))
		*out = isatty(STDERR_FILENO) ? PROGRESS_BAR : PROGRESS_NONE;
	else
		return -1;
	return 0;
}

static int parse_shingle(const char *v, chorus_scan_params *p)
{
	unsigned long k;

	if (!strncmp(v, "word:", 5))
		p->shingle_kind = CHORUS_SHINGLE_WORD;
	else if (!strncmp(v, "char:", 5))
		p->shingle_kind = CHORUS_SHINGLE_CHAR;
	else
		return -1;
	if (opts_ulong(v + 5, 1, 16, &k))
		return -1;
	p->shingle_k = (unsigned)k;
	return 0;
}

/* Apply one option; -1 after printing a usage error. */
static int apply(scan_cli *c, int opt, const char *v)
{
	unsigned long u;
	double d;

	switch (opt) {
	case OPT_WINDOW:
		if (chorus_duration_parse(v, &c->p.window) == 0)
			return 0;
		cli_error("scan: --window: '%s' is not a duration like 90m, 48h or 2d", v);
		return -1;
	case OPT_THRESHOLD:
		if (opts_double(v, 0.0, 1.0, &d) == 0 && d > 0.0) {
			c->p.threshold = d;
			return 0;
		}
		cli_error("scan: --threshold: '%s' is not a number in (0, 1]", v);
		return -1;
	case OPT_SHINGLE:
		if (parse_shingle(v, &c->p) == 0)
			return 0;
		cli_error("scan: --shingle: '%s' is not word:K or char:K with K from 1 to 16", v);
		return -1;
	case OPT_PROGRESS:
		if (parse_progress(v, &c->progress) == 0)
			return 0;
		cli_error("scan: --progress: '%s' is not auto, bar, log or none", v);
		return -1;
	case OPT_SEED:
		if (opts_u64(v, &c->p.seed) == 0)
			return 0;
		cli_error("scan: --seed: '%s' is not an unsigned 64-bit integer", v);
		return -1;
	case OPT_FORMAT:
		if (cli_reader_format(&c->rd, v) == 0)
			return 0;
		cli_error("scan: --format: '%s' is not auto, jsonl, twitter-v1.1, twitter-v2, telegram, mastodon, bluesky, csv, twitter-io, ira or cnt", v);
		return -1;
	case OPT_MAP: c->rd.ro.csv_map = v; return 0;
	case OPT_JSON: c->json = v; return 0;
	case OPT_OUT: c->out_dir = v; return 0;
	case OPT_MODELS: c->models_dir = v; return 0;
	case OPT_STRICT: c->rd.ro.strict = 1; return 0;
	case OPT_REPOSTS: c->p.include_reposts = 1; return 0;
	default: break;
	}
	if (opts_ulong(v, 0, 1UL << 30, &u)) {
		cli_error("scan: option needs a non-negative integer, got '%s'", v);
		return -1;
	}
	switch (opt) {
	case OPT_MIN_ACCOUNTS: c->p.min_accounts = (unsigned)u; break;
	case OPT_PERMS: c->p.perms = (unsigned)u; break;
	case OPT_BANDS: c->p.bands = (unsigned)u; break;
	case OPT_THREADS: c->p.threads = c->rd.ro.threads = (int)u; break;
	case OPT_MIN_CONTENT: c->p.min_content = (unsigned)u; break;
	case OPT_NEIGHBOURS: c->p.max_neighbours = (unsigned)u; break;
	case OPT_MAX_ERRORS: c->rd.max_errors = u; break;
	case OPT_MAX_RECORD: c->rd.ro.max_record = u; break;
	default: return -1;
	}
	return 0;
}

static double elapsed(const scan_cli *c)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - c->t0.tv_sec) + (t.tv_nsec - c->t0.tv_nsec) / 1e9;
}

static void on_stage(void *ud, const char *stage, int done)
{
	scan_cli *c = ud;

	if (c->progress == PROGRESS_BAR && !done)
		fprintf(stderr, "\r\033[K%s ...", stage);
	else if (c->progress == PROGRESS_LOG && done)
		fprintf(stderr, "chorus: %s done at %.2f s\n", stage, elapsed(c));
}

static void init_cli(scan_cli *c)
{
	memset(c, 0, sizeof *c);
	chorus_scan_params_init(&c->p);
	c->json = "-";
	cli_reader_init(&c->rd);
	parse_progress("auto", &c->progress);
	c->p.on_stage = on_stage;
	c->p.ud = c;
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
}

/* Parse argv; returns -1 to go on, else an exit status. */
static int parse_args(scan_cli *c, int argc, char **argv)
{
	chorus_error err;
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (opt == OPT_HELP) {
			fputs(scan_usage, stdout);
			return CLI_EXIT_OK;
		}
		if (opt == OPT_VERSION) {
			printf("chorus %s\n", CHORUS_VERSION);
			return CLI_EXIT_OK;
		}
		if (opt == '?' || opt == ':') {
			cli_error("scan: unknown option or missing value: '%s' (try --help)",
				  argv[optind - 1]);
			return CLI_EXIT_USAGE;
		}
		if (apply(c, opt, optarg))
			return CLI_EXIT_USAGE;
	}
	if (optind >= argc) {
		cli_error("scan: no INPUT given (try --help)");
		return CLI_EXIT_USAGE;
	}
	if (chorus_scan_params_check(&c->p, &err)) {
		cli_error("scan: %s", err.text);
		return CLI_EXIT_USAGE;
	}
	return -1;
}

static int write_report(scan_cli *c, const chorus_scan *s, const chorus_corpus *corpus,
			const chorus_models *m)
{
	chorus_report_meta meta = { .models_version = chorus_models_version(m) };
	chorus_error err;
	int to_stdout = !strcmp(c->json, "-");
	FILE *f = to_stdout ? stdout : opts_out_open(c->json);
	int rc;

	if (!f) {
		cli_error("%s: cannot write: %s", c->json, strerror(errno));
		return CLI_EXIT_FAIL;
	}
	rc = chorus_report_json(f, s, corpus, &c->p, &meta, &err);
	if (!to_stdout)
		rc = opts_out_close(f, c->json, rc);
	if (rc) {
		cli_error("%s: %s", to_stdout ? "standard output" : c->json,
			  rc == CHORUS_EIO ? strerror(errno) : chorus_code_str(rc));
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

static int write_folder(const scan_cli *c, const chorus_scan *s,
			const chorus_corpus *corpus, const chorus_models *m)
{
	chorus_report_meta meta = { .models_version = chorus_models_version(m) };
	chorus_error err;

	chorus_error_clear(&err);
	if (!c->out_dir || chorus_report_folder(c->out_dir, s, corpus, &meta, &err) == 0)
		return CLI_EXIT_OK;
	cli_error("%s: %s", err.source[0] ? err.source : c->out_dir, err.text);
	return CLI_EXIT_FAIL;
}

static void summary(const scan_cli *c, const chorus_scan *s)
{
	const chorus_scan_stats *st = chorus_scan_get_stats(s);

	if (c->progress == PROGRESS_NONE)
		return;
	fprintf(stderr, "%schorus: %llu posts, %llu reposts and %llu short posts left out, "
		"%llu clusters (%.2f s)\n", c->progress == PROGRESS_BAR ? "\r\033[K" : "",
		(unsigned long long)st->posts, (unsigned long long)st->reposts,
		(unsigned long long)st->short_posts, (unsigned long long)st->clusters, elapsed(c));
}

int cmd_scan(int argc, char **argv)
{
	scan_cli c;
	chorus_models *models = NULL;
	chorus_corpus *corpus = NULL;
	chorus_scan *scan = NULL;
	chorus_error err;
	int rc;

	init_cli(&c);
	if ((rc = parse_args(&c, argc, argv)) >= 0)
		return rc;
	chorus_error_clear(&err);
	if (chorus_models_load(&models, c.models_dir, &err)) {
		cli_error("%s: %s", err.source[0] ? err.source : "models", err.text);
		return CLI_EXIT_FAIL;
	}
	rc = CLI_EXIT_FAIL;
	corpus = chorus_corpus_new();
	if (!corpus) {
		cli_error("out of memory");
		goto out;
	}
	c.rd.bar = c.progress == PROGRESS_BAR;
	if ((rc = cli_read_inputs(&c.rd, corpus, argc - optind, argv + optind)) >= 0)
		goto out;
	rc = CLI_EXIT_FAIL;
	if (chorus_scan_run(corpus, models, &c.p, &scan, &err)) {
		cli_error("scan: %s", err.text);
		goto out;
	}
	rc = write_report(&c, scan, corpus, models);
	if (rc == CLI_EXIT_OK)
		rc = write_folder(&c, scan, corpus, models);
	if (rc == CLI_EXIT_OK)
		summary(&c, scan);
out:
	chorus_scan_free(scan);
	chorus_corpus_free(corpus);
	chorus_models_free(models);
	return rc;
}
