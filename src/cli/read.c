/*
 * read.c - reading the inputs of a sub-command (see read.h).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "chorus/timeutil.h"
#include "cli.h"
#include "read.h"
#include "store.h"

/*
 * The reason of a message, for counting: a leading "tweet ID: " (or
 * message, post, status) is dropped, and the text is cut before ':', " at "
 * and " (", where ids, columns and byte offsets begin.
 */
static void reason_of(const char *msg, char *out, size_t cap)
{
	static const char *const subjects[] = { "tweet ", "message ", "post ", "status " };
	const char *colon = strstr(msg, ": ");
	size_t n;

	for (size_t k = 0; colon && k < sizeof subjects / sizeof subjects[0]; k++) {
		const size_t sl = strlen(subjects[k]);
		if (!strncmp(msg, subjects[k], sl) && colon > msg + sl &&
		    !memchr(msg + sl, ' ', (size_t)(colon - msg) - sl)) {
			msg = colon + 2; /* "tweet 123: reason" */
			break;
		}
	}
	n = strcspn(msg, ":");
	for (const char *cut = msg; (cut = strstr(cut, " at ")) && (size_t)(cut - msg) < n; cut++)
		n = (size_t)(cut - msg);
	for (const char *cut = msg; (cut = strstr(cut, " (")) && (size_t)(cut - msg) < n; cut++)
		n = (size_t)(cut - msg);
	if (n >= cap)
		n = cap - 1;
	memcpy(out, msg, n);
	out[n] = '\0';
}

static void count_reason(cli_reader *r, const char *msg)
{
	char text[sizeof r->reasons[0].text];
	size_t k;

	reason_of(msg, text, sizeof text);
	for (k = 0; k < r->nreasons; k++)
		if (!strcmp(r->reasons[k].text, text))
			break;
	if (k == r->nreasons) {
		if (k == CLI_REASONS) {
			k = CLI_REASONS; /* the "other" slot */
			snprintf(r->reasons[k].text, sizeof r->reasons[k].text, "other");
		} else {
			snprintf(r->reasons[k].text, sizeof r->reasons[k].text, "%s", text);
			r->nreasons++;
		}
	}
	r->reasons[k].count++;
}

