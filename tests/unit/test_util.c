/* test_util.c - time, durations, UTF-8, escaping, buffers, hashing, SHA-256. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "chorus/alloc.h"
#include "chorus/arena.h"
#include "chorus/buf.h"
#include "chorus/escape.h"
#include "chorus/hash.h"
#include "chorus/sha256.h"
#include "chorus/timeutil.h"
#include "chorus/utf8.h"

static int64_t parse(const char *s)
{
	int64_t ns = -1;
	if (chorus_time_parse_rfc3339(s, strlen(s), &ns) != 0)
		return INT64_MIN;
	return ns;
}

static void test_time(void)
{
	char out[CHORUS_TIME_STRLEN];

	CHECK_INT(parse("1970-01-01T00:00:00Z"), 0);
	CHECK_INT(parse("2020-04-28T09:14:05Z"), INT64_C(1588065245) * CHORUS_NS_PER_SEC);
	CHECK_INT(parse("2020-04-28T15:14:05+06:00"), INT64_C(1588065245) * CHORUS_NS_PER_SEC);
	CHECK_INT(parse("2020-04-28T05:44:05-03:30"), INT64_C(1588065245) * CHORUS_NS_PER_SEC);
	CHECK_INT(parse("2020-04-28 09:14:05.25z"), INT64_C(1588065245) * CHORUS_NS_PER_SEC + 250000000);
	CHECK_INT(parse("2020-04-28T09:14:05.123456789Z"),
		  INT64_C(1588065245) * CHORUS_NS_PER_SEC + 123456789);
	CHECK_INT(parse("1969-12-31T23:59:59Z"), -CHORUS_NS_PER_SEC);
	CHECK_INT(parse("2020-02-29T00:00:00Z") != INT64_MIN, 1);
	CHECK_INT(parse("2019-02-29T00:00:00Z"), INT64_MIN);
	CHECK_INT(parse("2020-13-01T00:00:00Z"), INT64_MIN);
	CHECK_INT(parse("2020-04-28T09:14:05"), INT64_MIN);
	CHECK_INT(parse("2020-04-28T09:14:05.Z"), INT64_MIN);
	CHECK_INT(parse("2020-04-28T09:14:05.1234567891Z"), INT64_MIN);
	CHECK_INT(parse("2020-04-28T09:14:05Zjunk"), INT64_MIN);
	CHECK_INT(parse("9999-01-01T00:00:00Z"), INT64_MIN);
	CHECK_INT(parse(""), INT64_MIN);

	chorus_time_format(INT64_C(1588065245) * CHORUS_NS_PER_SEC, out);
	CHECK_STR(out, "2020-04-28T09:14:05Z");
	chorus_time_format(INT64_C(1588065245) * CHORUS_NS_PER_SEC + 120000000, out);
	CHECK_STR(out, "2020-04-28T09:14:05.12Z");
	chorus_time_format(-1, out);
	CHECK_STR(out, "1969-12-31T23:59:59.999999999Z");
	/* Round trip over many instants. */
	int ok = 1;
	for (int64_t s = -5000000000; s < 9000000000; s += 7777777) {
		chorus_time_format(s * CHORUS_NS_PER_SEC, out);
		if (parse(out) != s * CHORUS_NS_PER_SEC)
			ok = 0;
	}
	CHECK(ok);
}

static void test_duration(void)
{
	int64_t ns = 0;
	char out[32];

	CHECK_INT(chorus_duration_parse("90m", &ns), 0);
	CHECK_INT(ns, 90 * 60 * CHORUS_NS_PER_SEC);
	CHECK_INT(chorus_duration_parse("48h", &ns), 0);
	CHECK_INT(ns, 48 * 3600 * CHORUS_NS_PER_SEC);
	CHECK_INT(chorus_duration_parse("2d", &ns), 0);
	CHECK_INT(ns, 2 * 86400 * CHORUS_NS_PER_SEC);
	CHECK_INT(chorus_duration_parse("30", &ns), 0);
	CHECK_INT(ns, 30 * CHORUS_NS_PER_SEC);
	CHECK_INT(chorus_duration_parse("0h", &ns), -1);
	CHECK_INT(chorus_duration_parse("h", &ns), -1);
	CHECK_INT(chorus_duration_parse("5x", &ns), -1);
	CHECK_INT(chorus_duration_parse("5hh", &ns), -1);
	CHECK_INT(chorus_duration_parse("-5h", &ns), -1);
	CHECK_INT(chorus_duration_parse("99999999999999999999d", &ns), -1);
	chorus_duration_format(48 * 3600 * CHORUS_NS_PER_SEC, out, sizeof out);
	CHECK_STR(out, "2d");
	chorus_duration_format(90 * 60 * CHORUS_NS_PER_SEC, out, sizeof out);
	CHECK_STR(out, "90m");
}

