/* test_lang.c - language codes, detection on hand-picked sentences, and
 * accuracy on the shared corpora (KazNERD for kk, Telegram for ru) when
 * $CHORUS_SHARED/corpora is there. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "chorus/lang.h"
#include "chorus/normalise.h"
#include "chorus/utf8.h"

static chorus_models *models;
static chorus_norm *norm;

static void test_codes(void)
{
	CHECK_STR(chorus_lang_code(CHORUS_LANG_UND), "und");
	CHECK_STR(chorus_lang_code(CHORUS_LANG_RU), "ru");
	CHECK_STR(chorus_lang_code(CHORUS_LANG_KK), "kk");
	CHECK_STR(chorus_lang_code(CHORUS_LANG_EN), "en");
	CHECK_STR(chorus_lang_code(-1), "und");
	CHECK_STR(chorus_lang_code(CHORUS_LANG_COUNT), "und");
	CHECK_INT(chorus_lang_from_code("ru", 2), CHORUS_LANG_RU);
	CHECK_INT(chorus_lang_from_code("RU", 2), CHORUS_LANG_RU);
	CHECK_INT(chorus_lang_from_code("rus", 3), CHORUS_LANG_RU);
	CHECK_INT(chorus_lang_from_code("ru-RU", 5), CHORUS_LANG_RU);
	CHECK_INT(chorus_lang_from_code("kk", 2), CHORUS_LANG_KK);
	CHECK_INT(chorus_lang_from_code("kk-KZ", 5), CHORUS_LANG_KK);
	CHECK_INT(chorus_lang_from_code("kaz", 3), CHORUS_LANG_KK);
	CHECK_INT(chorus_lang_from_code("en_US", 5), CHORUS_LANG_EN);
	CHECK_INT(chorus_lang_from_code("eng", 3), CHORUS_LANG_EN);
	CHECK_INT(chorus_lang_from_code("en", 1), CHORUS_LANG_UND); /* "e" */
	CHECK_INT(chorus_lang_from_code("de", 2), CHORUS_LANG_UND);
	CHECK_INT(chorus_lang_from_code("russian", 7), CHORUS_LANG_UND);
	CHECK_INT(chorus_lang_from_code("", 0), CHORUS_LANG_UND);
	CHECK_INT(chorus_lang_from_code(NULL, 0), CHORUS_LANG_UND);
}

static int detect_cps(const char *s)
{
	uint32_t cps[512];
	size_t n = 0, pos = 0, len = strlen(s);

	while (pos < len && n < 512) {
		uint32_t cp;
		if (chorus_utf8_decode(s, len, &pos, &cp) == 0)
			cps[n++] = cp;
	}
	return chorus_lang_detect(cps, n);
}

static int detect(const char *s)
{
	chorus_normalised n;

	if (chorus_norm_run(norm, s, strlen(s), NULL, &n) != 0)
		return -1;
	return n.lang;
}

