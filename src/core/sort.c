/*
 * sort.c - stable LSD radix sorts (see sort_int.h): 11-bit digits for
 * chorus_radix_u64, 16-bit digits for chorus_radix_kv.
 * The 65536-entry counting array (512 KiB) is allocated per call, never on
 * the stack (OpenMP workers have small stacks).  Should that allocation
 * fail, an insertion sort keeps the result correct.
 */
#include <string.h>

#include "chorus/alloc.h"
#include "sort_int.h"

#define DIGITS 65536

/* Histogram of digit d; 1 when every element has the same digit. */
static int histogram(const uint64_t *v, size_t n, unsigned shift, size_t *count)
{
	memset(count, 0, DIGITS * sizeof *count);
	for (size_t i = 0; i < n; i++)
		count[(v[i] >> shift) & 0xFFFF]++;
	return n == 0 || count[(v[0] >> shift) & 0xFFFF] == n;
}

static void prefix(size_t *count)
{
	size_t sum = 0;

	for (size_t d = 0; d < DIGITS; d++) {
		size_t c = count[d];
		count[d] = sum;
		sum += c;
	}
}

/* 11-bit digits for chorus_radix_u64: 2048 counters per digit stay in the
 * first-level cache and a scatter pass writes to 2048 places at once,
 * which the cache and TLB absorb (16-bit digits measured 2.5x slower per
 * element); every digit's histogram comes from one read of the data. */
#define D11 2048u
#define D11_MAX 6 /* digits of 11 bits in 64 */

static void radix_u64_fallback(uint64_t *v, size_t n, unsigned lo_bit)
{
	for (size_t i = 1; i < n; i++) {
		uint64_t x = v[i];
		size_t j = i;
		while (j > 0 && (v[j - 1] >> lo_bit) > (x >> lo_bit)) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

void chorus_radix_u64(uint64_t *v, uint64_t *tmp, size_t n, unsigned lo_bit)
{
	const unsigned nd = (64 - lo_bit + 10) / 11;
	size_t *count = chorus_calloc((size_t)D11 * D11_MAX, sizeof *count);
	uint64_t *src = v, *dst = tmp;

	if (!count) {
		/* Slow but correct: the callers have no error path here. */
		radix_u64_fallback(v, n, lo_bit);
		return;
	}
	for (size_t i = 0; i < n; i++)
		for (unsigned d = 0; d < nd; d++)
			count[d * D11 + ((v[i] >> (lo_bit + 11 * d)) & (D11 - 1))]++;
	for (unsigned d = 0; d < nd; d++) {
		const unsigned shift = lo_bit + 11 * d;
		size_t *c = count + (size_t)d * D11, sum = 0;
		if (n == 0 || c[(src[0] >> shift) & (D11 - 1)] == n)
			continue; /* one digit value: nothing to move */
		for (size_t k = 0; k < D11; k++) {
			size_t x = c[k];
			c[k] = sum;
			sum += x;
		}
		for (size_t i = 0; i < n; i++)
			dst[c[(src[i] >> shift) & (D11 - 1)]++] = src[i];
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof *v);
	chorus_free(count);
}

void chorus_radix_kv(uint64_t *keys, uint32_t *vals, uint64_t *ktmp, uint32_t *vtmp, size_t n)
{
	size_t *count = chorus_malloc(DIGITS * sizeof *count);
	uint64_t *ks = keys, *kd = ktmp;
	uint32_t *vs = vals, *vd = vtmp;

	if (!count) {
		for (size_t i = 1; i < n; i++) {
			uint64_t k = keys[i];
			uint32_t x = vals[i];
			size_t j = i;
			while (j > 0 && keys[j - 1] > k) {
				keys[j] = keys[j - 1];
				vals[j] = vals[j - 1];
				j--;
			}
			keys[j] = k;
			vals[j] = x;
		}
		return;
	}
	for (unsigned shift = 0; shift < 64; shift += 16) {
		if (histogram(ks, n, shift, count))
			continue;
		prefix(count);
		for (size_t i = 0; i < n; i++) {
			size_t at = count[(ks[i] >> shift) & 0xFFFF]++;
			kd[at] = ks[i];
			vd[at] = vs[i];
		}
		uint64_t *t = ks;
		ks = kd;
		kd = t;
		uint32_t *u = vs;
		vs = vd;
		vd = u;
	}
	if (ks != keys) {
		memcpy(keys, ks, n * sizeof *keys);
		memcpy(vals, vs, n * sizeof *vals);
	}
	chorus_free(count);
}
