/*
 * cmd_report.c - "chorus report SCAN.json --out DIR": the evidence folder of
 * an earlier scan, from its JSON report.
 *
 * The JSON records every parameter and every input (path, format, SHA-256),
 * and a scan is a pure function of those, so the folder is made by running
 * the scan again, checked at both ends: each input must still have the
 * recorded SHA-256 (else the input is named and nothing is written), and
 * the new JSON must equal SCAN.json byte for byte (scan --expect-json),
 * else the first differing line is named and nothing is written.  What
 * cannot be re-run is refused with the reason: standard input, another
 * chorus version, other models, normalisation steps the command line
 * cannot ask for.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/report.h"
#include "chorus/sha256.h"
#include "cli.h"
#include "opts.h"

#define MAX_ARGS 4096

static const char usage[] =
	"usage: chorus report SCAN.json --out DIR [options]\n"
	"\n"
	"Write the evidence folder of the scan recorded in SCAN.json (the JSON\n"
	"report of 'chorus scan'): the scan is run again from the recorded inputs\n"
	"and parameters, each input is checked against its recorded SHA-256, and\n"
	"the findings must equal SCAN.json byte for byte, else nothing is written.\n"
	"Relative input paths are read from the current folder.\n"
	"\n"
	"options:\n"
	"  --out DIR            the folder to write (required)\n"
	"  --fixed-time T       record T (RFC 3339) as the run time in provenance.json\n"
	"  --models DIR         models folder (must have the recorded version)\n"
	"  --threads N          worker threads; never changes output\n"
	"  --progress MODE      auto, bar, log or none\n"
	"  --redact             shareable version (see chorus scan --help); SCAN.json\n"
	"                       must then be the redacted JSON of the same scan\n"
	"  --redact-map FILE    pseudonym -> handle mapping, outside the folder\n"
	"  --help\n"
	"\n"
	"exit status: 0 written, 1 failure (input changed, findings differ...),\n"
	"2 usage error.\n";

typedef struct args {
	char *v[MAX_ARGS];
	int n;
} args;

static int add(args *a, const char *s)
{
	if (a->n + 1 >= MAX_ARGS)
		return -1;
	a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
	return 0;
}

/* Every recorded input still there, with its recorded hash. */
static int inputs_unchanged(const char *file, const chorus_replay_plan *p)
{
	for (size_t i = 0; i < p->ninputs; i++) {
		const char *path = p->argv[p->first_input + i];
		char got[CHORUS_SHA256_HEX];
		if (opts_sha256_file(path, got) != 0) {
			cli_error("%s: missing or unreadable (recorded in %s)", path, file);
			return -1;
		}
		if (strcmp(got, p->sha256[i]) != 0) {
			cli_error("%s: SHA-256 differs from the one recorded in %s: the input changed",
				  path, file);
			return -1;
		}
	}
	return 0;
}

enum {
	OPT_OUT = 256, OPT_FIXED, OPT_MODELS, OPT_THREADS, OPT_PROGRESS, OPT_HELP, OPT_REDACT,
	OPT_REDACT_MAP
};

static const struct option long_opts[] = {
	{ "out", required_argument, NULL, OPT_OUT },
	{ "fixed-time", required_argument, NULL, OPT_FIXED },
	{ "models", required_argument, NULL, OPT_MODELS },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "redact", no_argument, NULL, OPT_REDACT },
	{ "redact-map", required_argument, NULL, OPT_REDACT_MAP },
	{ NULL, 0, NULL, 0 }
};

int cmd_report(int argc, char **argv)
{
	static args a;
	const char *out = NULL, *fixed = NULL, *models = NULL, *threads = NULL, *progress = NULL;
	const char *map = NULL;
	int redact = 0;
	chorus_replay_plan plan;
	chorus_error err;
	const char *file;
	size_t len = 0;
	char *text;
	int opt, rc;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_OUT: out = optarg; break;
		case OPT_FIXED: fixed = optarg; break;
		case OPT_MODELS: models = optarg; break;
		case OPT_THREADS: threads = optarg; break;
		case OPT_PROGRESS: progress = optarg; break;
		case OPT_HELP: fputs(usage, stdout); return CLI_EXIT_OK;
		case OPT_REDACT: redact = 1; break;
		case OPT_REDACT_MAP: map = optarg; break;
		default:
			cli_error("report: unknown or incomplete option '%s'", argv[optind - 1]);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || !out) {
		fputs(usage, stderr);
		return CLI_EXIT_USAGE;
	}
	file = argv[optind];
	if (!(text = opts_slurp(file, &len))) {
		cli_error("%s: cannot read: %s", file, strerror(errno));
		return CLI_EXIT_FAIL;
	}
	chorus_error_clear(&err);
	rc = chorus_replay_plan_parse(file, text, len, &plan, &err);
	free(text);
	if (rc) {
		if (err.line)
			cli_error("%s:%llu: %s", err.source, (unsigned long long)err.line, err.text);
		else
			cli_error("%s: %s", err.source, err.text);
		return CLI_EXIT_FAIL;
	}
	rc = CLI_EXIT_FAIL;
	memset(&a, 0, sizeof a);
	if (add(&a, "scan") || add(&a, "--expect-json") || add(&a, file) || add(&a, "--out") ||
	    add(&a, out) || (fixed && (add(&a, "--fixed-time") || add(&a, fixed))) ||
	    (models && (add(&a, "--models") || add(&a, models))) ||
	    (threads && (add(&a, "--threads") || add(&a, threads))) ||
	    (progress && (add(&a, "--progress") || add(&a, progress))) ||
	    (redact && add(&a, "--redact")) || (map && (add(&a, "--redact-map") || add(&a, map)))) {
		cli_error("report: too many arguments");
		goto out;
	}
	for (size_t i = 0; i < plan.argc; i++)
		if (add(&a, plan.argv[i])) {
			cli_error("report: too many inputs");
			goto out;
		}
	if (inputs_unchanged(file, &plan) != 0)
		goto out;
	optind = 0;
	rc = cmd_scan(a.n, a.v);
	if (rc == CLI_EXIT_USAGE || rc == CLI_EXIT_INPUT)
		rc = CLI_EXIT_FAIL; /* the recorded scan cannot be re-run as it was */
out:
	chorus_replay_plan_free(&plan);
	return rc;
}
