/*
 * chorus/escape.h - writing untrusted text safely.
 *
 * Every post is untrusted.  JSON output escapes quotes, backslashes, every
 * control character and U+2028/U+2029, and replaces invalid UTF-8 with
 * U+FFFD.  Terminal output shows control, bidi and invisible characters as
 * visible <U+XXXX> marks so no post can move the cursor or reorder a line.
 * HTML and XML output escape markup characters and show the same marks.
 */
#ifndef CHORUS_ESCAPE_H
#define CHORUS_ESCAPE_H

#include <stddef.h>

#include "chorus/buf.h"

/* Append s[0..len) as a quoted JSON string. */
int chorus_escape_json(chorus_buf *b, const char *s, size_t len);

/* Append s[0..len) for a terminal or a log line (no quotes added). */
int chorus_escape_term(chorus_buf *b, const char *s, size_t len);

/* Append s[0..len) as one RFC 4180 CSV field, always quoted, quotes
 * doubled, invalid UTF-8 replaced by U+FFFD.  A field starting with '=',
 * '+', '-', '@', tab or CR is defused with a leading "'" so a spreadsheet
 * never reads it as a formula. */
int chorus_escape_csv(chorus_buf *b, const char *s, size_t len);

/* 1 when cp is invisible or reorders text: C0/C1 controls, soft hyphen,
 * zero-width characters, bidi controls, BOM, variation selectors excluded. */
int chorus_is_invisible(unsigned cp);

/*
 * Append s[0..len) as HTML text, safe in element content and in quoted
 * attribute values: & < > " ' as entities; invisible code points (bidi
 * controls, zero-width characters, soft hyphen) and control characters
 * other than tab and newline shown as "⟨U+202E⟩", so the reader sees what
 * was compared; invalid UTF-8 as U+FFFD.  When defang is set, links are
 * made unclickable as text: "http" -> "hxxp" and every '.' of the host
 * -> "[.]" ("hxxps://example[.]com/x").  CHORUS_ENOMEM or CHORUS_ELIMIT.
 */
int chorus_escape_html(chorus_buf *b, const char *s, size_t len, int defang);

/*
 * Append s[0..len) as XML 1.0 character data, safe in element content and
 * in quoted attribute values: & < > " ' as &amp; &lt; &gt; &quot; &apos;;
 * tab, LF and CR as &#9; &#10; &#13; (so attribute-value and line-end
 * normalisation keep them); every other control character, invisible or
 * bidi code point (as chorus_is_invisible) and every noncharacter
 * (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF) shown as "⟨U+202E⟩", as in HTML;
 * each byte of invalid UTF-8 (lone surrogates included) as "⟨0xFF⟩".  The
 * output is always well-formed XML text.  CHORUS_ENOMEM or CHORUS_ELIMIT.
 */
int chorus_escape_xml(chorus_buf *b, const char *s, size_t len);

#endif
