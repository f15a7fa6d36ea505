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
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chorus/normalise.h"
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
	char owned[64][64]; /* numbers formatted here */
	int nowned;
} args;

static int add(args *a, const char *s)
{
	if (a->n + 1 >= MAX_ARGS)
		return -1;
	a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
	return 0;
}

static int add_num(args *a, const char *opt, json_t *v)
{
	char *b;

	if (a->nowned >= 64 || !json_is_number(v))
		return -1;
	b = a->owned[a->nowned++];
	if (json_is_integer(v))
		snprintf(b, 64, "%lld", (long long)json_integer_value(v));
	else
		snprintf(b, 64, "%.17g", json_real_value(v));
	return add(a, opt) || add(a, b);
}

static int add_str(args *a, const char *opt, json_t *v)
{
	return !json_is_string(v) || add(a, opt) || add(a, json_string_value(v));
}

/* The normalisation steps recorded must be the ones a scan runs. */
static int default_steps(json_t *steps)
{
	const char *const *want = chorus_norm_steps();
	size_t i = 0;

	if (!json_is_array(steps))
		return 0;
	for (; want[i]; i++) {
		json_t *s = json_array_get(steps, i);
		if (!json_is_string(s) || strcmp(json_string_value(s), want[i]) != 0)
			return 0;
	}
	return json_array_size(steps) == i;
}

static int hash_file(const char *path, char hex[CHORUS_SHA256_HEX])
{
	FILE *f = fopen(path, "rb");
	chorus_sha256 *h = chorus_sha256_new();
	char buf[1 << 16];
	size_t n;
	int rc = -1;

	if (f && h) {
		while ((n = fread(buf, 1, sizeof buf, f)) > 0)
			chorus_sha256_update(h, buf, n);
		if (!ferror(f)) {
			chorus_sha256_final_hex(h, hex);
			rc = 0;
		}
	}
	chorus_sha256_free(h);
	if (f)
		fclose(f);
	return rc;
}

/* Scan options from params; -1 after saying why. */
static int params_args(const char *file, json_t *p, args *a)
{
	json_t *reposts = json_object_get(p, "include_reposts");

	if (!json_is_object(p)) {
		cli_error("%s: no params object", file);
		return -1;
	}
	if (!default_steps(json_object_get(p, "normalisation"))) {
		cli_error("%s: normalisation steps other than a scan's own cannot be re-run", file);
		return -1;
	}
	if (add_str(a, "--window", json_object_get(p, "window")) ||
	    add_num(a, "--threshold", json_object_get(p, "threshold")) ||
	    add_num(a, "--min-accounts", json_object_get(p, "min_accounts")) ||
	    add_str(a, "--shingle", json_object_get(p, "shingle")) ||
	    add_num(a, "--perms", json_object_get(p, "perms")) ||
	    add_num(a, "--bands", json_object_get(p, "bands")) ||
	    add_str(a, "--seed", json_object_get(p, "seed")) ||
	    add_num(a, "--min-content", json_object_get(p, "min_content")) ||
	    add_num(a, "--neighbours", json_object_get(p, "max_neighbours")) ||
	    !json_is_boolean(reposts) || (json_is_true(reposts) && add(a, "--include-reposts"))) {
		cli_error("%s: params are incomplete or of the wrong type", file);
		return -1;
	}
	return 0;
}

/* Input paths (each checked against its hash) and their common format. */
static int input_args(const char *file, json_t *inputs, args *a)
{
	const char *format = NULL;
	size_t i;
	json_t *in;

	if (!json_is_array(inputs) || json_array_size(inputs) == 0) {
		cli_error("%s: no inputs recorded", file);
		return -1;
	}
	json_array_foreach(inputs, i, in) {
		const char *path = json_string_value(json_object_get(in, "path"));
		const char *sha = json_string_value(json_object_get(in, "sha256"));
		const char *f = json_string_value(json_object_get(in, "format"));
		char got[CHORUS_SHA256_HEX];
		if (!path || !sha || !f) {
			cli_error("%s: input %zu lacks path, sha256 or format", file, i + 1);
			return -1;
		}
		if (!strcmp(path, "-")) {
			cli_error("%s: input %zu was standard input, which cannot be read again", file,
				  i + 1);
			return -1;
		}
		if (hash_file(path, got) != 0) {
			cli_error("%s: missing or unreadable (recorded in %s)", path, file);
			return -1;
		}
		if (strcmp(got, sha) != 0) {
			cli_error("%s: SHA-256 differs from the one recorded in %s: the input changed",
				  path, file);
			return -1;
		}
		format = i == 0 || (format && !strcmp(format, f)) ? f : NULL;
	}
	if (format && (add(a, "--format") || add(a, format)))
		return -1;
	if (add(a, "--"))
		return -1;
	json_array_foreach(inputs, i, in)
		if (add(a, json_string_value(json_object_get(in, "path"))))
			return -1;
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
	const char *file, *version;
	json_error_t jerr;
	json_t *root;
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
	if (!(root = json_load_file(file, 0, &jerr))) {
		cli_error("%s:%d: %s", file, jerr.line, jerr.text);
		return CLI_EXIT_FAIL;
	}
	version = json_string_value(json_object_get(json_object_get(root, "tool"), "version"));
	rc = CLI_EXIT_FAIL;
	memset(&a, 0, sizeof a);
	if (!version || strcmp(version, CHORUS_VERSION) != 0) {
		cli_error("%s: made by chorus %s; this is chorus %s, whose findings may differ",
			  file, version ? version : "(unknown)", CHORUS_VERSION);
		goto out;
	}
	if (add(&a, "scan") || add(&a, "--expect-json") || add(&a, file) || add(&a, "--out") ||
	    add(&a, out) || (fixed && (add(&a, "--fixed-time") || add(&a, fixed))) ||
	    (models && (add(&a, "--models") || add(&a, models))) ||
	    (threads && (add(&a, "--threads") || add(&a, threads))) ||
	    (progress && (add(&a, "--progress") || add(&a, progress))) ||
	    (redact && add(&a, "--redact")) || (map && (add(&a, "--redact-map") || add(&a, map))) ||
	    params_args(file, json_object_get(root, "params"), &a) != 0 ||
	    input_args(file, json_object_get(root, "inputs"), &a) != 0)
		goto out;
	optind = 0;
	rc = cmd_scan(a.n, a.v);
	if (rc == CLI_EXIT_USAGE || rc == CLI_EXIT_INPUT)
		rc = CLI_EXIT_FAIL; /* the recorded scan cannot be re-run as it was */
out:
	json_decref(root);
	return rc;
}
