/*
 * fuzz_import_feed.c - the feed reader (RSS 2.0, RSS 1.0, Atom through
 * libxml2) and chorus_feed_doc_info on arbitrary bytes.  The first byte
 * picks the document cap (odd: 1 MiB, even: 1 KiB, so that the over-cap
 * path runs too); the rest is the file, read in small batches.  The read
 * must succeed (bad items and documents are skipped), pass import_check.h,
 * and never read a file an entity names; the summary, when there is one,
 * must be a feed kind with a NUL-terminated UTF-8 title.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/post.h"
#include "chorus/utf8.h"
#include "import_check.h"
#include "import_web.h"
#include "jsonl_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_info(const uint8_t *data, size_t size)
{
	chorus_feed_info fi;

	memset(&fi, 0, sizeof fi);
	if (chorus_feed_doc_info((const char *)data, size, &fi) != 0)
		return;
	if (fi.kind < 1 || fi.kind > 3 || !memchr(fi.title, '\0', sizeof fi.title) ||
	    !chorus_utf8_valid(fi.title, strlen(fi.title), NULL))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const chorus_input_limits lim = { 0, 4096, 3 };
	chorus_corpus *c = chorus_corpus_new();
	chorus_read_opts o;
	chorus_error err;

	if (!c || size == 0)
		goto out;
	memset(&o, 0, sizeof o);
	o.threads = 1;
	o.format = CHORUS_FORMAT_FEED;
	o.max_record = data[0] & 1 ? (size_t)1 << 20 : 1024;
	if (chorus_corpus_read_jsonl_mem(c, "fuzz", data + 1, size - 1, &o, &lim, &err) != 0)
		abort();
	import_check(c, size - 1);
	check_info(data + 1, size - 1);
out:
	chorus_corpus_free(c);
	return 0;
}
