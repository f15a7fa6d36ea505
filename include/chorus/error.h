/*
 * chorus/error.h - return codes and the caller-provided error record.
 *
 * Fallible functions return an int: CHORUS_OK (0) on success, a small negative
 * code otherwise, and fill a chorus_error owned by the caller (cf. jansson's
 * json_error_t).  There is no global "last error": every thread owns its own.
 */
#ifndef CHORUS_ERROR_H
#define CHORUS_ERROR_H

#include <stdint.h>

enum chorus_code {
	CHORUS_OK = 0,
	CHORUS_ERR = -1,      /* other failure */
	CHORUS_ENOMEM = -2,   /* allocation failed */
	CHORUS_EIO = -3,      /* read or write failed */
	CHORUS_EINPUT = -4,   /* a record or value is malformed */
	CHORUS_ELIMIT = -5,   /* a hard size cap was reached */
	CHORUS_EUSAGE = -6    /* a parameter is invalid */
};

#define CHORUS_ERROR_SOURCE 256
#define CHORUS_ERROR_TEXT 256

typedef struct chorus_error {
	char source[CHORUS_ERROR_SOURCE]; /* file name, "" when not about a file */
	uint64_t line;                    /* 1-based line, 0 when not about a line */
	char text[CHORUS_ERROR_TEXT];     /* one line, no trailing newline */
} chorus_error;

/* Clear an error record (all fields empty). */
void chorus_error_clear(chorus_error *err);

/* Fill err (when not NULL) with source, line and a printf-style message.
 * The message is cut to fit and never contains a newline. */
void chorus_error_set(chorus_error *err, const char *source, uint64_t line,
		      const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A short English name for a code ("out of memory", ...). */
const char *chorus_code_str(int code);

#endif