static void test_utf8(void)
{
	size_t bad = 0, pos = 0;
	uint32_t cp = 0;
	char u[4];

	CHECK(chorus_utf8_valid("Привет, мир", strlen("Привет, мир"), NULL));
	CHECK(!chorus_utf8_valid("ab\xC0\x80", 4, &bad));
	CHECK_INT(bad, 2);
	CHECK(!chorus_utf8_valid("\xED\xA0\x80", 3, &bad)); /* surrogate */
	CHECK(!chorus_utf8_valid("\xF4\x90\x80\x80", 4, &bad)); /* > U+10FFFF */
	CHECK(!chorus_utf8_valid("\xE2\x82", 2, &bad)); /* truncated */
	CHECK_INT(chorus_utf8_decode("\xF0\x9F\x98\x80", 4, &pos, &cp), 0);
	CHECK_INT(cp, 0x1F600);
	CHECK_INT(pos, 4);
	CHECK_INT(chorus_utf8_encode(0x1F600, u), 4);
	CHECK(memcmp(u, "\xF0\x9F\x98\x80", 4) == 0);
}

static void test_escape(void)
{
	chorus_buf b;

	chorus_buf_init(&b, 1 << 20);
	chorus_escape_json(&b, "a\"b\\c\n\x01\xE2\x80\xA8\xFFд", 13);
	CHECK_STR(b.data, "\"a\\\"b\\\\c\\n\\u0001\\u2028\xEF\xBF\xBD\xD0\xB4\"");
	chorus_buf_reset(&b);
	chorus_escape_term(&b, "x\xE2\x80\xAEy\x1b[2J", 9);
	CHECK_STR(b.data, "x\xE2\x9F\xA8U+202E\xE2\x9F\xA9y\xE2\x9F\xA8U+001B\xE2\x9F\xA9[2J");
	chorus_buf_reset(&b);
	{
		const char *h = "<script>alert('x')</script> & \"q\" \xE2\x80\xAE\x01 "
				"see https://evil.example.com/a.b?c=d.e and HTTP://x.y";
		chorus_escape_html(&b, h, strlen(h), 1);
		CHECK_STR(b.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; "
			  "\xE2\x9F\xA8U+202E\xE2\x9F\xA9\xE2\x9F\xA8U+0001\xE2\x9F\xA9 "
			  "see hxxps://evil[.]example[.]com/a.b?c=d.e and hxxp://x[.]y");
		chorus_buf_reset(&b);
		chorus_escape_html(&b, "a.b http://c.d", 14, 0);
		CHECK_STR(b.data, "a.b http://c.d");
		chorus_buf_reset(&b);
		chorus_escape_html(&b, "\xFFx", 2, 1);
		CHECK_STR(b.data, "\xEF\xBF\xBDx");
		chorus_buf_reset(&b);
		chorus_escape_html(&b, "a\r\nb\tc", 6, 1);
		CHECK_STR(b.data, "a\xE2\x9F\xA8U+000D\xE2\x9F\xA9\nb\tc");
	}
	chorus_buf_dispose(&b);
}

