/*
 * sort_int.h - stable LSD radix sorts on 64-bit keys.
 *
 * Passes whose digit is the same for every element are skipped, so sorting
 * keys that span few bits costs few passes.  O(n) per pass, tmp holds n.
 */
#ifndef CHORUS_SORT_INT_H
#define CHORUS_SORT_INT_H

#include <stddef.h>
#include <stdint.h>

/* Sort v by bits [lo_bit, 64) of each value, stable (so equal high parts
 * keep their order); the result is in v. */
void chorus_radix_u64(uint64_t *v, uint64_t *tmp, size_t n, unsigned lo_bit);

/* Sort keys with their payloads, stable; results in keys/vals. */
void chorus_radix_kv(uint64_t *keys, uint32_t *vals, uint64_t *ktmp, uint32_t *vtmp, size_t n);

#endif
