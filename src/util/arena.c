/*
 * arena.c - bump allocator in a singly linked list of blocks.
 *
 * Invariant: head is the newest block and the only one allocated from;
 * every block's used <= size.  A request larger than a default block gets a
 * block of its own (so a 1 MiB post costs 1 MiB, not more).  Cost: O(1) per
 * allocation, one malloc per block.
 */
#include <stdint.h>
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/arena.h"

struct chorus_arena_block {
	struct chorus_arena_block *next;
	size_t size, used;
	_Alignas(8) unsigned char data[];
};

void chorus_arena_init(chorus_arena *a)
{
	a->head = NULL;
	a->bytes = 0;
}

void chorus_arena_dispose(chorus_arena *a)
{
	struct chorus_arena_block *b = a->head;

	while (b) {
		struct chorus_arena_block *next = b->next;
		chorus_free(b);
		b = next;
	}
	chorus_arena_init(a);
}

static struct chorus_arena_block *new_block(chorus_arena *a, size_t need)
{
	size_t size = need > CHORUS_ARENA_BLOCK ? need : CHORUS_ARENA_BLOCK;
	struct chorus_arena_block *b;

	if (size > SIZE_MAX - sizeof *b)
		return NULL;
	b = chorus_malloc(sizeof *b + size);
	if (!b)
		return NULL;
	b->size = size;
	b->used = 0;
	a->bytes += size;
	if (need > CHORUS_ARENA_BLOCK / 4 && a->head) {
		/* A big request gets its own block behind head, so the
		 * partly filled head keeps serving small strings. */
		b->next = a->head->next;
		a->head->next = b;
	} else {
		b->next = a->head;
		a->head = b;
	}
	return b;
}

void *chorus_arena_alloc(chorus_arena *a, size_t n)
{
	struct chorus_arena_block *b = a->head;
	size_t at;

	if (n > SIZE_MAX - 8)
		return NULL;
	n = (n + 7) & ~(size_t)7;
	if (!b || b->size - b->used < n) {
		b = new_block(a, n);
		if (!b)
			return NULL;
	}
	at = b->used;
	b->used += n;
	return b->data + at;
}

char *chorus_arena_strndup(chorus_arena *a, const char *s, size_t len)
{
	char *p;

	if (len == SIZE_MAX)
		return NULL;
	p = chorus_arena_alloc(a, len + 1);
	if (!p)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void chorus_arena_adopt(chorus_arena *dst, chorus_arena *src)
{
	struct chorus_arena_block *b = src->head, *last;

	if (!b)
		return;
	/* Put src's blocks behind dst's head so dst keeps filling its own. */
	for (last = b; last->next; last = last->next)
		;
	if (dst->head) {
		last->next = dst->head->next;
		dst->head->next = b;
	} else {
		dst->head = b;
	}
	dst->bytes += src->bytes;
	chorus_arena_init(src);
}
