/* test_normalise.c - every normalisation step, the result's invariants,
 * exact NFKC_Casefold against utf8proc, allocation failure, buffer reuse,
 * chorus_norm_hash against chorus_norm_run (random tricky texts, cache
 * overflow, seeds, caps), and the real Telegram texts when
 * $CHORUS_SHARED/corpora is there. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "chorus/alloc.h"
#include "chorus/hash.h"
#include "chorus/lang.h"
#include "chorus/minhash.h"
#include "chorus/normalise.h"
#include "chorus/utf8.h"
#include "unicode_int.h"

static chorus_models *models;

/* ---- helpers ---- */

static int invariants_ok(const chorus_normalised *n, size_t rawlen)
{
	size_t urls = 0, mentions = 0, content = 0, expect = 0;

	if (!n->text || n->text[n->len] != '\0' || strlen(n->text) != n->len ||
	    !chorus_utf8_valid(n->text, n->len, NULL))
		return 0;
	for (size_t i = 0; i < n->ntokens; i++) {
		const chorus_token *t = &n->tokens[i];
		if (t->len == 0 || t->off != expect || (size_t)t->off + t->len > n->len)
			return 0;
		if (t->kind < CHORUS_TOK_WORD || t->kind > CHORUS_TOK_PUNCT)
			return 0;
		if (memchr(n->text + t->off, ' ', t->len))
			return 0;
		expect = t->off + t->len + 1;
		urls += t->kind == CHORUS_TOK_URL;
		mentions += t->kind == CHORUS_TOK_MENTION;
		content += t->kind == CHORUS_TOK_WORD || t->kind == CHORUS_TOK_EMOJI;
	}
	if (n->ntokens ? expect != n->len + 1 : n->len != 0)
		return 0;
	if (urls != n->nurls || mentions != n->nmentions || content != n->content)
		return 0;
	for (size_t i = 0; i < n->nurls; i++)
		if (n->urls[i].len == 0 || (size_t)n->urls[i].off + n->urls[i].len > rawlen)
			return 0;
	for (size_t i = 0; i < n->nmentions; i++)
		if (n->mentions[i].len == 0 || (size_t)n->mentions[i].off + n->mentions[i].len > rawlen)
			return 0;
	return n->lang >= 0 && n->lang < CHORUS_LANG_COUNT;
}

/* Normalised text of s (rotating buffers, so two may be compared). */
static const char *norm_hint(chorus_norm *w, const char *s, const char *hint)
{
	static char buf[4][8192];
	static unsigned k;
	chorus_normalised n;
	char *out = buf[k++ % 4];

	if (chorus_norm_run(w, s, strlen(s), hint, &n) != 0)
		return "(error)";
	CHECK(invariants_ok(&n, strlen(s)));
	snprintf(out, sizeof buf[0], "%s", n.text);
	return out;
}

static const char *norm(chorus_norm *w, const char *s)
{
	return norm_hint(w, s, NULL);
}

static chorus_norm *plain(void)
{
	return chorus_norm_new(models, CHORUS_NORM_NO_STEM);
}

/* ---- steps ---- */

static void test_steps(void)
{
	const char *const *s = chorus_norm_steps();
	size_t n = 0;

	while (s[n])
		n++;
	CHECK_INT(n, 10);
	CHECK_STR(s[0], "strip_invisible");
	CHECK_STR(s[1], "nfkc_casefold");
	CHECK_STR(s[5], "homoglyphs");
	CHECK_STR(s[9], "stem");
}

static void test_nfkc_casefold(void)
{
	chorus_norm *w = plain();

	CHECK_STR(norm(w, "ＦＵＬＬ ｗｉｄｔｈ"), "full width");
	CHECK_STR(norm(w, "\xEF\xAC\x81ne \xEF\xAC\x80"), "fine ff");     /* ﬁ ﬀ ligatures */
	CHECK_STR(norm(w, "\xF0\x9D\x90\x8F\xF0\x9D\x90\xAB\xF0\x9D\x90\xA2"), "pri"); /* math bold */
	CHECK_STR(norm(w, "\xE2\x91\xA0"), "1");                            /* ① */
	CHECK_STR(norm(w, "ПРИВЕТ МИР"), "привет мир");
	CHECK_STR(norm(w, "ҚАЗАҚСТАН ӘЛЕМ"), "қазақстан әлем");
	CHECK_STR(norm(w, "Straße"), "strasse");
	/* й as и + combining breve, ё as е + diaeresis: composed exactly. */
	CHECK_STR(norm(w, "\xD0\xB8\xCC\x86"), "й");
	CHECK_STR(norm(w, "\xD0\x98\xCC\x86"), "й");
	CHECK_STR(norm(w, "\xD0\xB5\xCC\x88\xD0\xBB\xD0\xBA\xD0\xB0"), "ёлка");
	CHECK_STR(norm(w, "e\xCC\x81t\xC3\xA9"), "été");
	CHECK_STR(norm(w, "\xE2\x84\xAB"), "å");                            /* Å sign */
	CHECK_STR(norm(w, "\xE3\x84\xB1\xE3\x85\x8F"), "가");               /* compat jamo compose */
	chorus_norm_free(w);
}

