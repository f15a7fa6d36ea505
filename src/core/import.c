/*
 * import.c - input formats: names, detection from the content, and the
 * messages shared by the readers of other archives.
 *
 * Detection reads the first DETECT_LINES lines of the first batch (never
 * more input than the reader reads anyway).  Markup (the first non-blank
 * character is '<') is an RSS / Atom feed ("<rss", "<rdf:RDF", or "<feed"
 * with the Atom namespace) or a Telegram channel preview page
 * ("tgme_widget_message", or "<html" and a "//t.me/" address: the first
 * message may lie past the lines looked at).  Document formats are told by
 * the keys they alone use (a pretty-printed document's first lines are not
 * JSON on their own); else the first line that is a JSON object decides;
 * with no JSON object, a first line with commas is a CSV header (named
 * archives by their columns, else generic CSV, which needs --map).  For a
 * JSON object line: keys "id_str" and "user" make Twitter v1.1; "data"
 * with "includes" or "meta", or "author_id", make Twitter v2 / twarc2;
 * anything else is canonical JSON Lines.  Lines that are not JSON (the
 * header lines some collectors write) are passed over.
 */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <string.h>

#include "chorus/utf8.h"
#include "import_int.h"

#define DETECT_LINES 64

static const char *const names[CHORUS_FORMAT_COUNT] = {
	"auto", "jsonl", "twitter-v1.1", "twitter-v2", "telegram", "mastodon", "bluesky",
	"csv", "twitter-io", "ira", "cnt", "feed", "telegram-web"
};

const char *chorus_format_name(int format)
{
	return format >= 0 && format < CHORUS_FORMAT_COUNT ? names[format] : NULL;
}

int chorus_format_from_name(const char *name)
{
	for (int f = 0; f < CHORUS_FORMAT_COUNT; f++)
		if (!strcmp(name, names[f]))
			return f;
	return -1;
}

static int classify(const json_t *o)
{
	if (json_object_get(o, "id_str") && json_object_get(o, "user"))
		return CHORUS_FORMAT_TWITTER_V1;
	if ((json_object_get(o, "data") &&
	     (json_object_get(o, "includes") || json_object_get(o, "meta"))) ||
	    json_object_get(o, "author_id"))
		return CHORUS_FORMAT_TWITTER_V2;
	return CHORUS_FORMAT_JSONL;
}

/* Does any of the first lines hold needle? */
static int seen(const chorus_line *lines, size_t n, const char *needle)
{
	const size_t nl = strlen(needle);

	for (size_t i = 0; i < n && i < DETECT_LINES; i++)
		if (lines[i].p && lines[i].len >= nl && memmem(lines[i].p, lines[i].len, needle, nl))
			return 1;
	return 0;
}

int chorus_starts_array(const chorus_line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		if (!lines[i].p)
			return 0;
		while (j < lines[i].len && (lines[i].p[j] == ' ' || lines[i].p[j] == '\t'))
			j++;
		if (j < lines[i].len)
			return lines[i].p[j] == '[';
	}
	return 0;
}

/* A header: valid UTF-8 without control characters, every comma-separated
 * name non-empty and at most 64 bytes (a binary file or prose is not). */
static int plausible_header(const char *p, size_t len)
{
	size_t bad, start = 0;

	if (!chorus_utf8_valid(p, len, &bad))
		return 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && (unsigned char)p[i] < 0x20 && p[i] != '\t')
			return 0;
		if (i == len || p[i] == ',') {
			if (i == start || i - start > 64)
				return 0;
			start = i + 1;
		}
	}
	return 1;
}

/* A CSV archive from its header line; -1 when it is not one. */
static int csv_header(const chorus_line *lines, size_t n)
{
	size_t i = 0;

	while (i < n && lines[i].p && lines[i].len == 0)
		i++;
	if (i >= n || !lines[i].p || lines[i].len == 0 || lines[i].p[0] == '{' ||
	    lines[i].p[0] == '[' || !memchr(lines[i].p, ',', lines[i].len) ||
	    !plausible_header(lines[i].p, lines[i].len))
		return -1;
	if (seen(lines + i, 1, "tweetid") && seen(lines + i, 1, "tweet_text"))
		return CHORUS_FORMAT_TWITTER_IO;
	if (seen(lines + i, 1, "external_author_id") && seen(lines + i, 1, "publish_date"))
		return CHORUS_FORMAT_IRA;
	if (lines[i].len > 11 && !memcmp(lines[i].p, "message_id,", 11))
		return CHORUS_FORMAT_CNT;
	return CHORUS_FORMAT_CSV;
}

