/*
 * chorus/utf8.h - strict UTF-8 decoding (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF).
 */
#ifndef CHORUS_UTF8_H
#define CHORUS_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decode one code point at s[*pos] (pos < len).  On success store it in *cp,
 * advance *pos and return 0; on an invalid sequence return -1 and advance
 * *pos by one byte. */
int chorus_utf8_decode(const char *s, size_t len, size_t *pos, uint32_t *cp);

/* 1 when s[0..len) is valid UTF-8; otherwise 0 and the offset of the first
 * bad byte in *bad (when not NULL). */
int chorus_utf8_valid(const char *s, size_t len, size_t *bad);

/* Encode cp (<= 0x10FFFF) into out, return the byte count (1..4). */
int chorus_utf8_encode(uint32_t cp, char out[4]);

#endif
