/*
 * cmd_workspace.c - nightly scans: `chorus init WORKSPACE` and
 * `chorus scan --workspace WORKSPACE INPUT...` (README "Nightly scans
 * (workspace)").
 *
 * A night reads its inputs like any scan, then hands them to the
 * workspace (chorus_ws_run_night: one transaction), prints the summary on
 * standard error, writes it as JSON (--summary), the report folder of the
 * new and grown clusters scoring at least --alert-score (--out), the JSON
 * report of every active cluster (--json), and exits 5 when there is
 * something to alert on.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chorus/alloc.h"
#include "chorus/buf.h"
#include "chorus/escape.h"
#include "chorus/report.h"
#include "chorus/timeutil.h"
#include "chorus/workspace.h"
#include "cli.h"
#include "opts.h"
#include "scan_opts.h"

/* ---- chorus init ---- */

static const char init_usage[] =
	"usage: chorus init [options] WORKSPACE\n"
	"\n"
	"Make a workspace for nightly scans (chorus scan --workspace WORKSPACE INPUT...):\n"
	"a folder holding workspace.sqlite.  The detection options are fixed here:\n"
	"signatures, links and clusters depend on them, so they cannot change later.\n"
	"\n"
	"  --window, --threshold, --min-accounts, --shingle, --perms, --bands,\n"
	"  --min-content, --neighbours, --include-reposts, --seed\n"
	"                       as for chorus scan, with the same defaults\n"
	"  --late DURATION      a new post older than the newest post held minus this\n"
	"                       is late: stored, counted, not matched (default: the\n"
	"                       window)\n"
	"  --models DIR         models folder, whose version is recorded (default:\n"
	"                       $CHORUS_MODELS or built-in)\n"
	"  --help\n"
	"\n"
	"exit status: 0 made, 1 failure, 2 usage error (or already a workspace).\n";

enum { IOPT_LATE = OPT_DETECTION_END, IOPT_MODELS, IOPT_HELP };

static const struct option init_opts[] = {
	SCAN_DETECTION_OPTIONS,
	{ "late", required_argument, NULL, IOPT_LATE },
	{ "models", required_argument, NULL, IOPT_MODELS },
	{ "help", no_argument, NULL, IOPT_HELP },
	{ NULL, 0, NULL, 0 }
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * CHORUS_NS_PER_SEC + ts.tv_nsec;
}

/* Parse init's arguments into wp and *models_dir; -1 to go on, else an
 * exit status. */
static int init_args(int argc, char **argv, chorus_ws_params *wp, const char **models_dir)
{
	int opt, late_given = 0;
	chorus_error err;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", init_opts, NULL)) != -1) {
		int r;
		if (opt == IOPT_HELP) {
			fputs(init_usage, stdout);
			return CLI_EXIT_OK;
		}
		if (opt == '?' || opt == ':') {
			cli_error("init: unknown option or missing value: '%s' (try --help)",
				  argv[optind - 1]);
			return CLI_EXIT_USAGE;
		}
		if (opt == IOPT_MODELS) {
			*models_dir = optarg;
			continue;
		}
		if (opt == IOPT_LATE) {
			if (chorus_duration_parse(optarg, &wp->late) != 0) {
				cli_error("init: --late: '%s' is not a duration like 90m, 48h or 2d",
					  optarg);
				return CLI_EXIT_USAGE;
			}
			late_given = 1;
			continue;
		}
		if ((r = scan_opts_detection("init", &wp->scan, opt, optarg)) != 0)
			return CLI_EXIT_USAGE;
	}
	if (optind + 1 != argc) {
		cli_error("init: give exactly one WORKSPACE folder (try --help)");
		return CLI_EXIT_USAGE;
	}
	if (!late_given)
		wp->late = wp->scan.window;
	if (chorus_scan_params_check(&wp->scan, &err)) {
		cli_error("init: %s", err.text);
		return CLI_EXIT_USAGE;
	}
	return -1;
}

