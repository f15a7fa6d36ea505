/*
 * error.c - filling chorus_error records.  Messages are cut to fit the
 * fixed-size fields and any newline is replaced so an error stays one line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "chorus/error.h"

void chorus_error_clear(chorus_error *err)
{
	if (!err)
		return;
	err->source[0] = '\0';
	err->line = 0;
	err->text[0] = '\0';
}

void chorus_error_set(chorus_error *err, const char *source, uint64_t line,
		      const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	snprintf(err->source, sizeof err->source, "%s", source ? source : "");
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof err->text, fmt, ap);
	va_end(ap);
	for (char *p = err->text; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

const char *chorus_code_str(int code)
{
	switch (code) {
	case CHORUS_OK: return "success";
	case CHORUS_ENOMEM: return "out of memory";
	case CHORUS_EIO: return "input/output error";
	case CHORUS_EINPUT: return "bad input";
	case CHORUS_ELIMIT: return "size limit reached";
	case CHORUS_EUSAGE: return "invalid parameter";
	default: return "failure";
	}
}
