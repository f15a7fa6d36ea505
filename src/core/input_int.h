/*
 * input_int.h - byte sources split into lines, in bounded batches.
 *
 * An input is a file, standard input ("-") or a block of memory.  Its bytes
 * as stored are counted and hashed with SHA-256; when they start with the
 * gzip magic (1f 8b) they are inflated, member after member.  The inflated
 * text is cut at '\n' (a trailing '\r' and a UTF-8 byte order mark at the
 * start of line 1 are dropped) into lines numbered from 1, handed out in batches of at most batch_lines lines held in a buffer of
 * at most about batch_bytes bytes.  A line longer than max_record is never
 * buffered: it is skipped as it streams by and handed out with p == NULL and
 * its full length, so the caller can report it.
 *
 * Memory per input: two batch buffers (the one being parsed and the one
 * being filled) plus a 256 KiB read buffer and zlib's window: bounded
 * whatever the input.
 */
#ifndef CHORUS_INPUT_INT_H
#define CHORUS_INPUT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "chorus/error.h"
#include "chorus/sha256.h"

#define CHORUS_INPUT_BATCH_BYTES ((size_t)8 << 20)
#define CHORUS_INPUT_BATCH_LINES ((size_t)16384)
/* Largest max_record accepted (a line is parsed in one piece). */
#define CHORUS_INPUT_MAX_RECORD_LIMIT ((size_t)256 << 20)

typedef struct chorus_line {
	const char *p; /* the line, no '\n', no trailing '\r'; NULL: too long */
	size_t len;    /* its length in bytes (also when too long) */
	uint64_t no;   /* 1-based line number */
} chorus_line;

typedef struct chorus_batch {
	const chorus_line *lines;
	size_t n; /* 0: the input is finished */
} chorus_batch;

typedef struct chorus_input_limits {
	size_t max_record;  /* longest line handed out; 1..LIMIT */
	size_t batch_bytes; /* 0 = CHORUS_INPUT_BATCH_BYTES */
	size_t batch_lines; /* 0 = CHORUS_INPUT_BATCH_LINES */
} chorus_input_limits;

typedef struct chorus_input chorus_input;

/*
 * Open path ("-" = standard input, never closed).  name is used in error
 * messages and must outlive the input.  CHORUS_EIO (err: name, strerror),
 * CHORUS_ENOMEM, CHORUS_EUSAGE (bad limits).  *out is set only on success.
 */
int chorus_input_open(chorus_input **out, const char *path,
		      const chorus_input_limits *lim, chorus_error *err);

/* The same over data[0..n), which must outlive the input (not copied). */
int chorus_input_open_mem(chorus_input **out, const char *name,
			  const void *data, size_t n,
			  const chorus_input_limits *lim, chorus_error *err);

void chorus_input_free(chorus_input *in); /* NULL-safe */

/*
 * Hand out the next batch of lines (out->n == 0 at the end).  The lines
 * stay valid until the second call after this one: the call only reads the
 * previous batch, so it may run while other threads parse that batch.
 * CHORUS_EIO (read error, truncated or corrupt gzip: err names the input)
 * or CHORUS_ENOMEM; after an error the input is unusable.
 */
int chorus_input_next(chorus_input *in, chorus_batch *out, chorus_error *err);

/* Bytes as stored read so far. */
uint64_t chorus_input_bytes(const chorus_input *in);
/* 1 when the content is gzip. */
int chorus_input_is_gzip(const chorus_input *in);
/* SHA-256 of the bytes as stored; call once, after the last batch. */
void chorus_input_sha256(chorus_input *in, char out[CHORUS_SHA256_HEX]);

#endif
