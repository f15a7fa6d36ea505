/*
 * fuzz_http_parse.c - the HTTP client's header and URL parsers on arbitrary
 * text: chorus_link_next, chorus_retry_after_secs, chorus_http_date,
 * chorus_url_redact and chorus_url_allowed.
 *
 * Properties checked (abort on violation):
 *   - a next link is a non-empty piece of the input without '<' or '>';
 *   - Retry-After is -1 or >= 0; an accepted HTTP date is >= 0 and formats
 *     back (IMF-fixdate) to a date that parses to the same instant;
 *   - redaction is idempotent, bounded, and leaves text without '?', '#'
 *     and '@' as it was;
 *   - a URL allowed without allow_http is allowed with it; a refusal says
 *     why on one line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chorus/alloc.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_link(const char *s)
{
	char *next = chorus_link_next(s);

	if (!next)
		return;
	if (!next[0] || strchr(next, '<') || strchr(next, '>') || !strstr(s, next))
		abort();
	chorus_free(next);
}

static void check_dates(const char *s)
{
	long long t = chorus_http_date(s);
	long secs = chorus_retry_after_secs(s, 1588065245);
	char back[64];
	struct tm tm;
	time_t tt;

	if (secs < -1 || t < -1)
		abort();
	if (t < 0)
		return;
	tt = (time_t)t;
	if (!gmtime_r(&tt, &tm) || !strftime(back, sizeof back, "%a, %d %b %Y %H:%M:%S GMT", &tm))
		abort();
	if (chorus_http_date(back) != t)
		abort();
}

static void check_redact(const char *s, size_t len)
{
	char *once = chorus_url_redact(s), *twice;

	if (!once)
		return; /* out of memory */
	if (strlen(once) > len * 9 + 16)
		abort();
	if (!strpbrk(s, "?#@") && strcmp(once, s) != 0)
		abort();
	twice = chorus_url_redact(once);
	if (twice && strcmp(once, twice) != 0)
		abort();
	chorus_free(twice);
	chorus_free(once);
}

static void check_allowed(const char *s)
{
	char why[256];

	why[0] = '\0';
	if (chorus_url_allowed(s, 0, why) == 0) {
		if (chorus_url_allowed(s, 1, why) != 0)
			abort();
		return;
	}
	if (!why[0] || strchr(why, '\n') || strlen(why) >= sizeof why)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	size = strlen(s); /* the functions take C strings */
	check_link(s);
	check_dates(s);
	check_redact(s, size);
	check_allowed(s);
	free(s);
	return 0;
}
