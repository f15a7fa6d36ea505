/*
 * jsonl_int.h - the canonical JSON Lines reader's inner pieces, for tests
 * and the fuzz target: the per-record parser and a reader over memory.
 */
#ifndef CHORUS_JSONL_INT_H
#define CHORUS_JSONL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "chorus/arena.h"
#include "chorus/buf.h"
#include "chorus/error.h"
#include "chorus/post.h"
#include "input_int.h"

/* Scratch space of one parsing thread (a copy of a line holding integers
 * too big for int64; bounded by CHORUS_INPUT_MAX_RECORD_LIMIT). */
typedef struct chorus_jsonl_ws {
	chorus_buf scratch;
} chorus_jsonl_ws;

void chorus_jsonl_ws_init(chorus_jsonl_ws *ws);
void chorus_jsonl_ws_dispose(chorus_jsonl_ws *ws);

/*
 * Parse one non-blank line p[0..len) into *post: its strings are copied into
 * strings; line, input and flags other than CHORUS_POST_REPOST are left 0.
 * Returns 0, CHORUS_EINPUT with the one-line reason in msg (*post and
 * strings untouched), or CHORUS_ENOMEM.  Pure apart from ws and strings:
 * threads may call it at once with their own ws and strings, once
 * json_object_seed has been called.
 */
int chorus_jsonl_parse_record(const char *p, size_t len, chorus_jsonl_ws *ws,
			      chorus_arena *strings, chorus_post *post,
			      char msg[CHORUS_ERROR_TEXT]);

/* The fields of a canonical record, in this order. */
enum chorus_jkey {
	JK_ID, JK_AUTHOR, JK_TEXT, JK_CREATED_AT, JK_PLATFORM, JK_URL, JK_LANG,
	JK_REPOST_OF, JK_REPLY_TO, JK_AUTHOR_CREATED_AT, JK_AUTHOR_HANDLE, JK_SERVER_TIME,
	JK_SOURCE, JK_SOURCE_LINE, JK_RAW_SHA256, JK_COUNT
};

/* Kinds of JSON value (JV_BIGINT: an integer beyond int64, as its text). */
enum chorus_jkind {
	JV_ABSENT, JV_NULL, JV_STRING, JV_INT, JV_BIGINT, JV_REAL, JV_BOOL, JV_ARRAY, JV_OBJECT
};

typedef struct chorus_jfield {
	int kind;      /* enum chorus_jkind */
	const char *p; /* JV_STRING, JV_BIGINT: the value (not NUL-terminated) */
	size_t len;
	int64_t i;     /* JV_INT */
} chorus_jfield;

/*
 * The fast path (jsonl_fast.c): scan p[0..len) as a flat JSON object and
 * fill out[] with the known fields.  1 when the line is valid JSON exactly
 * as jansson reads it and every value was understood; 0 when not sure (the
 * caller then parses with jansson, whose result stands).  scratch must hold
 * len bytes (unescaped strings); out[] points into p and scratch.
 */
int chorus_jsonl_fast_scan(const char *p, size_t len, char *scratch,
			   chorus_jfield out[JK_COUNT]);

/* The jansson path alone, for the differential fuzz target: as
 * chorus_jsonl_parse_record without the fast path. */
int chorus_jsonl_parse_record_slow(const char *p, size_t len, chorus_jsonl_ws *ws,
				   chorus_arena *strings, chorus_post *post,
				   char msg[CHORUS_ERROR_TEXT]);

/* 1 when p[0..len) holds only JSON white space (a blank line). */
int chorus_jsonl_blank(const char *p, size_t len);

/*
 * chorus_corpus_read_jsonl over data[0..n) (not copied; must outlive the
 * call), named name in stats and errors.  lim == NULL uses the default batch
 * sizes; its max_record is ignored (opts->max_record rules).  The format is
 * opts->format when set (AUTO is then not possible: 0 means JSONL).
 */
int chorus_corpus_read_jsonl_mem(chorus_corpus *c, const char *name,
				 const void *data, size_t n,
				 const chorus_read_opts *opts,
				 const chorus_input_limits *lim, chorus_error *err);

#endif
