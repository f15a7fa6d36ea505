/*
 * alloc.c - the one allocation path, with failure injection for tests.
 *
 * The countdown is a plain global read on every allocation; it is only
 * armed by tests, while a single thread allocates.
 */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include <stdint.h>
#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

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

#define HUGE_MIN ((size_t)8 << 20) /* blocks this large ask for huge pages */
#define HUGE_PAGE ((uintptr_t)2 << 20)

/* Ask the kernel to back the 2 MiB pages inside a large block with huge
 * pages (Linux, where transparent huge pages are "madvise"): the scan's
 * per-post and per-band arrays are read at random, and with 4 KiB pages
 * nearly every such read misses the TLB; it also takes 512 times fewer
 * page faults to fill them.  Advice only: speed, never behaviour. */
static void *advise(void *p, size_t size)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	if (p && size >= HUGE_MIN) {
		const uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		const uintptr_t hi = ((uintptr_t)p + size) & ~(HUGE_PAGE - 1);
		if (hi > lo)
			(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
	}
#else
	(void)size;
#endif
	return p;
}

void *chorus_malloc(size_t size)
{
	return should_fail() ? NULL : advise(malloc(size ? size : 1), size);
}

void *chorus_calloc(size_t n, size_t size)
{
	if (should_fail())
		return NULL;
	if (size && n > SIZE_MAX / size)
		return NULL;
	return advise(calloc(n ? n : 1, size ? size : 1), n * size);
}

void *chorus_realloc(void *p, size_t size)
{
	return should_fail() ? NULL : advise(realloc(p, size ? size : 1), size);
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
