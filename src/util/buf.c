/*
 * buf.c - capped growable buffer.  Capacity doubles, so appends are
 * amortised O(1); the cap is checked before any allocation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/buf.h"
#include "chorus/error.h"

void chorus_buf_init(chorus_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void chorus_buf_dispose(chorus_buf *b)
{
	chorus_free(b->data);
	chorus_buf_init(b, b->max);
}

void chorus_buf_reset(chorus_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

int chorus_buf_reserve(chorus_buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (n > b->max || b->len > b->max - n)
		return CHORUS_ELIMIT;
	need = b->len + n + 1; /* room for the NUL */
	if (need <= b->cap)
		return CHORUS_OK;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	p = chorus_realloc(b->data, cap);
	if (!p)
		return CHORUS_ENOMEM;
	b->data = p;
	b->cap = cap;
	return CHORUS_OK;
}

int chorus_buf_append(chorus_buf *b, const void *p, size_t n)
{
	int rc = chorus_buf_reserve(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return CHORUS_OK;
}

int chorus_buf_putc(chorus_buf *b, char c)
{
	return chorus_buf_append(b, &c, 1);
}

int chorus_buf_puts(chorus_buf *b, const char *s)
{
	return chorus_buf_append(b, s, strlen(s));
}

int chorus_buf_printf(chorus_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return CHORUS_ERR;
	rc = chorus_buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return CHORUS_OK;
}
