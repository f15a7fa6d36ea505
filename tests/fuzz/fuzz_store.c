/*
 * fuzz_store.c - the evidence store's journal reader on arbitrary bytes (a
 * store folder may be damaged, or handed over by someone else).
 *
 * The bytes become journal.jsonl of a store (with a valid store.json and
 * one real body, so records that name it pass the body check) in a fresh
 * temporary folder; the store is opened read-only.  It must open, or fail
 * with a message naming the journal; records read must have seq 1..n.
 * Under the sanitizers nothing may leak or overrun.
 */
#define _GNU_SOURCE /* mkdtemp */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void put(const char *name, const void *p, size_t n)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (n && fwrite(p, 1, n, f) != n)
		abort();
	fclose(f);
}

static void setup(void)
{
	char sub[96];

	if (dir[0])
		return;
	snprintf(dir, sizeof dir, "/tmp/chorus-fuzz-store-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(sub, sizeof sub, "%s/bodies", dir);
	mkdir(sub, 0755);
	put("store.json", "{\"format\":\"chorus-store\",\"version\":1,\"source\":{\"spec\":\"x\"}}", 59);
	/* SHA-256("hello\n") */
	put("bodies/5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03.raw", "hello\n", 6);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	chorus_store *st;
	chorus_error err;

	setup();
	put("journal.jsonl", data, size);
	chorus_error_clear(&err);
	if (chorus_store_open(&st, dir, CHORUS_STORE_READ, NULL, NULL, NULL, &err) != 0) {
		if (!err.text[0])
			abort();
		return 0;
	}
	for (size_t i = 0; i < chorus_store_count(st); i++) {
		char path[4096];
		const json_t *rec = chorus_store_record(st, i);
		if (json_integer_value(json_object_get(rec, "seq")) != (json_int_t)i + 1)
			abort();
		(void)chorus_store_body_path(st, rec, path, sizeof path);
	}
	chorus_store_close(st);
	return 0;
}
