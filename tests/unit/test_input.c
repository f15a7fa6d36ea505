/* test_input.c - byte sources: line splitting, long lines, gzip, hashing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "check.h"
#include "chorus/alloc.h"
#include "chorus/sha256.h"
#include "input_int.h"

static char dir[1024];

static const char *path_of(const char *name)
{
	static char p[2048];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return p;
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

/* gzip p[0..n) as one member onto out (malloc'd, grown). */
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
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		exit(2);
	*outlen += cap - z.avail_out;
	deflateEnd(&z);
}

/* The reference: cut s at '\n', drop one trailing '\r'. */
struct ref {
	const char *p[4096];
	size_t len[4096];
	size_t n;
};

static void ref_split(const char *s, size_t n, struct ref *r)
{
	size_t start = 0;

	r->n = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '\n')
			continue;
		if (i == n && start == n)
			break;
		r->p[r->n] = s + start;
		r->len[r->n] = i - start - (i > start && s[i - 1] == '\r');
		r->n++;
		start = i + 1;
	}
}

/* Read every line of in, checking it against the reference. */
static int check_lines(chorus_input *in, const struct ref *r, size_t max_record)
{
	chorus_batch b;
	chorus_error err;
	size_t k = 0;
	int ok = 1;

	while (chorus_input_next(in, &b, &err) == 0 && b.n > 0) {
		for (size_t i = 0; i < b.n; i++, k++) {
			const chorus_line *l = &b.lines[i];
			if (k >= r->n || l->no != k + 1 || l->len != r->len[k])
				return 0;
			if (r->len[k] > max_record)
				ok &= l->p == NULL;
			else
				ok &= l->p && memcmp(l->p, r->p[k], l->len) == 0;
		}
	}
	return ok && k == r->n;
}

static const chorus_input_limits small = { 16, 40, 3 };

static void test_split_plain(void)
{
	static const char text[] =
		"one\ntwo\r\n\nthree is longer than sixteen\r\n\r\nfour\n"
		"a line of exactly16\nfifteen bytes..\r\n12345678901234567\nlast";
	struct ref r;
	chorus_input *in;
	chorus_error err;

	ref_split(text, sizeof text - 1, &r);
	CHECK_INT(chorus_input_open_mem(&in, "mem", text, sizeof text - 1, &small, &err), 0);
	CHECK(check_lines(in, &r, 16));
	CHECK_INT(chorus_input_is_gzip(in), 0);
	CHECK_INT(chorus_input_bytes(in), sizeof text - 1);
	chorus_input_free(in);
}

static void test_bom(void)
{
	static const char text[] = "\xef\xbb\xbf{}\n\xef\xbb\xbf{}\n";
	chorus_input *in;
	chorus_batch b;
	chorus_error err;

	CHECK_INT(chorus_input_open_mem(&in, "mem", text, sizeof text - 1, &small, &err), 0);
	CHECK_INT(chorus_input_next(in, &b, &err), 0);
	CHECK_INT(b.n, 2);
	CHECK(b.lines[0].len == 2 && memcmp(b.lines[0].p, "{}", 2) == 0);
	CHECK_INT(b.lines[1].len, 5); /* only the file's first line loses it */
	chorus_input_free(in);
}

