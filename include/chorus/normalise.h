/*
 * chorus/normalise.h - matching form of a post's text.
 *
 * Steps, in order (names as listed by chorus_norm_steps, recorded in every
 * scan's params):
 *   strip_invisible  zero-width characters, bidi controls, soft hyphen and
 *                    other default-ignorable code points removed (first, so
 *                    that NFKC sees the letters they were hiding between)
 *   nfkc_casefold    Unicode NFKC with case folding (utf8proc)
 *   urls             URLs replaced by a placeholder token, kept aside
 *   mentions         @mentions replaced by a placeholder token, kept aside
 *   hashtags         '#tag' becomes the word 'tag'
 *   homoglyphs       in a word mixing Latin and Cyrillic letters, look-alike
 *                    letters folded to the word's majority script
 *   emoji            each emoji kept as a token of its own
 *   punctuation      runs of punctuation collapsed to one mark
 *   language         ru / kk / en detected from letter statistics
 *   stem             Snowball stemmer (ru, en), suffix stripper (kk)
 * The raw text is never changed.  A workspace is per thread.
 */
#ifndef CHORUS_NORMALISE_H
#define CHORUS_NORMALISE_H

#include <stddef.h>
#include <stdint.h>

#include "chorus/models.h"

enum chorus_token_kind {
	CHORUS_TOK_WORD = 1,    /* letters/digits, stemmed */
	CHORUS_TOK_EMOJI,       /* one emoji (with its modifiers) */
	CHORUS_TOK_URL,         /* placeholder for a URL */
	CHORUS_TOK_MENTION,     /* placeholder for an @mention */
	CHORUS_TOK_PUNCT        /* one punctuation mark (runs collapsed) */
};

typedef struct chorus_token {
	uint32_t off, len; /* into chorus_normalised.text */
	uint32_t kind;     /* enum chorus_token_kind */
} chorus_token;

typedef struct chorus_span {
	uint32_t off, len; /* into the raw text */
} chorus_span;

/* Result of one run; every pointer is borrowed from the workspace and valid
 * until its next run. */
typedef struct chorus_normalised {
	const char *text;   /* tokens joined by single spaces, NUL-terminated */
	size_t len;
	const chorus_token *tokens;
	size_t ntokens;
	const chorus_span *urls;     /* URLs as they appear in the raw text */
	size_t nurls;
	const chorus_span *mentions; /* @mentions in the raw text */
	size_t nmentions;
	int lang;                    /* enum chorus_lang */
	size_t content;              /* number of WORD and EMOJI tokens */
} chorus_normalised;

enum chorus_norm_flag {
	CHORUS_NORM_NO_STEM = 1u << 0,      /* skip stemming */
	CHORUS_NORM_NO_HOMOGLYPH = 1u << 1  /* skip look-alike folding */
};

typedef struct chorus_norm chorus_norm;

/* NULL when out of memory.  models must outlive the workspace. */
chorus_norm *chorus_norm_new(const chorus_models *m, unsigned flags);
void chorus_norm_free(chorus_norm *w);

/* Normalise raw[0..len) (valid UTF-8; invalid bytes are dropped).
 * lang_hint is the post's declared language or NULL: when it names one of
 * ours it is used instead of detection.  Returns 0, or CHORUS_ENOMEM. */
int chorus_norm_run(chorus_norm *w, const char *raw, size_t len,
		    const char *lang_hint, chorus_normalised *out);

/* The matching form as the word shingler sees it. */
typedef struct chorus_normhash {
	const uint64_t *hash; /* chorus_hash64(seed) of each token that is not
				 punctuation, in order; borrowed, valid until
				 the workspace's next run */
	size_t n;
	size_t ntokens;       /* all tokens, as chorus_normalised.ntokens */
	size_t content;       /* as chorus_normalised.content */
	int lang;             /* as chorus_normalised.lang */
} chorus_normhash;

/* What chorus_norm_run gives, hashed token by token (the text of every
 * token that is not punctuation under chorus_hash64 with seed), exactly
 * (tests/unit and the fuzz target fuzz_normhash compare the two), and
 * faster: the raw text is cut at ASCII white space, which no step looks
 * across, and each piece is folded and tokenised once, then remembered in
 * a cache of bounded size (4.5 MiB per workspace, growing to 18 MiB
 * when it fills) with its tokens' hashes per language.  Returns 0, or CHORUS_ENOMEM. */
int chorus_norm_hash(chorus_norm *w, const char *raw, size_t len, const char *lang_hint,
		     uint64_t seed, chorus_normhash *out);

/* The step names, in order, NULL-terminated (for the scan's params). */
const char *const *chorus_norm_steps(void);

#endif
