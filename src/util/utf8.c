/*
 * utf8.c - strict UTF-8 (RFC 3629).  The decoder checks continuation bytes,
 * rejects overlong forms, surrogates and code points above U+10FFFF.
 */
#include "chorus/utf8.h"

static int cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

int chorus_utf8_decode(const char *s, size_t len, size_t *pos, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s + *pos;
	size_t left = len - *pos;
	uint32_t c = p[0];

	if (c < 0x80) {
		*cp = c;
		*pos += 1;
		return 0;
	}
	if (c >= 0xC2 && c <= 0xDF && left >= 2 && cont(p[1])) {
		*cp = ((c & 0x1F) << 6) | (p[1] & 0x3F);
		*pos += 2;
		return 0;
	}
	if (c >= 0xE0 && c <= 0xEF && left >= 3 && cont(p[1]) && cont(p[2])) {
		uint32_t v = ((c & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
		if (v >= 0x800 && (v < 0xD800 || v > 0xDFFF)) {
			*cp = v;
			*pos += 3;
			return 0;
		}
	}
	if (c >= 0xF0 && c <= 0xF4 && left >= 4 && cont(p[1]) && cont(p[2]) && cont(p[3])) {
		uint32_t v = ((c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
			     ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
		if (v >= 0x10000 && v <= 0x10FFFF) {
			*cp = v;
			*pos += 4;
			return 0;
		}
	}
	*pos += 1;
	return -1;
}

int chorus_utf8_valid(const char *s, size_t len, size_t *bad)
{
	size_t pos = 0;
	uint32_t cp;

	while (pos < len) {
		size_t at = pos;
		/* ASCII dominates: take it without calling the decoder. */
		if ((unsigned char)s[pos] < 0x80) {
			pos++;
			continue;
		}
		if (chorus_utf8_decode(s, len, &pos, &cp) != 0) {
			if (bad)
				*bad = at;
			return 0;
		}
	}
	return 1;
}

int chorus_utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}