static void on_record_error(void *ud, const chorus_error *e)
{
	cli_reader *r = ud;

	count_reason(r, e->text);
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

/* ": 3 invalid JSON, 1 missing field "author"" after a skipped count. */
static void reasons_text(const cli_reader *r, char *out, size_t cap)
{
	size_t at = 0;

	out[0] = '\0';
	for (size_t k = 0; k <= CLI_REASONS && at + 1 < cap; k++) {
		if (k == r->nreasons && k < CLI_REASONS)
			k = CLI_REASONS;
		if (!r->reasons[k].count)
			continue;
		at += (size_t)snprintf(out + at, cap - at, "%s%lu %s", at ? ", " : ": ",
				       r->reasons[k].count, r->reasons[k].text);
	}
}

static void input_summary(const cli_reader *r, const chorus_input_stats *st)
{
	char why[1024];

	reasons_text(r, why, sizeof why);
	if (st->format_auto && strcmp(st->format, "jsonl") != 0)
		cli_error("%s: format %s (detected; --format to force)", st->path, st->format);
	if (st->skipped && !strcmp(st->format, "jsonl"))
		cli_error("%s: skipped %llu bad record%s of %llu (%llu kept)%s", st->path,
			  (unsigned long long)st->skipped, st->skipped == 1 ? "" : "s",
			  (unsigned long long)(st->skipped + st->records),
			  (unsigned long long)st->records, why);
	else if (st->skipped && is_document(st->format))
		cli_error("%s: skipped %llu bad record%s (%llu posts kept)%s", st->path,
			  (unsigned long long)st->skipped, st->skipped == 1 ? "" : "s",
			  (unsigned long long)st->records, why);
	else if (st->skipped) /* a line may hold many records (a page of tweets) */
		cli_error("%s: skipped %llu bad record%s in %llu line%s (%llu posts kept)%s", st->path,
			  (unsigned long long)st->skipped, st->skipped == 1 ? "" : "s",
			  (unsigned long long)(st->lines - st->blank),
			  st->lines - st->blank == 1 ? "" : "s", (unsigned long long)st->records, why);
	if (st->ignored == 1)
		cli_error("%s: 1 record that is not a post (a service message, or no text) passed over",
			  st->path);
	else if (st->ignored)
		cli_error("%s: %llu records that are not posts (service messages, or no text) passed over",
			  st->path, (unsigned long long)st->ignored);
}

static void store_warn(void *ud, const char *msg)
{
	(void)ud;
	cli_error("%s", msg);
}

/* A page's --since / --until bound as UTC ns; 0 when absent. */
static int64_t page_time(const json_t *pg, const char *key)
{
	const char *v = json_string_value(json_object_get(pg, key));
	int64_t ns;

	return v && chorus_time_parse_rfc3339(v, strlen(v), &ns) == 0 ? ns : 0;
}

/* 1 when path is a folder (a collector's evidence store). */
static int is_store(const char *path)
{
	struct stat sb;
	return strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/*
 * Read the pages of an evidence store: every response the collector
 * accepted as a page, in journal order, each body file in the format of
 * its source (the store is checked first: damage stops the read).  One
 * summary line for the store; bodies with bad records get their own.
 */
static int read_store(cli_reader *r, chorus_corpus *corpus, const char *path)
{
	const int format = r->ro.format;
	unsigned long long pages = 0, posts = 0, skipped = 0, ignored = 0, outside = 0;
	chorus_store *st;
	chorus_error err;
	int rc;

	chorus_error_clear(&err);
	rc = chorus_store_open(&st, path, CHORUS_STORE_READ, NULL, store_warn, NULL, &err);
	if (rc)
		return read_error(rc == CHORUS_EINPUT ? CHORUS_EIO : rc, &err, path);
	for (size_t i = 0; i < chorus_store_count(st); i++) {
		const json_t *rec = chorus_store_record(st, i);
		const json_t *pg = json_object_get(rec, "page");
		const chorus_input_stats *in;
		char body[4096];
		size_t first;
		int f;

		if (!pg || json_is_true(json_object_get(pg, "lookup")))
			continue;
		f = chorus_format_from_name(json_string_value(json_object_get(pg, "format")) ?
					    json_string_value(json_object_get(pg, "format")) : "");
		if (f <= 0 || chorus_store_body_path(st, rec, body, sizeof body)) {
			cli_error("%s/journal.jsonl: record %lld: a page of unknown format", path,
				  (long long)json_integer_value(json_object_get(rec, "seq")));
			chorus_store_close(st);
			r->ro.format = format;
			return CLI_EXIT_FAIL;
		}
		r->ro.format = f;
		first = chorus_corpus_count(corpus);
		r->printed = 0;
		memset(r->reasons, 0, sizeof r->reasons);
		r->nreasons = 0;
		chorus_error_clear(&err);
		rc = chorus_corpus_read(corpus, body, &r->ro, &err);
		if (rc) {
			chorus_store_close(st);
			r->ro.format = format;
			return read_error(rc, &err, body);
		}
		outside += chorus_corpus_keep_range(corpus, first, page_time(pg, "since"),
						    page_time(pg, "until"));
		in = chorus_corpus_input(corpus, chorus_corpus_input_count(corpus) - 1);
		if (in->skipped)
			input_summary(r, in);
		pages++;
		posts += in->records;
		skipped += in->skipped;
		ignored += in->ignored;
	}
	r->ro.format = format;
	cli_error("%s: evidence store: %llu page%s read, %llu post%s, %llu bad record%s skipped%s",
		  path, pages, pages == 1 ? "" : "s", posts, posts == 1 ? "" : "s", skipped,
		  skipped == 1 ? "" : "s", ignored ? ", some records that are not posts passed over" : "");
	if (outside)
		cli_error("%s: %llu post%s outside the time range (--since/--until) of the collection "
			  "dropped", path, outside, outside == 1 ? "" : "s");
	chorus_store_close(st);
	return -1;
}

int cli_read_inputs(cli_reader *r, chorus_corpus *corpus, int n, char **paths)
{
	long dups;

	for (int i = 0; i < n; i++) {
		chorus_error err;
		int rc;

		if (is_store(paths[i])) {
			rc = read_store(r, corpus, paths[i]);
			if (rc >= 0)
				return rc;
			continue;
		}
		chorus_error_clear(&err);
		r->printed = 0;
		memset(r->reasons, 0, sizeof r->reasons);
		r->nreasons = 0;
		rc = chorus_corpus_read(corpus, paths[i], &r->ro, &err);
		if (r->bar)
			fputs("\r\033[K", stderr);
		if (rc)
			return read_error(rc, &err, paths[i]);
		input_summary(r, chorus_corpus_input(corpus, chorus_corpus_input_count(corpus) - 1));
	}
	dups = chorus_corpus_dedup(corpus, r->ro.threads);
	if (dups < 0) {
		cli_error("out of memory");
		return CLI_EXIT_FAIL;
	}
	if (dups > 0)
		cli_error("%ld post%s with an id already read (same platform) dropped; the first "
			  "copy is kept", dups, dups == 1 ? "" : "s");
	return -1;
}
