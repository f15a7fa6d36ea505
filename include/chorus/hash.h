/*
 * chorus/hash.h - fast non-cryptographic hashing, identical on every
 * platform (input read as little-endian words).  Used for shingles, band keys
 * and hash tables; never for evidence (that is SHA-256, chorus/sha256.h).
 */
#ifndef CHORUS_HASH_H
#define CHORUS_HASH_H

#include <stddef.h>
#include <stdint.h>

/* splitmix64 finaliser: a bijection on 64-bit values with full avalanche. */
static inline uint64_t chorus_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

/* The "mum" step of wyhash: the 128-bit product of a and b, folded to 64
 * bits by XOR of its halves. */
static inline uint64_t chorus_mum(uint64_t a, uint64_t b)
{
	const __uint128_t r = (__uint128_t)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* 64-bit hash of p[0..n) under seed. */
uint64_t chorus_hash64(const void *p, size_t n, uint64_t seed);

/* splitmix64 generator step: returns the next value and advances *state. */
static inline uint64_t chorus_splitmix64(uint64_t *state)
{
	*state += UINT64_C(0x9e3779b97f4a7c15);
	return chorus_mix64(*state);
}

#endif
