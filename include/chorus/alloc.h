/*
 * chorus/alloc.h - the one allocation path.
 *
 * Every allocation in chorus goes through these functions so that a test can
 * make the Nth allocation fail (cf. jansson test_chaos.c).  They behave as the
 * C library functions; chorus_free(NULL) is a no-op.  chorus_mallocarray and
 * chorus_reallocarray fail (NULL) when n * size overflows.
 */
#ifndef CHORUS_ALLOC_H
#define CHORUS_ALLOC_H

#include <stddef.h>

void *chorus_malloc(size_t size);
void *chorus_calloc(size_t n, size_t size);
void *chorus_realloc(void *p, size_t size);
void *chorus_mallocarray(size_t n, size_t size);
void *chorus_reallocarray(void *p, size_t n, size_t size);
void chorus_free(void *p);

/* Testing only: make allocation number n (1-based, counted from this call)
 * and every later one fail; 0 turns failure injection off.  Not thread-safe:
 * call it while no other thread allocates. */
void chorus_alloc_fail_after(unsigned long n);

#endif