static void test_invisible(void)
{
	chorus_norm *w = plain();

	CHECK_STR(norm(w, "при\xE2\x80\x8Bвет"), "привет");               /* ZWSP */
	CHECK_STR(norm(w, "\xE2\x80\xAEтекст\xE2\x80\xAC"), "текст");     /* RLO ... PDF */
	CHECK_STR(norm(w, "пере\xC2\xADнос"), "перенос");                 /* soft hyphen */
	CHECK_STR(norm(w, "\xEF\xBB\xBFслово\xE2\x81\xA6" "2\xE2\x81\xA9"), "слово2");
	CHECK_STR(norm(w, "a\xE2\x80\x8E" "b\xE2\x80\x8F" "c\xE2\x80\x8D" "d"), "abcd");
	/* an invisible between a letter and its accent does not block composing */
	CHECK_STR(norm(w, "\xD0\xB8\xE2\x80\x8B\xCC\x86"), "й");
	chorus_norm_free(w);
}

static void test_homoglyphs(void)
{
	chorus_norm *w = plain();
	chorus_norm *raw = chorus_norm_new(models, CHORUS_NORM_NO_STEM | CHORUS_NORM_NO_HOMOGLYPH);

	/* Latin p and e inside a Cyrillic word */
	CHECK_STR(norm(w, "Пpивeт"), norm(w, "Привет"));
	CHECK_STR(norm(w, "Пpивeт"), "привет");
	CHECK_STR(norm(w, "pea"), "pea");
	/* Cyrillic р, Latin e, Cyrillic а: majority Cyrillic */
	CHECK_STR(norm(w, "рeа"), "реа");
	/* Cyrillic с, а in a Latin word */
	CHECK_STR(norm(w, "сat"), "cat");
	CHECK_STR(norm(w, "pаypаl"), "paypal");
	/* uppercase look-alikes: H, B, M, T, K */
	CHECK_STR(norm(w, "HОВОСТИ"), "новости");
	CHECK_STR(norm(w, "BАНК"), "ванк");
	/* a pure word of either script is never touched */
	CHECK_STR(norm(w, "хорошо good"), "хорошо good");
	/* zalgo marks on Latin/Cyrillic letters are dropped */
	CHECK_STR(norm(w, "п\xCC\xB7р\xCC\xB7и\xCC\xB7в\xCC\xB7е\xCC\xB7т"), "привет");
	/* the flag turns both off */
	CHECK(strcmp(norm(raw, "Пpивeт"), "привет") != 0);
	chorus_norm_free(raw);
	chorus_norm_free(w);
}

static void test_urls(void)
{
	chorus_norm *w = plain();
	const char *s = "Читайте https://example.com/a?b=1. И www.site.ru, t.me/chan и "
			"[тут](https://t.me/+abc) или (http://x.org/a_(b)) naked-science.ru/x";
	chorus_normalised n;

	CHECK(chorus_norm_run(w, s, strlen(s), NULL, &n) == 0);
	CHECK(invariants_ok(&n, strlen(s)));
	CHECK_INT(n.nurls, 6);
	if (n.nurls == 6) {
		const char *want[6] = { "https://example.com/a?b=1", "www.site.ru", "t.me/chan",
					"https://t.me/+abc", "http://x.org/a_(b)", "naked-science.ru/x" };
		for (int i = 0; i < 6; i++) {
			char got[64];
			snprintf(got, sizeof got, "%.*s", (int)n.urls[i].len, s + n.urls[i].off);
			CHECK_STR(got, want[i]);
		}
	}
	CHECK_STR(norm(w, "Смотрите HTTPS://Example.COM/Путь!"), "смотрите <url> !");
	CHECK_STR(norm(w, "см. т.е. и т.д."), "см . т . е . и т . д .");
	CHECK_STR(norm(w, "http:// www."), "http : www ."); /* "://" is one run */
	CHECK_STR(norm(w, "президент.рф"), "<url>");
	CHECK_STR(norm(w, "version1.2 node.js"), "version1 . 2 node . js");
	chorus_norm_free(w);
}

