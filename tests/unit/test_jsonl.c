/* test_jsonl.c - the canonical JSONL reader: fields, errors, gzip, strict
 * mode, determinism across thread counts, allocation failure. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "check.h"
#include "chorus/alloc.h"
#include "chorus/post.h"
#include "chorus/sha256.h"
#include "chorus/timeutil.h"
#include "jsonl_int.h"

static char dir[1024];

static const char *path_of(const char *name)
{
	static char p[4][2048];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
	return p[k];
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(2);
	}
	fclose(f);
}

/* Errors reported through on_error, as the CLI would print them (without
 * the directory). */
#define MAX_ERRS 4096
struct errs {
	char line[MAX_ERRS][560];
	size_t n;
};

static void on_error(void *ud, const chorus_error *e)
{
	struct errs *es = ud;
	const char *base = strrchr(e->source, '/');

	if (es->n < MAX_ERRS)
		snprintf(es->line[es->n], sizeof es->line[0], "%s:%llu: %s",
			 base ? base + 1 : e->source, (unsigned long long)e->line, e->text);
	es->n++;
}

static struct errs errs;
static uint64_t progress_bytes;

static void on_progress(void *ud, const char *path, uint64_t bytes)
{
	(void)ud;
	(void)path;
	progress_bytes = bytes;
}

static int read_file(chorus_corpus *c, const char *name, const void *p, size_t n,
		     int strict, chorus_error *err)
{
	chorus_read_opts o;

	memset(&o, 0, sizeof o);
	o.strict = strict;
	o.threads = 2;
	o.on_error = on_error;
	o.on_progress = on_progress;
	o.ud = &errs;
	errs.n = 0;
	progress_bytes = 0;
	write_file(path_of(name), p, n);
	return chorus_corpus_read_jsonl(c, path_of(name), &o, err);
}

static int str_is(chorus_str s, const char *want)
{
	if (!want)
		return s.p == NULL && s.len == 0;
	return s.p && s.len == strlen(want) && memcmp(s.p, want, s.len) == 0 &&
	       s.p[s.len] == '\0';
}

#define T0 "\"created_at\":\"2020-04-28T09:14:05Z\""
#define EPOCH INT64_C(1588065245)

static const char fields_text[] =
	"{\"id\":\"a1\",\"author\":\"u1\",\"text\":\"hello\"," T0 "}\n"
	"{\"id\":18446744073709551616123,\"author\":1234567890123456789,\"text\":\"x\","
	"\"created_at\":1588065245}\n"
	"{\"author\":9223372036854775807,\"id\":-9223372036854775808,\"text\":\"y\","
	"\"created_at\":\"2020-04-28T15:14:05+06:00\"}\n"
	"{\"id\":9223372036854775808,\"author\":\"-18446744073709551616\",\"text\":\"z\","
	"\"created_at\":\"2020-04-28T05:44:05.123-03:30\",\"views\":123456789012345678901234567890,"
	"\"score\":1.5e300,\"n\":[-99999999999999999999, 0.12345678901234567890123]}\n"
	"{\"id\":\"n\",\"author\":\"u\",\"text\":\"\"," T0 ",\"platform\":null,\"url\":null,"
	"\"lang\":null,\"repost_of\":null,\"reply_to\":null,\"author_created_at\":null}\n"
	"{\"id\":\"r\",\"author\":\"u\",\"text\":\"t\"," T0 ",\"platform\":\"telegram\","
	"\"url\":\"https://t.me/x/1\",\"lang\":\"ru\",\"repost_of\":123,\"reply_to\":\"r1\","
	"\"author_created_at\":1500000000}\n"
	"{\"id\":\"e\",\"author\":\"u\",\"text\":\"\\u041f\\u0440\\u0438\\u0432\\u0435\\u0442 "
	"\xd0\xbc\xd0\xb8\xd1\x80 \\ud83d\\ude00 \\\"q\\\"\\n\"," T0 "}\n"
	"{\"meta\":{\"a\":[1,2,{\"b\":null}],\"s\":\"\\\"12345678901234567890123\"},"
	"\"id\":\"m\",\"author\":\"u\",\"text\":\"t\",\"created_at\":\"2020-04-28t09:14:05.5z\","
	"\"big\":-123456789012345678901234, \"reply_to\":77777777777777777777777,"
	"\"repost_of\":\"\",\"lang\":\"\"}\n"
	"{\"id\":\"last\",\"author\":\"u\",\"text\":\"no newline\"," T0 "}";

