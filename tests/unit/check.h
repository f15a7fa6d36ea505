/*
 * check.h - the unit tests' tiny harness.  CHECK records a failure with its
 * place and goes on; check_done() prints "N passed, N failed" and gives the
 * exit status for ctest.
 */
#ifndef CHORUS_CHECK_H
#define CHORUS_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long check_pass, check_fail;

#define CHECK(cond) do { \
	if (cond) { check_pass++; } else { check_fail++; \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *check_a_ = (a), *check_b_ = (b); \
	if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) { check_pass++; } else { check_fail++; \
		fprintf(stderr, "%s:%d: CHECK_STR failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__, \
			check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); } \
} while (0)

#define CHECK_INT(a, b) do { \
	long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
	if (check_a_ == check_b_) { check_pass++; } else { check_fail++; \
		fprintf(stderr, "%s:%d: CHECK_INT failed: %s = %lld, expected %lld\n", __FILE__, __LINE__, \
			#a, check_a_, check_b_); } \
} while (0)

/* A whole file, NUL-terminated (free it), or NULL when it cannot be read
 * or is empty; *len gets its size. */
static inline char *check_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *d = NULL;
	long n;

	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (d = malloc((size_t)n + 1)) && fread(d, 1, (size_t)n, f) == (size_t)n) {
		d[n] = '\0';
		*len = (size_t)n;
	} else {
		free(d);
		d = NULL;
	}
	if (f)
		fclose(f);
	return d;
}

static inline int check_done(void)
{
	printf("%lu passed, %lu failed\n", check_pass, check_fail);
	return check_fail ? 1 : 0;
}

#endif
