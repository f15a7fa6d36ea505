/*
 * cmd_synth.c - `chorus synth [options]`: write a synthetic corpus with
 * planted campaigns and hard negatives, and its ground truth
 * (chorus/synth.h).  Output files are written under a temporary name and
 * renamed when complete.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chorus/synth.h"
#include "chorus/timeutil.h"
#include "cli.h"
#include "opts.h"

static const char synth_usage[] =
	"usage: chorus synth [options]\n"
	"\n"
	"Write a synthetic corpus (canonical JSON Lines, in time order) of organic\n"
	"posts in Russian, Kazakh and English with planted coordinated campaigns in\n"
	"four difficulty tiers (exact, light, heavy, disguised) and hard negatives\n"
	"(shared headlines, self-repeats, native reposts, holiday greetings, posts on\n"
	"the same topic), and its ground truth.  The same seed and options give the\n"
	"same bytes.\n"
	"\n"
	"  --seed N           random seed (default 1)\n"
	"  --posts N          posts in all, 100 to 20000000 (default 5000)\n"
	"  --campaigns K      planted campaigns (default 40 per 100,000 posts, at least 3)\n"
	"  --accounts N       organic accounts (default 30% of the posts, at least 200)\n"
	"  --start TIME       start of the period, RFC 3339 (default 2020-04-01T00:00:00Z)\n"
	"  --days N           length of the period in days, 1 to 1460 (default 30)\n"
	"  --text-bytes N     mean length of organic texts in bytes, 20 to 4000\n"
	"                     (default 200)\n"
	"  -o, --output FILE  the corpus (default: standard output)\n"
	"  --truth FILE       the ground truth (default: not written)\n"
	"  --shared DIR       mix in real sentences from DIR/corpora (Kazakh KazNERD,\n"
	"                     Russian Telegram); default: $CHORUS_SHARED, else ../shared,\n"
	"                     when it holds them.  The output then depends on those files;\n"
	"                     the truth header says whether they were used\n"
	"  --no-shared        generated text only: the output depends on the options alone\n"
	"  --help, --version\n"
	"\n"
	"exit status: 0 written, 1 failure, 2 usage error.\n";

typedef struct synth_cli {
	chorus_synth_opts o;
	const char *output, *truth, *shared;
	int no_shared;
} synth_cli;

enum {
	OPT_SEED = 256, OPT_POSTS, OPT_CAMPAIGNS, OPT_ACCOUNTS, OPT_START, OPT_DAYS, OPT_TEXT_BYTES,
	OPT_TRUTH, OPT_SHARED, OPT_NO_SHARED, OPT_HELP, OPT_VERSION
};

static const struct option long_opts[] = {
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "posts", required_argument, NULL, OPT_POSTS },
	{ "campaigns", required_argument, NULL, OPT_CAMPAIGNS },
	{ "accounts", required_argument, NULL, OPT_ACCOUNTS },
	{ "start", required_argument, NULL, OPT_START },
	{ "days", required_argument, NULL, OPT_DAYS },
	{ "text-bytes", required_argument, NULL, OPT_TEXT_BYTES },
	{ "output", required_argument, NULL, 'o' },
	{ "truth", required_argument, NULL, OPT_TRUTH },
	{ "shared", required_argument, NULL, OPT_SHARED },
	{ "no-shared", no_argument, NULL, OPT_NO_SHARED },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

/* A number option within [lo, hi]; -1 after printing a usage error. */
static int number(const char *name, const char *v, unsigned long lo, unsigned long hi,
		  unsigned long *out)
{
	if (opts_ulong(v, lo, hi, out) == 0)
		return 0;
	cli_error("synth: %s: '%s' is not an integer from %lu to %lu", name, v, lo, hi);
	return -1;
}

static int apply(synth_cli *c, int opt, const char *v)
{
	unsigned long u;

	switch (opt) {
	case OPT_SEED:
		if (opts_u64(v, &c->o.seed) == 0)
			return 0;
		cli_error("synth: --seed: '%s' is not an unsigned 64-bit integer", v);
		return -1;
	case OPT_START:
		if (chorus_time_parse_rfc3339(v, strlen(v), &c->o.start) == 0)
			return 0;
		cli_error("synth: --start: '%s' is not an RFC 3339 time like 2020-04-01T00:00:00Z", v);
		return -1;
	case OPT_POSTS:
		return number("--posts", v, 100, CHORUS_SYNTH_MAX_POSTS, &u) ? -1 : (c->o.posts = u, 0);
	case OPT_CAMPAIGNS:
		return number("--campaigns", v, 0, CHORUS_SYNTH_MAX_POSTS / 5, &u) ? -1 : (c->o.campaigns = u, 0);
	case OPT_ACCOUNTS:
		return number("--accounts", v, 10, 10 * CHORUS_SYNTH_MAX_POSTS, &u) ? -1 : (c->o.accounts = u, 0);
	case OPT_DAYS:
		return number("--days", v, 1, CHORUS_SYNTH_MAX_DAYS, &u) ? -1 : (c->o.days = (uint32_t)u, 0);
	case OPT_TEXT_BYTES:
		return number("--text-bytes", v, CHORUS_SYNTH_MIN_TEXT, CHORUS_SYNTH_MAX_TEXT, &u) ? -1
			: (c->o.text_bytes = (uint32_t)u, 0);
	case 'o': c->output = v; return 0;
	case OPT_TRUTH: c->truth = v; return 0;
	case OPT_SHARED: c->shared = v; return 0;
	case OPT_NO_SHARED: c->no_shared = 1; return 0;
	default: return -1;
	}
}

