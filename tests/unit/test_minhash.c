/* test_minhash.c - shingles, MinHash, band keys, Jaccard, radix sorts. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "chorus/hash.h"
#include "chorus/minhash.h"
#include "minhash_int.h"
#include "sort_int.h"

/* Build a chorus_normalised from space-separated words (all WORD tokens). */
typedef struct fake_norm {
	chorus_normalised n;
	chorus_token tok[256];
	char text[4096];
} fake_norm;

static void make_norm(fake_norm *f, const char *words)
{
	size_t len = strlen(words), i = 0;

	memset(f, 0, sizeof *f);
	memcpy(f->text, words, len + 1);
	while (i < len) {
		size_t j = i;
		while (j < len && words[j] != ' ')
			j++;
		f->tok[f->n.ntokens].off = (uint32_t)i;
		f->tok[f->n.ntokens].len = (uint32_t)(j - i);
		f->tok[f->n.ntokens].kind = words[i] == '!' ? CHORUS_TOK_PUNCT : CHORUS_TOK_WORD;
		f->n.ntokens++;
		i = j + 1;
	}
	f->n.text = f->text;
	f->n.len = len;
	f->n.tokens = f->tok;
	f->n.content = f->n.ntokens;
}

static size_t shingles(const char *words, int kind, unsigned k, uint32_t *out)
{
	fake_norm f;

	make_norm(&f, words);
	return chorus_shingle(&f.n, kind, k, 42, out, 512);
}

static void test_shingles(void)
{
	uint32_t a[512], b[512];
	size_t na, nb;

	na = shingles("a b c d", CHORUS_SHINGLE_WORD, 2, a);
	CHECK_INT(na, 3);
	/* Punctuation tokens are skipped by word shingles. */
	nb = shingles("a ! b c ! d", CHORUS_SHINGLE_WORD, 2, b);
	CHECK_INT(nb, 3);
	CHECK(na == nb && memcmp(a, b, na * sizeof *a) == 0);
	/* Order matters inside a shingle. */
	nb = shingles("b a c d", CHORUS_SHINGLE_WORD, 2, b);
	CHECK(chorus_jaccard(a, na, b, nb) < 0.5);
	/* Repeats collapse: the result is a set. */
	na = shingles("x y x y x y", CHORUS_SHINGLE_WORD, 2, a);
	CHECK_INT(na, 2);
	/* Fewer tokens than K: one shingle of them all. */
	na = shingles("solo", CHORUS_SHINGLE_WORD, 3, a);
	CHECK_INT(na, 1);
	/* Character shingles count code points, not bytes. */
	na = shingles("абв", CHORUS_SHINGLE_CHAR, 2, a);
	CHECK_INT(na, 2);
	/* Sorted and distinct. */
	na = shingles("the quick brown fox jumps over the lazy dog and the quick cat",
		      CHORUS_SHINGLE_WORD, 1, a);
	int sorted = 1;
	for (size_t i = 1; i < na; i++)
		sorted &= a[i - 1] < a[i];
	CHECK(sorted);
	CHECK_INT(na, 10);
	/* A too-small buffer reports the count needed. */
	fake_norm f;
	make_norm(&f, "a b c d e f");
	CHECK_INT(chorus_shingle(&f.n, CHORUS_SHINGLE_WORD, 1, 1, a, 2), 6);
}

static void test_jaccard(void)
{
	const uint32_t x[] = { 1, 2, 3, 4 }, y[] = { 3, 4, 5, 6 };

	CHECK(fabs(chorus_jaccard(x, 4, y, 4) - 2.0 / 6.0) < 1e-12);
	CHECK(chorus_jaccard(x, 4, x, 4) == 1.0);
	CHECK(chorus_jaccard(x, 0, y, 0) == 0.0);
	CHECK(chorus_jaccard(x, 4, y, 0) == 0.0);
}

/* Random set of n distinct hashes; the first `shared` come from a common
 * stream so two sets built with different private seeds overlap there. */
static size_t random_set(uint32_t *out, size_t n, size_t shared, uint64_t seed)
{
	uint64_t common = 7, own = seed;

	for (size_t i = 0; i < n; i++)
		out[i] = (uint32_t)(i < shared ? chorus_splitmix64(&common) : chorus_splitmix64(&own));
	return chorus_sort_unique_u32(out, n);
}

