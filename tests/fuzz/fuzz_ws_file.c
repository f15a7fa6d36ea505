/*
 * fuzz_ws_file.c - a workspace file from anywhere: the bytes become
 * workspace.sqlite in a fresh folder, which is opened for writing; when it
 * opens, a night of three posts runs over it and every active cluster is
 * loaded for a report.  Whatever the bytes, each step returns a code with
 * a message (a damaged or foreign file is refused, never trusted): no
 * crash, no overrun, no leak under the sanitizers.  Seeds: small real
 * workspaces (tests/fuzz/corpus/fuzz_ws_file/, page size 512).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chorus/workspace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static chorus_models *models;
static char dir[64];
static const char *night_posts =
	"{\"id\":\"n1\",\"author\":\"a\",\"text\":\"one two three four five six seven eight nine\","
	"\"created_at\":\"2020-04-02T00:00:00Z\"}\n"
	"{\"id\":\"n2\",\"author\":\"b\",\"text\":\"one two three four five six seven eight ten\","
	"\"created_at\":\"2020-04-02T01:00:00Z\"}\n"
	"{\"id\":\"n3\",\"author\":\"c\",\"text\":\"one two three four five six seven eight nine\","
	"\"created_at\":\"2020-03-02T01:00:00Z\"}\n";

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(p, 1, n, f) == n;

	return (f && fclose(f) == 0 && ok) ? 0 : -1;
}

static void setup(void)
{
	chorus_error err;

	if (models)
		return;
	snprintf(dir, sizeof dir, "/tmp/chorus-fuzz-ws.%ld", (long)getpid());
	if (chorus_models_load(&models, NULL, &err))
		abort();
}

static void night(chorus_ws *ws, const char *posts)
{
	chorus_corpus *c = chorus_corpus_new(), *rc_corpus = NULL;
	chorus_read_opts ro = { 0 };
	chorus_ws_night_opts o = { 0 };
	chorus_ws_night *n = NULL;
	chorus_scan *s = NULL;
	chorus_error err;

	chorus_error_clear(&err);
	if (!c || chorus_corpus_read(c, posts, &ro, &err))
		abort();
	if (chorus_ws_check_versions(ws, chorus_models_version(models), &err) == 0 &&
	    chorus_ws_run_night(ws, c, models, &o, &n, &err) != 0 && !err.text[0])
		abort();
	chorus_ws_night_free(n);
	chorus_error_clear(&err);
	if (chorus_ws_load_clusters(ws, NULL, 0, models, 1, &rc_corpus, &s, &err) != 0 &&
	    !err.text[0])
		abort();
	chorus_scan_free(s);
	chorus_corpus_free(rc_corpus);
	chorus_corpus_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const leftovers[] = { CHORUS_WS_FILE, CHORUS_WS_FILE "-journal", "lock",
						 "night.jsonl" };
	char path[128], posts[128];
	chorus_ws *ws = NULL;
	chorus_error err;

	setup();
	mkdir(dir, 0700);
	for (size_t k = 0; k < sizeof leftovers / sizeof leftovers[0]; k++) {
		snprintf(path, sizeof path, "%s/%s", dir, leftovers[k]);
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/%s", dir, CHORUS_WS_FILE);
	snprintf(posts, sizeof posts, "%s/night.jsonl", dir);
	if (write_file(path, data, size) || write_file(posts, night_posts, strlen(night_posts)))
		abort();
	chorus_error_clear(&err);
	if (chorus_ws_open(dir, CHORUS_WS_WRITE, &ws, &err) != 0) {
		if (!err.text[0])
			abort();
		return 0;
	}
	night(ws, posts);
	chorus_ws_close(ws);
	return 0;
}