/* 1 when dir holds shared text the generator can use. */
static int has_shared(const char *dir)
{
	char path[4096];
	DIR *d;

	snprintf(path, sizeof path, "%s/corpora/kazakh/kaznerd_IOB2_valid.txt", dir);
	if (access(path, R_OK) == 0)
		return 1;
	snprintf(path, sizeof path, "%s/corpora/telegram-ru", dir);
	if ((d = opendir(path)) == NULL)
		return 0;
	closedir(d);
	return 1;
}

/* --shared DIR is taken as given (an error if it holds nothing); the
 * defaults only when they hold shared text. */
static const char *shared_dir(const synth_cli *c)
{
	const char *env = getenv("CHORUS_SHARED");

	if (c->no_shared)
		return NULL;
	if (c->shared)
		return c->shared;
	if (env && *env)
		return has_shared(env) ? env : NULL;
	return has_shared("../shared") ? "../shared" : NULL;
}

static int parse(synth_cli *c, int argc, char **argv)
{
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "o:", long_opts, NULL)) != -1) {
		if (opt == OPT_HELP) {
			fputs(synth_usage, stdout);
			return 1;
		}
		if (opt == OPT_VERSION) {
			printf("chorus %s (synth %d)\n", CHORUS_VERSION, CHORUS_SYNTH_VERSION);
			return 1;
		}
		if (opt == '?' || opt == ':') {
			cli_error("synth: unknown option or missing value: '%s' (try 'chorus synth --help')",
				  argv[optind - 1]);
			return -1;
		}
		if (apply(c, opt, optarg))
			return -1;
	}
	if (optind < argc) {
		cli_error("synth: unexpected argument '%s' (try 'chorus synth --help')", argv[optind]);
		return -1;
	}
	if (c->output && c->truth && !strcmp(c->output, c->truth) && strcmp(c->output, "-") &&
	    !opts_special_file(c->output)) {
		cli_error("synth: the corpus and the truth cannot be the same file '%s'", c->output);
		return -1;
	}
	if ((!c->output || !strcmp(c->output, "-")) && c->truth && !strcmp(c->truth, "-")) {
		cli_error("synth: the corpus and the truth cannot both go to standard output");
		return -1;
	}
	return 0;
}

typedef struct output {
	const char *path; /* NULL or "-": standard output */
	FILE *f;
} output;

static int to_stdout(const output *o)
{
	return !o->path || !strcmp(o->path, "-");
}

/* Standard output, or a file through opts_out_open (atomic when regular). */
static int open_out(output *o)
{
	if (to_stdout(o)) {
		o->f = stdout;
		return 0;
	}
	o->f = opts_out_open(o->path);
	if (o->f)
		return 0;
	cli_error("synth: %s: cannot create: %s", o->path, strerror(errno));
	return -1;
}

/* Close one output; rc stays unless this output failed. */
static int close_out(output *o, int rc)
{
	int bad;

	if (!o->f)
		return rc;
	if (o->f == stdout)
		bad = fflush(stdout) != 0;
	else
		bad = opts_out_close(o->f, o->path, rc) != 0;
	o->f = NULL;
	if (bad && rc == 0) {
		cli_error("synth: %s: write failed: %s", to_stdout(o) ? "standard output" : o->path,
			  strerror(errno));
		return CHORUS_EIO;
	}
	return rc;
}

static void report(int rc, const chorus_error *err, const output *corpus, const output *truth)
{
	const output *bad = truth->f && ferror(truth->f) ? truth : corpus;

	if (rc == CHORUS_EIO && !err->source[0])
		cli_error("synth: %s: write failed: %s", to_stdout(bad) ? "standard output" : bad->path,
			  strerror(errno));
	else if (err->source[0])
		cli_error("synth: %s: %s", err->source, err->text);
	else
		cli_error("%s", err->text);
}

int cmd_synth(int argc, char **argv)
{
	synth_cli c;
	chorus_error err;
	output corpus = { NULL, NULL }, truth = { NULL, NULL };
	int rc;

	memset(&c, 0, sizeof c);
	chorus_synth_opts_init(&c.o);
	chorus_error_clear(&err);
	rc = parse(&c, argc, argv);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	c.o.shared_dir = shared_dir(&c);
	corpus.path = c.output;
	truth.path = c.truth;
	if (open_out(&corpus) || (c.truth && open_out(&truth))) {
		close_out(&corpus, CHORUS_EIO);
		return CLI_EXIT_FAIL;
	}
	rc = chorus_synth_write(&c.o, corpus.f, truth.f, &err);
	if (rc)
		report(rc, &err, &corpus, &truth);
	rc = close_out(&corpus, rc);
	rc = close_out(&truth, rc);
	return rc == 0 ? CLI_EXIT_OK : rc == CHORUS_EUSAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
}
