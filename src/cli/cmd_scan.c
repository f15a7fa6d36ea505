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
#include <limits.h>
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
#include "scan_opts.h"

static const char scan_usage[] =
	"usage: chorus scan [options] INPUT...\n"
	"       chorus scan --workspace DIR [options] INPUT...\n"
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
	"                       mastodon, bluesky, csv, twitter-io, ira, cnt, feed,\n"
	"                       telegram-web\n"
	"                       (default auto: detected from the content)\n"
	"  --map SPEC           CSV columns: id=COL,author=COL,text=COL,created_at=COL\n"
	"                       [,handle=COL,repost_of=COL,reply_to=COL,lang=COL,url=COL]\n"
	"  --json FILE          write the JSON report to FILE ('-' = stdout, default)\n"
	"  --fixed-time T       record T (RFC 3339) as the run time in provenance.json\n"
	"                       (for reproducible folders; default: now)\n"
	"  --expect-json FILE   compare the JSON report with FILE byte for byte first;\n"
	"                       on any difference say where and exit 1 (nothing written)\n"
	"  --redact             shareable version: @mentions of accounts in no cluster\n"
	"                       become @account_N in everything written\n"
	"  --redact-map FILE    write the pseudonym -> handle mapping to FILE, which\n"
	"                       must be outside the --out folder (implies --redact)\n"
	"  --out DIR            also write the evidence folder DIR (report.html,\n"
	"                       clusters.jsonl, posts.csv, accounts.gexf,\n"
	"                       accounts.graphml, scan.json, provenance.json,\n"
	"                       MANIFEST.sha256)\n"
	"  --strict             stop at the first bad record (exit status 3)\n"
	"  --max-errors N       bad records printed per input, 0 = all (default 100)\n"
	"  --max-record BYTES   longest input line accepted (default 1048576)\n"
	"  --models DIR         models folder (default: $CHORUS_MODELS or built-in)\n"
	"  --threads N          worker threads (default: all cores); never changes output\n"
	"  --progress MODE      auto, bar, log or none (default auto: bar on a terminal)\n"
	"  --help, --version\n"
	"\n"
	"nightly scans (see chorus init):\n"
	"  --workspace DIR      add the new posts of INPUT to the workspace DIR and match\n"
	"                       only them, in one transaction; detection options are\n"
	"                       those DIR was made with (any given must equal them)\n"
	"  --summary FILE       write the night's summary as JSON ('-' = stdout)\n"
	"  --alert-score X      new and grown clusters scoring at least X are alerts\n"
	"                       (default 0: all of them)\n"
	"  --out DIR            the evidence folder of tonight's alerts\n"
	"  --json FILE          the JSON report of every active cluster (default: none)\n"
	"\n"
	"exit status: 0 scan ran (clusters or not), 1 failure, 2 usage error,\n"
	"3 bad input under --strict; with --workspace, 5: the night has alerts.\n";

enum {
	OPT_THREADS = OPT_DETECTION_END, OPT_JSON, OPT_OUT, OPT_STRICT, OPT_PROGRESS, OPT_HELP,
	OPT_VERSION, OPT_MAX_ERRORS, OPT_MAX_RECORD, OPT_MODELS, OPT_FORMAT, OPT_MAP,
	OPT_FIXED_TIME, OPT_EXPECT_JSON, OPT_REDACT, OPT_REDACT_MAP, OPT_WORKSPACE, OPT_SUMMARY,
	OPT_ALERT_SCORE
};

static const struct option long_opts[] = {
	SCAN_DETECTION_OPTIONS,
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "max-errors", required_argument, NULL, OPT_MAX_ERRORS },
	{ "max-record", required_argument, NULL, OPT_MAX_RECORD },
	{ "models", required_argument, NULL, OPT_MODELS },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "map", required_argument, NULL, OPT_MAP },
	{ "fixed-time", required_argument, NULL, OPT_FIXED_TIME },
	{ "expect-json", required_argument, NULL, OPT_EXPECT_JSON },
	{ "redact", no_argument, NULL, OPT_REDACT },
	{ "redact-map", required_argument, NULL, OPT_REDACT_MAP },
	{ "workspace", required_argument, NULL, OPT_WORKSPACE },
	{ "summary", required_argument, NULL, OPT_SUMMARY },
	{ "alert-score", required_argument, NULL, OPT_ALERT_SCORE },
	{ NULL, 0, NULL, 0 }
};

