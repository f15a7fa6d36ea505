/*
 * fuzz_import_tgweb.c - the Telegram channel preview page reader (libxml2's
 * HTML parser, walked by class tokens) and chorus_tgweb_page_info on
 * arbitrary bytes.  The first byte picks the document cap (odd: 1 MiB,
 * even: 1 KiB); the rest is the page, read in small batches.  The read must
 * succeed, pass import_check.h, and the summary, when there is one, must
 * be consistent: ids and times ordered, none without messages, a
 * NUL-terminated UTF-8 channel.
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
	chorus_tgweb_info ti;

	memset(&ti, 0, sizeof ti);
	if (chorus_tgweb_page_info((const char *)data, size, &ti) != 0)
		return;
	if (ti.min_id > ti.max_id || ti.oldest_ns > ti.newest_ns ||
	    (ti.messages == 0 && (ti.max_id || ti.newest_ns || ti.channel[0])) ||
	    (ti.messages > 0 && !ti.channel[0]) || !memchr(ti.channel, '\0', sizeof ti.channel) ||
	    !chorus_utf8_valid(ti.channel, strlen(ti.channel), NULL))
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
	o.format = CHORUS_FORMAT_TELEGRAM_WEB;
	o.max_record = data[0] & 1 ? (size_t)1 << 20 : 1024;
	if (chorus_corpus_read_jsonl_mem(c, "fuzz", data + 1, size - 1, &o, &lim, &err) != 0)
		abort();
	import_check(c, size - 1);
	check_info(data + 1, size - 1);
out:
	chorus_corpus_free(c);
	return 0;
}
