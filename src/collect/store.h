/*
 * store.h - the evidence store of a collection: one folder, append-only.
 *
 *   STORE/store.json      what is collected (source, bounds), written once
 *   STORE/journal.jsonl   one JSON object per line, appended, never rewritten
 *   STORE/bodies/SHA.raw  each response body exactly as received, named by
 *                         the SHA-256 of its bytes (identical bodies share it)
 *   STORE/checkpoint.json where to go on (written to a temporary file, synced
 *                         and renamed: never half written)
 *   STORE/lock            held (flock) by the one run writing the store
 *
 * Journal records carry "seq" (1, 2, ...) and "kind":
 *   "response"  one HTTP response: url (secrets removed), method, status,
 *               received_at (UTC), the headers that matter, bytes, sha256 and
 *               body (the file under bodies/); "page" when the collector
 *               accepted it as a page of posts ({format, posts, next, ...});
 *   "gap"       a pause (rate limit, back-off): from, to, reason, url;
 *   "run"       a run starting or ending (event, status, resume, bounds);
 *   "error"     a request that got no response (reason).
 *
 * Commit order: the body is written to a temporary file, synced and renamed
 * into bodies/, the folder synced; then the journal line is written in one
 * write() and synced.  A run killed at any moment therefore leaves either a
 * body no line names (removed by the next writer) or a last line cut short
 * (a torn record: dropped with a warning, the file cut back by the next
 * writer).  Anything else (a bad line before the last, seq out of order, a
 * body missing or not matching its SHA-256) is damage: opening fails and
 * names the file, the line and the reason.
 */
#ifndef CHORUS_COLLECT_STORE_H
#define CHORUS_COLLECT_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "chorus/error.h"

typedef struct chorus_store chorus_store;

enum {
	CHORUS_STORE_READ = 0,   /* read only, no lock, nothing repaired */
	CHORUS_STORE_WRITE = 1   /* lock; cut a torn last line; drop orphans */
};

/* Called with each warning (one line, no newline). */
typedef void (*chorus_store_warn)(void *ud, const char *msg);

/*
 * Open the store in dir.  WRITE creates dir and store.json (from meta, which
 * must then be given) when dir has no store yet; an existing store's
 * store.json must then equal meta's "source" (else CHORUS_EUSAGE: another
 * collection's folder).  Another process writing it: CHORUS_ERR with "in
 * use".  Damage: CHORUS_EINPUT with err naming the file and line.
 */
int chorus_store_open(chorus_store **out, const char *dir, int mode, const json_t *meta,
		      chorus_store_warn warn, void *ud, chorus_error *err);
void chorus_store_close(chorus_store *st); /* NULL-safe; releases the lock */

const char *chorus_store_dir(const chorus_store *st);
/* store.json, as read or written. */
const json_t *chorus_store_meta(const chorus_store *st);

/* Records in the journal (after a torn last one was dropped). */
size_t chorus_store_count(const chorus_store *st);
/* Record i (0-based); borrowed. */
const json_t *chorus_store_record(const chorus_store *st, size_t i);

/*
 * Append a response: rec holds its fields (kind, url, status, headers,
 * page ...) without seq, bytes, sha256 and body, which are added here.
 * The body is committed before the line.  0 or CHORUS_EIO / _ENOMEM.
 */
int chorus_store_add_response(chorus_store *st, json_t *rec, const void *body, size_t len,
			      chorus_error *err);
/* Append any other record (gap, run, error); seq is added. */
int chorus_store_add(chorus_store *st, json_t *rec, chorus_error *err);

/* Write checkpoint.json = {seq: the last record's, state}, atomically. */
int chorus_store_checkpoint(chorus_store *st, const json_t *state, chorus_error *err);
/* checkpoint.json as read at open (or last written); NULL when none. */
const json_t *chorus_store_checkpoint_get(const chorus_store *st);

/* Path of a record's body file (dir/bodies/SHA.raw) into out[cap];
 * 0, or -1 when the record has no body or the path does not fit. */
int chorus_store_body_path(const chorus_store *st, const json_t *rec, char *out, size_t cap);

/* The UTC time now as RFC 3339 with milliseconds, into out[32]. */
void chorus_store_now(char out[32]);

#endif