static void test_fields(void)
{
	chorus_corpus *c = chorus_corpus_new();
	chorus_error err;
	const chorus_post *p;
	const chorus_input_stats *st;

	CHECK_INT(read_file(c, "fields.jsonl", fields_text, sizeof fields_text - 1, 0, &err), 0);
	for (size_t i = 0; i < errs.n && i < 5; i++)
		fprintf(stderr, "unexpected: %s\n", errs.line[i]);
	CHECK_INT(errs.n, 0);
	CHECK_INT(progress_bytes, sizeof fields_text - 1);
	CHECK_INT(chorus_corpus_count(c), 9);
	p = chorus_corpus_posts(c);
	CHECK(str_is(p[0].id, "a1") && str_is(p[0].author, "u1") && str_is(p[0].text, "hello"));
	CHECK_INT(p[0].created_at, EPOCH * CHORUS_NS_PER_SEC);
	CHECK(p[0].extra == NULL);
	CHECK_INT(p[0].line, 1);
	CHECK_INT(p[0].input, 0);
	CHECK_INT(p[0].flags, 0);

	CHECK(str_is(p[1].id, "18446744073709551616123"));
	CHECK(str_is(p[1].author, "1234567890123456789"));
	CHECK_INT(p[1].created_at, EPOCH * CHORUS_NS_PER_SEC);

	CHECK(str_is(p[2].id, "-9223372036854775808"));
	CHECK(str_is(p[2].author, "9223372036854775807"));
	CHECK_INT(p[2].created_at, EPOCH * CHORUS_NS_PER_SEC);

	CHECK(str_is(p[3].id, "9223372036854775808"));
	CHECK(str_is(p[3].author, "-18446744073709551616"));
	CHECK_INT(p[3].created_at, EPOCH * CHORUS_NS_PER_SEC + 123000000);

	CHECK(p[4].extra == NULL);
	CHECK(str_is(p[4].text, ""));

	CHECK(p[5].extra != NULL);
	if (p[5].extra) {
		CHECK(str_is(p[5].extra->platform, "telegram"));
		CHECK(str_is(p[5].extra->url, "https://t.me/x/1"));
		CHECK(str_is(p[5].extra->lang, "ru"));
		CHECK(str_is(p[5].extra->repost_of, "123"));
		CHECK(str_is(p[5].extra->reply_to, "r1"));
		CHECK_INT(p[5].extra->author_created_at, INT64_C(1500000000) * CHORUS_NS_PER_SEC);
	}
	CHECK_INT(p[5].flags, CHORUS_POST_REPOST);

	CHECK(str_is(p[6].text, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 "
				"\xd0\xbc\xd0\xb8\xd1\x80 \xf0\x9f\x98\x80 \"q\"\n"));

	CHECK_INT(p[7].created_at, EPOCH * CHORUS_NS_PER_SEC + 500000000);
	CHECK(p[7].extra != NULL);
	if (p[7].extra) {
		CHECK(str_is(p[7].extra->reply_to, "77777777777777777777777"));
		CHECK(str_is(p[7].extra->repost_of, NULL));
		CHECK(str_is(p[7].extra->lang, NULL));
		CHECK(p[7].extra->author_created_at == CHORUS_TIME_NONE);
	}
	CHECK_INT(p[7].flags, 0);
	CHECK(str_is(p[8].text, "no newline"));
	CHECK_INT(p[8].line, 9);

	st = chorus_corpus_input(c, 0);
	CHECK(st != NULL);
	CHECK_INT(chorus_corpus_input_count(c), 1);
	if (st) {
		char want[CHORUS_SHA256_HEX];
		chorus_sha256_hex(fields_text, sizeof fields_text - 1, want);
		CHECK_STR(st->sha256, want);
		CHECK_INT(st->bytes, sizeof fields_text - 1);
		CHECK_INT(st->lines, 9);
		CHECK_INT(st->records, 9);
		CHECK_INT(st->reposts, 1);
		CHECK_INT(st->skipped, 0);
		CHECK_INT(st->blank, 0);
		CHECK_STR(st->path, path_of("fields.jsonl"));
	}
	CHECK(chorus_corpus_input(c, 1) == NULL);
	chorus_corpus_free(c);
}

