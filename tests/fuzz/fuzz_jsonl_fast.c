/*
 * fuzz_jsonl_fast.c - differential: the reader's fast path against jansson.
 *
 * The input (up to its first newline) is one record.  It is parsed by
 * chorus_jsonl_parse_record (fast scanner, jansson when unsure) and by
 * chorus_jsonl_parse_record_slow (jansson alone); both must give the same
 * result code, the same message for a bad record, and the same post, field
 * for field and byte for byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/post.h"
#include "jsonl_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(chorus_str a, chorus_str b)
{
	if (!a.p || !b.p)
		return !a.p && !b.p && a.len == 0 && b.len == 0;
	return a.len == b.len && memcmp(a.p, b.p, a.len) == 0 && a.p[a.len] == '\0' &&
	       b.p[b.len] == '\0';
}

static void compare(const chorus_post *p, const chorus_post *q)
{
	if (!same(p->id, q->id) || !same(p->author, q->author) || !same(p->text, q->text) ||
	    p->created_at != q->created_at || p->flags != q->flags || !p->extra != !q->extra)
		abort();
	if (p->extra && (!same(p->extra->platform, q->extra->platform) ||
			 !same(p->extra->url, q->extra->url) ||
			 !same(p->extra->lang, q->extra->lang) ||
			 !same(p->extra->repost_of, q->extra->repost_of) ||
			 !same(p->extra->reply_to, q->extra->reply_to) ||
			 p->extra->author_created_at != q->extra->author_created_at))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	const size_t len = nl ? (size_t)(nl - data) : size;
	char m1[CHORUS_ERROR_TEXT], m2[CHORUS_ERROR_TEXT];
	chorus_jsonl_ws ws;
	chorus_arena a1, a2;
	chorus_post p1, p2;
	int r1, r2;

	if (len == 0 || chorus_jsonl_blank((const char *)data, len))
		return 0;
	chorus_jsonl_ws_init(&ws);
	chorus_arena_init(&a1);
	chorus_arena_init(&a2);
	memset(&p1, 0, sizeof p1);
	memset(&p2, 0, sizeof p2);
	r1 = chorus_jsonl_parse_record((const char *)data, len, &ws, &a1, &p1, m1);
	r2 = chorus_jsonl_parse_record_slow((const char *)data, len, &ws, &a2, &p2, m2);
	if (r1 != r2)
		abort();
	if (r1 == CHORUS_EINPUT && strcmp(m1, m2) != 0)
		abort();
	if (r1 == 0)
		compare(&p1, &p2);
	chorus_arena_dispose(&a1);
	chorus_arena_dispose(&a2);
	chorus_jsonl_ws_dispose(&ws);
	return 0;
}
