/*
 * norm_int.h - the normaliser's workspace, shared by normalise.c (the
 * matching form, token by token) and norm_hash.c (token hashes through a
 * cache of whitespace-separated pieces), inside src/core only.
 */
#ifndef CHORUS_NORM_INT_H
#define CHORUS_NORM_INT_H

#include <stddef.h>
#include <stdint.h>

#include "chorus/normalise.h"
#include "chorus/stem.h"
#include "unicode_int.h"

#define LANG_MAX_CPS 512

typedef struct norm_cache norm_cache;

struct chorus_norm {
	unsigned flags;
	chorus_ufold fold;
	chorus_stemmer *stem; /* NULL under CHORUS_NORM_NO_STEM */
	char *tb;             /* token texts before stemming */
	size_t tb_len, tb_cap;
	chorus_token *tok;
	size_t ntok, tok_cap, content;
	chorus_span *url, *men;
	size_t nurl, nmen, span_cap;
	char *ob; /* the output text */
	size_t ob_len, ob_cap;
	int want_lang;
	size_t nlc;
	uint32_t lc[LANG_MAX_CPS]; /* letters for detection, words space-separated */
	norm_cache *cache;         /* norm_hash.c, made on first use */
};

/* Passes 1 and 2 of chorus_norm_run over raw[0..len): w->tok, w->tb (token
 * texts before stemming), w->content, and the letters for detection in
 * w->lc when want_lang.  Returns 0 or CHORUS_ENOMEM. */
int norm_tokenise(chorus_norm *w, const char *raw, size_t len, int want_lang);

/* Stem (when the workspace stems) and hash one token, as pass 3 would
 * write it and the word shingler would hash it. */
uint64_t norm_token_hash(chorus_norm *w, int lang, unsigned kind, const char *s, size_t l,
			 uint64_t seed);

void norm_cache_free(norm_cache *c);

#endif
