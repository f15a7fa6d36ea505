/*
 * alloc.c - the one allocation path, with failure injection for tests.
 *
 * The countdown is a plain global read on every allocation; it is only
 * armed by tests, while a single thread allocates.
 */
#include <stdint.h>
#include <stdlib.h>

#include "chorus/alloc.h"

static unsigned long fail_countdown; /* 0 = off */
static int failing;

static int should_fail(void)
{
	if (failing)
		return 1;
	if (fail_countdown == 0)
		return 0;
	if (--fail_countdown == 0) {
		failing = 1;
		return 1;
	}
	return 0;
}

void chorus_alloc_fail_after(unsigned long n)
{
	fail_countdown = n;
	failing = 0;
}

void *chorus_malloc(size_t size)
{
	return should_fail() ? NULL : malloc(size ? size : 1);
}

void *chorus_calloc(size_t n, size_t size)
{
	return should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1);
}

void *chorus_realloc(void *p, size_t size)
{
	return should_fail() ? NULL : realloc(p, size ? size : 1);
}

void *chorus_mallocarray(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return chorus_malloc(n * size);
}

void *chorus_reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return chorus_realloc(p, n * size);
}

void chorus_free(void *p)
{
	free(p);
}