static void test_mentions_hashtags(void)
{
	chorus_norm *w = plain();
	const char *s = "@user_1 пишет @alice.bsky.social и ivan@mail.ru (@Kanal)";
	chorus_normalised n;

	CHECK(chorus_norm_run(w, s, strlen(s), NULL, &n) == 0);
	CHECK(invariants_ok(&n, strlen(s)));
	CHECK_INT(n.nmentions, 3);
	if (n.nmentions == 3) {
		CHECK(n.mentions[0].off == 0 && n.mentions[0].len == 7);
		CHECK(n.mentions[1].len == strlen("@alice.bsky.social"));
		CHECK(memcmp(s + n.mentions[2].off, "@Kanal", 6) == 0 && n.mentions[2].len == 6);
	}
	CHECK_STR(n.text, "<@> пишет <@> и ivan @ <url> ( <@> )");
	CHECK_STR(norm(w, "#ЗаМир #covid19 # C# #_"), "замир covid19 # c # #");
	CHECK_STR(norm(w, "!!#тег"), "! тег");
	chorus_norm_free(w);
}

static void test_emoji(void)
{
	chorus_norm *w = plain();
	const char *s = "класс\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD "              /* 👍🏽 */
			"\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 " /* 👨‍👩‍👧 */
			"\xF0\x9F\x87\xB7\xF0\x9F\x87\xBA"                   /* 🇷🇺 */
			"\xE2\x9D\xA4\xEF\xB8\x8F"                           /* ❤️ */
			"1\xEF\xB8\x8F\xE2\x83\xA3"                          /* 1️⃣ */
			"\xF0\x9F\xAB\xA9";                                   /* unassigned in older tables */
	chorus_normalised n;

	CHECK(chorus_norm_run(w, s, strlen(s), NULL, &n) == 0);
	CHECK(invariants_ok(&n, strlen(s)));
	CHECK_INT(n.ntokens, 7);
	if (n.ntokens == 7) {
		CHECK_INT(n.tokens[0].kind, CHORUS_TOK_WORD);
		for (int i = 1; i < 7; i++)
			CHECK_INT(n.tokens[i].kind, CHORUS_TOK_EMOJI);
		CHECK_INT(n.tokens[1].len, 8);  /* thumbs up + skin tone */
		CHECK_INT(n.tokens[2].len, 18); /* three people, two ZWJs */
		CHECK_INT(n.tokens[3].len, 8);  /* a flag: two regional indicators */
		CHECK_INT(n.tokens[4].len, 3);  /* heart, variation selector dropped */
		CHECK_INT(n.tokens[5].len, 4);  /* keycap */
	}
	CHECK_INT(n.content, 7);
	/* VS16 never matters; a ZWJ outside an emoji sequence is dropped */
	CHECK_STR(norm(w, "\xE2\x9D\xA4\xEF\xB8\x8F"), norm(w, "\xE2\x9D\xA4"));
	CHECK_STR(norm(w, "\xF0\x9F\x91\x8D\xE2\x80\x8Dда"), "\xF0\x9F\x91\x8D да");
	chorus_norm_free(w);
}

static void test_punctuation(void)
{
	chorus_norm *w = plain();

	CHECK_STR(norm(w, "Ужас!!!"), "ужас !");
	CHECK_STR(norm(w, "Что?!?!"), "что ?");
	CHECK_STR(norm(w, "Итак... и так\xE2\x80\xA6"), "итак . и так .");
	CHECK_STR(norm(w, "a \xE2\x80\x94 b \xE2\x80\x93 c - d"), "a - b - c - d");
	CHECK_STR(norm(w, "\xC2\xAB" "слово" "\xC2\xBB \xE2\x80\x9Cword\xE2\x80\x9D \"x\""),
		  "\" слово \" \" word \" \" x \"");
	CHECK_STR(norm(w, "don\xE2\x80\x99t don't"), "don't don't");
	CHECK_STR(norm(w, "кое-как 50% $100"), "кое - как 50 % $ 100");
	chorus_norm_free(w);
}

