/* test_store.c - the evidence store: commit, reopen, torn last records,
 * damage, orphans, the lock, the checkpoint. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "store.h"

static char base[256];
static unsigned warnings;

static void on_warn(void *ud, const char *msg)
{
	(void)ud;
	(void)msg;
	warnings++;
}

static void fresh(char *dir, const char *name)
{
	snprintf(dir, 512, "%s/%s", base, name);
	{
		char cmd[700];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			abort();
	}
}

static json_t *meta(const char *spec)
{
	return json_pack("{s:s, s:i, s:{s:s}}", "format", "chorus-store", "version", 1, "source",
			 "spec", spec);
}

static chorus_store *open_w(const char *dir, const char *spec, int *rc, chorus_error *err)
{
	chorus_store *st = NULL;
	json_t *m = meta(spec);

	chorus_error_clear(err);
	*rc = chorus_store_open(&st, dir, CHORUS_STORE_WRITE, m, on_warn, NULL, err);
	json_decref(m);
	return st;
}

static int add_page(chorus_store *st, const char *body, chorus_error *err)
{
	json_t *rec = json_pack("{s:s, s:s, s:i, s:{s:s}}", "kind", "response", "url",
				"http://127.0.0.1/p", "status", 200, "page", "format", "mastodon");
	int rc = chorus_store_add_response(st, rec, body, strlen(body), err);
	json_decref(rec);
	return rc;
}

static void append_raw(const char *dir, const char *name, const char *bytes)
{
	char path[700];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "ab");
	if (!f)
		abort();
	fputs(bytes, f);
	fclose(f);
}

static void test_roundtrip(void)
{
	char dir[512], path[4096];
	chorus_error err;
	chorus_store *st;
	int rc;

	fresh(dir, "rt");
	st = open_w(dir, "mastodon:tag:x", &rc, &err);
	CHECK_INT(rc, 0);
	CHECK_INT(chorus_store_count(st), 0);
	CHECK_INT(add_page(st, "[1]", &err), 0);
	CHECK_INT(add_page(st, "[2]", &err), 0);
	CHECK_INT(add_page(st, "[1]", &err), 0); /* the same bytes: one body file */
	{
		json_t *state = json_pack("{s:s}", "next", "http://127.0.0.1/p?max_id=5");
		CHECK_INT(chorus_store_checkpoint(st, state, &err), 0);
		json_decref(state);
	}
	chorus_store_close(st);

	chorus_error_clear(&err);
	rc = chorus_store_open(&st, dir, CHORUS_STORE_READ, NULL, on_warn, NULL, &err);
	CHECK_INT(rc, 0);
	CHECK_INT(chorus_store_count(st), 3);
	CHECK_INT(json_integer_value(json_object_get(chorus_store_record(st, 2), "seq")), 3);
	CHECK_STR(json_string_value(json_object_get(chorus_store_record(st, 0), "sha256")),
		  "080a9ed428559ef602668b4c00f114f1a11c3f6b02a435f0bdc154578e4d7f22");
	CHECK_INT(chorus_store_body_path(st, chorus_store_record(st, 1), path, sizeof path), 0);
	{
		size_t n;
		char *b = check_slurp(path, &n);
		CHECK(b && n == 3 && !memcmp(b, "[2]", 3));
		free(b);
	}
	CHECK_INT(json_integer_value(json_object_get(chorus_store_checkpoint_get(st), "seq")), 3);
	chorus_store_close(st);

	/* another collection's folder is refused */
	st = open_w(dir, "mastodon:tag:y", &rc, &err);
	CHECK_INT(rc, CHORUS_EUSAGE);
	CHECK(st == NULL);
}

