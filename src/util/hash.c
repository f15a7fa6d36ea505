/*
 * hash.c - 64-bit non-cryptographic hash.
 *
 * Reads 8-byte little-endian words; each word is mixed with a 128-bit
 * multiply folded to 64 bits (the "mum" step of wyhash), the tail is padded
 * with the length, and the state goes through chorus_mix64 at the end.
 * About 1 cycle per byte; identical results on every platform.
 */
#include <string.h>

#include "chorus/hash.h"

/* Little-endian 64-bit load on any host. */
static uint64_t read64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static uint64_t read32(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
}

/* The last n (1..7) bytes, little-endian, zero above: two overlapping
 * loads (the bytes they share are the same, so OR joins them). */
static uint64_t read_tail(const unsigned char *p, size_t n)
{
	if (n >= 4)
		return read32(p) | read32(p + n - 4) << (8 * (n - 4));
	return (uint64_t)p[0] | (uint64_t)p[n / 2] << (8 * (n / 2)) | (uint64_t)p[n - 1] << (8 * (n - 1));
}

uint64_t chorus_hash64(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ^ UINT64_C(0xa0761d6478bd642f) ^ (uint64_t)n;

	while (n >= 8) {
		h = chorus_mum(h ^ read64(p), UINT64_C(0xe7037ed1a0b428db));
		p += 8;
		n -= 8;
	}
	if (n)
		h = chorus_mum(h ^ read_tail(p, n) ^ ((uint64_t)n << 59), UINT64_C(0x8ebc6af09c88c6e3));
	return chorus_mix64(h);
}