static void test_stemming_and_lang(void)
{
	chorus_norm *w = chorus_norm_new(models, 0);
	chorus_normalised n;
	const char *ru = "Правозащитники заявили о задержании активистов";

	CHECK(w != NULL);
	CHECK_STR(norm(w, "правозащитники"), norm(w, "правозащитников"));
	CHECK_STR(norm(w, "Пpавoзащитники"), norm(w, "правозащитникам"));
	CHECK_STR(norm(w, "кітаптарымыз"), norm(w, "кітап"));
	CHECK_STR(norm(w, "running runs"), "run run");
	CHECK(chorus_norm_run(w, ru, strlen(ru), NULL, &n) == 0);
	CHECK_INT(n.lang, CHORUS_LANG_RU);
	CHECK(chorus_norm_run(w, ru, strlen(ru), "kk-KZ", &n) == 0);
	CHECK_INT(n.lang, CHORUS_LANG_KK);
	CHECK(chorus_norm_run(w, ru, strlen(ru), "de", &n) == 0);
	CHECK_INT(n.lang, CHORUS_LANG_RU);
	CHECK(chorus_norm_run(w, "2024 \xF0\x9F\x91\x8D", 9, NULL, &n) == 0);
	CHECK_INT(n.lang, CHORUS_LANG_UND);
	CHECK_STR(n.text, "2024 \xF0\x9F\x91\x8D");
	chorus_norm_free(w);
}

static void test_edges(void)
{
	chorus_norm *w = plain();
	chorus_normalised n;
	char *big;
	const size_t bigsz = (1u << 20) + 4096;

	CHECK(chorus_norm_run(w, "", 0, NULL, &n) == 0);
	CHECK(n.ntokens == 0 && n.len == 0 && n.text && n.text[0] == '\0' && n.content == 0);
	CHECK_INT(n.lang, CHORUS_LANG_UND);
	CHECK_STR(norm(w, "   \t\n "), "");
	/* invalid bytes are dropped, not separators */
	CHECK_STR(norm(w, "\xFF\xFEпри\xC0вет\xED\xA0\x80!"), "привет !");
	CHECK(chorus_norm_run(w, "a\0b", 3, NULL, &n) == 0);
	CHECK_STR(n.text, "a b");
	/* a lone combining mark, a lone ZWJ, a lone tag */
	CHECK_STR(norm(w, "\xCC\x81 \xE2\x80\x8D \xF3\xA0\x80\xA1"), "");
	/* buffers grown by a big post are reused for a small one */
	big = malloc(bigsz);
	CHECK(big != NULL);
	if (big) {
		for (size_t i = 0; i < bigsz; i++)
			big[i] = "ab \xEF\xB7\xBA"[i % 6]; /* U+FDFA expands to 18 code points */
		CHECK(chorus_norm_run(w, big, bigsz, NULL, &n) == 0);
		CHECK(invariants_ok(&n, bigsz));
		memset(big, 0xCC, bigsz); /* combining marks only: forced boundaries */
		for (size_t i = 0; i + 1 < bigsz; i += 2)
			big[i] = (char)0xCC, big[i + 1] = (char)(0x80 + (i / 2) % 0x30);
		CHECK(chorus_norm_run(w, big, bigsz, NULL, &n) == 0);
		CHECK(invariants_ok(&n, bigsz));
		free(big);
	}
	CHECK_STR(norm(w, "Снова коротко"), "снова коротко");
	chorus_norm_free(w);
}

/* ---- exactness of the fold against utf8proc in one call ---- */

static int fold_equals_reference(chorus_ufold *f, const char *s, size_t len)
{
	uint32_t ref[4096];
	const long r = chorus_ufold_reference(s, len, ref, 4096);

	if (r < 0 || r > 4096 || chorus_ufold_run(f, s, len) != 0 || f->n != (size_t)r)
		return 0;
	for (long i = 0; i < r; i++)
		if (chorus_uel_cp(f->el[i]) != ref[i])
			return 0;
	return 1;
}

static int dropped_class(unsigned c)
{
	return c == UC_IGNORE || c == UC_ZWJ || c == UC_VS || c == UC_TAG;
}

static void test_fold_every_code_point(void)
{
	chorus_ufold f;
	unsigned long bad = 0;

	CHECK(chorus_ufold_init(&f) == 0);
	for (uint32_t cp = 0; cp < 0x110000; cp++) {
		char s[4];
		const int n = cp >= 0xD800 && cp <= 0xDFFF ? 0 : chorus_utf8_encode(cp, s);
		if (n == 0 || dropped_class(chorus_uc_class_of(f.t, cp)))
			continue;
		if (!fold_equals_reference(&f, s, (size_t)n) && bad++ < 10)
			fprintf(stderr, "fold differs from utf8proc at U+%04X\n", (unsigned)cp);
	}
	CHECK_INT(bad, 0);
	chorus_ufold_dispose(&f);
}