static void test_torn_and_orphans(void)
{
	char dir[512], path[700];
	chorus_error err;
	chorus_store *st;
	struct stat sb;
	int rc;

	fresh(dir, "torn");
	st = open_w(dir, "telegram:x", &rc, &err);
	CHECK_INT(add_page(st, "<html>1</html>", &err), 0);
	chorus_store_close(st);
	/* a run cut off mid-line, and a body written without its line */
	append_raw(dir, "journal.jsonl", "{\"seq\":2,\"kind\":\"resp");
	append_raw(dir, "bodies/0000000000000000000000000000000000000000000000000000000000000000.raw", "x");
	append_raw(dir, "bodies/1111111111111111111111111111111111111111111111111111111111111111.raw.tmp.123", "x");
	append_raw(dir, "bodies/notes.txt", "someone else's file");

	warnings = 0;
	rc = chorus_store_open(&st, dir, CHORUS_STORE_READ, NULL, on_warn, NULL, &err);
	CHECK_INT(rc, 0);
	CHECK_INT(chorus_store_count(st), 1);
	CHECK_INT(warnings, 1);
	chorus_store_close(st);
	snprintf(path, sizeof path,
		 "%s/bodies/1111111111111111111111111111111111111111111111111111111111111111.raw.tmp.123", dir);
	CHECK_INT(stat(path, &sb), 0); /* a reader repairs nothing */

	warnings = 0;
	st = open_w(dir, "telegram:x", &rc, &err);
	CHECK_INT(rc, 0);
	CHECK_INT(warnings, 3); /* the torn line, two orphans */
	CHECK(stat(path, &sb) != 0);
	snprintf(path, sizeof path, "%s/bodies/notes.txt", dir);
	CHECK_INT(stat(path, &sb), 0); /* not a name the store makes: kept */
	CHECK_INT(add_page(st, "<html>2</html>", &err), 0);
	chorus_store_close(st);
	warnings = 0;
	rc = chorus_store_open(&st, dir, CHORUS_STORE_READ, NULL, on_warn, NULL, &err);
	CHECK_INT(rc, 0);
	CHECK_INT(warnings, 0);
	CHECK_INT(chorus_store_count(st), 2);
	CHECK_INT(json_integer_value(json_object_get(chorus_store_record(st, 1), "seq")), 2);
	chorus_store_close(st);
}

