/*
 * ws_sig.c - a signature as the workspace stores it.
 *
 *   band_keys  bands x 4 bytes: the LSH band keys, 32-bit little-endian
 *   shingles   n x 4 bytes, 1 <= n <= WS_MAX_SHINGLES: the shingle set,
 *              32-bit little-endian, strictly ascending
 *   sethash    INTEGER: chorus_sig.sethash as a signed 64-bit value; it
 *              must be chorus_hash64 of the set under the seed, as signing
 *              makes it (identical sets stop a bucket walk early)
 *
 * The file may come from anywhere, so decoding checks every length and
 * the order of the set (the Jaccard merge assumes sorted distinct values)
 * before anything uses it.  Cost: O(bands + n).
 */
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/hash.h"
#include "ws_int.h"

void ws_sig_encode(const uint32_t *v, size_t n, unsigned char *out)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(out, v, n * 4);
#else
	for (size_t i = 0; i < n; i++) {
		out[4 * i] = (unsigned char)v[i];
		out[4 * i + 1] = (unsigned char)(v[i] >> 8);
		out[4 * i + 2] = (unsigned char)(v[i] >> 16);
		out[4 * i + 3] = (unsigned char)(v[i] >> 24);
	}
#endif
}

static void decode_u32(const unsigned char *in, size_t n, uint32_t *v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(v, in, n * 4);
#else
	for (size_t i = 0; i < n; i++)
		v[i] = (uint32_t)in[4 * i] | (uint32_t)in[4 * i + 1] << 8 |
		       (uint32_t)in[4 * i + 2] << 16 | (uint32_t)in[4 * i + 3] << 24;
#endif
}

int ws_sig_decode(const void *keys, size_t klen, const void *sh, size_t slen, unsigned bands,
		  uint64_t sethash, uint64_t seed, uint32_t **buf, size_t *cap,
		  chorus_sig *out, chorus_error *err)
{
	const size_t n = slen / 4;
	uint32_t *v;

	if (klen != (size_t)bands * 4 || (klen && !keys)) {
		chorus_error_set(err, "", 0, "%zu bytes of band keys, not %u", klen, bands * 4);
		return CHORUS_EINPUT;
	}
	if (slen % 4 || n == 0 || n > WS_MAX_SHINGLES || !sh) {
		chorus_error_set(err, "", 0, "a shingle set of %zu bytes", slen);
		return CHORUS_EINPUT;
	}
	if (bands + n > *cap) {
		size_t c = *cap ? *cap : 1024;
		while (c < bands + n)
			c *= 2;
		if (!(v = chorus_reallocarray(*buf, c, sizeof *v)))
			return CHORUS_ENOMEM;
		*buf = v;
		*cap = c;
	}
	v = *buf;
	decode_u32(keys, bands, v);
	decode_u32(sh, n, v + bands);
	for (size_t i = 1; i < n; i++) {
		if (v[bands + i] <= v[bands + i - 1]) {
			chorus_error_set(err, "", 0, "a shingle set out of order");
			return CHORUS_EINPUT;
		}
	}
	if (chorus_hash64(v + bands, n * sizeof *v, seed) != sethash) {
		chorus_error_set(err, "", 0, "a set hash that is not the set's");
		return CHORUS_EINPUT;
	}
	memset(out, 0, sizeof *out);
	out->status = CHORUS_SIG_MATCH;
	out->sethash = sethash;
	out->keys = v;
	out->shingles = v + bands;
	out->nshingles = (uint32_t)n;
	return CHORUS_OK;
}
