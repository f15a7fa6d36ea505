/*
 * chorus/arena.h - bump allocator for strings that live as long as a corpus.
 *
 * An arena is a list of blocks; allocation bumps a pointer in the newest block
 * and opens a new block (at least CHORUS_ARENA_BLOCK bytes) when it is full.
 * Nothing is freed individually: chorus_arena_dispose frees every block at
 * once.  Pointers stay valid until then (blocks never move).  An arena is not
 * thread-safe; parallel code gives each thread its own and moves the blocks
 * into the shared one afterwards with chorus_arena_adopt.
 */
#ifndef CHORUS_ARENA_H
#define CHORUS_ARENA_H

#include <stddef.h>

#define CHORUS_ARENA_BLOCK (1u << 20)

struct chorus_arena_block;

typedef struct chorus_arena {
	struct chorus_arena_block *head; /* newest block */
	size_t bytes;                    /* bytes held in all blocks */
} chorus_arena;

void chorus_arena_init(chorus_arena *a);
void chorus_arena_dispose(chorus_arena *a);

/* n bytes aligned to 8, or NULL when out of memory. */
void *chorus_arena_alloc(chorus_arena *a, size_t n);

/* A NUL-terminated copy of s[0..len), or NULL when out of memory. */
char *chorus_arena_strndup(chorus_arena *a, const char *s, size_t len);

/* Move every block of src into dst; src is left empty and reusable. */
void chorus_arena_adopt(chorus_arena *dst, chorus_arena *src);

#endif
