/*
 * chorus/sha256.h - SHA-256 for evidence hashes (adapter over OpenSSL's
 * libcrypto; the only file that includes OpenSSL is src/util/sha256.c).
 */
#ifndef CHORUS_SHA256_H
#define CHORUS_SHA256_H

#include <stddef.h>

#define CHORUS_SHA256_HEX 65 /* 64 hex digits and a NUL */

typedef struct chorus_sha256 chorus_sha256;

/* NULL when out of memory. */
chorus_sha256 *chorus_sha256_new(void);
void chorus_sha256_free(chorus_sha256 *h);
void chorus_sha256_update(chorus_sha256 *h, const void *p, size_t n);
/* Write the lower-case hex digest; the context is reset for reuse. */
void chorus_sha256_final_hex(chorus_sha256 *h, char out[CHORUS_SHA256_HEX]);
/* One-shot digest of p[0..n); -1 when out of memory. */
int chorus_sha256_hex(const void *p, size_t n, char out[CHORUS_SHA256_HEX]);

#endif
