/*
 * ws_int.h - what the workspace files share inside src/workspace.
 *
 *   workspace.c  open, init, lock, parameters and versions
 *   ws_db.c      the SQLite adapter: the only file that includes sqlite3.h;
 *                the schema and every statement
 *   ws_sig.c     the stored form of a signature (band keys and shingles as
 *                little-endian 32-bit BLOBs), decoded with every check a
 *                hostile file needs
 *   ws_night.c   a night: store, sign, match, link, evict
 *   ws_groups.c  groups and clusters after the links changed
 *   ws_load.c    posts and links back into a corpus and a scan
 *
 * Posts are named by their arrival number (posts.post, "seq" here): the
 * order in which nights added them, which breaks ties in time as the
 * batch scan's input order does.
 */
#ifndef CHORUS_WS_INT_H
#define CHORUS_WS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "chorus/workspace.h"

/* Status of a stored post: chorus_sig_status, or late. */
enum { WS_LATE = 4 };

typedef struct ws_db ws_db;

/* The workspace row. */
typedef struct ws_info {
	int schema;
	int64_t created_at;
	char chorus_version[32];
	char models_version[64];
	chorus_ws_params wp;
	int64_t newest, horizon; /* CHORUS_TIME_NONE when none */
} ws_info;

struct chorus_ws {
	char *dir;
	int mode;
	int lock_fd;
	ws_db *db;
	ws_info info;
};

/* A connected group of linked posts; a cluster once it has an id. */
typedef struct ws_group {
	int64_t grp;           /* 0: not stored yet */
	char cluster[17];      /* "" when it never qualified */
	int64_t anchor;        /* its earliest post (time, then arrival) */
	uint64_t posts;
	int64_t first_run, last_run;
} ws_group;

enum ws_cluster_status { WS_ACTIVE = 0, WS_MERGED, WS_WITHDRAWN };

/* A cluster id and what it names. */
typedef struct ws_cluster {
	char id[17];
	int64_t first_run, last_run;
	int status;            /* enum ws_cluster_status */
	char merged_into[17];  /* "" unless merged */
	uint64_t posts, accounts, burst;
	double score;
	int64_t first_seen, last_seen;
} ws_cluster;

/* ---- ws_db.c ---- */

/* Create the file at path with the schema and the workspace row. */
int ws_db_create(const char *path, const ws_info *info, chorus_error *err);
int ws_db_open(const char *path, int write, ws_db **out, chorus_error *err);
void ws_db_close(ws_db *db);
/* BEGIN IMMEDIATE, not waiting: CHORUS_ERR "in use" when another
 * connection writes. */
int ws_db_begin(ws_db *db, chorus_error *err);
int ws_db_commit(ws_db *db, chorus_error *err);
/* A read transaction: one consistent view for a report. */
int ws_db_begin_read(ws_db *db, chorus_error *err);
void ws_db_rollback(ws_db *db);

int ws_db_get_info(ws_db *db, ws_info *info, chorus_error *err);
int ws_db_set_horizon(ws_db *db, int64_t newest, int64_t horizon, chorus_error *err);

int ws_db_next_run(ws_db *db, int64_t *run, chorus_error *err);
int ws_db_put_run(ws_db *db, const chorus_ws_night *n, int64_t started, int64_t finished,
		  const char *command_line, chorus_error *err);
int ws_db_put_run_input(ws_db *db, int64_t run, uint32_t input, const chorus_input_stats *st,
			uint64_t known, chorus_error *err);
int ws_db_get_run_input(ws_db *db, int64_t run, int64_t input, chorus_input_stats *st,
			char *path, size_t path_cap, char *format, size_t format_cap,
			chorus_error *err);

int ws_db_post_known(ws_db *db, const chorus_post *p, int *known, chorus_error *err);
/* *seq = the new post's number, or 0 when the platform and id are held. */
int ws_db_put_post(ws_db *db, const chorus_post *p, int64_t run, int status, int64_t *seq,
		   chorus_error *err);
int ws_db_count_posts(ws_db *db, uint64_t *n, chorus_error *err);
int ws_db_max_post(ws_db *db, int64_t *seq, chorus_error *err);
int ws_db_post_time(ws_db *db, int64_t seq, int64_t *t, chorus_error *err);
/* Each of seqs[0..n) in that order: fn gets the post (strings valid during
 * the call), the run and the input it came from. */
typedef int (*ws_post_fn)(void *ud, int64_t seq, int64_t run, int64_t input,
			  const chorus_post *p);
int ws_db_each_post(ws_db *db, const int64_t *seqs, size_t n, ws_post_fn fn, void *ud,
		    chorus_error *err);

int ws_db_put_sig(ws_db *db, int64_t seq, int64_t t, const chorus_sig *sig, unsigned bands,
		  chorus_error *err);
