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

/* Open "PATH.tmp.PID" for writing; NULL with errno set on failure. */
FILE *opts_create_tmp(const char *path);
/* Close the temporary file and rename it over path when rc is 0 and every
 * write succeeded, else remove it.  Returns rc, or CHORUS_EIO. */
int opts_commit_tmp(FILE *f, const char *path, int rc);

#endif
