/*
 * fuzz_time.c - the RFC 3339 and duration parsers on arbitrary bytes.
 *
 * Whatever is accepted must round-trip: an instant formatted back and parsed
 * again gives the same nanoseconds; a duration formatted back and parsed
 * again gives the same duration.  Rejected input must leave no trace.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[CHORUS_TIME_STRLEN], s[128];
	int64_t ns, again;

	if (chorus_time_parse_rfc3339((const char *)data, size, &ns) == 0) {
		size_t n = chorus_time_format(ns, text);
		if (n == 0 || n >= sizeof text || text[n] != '\0')
			abort();
		if (chorus_time_parse_rfc3339(text, n, &again) != 0 || again != ns)
			abort();
	}
	if (size < sizeof s) {
		memcpy(s, data, size);
		s[size] = '\0';
		if (chorus_duration_parse(s, &ns) == 0) {
			if (ns <= 0)
				abort();
			size_t n = chorus_duration_format(ns, text, sizeof text);
			if (n == 0 || n >= sizeof text)
				abort();
			if (chorus_duration_parse(text, &again) != 0 || again != ns)
				abort();
		}
	}
	return 0;
}