/* Apply one option; -1 after printing a usage error. */
static int apply(scan_cli *c, int opt, const char *v)
{
	unsigned long u;
	int r = scan_opts_detection("scan", &c->p, opt, v);

	if (r <= 0) {
		if (r == 0)
			c->given |= 1u << (opt - OPT_WINDOW);
		return r;
	}
	switch (opt) {
	case OPT_PROGRESS:
		if (scan_opts_progress(v, &c->progress) == 0)
			return 0;
		cli_error("scan: --progress: '%s' is not auto, bar, log or none", v);
		return -1;
	case OPT_FORMAT:
		if (cli_reader_format(&c->rd, v) == 0)
			return 0;
		cli_error("scan: --format: '%s' is not auto, jsonl, twitter-v1.1, twitter-v2, telegram, mastodon, bluesky, csv, twitter-io, ira, cnt, feed or telegram-web", v);
		return -1;
	case OPT_MAP: c->rd.ro.csv_map = v; return 0;
	case OPT_JSON: c->json = v; c->json_given = 1; return 0;
	case OPT_EXPECT_JSON: c->expect_json = v; return 0;
	case OPT_REDACT: c->redact = 1; return 0;
	case OPT_REDACT_MAP: c->redact_map = v; c->redact = 1; return 0;
	case OPT_FIXED_TIME:
		if (chorus_time_parse_rfc3339(v, strlen(v), &c->run_time) == 0) {
			c->run_time_fixed = 1;
			return 0;
		}
		cli_error("scan: --fixed-time: '%s' is not an RFC 3339 time", v);
		return -1;
	case OPT_OUT: c->out_dir = v; return 0;
	case OPT_MODELS: c->models_dir = v; return 0;
	case OPT_STRICT: c->rd.ro.strict = 1; return 0;
	case OPT_WORKSPACE: c->workspace = v; return 0;
	case OPT_SUMMARY: c->summary = v; return 0;
	case OPT_ALERT_SCORE:
		if (opts_double(v, 0.0, 1e12, &c->alert_score) == 0) {
			c->alert_given = 1;
			return 0;
		}
		cli_error("scan: --alert-score: '%s' is not a number of at least 0", v);
		return -1;
	default: break;
	}
	if (opts_ulong(v, 0, 1UL << 30, &u)) {
		cli_error("scan: option needs a non-negative integer, got '%s'", v);
		return -1;
	}
	switch (opt) {
	case OPT_THREADS: c->p.threads = c->rd.ro.threads = (int)u; break;
	case OPT_MAX_ERRORS: c->rd.max_errors = u; break;
	case OPT_MAX_RECORD: c->rd.ro.max_record = u; break;
	default: return -1;
	}
	return 0;
}

double scan_cli_elapsed(const scan_cli *c)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - c->t0.tv_sec) + (t.tv_nsec - c->t0.tv_nsec) / 1e9;
}

void scan_cli_on_stage(void *ud, const char *stage, int done)
{
	scan_cli *c = ud;

	if (c->progress == PROGRESS_BAR && !done)
		fprintf(stderr, "\r\033[K%s ...", stage);
	else if (c->progress == PROGRESS_LOG && done)
		fprintf(stderr, "chorus: %s done at %.2f s\n", stage, scan_cli_elapsed(c));
}

