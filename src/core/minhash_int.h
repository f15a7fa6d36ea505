/*
 * minhash_int.h - MinHash internals shared with the tests.
 */
#ifndef CHORUS_MINHASH_INT_H
#define CHORUS_MINHASH_INT_H

#include "chorus/minhash.h"

/* chorus_minhash_sign with vector code up to level (0: none, 1: AVX2,
 * 2: AVX-512) and no higher than the CPU has; returns the level used.
 * Every level gives the same signature. */
int minhash_sign_level(const chorus_minhash *mh, const uint32_t *sh, size_t n, uint32_t *sig,
		       int level);

/* chorus_sort_unique_u32 with vector code up to level, as above. */
size_t minhash_sort_unique_level(uint32_t *v, size_t n, int level);

#endif
