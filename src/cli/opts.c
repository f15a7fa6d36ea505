/*
 * opts.c - option values and atomic output files.
 *
 * An output file is written under a temporary name beside its target and
 * renamed into place only when complete, so a failed or killed run never
 * leaves a truncated report where a good one is expected.  A target that
 * is not a regular file (/dev/null, a FIFO) is written in place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chorus/error.h"
#include "chorus/sha256.h"
#include "opts.h"

int opts_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int opts_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int opts_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

static void tmp_name(char *buf, size_t cap, const char *path)
{
	snprintf(buf, cap, "%s.tmp.%ld", path, (long)getpid());
}

int opts_special_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

FILE *opts_out_open(const char *path)
{
	char tmp[4096];

	if (opts_special_file(path))
		return fopen(path, "wb");
	tmp_name(tmp, sizeof tmp, path);
	return fopen(tmp, "wb");
}

int opts_out_close(FILE *f, const char *path, int rc)
{
	char tmp[4096];
	int saved;

	if (opts_special_file(path)) {
		if (fclose(f) != 0 && rc == 0)
			rc = CHORUS_EIO;
		return rc;
	}
	tmp_name(tmp, sizeof tmp, path);
	if (fclose(f) != 0 && rc == 0)
		rc = CHORUS_EIO;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = CHORUS_EIO;
	if (rc != 0) {
		saved = errno;
		remove(tmp);
		errno = saved;
	}
	return rc;
}

char *opts_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *d = NULL, *q;
	size_t n = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 65536;
			if (!(q = realloc(d, cap + 1))) {
				free(d);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			d = q;
		}
		size_t got = fread(d + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(d);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	d[n] = '\0';
	*len = n;
	return d;
}

int opts_sha256_file(const char *path, char *hex)
{
	FILE *f = fopen(path, "rb");
	chorus_sha256 *h = chorus_sha256_new();
	char buf[1 << 16];
	size_t n;
	int rc = -1;

	if (f && h) {
		while ((n = fread(buf, 1, sizeof buf, f)) > 0)
			chorus_sha256_update(h, buf, n);
		if (!ferror(f)) {
			chorus_sha256_final_hex(h, hex);
			rc = 0;
		}
	}
	chorus_sha256_free(h);
	if (f)
		fclose(f);
	return rc;
}
