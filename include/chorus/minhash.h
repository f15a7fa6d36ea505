/*
 * chorus/minhash.h - shingles, MinHash signatures, LSH band keys, Jaccard.
 *
 * These are the pieces a sharded deployment exchanges: each machine signs its
 * own posts, ships (band key, post) pairs to the machine owning the key's
 * range, verifies candidates against the shingle sets and merges clusters.
 *
 * Shingle set: the distinct 32-bit hashes of a post's shingles, sorted.
 *   word:K  K consecutive WORD/EMOJI/URL/MENTION tokens (PUNCT skipped);
 *           a post with fewer than K tokens gives one shingle of them all.
 *   char:K  K consecutive code points of the normalised text (spaces count).
 * Signature: perms 32-bit minima, sig[i] = min over shingles x of
 *   a[i] * x + b[i] (mod 2^32), with a[i] odd; a, b drawn from the seed by
 *   splitmix64.  x is already a well-mixed hash, so each a*x+b is a random
 *   bijection applied to random values, and P(sig_A[i] == sig_B[i]) = J(A,B)
 *   up to collisions of the 32-bit values (measured in tests/unit).
 * Band keys: bands keys of 32 bits; band j hashes sig[j*r .. j*r+r) with
 *   r = perms / bands, and the band number, under the seed.
 */
#ifndef CHORUS_MINHASH_H
#define CHORUS_MINHASH_H

#include <stddef.h>
#include <stdint.h>

#include "chorus/normalise.h"

enum chorus_shingle_kind {
	CHORUS_SHINGLE_WORD = 1,
	CHORUS_SHINGLE_CHAR = 2
};

#define CHORUS_MAX_PERMS 1024

typedef struct chorus_minhash {
	unsigned perms, bands, rows;
	uint64_t seed;
	uint32_t a[CHORUS_MAX_PERMS], b[CHORUS_MAX_PERMS];
} chorus_minhash;

/* Set up a family; CHORUS_EUSAGE when perms is 0 or above CHORUS_MAX_PERMS,
 * bands is 0, or bands does not divide perms. */
int chorus_minhash_init(chorus_minhash *mh, unsigned perms, unsigned bands, uint64_t seed);

/* Write the sorted distinct shingle hashes of n into out (room for cap);
 * return their number, or the number needed when it is above cap (then out
 * holds nothing useful).  kind is enum chorus_shingle_kind, k >= 1. */
size_t chorus_shingle(const chorus_normalised *n, int kind, unsigned k, uint64_t seed,
		      uint32_t *out, size_t cap);

/* The same for word:k from the token hashes chorus_norm_hash gives (th[i]
 * = chorus_hash64(seed) of the i-th token that is not punctuation): equal to
 * chorus_shingle of the normalised text with CHORUS_SHINGLE_WORD. */
size_t chorus_shingle_hashes(const uint64_t *th, size_t n, unsigned k, uint64_t seed,
			     uint32_t *out, size_t cap);

/* Signature of a non-empty shingle set: sig has room for mh->perms values. */
void chorus_minhash_sign(const chorus_minhash *mh, const uint32_t *sh, size_t n, uint32_t *sig);

/* Band keys of a signature: keys has room for mh->bands values. */
void chorus_minhash_bands(const chorus_minhash *mh, const uint32_t *sig, uint32_t *keys);

/* Number of values two sorted distinct sets share (vector code where the
 * CPU has AVX2, else a merge), and the merge alone (for tests). */
size_t chorus_common_count(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);
size_t chorus_common_count_scalar(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);

/* Exact Jaccard similarity of two sorted distinct sets (0 when both empty). */
double chorus_jaccard(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);

/* The same when it is at least t; below t, some value below t (0.0),
 * found sooner: the count stops once the rest cannot reach t. */
double chorus_jaccard_atleast(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
			      double t);

/* Sort v[0..n) ascending and drop repeats; return the new count. */
size_t chorus_sort_unique_u32(uint32_t *v, size_t n);

#endif