static void test_estimator(void)
{
	static chorus_minhash mh;
	uint32_t a[200], b[200], sa[256], sb[256];
	double err_sum = 0.0;
	int trials = 0;

	CHECK_INT(chorus_minhash_init(&mh, 256, 32, 99), 0);
	CHECK_INT(chorus_minhash_init(&mh, 100, 32, 99), -6);
	CHECK_INT(chorus_minhash_init(&mh, 256, 32, 99), 0);
	for (size_t shared = 20; shared <= 200; shared += 20) {
		for (uint64_t t = 0; t < 10; t++) {
			size_t na = random_set(a, 200, shared, 1000 + t);
			size_t nb = random_set(b, 200, shared, 5000 + t);
			double j = chorus_jaccard(a, na, b, nb), est = 0.0;
			chorus_minhash_sign(&mh, a, na, sa);
			chorus_minhash_sign(&mh, b, nb, sb);
			for (unsigned i = 0; i < mh.perms; i++)
				est += sa[i] == sb[i];
			est /= mh.perms;
			err_sum += fabs(est - j);
			trials++;
		}
	}
	/* Standard error of a 256-permutation estimate is at most 0.031. */
	printf("minhash mean absolute error over %d pairs: %.4f\n", trials, err_sum / trials);
	CHECK(err_sum / trials < 0.035);
}

static void test_bands(void)
{
	static chorus_minhash mh;
	uint32_t sig[128], sig2[128], k1[32], k2[32];

	chorus_minhash_init(&mh, 128, 32, 5);
	for (int i = 0; i < 128; i++)
		sig[i] = sig2[i] = (uint32_t)i * 2654435761u;
	sig2[5] ^= 1; /* band 1 (rows 4..7) differs */
	chorus_minhash_bands(&mh, sig, k1);
	chorus_minhash_bands(&mh, sig2, k2);
	CHECK(k1[0] == k2[0]);
	CHECK(k1[1] != k2[1]);
	CHECK(k1[2] == k2[2]);
	/* Equal rows in different bands give different keys. */
	for (int i = 0; i < 128; i++)
		sig[i] = 1;
	chorus_minhash_bands(&mh, sig, k1);
	CHECK(k1[0] != k1[1]);
}

static void test_radix(void)
{
	enum { N = 100000 };
	uint64_t *v = malloc(N * sizeof *v), *t = malloc(N * sizeof *t);
	uint64_t *k = malloc(N * sizeof *k);
	uint32_t *p = malloc(N * sizeof *p), *pt = malloc(N * sizeof *pt);
	uint64_t st = 3;
	int ok = 1;

	for (size_t i = 0; i < N; i++) {
		v[i] = chorus_splitmix64(&st);
		k[i] = v[i] % 1000; /* many ties */
		p[i] = (uint32_t)i;
	}
	chorus_radix_u64(v, t, N, 0);
	for (size_t i = 1; i < N; i++)
		ok &= v[i - 1] <= v[i];
	CHECK(ok);
	chorus_radix_kv(k, p, t, pt, N);
	ok = 1;
	for (size_t i = 1; i < N; i++)
		ok &= k[i - 1] < k[i] || (k[i - 1] == k[i] && p[i - 1] < p[i]); /* stable */
	CHECK(ok);
	/* Sort by the high half only keeps the low halves in input order. */
	for (size_t i = 0; i < N; i++)
		v[i] = (uint64_t)(N - i) % 7 << 32 | i;
	chorus_radix_u64(v, t, N, 32);
	ok = 1;
	for (size_t i = 1; i < N; i++)
		ok &= (v[i - 1] >> 32) < (v[i] >> 32) ||
		      ((v[i - 1] >> 32) == (v[i] >> 32) && (uint32_t)v[i - 1] < (uint32_t)v[i]);
	CHECK(ok);
	free(v);
	free(t);
	free(k);
	free(p);
	free(pt);
}

