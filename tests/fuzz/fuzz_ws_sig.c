/*
 * fuzz_ws_sig.c - ws_sig_decode on arbitrary bytes: a workspace file may
 * come from anywhere, and its signature BLOBs are what the matcher trusts
 * (sorted distinct shingles for the Jaccard merge, bands keys).
 *
 * Input: byte 0 = bands (1..64), bytes 1..2 = length of the band-key BLOB
 * (little-endian), then that BLOB, then the shingle BLOB; the set hash is
 * the real one when byte 0 is even, else taken from the last 8 bytes.
 * Every input is refused with a message, or decodes to a set that is
 * strictly ascending, hashes to sethash, encodes back to the same bytes,
 * and has Jaccard 1 with itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/hash.h"
#include "chorus/minhash.h"
#include "ws_int.h"

#define SEED UINT64_C(0x63686f7275732031)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t *buf = NULL;
	size_t cap = 0, klen, slen;
	unsigned bands;
	uint64_t sethash = 0;
	unsigned char *back;
	chorus_sig sig;
	chorus_error err;
	int rc;

	if (size < 3)
		return 0;
	bands = (unsigned)data[0] % 64 + 1;
	klen = (size_t)data[1] | (size_t)data[2] << 8;
	if (klen > size - 3)
		klen = size - 3;
	slen = size - 3 - klen;
	if (data[0] % 2 == 0 && slen % 4 == 0 && slen > 0)
		sethash = chorus_hash64(data + 3 + klen, slen, SEED);
	else if (size >= 8)
		memcpy(&sethash, data + size - 8, 8);
	chorus_error_clear(&err);
	rc = ws_sig_decode(data + 3, klen, data + 3 + klen, slen, bands, sethash, SEED, &buf, &cap,
			   &sig, &err);
	if (rc) {
		if (rc != CHORUS_EINPUT || !err.text[0])
			abort();
		chorus_free(buf);
		return 0;
	}
	if (sig.status != CHORUS_SIG_MATCH || sig.nshingles == 0 || sig.nshingles * 4 != slen ||
	    chorus_hash64(sig.shingles, slen, SEED) != sethash)
		abort();
	for (uint32_t i = 1; i < sig.nshingles; i++)
		if (sig.shingles[i] <= sig.shingles[i - 1])
			abort();
	if (!(back = malloc(klen + slen)))
		abort();
	ws_sig_encode(sig.keys, bands, back);
	ws_sig_encode(sig.shingles, sig.nshingles, back + klen);
	if (memcmp(back, data + 3, klen + slen) != 0 ||
	    chorus_jaccard(sig.shingles, sig.nshingles, sig.shingles, sig.nshingles) != 1.0)
		abort();
	free(back);
	chorus_free(buf);
	return 0;
}