#define GOOD(id) "{\"id\":\"" id "\",\"author\":\"u\",\"text\":\"t\"," T0 "}\n"

static const char bad_text[] =
	GOOD("1")
	"{\"id\":\"x\",\"author\":\"u\",\"text\":\"t\"," T0 "\n"
	"{\"id\":\"x\",\"author\":\"u\",\"text\":\"\xff\"," T0 "}\n"
	"{\"id\":\"x\",\"text\":\"t\"," T0 "}\n"
	"{\"id\":\"x\",\"author\":\"u\",\"text\":\"t\",\"created_at\":[1]}\n"
	"{\"id\":\"x\",\"author\":\"u\",\"text\":\"t\0\"," T0 "}\n"
	"\n"
	"  \t \r\n"
	"[1,2]\n"
	"42\n"
	"{\"id\":\"x\",\"author\":\"u\",\"text\":5," T0 "}\n"
	"x\n"
	"{\"id\":\"x\",\"id\":\"y\",\"author\":\"u\",\"text\":\"t\"," T0 "}\n"
	"{\"id\":\"x\",\"author\":\"u\",\"text\":\"a\\u0000b\"," T0 "}\n"
	"{\"id\":\"x\",\"author\":\"u\",\"text\":\"t\",\"created_at\":\"2020-13-01T00:00:00Z\"}\n"
	"{\"id\":\"x\",\"author\":\"u\",\"text\":\"t\",\"created_at\":99999999999}\n"
	"{\"id\":1.5,\"author\":\"u\",\"text\":\"t\"," T0 "}\n"
	"{\"id\":\"\",\"author\":\"u\",\"text\":\"t\"," T0 "}\n"
	"{\"id\":\"x\",\"author\":{},\"text\":\"t\"," T0 "}\n"
	"{\"id\":\"x\",\"author\":true,\"text\":\"t\"," T0 "}\n"
	"{\"id\":\"x\",\"author\":null,\"text\":\"t\"," T0 "}\n"
	"{\"id\":123456789012345678901234,\"author\":\"u\",\"text\":\"t\\u0000\"," T0 "}\n"
	"{\"id\":123456789012345678901234,\"author\":\"u\",\"text\":\"t\"," T0 ",}\n"
	"{\"id\":\"x\",\"author\":\"u\",\"text\":123456789012345678901234," T0 "}\n"
	"{\"id\":\"x\",\"author\":\"u\",\"text\":\"t\",\"created_at\":123456789012345678901234}\n"
	"{\"id\":\"x\",\"author\":\"u\",\"text\":\"t\"," T0 ",\"repost_of\":[]}\n"
	"{\"id\":\"x\",\"author\":\"u\",\"text\":\"t\"," T0 ",\"author_created_at\":\"yesterday\"}\n"
	"{\"id\":\"x\",\"author\":\"u\",\"text\":\"\xed\xa0\x80\"," T0 "}\n"
	"{\"id\":\"x\",\"author\":\"u\",\"text\":\"\\ud800\"," T0 "}\n"
	"{\"id\":\"x\",\"author\":\"u\",\"text\":\"t\"," T0 ",123456789012345678901234:1}\n"
	"{\"id\":\"x\",\"author\":\"u\",\"text\":\"t\"," T0 "} 123456789012345678901234\n"
	GOOD("2")
	GOOD("3");

