/*
 * escape.c - writers for untrusted text.
 *
 * JSON: quotes, backslash and every control character escaped, U+2028 and
 * U+2029 escaped (they end lines in JavaScript), invalid UTF-8 replaced by
 * U+FFFD; everything else is copied as UTF-8.
 * CSV: one quoted RFC 4180 field, formula-like first characters defused.
 * Terminal: control, bidi and invisible code points become a visible
 * "<U+202E>" mark (with mathematical angle brackets), invalid bytes
 * "<0xFF>", so a post can neither move the cursor nor reorder the line.
 * HTML: markup characters as entities, the same marks, links defanged.
 * XML: markup characters as entities, tab/LF/CR as character references,
 * the same marks for everything XML 1.0 forbids or a reader cannot see.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "chorus/escape.h"
#include "chorus/utf8.h"

int chorus_is_invisible(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD || cp == 0x34F ||
	       cp == 0x061C || cp == 0x115F || cp == 0x1160 || cp == 0x17B4 || cp == 0x17B5 ||
	       (cp >= 0x180B && cp <= 0x180F) || (cp >= 0x200B && cp <= 0x200F) ||
	       (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) ||
	       cp == 0x3164 || cp == 0xFEFF || cp == 0xFFA0 || (cp >= 0xFFF0 && cp <= 0xFFFB) ||
	       (cp >= 0x1BCA0 && cp <= 0x1BCA3) || (cp >= 0xE0000 && cp <= 0xE0FFF);
}

static int json_ascii_safe(unsigned char c)
{
	return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
}

static int json_escape_cp(chorus_buf *b, uint32_t cp)
{
	switch (cp) {
	case '"': return chorus_buf_append(b, "\\\"", 2);
	case '\\': return chorus_buf_append(b, "\\\\", 2);
	case '\n': return chorus_buf_append(b, "\\n", 2);
	case '\r': return chorus_buf_append(b, "\\r", 2);
	case '\t': return chorus_buf_append(b, "\\t", 2);
	default: break;
	}
	if (cp < 0x20 || cp == 0x7F || cp == 0x2028 || cp == 0x2029)
		return chorus_buf_printf(b, "\\u%04x", (unsigned)cp);
	char u[4];
	return chorus_buf_append(b, u, (size_t)chorus_utf8_encode(cp, u));
}

int chorus_escape_json(chorus_buf *b, const char *s, size_t len)
{
	size_t i = 0;
	int rc = chorus_buf_putc(b, '"');

	while (rc == 0 && i < len) {
		size_t run = i;
		uint32_t cp;

		while (run < len && json_ascii_safe((unsigned char)s[run]))
			run++;
		if (run > i) {
			rc = chorus_buf_append(b, s + i, run - i);
			i = run;
			continue;
		}
		if (chorus_utf8_decode(s, len, &i, &cp) != 0)
			cp = 0xFFFD;
		rc = json_escape_cp(b, cp);
	}
	return rc ? rc : chorus_buf_putc(b, '"');
}

int chorus_escape_term(chorus_buf *b, const char *s, size_t len)
{
	size_t i = 0;
	int rc = 0;

	while (rc == 0 && i < len) {
		size_t at = i;
		uint32_t cp;

		if (chorus_utf8_decode(s, len, &i, &cp) != 0)
			rc = chorus_buf_printf(b, "\xE2\x9F\xA8" "0x%02X" "\xE2\x9F\xA9",
					       (unsigned char)s[at]);
		else if (chorus_is_invisible(cp))
			rc = chorus_buf_printf(b, "\xE2\x9F\xA8" "U+%04X" "\xE2\x9F\xA9", (unsigned)cp);
		else
			rc = chorus_buf_append(b, s + at, i - at);
	}
	return rc;
}

static int csv_formula_start(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

int chorus_escape_csv(chorus_buf *b, const char *s, size_t len)
{
	size_t i = 0;
	int rc = chorus_buf_putc(b, '"');

	if (rc == 0 && len > 0 && csv_formula_start(s[0]))
		rc = chorus_buf_putc(b, '\'');
	while (rc == 0 && i < len) {
		size_t at = i;
		uint32_t cp;

		if (chorus_utf8_decode(s, len, &i, &cp) != 0)
			rc = chorus_buf_append(b, "\xEF\xBF\xBD", 3);
		else if (cp == '"')
			rc = chorus_buf_append(b, "\"\"", 2);
		else
			rc = chorus_buf_append(b, s + at, i - at);
	}
	return rc ? rc : chorus_buf_putc(b, '"');
}

static int html_cp(chorus_buf *b, uint32_t cp)
{
	char u[4];

	switch (cp) {
	case '&': return chorus_buf_puts(b, "&amp;");
	case '<': return chorus_buf_puts(b, "&lt;");
	case '>': return chorus_buf_puts(b, "&gt;");
	case '"': return chorus_buf_puts(b, "&quot;");
	case '\'': return chorus_buf_puts(b, "&#39;");
	case '\n': return chorus_buf_putc(b, '\n'); /* line breaks are text */
	case '\t': return chorus_buf_putc(b, '\t');
	default: break;
	}
	if (chorus_is_invisible(cp))
		return chorus_buf_printf(b, "\xE2\x9F\xA8" "U+%04X" "\xE2\x9F\xA9", (unsigned)cp);
	return chorus_buf_append(b, u, (size_t)chorus_utf8_encode(cp, u));
}