/* Code point ranges where composition, reordering and expansion happen. */
static const uint32_t tricky[][2] = {
	{ 0x41, 0x5A }, { 0x61, 0x7A }, { 0xC0, 0x24F }, { 0x300, 0x36F }, { 0x370, 0x3FF },
	{ 0x400, 0x4FF }, { 0x483, 0x489 }, { 0x591, 0x5C7 }, { 0x900, 0x97F },
	{ 0xB3E, 0xB57 }, { 0xBBE, 0xBD7 }, { 0xCC0, 0xCD6 }, { 0xD3E, 0xD57 },
	{ 0xDCA, 0xDDF }, { 0xF71, 0xF81 }, { 0x1025, 0x102E }, { 0x1100, 0x11FF },
	{ 0x1B05, 0x1B44 }, { 0x1DC0, 0x1DFF }, { 0x1E00, 0x1FFF }, { 0x20D0, 0x20F0 },
	{ 0x2100, 0x218F }, { 0x2460, 0x24FF }, { 0x3099, 0x309F }, { 0x3131, 0x318E },
	{ 0x3300, 0x33FF }, { 0xAC00, 0xAC40 }, { 0xFB00, 0xFB4F }, { 0xFDF0, 0xFDFF },
	{ 0xFE20, 0xFE2F }, { 0xFF00, 0xFFEF }, { 0x1D15E, 0x1D1C0 }, { 0x1D400, 0x1D7FF },
	{ 0xAD, 0xAD }, { 0x200B, 0x200B }, { 0x34F, 0x34F }, { 0xFEFF, 0xFEFF },
};

static void test_fold_random_strings(void)
{
	const size_t nr = sizeof tricky / sizeof tricky[0];
	uint64_t rng = 12345;
	chorus_ufold f;
	unsigned long bad = 0;

	CHECK(chorus_ufold_init(&f) == 0);
	for (int iter = 0; iter < 200000; iter++) {
		char s[32 * 4];
		size_t len = 0;
		const unsigned k = 1 + (unsigned)(chorus_splitmix64(&rng) % 24);
		for (unsigned j = 0; j < k; j++) {
			const uint64_t r = chorus_splitmix64(&rng);
			const uint32_t *g = tricky[r % nr];
			const uint32_t cp = g[0] + (uint32_t)((r >> 32) % (g[1] - g[0] + 1));
			if (cp >= 0xD800 && cp <= 0xDFFF)
				continue;
			if (dropped_class(chorus_uc_class_of(f.t, cp)) && cp != 0xAD && cp != 0x200B &&
			    cp != 0x34F && cp != 0xFEFF)
				continue;
			len += (size_t)chorus_utf8_encode(cp, s + len);
		}
		if (!fold_equals_reference(&f, s, len) && bad++ < 5) {
			fprintf(stderr, "fold differs from utf8proc on:");
			for (size_t i = 0; i < len; i++)
				fprintf(stderr, " %02X", (unsigned char)s[i]);
			fprintf(stderr, "\n");
		}
	}
	CHECK_INT(bad, 0);
	chorus_ufold_dispose(&f);
}

/* ---- allocation ---- */

static void test_alloc_failure(void)
{
	const char *s = "Пpивeт https://t.me/x @user #тег 👍🏽 и\xCC\x86 ﬁne!!!";
	int ok = 1;

	for (unsigned long k = 1; k < 40; k++) {
		chorus_norm *w;
		chorus_normalised n;
		int rc;
		chorus_alloc_fail_after(k);
		w = chorus_norm_new(models, 0);
		rc = w ? chorus_norm_run(w, s, strlen(s), NULL, &n) : CHORUS_ENOMEM;
		chorus_alloc_fail_after(0);
		if (rc != 0 && rc != CHORUS_ENOMEM)
			ok = 0;
		if (rc == 0 && !invariants_ok(&n, strlen(s)))
			ok = 0;
		chorus_norm_free(w);
	}
	CHECK(ok);
}

/* Once the buffers have grown, a run allocates nothing. */
static void test_steady_state(void)
{
	chorus_norm *w = chorus_norm_new(models, 0);
	const char *s = "Пpивeт https://t.me/x @user #тег 👍🏽 и\xCC\x86 ﬁne!!! правозащитники";
	chorus_normalised n;
	int rc;

	CHECK(w && chorus_norm_run(w, s, strlen(s), NULL, &n) == 0);
	chorus_alloc_fail_after(1);
	rc = chorus_norm_run(w, s, strlen(s), NULL, &n);
	chorus_alloc_fail_after(0);
	CHECK_INT(rc, 0);
	chorus_norm_free(w);
}

