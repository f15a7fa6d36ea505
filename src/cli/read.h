/*
 * read.h - reading the inputs of a sub-command (scan, import): bad records
 * printed as "FILE:LINE: reason" (at most max_errors per input), a summary
 * line per input with skipped records counted by reason, the format said when it was
 * detected as something other than canonical JSON Lines, and posts with an
 * id already read dropped and counted.
 */
#ifndef CHORUS_CLI_READ_H
#define CHORUS_CLI_READ_H

#include "chorus/post.h"

#define CLI_REASONS 16

typedef struct cli_reason {
	char text[96];          /* the reason, without ids, columns or offsets */
	unsigned long count;
} cli_reason;

typedef struct cli_reader {
	chorus_read_opts ro;      /* on_error, on_progress and ud are set by init */
	unsigned long max_errors; /* 0 = all */
	int bar;                  /* progress bar on standard error */
	unsigned long printed;    /* bad records printed for the current input */
	cli_reason reasons[CLI_REASONS + 1]; /* per input; the last is "other" */
	size_t nreasons;
} cli_reader;

void cli_reader_init(cli_reader *r);

/* Parse a --format value into r->ro.format; -1 when unknown. */
int cli_reader_format(cli_reader *r, const char *name);

/* Read paths[0..n) into corpus.  -1 to go on, else the exit status (after
 * printing why). */
int cli_read_inputs(cli_reader *r, chorus_corpus *corpus, int n, char **paths);

#endif