static void test_escape_csv(void)
{
	chorus_buf b;

	chorus_buf_init(&b, 1 << 10);
	chorus_escape_csv(&b, "a \"b\",c\nd", 9);
	CHECK_STR(b.data, "\"a \"\"b\"\",c\nd\"");
	chorus_buf_reset(&b);
	chorus_escape_csv(&b, "=HYPERLINK(1)", 13);
	CHECK_STR(b.data, "\"'=HYPERLINK(1)\"");
	chorus_buf_reset(&b);
	chorus_escape_csv(&b, "\t-x\xFF", 4);
	CHECK_STR(b.data, "\"'\t-x\xEF\xBF\xBD\"");
	chorus_buf_reset(&b);
	chorus_escape_csv(&b, "", 0);
	CHECK_STR(b.data, "\"\"");
	chorus_buf_dispose(&b);
}

/* A string literal as a (pointer, length) slice, NUL bytes included. */
#define LIT(s) s, sizeof(s) - 1

static void test_escape_xml(void)
{
	chorus_buf b;
	const char *h = "<a href='x'>&amp;\"</a>";

	chorus_buf_init(&b, 1 << 10);
	chorus_escape_xml(&b, h, strlen(h));
	CHECK_STR(b.data, "&lt;a href=&apos;x&apos;&gt;&amp;amp;&quot;&lt;/a&gt;");
	chorus_buf_reset(&b);
	/* Tab, LF and CR survive attribute-value normalisation as references;
	 * other C0 controls, DEL and C1 controls are marked. */
	chorus_escape_xml(&b, LIT("a\tb\nc\rd\x01\x0b\x1b\x7f\xC2\x85"));
	CHECK_STR(b.data, "a&#9;b&#10;c&#13;d\xE2\x9F\xA8U+0001\xE2\x9F\xA9"
		  "\xE2\x9F\xA8U+000B\xE2\x9F\xA9\xE2\x9F\xA8U+001B\xE2\x9F\xA9"
		  "\xE2\x9F\xA8U+007F\xE2\x9F\xA9\xE2\x9F\xA8U+0085\xE2\x9F\xA9");
	chorus_buf_reset(&b);
	/* Bidi override, zero-width space, BOM, U+FFFE, U+FFFF, U+FDD0 and
	 * U+10FFFF: marked; Cyrillic and an emoji: copied. */
	chorus_escape_xml(&b, LIT("\xE2\x80\xAEgnp\xE2\x80\x8B\xEF\xBB\xBF\xEF\xBF\xBE\xEF\xBF\xBF"
			  "\xEF\xB7\x90\xF4\x8F\xBF\xBF\xD0\xB4\xF0\x9F\x98\xA1"));
	CHECK_STR(b.data, "\xE2\x9F\xA8U+202E\xE2\x9F\xA9gnp\xE2\x9F\xA8U+200B\xE2\x9F\xA9"
		  "\xE2\x9F\xA8U+FEFF\xE2\x9F\xA9\xE2\x9F\xA8U+FFFE\xE2\x9F\xA9"
		  "\xE2\x9F\xA8U+FFFF\xE2\x9F\xA9\xE2\x9F\xA8U+FDD0\xE2\x9F\xA9"
		  "\xE2\x9F\xA8U+10FFFF\xE2\x9F\xA9\xD0\xB4\xF0\x9F\x98\xA1");
	chorus_buf_reset(&b);
	/* Invalid UTF-8, an encoded lone surrogate and a truncated sequence:
	 * every bad byte shown. */
	chorus_escape_xml(&b, LIT("x\xFF\xED\xA0\x80y\xE2\x80"));
	CHECK_STR(b.data, "x\xE2\x9F\xA8" "0xFF\xE2\x9F\xA9\xE2\x9F\xA8" "0xED\xE2\x9F\xA9"
		  "\xE2\x9F\xA8" "0xA0\xE2\x9F\xA9\xE2\x9F\xA8" "0x80\xE2\x9F\xA9y"
		  "\xE2\x9F\xA8" "0xE2\xE2\x9F\xA9\xE2\x9F\xA8" "0x80\xE2\x9F\xA9");
	chorus_buf_reset(&b);
	/* A NUL inside the slice is marked, not a terminator; "]]>" cannot
	 * end a CDATA section or appear raw. */
	chorus_escape_xml(&b, LIT("a\0]]>"));
	CHECK_STR(b.data, "a\xE2\x9F\xA8U+0000\xE2\x9F\xA9]]&gt;");
	chorus_buf_reset(&b);
	CHECK_INT(chorus_escape_xml(&b, "", 0), 0);
	CHECK_INT(b.len, 0);
	chorus_buf_dispose(&b);
	/* A full buffer is an error, never a truncated escape. */
	chorus_buf_init(&b, 4);
	CHECK(chorus_escape_xml(&b, "<<", 2) != 0);
	chorus_buf_dispose(&b);
}

