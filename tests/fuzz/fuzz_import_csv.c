/*
 * fuzz_import_csv.c - the CSV readers (generic with a column map, Twitter
 * IO archive, IRA, the coordination-network-toolkit's) on arbitrary bytes.
 * The first byte picks the format; the rest is the file, read in small
 * batches so that records cross batch boundaries.  A header that does not
 * fit the format is a usage error; anything else must read.  The read must succeed (bad lines are skipped), the counts must
 * add up, and every post must have an id, an author and a text that are
 * NUL-terminated UTF-8, and evidence fields (source line, raw SHA-256).
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
	const chorus_input_limits lim = { 0, 4096, 3 };
	chorus_corpus *c = chorus_corpus_new();
	chorus_read_opts o;
	chorus_error err;
	int rc;

	if (!c || size == 0)
		goto out;
	memset(&o, 0, sizeof o);
	o.threads = 1;
	o.format = CHORUS_FORMAT_CSV + data[0] % 4;
	o.csv_map = "id=a,author=b,text=c,created_at=d,repost_of=e";
	rc = chorus_corpus_read_jsonl_mem(c, "fuzz", data + 1, size - 1, &o, &lim, &err);
	if (rc == CHORUS_EUSAGE && chorus_corpus_count(c) == 0)
		goto out;
	if (rc != 0)
		abort();
	import_check(c, size - 1);
out:
	chorus_corpus_free(c);
	return 0;
}
