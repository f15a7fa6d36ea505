/*
 * models_int.h - what the stemmer reads from the loaded models (src/core
 * only; the public side is chorus/models.h).
 */
#ifndef CHORUS_MODELS_INT_H
#define CHORUS_MODELS_INT_H

#include <stddef.h>

#include "chorus/models.h"

/* Longest suffix line accepted in kk/suffixes.txt, in bytes. */
#define CHORUS_KK_SUFFIX_MAX 64

/* 1 when s[0..len) is one of the Kazakh suffixes of kk/suffixes.txt. */
int chorus_models_kk_suffix(const chorus_models *m, const char *s, size_t len);

/* Length of the longest Kazakh suffix, in letters (code points). */
unsigned chorus_models_kk_max_letters(const chorus_models *m);

#endif
