/*
 * import_int.h - readers of other archives' formats, used by the reader
 * driver in jsonl.c (one line in, any number of posts out).
 */
#ifndef CHORUS_IMPORT_INT_H
#define CHORUS_IMPORT_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "chorus/arena.h"
#include "chorus/buf.h"
#include "chorus/error.h"
#include "chorus/post.h"
#include "input_int.h"

/*
 * Parse one line of a Twitter file (format CHORUS_FORMAT_TWITTER_V1 or _V2)
 * into *n posts: the post structs in scratch, their strings (and evidence:
 * source, line, SHA-256 of the line) in strings.  0, CHORUS_EINPUT with a
 * one-line reason in msg, or CHORUS_ENOMEM.
 */
int chorus_twitter_parse_line(int format, const char *p, size_t len, const char *source,
			      uint64_t line, chorus_arena *strings, chorus_arena *scratch,
			      chorus_post **posts, size_t *n, char msg[CHORUS_ERROR_TEXT]);

/* "Wed Oct 10 20:19:24 +0000 2018" as UTC ns; 0, or -1 when malformed. */
int chorus_twitter_time(const char *s, int64_t *ns);

/* The format of a file from its first lines (CHORUS_FORMAT_JSONL when no
 * line says otherwise). */
int chorus_detect_format(const chorus_line *lines, size_t n);

/* 1 when the first non-blank line starts with '[' (a JSON array). */
int chorus_starts_array(const chorus_line *lines, size_t n);

/* Replace control bytes and invalid UTF-8 in s (jansson quotes raw input;
 * a cut may split a character) so that a message is one line of UTF-8. */
void chorus_import_sanitise(char *s);

/* Copy v[0..len) into a (NUL-terminated) and point *s at it; v == NULL
 * makes *s absent.  0 or CHORUS_ENOMEM. */
int chorus_import_str(chorus_arena *a, chorus_str *s, const char *v, size_t len);

/* The one-line message for a line jansson refused (NUL byte, invalid
 * UTF-8, else jansson's text and column), in msg. */
void chorus_import_json_error(const char *p, size_t len, const json_error_t *je, char *msg);

/* ---- JSON documents cut into records (import_split.c) ---- */

#define CHORUS_SPLIT_DEPTH 64
#define CHORUS_SPLIT_KEY 32

typedef struct chorus_split_level {
	char kind;                   /* '{' or '[' (0 at the top) */
	int records;                 /* an array whose objects are records */
	int expect_key;              /* in an object, the next string is a key */
	char key[CHORUS_SPLIT_KEY];  /* the last key (in an object) */
	size_t keylen;
	int key_ok;                  /* the key is short and has no escape */
	int capture;                 /* the value being read belongs to "id" */
	char id[32];                 /* this object's "id" value, as text */
} chorus_split_level;

typedef struct chorus_split {
	const char *const *keys; /* NULL-terminated record keys */
	int top_records;         /* top-level arrays' objects and top-level objects */
	chorus_split_level lvl[CHORUS_SPLIT_DEPTH];
	int depth;
	int in_str, esc, str_is_key, sesc;
	char sbuf[CHORUS_SPLIT_KEY];
	size_t slen;
	int rec_depth;           /* depth of the record's '{'; -1: none */
	int tentative;           /* a top-level object, maybe not a record */
	uint64_t rec_line;
	char rec_ctx[32];        /* "id" of the object holding the record's array */
	chorus_buf rec;
	int too_long, too_deep, bad_close, lost;
} chorus_split;

/* emit gets each record (p == NULL when it was longer than max_record),
 * the line it starts on and its context id; non-zero stops the feed. */
typedef int (*chorus_split_emit)(void *ud, const char *p, size_t len, uint64_t line,
				 const char *ctx);

void chorus_split_init(chorus_split *s, const char *const *keys, int top_records,
		       size_t max_record);
void chorus_split_dispose(chorus_split *s);
/* Feed one line (without its newline).  0, what emit returned, or
 * CHORUS_ELIMIT when nesting passes CHORUS_SPLIT_DEPTH. */
int chorus_split_feed(chorus_split *s, const char *p, size_t len, uint64_t line,
		      chorus_split_emit emit, void *ud);
/* A line too long to be read: the splitter has lost its place. */
void chorus_split_skip(chorus_split *s);

/* ---- document formats (import_doc.c) ---- */

/* Where a document reader puts what it reads. */
typedef struct chorus_doc_sink {
	chorus_corpus *c;
	uint32_t input;
	chorus_input_stats *st;
	chorus_input *in;
	chorus_arena *strings;   /* the posts' strings (moved to the corpus) */
	size_t max_record;
	chorus_error *err;
	/* a bad record: counted, reported; non-zero stops the read (strict) */
	int (*bad)(void *ud, uint64_t line, const char *msg);
	void *ud;
} chorus_doc_sink;

/* Read the rest of the input (first: the batch already read) in a
 * document format (Telegram, Mastodon, Bluesky, a JSON array of Twitter
 * v1.1 tweets, or the markup formats of import_web.c). */
int chorus_doc_read(chorus_doc_sink *k, int format, const chorus_batch *first);

/* 1 for the formats read by chorus_doc_read. */
int chorus_format_is_doc(int format);

/* What a document reader found for one post (NULL: absent; text is
 * text_len bytes). */
typedef struct chorus_doc_fields {
	const char *id, *author, *handle, *text, *lang, *repost_of, *reply_to, *url, *platform;
	size_t text_len;
	int64_t created_at, server_time; /* server_time: CHORUS_TIME_NONE when absent */
} chorus_doc_fields;

/* Append the post f to the corpus with its evidence (the input's path,
 * line, sha: SHA-256 hex of the record) and count it.  0 or
 * CHORUS_ENOMEM / CHORUS_ELIMIT (err set). */
int chorus_doc_push(chorus_doc_sink *k, const chorus_doc_fields *f, uint64_t line,
		    const char *sha);

/* Append the plain text of the HTML h[0..n) to b: tags dropped, <br> and
 * </p> (but the last) as line breaks, script, style and comments left
 * out, character references and the common named entities decoded once
 * (an unknown one is kept as written).  0, CHORUS_ENOMEM or CHORUS_ELIMIT
 * (b's cap). */
int chorus_html_text(chorus_buf *b, const char *h, size_t n);

/* ---- RSS / Atom feeds and Telegram preview pages (import_web.c) ---- */

/* Read the rest of the input as one feed (CHORUS_FORMAT_FEED) or one
 * Telegram channel preview page (CHORUS_FORMAT_TELEGRAM_WEB): the whole
 * document, at most k->max_record bytes, is parsed by libxml2. */
int chorus_web_read(chorus_doc_sink *k, int format, const chorus_batch *first);

/* ---- CSV archives (import_csv.c) ---- */

/* Read the rest of the input as CSV in format (CSV, TWITTER_IO, IRA, CNT);
 * map is the column map of generic CSV. */
int chorus_csv_read(chorus_doc_sink *k, int format, const char *map, const chorus_batch *first);
/* Columns of map ("name=COL,...") among the header's nf fields (fields +
 * off[j], NUL-terminated); -1 with msg when the map is wrong. */
int chorus_csv_apply_map(const char *map, const char *fields, const size_t *off, size_t nf,
			 int *col, char *msg);
/* A CSV time: RFC 3339, "YYYY-MM-DD HH:MM[:SS]", "M/D/YYYY H:MM[:SS]" (UTC),
 * a date alone, or epoch seconds; 0, or -1. */
int chorus_csv_time(const char *s, int64_t *ns);

#endif
