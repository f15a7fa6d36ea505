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

/* The one-line message for a line jansson refused (NUL byte, invalid
 * UTF-8, else jansson's text and column), in msg. */
void chorus_import_json_error(const char *p, size_t len, const json_error_t *je, char *msg);

#endif