int cmd_init(int argc, char **argv)
{
	chorus_ws_params wp;
	const char *models_dir = NULL;
	chorus_models *models = NULL;
	chorus_error err;
	char win[32], late[32];
	int rc;

	chorus_ws_params_init(&wp);
	if ((rc = init_args(argc, argv, &wp, &models_dir)) >= 0)
		return rc;
	chorus_error_clear(&err);
	if (chorus_models_load(&models, models_dir, &err)) {
		cli_error("%s: %s", err.source[0] ? err.source : "models", err.text);
		return CLI_EXIT_FAIL;
	}
	rc = chorus_ws_init(argv[optind], &wp, chorus_models_version(models), now_ns(), &err);
	chorus_models_free(models);
	if (rc) {
		cli_error("%s: %s", err.source[0] ? err.source : argv[optind], err.text);
		return rc == CHORUS_EUSAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
	}
	chorus_duration_format(wp.scan.window, win, sizeof win);
	chorus_duration_format(wp.late, late, sizeof late);
	cli_error("%s: workspace made (window %s, late %s, threshold %g, min-accounts %u)",
		  argv[optind], win, late, wp.scan.threshold, wp.scan.min_accounts);
	return CLI_EXIT_OK;
}

/* ---- the summary ---- */

static const char *kind_name(int kind)
{
	return kind == CHORUS_WS_NEW ? "new" : kind == CHORUS_WS_GROWN ? "grown" : "withdrawn";
}

static int is_alert(const scan_cli *c, const chorus_ws_change *ch)
{
	return ch->kind != CHORUS_WS_WITHDRAWN && ch->score >= c->alert_score;
}

static void print_change(const chorus_ws_change *ch, int alert)
{
	char a[CHORUS_TIME_STRLEN], b[CHORUS_TIME_STRLEN];

	chorus_time_format(ch->first_seen, a);
	chorus_time_format(ch->last_seen, b);
	fprintf(stderr, "chorus: %s%s %s score %.2f: %" PRIu64 " posts", alert ? "ALERT " : "",
		kind_name(ch->kind), ch->id, ch->score, ch->posts);
	if (ch->kind == CHORUS_WS_GROWN)
		fprintf(stderr, " (%" PRIu64 " before)", ch->posts_before);
	fprintf(stderr, " by %" PRIu64 " accounts (%" PRIu64 " within one window), %s .. %s",
		ch->accounts, ch->burst_accounts, a, b);
	for (size_t k = 0; k < ch->nmerged; k++)
		fprintf(stderr, "%s%s", k ? ", " : "; merged ", ch->merged[k]);
	if (ch->split_from[0])
		fprintf(stderr, "; split from %s", ch->split_from);
	fputc('\n', stderr);
}

static size_t count_kind(const chorus_ws_night *n, int kind)
{
	size_t k = 0;

	for (size_t i = 0; i < n->nchanges; i++)
		k += n->changes[i].kind == kind;
	return k;
}

static size_t print_summary(const scan_cli *c, const chorus_ws_night *n)
{
	size_t alerts = 0;

	fprintf(stderr, "chorus: workspace %s, night %" PRId64 ": %" PRIu64 " posts read, %" PRIu64
		" new, %" PRIu64 " already held, %" PRIu64 " late (not matched); %" PRIu64
		" matched against %" PRIu64 " indexed; %" PRIu64 " links added, %" PRIu64
		" removed; %" PRIu64 " left the index\n", c->workspace, n->run, n->read, n->added,
		n->known, n->late, n->matched, n->index_loaded, n->links_added, n->links_removed,
		n->evicted);
	fprintf(stderr, "chorus: clusters: %zu new, %zu grown, %" PRIu64 " merged into others, "
		"%zu withdrawn, %" PRIu64 " unchanged (%" PRIu64 " active)\n",
		count_kind(n, CHORUS_WS_NEW), count_kind(n, CHORUS_WS_GROWN), n->merged,
		count_kind(n, CHORUS_WS_WITHDRAWN), n->unchanged, n->clusters);
	for (size_t i = 0; i < n->nchanges; i++) {
		const int alert = is_alert(c, &n->changes[i]);
		alerts += alert;
		print_change(&n->changes[i], alert);
	}
	if (n->late)
		cli_error("warning: %" PRIu64 " late post%s stored but not matched: older than the "
			  "newest post held minus --late (see README, \"Nightly scans\")", n->late,
			  n->late == 1 ? "" : "s");
	if (n->newest != CHORUS_TIME_NONE && n->newest > c->run_time + 86400 * CHORUS_NS_PER_SEC) {
		char t[CHORUS_TIME_STRLEN];
		chorus_time_format(n->newest, t);
		cli_error("warning: the newest post held is dated %s, after this run: the index "
			  "follows the newest post, so posts dated much before it will be late", t);
	}
	fprintf(stderr, "chorus: %zu new or grown cluster%s with score >= %g%s\n", alerts,
		alerts == 1 ? "" : "s", c->alert_score, alerts ? ": exit status 5" : "");
	return alerts;
}

