/*
 * fuzz_normalise.c - chorus_norm_run on arbitrary bytes.
 *
 * The first byte picks the flags (bits 0-1) and the language hint (bits
 * 2-3: none, "ru", "kk", "en"); the rest is the raw text.  Every result
 * must hold the invariants of chorus/normalise.h: text NUL-terminated,
 * valid UTF-8 without NUL; tokens non-empty, in order, one space apart,
 * inside the text, of a known kind, counted right; URL and mention spans
 * non-empty, inside the raw text and in order.  A second run on the same
 * workspace must give the same result byte for byte.  Models come from
 * $CHORUS_MODELS or the compiled-in default.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/lang.h"
#include "chorus/models.h"
#include "chorus/normalise.h"
#include "chorus/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static chorus_models *models;
static chorus_norm *work[4];
static char *copy;
static size_t copy_cap;

static void check_spans(const chorus_span *s, size_t n, size_t rawlen)
{
	size_t end = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i].len == 0 || s[i].off < end || (size_t)s[i].off + s[i].len > rawlen)
			abort();
		end = (size_t)s[i].off + s[i].len;
	}
}

static void check(const chorus_normalised *n, size_t rawlen)
{
	size_t expect = 0, urls = 0, mentions = 0, content = 0;

	if (!n->text || n->text[n->len] != '\0' || memchr(n->text, '\0', n->len) ||
	    !chorus_utf8_valid(n->text, n->len, NULL))
		abort();
	for (size_t i = 0; i < n->ntokens; i++) {
		const chorus_token *t = &n->tokens[i];
		if (t->len == 0 || t->off != expect || (size_t)t->off + t->len > n->len ||
		    t->kind < CHORUS_TOK_WORD || t->kind > CHORUS_TOK_PUNCT ||
		    memchr(n->text + t->off, ' ', t->len))
			abort();
		expect = (size_t)t->off + t->len + 1;
		urls += t->kind == CHORUS_TOK_URL;
		mentions += t->kind == CHORUS_TOK_MENTION;
		content += t->kind == CHORUS_TOK_WORD || t->kind == CHORUS_TOK_EMOJI;
	}
	if ((n->ntokens ? expect != n->len + 1 : n->len != 0) || urls != n->nurls ||
	    mentions != n->nmentions || content != n->content ||
	    n->lang < 0 || n->lang >= CHORUS_LANG_COUNT)
		abort();
	check_spans(n->urls, n->nurls, rawlen);
	check_spans(n->mentions, n->nmentions, rawlen);
}

static int setup(void)
{
	chorus_error err;

	if (models)
		return 0;
	if (chorus_models_load(&models, NULL, &err) != 0)
		abort();
	for (unsigned f = 0; f < 4; f++)
		if (!(work[f] = chorus_norm_new(models, f)))
			abort();
	return 0;
}

/* Keep the first result's text while the second run reuses the buffers. */
static const char *keep(const chorus_normalised *n)
{
	if (n->len + 1 > copy_cap) {
		free(copy);
		copy_cap = n->len + 1;
		if (!(copy = malloc(copy_cap)))
			abort();
	}
	memcpy(copy, n->text, n->len + 1);
	return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hints[4] = { NULL, "ru", "kk", "en" };
	const char *raw = (const char *)data + 1;
	chorus_normalised a, b;
	const char *first;
	chorus_norm *w;

	if (size == 0)
		return 0;
	setup();
	w = work[data[0] & 3];
	if (chorus_norm_run(w, raw, size - 1, hints[(data[0] >> 2) & 3], &a) != 0)
		abort();
	check(&a, size - 1);
	first = keep(&a);
	if (chorus_norm_run(w, raw, size - 1, hints[(data[0] >> 2) & 3], &b) != 0 ||
	    b.len != a.len || memcmp(first, b.text, b.len) != 0 || b.ntokens != a.ntokens ||
	    b.lang != a.lang)
		abort();
	return 0;
}