/* ---- chorus_norm_hash against chorus_norm_run ---- */

/* Does the cached path give what a full run and hashing its tokens give? */
static int hash_same(chorus_norm *fast, chorus_norm *slow, const char *s, size_t len,
		     const char *hint, uint64_t seed)
{
	chorus_normalised n;
	chorus_normhash h;
	size_t k = 0;

	if (chorus_norm_run(slow, s, len, hint, &n) != 0 ||
	    chorus_norm_hash(fast, s, len, hint, seed, &h) != 0)
		return 0;
	if (h.ntokens != n.ntokens || h.content != n.content || h.lang != n.lang)
		return 0;
	for (size_t t = 0; t < n.ntokens; t++) {
		if (n.tokens[t].kind == CHORUS_TOK_PUNCT)
			continue;
		if (k >= h.n ||
		    h.hash[k++] != chorus_hash64(n.text + n.tokens[t].off, n.tokens[t].len, seed))
			return 0;
	}
	if (k != h.n)
		return 0;
	for (unsigned sk = 1; sk <= 3; sk += 2) { /* the shingles built from either agree */
		static uint32_t a[1 << 17], b[1 << 17];
		const size_t na = chorus_shingle(&n, CHORUS_SHINGLE_WORD, sk, seed, a, 1 << 17);
		const size_t nb = chorus_shingle_hashes(h.hash, h.n, sk, seed, b, 1 << 17);
		if (na != nb || (na <= (1 << 17) && memcmp(a, b, na * sizeof *a) != 0))
			return 0;
	}
	return 1;
}

static void report_diff(const char *what, const char *s, size_t len)
{
	fprintf(stderr, "%s: chorus_norm_hash differs on:", what);
	for (size_t i = 0; i < len && i < 200; i++)
		fprintf(stderr, " %02X", (unsigned char)s[i]);
	fprintf(stderr, "\n");
}

/* Random strings of tricky code points, ASCII punctuation, URL and mention
 * pieces and every kind of white space, each flag set and language hint,
 * run twice (a cache miss, then a hit). */
static void test_hash_random(void)
{
	static const char *const bits[] = {
		" ", "  ", "\t", "\n", "\r\n", "\v", "\f", "\xC2\xA0", "\xE2\x80\x8B", "https://",
		"t.me/", ".com", "www.", "@", "#", "'", "\xE2\x80\x99", "-", "...", "!!", "(", ")",
		"[", "]", "\xF0\x9F\x91\x8D", "\xF0\x9F\x8F\xBD", "\xE2\x80\x8D", "\xE2\x83\xA3",
		"\xF0\x9F\x87\xB0", "\xCC\x81", "\xE2\x80\xAE", "\xFF", "\xD0", "\xE2\x80",
		"1", "\xEF\xB7\xBA", "x", "\xD0\xB0", "\xD3\x99", "e", "\xD1\x8C",
	};
	static const char *const hints[] = { NULL, "ru", "kk", "en", "und" };
	const size_t nr = sizeof tricky / sizeof tricky[0], nb = sizeof bits / sizeof bits[0];
	chorus_norm *fast[4], *slow[4];
	uint64_t rng = 777;
	unsigned long bad = 0;

	for (unsigned f = 0; f < 4; f++) {
		fast[f] = chorus_norm_new(models, f);
		slow[f] = chorus_norm_new(models, f);
		CHECK(fast[f] && slow[f]);
		if (!fast[f] || !slow[f])
			return;
	}
	for (int iter = 0; iter < 200000; iter++) {
		char s[64 * 8];
		size_t len = 0;
		const unsigned k = 1 + (unsigned)(chorus_splitmix64(&rng) % 40);
		const unsigned f = (unsigned)(chorus_splitmix64(&rng) % 4);
		const char *hint = hints[chorus_splitmix64(&rng) % 5];
		for (unsigned j = 0; j < k; j++) {
			const uint64_t r = chorus_splitmix64(&rng);
			if (r % 3) {
				const char *b = bits[(r >> 8) % nb];
				memcpy(s + len, b, strlen(b));
				len += strlen(b);
			} else {
				const uint32_t *g = tricky[(r >> 8) % nr];
				const uint32_t cp = g[0] + (uint32_t)((r >> 32) % (g[1] - g[0] + 1));
				if (cp < 0xD800 || cp > 0xDFFF)
					len += (size_t)chorus_utf8_encode(cp, s + len);
			}
		}
		for (int twice = 0; twice < 2; twice++)
			if (!hash_same(fast[f], slow[f], s, len, hint, 42) && bad++ < 5)
				report_diff("random", s, len);
	}
	CHECK_INT(bad, 0);
	for (unsigned f = 0; f < 4; f++) {
		chorus_norm_free(fast[f]);
		chorus_norm_free(slow[f]);
	}
}

