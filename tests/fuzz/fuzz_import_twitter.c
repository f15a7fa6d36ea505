/*
 * fuzz_import_twitter.c - the Twitter readers (API v1.1, v2 pages and flat
 * tweets) on arbitrary bytes.  The first byte picks the format; the rest is
 * the file.  The read must succeed (bad lines are skipped) and pass
 * import_check.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/post.h"
#include "import_check.h"
#include "jsonl_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const chorus_input_limits lim = { 0, 65536, 64 };
	chorus_corpus *c = chorus_corpus_new();
	chorus_read_opts o;
	chorus_error err;

	if (!c || size == 0)
		goto out;
	memset(&o, 0, sizeof o);
	o.threads = 1;
	o.format = data[0] & 1 ? CHORUS_FORMAT_TWITTER_V1 : CHORUS_FORMAT_TWITTER_V2;
	if (chorus_corpus_read_jsonl_mem(c, "fuzz", data + 1, size - 1, &o, &lim, &err) != 0)
		abort();
	import_check(c, size - 1);
out:
	chorus_corpus_free(c);
	return 0;
}
