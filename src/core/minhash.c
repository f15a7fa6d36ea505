/*
 * minhash.c - shingling, MinHash signing, LSH band keys and exact Jaccard.
 *
 * Cost per post: O(t) to hash t tokens into shingles, O(s log s) to sort s
 * shingles, O(s * perms) multiply-adds to sign (the hot loop: AVX-512 or
 * AVX2 kernels that keep 64 or 32 perms in registers while the shingles
 * stream past, chosen at run time, else plain C), O(perms) for the band
 * keys.
 * No allocation: callers own every buffer.
 */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "chorus/error.h"
#include "chorus/hash.h"
#include "chorus/minhash.h"
#include "chorus/utf8.h"
#include "minhash_int.h"

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

#define RING 32 /* longest shingle, in tokens or code points */

/* The hot loops are built three times (AVX-512, AVX2, plain x86-64) and
 * the one the CPU runs is chosen at load time. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define SIGN_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define SIGN_CLONES
#endif

/* What vector code the CPU runs: 2 AVX-512, 1 AVX2, 0 neither; found once
 * and kept (relaxed atomics: every thread that finds it finds the same). */
static int cpu_level(void)
{
#if defined(__GNUC__) && defined(__x86_64__)
	static int level = -1;
	int l = __atomic_load_n(&level, __ATOMIC_RELAXED);
	if (l < 0) {
		l = __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
		__atomic_store_n(&level, l, __ATOMIC_RELAXED);
	}
	return l;
#else
	return 0;
#endif
}

int chorus_minhash_init(chorus_minhash *mh, unsigned perms, unsigned bands, uint64_t seed)
{
	uint64_t st = seed ^ UINT64_C(0x6d696e68617368); /* "minhash" */

	if (perms == 0 || perms > CHORUS_MAX_PERMS || bands == 0 || perms % bands)
		return CHORUS_EUSAGE;
	mh->perms = perms;
	mh->bands = bands;
	mh->rows = perms / bands;
	mh->seed = seed;
	for (unsigned i = 0; i < perms; i++) {
		uint64_t r = chorus_splitmix64(&st);
		mh->a[i] = (uint32_t)r | 1u;
		mh->b[i] = (uint32_t)(r >> 32);
	}
	return CHORUS_OK;
}

