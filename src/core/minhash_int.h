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

/* A set's sketch: how many of its values fall in each of 64 buckets (by
 * their top 6 bits), 4 bits a count, saturating at 15. */
#define MINHASH_SKETCH_BYTES 32
void minhash_sketch(const uint32_t *sh, size_t n, uint8_t *out);

/* An upper bound on how many values two sets share, from their sketches:
 * the sum over buckets of the smaller count (a shared value counts in
 * both).  UINT_MAX (no bound) where both counts of a bucket saturate. */
unsigned minhash_sketch_common(const uint8_t *a, const uint8_t *b);

/* chorus_sort_unique_u32 with vector code up to level, as above. */
size_t minhash_sort_unique_level(uint32_t *v, size_t n, int level);

#endif
