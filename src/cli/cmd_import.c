/*
 * cmd_import.c - `chorus import FILE... -o posts.jsonl`: convert archives to
 * canonical JSON Lines once, evidence fields included, so that any archive
 * can be replayed with `chorus scan`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "chorus/report.h"
#include "cli.h"
#include "opts.h"
#include "read.h"

static const char import_usage[] =
	"usage: chorus import [options] FILE... [-o OUT.jsonl]\n"
	"\n"
	"Convert archives (Twitter API v1.1, Twitter API v2 / twarc2, Telegram\n"
	"Desktop exports, Mastodon statuses, Bluesky post views and feeds, CSV\n"
	"archives, RSS / Atom feeds, Telegram channel preview pages, canonical\n"
	"JSON Lines; gzip read transparently) to canonical JSON Lines with the\n"
	"evidence of every post: author handle, source file and line, SHA-256 of\n"
	"the raw record.  Posts with an id already read are dropped and counted.\n"
	"\n"
	"  -o, --output FILE   where to write ('-' = standard output, the default)\n"
	"  --format NAME       auto, jsonl, twitter-v1.1, twitter-v2, telegram,\n"
	"                      mastodon, bluesky, csv, twitter-io, ira, cnt, feed,\n"
	"                      telegram-web (default auto: detected from the\n"
	"                      content, and said)\n"
	"  --map SPEC          CSV columns: id=COL,author=COL,text=COL,created_at=COL\n"
	"                      [,handle=COL,repost_of=COL,reply_to=COL,lang=COL,url=COL]\n"
	"  --strict            stop at the first bad record (exit status 3)\n"
	"  --max-errors N      bad records printed per input, 0 = all (default 100)\n"
	"  --max-record BYTES  longest input line, or whole feed or preview page,\n"
	"                      accepted (default 1048576)\n"
	"  --threads N         parse threads (default: all cores)\n"
	"  --help, --version\n"
	"\n"
	"exit status: 0 written, 1 failure, 2 usage error, 3 bad input under --strict.\n";

enum { OPT_FORMAT = 256, OPT_MAP, OPT_STRICT, OPT_MAX_ERRORS, OPT_MAX_RECORD, OPT_THREADS, OPT_HELP,
       OPT_VERSION };

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "map", required_argument, NULL, OPT_MAP },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "max-errors", required_argument, NULL, OPT_MAX_ERRORS },
	{ "max-record", required_argument, NULL, OPT_MAX_RECORD },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

/* One option; -1 after a usage error. */
static int apply(cli_reader *r, const char **out, int opt, const char *v)
{
	unsigned long u;

	switch (opt) {
	case 'o': *out = v; return 0;
	case OPT_STRICT: r->ro.strict = 1; return 0;
	case OPT_MAP: r->ro.csv_map = v; return 0;
	case OPT_FORMAT:
		if (cli_reader_format(r, v) == 0)
			return 0;
		cli_error("import: --format: '%s' is not auto, jsonl, twitter-v1.1, twitter-v2, telegram, mastodon, bluesky, csv, twitter-io, ira, cnt, feed or telegram-web", v);
		return -1;
	default: break;
	}
	if (opts_ulong(v, opt == OPT_MAX_RECORD ? 1 : 0, 1UL << 30, &u)) {
		cli_error("import: option needs a non-negative integer, got '%s'", v);
		return -1;
	}
	if (opt == OPT_MAX_ERRORS)
		r->max_errors = u;
	else if (opt == OPT_MAX_RECORD)
		r->ro.max_record = u;
	else
		r->ro.threads = (int)u;
	return 0;
}

/* -1 to go on, else an exit status. */
static int parse(cli_reader *r, const char **out, int argc, char **argv)
{
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "o:", long_opts, NULL)) != -1) {
		if (opt == OPT_HELP) {
			fputs(import_usage, stdout);
			return CLI_EXIT_OK;
		}
		if (opt == OPT_VERSION) {
			printf("chorus %s\n", CHORUS_VERSION);
			return CLI_EXIT_OK;
		}
		if (opt == '?' || opt == ':') {
			cli_error("import: unknown option or missing value: '%s' (try --help)",
				  argv[optind - 1]);
			return CLI_EXIT_USAGE;
		}
		if (apply(r, out, opt, optarg))
			return CLI_EXIT_USAGE;
	}
	if (optind >= argc) {
		cli_error("import: no FILE given (try --help)");
		return CLI_EXIT_USAGE;
	}
	return -1;
}

static int write_out(const char *out, const chorus_corpus *c)
{
	const int to_stdout = !strcmp(out, "-");
	FILE *f = to_stdout ? stdout : opts_out_open(out);
	chorus_error err;
	int rc;

	if (!f) {
		cli_error("%s: cannot write: %s", out, strerror(errno));
		return CLI_EXIT_FAIL;
	}
	rc = chorus_write_posts_jsonl(f, c, &err);
	if (!to_stdout)
		rc = opts_out_close(f, out, rc);
	if (rc) {
		cli_error("%s: %s", to_stdout ? "standard output" : out,
			  rc == CHORUS_EIO ? strerror(errno) : chorus_code_str(rc));
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

int cmd_import(int argc, char **argv)
{
	cli_reader r;
	const char *out = "-";
	chorus_corpus *c;
	int rc;

	cli_reader_init(&r);
	if ((rc = parse(&r, &out, argc, argv)) >= 0)
		return rc;
	c = chorus_corpus_new();
	if (!c) {
		cli_error("out of memory");
		return CLI_EXIT_FAIL;
	}
	rc = cli_read_inputs(&r, c, argc - optind, argv + optind);
	if (rc < 0) {
		rc = write_out(out, c);
		if (rc == CLI_EXIT_OK)
			cli_error("%zu posts written to %s", chorus_corpus_count(c),
				  strcmp(out, "-") ? out : "standard output");
	}
	chorus_corpus_free(c);
	return rc;
}
