/* test_stem.c - Snowball per language and per script, the Kazakh stripper,
 * the cache (including its clearing), and loading the models folder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "chorus/alloc.h"
#include "chorus/lang.h"
#include "chorus/models.h"
#include "chorus/stem.h"
#include "models_int.h"

static chorus_models *models;

/* Stem of w (rotating copies, so two may be compared). */
static const char *stem(chorus_stemmer *s, int lang, const char *w)
{
	static char buf[4][512];
	static unsigned k;
	char *out = buf[k++ % 4];
	const char *r;
	size_t n;

	chorus_stem(s, lang, w, strlen(w), &r, &n);
	snprintf(out, sizeof buf[0], "%.*s", (int)n, r);
	return out;
}

static void test_russian_english(void)
{
	chorus_stemmer *s = chorus_stemmer_new(models);

	CHECK(s != NULL);
	CHECK_STR(stem(s, CHORUS_LANG_RU, "правозащитники"), stem(s, CHORUS_LANG_RU, "правозащитников"));
	CHECK_STR(stem(s, CHORUS_LANG_RU, "правозащитникам"), "правозащитник");
	CHECK_STR(stem(s, CHORUS_LANG_RU, "задержали"), stem(s, CHORUS_LANG_RU, "задержал"));
	CHECK_STR(stem(s, CHORUS_LANG_RU, "ёлка"), stem(s, CHORUS_LANG_RU, "елки"));
	CHECK_STR(stem(s, CHORUS_LANG_EN, "running"), "run");
	CHECK_STR(stem(s, CHORUS_LANG_EN, "generously"), "generous");
	/* words take the stemmer of their own script */
	CHECK_STR(stem(s, CHORUS_LANG_RU, "running"), "run");
	CHECK_STR(stem(s, CHORUS_LANG_KK, "running"), "run");
	CHECK_STR(stem(s, CHORUS_LANG_EN, "правозащитники"), "правозащитник");
	CHECK_STR(stem(s, CHORUS_LANG_EN, "кітаптарымыз"), "кітап");
	/* unchanged: digits, undetermined language, other scripts, huge words */
	CHECK_STR(stem(s, CHORUS_LANG_RU, "2024"), "2024");
	CHECK_STR(stem(s, CHORUS_LANG_UND, "правозащитники"), "правозащитники");
	CHECK_STR(stem(s, CHORUS_LANG_RU, "αθήνα"), "αθήνα");
	CHECK_STR(stem(s, 99, "running"), "running");
	{
		char big[300];
		memset(big, 'a', sizeof big - 4);
		memcpy(big + sizeof big - 4, "ing", 4);
		CHECK_STR(stem(s, CHORUS_LANG_EN, big), big);
	}
	chorus_stemmer_free(s);
	chorus_stemmer_free(NULL);
}

static void test_kazakh(void)
{
	chorus_stemmer *s = chorus_stemmer_new(models);

	CHECK_STR(stem(s, CHORUS_LANG_KK, "кітаптарымыз"), "кітап");
	CHECK_STR(stem(s, CHORUS_LANG_KK, "кітаптар"), "кітап");
	CHECK_STR(stem(s, CHORUS_LANG_KK, "кітап"), "кітап");
	CHECK_STR(stem(s, CHORUS_LANG_KK, "кітабы"), "кітап");       /* б -> п after a suffix */
	CHECK_STR(stem(s, CHORUS_LANG_KK, "кітабының"), "кітап");
	CHECK_STR(stem(s, CHORUS_LANG_KK, "қалада"), stem(s, CHORUS_LANG_KK, "қаласында"));
	CHECK_STR(stem(s, CHORUS_LANG_KK, "жылдардағы"), "жыл");
	CHECK_STR(stem(s, CHORUS_LANG_KK, "мектептерде"), "мектеп");
	CHECK_STR(stem(s, CHORUS_LANG_KK, "балалардың"), "бала");
	/* the stem keeps at least three letters */
	CHECK_STR(stem(s, CHORUS_LANG_KK, "үйде"), "үйде");
	CHECK_STR(stem(s, CHORUS_LANG_KK, "ол"), "ол");
	/* negation is not a suffix: "did not go" stays apart from "went" */
	CHECK(strcmp(stem(s, CHORUS_LANG_KK, "бармады"), stem(s, CHORUS_LANG_KK, "барды")) != 0);
	CHECK_INT(chorus_models_kk_suffix(models, "лар", strlen("лар")), 1);
	CHECK_INT(chorus_models_kk_suffix(models, "xyz", 3), 0);
	CHECK(chorus_models_kk_max_letters(models) >= 4);
	chorus_stemmer_free(s);
}

