/*
 * chorus/synth.h - synthetic evaluation corpus with planted campaigns.
 *
 * From a seed, chorus_synth_write produces a month (by default) of organic
 * posts in Russian, Kazakh and English, plants coordinated campaigns in it
 * (one template posted by 5 to 150 accounts within at most two days, each
 * copy varied the way troll factories vary them) and hard negatives (texts
 * that repeat for innocent reasons), and writes the ground truth.  The same
 * options give the same bytes on every platform: all randomness comes from
 * chorus_splitmix64 streams derived from the seed, and no floating point or
 * libm result decides anything.
 *
 * Corpus: canonical JSON Lines (see chorus/post.h), one post per line, in
 * created_at order and then id order (ids are 19-digit snowflakes that grow
 * with time, so that is also id order):
 *   {"id":"1255076191364960256","author":"aidos_k87","text":"...",
 *    "created_at":"2020-04-28T09:14:05Z"}
 * plus "platform", "url", "lang" and "author_created_at" for about half of
 * the accounts and "repost_of" on native reposts.  A few ids are written as
 * JSON integers (above 2^53) and a few authors are numeric.
 *
 * Truth: JSON Lines.
 *   line 1  {"kind":"header","generator":"chorus synth","version":V,"seed":S,
 *            "posts":N,"options":{...},"shared_text":true|false,...}
 *   then    {"kind":"campaign","id":"camp-001","tier":T,"posts":[ids],
 *            "accounts":A,"first_seen":...,"last_seen":...,"lang":...,
 *            "fresh_accounts":F,"template":...}
 *           one per campaign, numbered in order of first post;
 *   then    {"kind":"hard_negative","type":K,"id":"neg-001","posts":[ids],
 *            "accounts":A,"first_seen":...,"last_seen":...,"lang":...}
 * Tiers T: exact, light, heavy, disguised.  Types K: headline, self_repeat,
 * repost, stock_phrase, topic.  Post ids in a line are in time order.
 * V (CHORUS_SYNTH_VERSION) changes whenever the output for given options
 * changes.
 */
#ifndef CHORUS_SYNTH_H
#define CHORUS_SYNTH_H

#include <stdint.h>
#include <stdio.h>

#include "chorus/error.h"

#define CHORUS_SYNTH_VERSION 1

/* An option left at this value scales with the number of posts. */
#define CHORUS_SYNTH_AUTO UINT64_MAX

/* Limits checked by chorus_synth_write (CHORUS_EUSAGE beyond them). */
#define CHORUS_SYNTH_MAX_POSTS UINT64_C(20000000)
#define CHORUS_SYNTH_MAX_DAYS 1460u
#define CHORUS_SYNTH_MIN_TEXT 20u
#define CHORUS_SYNTH_MAX_TEXT 4000u

typedef struct chorus_synth_opts {
	uint64_t seed;        /* default 1 */
	uint64_t posts;       /* posts written in all, default 5000, >= 100 */
	uint64_t campaigns;   /* AUTO: 40 per 100,000 posts, at least 3 */
	uint64_t accounts;    /* organic accounts; AUTO: 30% of posts, >= 200 */
	int64_t start;        /* first instant, UTC ns; default 2020-04-01T00:00:00Z */
	uint32_t days;        /* length of the period, default 30 */
	uint32_t text_bytes;  /* mean organic text length in bytes, default 200 */
	/* Folder holding corpora/kazakh/kaznerd_IOB2_valid.txt and the JSON
	 * files of corpora/telegram-ru/: real sentences for part of the organic
	 * Kazakh and Russian posts.  NULL (default) = generated text only. */
	const char *shared_dir;
} chorus_synth_opts;

/* Set every option to its default. */
void chorus_synth_opts_init(chorus_synth_opts *o);

/*
 * Generate the corpus described by o and write it to corpus, and the ground
 * truth to truth (NULL = none).  Memory is about 60 bytes per post plus the
 * shared text; the posts are planned first, sorted, then rendered and
 * written in one pass.  Neither stream is closed; write errors are reported
 * (the caller should still check fclose).
 * Returns CHORUS_OK, CHORUS_EUSAGE (an option out of range, or too few posts
 * for the planted items: err says which), CHORUS_EIO (a write failed, or
 * shared_dir holds no readable shared text), CHORUS_ENOMEM.
 * Thread-safe: no global state.
 */
int chorus_synth_write(const chorus_synth_opts *o, FILE *corpus, FILE *truth,
		       chorus_error *err);

#endif