/* The first non-blank character of the first lines ('\0' when none). */
static char first_char(const chorus_line *lines, size_t n)
{
	for (size_t i = 0; i < n && i < DETECT_LINES && lines[i].p; i++)
		for (size_t j = 0; j < lines[i].len; j++)
			if (lines[i].p[j] != ' ' && lines[i].p[j] != '\t' && lines[i].p[j] != '\r')
				return lines[i].p[j];
	return '\0';
}

/* Markup: a feed or a Telegram preview page; -1 when neither. */
static int markup(const chorus_line *lines, size_t n)
{
	if (first_char(lines, n) != '<')
		return -1;
	if (seen(lines, n, "<rss") || seen(lines, n, "<rdf:RDF") ||
	    (seen(lines, n, "<feed") && seen(lines, n, "http://www.w3.org/2005/Atom")))
		return CHORUS_FORMAT_FEED;
	if (seen(lines, n, "tgme_widget_message") ||
	    ((seen(lines, n, "<html") || seen(lines, n, "<HTML")) && seen(lines, n, "//t.me/")))
		return CHORUS_FORMAT_TELEGRAM_WEB;
	return -1;
}

int chorus_detect_format(const chorus_line *lines, size_t n)
{
	int csv, web = markup(lines, n);

	if (web >= 0)
		return web;
	if (seen(lines, n, "\"messages\"") &&
	    (seen(lines, n, "\"date_unixtime\"") || seen(lines, n, "\"from_id\"")))
		return CHORUS_FORMAT_TELEGRAM;
	if (seen(lines, n, "\"at://") && seen(lines, n, "\"indexedAt\""))
		return CHORUS_FORMAT_BLUESKY;
	if (seen(lines, n, "\"account\"") && seen(lines, n, "\"acct\"") &&
	    seen(lines, n, "\"content\""))
		return CHORUS_FORMAT_MASTODON;
	for (size_t i = 0; i < n && i < DETECT_LINES; i++) {
		json_t *o;
		int f;
		if (!lines[i].p)
			continue;
		o = json_loadb(lines[i].p, lines[i].len, JSON_DECODE_ANY, NULL);
		if (!o)
			continue;
		f = json_is_object(o) ? classify(o) : -1;
		json_decref(o);
		if (f >= 0)
			return f;
	}
	/* A JSON array of v1.1 tweets (pretty-printed or on one line). */
	if (chorus_starts_array(lines, n) && seen(lines, n, "\"id_str\"") &&
	    seen(lines, n, "\"user\""))
		return CHORUS_FORMAT_TWITTER_V1;
	/* No JSON object at all: a CSV header names its archive; any other
	 * CSV is generic (and needs --map, which its reader asks for). */
	csv = csv_header(lines, n);
	return csv >= 0 ? csv : CHORUS_FORMAT_JSONL;
}

void chorus_import_sanitise(char *s)
{
	size_t len = strlen(s), pos = 0;
	uint32_t cp;

	while (pos < len) {
		size_t at = pos;
		if (chorus_utf8_decode(s, len, &pos, &cp) != 0 || cp < 0x20 || cp == 0x7f) {
			s[at] = '?';
			pos = at + 1;
		}
	}
}

int chorus_import_str(chorus_arena *a, chorus_str *s, const char *v, size_t len)
{
	s->p = NULL;
	s->len = 0;
	if (!v)
		return 0;
	s->len = (uint32_t)len;
	s->p = chorus_arena_strndup(a, v, len);
	return s->p ? 0 : CHORUS_ENOMEM;
}

void chorus_import_json_error(const char *p, size_t len, const json_error_t *je, char *msg)
{
	const char *nul = memchr(p, '\0', len);
	size_t bad;

	if (nul)
		snprintf(msg, CHORUS_ERROR_TEXT, "NUL byte at column %zu", (size_t)(nul - p) + 1);
	else if (!chorus_utf8_valid(p, len, &bad))
		snprintf(msg, CHORUS_ERROR_TEXT, "invalid UTF-8 at byte %zu", bad + 1);
	else
		snprintf(msg, CHORUS_ERROR_TEXT, "invalid JSON: %s (column %d)", je->text,
			 je->column);
	chorus_import_sanitise(msg);
}