static void test_detect(void)
{
	CHECK_INT(detect_cps(""), CHORUS_LANG_UND);
	CHECK_INT(detect_cps("12 345 !!"), CHORUS_LANG_UND);
	CHECK_INT(detect_cps("в москве прошёл митинг"), CHORUS_LANG_RU);
	CHECK_INT(detect_cps("қазақстан республикасы"), CHORUS_LANG_KK);
	CHECK_INT(detect_cps("the quick brown fox"), CHORUS_LANG_EN);
	CHECK_INT(detect("Правозащитники сообщили о задержании активистов в Алматы."), CHORUS_LANG_RU);
	CHECK_INT(detect("Президент Қасым-Жомарт Тоқаев выступил на заседании правительства."),
		  CHORUS_LANG_RU);
	CHECK_INT(detect("Бүгін Астанада үкімет отырысы өтті."), CHORUS_LANG_KK);
	CHECK_INT(detect("Алайда олай емес екен."), CHORUS_LANG_KK); /* no Kazakh letter */
	CHECK_INT(detect("Шынымен солай ма, деп сұрады."), CHORUS_LANG_KK);
	CHECK_INT(detect("The government announced new sanctions on Tuesday."), CHORUS_LANG_EN);
	CHECK_INT(detect("Bitcoin рухнул до $93.700, пишет Bloomberg"), CHORUS_LANG_RU);
	CHECK_INT(detect("Toncoin вырос почти на 20% https://t.me/banksta @banksta"), CHORUS_LANG_RU);
	CHECK_INT(detect("Привіт, як справи? Їжак і ґанок"), CHORUS_LANG_UND); /* Ukrainian */
	CHECK_INT(detect("\xF0\x9F\x91\x8D\xF0\x9F\x91\x8D 100%"), CHORUS_LANG_UND);
	/* look-alike Latin letters do not turn a Russian post English */
	CHECK_INT(detect("Пpивeт, кaк дeлa? Bcё xopoшo"), CHORUS_LANG_RU);
}

/* KazNERD: "token TAG" per line, a blank line between sentences. */
static void test_kazakh_corpus(const char *shared)
{
	char path[1024];
	static char sent[1 << 16];
	size_t len, pos = 0, sl = 0;
	unsigned long total = 0, kk = 0;
	char *data;

	snprintf(path, sizeof path, "%s/corpora/kazakh/kaznerd_IOB2_valid.txt", shared);
	if (!(data = check_slurp(path, &len))) {
		printf("skip: no %s\n", path);
		return;
	}
	while (pos <= len) {
		const char *line = data + pos, *nl = memchr(line, '\n', len - pos);
		const size_t ll = nl ? (size_t)(nl - line) : len - pos;
		const char *sp = memchr(line, ' ', ll);
		if (ll > 0 && sp && sl + (size_t)(sp - line) + 1 < sizeof sent) {
			memcpy(sent + sl, line, (size_t)(sp - line));
			sl += (size_t)(sp - line);
			sent[sl++] = ' ';
		} else if (ll == 0 && sl > 0) {
			chorus_normalised n;
			if (chorus_norm_run(norm, sent, sl, NULL, &n) == 0 && n.lang != CHORUS_LANG_UND) {
				total++;
				kk += n.lang == CHORUS_LANG_KK;
			}
			sl = 0;
		}
		pos += ll + 1;
	}
	free(data);
	printf("kazakh: %lu of %lu sentences kk (%.4f)\n", kk, total, total ? (double)kk / total : 0.0);
	CHECK(total >= 500);
	CHECK(total && (double)kk / total >= 0.95);
}

