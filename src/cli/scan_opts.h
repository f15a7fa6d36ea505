/*
 * scan_opts.h - the detection options `chorus scan` and `chorus init`
 * share (README "Usage"), and the state of a scan command line
 * (cmd_scan.c parses it; cmd_workspace.c runs the --workspace form).
 */
#ifndef CHORUS_CLI_SCAN_OPTS_H
#define CHORUS_CLI_SCAN_OPTS_H

#include <getopt.h>
#include <time.h>

#include "chorus/models.h"
#include "chorus/post.h"
#include "chorus/scan.h"
#include "read.h"

/* Detection options first: bit (opt - OPT_WINDOW) of a "given" mask. */
enum {
	OPT_WINDOW = 256, OPT_THRESHOLD, OPT_MIN_ACCOUNTS, OPT_SHINGLE, OPT_PERMS, OPT_BANDS,
	OPT_MIN_CONTENT, OPT_NEIGHBOURS, OPT_REPOSTS, OPT_SEED,
	OPT_DETECTION_END
};

#define SCAN_DETECTION_OPTIONS \
	{ "window", required_argument, NULL, OPT_WINDOW }, \
	{ "threshold", required_argument, NULL, OPT_THRESHOLD }, \
	{ "min-accounts", required_argument, NULL, OPT_MIN_ACCOUNTS }, \
	{ "shingle", required_argument, NULL, OPT_SHINGLE }, \
	{ "perms", required_argument, NULL, OPT_PERMS }, \
	{ "bands", required_argument, NULL, OPT_BANDS }, \
	{ "min-content", required_argument, NULL, OPT_MIN_CONTENT }, \
	{ "neighbours", required_argument, NULL, OPT_NEIGHBOURS }, \
	{ "include-reposts", no_argument, NULL, OPT_REPOSTS }, \
	{ "seed", required_argument, NULL, OPT_SEED }

/* Apply detection option opt of command cmd ("scan", "init") to p: 0,
 * -1 after printing a usage error, 1 when opt is not one of them. */
int scan_opts_detection(const char *cmd, chorus_scan_params *p, int opt, const char *v);

/* 0 when every detection option in mask has in given the value the
 * workspace dir holds in fixed; else print which differs and return -1. */
int scan_opts_same(const char *dir, const chorus_scan_params *fixed,
		   const chorus_scan_params *given, unsigned mask);

enum { PROGRESS_NONE, PROGRESS_BAR, PROGRESS_LOG };

/* auto, bar, log, none -> PROGRESS_*; -1 when unknown. */
int scan_opts_progress(const char *v, int *out);

typedef struct scan_cli {
	chorus_scan_params p;
	unsigned given;          /* detection options on the command line */
	cli_reader rd;
	const char *json;
	int json_given;
	const char *expect_json; /* compare the JSON with this file first */
	const char *out_dir;
	int64_t run_time;        /* for provenance.json */
	int run_time_fixed;
	int redact;
	const char *redact_map;  /* pseudonym -> handle, written outside out_dir */
	const char *models_dir;
	int progress;            /* PROGRESS_* */
	struct timespec t0;
	/* --workspace */
	const char *workspace;
	const char *summary;     /* the night's summary as JSON */
	double alert_score;
	int alert_given;
} scan_cli;

/* Seconds since the command started. */
double scan_cli_elapsed(const scan_cli *c);
/* The progress hook (ud: the scan_cli). */
void scan_cli_on_stage(void *ud, const char *stage, int done);

/* The writers of cmd_scan.c; each returns an exit status after printing
 * why it failed.  workspace/run: recorded in the JSON when not NULL. */
int scan_cli_write_json(scan_cli *c, const chorus_scan *s, const chorus_corpus *corpus,
			const chorus_models *m, const char *workspace, int64_t run);
int scan_cli_write_folder(const scan_cli *c, const chorus_scan *s, const chorus_corpus *corpus,
			  const chorus_models *m, const char *workspace, int64_t run);
int scan_cli_redact(const scan_cli *c, const chorus_scan *s, chorus_corpus *corpus,
		    const chorus_models *m);

/* `chorus scan --workspace DIR INPUT...` (cmd_workspace.c); argv[first..)
 * are the inputs. */
int scan_cli_workspace(scan_cli *c, int argc, char **argv, int first);

#endif
