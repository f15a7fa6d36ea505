/*
 * bench_normalise.c - single-thread throughput of chorus_norm_run on real
 * Telegram posts.
 *
 *   bench_normalise [DIR] [--runs R] [--repeat K] [--split N]
 *
 * DIR holds *.json files (JSON arrays of objects with a "text" string;
 * default $CHORUS_SHARED/corpora/telegram-ru, else ../shared/corpora/
 * telegram-ru).  The posts are loaded once, then each configuration (full:
 * detect + stem; with a language hint; no stemming; no stemming nor
 * homoglyphs) is run once as a warm-up and R times measured (default 7),
 * K passes over the posts per run (default 1), each run on a new workspace
 * so the stem cache starts cold.  With --split N (default 250; 0 = off) the posts are
 * also cut at white space into pieces of at most N bytes, the size the
 * throughput target is stated for, and measured again.  Prints the median
 * posts/s, MB/s and ns/post, and the one-off cost of loading the models
 * (which builds the Unicode table).
 * Never fails: without data it says so and exits 0.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chorus/models.h"
#include "chorus/normalise.h"

#include "bench_util.h"

typedef struct post {
	char *text;
	size_t len;
} post;

typedef struct posts {
	post *v;
	size_t n, cap, bytes;
} posts;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *d = NULL;
	long n;

	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (d = malloc((size_t)n + 1)) && fread(d, 1, (size_t)n, f) == (size_t)n)
		d[n] = '\0';
	else {
		free(d);
		d = NULL;
	}
	if (f)
		fclose(f);
	return d;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0;
}

/* Decode the JSON string at p (after the quote) into out; return its end. */
static const char *json_string(const char *p, char *out, size_t *len)
{
	size_t o = 0;

	for (; *p && *p != '"'; p++) {
		if (*p != '\\' || !p[1]) {
			out[o++] = *p;
			continue;
		}
		p++;
		if (*p == 'u' && p[1] && p[2] && p[3] && p[4]) {
			unsigned v = (unsigned)(hexval(p[1]) << 12 | hexval(p[2]) << 8 |
						hexval(p[3]) << 4 | hexval(p[4]));
			p += 4;
			if (v < 0x80) {
				out[o++] = (char)v;
			} else if (v < 0x800) {
				out[o++] = (char)(0xC0 | (v >> 6));
				out[o++] = (char)(0x80 | (v & 0x3F));
			} else { /* surrogates come out as U+FFFD-like junk: dropped later */
				out[o++] = (char)(0xE0 | (v >> 12));
				out[o++] = (char)(0x80 | ((v >> 6) & 0x3F));
				out[o++] = (char)(0x80 | (v & 0x3F));
			}
			continue;
		}
		out[o++] = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'r' ? '\r' : *p;
	}
	*len = o;
	return p;
}

static void add_post(posts *ps, char *t, size_t len)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? 2 * ps->cap : 1024;
		ps->v = realloc(ps->v, ps->cap * sizeof *ps->v);
		if (!ps->v)
			exit(1);
	}
	ps->v[ps->n].text = t;
	ps->v[ps->n++].len = len;
	ps->bytes += len;
}

static void add_file(posts *ps, const char *path)
{
	char *data = slurp(path);

	if (!data)
		return;
	for (const char *p = data; (p = strstr(p, "\"text\": \"")) != NULL;) {
		char *t = malloc(strlen(p) + 1);
		size_t len;
		if (!t)
			break;
		p = json_string(p + 9, t, &len);
		add_post(ps, t, len);
	}
	free(data);
}

static void load_dir(posts *ps, const char *dir)
{
	char path[4096];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!strstr(e->d_name, ".json"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		add_file(ps, path);
	}
	closedir(d);
}

/* Pieces of at most max bytes, cut after a space or a line break where
 * there is one, else before a UTF-8 lead byte.  They point into src. */
static void split(const posts *src, posts *dst, size_t max)
{
	for (size_t i = 0; i < src->n; i++) {
		char *p = src->v[i].text;
		size_t left = src->v[i].len;
		while (left > 0) {
			size_t cut = left;
			if (left > max) {
				cut = max;
				while (cut > max / 2 && p[cut - 1] != ' ' && p[cut - 1] != '\n')
					cut--;
				if (cut == max / 2)
					for (cut = max; cut > 1 && ((unsigned char)p[cut] & 0xC0) == 0x80; cut--)
						;
			}
			add_post(dst, p, cut);
			p += cut;
			left -= cut;
		}
	}
}

