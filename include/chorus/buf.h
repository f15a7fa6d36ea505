/*
 * chorus/buf.h - growable byte buffer with a hard cap (cf. curl DYNBUF).
 *
 * The content is always NUL-terminated (data[len] == 0) once anything was
 * added.  Growth doubles; an append that would pass max fails with
 * CHORUS_ELIMIT and leaves the buffer as it was, so no input can make a
 * buffer grow without bound.
 */
#ifndef CHORUS_BUF_H
#define CHORUS_BUF_H

#include <stddef.h>

typedef struct chorus_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* hard cap on len */
} chorus_buf;

void chorus_buf_init(chorus_buf *b, size_t max);
void chorus_buf_dispose(chorus_buf *b);
void chorus_buf_reset(chorus_buf *b); /* len = 0, memory kept */

/* Make room for n more bytes; CHORUS_ENOMEM or CHORUS_ELIMIT on failure. */
int chorus_buf_reserve(chorus_buf *b, size_t n);
int chorus_buf_append(chorus_buf *b, const void *p, size_t n);
int chorus_buf_putc(chorus_buf *b, char c);
int chorus_buf_puts(chorus_buf *b, const char *s);
int chorus_buf_printf(chorus_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
