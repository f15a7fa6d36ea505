/*
 * fuzz_jsonl.c - the JSONL reader on arbitrary bytes (plain or gzip).
 *
 * Each input is read twice from memory, with 64 KiB batches (default ones
 * cost 16 MiB of buffers per read, which slows fuzzing) and with tiny ones (a
 * few bytes, a few lines), under the same record limit; both reads
 * must succeed or fail alike and give the same posts and error count, and
 * the counts must add up (lines = records + skipped + blank).  Every kept
 * string must be NUL-terminated UTF-8 without an inner NUL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/post.h"
#include "chorus/utf8.h"
#include "jsonl_int.h"

static void on_error(void *ud, const chorus_error *e)
{
	if (strchr(e->text, '\n') || !chorus_utf8_valid(e->text, strlen(e->text), NULL))
		abort();
	(*(uint64_t *)ud)++;
}

static void check_str(chorus_str s, int optional)
{
	if (!s.p) {
		if (!optional || s.len != 0)
			abort();
		return;
	}
	if (s.p[s.len] != '\0' || memchr(s.p, '\0', s.len) ||
	    !chorus_utf8_valid(s.p, s.len, NULL))
		abort();
}

static void check_post(const chorus_post *p)
{
	check_str(p->id, 0);
	check_str(p->author, 0);
	check_str(p->text, 0);
	if (p->id.len == 0 || p->author.len == 0)
		abort();
	if (p->extra) {
		check_str(p->extra->platform, 1);
		check_str(p->extra->url, 1);
		check_str(p->extra->lang, 1);
		check_str(p->extra->repost_of, 1);
		check_str(p->extra->reply_to, 1);
	}
	if (!!(p->flags & CHORUS_POST_REPOST) != !!(p->extra && p->extra->repost_of.p))
		abort();
}

static int same_str(chorus_str a, chorus_str b)
{
	return a.len == b.len && (a.p == b.p || (a.p && b.p && memcmp(a.p, b.p, a.len) == 0));
}

static chorus_corpus *read_once(const uint8_t *data, size_t size,
				const chorus_input_limits *lim, uint64_t *errors, int *rc)
{
	chorus_corpus *c = chorus_corpus_new();
	chorus_read_opts o;
	chorus_error err;

	if (!c)
		abort();
	memset(&o, 0, sizeof o);
	o.threads = 1;
	o.max_record = 1 + size % 512;
	o.on_error = on_error;
	o.ud = errors;
	*errors = 0;
	*rc = chorus_corpus_read_jsonl_mem(c, "fuzz", data, size, &o, lim, &err);
	return c;
}

static void check_counts(const chorus_corpus *c, uint64_t errors)
{
	const chorus_input_stats *st = chorus_corpus_input(c, 0);
	uint64_t reposts = 0;

	if (!st || st->records != chorus_corpus_count(c) || st->skipped != errors ||
	    st->lines != st->records + st->skipped + st->blank)
		abort();
	for (size_t i = 0; i < chorus_corpus_count(c); i++) {
		check_post(&chorus_corpus_posts(c)[i]);
		reposts += (chorus_corpus_posts(c)[i].flags & CHORUS_POST_REPOST) != 0;
	}
	if (reposts != st->reposts)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const chorus_input_limits small = { 0, 65536, 256 };
	const chorus_input_limits tiny = { 0, 1 + size % 97, 1 + size % 5 };
	uint64_t e1, e2;
	int rc1, rc2;
	chorus_corpus *a = read_once(data, size, &small, &e1, &rc1);
	chorus_corpus *b = read_once(data, size, &tiny, &e2, &rc2);

	if (rc1 != rc2 || (rc1 != 0 && rc1 != CHORUS_EIO))
		abort();
	if (rc1 == 0) {
		check_counts(a, e1);
		check_counts(b, e2);
		if (e1 != e2 || chorus_corpus_count(a) != chorus_corpus_count(b))
			abort();
		for (size_t i = 0; i < chorus_corpus_count(a); i++) {
			const chorus_post *p = &chorus_corpus_posts(a)[i];
			const chorus_post *q = &chorus_corpus_posts(b)[i];
			if (!same_str(p->id, q->id) || !same_str(p->text, q->text) ||
			    p->line != q->line || p->created_at != q->created_at)
				abort();
		}
	} else if (chorus_corpus_count(a) != 0 || chorus_corpus_input_count(a) != 0) {
		abort();
	}
	chorus_corpus_free(a);
	chorus_corpus_free(b);
	return 0;
}
