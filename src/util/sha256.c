/*
 * sha256.c - SHA-256 through OpenSSL's EVP interface (the one OpenSSL
 * adapter; swapping the library touches this file only).
 */
#include <openssl/evp.h>

#include "chorus/alloc.h"
#include "chorus/sha256.h"

struct chorus_sha256 {
	EVP_MD_CTX *ctx;
};

chorus_sha256 *chorus_sha256_new(void)
{
	chorus_sha256 *h = chorus_malloc(sizeof *h);

	if (!h)
		return NULL;
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(h->ctx);
		chorus_free(h);
		return NULL;
	}
	return h;
}

void chorus_sha256_free(chorus_sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	chorus_free(h);
}

void chorus_sha256_update(chorus_sha256 *h, const void *p, size_t n)
{
	EVP_DigestUpdate(h->ctx, p, n);
}

void chorus_sha256_final_hex(chorus_sha256 *h, char out[CHORUS_SHA256_HEX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex(h->ctx, md, &n);
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL);
}

int chorus_sha256_hex(const void *p, size_t n, char out[CHORUS_SHA256_HEX])
{
	chorus_sha256 *h = chorus_sha256_new();

	if (!h)
		return -1;
	chorus_sha256_update(h, p, n);
	chorus_sha256_final_hex(h, out);
	chorus_sha256_free(h);
	return 0;
}