static void insertion_sort(uint32_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint32_t x = v[i];
		size_t j = i;
		while (j > 0 && v[j - 1] > x) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

static void swap_u32(uint32_t *a, uint32_t *b)
{
	uint32_t t = *a;
	*a = *b;
	*b = t;
}

/* Quicksort with median-of-three, recursing on the smaller side (stack
 * depth O(log n)) and finishing small ranges by insertion. */
static void quick_sort(uint32_t *v, size_t n)
{
	while (n > 24) {
		size_t m = n / 2, i = 0, j = n - 1;
		if (v[m] < v[0]) swap_u32(&v[m], &v[0]);
		if (v[n - 1] < v[0]) swap_u32(&v[n - 1], &v[0]);
		if (v[n - 1] < v[m]) swap_u32(&v[n - 1], &v[m]);
		const uint32_t pivot = v[m];
		for (;;) {
			while (v[i] < pivot) i++;
			while (v[j] > pivot) j--;
			if (i >= j)
				break;
			swap_u32(&v[i++], &v[j--]);
		}
		if (j + 1 < n - j - 1) {
			quick_sort(v, j + 1);
			v += j + 1;
			n -= j + 1;
		} else {
			quick_sort(v + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	insertion_sort(v, n);
}

/* Sort and drop repeats by ranking, for small n: a value's place is the
 * number of distinct smaller values.  O(n^2) compares, but without a
 * branch that depends on the data, so the loops run as vector code; for
 * the few dozen shingles of a post it beats any comparison sort. */
#define RANK_MAX 64

SIGN_CLONES
static size_t rank_sort_unique(uint32_t *v, size_t n)
{
	uint32_t first[RANK_MAX], out[RANK_MAX];
	size_t u = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t dup = 0;
		for (size_t j = 0; j < i; j++)
			dup |= v[j] == v[i];
		first[i] = !dup;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t r = 0;
		for (size_t j = 0; j < n; j++)
			r += first[j] & (v[j] < v[i]);
		if (first[i])
			out[r] = v[i];
		u += first[i];
	}
	memcpy(v, out, u * sizeof *v);
	return u;
}

#if defined(__GNUC__) && defined(__x86_64__)
#define HAVE_RANK_AVX512 1
/* The same by ranks held in AVX-512 registers, sixteen values a register:
 * each value in turn is compared with all, and adds one to the rank of
 * every value above it, so equal values share a rank.  Each value is then
 * written at its rank and the ranks written are read back in order, which
 * drops the repeats.  About n * n / 16 compare-and-adds. */
__attribute__((target("avx512f")))
static size_t rank_sort_unique_avx512(uint32_t *v, size_t n)
{
	uint32_t rank[RANK_MAX], out[RANK_MAX];
	const size_t nk = (n + 15) / 16;
	__m512i val[RANK_MAX / 16], r[RANK_MAX / 16];
	__mmask16 live[RANK_MAX / 16];
	const __m512i one = _mm512_set1_epi32(1);
	uint64_t written = 0;
	size_t u = 0;

	for (size_t k = 0; k < nk; k++) {
		const size_t left = n - 16 * k;
		live[k] = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
		val[k] = _mm512_maskz_loadu_epi32(live[k], v + 16 * k);
		r[k] = _mm512_setzero_si512();
	}
	for (size_t j = 0; j < n; j++) {
		const __m512i x = _mm512_set1_epi32((int)v[j]);
		for (size_t k = 0; k < nk; k++) {
			const __mmask16 above = _mm512_mask_cmpgt_epu32_mask(live[k], val[k], x);
			r[k] = _mm512_mask_add_epi32(r[k], above, r[k], one);
		}
	}
	for (size_t k = 0; k < nk; k++)
		_mm512_mask_storeu_epi32(rank + 16 * k, live[k], r[k]);
	for (size_t i = 0; i < n; i++) {
		out[rank[i]] = v[i];
		written |= (uint64_t)1 << rank[i];
	}
	for (; written; written &= written - 1)
		v[u++] = out[__builtin_ctzll(written)];
	return u;
}
#endif

size_t minhash_sort_unique_level(uint32_t *v, size_t n, int level)
{
	size_t w = 0;

	if (n < 2)
		return n;
#ifdef HAVE_RANK_AVX512
	if (n <= RANK_MAX && level >= 2 && cpu_level() >= 2)
		return rank_sort_unique_avx512(v, n);
#else
	(void)level;
#endif
	if (n <= RANK_MAX)
		return rank_sort_unique(v, n);
	quick_sort(v, n);
	for (size_t i = 1; i < n; i++)
		if (v[i] != v[w])
			v[++w] = v[i];
	return w + 1;
}

size_t chorus_sort_unique_u32(uint32_t *v, size_t n)
{
	return minhash_sort_unique_level(v, n, 2);
}

static uint64_t combine(const uint64_t *ring, unsigned start, unsigned k, uint64_t seed)
{
	uint64_t h = seed;

	for (unsigned j = 0; j < k; j++)
		h = chorus_mix64(h ^ ring[(start + j) % RING]) + j;
	return h;
}

static size_t word_shingles(const chorus_normalised *n, unsigned k, uint64_t seed,
			    uint32_t *out, size_t cap)
{
	uint64_t ring[RING];
	size_t count = 0, seen = 0;

	for (size_t i = 0; i < n->ntokens; i++) {
		const chorus_token *t = &n->tokens[i];
		if (t->kind == CHORUS_TOK_PUNCT)
			continue;
		ring[seen % RING] = chorus_hash64(n->text + t->off, t->len, seed);
		seen++;
		if (seen >= k) {
			uint64_t h = combine(ring, (unsigned)((seen - k) % RING), k, seed);
			if (count < cap)
				out[count] = (uint32_t)(h >> 32);
			count++;
		}
	}
	if (seen > 0 && seen < k) {
		if (count < cap)
			out[count] = (uint32_t)(combine(ring, 0, (unsigned)seen, seed) >> 32);
		count++;
	}
	return count;
}

static size_t char_shingles(const chorus_normalised *n, unsigned k, uint64_t seed,
			    uint32_t *out, size_t cap)
{
	uint64_t ring[RING];
	size_t count = 0, seen = 0, pos = 0;

	while (pos < n->len) {
		uint32_t cp;
		if (chorus_utf8_decode(n->text, n->len, &pos, &cp) != 0)
			continue;
		ring[seen % RING] = cp;
		seen++;
		if (seen >= k) {
			uint64_t h = combine(ring, (unsigned)((seen - k) % RING), k, seed);
			if (count < cap)
				out[count] = (uint32_t)(h >> 32);
			count++;
		}
	}
	if (seen > 0 && seen < k) {
		if (count < cap)
			out[count] = (uint32_t)(combine(ring, 0, (unsigned)seen, seed) >> 32);
		count++;
	}
	return count;
}

size_t chorus_shingle(const chorus_normalised *n, int kind, unsigned k, uint64_t seed,
		      uint32_t *out, size_t cap)
{
	size_t count;

	if (k == 0 || k > RING)
		return 0;
	if (kind == CHORUS_SHINGLE_CHAR)
		count = char_shingles(n, k, seed, out, cap);
	else
		count = word_shingles(n, k, seed, out, cap);
	if (count > cap)
		return count;
	return chorus_sort_unique_u32(out, count);
}

static uint64_t combine_run(const uint64_t *h, unsigned k, uint64_t seed)
{
	uint64_t x = seed;

	for (unsigned j = 0; j < k; j++)
		x = chorus_mix64(x ^ h[j]) + j;
	return x;
}

size_t chorus_shingle_hashes(const uint64_t *th, size_t n, unsigned k, uint64_t seed,
			     uint32_t *out, size_t cap)
{
	size_t count = 0;

	if (k == 0 || k > RING)
		return 0;
	if (n >= k) {
		for (size_t i = 0; i + k <= n; i++, count++)
			if (count < cap)
				out[count] = (uint32_t)(combine_run(th + i, k, seed) >> 32);
	} else if (n > 0) {
		if (cap > 0)
			out[0] = (uint32_t)(combine_run(th, (unsigned)n, seed) >> 32);
		count = 1;
	}
	if (count > cap)
		return count;
	return chorus_sort_unique_u32(out, count);
}



/* The signature loop for perms [from, perms), one at a time. */
static void sign_scalar(const chorus_minhash *mh, unsigned from, const uint32_t *sh, size_t n,
			uint32_t *sig)
{
	for (unsigned i = from; i < mh->perms; i++) {
		const uint32_t a = mh->a[i], b = mh->b[i];
		uint32_t m = UINT32_MAX;
		for (size_t j = 0; j < n; j++) {
			const uint32_t h = a * sh[j] + b;
			m = h < m ? h : m;
		}
		sig[i] = m;
	}
}

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define HAVE_SIGN_VECTORS 1

/* The same with 64 perms a pass in four AVX-512 registers (and 16 at a
 * time for the rest): a, b and the minima stay in registers while the
 * shingles stream past, so each shingle costs one broadcast and three
 * vector operations per 16 perms.  The arithmetic is the scalar loop's. */
__attribute__((target("avx512f")))
static unsigned sign_avx512(const chorus_minhash *mh, const uint32_t *sh, size_t n, uint32_t *sig)
{
	unsigned i = 0;

	for (; i + 64 <= mh->perms; i += 64) {
		const __m512i a0 = _mm512_loadu_si512(mh->a + i), b0 = _mm512_loadu_si512(mh->b + i);
		const __m512i a1 = _mm512_loadu_si512(mh->a + i + 16), b1 = _mm512_loadu_si512(mh->b + i + 16);
		const __m512i a2 = _mm512_loadu_si512(mh->a + i + 32), b2 = _mm512_loadu_si512(mh->b + i + 32);
		const __m512i a3 = _mm512_loadu_si512(mh->a + i + 48), b3 = _mm512_loadu_si512(mh->b + i + 48);
		__m512i m0 = _mm512_set1_epi32(-1), m1 = m0, m2 = m0, m3 = m0;
		for (size_t j = 0; j < n; j++) {
			const __m512i x = _mm512_set1_epi32((int)sh[j]);
			m0 = _mm512_min_epu32(m0, _mm512_add_epi32(_mm512_mullo_epi32(a0, x), b0));
			m1 = _mm512_min_epu32(m1, _mm512_add_epi32(_mm512_mullo_epi32(a1, x), b1));
			m2 = _mm512_min_epu32(m2, _mm512_add_epi32(_mm512_mullo_epi32(a2, x), b2));
			m3 = _mm512_min_epu32(m3, _mm512_add_epi32(_mm512_mullo_epi32(a3, x), b3));
		}
		_mm512_storeu_si512(sig + i, m0);
		_mm512_storeu_si512(sig + i + 16, m1);
		_mm512_storeu_si512(sig + i + 32, m2);
		_mm512_storeu_si512(sig + i + 48, m3);
	}
	for (; i + 16 <= mh->perms; i += 16) {
		const __m512i a = _mm512_loadu_si512(mh->a + i), b = _mm512_loadu_si512(mh->b + i);
		__m512i m = _mm512_set1_epi32(-1);
		for (size_t j = 0; j < n; j++)
			m = _mm512_min_epu32(m, _mm512_add_epi32(
				_mm512_mullo_epi32(a, _mm512_set1_epi32((int)sh[j])), b));
		_mm512_storeu_si512(sig + i, m);
	}
	return i;
}

/* The same in AVX2 registers, 32 perms a pass. */
__attribute__((target("avx2")))
static unsigned sign_avx2(const chorus_minhash *mh, const uint32_t *sh, size_t n, uint32_t *sig)
{
	unsigned i = 0;

	for (; i + 32 <= mh->perms; i += 32) {
		const __m256i a0 = _mm256_loadu_si256((const __m256i *)(mh->a + i));
		const __m256i a1 = _mm256_loadu_si256((const __m256i *)(mh->a + i + 8));
		const __m256i a2 = _mm256_loadu_si256((const __m256i *)(mh->a + i + 16));
		const __m256i a3 = _mm256_loadu_si256((const __m256i *)(mh->a + i + 24));
		const __m256i b0 = _mm256_loadu_si256((const __m256i *)(mh->b + i));
		const __m256i b1 = _mm256_loadu_si256((const __m256i *)(mh->b + i + 8));
		const __m256i b2 = _mm256_loadu_si256((const __m256i *)(mh->b + i + 16));
		const __m256i b3 = _mm256_loadu_si256((const __m256i *)(mh->b + i + 24));
		__m256i m0 = _mm256_set1_epi32(-1), m1 = m0, m2 = m0, m3 = m0;
		for (size_t j = 0; j < n; j++) {
			const __m256i x = _mm256_set1_epi32((int)sh[j]);
			m0 = _mm256_min_epu32(m0, _mm256_add_epi32(_mm256_mullo_epi32(a0, x), b0));
			m1 = _mm256_min_epu32(m1, _mm256_add_epi32(_mm256_mullo_epi32(a1, x), b1));
			m2 = _mm256_min_epu32(m2, _mm256_add_epi32(_mm256_mullo_epi32(a2, x), b2));
			m3 = _mm256_min_epu32(m3, _mm256_add_epi32(_mm256_mullo_epi32(a3, x), b3));
		}
		_mm256_storeu_si256((__m256i *)(sig + i), m0);
		_mm256_storeu_si256((__m256i *)(sig + i + 8), m1);
		_mm256_storeu_si256((__m256i *)(sig + i + 16), m2);
		_mm256_storeu_si256((__m256i *)(sig + i + 24), m3);
	}
	return i;
}
#endif

int minhash_sign_level(const chorus_minhash *mh, const uint32_t *sh, size_t n, uint32_t *sig,
		       int level)
{
	unsigned done = 0;

#ifdef HAVE_SIGN_VECTORS
	const int have = cpu_level();
	level = level < have ? level : have;
	if (level == 2)
		done = sign_avx512(mh, sh, n, sig);
	else if (level == 1)
		done = sign_avx2(mh, sh, n, sig);
#else
	level = 0;
#endif
	sign_scalar(mh, done, sh, n, sig);
	return level;
}

void chorus_minhash_sign(const chorus_minhash *mh, const uint32_t *sh, size_t n, uint32_t *sig)
{
	minhash_sign_level(mh, sh, n, sig, 2);
}

SIGN_CLONES
void chorus_minhash_bands(const chorus_minhash *mh, const uint32_t *sig, uint32_t *keys)
{
	const unsigned bands = mh->bands, rows = mh->rows;
	uint64_t h[CHORUS_MAX_PERMS];

	/* Band j's key is mix64 chained over its rows; the loop runs over the
	 * bands innermost so that the independent chains share vector lanes. */
	for (unsigned j = 0; j < bands; j++)
		h[j] = mh->seed ^ ((uint64_t)j << 40);
	for (unsigned r = 0; r < rows; r++)
		for (unsigned j = 0; j < bands; j++)
			h[j] = chorus_mix64(h[j] ^ sig[j * rows + r]);
	for (unsigned j = 0; j < bands; j++)
		keys[j] = (uint32_t)(h[j] >> 32);
}

/* Size of the intersection of two sorted distinct sets, by a branch-free
 * merge: which side advances is data, not control flow (the comparisons
 * are unpredictable; measured 3x faster than branching). */
static size_t common_scalar(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	size_t i = 0, j = 0, common = 0;

	while (i < na && j < nb) {
		const uint32_t x = a[i], y = b[j];
		common += x == y;
		i += x <= y;
		j += y <= x;
	}
	return common;
}

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define HAVE_AVX2_COMMON 1

/* The same by blocks of eight: every element of a's block is compared with
 * every element of b's (eight rotations), and the block with the smaller
 * last element moves on (both when equal).  Each pair of blocks meets at
 * most once and the sets are distinct, so each common value is counted
 * exactly once; what is left when a side has fewer than eight goes through
 * the scalar merge.  The count is exactly common_scalar's. */
__attribute__((target("avx2,popcnt")))
static size_t common_avx2(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, size_t need)
{
	const __m256i rot = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 0);
	size_t i = 0, j = 0, common = 0;

	while (i + 8 <= na && j + 8 <= nb) {
		/* what is left can add at most the smaller remainder */
		if (common + (na - i < nb - j ? na - i : nb - j) < need)
			return common;
		const __m256i va = _mm256_loadu_si256((const __m256i *)(a + i));
		__m256i vb = _mm256_loadu_si256((const __m256i *)(b + j));
		__m256i m = _mm256_cmpeq_epi32(va, vb);
		const uint32_t amax = a[i + 7], bmax = b[j + 7];
		for (int r = 1; r < 8; r++) {
			vb = _mm256_permutevar8x32_epi32(vb, rot);
			m = _mm256_or_si256(m, _mm256_cmpeq_epi32(va, vb));
		}
		common += (size_t)__builtin_popcount((unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(m)));
		i += amax <= bmax ? 8 : 0;
		j += bmax <= amax ? 8 : 0;
	}
	return common + common_scalar(a + i, na - i, b + j, nb - j);
}
#endif

size_t chorus_common_count(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
#ifdef HAVE_AVX2_COMMON
	if (cpu_level() >= 1)
		return common_avx2(a, na, b, nb, 0);
#endif
	return common_scalar(a, na, b, nb);
}

size_t chorus_common_count_scalar(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	return common_scalar(a, na, b, nb);
}

double chorus_jaccard(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	size_t common;

	if (na + nb == 0)
		return 0.0;
	common = chorus_common_count(a, na, b, nb);
	return (double)common / (double)(na + nb - common);
}

double chorus_jaccard_atleast(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
			      double t)
{
	/* J = c / (n - c) >= t needs c >= t n / (1 + t); one less than that,
	 * rounded down, leaves a margin far wider than rounding error, so a
	 * pair stopped early is below t in any arithmetic. */
	const size_t n = na + nb;
	double bound = t > 0.0 ? floor(t * (double)n / (1.0 + t)) - 1.0 : 0.0;
	size_t need = bound > 0.0 ? (size_t)bound : 0, common;

	if (n == 0)
		return 0.0;
#ifdef HAVE_AVX2_COMMON
	if (cpu_level() >= 1) {
		common = common_avx2(a, na, b, nb, need);
		if (common < need)
			return 0.0;
		return (double)common / (double)(n - common);
	}
#endif
	(void)need;
	common = common_scalar(a, na, b, nb);
	return (double)common / (double)(n - common);
}

void minhash_sketch(const uint32_t *sh, size_t n, uint8_t *out)
{
	uint32_t count[2 * MINHASH_SKETCH_BYTES] = { 0 };

	for (size_t j = 0; j < n; j++)
		count[sh[j] >> 26]++;
	for (unsigned b = 0; b < MINHASH_SKETCH_BYTES; b++) {
		const uint32_t c0 = count[2 * b] < 15 ? count[2 * b] : 15;
		const uint32_t c1 = count[2 * b + 1] < 15 ? count[2 * b + 1] : 15;
		out[b] = (uint8_t)(c0 | c1 << 4);
	}
}

#if defined(__SSE2__)
#include <emmintrin.h>
unsigned minhash_sketch_common(const uint8_t *a, const uint8_t *b)
{
	const __m128i lo = _mm_set1_epi8(0x0F);
	__m128i sum = _mm_setzero_si128(), full = _mm_setzero_si128();

	for (unsigned k = 0; k < MINHASH_SKETCH_BYTES; k += 16) {
		const __m128i x = _mm_loadu_si128((const __m128i *)(a + k));
		const __m128i y = _mm_loadu_si128((const __m128i *)(b + k));
		const __m128i m0 = _mm_min_epu8(_mm_and_si128(x, lo), _mm_and_si128(y, lo));
		const __m128i m1 = _mm_min_epu8(_mm_and_si128(_mm_srli_epi16(x, 4), lo),
						_mm_and_si128(_mm_srli_epi16(y, 4), lo));
		full = _mm_or_si128(full, _mm_or_si128(_mm_cmpeq_epi8(m0, lo), _mm_cmpeq_epi8(m1, lo)));
		sum = _mm_add_epi64(sum, _mm_add_epi64(_mm_sad_epu8(m0, _mm_setzero_si128()),
						       _mm_sad_epu8(m1, _mm_setzero_si128())));
	}
	if (_mm_movemask_epi8(full))
		return UINT_MAX;
	return (unsigned)(_mm_cvtsi128_si64(sum) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(sum, sum)));
}
#else
unsigned minhash_sketch_common(const uint8_t *a, const uint8_t *b)
{
	unsigned sum = 0;

	for (unsigned k = 0; k < MINHASH_SKETCH_BYTES; k++) {
		for (unsigned sh = 0; sh < 8; sh += 4) {
			const unsigned x = a[k] >> sh & 15, y = b[k] >> sh & 15;
			const unsigned m = x < y ? x : y;
			if (m == 15)
				return UINT_MAX;
			sum += m;
		}
	}
	return sum;
}
#endif