static int put_time(chorus_buf *b, int64_t t)
{
	char s[CHORUS_TIME_STRLEN];

	if (t == CHORUS_TIME_NONE)
		return chorus_buf_puts(b, "null");
	chorus_time_format(t, s);
	return chorus_buf_printf(b, "\"%s\"", s);
}

static int put_change(chorus_buf *b, const scan_cli *c, const chorus_ws_change *ch)
{
	int rc = chorus_buf_printf(b, "    {\"id\": \"%s\", \"change\": \"%s\", \"alert\": %s, "
				   "\"score\": %.4f, \"posts\": %" PRIu64 ", \"posts_before\": %"
				   PRIu64 ", \"accounts\": %" PRIu64 ", \"burst_accounts\": %" PRIu64
				   ", \"first_seen\": ", ch->id, kind_name(ch->kind),
				   is_alert(c, ch) ? "true" : "false", ch->score, ch->posts,
				   ch->posts_before, ch->accounts, ch->burst_accounts);
	rc = rc ? rc : put_time(b, ch->first_seen);
	rc = rc ? rc : chorus_buf_puts(b, ", \"last_seen\": ");
	rc = rc ? rc : put_time(b, ch->last_seen);
	rc = rc ? rc : chorus_buf_puts(b, ", \"merged\": [");
	for (size_t k = 0; rc == 0 && k < ch->nmerged; k++)
		rc = chorus_buf_printf(b, "%s\"%s\"", k ? ", " : "", ch->merged[k]);
	rc = rc ? rc : chorus_buf_puts(b, "], \"split_from\": ");
	rc = rc ? rc : (ch->split_from[0] ? chorus_buf_printf(b, "\"%s\"", ch->split_from)
					  : chorus_buf_puts(b, "null"));
	return rc ? rc : chorus_buf_puts(b, "}");
}

static int put_inputs(chorus_buf *b, const chorus_corpus *corpus)
{
	int rc = chorus_buf_puts(b, "  \"inputs\": [");

	for (size_t i = 0; rc == 0 && i < chorus_corpus_input_count(corpus); i++) {
		const chorus_input_stats *in = chorus_corpus_input(corpus, i);
		rc = chorus_buf_puts(b, i ? ",\n    {\"path\": " : "\n    {\"path\": ");
		rc = rc ? rc : chorus_escape_json(b, in->path, strlen(in->path));
		rc = rc ? rc : chorus_buf_printf(b, ", \"format\": \"%s\", \"sha256\": \"%s\", "
						 "\"bytes\": %" PRIu64 ", \"records\": %" PRIu64
						 ", \"skipped\": %" PRIu64 ", \"duplicates\": %"
						 PRIu64 "}", in->format ? in->format : "jsonl",
						 in->sha256, in->bytes, in->records, in->skipped,
						 in->duplicates);
	}
	return rc ? rc : chorus_buf_puts(b, chorus_corpus_input_count(corpus) ? "\n  ],\n" : "],\n");
}

