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

#endif