static void test_damage(void)
{
	char dir[512], path[4096];
	chorus_error err;
	chorus_store *st;
	int rc;

	/* a bad line before the last */
	fresh(dir, "dmg1");
	st = open_w(dir, "feed:http://127.0.0.1/f", &rc, &err);
	CHECK_INT(add_page(st, "<rss/>", &err), 0);
	chorus_store_close(st);
	append_raw(dir, "journal.jsonl", "garbage\n{\"seq\":3,\"kind\":\"run\"}\n");
	rc = chorus_store_open(&st, dir, CHORUS_STORE_READ, NULL, on_warn, NULL, &err);
	CHECK_INT(rc, CHORUS_EINPUT);
	CHECK_INT(err.line, 2);
	CHECK(strstr(err.source, "journal.jsonl") != NULL);
	CHECK(strstr(err.text, "damaged") != NULL);

	/* a body changed after the fact */
	fresh(dir, "dmg2");
	st = open_w(dir, "feed:http://127.0.0.1/f", &rc, &err);
	CHECK_INT(add_page(st, "<rss>a</rss>", &err), 0);
	CHECK_INT(chorus_store_body_path(st, chorus_store_record(st, 0), path, sizeof path), 0);
	chorus_store_close(st);
	chmod(path, 0644);
	{
		FILE *f = fopen(path, "wb");
		fputs("<rss>b</rss>", f);
		fclose(f);
	}
	rc = chorus_store_open(&st, dir, CHORUS_STORE_READ, NULL, on_warn, NULL, &err);
	CHECK_INT(rc, CHORUS_EINPUT);
	CHECK(strstr(err.text, "does not match") != NULL);

	/* seq out of order, even on the last line */
	fresh(dir, "dmg3");
	st = open_w(dir, "feed:http://127.0.0.1/f", &rc, &err);
	chorus_store_close(st);
	append_raw(dir, "journal.jsonl", "{\"seq\":1,\"kind\":\"run\"}\n{\"seq\":5,\"kind\":\"run\"}\n");
	rc = chorus_store_open(&st, dir, CHORUS_STORE_READ, NULL, on_warn, NULL, &err);
	CHECK_INT(rc, CHORUS_EINPUT);
	CHECK_INT(err.line, 2);

	/* a complete last line that is bad is damage, not a torn record */
	fresh(dir, "dmg5");
	st = open_w(dir, "feed:http://127.0.0.1/f", &rc, &err);
	chorus_store_close(st);
	append_raw(dir, "journal.jsonl", "{\"seq\":1,\"kind\":\"run\"}\n{\"seq\":2,\"ki\n");
	rc = chorus_store_open(&st, dir, CHORUS_STORE_READ, NULL, on_warn, NULL, &err);
	CHECK_INT(rc, CHORUS_EINPUT);
	CHECK_INT(err.line, 2);

	/* a record over 1 MiB is refused, and the store stays writable */
	fresh(dir, "big");
	st = open_w(dir, "feed:http://127.0.0.1/f", &rc, &err);
	{
		char *big = malloc(1100000);
		json_t *rec;
		memset(big, 'a', 1099999);
		big[1099999] = 0;
		rec = json_pack("{s:s, s:s}", "kind", "run", "note", big);
		CHECK_INT(chorus_store_add(st, rec, &err), CHORUS_ELIMIT);
		json_decref(rec);
		free(big);
	}
	CHECK_INT(add_page(st, "<rss>c</rss>", &err), 0);
	chorus_store_close(st);
	rc = chorus_store_open(&st, dir, CHORUS_STORE_READ, NULL, on_warn, NULL, &err);
	CHECK_INT(rc, 0);
	CHECK_INT(chorus_store_count(st), 1);
	chorus_store_close(st);

	/* a record pointing outside the store */
	fresh(dir, "dmg4");
	st = open_w(dir, "feed:http://127.0.0.1/f", &rc, &err);
	chorus_store_close(st);
	append_raw(dir, "journal.jsonl", "{\"seq\":1,\"kind\":\"response\",\"bytes\":1,\"sha256\":"
		   "\"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03\","
		   "\"body\":\"bodies/../../../etc/passwd\"}\n{\"seq\":2,\"kind\":\"run\"}\n");
	rc = chorus_store_open(&st, dir, CHORUS_STORE_READ, NULL, on_warn, NULL, &err);
	CHECK_INT(rc, CHORUS_EINPUT);

	/* not a store */
	rc = chorus_store_open(&st, base, CHORUS_STORE_READ, NULL, on_warn, NULL, &err);
	CHECK_INT(rc, CHORUS_EINPUT);
	CHECK(strstr(err.text, "not a chorus store") != NULL);
}

static void test_lock(void)
{
	char dir[512];
	chorus_error err;
	chorus_store *a, *b;
	int rc;

	fresh(dir, "lock");
	a = open_w(dir, "mastodon:public", &rc, &err);
	CHECK_INT(rc, 0);
	b = open_w(dir, "mastodon:public", &rc, &err);
	CHECK_INT(rc, CHORUS_ERR);
	CHECK(b == NULL);
	CHECK(strstr(err.text, "in use") != NULL);
	chorus_store_close(a);
	b = open_w(dir, "mastodon:public", &rc, &err);
	CHECK_INT(rc, 0);
	chorus_store_close(b);
}

int main(void)
{
	const char *t = getenv("CHORUS_TEST_DIR");

	snprintf(base, sizeof base, "%s/store-test", t && *t ? t : "/tmp");
	{
		char cmd[700];
		snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", base, base);
		if (system(cmd) != 0)
			return 1;
	}
	test_roundtrip();
	test_torn_and_orphans();
	test_damage();
	test_lock();
	return check_done();
}