/* Next JSON "text" string value after p, decoded into out (\u escapes
 * become a space: the corpus uses them only for control characters). */
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
			if (*p == 'u') {
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

/* Russian news about Kazakhstan: Kazakh names in a Russian text. */
#define KK_NAMES "Қасым-Жомарт Тоқаев, Қарағанды, Өскемен: "

static void count_file(const char *path, unsigned long *total, unsigned long *ru,
		       unsigned long *counts, unsigned long *ru_named)
{
	static char text[(1 << 16) + 64];
	const size_t pre = strlen(KK_NAMES);
	size_t len, tl;
	char *data = check_slurp(path, &len);

	if (!data)
		return;
	memcpy(text, KK_NAMES, pre);
	for (const char *p = data; (p = next_text(p, text + pre, 1 << 16, &tl)) != NULL;) {
		chorus_normalised n;
		if (chorus_norm_run(norm, text + pre, tl, NULL, &n) != 0 || n.lang == CHORUS_LANG_UND)
			continue;
		(*total)++;
		*ru += n.lang == CHORUS_LANG_RU;
		counts[n.lang]++;
		if (n.lang == CHORUS_LANG_RU && chorus_norm_run(norm, text, pre + tl, NULL, &n) == 0)
			*ru_named += n.lang == CHORUS_LANG_RU;
	}
	free(data);
}

static void test_russian_corpus(const char *shared)
{
	char dir[1024], path[2048];
	unsigned long total = 0, ru = 0, ru_named = 0, counts[CHORUS_LANG_COUNT] = { 0 };
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof dir, "%s/corpora/telegram-ru", shared);
	if (!(d = opendir(dir))) {
		printf("skip: no %s\n", dir);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (!strstr(e->d_name, ".json"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		count_file(path, &total, &ru, counts, &ru_named);
	}
	closedir(d);
	printf("telegram: %lu of %lu posts ru (%.4f); kk %lu, en %lu\n", ru, total,
	       total ? (double)ru / total : 0.0, counts[CHORUS_LANG_KK], counts[CHORUS_LANG_EN]);
	printf("telegram with \"%s\" in front: %lu of %lu still ru (%.4f)\n", KK_NAMES, ru_named,
	       ru, ru ? (double)ru_named / ru : 0.0);
	CHECK(total >= 1000);
	CHECK(total && (double)ru / total >= 0.95);
	CHECK_INT(counts[CHORUS_LANG_KK], 0);
	CHECK(ru && (double)ru_named / ru >= 0.95);
}

/* Statistics add up over pieces ending between words, and deciding from
 * them gives what detection gives, on random mixes of ru/kk/en/uk words. */
static void test_stats_add_up(void)
{
	static const char *const words[] = {
		"и", "что", "мен", "туралы", "қазақ", "тіл", "және", "the", "of", "smear",
		"кампания", "говорят", "білім", "їжа", "ґанок", "день", "объявили", "Қарағанды",
		"міне", "ещё", "ұлт", "өте", "hello", "world", "ся", "деп", "ого",
	};
	const size_t nw = sizeof words / sizeof words[0];
	uint64_t rng = 3;
	unsigned long bad = 0;

	for (int iter = 0; iter < 20000; iter++) {
		uint32_t all[512];
		size_t n = 0;
		chorus_lang_stats sum, whole;
		const int k = 1 + (int)((rng = rng * 6364136223846793005u + 1442695040888963407u) >> 60);
		memset(&sum, 0, sizeof sum);
		memset(&whole, 0, sizeof whole);
		for (int j = 0; j < k * 3; j++) {
			const size_t start = n;
			const char *w;
			size_t pos = 0;
			rng = rng * 6364136223846793005u + 1442695040888963407u;
			w = words[(rng >> 33) % nw];
			while (w[pos] && n < 500) {
				uint32_t cp;
				if (chorus_utf8_decode(w, strlen(w), &pos, &cp) == 0)
					all[n++] = cp < 0x80 ? cp | 0x20 : (cp >= 0x410 && cp <= 0x42F ? cp + 0x20 : cp);
			}
			all[n++] = ' ';
			chorus_lang_count(all + start, n - start, &sum);
		}
		chorus_lang_count(all, n, &whole);
		if (memcmp(&sum, &whole, sizeof sum) != 0 ||
		    chorus_lang_decide(&sum) != chorus_lang_detect(all, n))
			bad++;
	}
	CHECK_INT(bad, 0);
}

int main(void)
{
	const char *shared = getenv("CHORUS_SHARED");
	chorus_error err;

	if (chorus_models_load(&models, NULL, &err) != 0) {
		fprintf(stderr, "models: %s: %s\n", err.source, err.text);
		return 1;
	}
	norm = chorus_norm_new(models, CHORUS_NORM_NO_STEM);
	CHECK(norm != NULL);
	test_codes();
	test_detect();
	test_stats_add_up();
	if (shared) {
		test_kazakh_corpus(shared);
		test_russian_corpus(shared);
	} else {
		printf("skip: CHORUS_SHARED not set, corpora not used\n");
	}
	chorus_norm_free(norm);
	chorus_models_free(models);
	return check_done();
}
