/*
 * chorus/lang.h - language identification from script and letter statistics.
 */
#ifndef CHORUS_LANG_H
#define CHORUS_LANG_H

#include <stddef.h>
#include <stdint.h>

enum chorus_lang {
	CHORUS_LANG_UND = 0, /* undetermined */
	CHORUS_LANG_RU,
	CHORUS_LANG_KK,
	CHORUS_LANG_EN,
	CHORUS_LANG_COUNT
};

/* ISO 639-1 code ("ru", "kk", "en"; "und" for CHORUS_LANG_UND). */
const char *chorus_lang_code(int lang);
/* Parse an ISO 639-1/-3 code or BCP 47 tag ("ru", "rus", "kk-KZ");
 * CHORUS_LANG_UND when not one of ours. */
int chorus_lang_from_code(const char *s, size_t len);

/* Guess the language of already case-folded code points. */
int chorus_lang_detect(const uint32_t *cps, size_t n);

/* Letter statistics of a detection text (what chorus_lang_detect decides
 * from).  They add up over pieces of text that each end between words: the
 * statistics of a concatenation are the sum of its pieces'. */
typedef struct chorus_lang_stats {
	uint32_t latin, cyrillic, latin_words, cyrillic_words;
	uint32_t kk_words, kk_strict, ru_words, uk_words, fw_kk, fw_ru, ru_ends;
	uint32_t flags; /* union of the letters' flags */
} chorus_lang_stats;

/* Add the statistics of cps[0..n) to *st. */
void chorus_lang_count(const uint32_t *cps, size_t n, chorus_lang_stats *st);

/* What chorus_lang_detect gives for a text with statistics *st. */
int chorus_lang_decide(const chorus_lang_stats *st);

#endif
