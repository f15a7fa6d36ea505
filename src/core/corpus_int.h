/*
 * corpus_int.h - what readers inside src/core may do to a corpus.
 *
 * A reader registers its input (chorus_corpus_add_input), appends posts
 * whose strings live in the corpus arena (or in an arena it moves there
 * with chorus_arena_adopt), and on failure calls chorus_corpus_rollback to
 * leave the corpus as it was before the read.  Not thread-safe: readers call
 * these from one thread only.
 */
#ifndef CHORUS_CORPUS_INT_H
#define CHORUS_CORPUS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "chorus/arena.h"
#include "chorus/error.h"
#include "chorus/post.h"

/* Hard caps: post indices and input numbers must fit uint32_t. */
#define CHORUS_CORPUS_MAX_POSTS ((size_t)UINT32_MAX - 1)
#define CHORUS_CORPUS_MAX_INPUTS ((size_t)1 << 20)

/* The arena every post string of the corpus lives in (borrowed). */
chorus_arena *chorus_corpus_arena(chorus_corpus *c);

/* Register an input named path (copied); its zeroed stats get number
 * *index.  CHORUS_ENOMEM, or CHORUS_ELIMIT with err set. */
int chorus_corpus_add_input(chorus_corpus *c, const char *path, uint32_t *index,
			    chorus_error *err);

/* Borrowed, valid until the next chorus_corpus_add_input. */
chorus_input_stats *chorus_corpus_input_stats(chorus_corpus *c, uint32_t index);

/* Make room for n more posts (the array doubles).  CHORUS_ENOMEM, or
 * CHORUS_ELIMIT with err set when the corpus would pass its cap. */
int chorus_corpus_reserve(chorus_corpus *c, size_t n, chorus_error *err);

/* Append a copy of *p; room must have been reserved. */
void chorus_corpus_push(chorus_corpus *c, const chorus_post *p);

/* Forget posts and inputs added after the counts were nposts and ninputs.
 * Their strings stay in the arena until the corpus is freed. */
void chorus_corpus_rollback(chorus_corpus *c, size_t nposts, size_t ninputs);

#endif
