/* test_import.c - the Twitter readers, detection, duplicates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "chorus/post.h"
#include "chorus/timeutil.h"
#include "import_int.h"
#include "jsonl_int.h"

static chorus_corpus *read_file(const char *path, int format, int *rc)
{
	chorus_corpus *c = chorus_corpus_new();
	chorus_read_opts o;
	chorus_error err;

	memset(&o, 0, sizeof o);
	o.format = format;
	*rc = chorus_corpus_read(c, path, &o, &err);
	return c;
}

static void test_time(void)
{
	int64_t ns;

	CHECK_INT(chorus_twitter_time("Wed Oct 10 20:19:24 +0000 2018", &ns), 0);
	CHECK_INT(ns, INT64_C(1539202764) * CHORUS_NS_PER_SEC);
	CHECK_INT(chorus_twitter_time("Wed Oct 10 20:19:24 +0600 2018", &ns), 0);
	CHECK_INT(ns, (INT64_C(1539202764) - 6 * 3600) * CHORUS_NS_PER_SEC);
	CHECK_INT(chorus_twitter_time("Wed Oct 10 20:19:24 -0130 2018", &ns), 0);
	CHECK_INT(ns, (INT64_C(1539202764) + 5400) * CHORUS_NS_PER_SEC);
	CHECK_INT(chorus_twitter_time("Wed Foo 10 20:19:24 +0000 2018", &ns), -1);
	CHECK_INT(chorus_twitter_time("Wed Oct 10 25:19:24 +0000 2018", &ns), -1);
	CHECK_INT(chorus_twitter_time("2018-10-10T20:19:24Z", &ns), -1);
	CHECK_INT(chorus_twitter_time(NULL, &ns), -1);
	CHECK_INT(chorus_twitter_time("Wed Oct 10 20:19:24 +0000 9999", &ns), -1); /* past 2261 */
}

static void test_names(void)
{
	CHECK_STR(chorus_format_name(CHORUS_FORMAT_TWITTER_V1), "twitter-v1.1");
	CHECK_INT(chorus_format_from_name("twitter-v2"), CHORUS_FORMAT_TWITTER_V2);
	CHECK_INT(chorus_format_from_name("auto"), CHORUS_FORMAT_AUTO);
	CHECK_INT(chorus_format_from_name("csv"), CHORUS_FORMAT_CSV);
	CHECK_INT(chorus_format_from_name("xml"), -1);
	CHECK(chorus_format_name(CHORUS_FORMAT_COUNT) == NULL);
}

static void test_detect(void)
{
	const char *v1 = "{\"id_str\":\"1\",\"user\":{}}", *page = "{\"data\":[],\"meta\":{}}";
	const char *flat = "{\"id\":\"1\",\"author_id\":\"2\"}", *canon = "{\"id\":\"1\",\"author\":\"a\"}";
	chorus_line l[2] = { { "not json", 8, 1 }, { NULL, 0, 2 } };

	l[1].p = v1, l[1].len = strlen(v1);
	CHECK_INT(chorus_detect_format(l, 2), CHORUS_FORMAT_TWITTER_V1);
	l[1].p = page, l[1].len = strlen(page);
	CHECK_INT(chorus_detect_format(l, 2), CHORUS_FORMAT_TWITTER_V2);
	l[1].p = flat, l[1].len = strlen(flat);
	CHECK_INT(chorus_detect_format(l, 2), CHORUS_FORMAT_TWITTER_V2);
	l[1].p = canon, l[1].len = strlen(canon);
	CHECK_INT(chorus_detect_format(l, 2), CHORUS_FORMAT_JSONL);
	CHECK_INT(chorus_detect_format(l, 1), CHORUS_FORMAT_JSONL);
}

