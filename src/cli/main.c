/*
 * main.c - the chorus program: dispatch to a sub-command.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "chorus/buf.h"
#include "chorus/escape.h"
#include "cli.h"

static const char usage[] =
	"usage: chorus COMMAND [options] ...\n"
	"\n"
	"Detect coordinated campaigns: near-identical posts published by many\n"
	"accounts within a short time window.\n"
	"\n"
	"commands:\n"
	"  scan      find clusters of near-identical posts and write them as JSON\n"
	"            (--workspace: a nightly increment over a workspace)\n"
	"  init      make a workspace for nightly scans\n"
	"  collect   gather posts from Mastodon, Bluesky, RSS/Atom feeds or Telegram\n"
	"            channels into an evidence store (every response kept as received)\n"
	"  import    convert archives (Twitter, Telegram, Mastodon, Bluesky) to JSON Lines\n"
	"  synth     generate a synthetic corpus with planted campaigns and truth\n"
	"  eval      measure a scan's findings against a ground-truth file\n"
	"  report    write the evidence folder of an earlier scan's JSON (re-run, checked)\n"
	"  verify    check a report folder against its MANIFEST.sha256 (--replay: re-run)\n"
	"\n"
	"Run 'chorus COMMAND --help' for a command's options.\n";

int cli_argc;
char **cli_argv;

void cli_error(const char *fmt, ...)
{
	char raw[1024];
	chorus_buf b;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	chorus_buf_init(&b, 1 << 16);
	if (chorus_escape_term(&b, raw, strlen(raw)) == 0 && b.data)
		fprintf(stderr, "chorus: %s\n", b.data);
	else
		fprintf(stderr, "chorus: %s\n", raw);
	chorus_buf_dispose(&b);
}

int main(int argc, char **argv)
{
	cli_argc = argc;
	cli_argv = argv;
	if (argc < 2) {
		fputs(usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("chorus %s\n", CHORUS_VERSION);
		return CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "scan"))
		return cmd_scan(argc - 1, argv + 1);
	if (!strcmp(argv[1], "init"))
		return cmd_init(argc - 1, argv + 1);
	if (!strcmp(argv[1], "synth"))
		return cmd_synth(argc - 1, argv + 1);
	if (!strcmp(argv[1], "eval"))
		return cmd_eval(argc - 1, argv + 1);
	if (!strcmp(argv[1], "collect"))
		return cmd_collect(argc - 1, argv + 1);
	if (!strcmp(argv[1], "import"))
		return cmd_import(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(argv[1], "verify"))
		return cmd_verify(argc - 1, argv + 1);
	cli_error("unknown command '%s' (try 'chorus --help')", argv[1]);
	return CLI_EXIT_USAGE;
}
