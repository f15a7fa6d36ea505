/*
 * fuzz_normhash.c - chorus_norm_hash against chorus_norm_run, differential.
 *
 * The first byte picks the flags (bits 0-1), the language hint (bits 2-4:
 * none, "ru", "kk", "en", "und") and the seed (bits 5-7); the rest is the
 * raw text.  The cached path must give exactly the hashes of the run's
 * tokens that are not punctuation, the same token and content counts and
 * the same language, and the shingles built from either must agree.  The
 * workspaces live across inputs, so the cache is hit, filled and emptied
 * as the fuzzer goes.  Models come from $CHORUS_MODELS or the default.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/hash.h"
#include "chorus/lang.h"
#include "chorus/minhash.h"
#include "chorus/models.h"
#include "chorus/normalise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static chorus_models *models;
static chorus_norm *fast[4], *slow[4];
static uint32_t *sa, *sb;
static size_t scap;

static void setup(void)
{
	chorus_error err;

	if (models)
		return;
	if (chorus_models_load(&models, NULL, &err) != 0)
		abort();
	for (unsigned f = 0; f < 4; f++)
		if (!(fast[f] = chorus_norm_new(models, f)) || !(slow[f] = chorus_norm_new(models, f)))
			abort();
}

static void same_shingles(const chorus_normalised *n, const chorus_normhash *h, uint64_t seed)
{
	if (n->ntokens + 2 > scap) {
		free(sa);
		free(sb);
		scap = n->ntokens + 2;
		if (!(sa = malloc(scap * sizeof *sa)) || !(sb = malloc(scap * sizeof *sb)))
			abort();
	}
	for (unsigned k = 1; k <= 4; k++) {
		const size_t na = chorus_shingle(n, CHORUS_SHINGLE_WORD, k, seed, sa, scap);
		const size_t nb = chorus_shingle_hashes(h->hash, h->n, k, seed, sb, scap);
		if (na != nb || na > scap || memcmp(sa, sb, na * sizeof *sa) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hints[8] = { NULL, "ru", "kk", "en", "und", "kk-KZ", "xx", NULL };
	const char *raw = (const char *)data + 1;
	const char *hint;
	uint64_t seed;
	chorus_normalised n;
	chorus_normhash h;
	unsigned f;
	size_t k = 0;

	if (size == 0)
		return 0;
	setup();
	f = data[0] & 3;
	hint = hints[(data[0] >> 2) & 7];
	seed = (uint64_t)(data[0] >> 5);
	if (chorus_norm_run(slow[f], raw, size - 1, hint, &n) != 0 ||
	    chorus_norm_hash(fast[f], raw, size - 1, hint, seed, &h) != 0)
		abort();
	if (h.ntokens != n.ntokens || h.content != n.content || h.lang != n.lang)
		abort();
	for (size_t t = 0; t < n.ntokens; t++) {
		if (n.tokens[t].kind == CHORUS_TOK_PUNCT)
			continue;
		if (k >= h.n ||
		    h.hash[k++] != chorus_hash64(n.text + n.tokens[t].off, n.tokens[t].len, seed))
			abort();
	}
	if (k != h.n)
		abort();
	same_shingles(&n, &h, seed);
	return 0;
}