static int summary_json(chorus_buf *b, const scan_cli *c, const chorus_corpus *corpus,
			const chorus_ws_night *n, int status)
{
	int rc = chorus_buf_printf(b, "{\n  \"tool\": {\"name\": \"chorus\", \"version\": \"%s\"},\n"
				   "  \"workspace\": ", CHORUS_VERSION);

	rc = rc ? rc : chorus_escape_json(b, c->workspace, strlen(c->workspace));
	rc = rc ? rc : chorus_buf_printf(b, ",\n  \"run\": %" PRId64 ",\n  \"run_time\": ", n->run);
	rc = rc ? rc : put_time(b, c->run_time);
	rc = rc ? rc : chorus_buf_printf(b, ",\n  \"alert_score\": %g,\n  \"exit_status\": %d,\n",
					 c->alert_score, status);
	rc = rc ? rc : put_inputs(b, corpus);
	rc = rc ? rc : chorus_buf_printf(b, "  \"posts\": {\"read\": %" PRIu64 ", \"added\": %"
		PRIu64 ", \"known\": %" PRIu64 ", \"late\": %" PRIu64 ", \"matched\": %" PRIu64
		", \"reposts\": %" PRIu64 ", \"short\": %" PRIu64 ", \"held\": %" PRIu64 "},\n",
		n->read, n->added, n->known, n->late, n->matched, n->reposts, n->short_posts,
		n->posts_held);
	rc = rc ? rc : chorus_buf_printf(b, "  \"index\": {\"loaded\": %" PRIu64 ", \"rematched\": %"
		PRIu64 ", \"evicted\": %" PRIu64 ", \"held\": %" PRIu64 ", \"newest\": ",
		n->index_loaded, n->rematched, n->evicted, n->indexed);
	rc = rc ? rc : put_time(b, n->newest);
	rc = rc ? rc : chorus_buf_puts(b, ", \"horizon\": ");
	rc = rc ? rc : put_time(b, n->horizon);
	rc = rc ? rc : chorus_buf_printf(b, "},\n  \"links\": {\"candidates\": %" PRIu64
		", \"added\": %" PRIu64 ", \"removed\": %" PRIu64 "},\n", n->candidates,
		n->links_added, n->links_removed);
	rc = rc ? rc : chorus_buf_printf(b, "  \"clusters\": {\"active\": %" PRIu64 ", \"new\": %zu"
		", \"grown\": %zu, \"merged\": %" PRIu64 ", \"withdrawn\": %zu, \"unchanged\": %"
		PRIu64 "},\n  \"changes\": [", n->clusters, count_kind(n, CHORUS_WS_NEW),
		count_kind(n, CHORUS_WS_GROWN), n->merged, count_kind(n, CHORUS_WS_WITHDRAWN),
		n->unchanged);
	for (size_t i = 0; rc == 0 && i < n->nchanges; i++) {
		rc = chorus_buf_puts(b, i ? ",\n" : "\n");
		rc = rc ? rc : put_change(b, c, &n->changes[i]);
	}
	return rc ? rc : chorus_buf_puts(b, n->nchanges ? "\n  ]\n}\n" : "]\n}\n");
}