int ws_db_count_sigs(ws_db *db, int64_t from, uint64_t *n, chorus_error *err);
/* The signatures of posts dated from `from` on, in (time, arrival) order,
 * decoded and checked (ws_sig_decode). */
typedef int (*ws_sig_fn)(void *ud, int64_t seq, int64_t t, const chorus_sig *sig);
int ws_db_each_sig(ws_db *db, int64_t from, unsigned bands, uint64_t seed, ws_sig_fn fn,
		   void *ud, chorus_error *err);
int ws_db_evict_sigs(ws_db *db, int64_t before, uint64_t *n, chorus_error *err);

/* Links owned by b (a before b). */
typedef int (*ws_link_fn)(void *ud, int64_t a, int64_t b, float sim);
int ws_db_each_link_of(ws_db *db, int64_t b, ws_link_fn fn, void *ud, chorus_error *err);
int ws_db_put_link(ws_db *db, int64_t a, int64_t b, float sim, int64_t run, chorus_error *err);
int ws_db_del_link(ws_db *db, int64_t a, int64_t b, chorus_error *err);

int ws_db_group_of(ws_db *db, int64_t seq, int64_t *grp, chorus_error *err); /* 0: none */
typedef int (*ws_seq_fn)(void *ud, int64_t seq);
int ws_db_each_member(ws_db *db, int64_t grp, ws_seq_fn fn, void *ud, chorus_error *err);
int ws_db_set_member(ws_db *db, int64_t seq, int64_t grp, chorus_error *err);
int ws_db_del_member(ws_db *db, int64_t seq, chorus_error *err);
int ws_db_get_group(ws_db *db, int64_t grp, ws_group *g, chorus_error *err);
int ws_db_put_group(ws_db *db, ws_group *g, chorus_error *err); /* grp 0: new */
int ws_db_del_group(ws_db *db, int64_t grp, chorus_error *err);

int ws_db_get_cluster(ws_db *db, const char *id, ws_cluster *c, int *found, chorus_error *err);
int ws_db_put_cluster(ws_db *db, const ws_cluster *c, chorus_error *err);
int ws_db_put_event(ws_db *db, int64_t run, const char *id, const char *event,
		    const char *other, const ws_cluster *fig, chorus_error *err);
int ws_db_group_of_cluster(ws_db *db, const char *id, int64_t *grp, chorus_error *err);
typedef int (*ws_id_fn)(void *ud, const char *id);
int ws_db_each_active_cluster(ws_db *db, ws_id_fn fn, void *ud, chorus_error *err);
int ws_db_count_active(ws_db *db, uint64_t *n, chorus_error *err);

/* ---- ws_sig.c ---- */

#define WS_MAX_SHINGLES ((size_t)1 << 24)

/* Band keys or shingles as stored: n little-endian 32-bit values. */
void ws_sig_encode(const uint32_t *v, size_t n, unsigned char *out);
/*
 * Decode a stored signature: keys[0..klen) must hold exactly bands values,
 * sh[0..slen) 1 to WS_MAX_SHINGLES values in strictly ascending order,
 * sethash their chorus_hash64 under seed.
 * The values go to *buf (grown, capacity *cap: bands + shingles); out
 * points into it.  CHORUS_EINPUT (err->text says what) or CHORUS_ENOMEM.
 */
int ws_sig_decode(const void *keys, size_t klen, const void *sh, size_t slen, unsigned bands,
		  uint64_t sethash, uint64_t seed, uint32_t **buf, size_t *cap,
		  chorus_sig *out, chorus_error *err);

/* ---- ws_groups.c ---- */

typedef struct ws_link {
	int64_t a, b;
	float sim;
} ws_link;

/* After the night's links were stored: recompute the groups touched by
 * added and removed links, give and keep cluster ids, record events, and
 * list the changes in n.  CHORUS_* codes. */
int ws_groups_update(chorus_ws *ws, const chorus_models *models, int threads,
		     const ws_link *added, size_t nadded, const ws_link *removed,
		     size_t nremoved, chorus_ws_night *n, chorus_error *err);

/* ---- ws_load.c ---- */

/*
 * Posts seqs[0..n) (ascending, distinct) into a corpus in that order
 * (post i of the corpus is seqs[i]) and a scan clustered from links[0..
 * nlinks) (seqs; when links is NULL, every stored link among the posts).
 * with_inputs: the corpus inputs are the nightly inputs the posts came
 * from; else one placeholder input.
 */
int ws_load_scan(chorus_ws *ws, const int64_t *seqs, size_t n, const ws_link *links,
		 size_t nlinks, const chorus_models *models, int threads, int with_inputs,
		 chorus_corpus **corpus, chorus_scan **scan, chorus_error *err);

#endif