/* Pieces at every place the white-space bit map can cut them: texts of
 * every length up to 300 made of one-letter pieces (32 to a 64-byte word),
 * of pieces and white-space runs of every length ending at every byte
 * around the word edges, with and without white space at either end. */
static void test_hash_piece_edges(void)
{
	chorus_norm *fast = chorus_norm_new(models, 0), *slow = chorus_norm_new(models, 0);
	unsigned long bad = 0;
	char s[320];

	CHECK(fast && slow);
	if (!fast || !slow)
		return;
	for (size_t len = 0; len <= 300; len++) {
		for (unsigned pat = 0; pat < 4; pat++) {
			for (size_t i = 0; i < len; i++) {
				switch (pat) {
				case 0: s[i] = i % 2 ? ' ' : "ab"[i / 2 % 2]; break;   /* a b a b */
				case 1: s[i] = i % 2 ? "ab"[i / 2 % 2] : '\t'; break; /* \ta\tb */
				case 2: s[i] = (i / 7) % 2 ? ' ' : 'x'; break;         /* runs of 7 */
				default: s[i] = i % 64 == 63 || i % 64 == 0 ? '\n' : 'y'; break;
				}
			}
			if (!hash_same(fast, slow, s, len, "en", 5) && bad++ < 5)
				report_diff("edges", s, len);
		}
		/* one piece ending at byte len - 1, from every start */
		for (size_t from = 0; from < len && len <= 140; from++) {
			memset(s, ' ', len);
			memset(s + from, 'z', len - from);
			if (!hash_same(fast, slow, s, len, "en", 5) && bad++ < 5)
				report_diff("edges", s, len);
		}
	}
	CHECK_INT(bad, 0);
	chorus_norm_free(fast);
	chorus_norm_free(slow);
}

/* A code point that joins what precedes it (a combining mark, a Hangul
 * trailing jamo such as U+FFAB's fold) right after white space, followed
 * by more marks than a chunk holds: the stream-safe cut must fall in the
 * same place whether the piece is folded alone (the cache) or within the
 * text (the full run).  The fuzz target found the cut one code point
 * apart, the white space counted in one path only. */
static void test_hash_join_after_space(void)
{
	static const char *const heads[] = { "\xEF\xBE\xAB", "\xE1\x86\xAB", "\xCC\x81", "a",
					     "\xD0\xB8" };
	static const char *const spaces[] = { " ", "\t", "\n", "  ", "x ", "\xC2\xA0" };
	chorus_norm *fast = chorus_norm_new(models, 3), *slow = chorus_norm_new(models, 3);
	unsigned long bad = 0;
	char s[512];

	CHECK(fast && slow);
	if (!fast || !slow)
		return;
	for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++) {
		for (size_t sp = 0; sp < sizeof spaces / sizeof spaces[0]; sp++) {
			for (unsigned marks = 0; marks <= 70; marks++) {
				size_t len = 0;
				len += (size_t)sprintf(s + len, "%s%s", spaces[sp], heads[h]);
				for (unsigned m = 0; m < marks; m++) /* U+0301 and U+0316 in turn */
					len += (size_t)sprintf(s + len, "%s",
							       m % 2 ? "\xCC\x96" : "\xCC\x81");
				if (!hash_same(fast, slow, s, len, "en", 3) && bad++ < 5)
					report_diff("join after space", s, len);
			}
		}
	}
	CHECK_INT(bad, 0);
	chorus_norm_free(fast);
	chorus_norm_free(slow);
}

/* The cache fills, grows twice to its largest table and empties there
 * (about 120,000 distinct pieces under each seed, more than it holds at
 * any size), the seed changes, posts beyond the cut-over and beyond the
 * letter cap. */