/* Random lines with random limits, plain and gzip, against the reference. */
static void test_split_random(void)
{
	static char text[60000];
	unsigned seed = 12345;

	for (int round = 0; round < 200; round++) {
		size_t n = 0, zn = 0;
		unsigned char *z = NULL;
		chorus_input_limits lim;
		chorus_input *in;
		chorus_error err;
		struct ref r;

		while (n < sizeof text - 600) {
			seed = seed * 1103515245u + 12345u;
			size_t len = (seed >> 8) % (round % 5 == 0 ? 500 : 40);
			for (size_t i = 0; i < len; i++)
				text[n++] = (char)('a' + (i + seed) % 26);
			if ((seed >> 20) % 7 == 0)
				text[n++] = '\r';
			if ((seed >> 24) % 50 == 0)
				break;
			text[n++] = '\n';
		}
		ref_split(text, n, &r);
		lim.max_record = 1 + (size_t)round % 97;
		lim.batch_bytes = 1 + (size_t)(round * 37) % 300;
		lim.batch_lines = 1 + (size_t)round % 11;
		CHECK_INT(chorus_input_open_mem(&in, "mem", text, n, &lim, &err), 0);
		CHECK(check_lines(in, &r, lim.max_record));
		chorus_input_free(in);
		/* The same text as two gzip members split at a random point. */
		gzip_member(text, n / 3, &z, &zn);
		gzip_member(text + n / 3, n - n / 3, &z, &zn);
		CHECK_INT(chorus_input_open_mem(&in, "mem.gz", z, zn, &lim, &err), 0);
		CHECK_INT(chorus_input_is_gzip(in), 1);
		CHECK(check_lines(in, &r, lim.max_record));
		chorus_input_free(in);
		free(z);
	}
}

static void test_long_line_not_buffered(void)
{
	const size_t big = (size_t)10 << 20;
	char *text = malloc(big + 64);
	chorus_input_limits lim = { 1 << 20, 0, 0 };
	chorus_input *in;
	chorus_batch b;
	chorus_error err;
	size_t n = 0, seen = 0;

	memcpy(text, "short\n", 6);
	n = 6;
	memset(text + n, 'x', big);
	n += big;
	memcpy(text + n, "\r\nafter\n", 8);
	n += 8;
	CHECK_INT(chorus_input_open_mem(&in, "mem", text, n, &lim, &err), 0);
	while (chorus_input_next(in, &b, &err) == 0 && b.n > 0) {
		for (size_t i = 0; i < b.n; i++, seen++) {
			if (b.lines[i].no == 2) {
				CHECK(b.lines[i].p == NULL);
				CHECK_INT(b.lines[i].len, big);
			} else {
				CHECK(b.lines[i].p != NULL);
			}
		}
	}
	CHECK_INT(seen, 3);
	chorus_input_free(in);
	free(text);
}