/* Real files written by others (../shared/corpora/formats), when present. */
static void test_shared(void)
{
	const char *dir = getenv("CHORUS_SHARED");
	char path[4096];
	chorus_corpus *c;
	const chorus_input_stats *st;
	int rc;

	snprintf(path, sizeof path, "%s/corpora/formats/twitter-v1.1/2016-10-10.json",
		 dir ? dir : "../shared");
	c = read_file(path, CHORUS_FORMAT_AUTO, &rc);
	st = chorus_corpus_input(c, 0);
	if (rc == CHORUS_EIO) {
		printf("skip: %s not found\n", path);
		chorus_corpus_free(c);
		return;
	}
	CHECK_INT(rc, 0);
	CHECK_STR(st->format, "twitter-v1.1");
	CHECK_INT(st->format_auto, 1);
	CHECK_INT(st->records, 203);
	CHECK_INT(st->skipped, 2); /* the two header lines */
	CHECK_INT(st->reposts, 26);
	CHECK_STR(chorus_corpus_posts(c)[0].extra->author_handle.p, "nytimes");
	CHECK_INT(chorus_corpus_posts(c)[0].extra->raw_sha256.len, 64);
	chorus_corpus_free(c);

	/* The same 100 tweets, flat and as response pages. */
	snprintf(path, sizeof path, "%s/corpora/formats/twarc2/flat.jsonl", dir ? dir : "../shared");
	c = read_file(path, CHORUS_FORMAT_AUTO, &rc);
	CHECK_INT(rc, 0);
	snprintf(path, sizeof path, "%s/corpora/formats/twarc2/noflat.jsonl", dir ? dir : "../shared");
	CHECK_INT(chorus_corpus_read(c, path, NULL, NULL), 0);
	CHECK_INT(chorus_corpus_input(c, 0)->records, 100);
	CHECK_INT(chorus_corpus_input(c, 0)->reposts, 47);
	CHECK_INT(chorus_corpus_input(c, 1)->records, 100);
	CHECK_INT(chorus_corpus_dedup(c, 0), 100);
	CHECK_INT(chorus_corpus_count(c), 100);
	CHECK_INT(chorus_corpus_input(c, 1)->duplicates, 100);
	CHECK_INT(chorus_corpus_input(c, 1)->records, 0);
	chorus_corpus_free(c);

	/* A stream cut short: the truncated line is a bad record, the rest kept. */
	snprintf(path, sizeof path, "%s/corpora/formats/twarc2/streaming_output_with_error.jsonl",
		 dir ? dir : "../shared");
	c = read_file(path, CHORUS_FORMAT_TWITTER_V2, &rc);
	CHECK_INT(rc, 0);
	CHECK_INT(chorus_corpus_input(c, 0)->format_auto, 0);
	CHECK_INT(chorus_corpus_input(c, 0)->records, 7);
	CHECK_INT(chorus_corpus_input(c, 0)->skipped, 1);
	chorus_corpus_free(c);
}

static chorus_corpus *read_mem(const char *text, int format, size_t max_record, int *rc)
{
	const chorus_input_limits lim = { 0, 64, 2 }; /* records cross batches */
	chorus_corpus *c = chorus_corpus_new();
	chorus_read_opts o;
	chorus_error err;

	memset(&o, 0, sizeof o);
	o.format = format;
	o.max_record = max_record;
	*rc = chorus_corpus_read_jsonl_mem(c, "mem", text, strlen(text), &o, &lim, &err);
	return c;
}

static void test_split(void)
{
	int rc;
	/* "messages" in a string is not a key; braces in strings are text; the
	 * chat's id prefixes the message id. */
	chorus_corpus *c = read_mem(
		"{\"name\": \"\\\"messages\\\": [{\", \"id\": 5,\n"
		" \"messages\": [\n"
		"  {\"id\": 1, \"type\": \"message\", \"date_unixtime\": \"1588065245\",\n"
		"   \"from_id\": \"user1\", \"text\": \"a {[}] b \\\" c\"},\n"
		"  {\"id\": 2, \"type\": \"service\", \"date_unixtime\": \"1588065245\"}\n"
		" ]\n}\n", CHORUS_FORMAT_TELEGRAM, 0, &rc);
	CHECK_INT(rc, 0);
	CHECK_INT(chorus_corpus_count(c), 1);
	if (chorus_corpus_count(c) == 1) {
		CHECK_STR(chorus_corpus_posts(c)[0].id.p, "5:1");
		CHECK_STR(chorus_corpus_posts(c)[0].text.p, "a {[}] b \" c");
		CHECK_INT(chorus_corpus_posts(c)[0].line, 3);
	}
	CHECK_INT(chorus_corpus_input(c, 0)->ignored, 1);
	chorus_corpus_free(c);

	/* Mastodon, one status per line; a status too long is skipped, the
	 * rest read. */
	c = read_mem("{\"uri\":\"u1\",\"account\":{\"acct\":\"a\"},\"content\":\"<p>x &amp; y</p>\","
		     "\"created_at\":\"2020-01-01T00:00:00Z\"}\n"
		     "{\"uri\":\"u2\",\"account\":{\"acct\":\"b\"},\"content\":\"<p>"
		     "long long long long long long long long long long long long long long long"
		     "</p>\",\"created_at\":\"2020-01-01T00:00:00Z\"}\n"
		     "{\"uri\":\"u3\",\"account\":{\"acct\":\"c\"},\"content\":\"z\","
		     "\"created_at\":\"2020-01-01T00:00:00Z\"}\n", CHORUS_FORMAT_MASTODON, 150, &rc);
	CHECK_INT(rc, 0);
	CHECK_INT(chorus_corpus_count(c), 2);
	CHECK_INT(chorus_corpus_input(c, 0)->skipped, 1);
	if (chorus_corpus_count(c) == 2) {
		CHECK_STR(chorus_corpus_posts(c)[0].text.p, "x & y");
		CHECK_STR(chorus_corpus_posts(c)[1].id.p, "u3");
	}
	chorus_corpus_free(c);

	/* A Bluesky feed response: its posts are records, the response is not. */
	c = read_mem("{\"feed\":[{\"post\":{\"uri\":\"at://d/p/1\",\"author\":{\"did\":\"d\"},"
		     "\"record\":{\"text\":\"t\",\"createdAt\":\"2020-01-01T00:00:00Z\"},"
		     "\"indexedAt\":\"2020-01-01T00:00:02Z\"}}],\"cursor\":\"x\"}\n",
		     CHORUS_FORMAT_BLUESKY, 0, &rc);
	CHECK_INT(rc, 0);
	CHECK_INT(chorus_corpus_count(c), 1);
	CHECK_INT(chorus_corpus_input(c, 0)->skipped, 0);
	if (chorus_corpus_count(c) == 1)
		CHECK_INT(chorus_corpus_posts(c)[0].extra->server_time,
			  (INT64_C(1577836800) + 2) * CHORUS_NS_PER_SEC);
	chorus_corpus_free(c);
}