static const char *const bad_want[] = {
	"bad.jsonl:2: invalid JSON: '}' expected near end of file (column 69)",
	"bad.jsonl:3: invalid UTF-8 at byte 32",
	"bad.jsonl:4: missing field \"author\"",
	"bad.jsonl:5: field \"created_at\" has the wrong type (array; expected string or integer)",
	"bad.jsonl:6: NUL byte at column 33",
	"bad.jsonl:9: not a JSON object",
	"bad.jsonl:10: not a JSON object",
	"bad.jsonl:11: field \"text\" has the wrong type (integer; expected string)",
	"bad.jsonl:12: invalid JSON: invalid token near 'x' (column 1)",
	"bad.jsonl:13: invalid JSON: duplicate object key near '\"id\"' (column 14)",
	"bad.jsonl:14: escaped NUL character (\\u0000) in a string (column 33)",
	"bad.jsonl:15: field \"created_at\" is not a valid RFC 3339 time",
	"bad.jsonl:16: field \"created_at\" is out of range",
	"bad.jsonl:17: field \"id\" has the wrong type (real; expected string or integer)",
	"bad.jsonl:18: field \"id\" is empty",
	"bad.jsonl:19: field \"author\" has the wrong type (object; expected string or integer)",
	"bad.jsonl:20: field \"author\" has the wrong type (boolean; expected string or integer)",
	"bad.jsonl:21: field \"author\" has the wrong type (null; expected string or integer)",
	"bad.jsonl:22: escaped NUL character (\\u0000) in a string (column 54)",
	"bad.jsonl:23: invalid JSON: string or '}' expected near '}' (column 92)",
	"bad.jsonl:24: field \"text\" has the wrong type (integer; expected string)",
	"bad.jsonl:25: field \"created_at\" is out of range",
	"bad.jsonl:26: field \"repost_of\" has the wrong type (array; expected string or integer)",
	"bad.jsonl:27: field \"author_created_at\" is not a valid RFC 3339 time",
	"bad.jsonl:28: invalid UTF-8 at byte 32",
	"bad.jsonl:29: invalid JSON: invalid Unicode '\\uD800' near '\"\\ud800\"' (column 38)",
	"bad.jsonl:30: invalid JSON: unexpected number (column 94)",
	"bad.jsonl:31: invalid JSON: end of file expected (column 95)",
};

static void test_errors(void)
{
	chorus_corpus *c = chorus_corpus_new();
	const size_t nwant = sizeof bad_want / sizeof bad_want[0];
	const chorus_input_stats *st;
	chorus_error err;
	const chorus_post *p;

	CHECK_INT(read_file(c, "bad.jsonl", bad_text, sizeof bad_text - 1, 0, &err), 0);
	CHECK_INT(errs.n, nwant);
	for (size_t i = 0; i < errs.n && i < nwant; i++)
		CHECK_STR(errs.line[i], bad_want[i]);
	CHECK_INT(chorus_corpus_count(c), 3);
	p = chorus_corpus_posts(c);
	CHECK(str_is(p[0].id, "1") && str_is(p[1].id, "2") && str_is(p[2].id, "3"));
	CHECK_INT(p[1].line, 32);
	st = chorus_corpus_input(c, 0);
	CHECK_INT(st->lines, 33);
	CHECK_INT(st->records, 3);
	CHECK_INT(st->skipped, nwant);
	CHECK_INT(st->blank, 2);

	/* Strict: stop at the first bad record, corpus as it was. */
	CHECK_INT(read_file(c, "bad.jsonl", bad_text, sizeof bad_text - 1, 1, &err),
		  CHORUS_EINPUT);
	CHECK_STR(err.source, path_of("bad.jsonl"));
	CHECK_INT(err.line, 2);
	CHECK_STR(err.text, "invalid JSON: '}' expected near end of file (column 69)");
	CHECK_INT(errs.n, 0);
	CHECK_INT(chorus_corpus_count(c), 3);
	CHECK_INT(chorus_corpus_input_count(c), 1);
	chorus_corpus_free(c);
}