static double one_run(chorus_norm *w, const posts *ps, const char *hint, int repeat)
{
	const double t0 = bench_now();
	size_t sink = 0;

	for (int r = 0; r < repeat; r++) {
		for (size_t i = 0; i < ps->n; i++) {
			chorus_normalised nz;
			if (chorus_norm_run(w, ps->v[i].text, ps->v[i].len, hint, &nz) == 0)
				sink += nz.ntokens;
		}
	}
	if (sink == 0)
		printf("(no tokens?)\n");
	return bench_now() - t0;
}

/* Each measured run gets a fresh workspace, so the stem cache starts cold
 * and sees the corpus once per pass, as a stream would. */
static void bench(const char *name, const chorus_models *m, unsigned flags, const char *hint,
		  const posts *ps, int runs, int repeat)
{
	double t[64];
	double med, total;

	for (int r = -1; r < runs; r++) { /* r = -1: warm-up */
		chorus_norm *w = chorus_norm_new(m, flags);
		if (!w) {
			printf("%-28s out of memory\n", name);
			return;
		}
		if (r >= 0)
			t[r] = one_run(w, ps, hint, repeat);
		else
			one_run(w, ps, hint, 1);
		chorus_norm_free(w);
	}
	qsort(t, (size_t)runs, sizeof t[0], bench_cmp_double);
	med = t[runs / 2];
	total = (double)ps->n * repeat;
	printf("%-28s %10.0f posts/s %8.1f MB/s %8.0f ns/post\n", name, total / med,
	       (double)ps->bytes * repeat / med / 1e6, med / total * 1e9);
}

static void measure(const chorus_models *m, const posts *ps, int runs, int repeat)
{
	printf("\n%zu posts, %.1f MB, mean %.0f bytes/post; median of %d runs x %d passes, "
	       "1 thread\n", ps->n, ps->bytes / 1e6, (double)ps->bytes / ps->n, runs, repeat);
	bench("full (detect + stem)", m, 0, NULL, ps, runs, repeat);
	bench("full, hint \"ru\"", m, 0, "ru", ps, runs, repeat);
	bench("no stem", m, CHORUS_NORM_NO_STEM, NULL, ps, runs, repeat);
	bench("no stem, no homoglyph", m, CHORUS_NORM_NO_STEM | CHORUS_NORM_NO_HOMOGLYPH, NULL, ps,
	      runs, repeat);
}

int main(int argc, char **argv)
{
	const char *shared = getenv("CHORUS_SHARED");
	char def[1024];
	const char *dir = NULL;
	int runs = 7, repeat = 1;
	long piece = 250;
	posts ps = { 0 }, pieces = { 0 };
	chorus_models *m = NULL;
	chorus_error err;
	double t0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			repeat = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--split") && i + 1 < argc)
			piece = atol(argv[++i]);
		else
			dir = argv[i];
	}
	runs = runs < 1 ? 1 : runs > 64 ? 64 : runs;
	repeat = repeat < 1 ? 1 : repeat;
	snprintf(def, sizeof def, "%s/corpora/telegram-ru", shared ? shared : "../shared");
	load_dir(&ps, dir ? dir : def);
	if (ps.n == 0) {
		printf("bench_normalise: no posts found in %s (nothing measured)\n", dir ? dir : def);
		return 0;
	}
	t0 = bench_now();
	if (chorus_models_load(&m, NULL, &err) != 0) {
		printf("bench_normalise: models: %s: %s\n", err.source, err.text);
		return 0;
	}
	printf("models load (incl. Unicode table): %.1f ms\n", (bench_now() - t0) * 1e3);
	measure(m, &ps, runs, repeat);
	if (piece > 16) {
		split(&ps, &pieces, (size_t)piece);
		measure(m, &pieces, runs, repeat);
		free(pieces.v);
	}
	chorus_models_free(m);
	for (size_t i = 0; i < ps.n; i++)
		free(ps.v[i].text);
	free(ps.v);
	return 0;
}