static int cmp_u32(const void *a, const void *b)
{
	const uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Sort-and-unique at every size around the switch from ranking to
 * quicksort, with many repeats and with none, against qsort, with and
 * without the AVX-512 ranking. */
static void test_sort_unique(void)
{
	static uint32_t v[300], ref[300];
	uint64_t st = 5;
	unsigned long bad = 0;

	for (int iter = 0; iter < 30000; iter++) {
		const size_t n = (size_t)(chorus_splitmix64(&st) % 300);
		const uint32_t range = iter % 3 == 0 ? 8 : iter % 3 == 1 ? 1000 : UINT32_MAX;
		size_t u = 0, got;
		for (size_t i = 0; i < n; i++)
			v[i] = ref[i] = (uint32_t)(chorus_splitmix64(&st) % range) +
				(iter % 7 == 0 ? UINT32_MAX - range : 0);
		qsort(ref, n, sizeof *ref, cmp_u32);
		for (size_t i = 0; i < n; i++)
			if (i == 0 || ref[i] != ref[u - 1])
				ref[u++] = ref[i];
		for (int level = 0; level <= 2; level += 2) {
			uint32_t w[300];
			memcpy(w, v, n * sizeof *v);
			got = minhash_sort_unique_level(w, n, level);
			if (got != u || memcmp(w, ref, u * sizeof *w) != 0)
				bad++;
		}
		got = chorus_sort_unique_u32(v, n);
		if (got != u || memcmp(v, ref, u * sizeof *v) != 0)
			bad++;
	}
	CHECK_INT(bad, 0);
}

/* The vector intersection count equals the merge on random sorted sets of
 * every size up to 100, dense and sparse overlaps. */
static void test_common_count(void)
{
	static uint32_t a[200], b[200];
	uint64_t st = 9;
	unsigned long bad = 0;

	for (int iter = 0; iter < 100000; iter++) {
		const size_t na = (size_t)(chorus_splitmix64(&st) % 100);
		const size_t nb = (size_t)(chorus_splitmix64(&st) % 100);
		const uint32_t range = iter % 2 ? 150 : 100000;
		size_t ua, ub;
		for (size_t i = 0; i < na; i++)
			a[i] = (uint32_t)(chorus_splitmix64(&st) % range) + (iter % 5 == 0 ? UINT32_MAX - range : 0);
		for (size_t i = 0; i < nb; i++)
			b[i] = (uint32_t)(chorus_splitmix64(&st) % range) + (iter % 5 == 0 ? UINT32_MAX - range : 0);
		ua = chorus_sort_unique_u32(a, na);
		ub = chorus_sort_unique_u32(b, nb);
		if (chorus_common_count(a, ua, b, ub) != chorus_common_count_scalar(a, ua, b, ub) ||
		    chorus_common_count(b, ub, a, ua) != chorus_common_count_scalar(a, ua, b, ub))
			bad++;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(chorus_common_count(a, 0, b, 0), 0);
}

/* chorus_jaccard_atleast gives chorus_jaccard exactly where that is at
 * least t, and a value below t elsewhere, at every threshold, on random
 * sets from disjoint to identical (overlap set by the value range). */
static void test_jaccard_atleast(void)
{
	static uint32_t a[200], b[200];
	static const double ts[] = { 0.0, 0.1, 0.3, 0.55, 0.8, 0.95, 1.0 };
	uint64_t st = 21;
	unsigned long bad = 0, above = 0, below = 0;

	for (int iter = 0; iter < 100000; iter++) {
		const size_t na = (size_t)(chorus_splitmix64(&st) % 120);
		const size_t nb = (size_t)(chorus_splitmix64(&st) % 120);
		const uint32_t range = (uint32_t)(60 + iter % 7 * 40);
		const double t = ts[iter % (sizeof ts / sizeof *ts)];
		size_t ua, ub;
		double exact, got;
		for (size_t i = 0; i < na; i++)
			a[i] = (uint32_t)(chorus_splitmix64(&st) % range);
		for (size_t i = 0; i < nb; i++)
			b[i] = iter % 3 == 0 && i < na ? a[i] : (uint32_t)(chorus_splitmix64(&st) % range);
		ua = chorus_sort_unique_u32(a, na);
		ub = chorus_sort_unique_u32(b, nb);
		exact = chorus_jaccard(a, ua, b, ub);
		got = chorus_jaccard_atleast(a, ua, b, ub, t);
		if (exact >= t) {
			above++;
			bad += got != exact;
		} else {
			below++;
			bad += got >= t;
		}
	}
	CHECK_INT(bad, 0);
	CHECK(above > 1000 && below > 1000);
}

/* Every vector level signs exactly as the plain definition, min over the
 * set of a_i * x + b_i mod 2^32, for perm counts that fill the vector
 * passes and counts that leave remainders, and sets of 1 to 300. */
static void test_sign_levels(void)
{
	static const unsigned perms[] = { 1, 7, 16, 24, 32, 48, 64, 100, 128, 200, 256, 1024 };
	static uint32_t sh[300], sig[CHORUS_MAX_PERMS];
	uint64_t st = 33;
	unsigned long bad = 0, runs = 0;
	int top = 0;

	for (size_t p = 0; p < sizeof perms / sizeof *perms; p++) {
		chorus_minhash mh;
		CHECK_INT(chorus_minhash_init(&mh, perms[p], 1, 99 + p), CHORUS_OK);
		for (int iter = 0; iter < 40; iter++) {
			const size_t n = 1 + (size_t)(chorus_splitmix64(&st) % 300);
			for (size_t j = 0; j < n; j++)
				sh[j] = (uint32_t)chorus_splitmix64(&st);
			for (int level = 0; level <= 2; level++) {
				const int used = minhash_sign_level(&mh, sh, n, sig, level);
				top = used > top ? used : top;
				for (unsigned i = 0; i < perms[p]; i++) {
					uint32_t m = UINT32_MAX;
					for (size_t j = 0; j < n; j++) {
						const uint32_t h = mh.a[i] * sh[j] + mh.b[i];
						m = h < m ? h : m;
					}
					bad += sig[i] != m;
				}
				runs++;
			}
		}
	}
	CHECK_INT(bad, 0);
	printf("signature levels checked: %lu runs, highest vector level on this CPU %d\n", runs, top);
}


/* The sketch bound is never below the true count of shared values: sets
 * of 0 to 2,000 values (past saturation of every bucket), overlaps from
 * none to all; and it is tight enough to be worth having: for sets of 40
 * sharing 5, it stays under the 26 that J >= 0.55 needs, on average. */
static void test_sketch_bound(void)
{
	static uint32_t a[2000], b[2000];
	uint8_t ska[MINHASH_SKETCH_BYTES], skb[MINHASH_SKETCH_BYTES];
	uint64_t st = 71;
	unsigned long bad = 0, unbounded = 0, loose = 0, small = 0;

	for (int iter = 0; iter < 20000; iter++) {
		const size_t na = (size_t)(chorus_splitmix64(&st) % (iter % 4 == 0 ? 2000 : 80));
		const size_t nb = (size_t)(chorus_splitmix64(&st) % (iter % 4 == 0 ? 2000 : 80));
		const unsigned share = (unsigned)(chorus_splitmix64(&st) % 101);
		size_t ua, ub, common;
		unsigned ub_common;
		for (size_t i = 0; i < na; i++)
			a[i] = (uint32_t)chorus_splitmix64(&st);
		for (size_t i = 0; i < nb; i++)
			b[i] = i < na && chorus_splitmix64(&st) % 100 < share ? a[i]
									: (uint32_t)chorus_splitmix64(&st);
		ua = chorus_sort_unique_u32(a, na);
		ub = chorus_sort_unique_u32(b, nb);
		common = chorus_common_count(a, ua, b, ub);
		minhash_sketch(a, ua, ska);
		minhash_sketch(b, ub, skb);
		ub_common = minhash_sketch_common(ska, skb);
		if (ub_common == UINT_MAX)
			unbounded++;
		else if (ub_common < common)
			bad++;
	}
	CHECK_INT(bad, 0);
	CHECK(unbounded > 0); /* the large sets saturate */
	for (int iter = 0; iter < 1000; iter++) {
		for (size_t i = 0; i < 40; i++) {
			a[i] = (uint32_t)chorus_splitmix64(&st);
			b[i] = i < 5 ? a[i] : (uint32_t)chorus_splitmix64(&st);
		}
		chorus_sort_unique_u32(a, 40);
		chorus_sort_unique_u32(b, 40);
		minhash_sketch(a, 40, ska);
		minhash_sketch(b, 40, skb);
		loose += minhash_sketch_common(ska, skb);
		small++;
	}
	printf("sketch bound for 40-value sets sharing 5: %.1f on average\n", (double)loose / small);
	CHECK(loose < 26 * small);
}

int main(void)
{
	test_shingles();
	test_jaccard();
	test_estimator();
	test_bands();
	test_radix();
	test_sort_unique();
	test_common_count();
	test_jaccard_atleast();
	test_sign_levels();
	test_sketch_bound();
	return check_done();
}
