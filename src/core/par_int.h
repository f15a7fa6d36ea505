/*
 * par_int.h - the one place that knows whether OpenMP is there.
 *
 * Parallel drivers call these instead of omp_get_* so that the build works
 * without OpenMP: then there is one thread, number 0, and the pragmas are
 * ignored by the compiler.  chorus_par_threads turns a user request
 * (0 = "as many as OpenMP would use") into a thread count >= 1, never more
 * than CHORUS_PAR_MAX_THREADS so per-thread workspaces stay bounded.
 * chorus_par_split splits indices among threads by hash, with a table
 * for each part (duplicate ids, author numbering).
 */
#ifndef CHORUS_PAR_INT_H
#define CHORUS_PAR_INT_H

#include <stddef.h>
#include <stdint.h>

#include "chorus/alloc.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define CHORUS_PAR_MAX_THREADS 256

/* Threads to use for a request of n (0 = the OpenMP default). */
static inline int chorus_par_threads(int n)
{
#ifdef _OPENMP
	if (n <= 0)
		n = omp_get_max_threads();
#else
	n = 1;
#endif
	if (n < 1)
		n = 1;
	return n > CHORUS_PAR_MAX_THREADS ? CHORUS_PAR_MAX_THREADS : n;
}

/* Threads of the team running the calling code (1 outside a parallel
 * region); it may be fewer than were asked for. */
static inline int chorus_par_team(void)
{
#ifdef _OPENMP
	return omp_get_num_threads();
#else
	return 1;
#endif
}

/* Number of the calling thread inside a parallel region (0 outside). */
static inline int chorus_par_thread_id(void)
{
#ifdef _OPENMP
	return omp_get_thread_num();
#else
	return 0;
#endif
}

/* Work split by hash, and the table to walk it through: the indices
 * i < n whose hash[i] falls in part of nparts (by its upper 32 bits, so
 * equal hashes share a part), in order, into *own (a new array) and their
 * count into *mine; the table returned is zeroed, of a power of two of at
 * least 2 * mine (and 16) slots of size bytes, so it is at most half full,
 * and *mask is its size - 1.  The caller frees both.  NULL when out of
 * memory (nothing is left to free then). */
static inline void *chorus_par_split(const uint64_t *hash, size_t n, int part, int nparts,
				     size_t size, uint32_t **own, size_t *mine, size_t *mask)
{
	size_t m = 0, k = 0, cap = 16;
	void *table;

	for (size_t i = 0; i < n; i++)
		m += (hash[i] >> 32) % (uint64_t)nparts == (uint64_t)part;
	while (cap < 2 * m)
		cap *= 2;
	*own = chorus_mallocarray(m ? m : 1, sizeof **own);
	table = chorus_calloc(cap, size);
	if (!*own || !table) {
		chorus_free(*own);
		chorus_free(table);
		*own = NULL;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if ((hash[i] >> 32) % (uint64_t)nparts == (uint64_t)part)
			(*own)[k++] = (uint32_t)i;
	*mine = m;
	*mask = cap - 1;
	return table;
}

#endif