static void test_buf_arena(void)
{
	chorus_buf b;
	chorus_arena a, c;

	chorus_buf_init(&b, 10);
	CHECK_INT(chorus_buf_append(&b, "0123456789", 10), 0);
	CHECK_INT(chorus_buf_putc(&b, 'x'), -5);
	CHECK_INT(b.len, 10);
	chorus_buf_dispose(&b);

	chorus_arena_init(&a);
	chorus_arena_init(&c);
	char *s = chorus_arena_strndup(&a, "hello", 5);
	CHECK_STR(s, "hello");
	char *big = chorus_arena_alloc(&c, 3 * CHORUS_ARENA_BLOCK);
	CHECK(big != NULL);
	chorus_arena_adopt(&a, &c);
	CHECK(c.head == NULL);
	CHECK_STR(s, "hello");
	chorus_arena_dispose(&a);

	chorus_alloc_fail_after(1);
	CHECK(chorus_malloc(8) == NULL);
	chorus_alloc_fail_after(0);
	void *p = chorus_malloc(8);
	CHECK(p != NULL);
	chorus_free(p);
	CHECK(chorus_mallocarray(SIZE_MAX / 2, 4) == NULL);
}

static void test_hash(void)
{
	char hex[CHORUS_SHA256_HEX];

	CHECK(chorus_hash64("abc", 3, 1) == chorus_hash64("abc", 3, 1));
	CHECK(chorus_hash64("abc", 3, 1) != chorus_hash64("abc", 3, 2));
	CHECK(chorus_hash64("abcdefgh1", 9, 0) != chorus_hash64("abcdefgh2", 9, 0));
	CHECK(chorus_hash64("", 0, 0) != chorus_hash64("\0", 1, 0));
	/* Fixed values: shingle hashes, and so every report, must not change
	 * with the host or the compiler. */
	CHECK(chorus_hash64("", 0, 0) == UINT64_C(0x7de53de772ea694c));
	CHECK(chorus_hash64("chorus", 6, 7) == UINT64_C(0xfe4adc282c46a662));
	CHECK(chorus_hash64("Казахстанское бюро", 34, UINT64_C(0x63686f7275732031)) ==
	      UINT64_C(0xea3061009c3ed353));
	/* every tail length (the tail is read with overlapping loads) against
	 * the definition: bytes little-endian, zero above */
	for (unsigned n = 0; n <= 40; n++) {
		unsigned char d[40];
		uint64_t h = UINT64_C(0xa0761d6478bd642f) ^ n, st = n;
		size_t k = 0;
		for (unsigned i = 0; i < n; i++)
			d[i] = (unsigned char)chorus_splitmix64(&st);
		for (; k + 8 <= n; k += 8) {
			uint64_t v = 0;
			for (int b = 7; b >= 0; b--)
				v = (v << 8) | d[k + (size_t)b];
			__uint128_t r = (__uint128_t)(h ^ v) * UINT64_C(0xe7037ed1a0b428db);
			h = (uint64_t)r ^ (uint64_t)(r >> 64);
		}
		if (k < n) {
			uint64_t v = 0;
			for (size_t b = n; b-- > k;)
				v = (v << 8) | d[b];
			__uint128_t r = (__uint128_t)(h ^ v ^ ((uint64_t)(n - k) << 59)) *
					UINT64_C(0x8ebc6af09c88c6e3);
			h = (uint64_t)r ^ (uint64_t)(r >> 64);
		}
		CHECK(chorus_hash64(d, n, 0) == chorus_mix64(h));
	}
	chorus_sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
	test_time();
	test_duration();
	test_utf8();
	test_escape();
	test_escape_csv();
	test_escape_xml();
	test_buf_arena();
	test_hash();
	return check_done();
}