static void test_files(void)
{
	static const char text[] = "{\"a\":1}\n{\"b\":2}\n";
	char hex[CHORUS_SHA256_HEX], want[CHORUS_SHA256_HEX];
	chorus_input_limits lim = { 1024, 0, 0 };
	unsigned char *z = NULL;
	size_t zn = 0;
	chorus_input *in = NULL;
	chorus_batch b;
	chorus_error err;
	struct ref r;

	/* gzip found by content, whatever the name; hash of the stored bytes. */
	gzip_member(text, sizeof text - 1, &z, &zn);
	gzip_member("", 0, &z, &zn); /* an empty member in between */
	gzip_member(text, sizeof text - 1, &z, &zn);
	write_file(path_of("input-gz.jsonl"), z, zn);
	CHECK_INT(chorus_input_open(&in, path_of("input-gz.jsonl"), &lim, &err), 0);
	{
		static const char twice[] = "{\"a\":1}\n{\"b\":2}\n{\"a\":1}\n{\"b\":2}\n";
		ref_split(twice, sizeof twice - 1, &r);
	}
	CHECK(check_lines(in, &r, 1024));
	CHECK_INT(chorus_input_bytes(in), zn);
	chorus_input_sha256(in, hex);
	chorus_sha256_hex(z, zn, want);
	CHECK_STR(hex, want);
	chorus_input_free(in);

	/* Truncated: an error naming the file, not a silent short read. */
	write_file(path_of("input-trunc.gz"), z, zn - 9);
	CHECK_INT(chorus_input_open(&in, path_of("input-trunc.gz"), &lim, &err), 0);
	while (chorus_input_next(in, &b, &err) == 0 && b.n > 0)
		;
	CHECK_STR(err.source, path_of("input-trunc.gz"));
	CHECK_STR(err.text, "truncated gzip data");
	chorus_input_free(in);

	/* Corrupt deflate data and trailing garbage. */
	z[zn / 2] ^= 0x55;
	write_file(path_of("input-bad.gz"), z, zn);
	CHECK_INT(chorus_input_open(&in, path_of("input-bad.gz"), &lim, &err), 0);
	{
		int rc;
		while ((rc = chorus_input_next(in, &b, &err)) == 0 && b.n > 0)
			;
		CHECK_INT(rc, CHORUS_EIO);
		CHECK(strncmp(err.text, "corrupt gzip data", 17) == 0);
	}
	chorus_input_free(in);
	z[zn / 2] ^= 0x55;
	z = realloc(z, zn + 3);
	memcpy(z + zn, "xyz", 3);
	write_file(path_of("input-trail.gz"), z, zn + 3);
	CHECK_INT(chorus_input_open(&in, path_of("input-trail.gz"), &lim, &err), 0);
	while (chorus_input_next(in, &b, &err) == 0 && b.n > 0)
		;
	CHECK_STR(err.text, "corrupt gzip data (trailing bytes after the last member)");
	chorus_input_free(in);
	free(z);

	/* Plain file: hash and size as stored. */
	write_file(path_of("input-plain.jsonl"), text, sizeof text - 1);
	CHECK_INT(chorus_input_open(&in, path_of("input-plain.jsonl"), &lim, &err), 0);
	ref_split(text, sizeof text - 1, &r);
	CHECK(check_lines(in, &r, 1024));
	chorus_input_sha256(in, hex);
	chorus_sha256_hex(text, sizeof text - 1, want);
	CHECK_STR(hex, want);
	chorus_input_free(in);

	/* Empty file: no lines. */
	write_file(path_of("input-empty.jsonl"), "", 0);
	CHECK_INT(chorus_input_open(&in, path_of("input-empty.jsonl"), &lim, &err), 0);
	CHECK_INT(chorus_input_next(in, &b, &err), 0);
	CHECK_INT(b.n, 0);
	chorus_input_free(in);

	/* Missing file and a folder. */
	in = NULL;
	CHECK_INT(chorus_input_open(&in, path_of("no-such-file"), &lim, &err), CHORUS_EIO);
	CHECK(in == NULL);
	CHECK_STR(err.text, "No such file or directory");
	CHECK_STR(err.source, path_of("no-such-file"));
	CHECK_INT(chorus_input_open(&in, dir, &lim, &err), CHORUS_EIO);
	CHECK_STR(err.text, "Is a directory");
}

/* Every allocation failing in turn: a clean CHORUS_ENOMEM, never a crash. */
static void test_alloc_failure(void)
{
	unsigned char *z = NULL;
	size_t zn = 0;
	int ok = 0;

	gzip_member("x\ny\n", 4, &z, &zn);
	for (unsigned long k = 1; k < 100 && !ok; k++) {
		chorus_input_limits lim = { 16, 0, 0 };
		chorus_input *in = NULL;
		chorus_batch b;
		chorus_error err;
		int rc;

		chorus_alloc_fail_after(k);
		rc = chorus_input_open_mem(&in, "mem", z, zn, &lim, &err);
		while (rc == 0 && (rc = chorus_input_next(in, &b, &err)) == 0 && b.n > 0)
			;
		chorus_alloc_fail_after(0);
		CHECK(rc == 0 || rc == CHORUS_ENOMEM);
		ok = rc == 0;
		chorus_input_free(in);
	}
	CHECK(ok);
	free(z);
}

int main(void)
{
	const char *d = getenv("CHORUS_TEST_DIR");

	snprintf(dir, sizeof dir, "%s", d ? d : ".");
	test_split_plain();
	test_bom();
	test_split_random();
	test_long_line_not_buffered();
	test_files();
	test_alloc_failure();
	return check_done();
}