static int write_summary(const scan_cli *c, const chorus_corpus *corpus,
			 const chorus_ws_night *n, int status)
{
	chorus_buf b;
	FILE *f;
	int rc;

	if (!c->summary)
		return CLI_EXIT_OK;
	chorus_buf_init(&b, (size_t)1 << 30);
	if (summary_json(&b, c, corpus, n, status)) {
		chorus_buf_dispose(&b);
		cli_error("summary: out of memory");
		return CLI_EXIT_FAIL;
	}
	f = strcmp(c->summary, "-") ? opts_out_open(c->summary) : stdout;
	if (!f) {
		cli_error("%s: cannot write: %s", c->summary, strerror(errno));
		chorus_buf_dispose(&b);
		return CLI_EXIT_FAIL;
	}
	rc = fwrite(b.data, 1, b.len, f) == b.len ? 0 : CHORUS_EIO;
	chorus_buf_dispose(&b);
	rc = f == stdout ? (fflush(stdout) ? CHORUS_EIO : rc) : opts_out_close(f, c->summary, rc);
	if (rc) {
		cli_error("%s: cannot write: %s", c->summary, strerror(errno));
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

/* ---- reports ---- */

/* --out: the folder of tonight's alerts (none: a folder without clusters). */
static int write_alert_folder(const scan_cli *c, chorus_ws *ws, const chorus_models *m,
			      const chorus_ws_night *n)
{
	char (*ids)[17];
	chorus_corpus *corpus = NULL;
	chorus_scan *scan = NULL;
	chorus_error err;
	size_t k = 0;
	int rc;

	if (!c->out_dir)
		return CLI_EXIT_OK;
	if (!(ids = chorus_calloc(n->nchanges + 1, sizeof *ids))) {
		cli_error("out of memory");
		return CLI_EXIT_FAIL;
	}
	for (size_t i = 0; i < n->nchanges; i++)
		if (is_alert(c, &n->changes[i]))
			memcpy(ids[k++], n->changes[i].id, 17);
	chorus_error_clear(&err);
	rc = chorus_ws_load_clusters(ws, (const char (*)[17])ids, k, m, c->p.threads, &corpus,
				     &scan, &err);
	chorus_free(ids);
	if (rc) {
		cli_error("%s: %s", err.source[0] ? err.source : c->workspace, err.text);
		return CLI_EXIT_FAIL;
	}
	rc = scan_cli_redact(c, scan, corpus, m);
	if (rc == CLI_EXIT_OK)
		rc = scan_cli_write_folder(c, scan, corpus, m, c->workspace, n->run);
	chorus_scan_free(scan);
	chorus_corpus_free(corpus);
	return rc;
}

/* --json: every active cluster. */
static int write_all_json(scan_cli *c, chorus_ws *ws, const chorus_models *m, int64_t run)
{
	chorus_corpus *corpus = NULL;
	chorus_scan *scan = NULL;
	chorus_error err;
	int rc;

	if (!c->json && !c->expect_json)
		return CLI_EXIT_OK;
	chorus_error_clear(&err);
	if (chorus_ws_load_clusters(ws, NULL, 0, m, c->p.threads, &corpus, &scan, &err)) {
		cli_error("%s: %s", err.source[0] ? err.source : c->workspace, err.text);
		return CLI_EXIT_FAIL;
	}
	rc = scan_cli_redact(c, scan, corpus, m);
	if (rc == CLI_EXIT_OK)
		rc = scan_cli_write_json(c, scan, corpus, m, c->workspace, run);
	chorus_scan_free(scan);
	chorus_corpus_free(corpus);
	return rc;
}

/* ---- the night ---- */

static int ws_fail(const scan_cli *c, int rc, const chorus_error *err)
{
	cli_error("%s: %s", err->source[0] ? err->source : c->workspace, err->text);
	return rc == CHORUS_EUSAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
}

/* Testing only: kill the run inside its transaction (README "Nightly
 * scans": how it is tested). */
static void kill_hooks(chorus_ws_night_opts *o)
{
	const char *after = getenv("CHORUS_WS_KILL_AFTER_POSTS");

	o->kill_after_posts = after ? strtoul(after, NULL, 10) : 0;
	o->kill_at = getenv("CHORUS_WS_KILL_AT");
}

static int night(scan_cli *c, chorus_ws *ws, const chorus_models *m, chorus_corpus *corpus)
{
	chorus_ws_night_opts o = { .argc = cli_argc, .argv = cli_argv, .run_time = c->run_time,
				   .threads = c->p.threads, .on_stage = scan_cli_on_stage,
				   .ud = c };
	chorus_ws_night *n = NULL;
	chorus_error err;
	size_t alerts;
	int rc, status;

	kill_hooks(&o);
	chorus_error_clear(&err);
	if ((rc = chorus_ws_run_night(ws, corpus, m, &o, &n, &err)) != CHORUS_OK)
		return ws_fail(c, rc, &err);
	if (c->progress == PROGRESS_BAR)
		fputs("\r\033[K", stderr);
	alerts = print_summary(c, n);
	status = alerts ? CLI_EXIT_ALERT : CLI_EXIT_OK;
	rc = write_summary(c, corpus, n, status);
	if (rc == CLI_EXIT_OK)
		rc = write_alert_folder(c, ws, m, n);
	if (rc == CLI_EXIT_OK)
		rc = write_all_json(c, ws, m, n->run);
	chorus_ws_night_free(n);
	return rc == CLI_EXIT_OK ? status : rc;
}

int scan_cli_workspace(scan_cli *c, int argc, char **argv, int first)
{
	chorus_ws *ws = NULL;
	chorus_models *models = NULL;
	chorus_corpus *corpus = NULL;
	chorus_error err;
	int rc;

	if (!c->json_given)
		c->json = NULL; /* a nightly run writes the full report only when asked */
	chorus_error_clear(&err);
	if ((rc = chorus_ws_open(c->workspace, CHORUS_WS_WRITE, &ws, &err)) != CHORUS_OK)
		return ws_fail(c, rc, &err);
	rc = CLI_EXIT_USAGE;
	if (scan_opts_same(c->workspace, &chorus_ws_get_params(ws)->scan, &c->p, c->given))
		goto out;
	rc = CLI_EXIT_FAIL;
	if (chorus_models_load(&models, c->models_dir, &err)) {
		cli_error("%s: %s", err.source[0] ? err.source : "models", err.text);
		goto out;
	}
	if ((rc = chorus_ws_check_versions(ws, chorus_models_version(models), &err))) {
		rc = ws_fail(c, rc, &err);
		goto out;
	}
	rc = CLI_EXIT_FAIL;
	if (!(corpus = chorus_corpus_new())) {
		cli_error("out of memory");
		goto out;
	}
	c->rd.bar = c->progress == PROGRESS_BAR;
	scan_cli_on_stage(c, "read", 0);
	if ((rc = cli_read_inputs(&c->rd, corpus, argc - first, argv + first)) >= 0)
		goto out;
	scan_cli_on_stage(c, "read", 1);
	rc = night(c, ws, models, corpus);
out:
	chorus_corpus_free(corpus);
	chorus_models_free(models);
	chorus_ws_close(ws);
	return rc;
}