/* More distinct words than the cache holds: it clears itself and every
 * answer stays the same as from a fresh stemmer. */
static void test_cache(void)
{
	chorus_stemmer *a = chorus_stemmer_new(models), *b = chorus_stemmer_new(models);
	static const char *const ends[] = { "ами", "ов", "ах", "ым", "ой" };
	char w[64];
	int ok = 1;

	for (unsigned i = 0; i < 100000; i++) {
		const char *x, *y;
		snprintf(w, sizeof w, "слово%uдом%s", i, ends[i % 5]);
		x = stem(a, CHORUS_LANG_RU, w);
		y = stem(a, CHORUS_LANG_RU, w); /* from the cache */
		if (strcmp(x, y) != 0)
			ok = 0;
		if (i % 997 == 0 && strcmp(x, stem(b, CHORUS_LANG_RU, w)) != 0)
			ok = 0;
	}
	CHECK(ok);
	CHECK_STR(stem(a, CHORUS_LANG_RU, "правозащитники"), "правозащитник");
	chorus_stemmer_free(a);
	chorus_stemmer_free(b);
}

/* ---- models folder ---- */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int load_from(const char *dir, chorus_error *err)
{
	chorus_models *m = NULL;
	const int rc = chorus_models_load(&m, dir, err);

	chorus_models_free(m);
	return rc;
}

static void test_models(void)
{
	const char *base = getenv("CHORUS_TEST_DIR");
	char dir[1024], kk[1100];
	chorus_error err;

	CHECK_STR(chorus_models_version(models), "2026.11-1");
	CHECK(strlen(chorus_models_dir(models)) > 0);
	CHECK_INT(load_from("/nonexistent/chorus-models", &err), CHORUS_EIO);
	CHECK(strstr(err.source, "/nonexistent/chorus-models") != NULL);
	snprintf(dir, sizeof dir, "%s/chorus-models-XXXXXX", base ? base : "/tmp");
	if (!mkdtemp(dir)) {
		printf("skip: cannot make %s\n", dir);
		return;
	}
	snprintf(kk, sizeof kk, "%s/kk", dir);
	mkdir(kk, 0700);
	write_file(dir, "VERSION", "\n");
	CHECK_INT(load_from(dir, &err), CHORUS_EINPUT);
	write_file(dir, "VERSION", "test-1\n");
	CHECK_INT(load_from(dir, &err), CHORUS_EIO); /* no kk/suffixes.txt */
	write_file(dir, "kk/suffixes.txt", "# only a comment\n\n");
	CHECK_INT(load_from(dir, &err), CHORUS_EINPUT);
	write_file(dir, "kk/suffixes.txt", "лар\nла р\n");
	CHECK_INT(load_from(dir, &err), CHORUS_EINPUT);
	CHECK_INT(err.line, 2);
	write_file(dir, "kk/suffixes.txt", "лар\n\xFF\n");
	CHECK_INT(load_from(dir, &err), CHORUS_EINPUT);
	write_file(dir, "kk/suffixes.txt", "  лар  # plural\r\nлер\n");
	CHECK_INT(load_from(dir, &err), 0);
	{
		chorus_models *m = NULL;
		CHECK(chorus_models_load(&m, dir, &err) == 0);
		CHECK_STR(chorus_models_version(m), "test-1");
		CHECK_INT(chorus_models_kk_suffix(m, "лар", strlen("лар")), 1);
		CHECK_INT(chorus_models_kk_suffix(m, "лер", strlen("лер")), 1);
		CHECK_INT(chorus_models_kk_max_letters(m), 3);
		for (unsigned long k = 1; k < 12; k++) { /* every allocation failing in turn */
			chorus_models *f = NULL;
			int rc;
			chorus_alloc_fail_after(k);
			rc = chorus_models_load(&f, dir, &err);
			chorus_alloc_fail_after(0);
			CHECK(rc == 0 || rc == CHORUS_ENOMEM);
			CHECK((rc == 0) == (f != NULL));
			chorus_models_free(f);
		}
		chorus_models_free(m);
	}
	snprintf(kk, sizeof kk, "%s/kk/suffixes.txt", dir);
	remove(kk);
	snprintf(kk, sizeof kk, "%s/kk", dir);
	rmdir(kk);
	snprintf(kk, sizeof kk, "%s/VERSION", dir);
	remove(kk);
	rmdir(dir);
}

int main(void)
{
	chorus_error err;

	if (chorus_models_load(&models, NULL, &err) != 0) {
		fprintf(stderr, "models: %s: %s\n", err.source, err.text);
		return 1;
	}
	test_russian_english();
	test_kazakh();
	test_cache();
	test_models();
	chorus_models_free(models);
	return check_done();
}