static void init_cli(scan_cli *c)
{
	memset(c, 0, sizeof *c);
	chorus_scan_params_init(&c->p);
	c->json = "-";
	cli_reader_init(&c->rd);
	scan_opts_progress("auto", &c->progress);
	c->p.on_stage = scan_cli_on_stage;
	c->p.ud = c;
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	{
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		c->run_time = (int64_t)now.tv_sec * CHORUS_NS_PER_SEC + now.tv_nsec;
	}
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

/* The JSON document in memory (NULL after printing why not). */
static char *json_text(scan_cli *c, const chorus_scan *s, const chorus_corpus *corpus,
		       const chorus_report_meta *meta, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	chorus_error err;
	int rc;

	if (!f) {
		cli_error("out of memory");
		return NULL;
	}
	rc = chorus_report_json(f, s, corpus, &c->p, meta, &err);
	if (fclose(f) != 0 || rc) {
		cli_error("JSON report: %s", chorus_code_str(rc ? rc : CHORUS_ENOMEM));
		free(text);
		return NULL;
	}
	return text;
}

/* 0 when the file holds exactly text[0..len); else say where they part. */
static int same_as_file(const char *path, const char *text, size_t len)
{
	size_t flen = 0, at = 0, line = 1;
	char *data = opts_slurp(path, &flen);

	if (!data) {
		cli_error("%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	while (at < len && at < flen && data[at] == text[at])
		line += text[at++] == '\n';
	free(data);
	if (at == len && at == flen)
		return 0;
	cli_error("%s:%zu: the findings of this run differ from this file (inputs, "
		  "parameters, models or chorus version changed)", path, line);
	return -1;
}

int scan_cli_write_json(scan_cli *c, const chorus_scan *s, const chorus_corpus *corpus,
			const chorus_models *m, const char *workspace, int64_t run)
{
	chorus_report_meta meta = { .models_version = chorus_models_version(m),
				    .workspace = workspace, .workspace_run = run };
	int to_stdout = !strcmp(c->json, "-");
	size_t len = 0;
	char *text;
	FILE *f;
	int rc;

	if (c->expect_json && !c->json_given)
		c->json = NULL; /* only compared */
	if (!c->expect_json && !c->json)
		return CLI_EXIT_OK;
	if (!(text = json_text(c, s, corpus, &meta, &len)))
		return CLI_EXIT_FAIL;
	if (c->expect_json && same_as_file(c->expect_json, text, len) != 0) {
		free(text);
		return CLI_EXIT_FAIL;
	}
	if (!c->json) {
		free(text);
		return CLI_EXIT_OK;
	}
	to_stdout = !strcmp(c->json, "-");
	f = to_stdout ? stdout : opts_out_open(c->json);
	if (!f) {
		cli_error("%s: cannot write: %s", c->json, strerror(errno));
		free(text);
		return CLI_EXIT_FAIL;
	}
	rc = fwrite(text, 1, len, f) == len ? 0 : CHORUS_EIO;
	free(text);
	if (!to_stdout)
		rc = opts_out_close(f, c->json, rc);
	else if (fflush(stdout) != 0)
		rc = CHORUS_EIO;
	if (rc) {
		cli_error("%s: %s", to_stdout ? "standard output" : c->json,
			  rc == CHORUS_EIO ? strerror(errno) : chorus_code_str(rc));
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

int scan_cli_write_folder(const scan_cli *c, const chorus_scan *s, const chorus_corpus *corpus,
			  const chorus_models *m, const char *workspace, int64_t run)
{
	chorus_report_meta meta = { .models_version = chorus_models_version(m),
				    .workspace = workspace, .workspace_run = run };
	char cwd[4096];
	chorus_error err;

	meta.argc = cli_argc;
	meta.argv = cli_argv;
	meta.cwd = getcwd(cwd, sizeof cwd);
	meta.run_time = c->run_time;
	meta.run_time_fixed = c->run_time_fixed;
	meta.redacted = c->redact;
	chorus_error_clear(&err);
	if (!c->out_dir || chorus_report_folder(c->out_dir, s, corpus, &meta, &err) == 0)
		return CLI_EXIT_OK;
	cli_error("%s: %s", err.source[0] ? err.source : c->out_dir, err.text);
	return CLI_EXIT_FAIL;
}

/* Absolute form of path, whose last part need not exist; 0 or -1. */
static int absolute(const char *path, char out[PATH_MAX])
{
	char dir[PATH_MAX], base[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (realpath(path, out))
		return 0;
	if (strlen(path) >= PATH_MAX)
		return -1;
	if (!slash) {
		snprintf(dir, sizeof dir, ".");
		snprintf(base, sizeof base, "%s", path);
	} else {
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) ? (int)(slash - path) : 1, path);
		snprintf(base, sizeof base, "%s", slash + 1);
	}
	if (!realpath(dir, out) || strlen(out) + strlen(base) + 2 > PATH_MAX)
		return -1;
	strcat(out, "/");
	strcat(out, base);
	return 0;
}

static void map_line(void *ud, size_t num, const char *handle, size_t len)
{
	fprintf(ud, "account_%zu\t%.*s\n", num, (int)len, handle);
}

/* Apply --redact (and write --redact-map, refused inside --out). */
int scan_cli_redact(const scan_cli *c, const chorus_scan *s, chorus_corpus *corpus,
		    const chorus_models *m)
{
	char map[PATH_MAX], dir[PATH_MAX];
	chorus_redact_opts o = { .on_map = map_line };
	size_t n = 0;
	FILE *f = NULL;
	int rc;

	if (!c->redact)
		return CLI_EXIT_OK;
	if (c->redact_map) {
		size_t dl;
		if (absolute(c->redact_map, map) != 0) {
			cli_error("%s: cannot resolve the folder of the mapping file", c->redact_map);
			return CLI_EXIT_FAIL;
		}
		if (c->out_dir && absolute(c->out_dir, dir) == 0 && (dl = strlen(dir)) > 0 &&
		    strncmp(map, dir, dl) == 0 && (map[dl] == '/' || map[dl] == '\0')) {
			cli_error("%s: the mapping must stay outside the shared folder %s",
				  c->redact_map, c->out_dir);
			return CLI_EXIT_USAGE;
		}
		if (!(f = opts_out_open(c->redact_map))) {
			cli_error("%s: cannot write: %s", c->redact_map, strerror(errno));
			return CLI_EXIT_FAIL;
		}
		o.ud = f;
	} else {
		o.on_map = NULL;
	}
	rc = chorus_redact(s, corpus, m, &o, &n);
	if (f)
		rc = opts_out_close(f, c->redact_map, rc);
	if (rc) {
		cli_error("redact: %s", chorus_code_str(rc));
		return CLI_EXIT_FAIL;
	}
	if (c->progress != PROGRESS_NONE)
		fprintf(stderr, "%schorus: %zu accounts in no cluster pseudonymised\n",
			c->progress == PROGRESS_BAR ? "\r\033[K" : "", n);
	return CLI_EXIT_OK;
}

static void summary(const scan_cli *c, const chorus_scan *s)
{
	const chorus_scan_stats *st = chorus_scan_get_stats(s);

	if (c->progress == PROGRESS_NONE)
		return;
	fprintf(stderr, "%schorus: %llu posts, %llu reposts and %llu short posts left out, "
		"%llu clusters (%.2f s)\n", c->progress == PROGRESS_BAR ? "\r\033[K" : "",
		(unsigned long long)st->posts, (unsigned long long)st->reposts,
		(unsigned long long)st->short_posts, (unsigned long long)st->clusters, scan_cli_elapsed(c));
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
	if (c.workspace)
		return scan_cli_workspace(&c, argc, argv, optind);
	if (c.summary || c.alert_given) {
		cli_error("scan: --summary and --alert-score need --workspace (try --help)");
		return CLI_EXIT_USAGE;
	}
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
	rc = scan_cli_redact(&c, scan, corpus, models);
	if (rc == CLI_EXIT_OK)
		rc = scan_cli_write_json(&c, scan, corpus, models, NULL, 0);
	if (rc == CLI_EXIT_OK)
		rc = scan_cli_write_folder(&c, scan, corpus, models, NULL, 0);
	if (rc == CLI_EXIT_OK)
		summary(&c, scan);
out:
	chorus_scan_free(scan);
	chorus_corpus_free(corpus);
	chorus_models_free(models);
	return rc;
}
