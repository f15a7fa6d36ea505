/*
 * read.c - reading the inputs of a sub-command (see read.h).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "read.h"

static void on_record_error(void *ud, const chorus_error *e)
{
	cli_reader *r = ud;

	if (r->max_errors && r->printed >= r->max_errors)
		return;
	r->printed++;
	if (r->bar)
		fputs("\r\033[K", stderr);
	cli_error("%s:%llu: %s", e->source, (unsigned long long)e->line, e->text);
}

static void on_read_progress(void *ud, const char *path, uint64_t bytes)
{
	const cli_reader *r = ud;

	if (r->bar)
		fprintf(stderr, "\r\033[Kreading %s: %.1f MB", path, (double)bytes / 1e6);
}

void cli_reader_init(cli_reader *r)
{
	memset(r, 0, sizeof *r);
	r->max_errors = 100;
	r->ro.on_error = on_record_error;
	r->ro.on_progress = on_read_progress;
	r->ro.ud = r;
}

int cli_reader_format(cli_reader *r, const char *name)
{
	const int f = chorus_format_from_name(name);

	if (f < 0)
		return -1;
	r->ro.format = f;
	return 0;
}

static int read_error(int rc, const chorus_error *err, const char *path)
{
	if (rc == CHORUS_EINPUT) {
		cli_error("%s:%llu: %s", err->source, (unsigned long long)err->line, err->text);
		return CLI_EXIT_INPUT;
	}
	if (err->line)
		cli_error("%s:%llu: %s", err->source, (unsigned long long)err->line, err->text);
	else
		cli_error("%s: %s", err->source[0] ? err->source : path,
			  err->text[0] ? err->text : chorus_code_str(rc));
	/* CHORUS_EUSAGE: a format or column map that does not fit the file */
	return rc == CHORUS_EUSAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
}

static int is_document(const char *name)
{
	return strcmp(name, "jsonl") && strcmp(name, "twitter-v1.1") && strcmp(name, "twitter-v2");
}

static void input_summary(const chorus_input_stats *st)
{
	if (st->format_auto && strcmp(st->format, "jsonl") != 0)
		cli_error("%s: format %s (detected; --format to force)", st->path, st->format);
	if (st->skipped && !strcmp(st->format, "jsonl"))
		cli_error("%s: skipped %llu bad record%s of %llu (%llu kept)", st->path,
			  (unsigned long long)st->skipped, st->skipped == 1 ? "" : "s",
			  (unsigned long long)(st->skipped + st->records),
			  (unsigned long long)st->records);
	else if (st->skipped && is_document(st->format))
		cli_error("%s: skipped %llu bad record%s (%llu posts kept)", st->path,
			  (unsigned long long)st->skipped, st->skipped == 1 ? "" : "s",
			  (unsigned long long)st->records);
	else if (st->skipped) /* a line may hold many posts (a page of tweets) */
		cli_error("%s: skipped %llu bad line%s of %llu (%llu posts kept)", st->path,
			  (unsigned long long)st->skipped, st->skipped == 1 ? "" : "s",
			  (unsigned long long)(st->lines - st->blank),
			  (unsigned long long)st->records);
	if (st->ignored == 1)
		cli_error("%s: 1 record that is not a post (a service message) passed over",
			  st->path);
	else if (st->ignored)
		cli_error("%s: %llu records that are not posts (service messages) passed over",
			  st->path, (unsigned long long)st->ignored);
}

int cli_read_inputs(cli_reader *r, chorus_corpus *corpus, int n, char **paths)
{
	long dups;

	for (int i = 0; i < n; i++) {
		chorus_error err;
		int rc;

		chorus_error_clear(&err);
		r->printed = 0;
		rc = chorus_corpus_read(corpus, paths[i], &r->ro, &err);
		if (r->bar)
			fputs("\r\033[K", stderr);
		if (rc)
			return read_error(rc, &err, paths[i]);
		input_summary(chorus_corpus_input(corpus, chorus_corpus_input_count(corpus) - 1));
	}
	dups = chorus_corpus_dedup(corpus);
	if (dups < 0) {
		cli_error("out of memory");
		return CLI_EXIT_FAIL;
	}
	if (dups > 0)
		cli_error("%ld post%s with an id already read (same platform) dropped; the first "
			  "copy is kept", dups, dups == 1 ? "" : "s");
	return -1;
}
