/*
 * chorus/stem.h - stemming (adapter over libstemmer; the only file that
 * includes libstemmer.h is src/core/stem.c) and the Kazakh suffix stripper.
 *
 * A chorus_stemmer is a per-thread workspace: libstemmer objects are not
 * thread-safe.  It caches recent results, so repeated words cost one lookup.
 */
#ifndef CHORUS_STEM_H
#define CHORUS_STEM_H

#include <stddef.h>

#include "chorus/models.h"

typedef struct chorus_stemmer chorus_stemmer;

chorus_stemmer *chorus_stemmer_new(const chorus_models *m);
void chorus_stemmer_free(chorus_stemmer *s);

/* Stem a case-folded UTF-8 word of language lang (enum chorus_lang).  The
 * result points into the workspace and is valid until the next call; words
 * of an undetermined language come back unchanged. */
void chorus_stem(chorus_stemmer *s, int lang, const char *w, size_t len,
		 const char **out, size_t *outlen);

#endif