static void test_csv_time(void)
{
	int64_t ns;

	CHECK_INT(chorus_csv_time("2020-04-28 09:14", &ns), 0);
	CHECK_INT(ns, INT64_C(1588065240) * CHORUS_NS_PER_SEC);
	CHECK_INT(chorus_csv_time("4/28/2020 9:14", &ns), 0);
	CHECK_INT(ns, INT64_C(1588065240) * CHORUS_NS_PER_SEC);
	CHECK_INT(chorus_csv_time("2020-04-28 09:14:05", &ns), 0);
	CHECK_INT(ns, INT64_C(1588065245) * CHORUS_NS_PER_SEC);
	CHECK_INT(chorus_csv_time("2020-04-28T09:14:05+06:00", &ns), 0);
	CHECK_INT(ns, (INT64_C(1588065245) - 6 * 3600) * CHORUS_NS_PER_SEC);
	CHECK_INT(chorus_csv_time("1588065245", &ns), 0);
	CHECK_INT(ns, INT64_C(1588065245) * CHORUS_NS_PER_SEC);
	CHECK_INT(chorus_csv_time("2020-04-28", &ns), 0);
	CHECK_INT(chorus_csv_time("28.04.2020", &ns), -1);
	CHECK_INT(chorus_csv_time("13/1/2020 9:14", &ns), -1);
	CHECK_INT(chorus_csv_time("", &ns), -1);
	CHECK_INT(chorus_csv_time("99999999999999999999", &ns), -1);
}

static void test_csv_records(void)
{
	int rc;
	chorus_corpus *c;
	chorus_read_opts o;
	const chorus_input_limits lim = { 0, 64, 2 };
	chorus_error err;
	/* The toolkit's columns by position, whatever their names; a field with
	 * a line break, quotes and commas; a record cut by a batch boundary. */
	const char *text = "a,b,c,d,e,f,g,h\n"
			   "m1,u1,n1,,,\"one, \"\"two\"\"\nthree\",1588065245,\n"
			   "m2,u2,n2,m1,,plain,1588065300,\n";

	c = chorus_corpus_new();
	memset(&o, 0, sizeof o);
	o.format = CHORUS_FORMAT_CNT;
	rc = chorus_corpus_read_jsonl_mem(c, "mem", text, strlen(text), &o, &lim, &err);
	CHECK_INT(rc, 0);
	CHECK_INT(chorus_corpus_count(c), 2);
	if (chorus_corpus_count(c) == 2) {
		CHECK_STR(chorus_corpus_posts(c)[0].text.p, "one, \"two\"\nthree");
		CHECK_INT(chorus_corpus_posts(c)[0].line, 2);
		CHECK_INT(chorus_corpus_posts(c)[1].line, 4);
		CHECK(chorus_corpus_posts(c)[1].flags & CHORUS_POST_REPOST);
	}
	chorus_corpus_free(c);

	/* A map naming a missing column is refused before any record. */
	c = chorus_corpus_new();
	o.format = CHORUS_FORMAT_CSV;
	o.csv_map = "id=a,author=b,text=zz,created_at=g";
	rc = chorus_corpus_read_jsonl_mem(c, "mem", text, strlen(text), &o, &lim, &err);
	CHECK_INT(rc, CHORUS_EUSAGE);
	CHECK(strstr(err.text, "no column 'zz'") != NULL);
	chorus_corpus_free(c);
}

int main(void)
{
	test_time();
	test_names();
	test_detect();
	test_shared();
	test_split();
	test_csv_time();
	test_csv_records();
	return check_done();
}