static void test_hash_cache(void)
{
	chorus_norm *fast = chorus_norm_new(models, 0), *slow = chorus_norm_new(models, 0);
	static const char *const syl[] = { "ка", "за", "қа", "ba", "ro", "ть", "ся", "ің", "ми" };
	uint64_t rng = 99;
	unsigned long bad = 0;
	char *big;

	CHECK(fast && slow);
	if (!fast || !slow)
		return;
	for (int post = 0; post < 40000; post++) {
		char s[1024];
		size_t len = 0;
		for (int w = 0; w < 12; w++) {
			const uint64_t r = chorus_splitmix64(&rng);
			for (int y = 0; y < 2 + (int)(r % 4); y++) {
				const char *p = syl[(r >> (8 + 4 * y)) % 9];
				memcpy(s + len, p, strlen(p));
				len += strlen(p);
			}
			len += (size_t)snprintf(s + len, 16, "%u ", (unsigned)(r >> 40) % 1000);
		}
		if (!hash_same(fast, slow, s, len, NULL, (uint64_t)(post / 10000)) && bad++ < 5)
			report_diff("cache", s, len);
	}
	CHECK_INT(bad, 0);
	/* no text at all (a post's text may be absent: NULL, length 0) */
	{
		chorus_normhash h;
		CHECK(chorus_norm_hash(fast, NULL, 0, NULL, 1, &h) == 0 && h.n == 0 && h.ntokens == 0);
		CHECK(hash_same(fast, slow, "", 0, NULL, 1));
	}
	/* past the letter cap (512) and past the whole-post cut-over (64 KiB) */
	big = malloc(200000);
	CHECK(big != NULL);
	if (big) {
		for (size_t i = 0; i < 200000; i++)
			big[i] = "\xD2\x9B\xD0\xB0\xD0\xB7 \xD0\xB8 word, "[i % 17];
		CHECK(hash_same(fast, slow, big, 900, NULL, 1));
		CHECK(hash_same(fast, slow, big, 65536, NULL, 1));
		CHECK(hash_same(fast, slow, big, 65537, NULL, 1));
		CHECK(hash_same(fast, slow, big, 200000, "kk", 1));
		free(big);
	}
	chorus_norm_free(fast);
	chorus_norm_free(slow);
}

/* ---- real texts ---- */

/* Next JSON "text" string value in p (decoded into out), or NULL. */
static const char *next_text(const char *p, char *out, size_t cap, size_t *outlen)
{
	size_t o = 0;

	p = strstr(p, "\"text\": \"");
	if (!p)
		return NULL;
	for (p += 9; *p && *p != '"'; p++) {
		char c = *p;
		if (c == '\\' && p[1]) {
			p++;
			c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'r' ? '\r' : *p;
			if (*p == 'u') { /* \uXXXX: the corpus only escapes controls this way */
				c = ' ';
				p += 4;
			}
		}
		if (o + 1 < cap)
			out[o++] = c;
	}
	*outlen = o;
	return p;
}

static void test_telegram(void)
{
	const char *shared = getenv("CHORUS_SHARED");
	char dir[1024], path[2048];
	static char text[1 << 16];
	chorus_norm *w = chorus_norm_new(models, 0), *fast = chorus_norm_new(models, 0);
	unsigned long posts = 0, bad = 0, differ = 0;
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof dir, "%s/corpora/telegram-ru", shared ? shared : "");
	if (!shared || !(d = opendir(dir))) {
		printf("skip: no %s\n", dir);
		chorus_norm_free(w);
		chorus_norm_free(fast);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len, tl;
		char *data;
		if (!strstr(e->d_name, ".json"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (!(data = check_slurp(path, &len)))
			continue;
		for (const char *p = data; (p = next_text(p, text, sizeof text, &tl)) != NULL;) {
			chorus_normalised n;
			posts++;
			if (chorus_norm_run(w, text, tl, NULL, &n) != 0 || !invariants_ok(&n, tl))
				bad++;
			if (!hash_same(fast, w, text, tl, NULL, 5) && differ++ < 5)
				report_diff("telegram", text, tl);
		}
		free(data);
	}
	closedir(d);
	printf("telegram: %lu posts normalised, %lu bad, %lu hashed differently\n", posts, bad,
	       differ);
	CHECK(posts > 1000);
	CHECK_INT(bad, 0);
	CHECK_INT(differ, 0);
	chorus_norm_free(w);
	chorus_norm_free(fast);
}

int main(void)
{
	chorus_error err;

	if (chorus_models_load(&models, NULL, &err) != 0) {
		fprintf(stderr, "models: %s: %s\n", err.source, err.text);
		return 1;
	}
	test_steps();
	test_nfkc_casefold();
	test_invisible();
	test_homoglyphs();
	test_urls();
	test_mentions_hashtags();
	test_emoji();
	test_punctuation();
	test_stemming_and_lang();
	test_edges();
	test_fold_every_code_point();
	test_fold_random_strings();
	test_alloc_failure();
	test_steady_state();
	test_hash_random();
	test_hash_piece_edges();
	test_hash_join_after_space();
	test_hash_cache();
	test_telegram();
	chorus_models_free(models);
	return check_done();
}
