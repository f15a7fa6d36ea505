/*
 * import_check.h - what every archive reader's fuzz target checks of a
 * corpus it read: lines never outnumber the input's bytes plus one, nor do
 * posts and bad records together (a line of a page or a document may hold
 * many records, but each takes at least a byte); every post has an id
 * and an author (non-empty, NUL-terminated UTF-8) and a NUL-terminated
 * text; its evidence (raw SHA-256, source line) is set; the counts of
 * records and reposts match the posts.
 */
#ifndef CHORUS_FUZZ_IMPORT_CHECK_H
#define CHORUS_FUZZ_IMPORT_CHECK_H

#include <stdlib.h>

#include "chorus/post.h"
#include "chorus/utf8.h"

static void import_check_str(chorus_str s)
{
	if (!s.p || s.len == 0 || s.p[s.len] != '\0' || !chorus_utf8_valid(s.p, s.len, NULL))
		abort();
}

static void import_check(const chorus_corpus *c, size_t bytes)
{
	const chorus_input_stats *st = chorus_corpus_input(c, 0);
	uint64_t reposts = 0;

	if (!st || st->lines > (uint64_t)bytes + 1 || st->skipped + st->records > (uint64_t)bytes)
		abort();
	for (size_t i = 0; i < chorus_corpus_count(c); i++) {
		const chorus_post *p = &chorus_corpus_posts(c)[i];
		import_check_str(p->id);
		import_check_str(p->author);
		if (!p->text.p || p->text.p[p->text.len] != '\0')
			abort();
		if (!p->extra || p->extra->raw_sha256.len != 64 || !p->extra->source_line.p)
			abort();
		reposts += (p->flags & CHORUS_POST_REPOST) != 0;
	}
	if (st->records != chorus_corpus_count(c) || st->reposts != reposts)
		abort();
}

#endif
