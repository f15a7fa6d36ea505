/*
 * fuzz_collect_page.c - what the collector reads from a response body
 * (chorus_collect_page_info), for every source, on arbitrary bytes: a
 * server may send anything.  The first byte picks the source; the rest is
 * the body (and, for Mastodon, the bytes after a NUL are the Link header).
 * Every input gives a page or a reason; a page's paging state is a JSON
 * object; nothing leaks or overruns under the sanitizers.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	chorus_collect_page p;
	const char *body, *nul;
	char *link = NULL;
	size_t len;
	int source, rc;

	if (size < 1)
		return 0;
	source = data[0] % (CHORUS_SRC_TELEGRAM + 1);
	body = (const char *)data + 1;
	len = size - 1;
	nul = memchr(body, 0, len);
	if (nul) {
		const size_t n = len - (size_t)(nul - body) - 1;
		link = malloc(n + 1);
		if (!link)
			return 0;
		memcpy(link, nul + 1, n);
		link[n] = 0;
		len = (size_t)(nul - body);
	}
	rc = chorus_collect_page_info(source, body, len, link, (data[0] & 0x80) ? 1 : 0, &p);
	if (rc == 0 && (!json_is_object(p.next) || p.posts < 0 || p.bad))
		abort();
	if (rc == -1 && !p.bad)
		abort();
	json_decref(p.next);
	free(link);
	return 0;
}
