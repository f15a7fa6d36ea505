/*
 * import_split.c - cutting a JSON document into records as it streams by.
 *
 * Exports and API responses are single JSON documents (a Telegram export
 * is one object holding every message).  Rather than load a document
 * whole, the splitter follows the JSON structure byte by byte -- nesting,
 * strings, escapes, the key each value belongs to -- and hands out each
 * record object with the line it starts on:
 *   - the elements of an array under one of the format's record keys
 *     ("messages" for Telegram, "feed" and "posts" for Bluesky), at any
 *     depth;
 *   - for formats that allow it, the elements of a top-level array and
 *     top-level objects (one status per line, or one document of one post),
 *     unless such an object turns out to hold a record array itself.
 * Each record comes with the "id" of the object holding its array (the
 * chat of a Telegram message).  The record's bytes are the document's own
 * bytes (lines joined by '\n'); a record longer than max_record is reported
 * and skipped as it streams by.  Memory: one record buffer, at most
 * max_record bytes, whatever the document's size.  The splitter checks
 * structure only; each record is then parsed by jansson, which rejects
 * anything malformed inside it.
 */
#include <string.h>

#include "chorus/alloc.h"
#include "import_int.h"


void chorus_split_init(chorus_split *s, const char *const *keys, int top_records,
		       size_t max_record)
{
	memset(s, 0, sizeof *s);
	s->keys = keys;
	s->top_records = top_records;
	s->rec_depth = -1;
	chorus_buf_init(&s->rec, max_record);
}

void chorus_split_dispose(chorus_split *s)
{
	chorus_buf_dispose(&s->rec);
}

static int is_record_key(const chorus_split *s, const char *k, size_t n)
{
	for (size_t i = 0; s->keys && s->keys[i]; i++)
		if (strlen(s->keys[i]) == n && !memcmp(s->keys[i], k, n))
			return 1;
	return 0;
}

/* Append c to the record being recorded (if any). */
static void record_byte(chorus_split *s, char c)
{
	if (s->rec_depth < 0 || s->too_long)
		return;
	if (chorus_buf_putc(&s->rec, c) != 0)
		s->too_long = 1;
}

static void start_record(chorus_split *s, uint64_t line, int tentative)
{
	chorus_buf_reset(&s->rec);
	s->rec_depth = s->depth;
	s->rec_line = line;
	s->too_long = 0;
	s->tentative = tentative;
	if (chorus_buf_putc(&s->rec, '{') != 0) /* fed before the record began */
		s->too_long = 1;
	memcpy(s->rec_ctx, s->lvl[s->depth > 0 ? s->depth - 1 : 0].id,
	       sizeof s->rec_ctx);
}

/* An opening bracket at the current depth. */
static void open_value(chorus_split *s, char c, uint64_t line)
{
	chorus_split_level *parent = &s->lvl[s->depth];
	int rec_array;

	if (s->depth + 1 >= CHORUS_SPLIT_DEPTH) {
		s->too_deep = 1;
		return;
	}
	rec_array = c == '[' &&
		    ((s->depth == 0 && s->top_records) ||
		     (parent->kind == '{' && parent->key_ok &&
		      is_record_key(s, parent->key, parent->keylen)));
	if (c == '[' && rec_array && s->rec_depth >= 0 && s->tentative)
		s->rec_depth = -1; /* a top-level object holding records is no record */
	if (c == '{' && s->rec_depth < 0 &&
	    ((parent->kind == '[' && parent->records) || (s->depth == 0 && s->top_records)))
		start_record(s, line, s->depth == 0);
	s->depth++;
	memset(&s->lvl[s->depth], 0, sizeof s->lvl[s->depth]);
	s->lvl[s->depth].kind = c;
	s->lvl[s->depth].records = rec_array;
	s->lvl[s->depth].expect_key = c == '{';
}

/* A closing bracket; 1 when it closes the record being recorded. */
static int close_value(chorus_split *s)
{
	if (s->depth == 0) {
		s->bad_close = 1;
		return 0;
	}
	s->depth--;
	s->lvl[s->depth].capture = 0;
	return s->rec_depth >= 0 && s->depth == s->rec_depth;
}

/* The end of a string at the current level: a key, or the value of "id". */
static void end_string(chorus_split *s)
{
	chorus_split_level *l = &s->lvl[s->depth];

	if (s->str_is_key) {
		l->keylen = s->slen;
		memcpy(l->key, s->sbuf, s->slen);
		l->key_ok = s->slen < CHORUS_SPLIT_KEY && !s->sesc;
		l->expect_key = 0;
		l->capture = l->key_ok && l->keylen == 2 && !memcmp(l->key, "id", 2);
		if (l->capture)
			l->id[0] = '\0';
	} else if (l->capture) {
		size_t n = s->slen < sizeof l->id - 1 ? s->slen : sizeof l->id - 1;
		memcpy(l->id, s->sbuf, n);
		l->id[n] = '\0';
		l->capture = 0;
	}
}

int chorus_split_feed(chorus_split *s, const char *p, size_t len, uint64_t line,
		      chorus_split_emit emit, void *ud)
{
	for (size_t i = 0; i < len; i++) {
		const char c = p[i];
		chorus_split_level *l = &s->lvl[s->depth];
		record_byte(s, c);
		if (s->in_str) {
			if (s->esc) {
				s->esc = 0;
			} else if (c == '\\') {
				s->esc = s->sesc = 1;
			} else if (c == '"') {
				s->in_str = 0;
				end_string(s);
				continue;
			}
			if (s->slen < CHORUS_SPLIT_KEY)
				s->sbuf[s->slen++] = c;
			continue;
		}
		switch (c) {
		case '"':
			s->in_str = 1;
			s->str_is_key = l->kind == '{' && l->expect_key;
			s->slen = 0;
			s->sesc = 0;
			break;
		case '{':
		case '[':
			l->capture = 0;
			open_value(s, c, line);
			break;
		case '}':
		case ']':
			if (close_value(s)) {
				int rc = 0;
				if (s->too_long)
					rc = emit(ud, NULL, s->rec.len, s->rec_line, s->rec_ctx);
				else
					rc = emit(ud, s->rec.data, s->rec.len, s->rec_line, s->rec_ctx);
				s->rec_depth = -1;
				if (rc)
					return rc;
			}
			break;
		case ',':
			if (l->kind == '{')
				l->expect_key = 1;
			l->capture = 0;
			break;
		default:
			/* a number: the value of "id" in a Telegram chat */
			if (l->capture && ((c >= '0' && c <= '9') || c == '-')) {
				size_t n = strlen(l->id);
				if (n + 1 < sizeof l->id) {
					l->id[n] = c;
					l->id[n + 1] = '\0';
				}
			}
			break;
		}
		if (s->too_deep)
			return CHORUS_ELIMIT;
	}
	record_byte(s, '\n');
	return 0;
}

/* A line too long to be handed out: it is skipped; a record it belongs to
 * is too long too. */
void chorus_split_skip(chorus_split *s)
{
	if (s->rec_depth >= 0)
		s->too_long = 1;
	s->lost = 1;
}
