/*
 * opts.h - strict parsing of option values and atomic output files for the
 * sub-commands.
 */
#ifndef CHORUS_OPTS_H
#define CHORUS_OPTS_H

#include <stdint.h>
#include <stdio.h>

/* Whole-string parses; 0 on success, -1 when malformed or out of range. */
int opts_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *out);
int opts_u64(const char *s, uint64_t *out); /* decimal or 0x hex */
int opts_double(const char *s, double lo, double hi, double *out);

/* 1 when path exists and is not a regular file (/dev/null, a FIFO). */
int opts_special_file(const char *path);
/* Open an output file: a regular (or new) file as "PATH.tmp.PID", renamed
 * into place by opts_out_close; anything else (/dev/null, a FIFO, a
 * terminal) in place, since renaming over it would replace it.  NULL with
 * errno set on failure. */
FILE *opts_out_open(const char *path);
/* Close an output opened by opts_out_open; a temporary file is renamed over
 * path when rc is 0 and every write succeeded, else removed.  Returns rc,
 * or CHORUS_EIO. */
int opts_out_close(FILE *f, const char *path, int rc);

/* A whole file, NUL-terminated (free it); NULL with errno set when it
 * cannot be read.  *len gets its size. */
char *opts_slurp(const char *path, size_t *len);

/* SHA-256 (hex) of the file at path into hex[CHORUS_SHA256_HEX]; 0, or
 * -1 when it cannot be read. */
int opts_sha256_file(const char *path, char *hex);

#endif