static void test_long_line(void)
{
	const size_t big = (size_t)10 << 20;
	char *text = malloc(big + 200);
	chorus_corpus *c = chorus_corpus_new();
	chorus_error err;
	size_t n = 0;

	memcpy(text, GOOD("1"), sizeof GOOD("1") - 1);
	n += sizeof GOOD("1") - 1;
	memcpy(text + n, "{\"text\":\"", 9);
	memset(text + n + 9, 'x', big - 11);
	memcpy(text + n + big - 2, "\"}\n", 3);
	n += big + 1;
	memcpy(text + n, GOOD("2"), sizeof GOOD("2") - 1);
	n += sizeof GOOD("2") - 1;
	CHECK_INT(read_file(c, "long.jsonl", text, n, 0, &err), 0);
	CHECK_INT(errs.n, 1);
	CHECK_STR(errs.line[0], "long.jsonl:2: record too long (10485760 bytes > 1048576 limit)");
	CHECK_INT(chorus_corpus_count(c), 2);
	CHECK_INT(chorus_corpus_posts(c)[1].line, 3);
	CHECK_INT(chorus_corpus_input(c, 0)->skipped, 1);
	CHECK_INT(chorus_corpus_input(c, 0)->bytes, n);
	chorus_corpus_free(c);
	free(text);
}