/* A link starting at s[i] ("http://" or "https://", any case)?  Returns the
 * scheme's length up to "://" included, else 0. */
static size_t link_at(const char *s, size_t len, size_t i)
{
	static const char *const schemes[] = { "https://", "http://" };

	for (size_t k = 0; k < 2; k++) {
		size_t n = strlen(schemes[k]);
		if (len - i >= n && !strncasecmp(s + i, schemes[k], n) &&
		    (i == 0 || !((unsigned char)s[i - 1] & 0x80 || isalnum((unsigned char)s[i - 1]))))
			return n;
	}
	return 0;
}

int chorus_escape_html(chorus_buf *b, const char *s, size_t len, int defang)
{
	size_t i = 0;
	int rc = 0, in_host = 0;

	while (rc == 0 && i < len) {
		size_t n;
		uint32_t cp;
		if (defang && (n = link_at(s, len, i)) != 0) {
			rc = chorus_buf_puts(b, "hxxp");
			rc = rc ? rc : chorus_buf_append(b, s + i + 4, n - 4);
			i += n;
			in_host = 1;
			continue;
		}
		if (chorus_utf8_decode(s, len, &i, &cp) != 0)
			cp = 0xFFFD;
		if (in_host && (cp == '/' || cp == '?' || cp == '#' || cp == ' ' || cp == '\n' ||
				cp == '\t' || cp == '"' || cp == '<' || cp == '>'))
			in_host = 0;
		if (in_host && cp == '.')
			rc = chorus_buf_puts(b, "[.]");
		else
			rc = html_cp(b, cp);
	}
	return rc;
}

/* Shown as a mark in XML: what XML 1.0 forbids (C0 controls, U+FFFE,
 * U+FFFF) and what a reader cannot see or that reorders text. */
static int xml_marked(uint32_t cp)
{
	return chorus_is_invisible(cp) || (cp >= 0xFDD0 && cp <= 0xFDEF) ||
	       (cp & 0xFFFE) == 0xFFFE;
}

static int xml_ascii_safe(unsigned char c)
{
	return c >= 0x20 && c < 0x7F && c != '&' && c != '<' && c != '>' && c != '"' &&
	       c != '\'';
}

static int xml_cp(chorus_buf *b, uint32_t cp)
{
	char u[4];

	switch (cp) {
	case '&': return chorus_buf_puts(b, "&amp;");
	case '<': return chorus_buf_puts(b, "&lt;");
	case '>': return chorus_buf_puts(b, "&gt;");
	case '"': return chorus_buf_puts(b, "&quot;");
	case '\'': return chorus_buf_puts(b, "&apos;");
	case '\t': return chorus_buf_puts(b, "&#9;");
	case '\n': return chorus_buf_puts(b, "&#10;");
	case '\r': return chorus_buf_puts(b, "&#13;");
	default: break;
	}
	if (xml_marked(cp))
		return chorus_buf_printf(b, "\xE2\x9F\xA8" "U+%04X" "\xE2\x9F\xA9", (unsigned)cp);
	return chorus_buf_append(b, u, (size_t)chorus_utf8_encode(cp, u));
}

int chorus_escape_xml(chorus_buf *b, const char *s, size_t len)
{
	size_t i = 0;
	int rc = 0;

	while (rc == 0 && i < len) {
		size_t run = i, at;
		uint32_t cp;

		while (run < len && xml_ascii_safe((unsigned char)s[run]))
			run++;
		if (run > i) {
			rc = chorus_buf_append(b, s + i, run - i);
			i = run;
			continue;
		}
		at = i;
		if (chorus_utf8_decode(s, len, &i, &cp) != 0)
			rc = chorus_buf_printf(b, "\xE2\x9F\xA8" "0x%02X" "\xE2\x9F\xA9",
					       (unsigned char)s[at]);
		else
			rc = xml_cp(b, cp);
	}
	return rc;
}