static void test_empty_and_binary(void)
{
	chorus_corpus *c = chorus_corpus_new();
	const chorus_input_stats *st;
	unsigned char *bin = malloc(1 << 16);
	uint64_t x = 42;
	chorus_error err;

	CHECK_INT(read_file(c, "empty.jsonl", "", 0, 0, &err), 0);
	CHECK_INT(chorus_corpus_count(c), 0);
	st = chorus_corpus_input(c, 0);
	CHECK_INT(st->lines, 0);
	CHECK_STR(st->sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

	for (size_t i = 0; i < 1 << 16; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		bin[i] = (unsigned char)(x >> 56);
	}
	CHECK_INT(read_file(c, "binary.dat", bin, 1 << 16, 0, &err), 0);
	st = chorus_corpus_input(c, 1);
	CHECK_INT(chorus_corpus_count(c), 0);
	CHECK(st->lines > 100);
	CHECK_INT(st->records, 0);
	CHECK_INT(st->skipped + st->blank, st->lines);
	CHECK_INT(errs.n, st->skipped);
	for (size_t i = 0; i < errs.n && i < MAX_ERRS; i++)
		CHECK(strchr(errs.line[i], '\n') == NULL);
	free(bin);
	chorus_corpus_free(c);
}

static void gzip_member(const void *p, size_t n, unsigned char **out, size_t *outlen)
{
	z_stream z;
	size_t cap = compressBound((uLong)n) + 64;

	memset(&z, 0, sizeof z);
	*out = realloc(*out, *outlen + cap);
	deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = *out + *outlen;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	*outlen += cap - z.avail_out;
	deflateEnd(&z);
}

static void test_gzip(void)
{
	chorus_corpus *c = chorus_corpus_new();
	unsigned char *z = NULL;
	size_t zn = 0;
	char want[CHORUS_SHA256_HEX];
	chorus_error err;

	gzip_member(fields_text, 200, &z, &zn); /* members split mid-line */
	gzip_member(fields_text + 200, sizeof fields_text - 201, &z, &zn);
	CHECK_INT(read_file(c, "fields.jsonl", z, zn, 0, &err), 0); /* name: no .gz */
	CHECK_INT(errs.n, 0);
	CHECK_INT(chorus_corpus_count(c), 9);
	CHECK(str_is(chorus_corpus_posts(c)[1].id, "18446744073709551616123"));
	chorus_sha256_hex(z, zn, want);
	CHECK_STR(chorus_corpus_input(c, 0)->sha256, want);
	CHECK_INT(chorus_corpus_input(c, 0)->bytes, zn);

	CHECK_INT(read_file(c, "trunc.jsonl.gz", z, zn - 20, 0, &err), CHORUS_EIO);
	CHECK_STR(err.source, path_of("trunc.jsonl.gz"));
	CHECK_STR(err.text, "truncated gzip data");
	CHECK_INT(chorus_corpus_count(c), 9);
	CHECK_INT(chorus_corpus_input_count(c), 1);

	CHECK_INT(chorus_corpus_read_jsonl(c, path_of("missing.jsonl"), NULL, &err), CHORUS_EIO);
	CHECK_STR(err.source, path_of("missing.jsonl"));
	CHECK_STR(err.text, "No such file or directory");
	CHECK_INT(chorus_corpus_input_count(c), 1);
	free(z);
	chorus_corpus_free(c);
}

/* A mixed corpus: mostly good lines, some bad, some blank, some huge ids. */
static char *mixed(size_t lines, size_t *n)
{
	char *s = malloc(lines * 160 + 1);
	uint64_t x = 7;

	*n = 0;
	for (size_t i = 0; i < lines; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		switch ((x >> 40) % 16) {
		case 0:
			*n += (size_t)sprintf(s + *n, "{\"id\":%zu,\"author\":\"a\"}\n", i);
			break;
		case 1:
			*n += (size_t)sprintf(s + *n, "\n");
			break;
		case 2:
			*n += (size_t)sprintf(s + *n, "{\"id\":%zu99999999999999999999,\"author\":%zu,"
					      "\"text\":\"t%zu\",\"created_at\":%zu}\n",
					      i, i % 7, i, i);
			break;
		default:
			*n += (size_t)sprintf(s + *n, "{\"id\":\"p%zu\",\"author\":\"u%llu\","
					      "\"text\":\"%s %llu\",\"created_at\":%zu%s}\n",
					      i, (unsigned long long)(x % 50),
					      "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",
					      (unsigned long long)(x >> 50), 1500000000 + i,
					      x % 5 ? "" : ",\"repost_of\":\"q\"");
		}
	}
	return s;
}

static int same_str(chorus_str a, chorus_str b)
{
	return a.len == b.len && (a.p == b.p || (a.p && b.p && memcmp(a.p, b.p, a.len) == 0));
}

static int same_post(const chorus_post *a, const chorus_post *b)
{
	if (!same_str(a->id, b->id) || !same_str(a->author, b->author) ||
	    !same_str(a->text, b->text) || a->created_at != b->created_at ||
	    a->line != b->line || a->flags != b->flags || !a->extra != !b->extra)
		return 0;
	return !a->extra || same_str(a->extra->repost_of, b->extra->repost_of);
}

static int same_stats(const chorus_input_stats *a, const chorus_input_stats *b)
{
	return strcmp(a->sha256, b->sha256) == 0 && a->bytes == b->bytes &&
	       a->lines == b->lines && a->records == b->records &&
	       a->skipped == b->skipped && a->reposts == b->reposts && a->blank == b->blank;
}

static void test_determinism(void)
{
	size_t n;
	char *text = mixed(20000, &n);
	static struct errs first;
	chorus_corpus *ref = NULL;
	static const chorus_input_limits lims[] = { { 0, 0, 0 }, { 0, 4096, 100 }, { 0, 300, 7 } };

	for (int t = 1; t <= 4; t++) {
		for (size_t l = 0; l < 3; l++) {
			chorus_corpus *c = chorus_corpus_new();
			chorus_read_opts o;
			chorus_error err;
			int same = 1;

			memset(&o, 0, sizeof o);
			o.threads = t;
			o.on_error = on_error;
			o.ud = &errs;
			errs.n = 0;
			CHECK_INT(chorus_corpus_read_jsonl_mem(c, "mixed", text, n, &o, &lims[l], &err), 0);
			if (!ref) {
				ref = c;
				first = errs;
				CHECK(errs.n > 1000);
				CHECK(chorus_corpus_count(c) > 15000);
				continue;
			}
			same &= chorus_corpus_count(c) == chorus_corpus_count(ref);
			for (size_t i = 0; same && i < chorus_corpus_count(c); i++)
				same &= same_post(&chorus_corpus_posts(c)[i], &chorus_corpus_posts(ref)[i]);
			same &= errs.n == first.n;
			for (size_t i = 0; same && i < errs.n && i < MAX_ERRS; i++)
				same &= strcmp(errs.line[i], first.line[i]) == 0;
			same &= same_stats(chorus_corpus_input(c, 0), chorus_corpus_input(ref, 0));
			CHECK(same);
			chorus_corpus_free(c);
		}
	}
	chorus_corpus_free(ref);
	free(text);
}

static int str_eq(chorus_str a, chorus_str b)
{
	return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

/* Duplicate ids: every (platform, id) kept once, its first copy, in order,
 * whatever the thread count; the drops counted in the input that had them.
 * The reference is a plain quadratic search. */
static void test_dedup(void)
{
	enum { N = 6000 };
	const size_t cap = (size_t)N * 120;
	char *text = malloc(cap);
	size_t len = 0;
	uint64_t x = 88172645463325252u;
	size_t want_kept = 0, want_drop[2] = { 0, 0 };
	chorus_corpus *ref = NULL;

	CHECK(text != NULL);
	if (!text)
		return;
	for (int i = 0; i < N; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		/* ids from a small range, a third of them on a platform of two */
		const unsigned id = (unsigned)(x % 2500), pl = (unsigned)(x >> 32) % 3;
		static const char *const platform[3] = { "", "\"platform\":\"x\",",
							 "\"platform\":\"y\"," };
		len += (size_t)snprintf(text + len, cap - len,
					"{\"id\":\"%u\",\"author\":\"a%d\",\"text\":\"t%d\",%s"
					"\"created_at\":%d}\n", id, i, i, platform[pl], 1588065245 + i);
	}
	for (int t = 1; t <= 3; t++) {
		chorus_corpus *c = chorus_corpus_new();
		chorus_read_opts o;
		chorus_error err;
		long dropped;

		memset(&o, 0, sizeof o);
		o.threads = 2;
		CHECK_INT(chorus_corpus_read_jsonl_mem(c, "a", text, len / 2, &o, NULL, &err), 0);
		CHECK_INT(chorus_corpus_read_jsonl_mem(c, "b", text + len / 2, len - len / 2, &o,
						       NULL, &err), 0);
		if (!ref) {
			/* the reference: a post is kept when no kept one has its key */
			const chorus_post *p = chorus_corpus_posts(c);
			for (size_t i = 0; i < chorus_corpus_count(c); i++) {
				int dup = 0;
				for (size_t j = 0; !dup && j < i; j++) {
					const chorus_str *pi = p[i].extra ? &p[i].extra->platform : NULL;
					const chorus_str *pj = p[j].extra ? &p[j].extra->platform : NULL;
					dup = str_eq(p[i].id, p[j].id) &&
					      ((!pi || !pi->p) ? (!pj || !pj->p)
							       : (pj && pj->p && str_eq(*pi, *pj)));
				}
				if (dup)
					want_drop[p[i].input]++;
				else
					want_kept++;
			}
		}
		dropped = chorus_corpus_dedup(c, t);
		CHECK_INT(dropped, (long)(want_drop[0] + want_drop[1]));
		CHECK_INT(chorus_corpus_count(c), want_kept);
		CHECK_INT(chorus_corpus_input(c, 0)->duplicates, want_drop[0]);
		CHECK_INT(chorus_corpus_input(c, 1)->duplicates, want_drop[1]);
		CHECK(want_drop[0] > 100 && want_drop[1] > 1000 && want_kept > 5000 / 2);
		/* no two kept posts share a key, and the order is kept */
		for (size_t i = 1; i < chorus_corpus_count(c); i++)
			CHECK(chorus_corpus_posts(c)[i].line > chorus_corpus_posts(c)[i - 1].line ||
			      chorus_corpus_posts(c)[i].input > chorus_corpus_posts(c)[i - 1].input);
		if (!ref) {
			ref = c;
			continue;
		}
		for (size_t i = 0; i < chorus_corpus_count(c); i++)
			CHECK(same_post(&chorus_corpus_posts(c)[i], &chorus_corpus_posts(ref)[i]));
		chorus_corpus_free(c);
	}
	chorus_corpus_free(ref);
	free(text);
}

/* Every allocation of ours (and zlib's) failing in turn.  jansson keeps
 * libc malloc: its lexer asserts on some failed allocations (load.c,
 * lex_unget_unsave), so it cannot take part in failure injection. */
static void test_alloc_failure(void)
{
	unsigned char *z = NULL;
	size_t zn = 0;
	int done = 0;

	gzip_member(bad_text, sizeof bad_text - 1, &z, &zn);
	gzip_member(fields_text, sizeof fields_text - 1, &z, &zn);
	for (unsigned long k = 1; k < 5000 && !done; k++) {
		chorus_corpus *c;
		chorus_read_opts o;
		chorus_error err;
		int rc = CHORUS_ENOMEM;

		memset(&o, 0, sizeof o);
		o.threads = 1;
		chorus_alloc_fail_after(k);
		c = chorus_corpus_new();
		if (c) {
			rc = chorus_corpus_read_jsonl_mem(c, "mem", z, zn, &o, NULL, &err);
			CHECK(rc == 0 || rc == CHORUS_ENOMEM);
			if (rc == CHORUS_ENOMEM) {
				CHECK_INT(chorus_corpus_count(c), 0);
				CHECK_INT(chorus_corpus_input_count(c), 0);
			}
		}
		chorus_alloc_fail_after(0);
		if (rc == 0) {
			CHECK_INT(chorus_corpus_count(c), 12);
			done = 1;
		}
		chorus_corpus_free(c);
	}
	CHECK(done);
	free(z);
}

static void test_parse_record(void)
{
	chorus_jsonl_ws ws;
	chorus_arena a;
	chorus_post p;
	char msg[CHORUS_ERROR_TEXT];
	static const char rec[] = "{\"id\":\"1\",\"author\":\"2\",\"text\":\"3\",\"created_at\":-1}";

	chorus_jsonl_ws_init(&ws);
	chorus_arena_init(&a);
	CHECK_INT(chorus_jsonl_parse_record(rec, sizeof rec - 1, &ws, &a, &p, msg), 0);
	CHECK_INT(p.created_at, -CHORUS_NS_PER_SEC);
	CHECK_INT(chorus_jsonl_parse_record("{}", 2, &ws, &a, &p, msg), CHORUS_EINPUT);
	CHECK_STR(msg, "missing field \"id\"");
	CHECK_INT(chorus_jsonl_parse_record("\"\x01\xc3\"", 4, &ws, &a, &p, msg), CHORUS_EINPUT);
	CHECK_STR(msg, "invalid UTF-8 at byte 3");
	CHECK(chorus_jsonl_blank(" \t\r", 3));
	CHECK(!chorus_jsonl_blank(" {", 2));
	chorus_arena_dispose(&a);
	chorus_jsonl_ws_dispose(&ws);
}

int main(void)
{
	const char *d = getenv("CHORUS_TEST_DIR");

	snprintf(dir, sizeof dir, "%s", d ? d : ".");
	test_fields();
	test_errors();
	test_long_line();
	test_empty_and_binary();
	test_gzip();
	test_determinism();
	test_dedup();
	test_alloc_failure();
	test_parse_record();
	return check_done();
}
