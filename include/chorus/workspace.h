/*
 * chorus/workspace.h - the nightly workspace: what a scan needs to go on
 * from where the last one stopped, kept in one SQLite file.
 *
 * A workspace is a folder holding workspace.sqlite (schema: README.md
 * "Nightly scans (workspace)", and src/workspace/ws_db.c) and a lock file.
 * It keeps every post ever added (with its evidence fields), the scan
 * parameters fixed when it was made, the signatures and LSH band keys of
 * the posts still inside the index horizon, every verified link, the
 * connected groups of linked posts and the clusters among them (stable
 * ids, first night, status history), and one row per nightly run.
 *
 * A night (chorus_ws_run_night) adds the new posts, signs only them,
 * matches them against each other and against the indexed posts, links
 * the verified pairs and updates the groups and clusters, in one SQLite
 * transaction: a run that fails or is killed leaves the workspace as it
 * was before the run.
 *
 * Guarantee: after any number of nights the clusters (member posts,
 * accounts, every figure) are those chorus_scan_run finds over all the
 * posts at once, read in the order the nights added them, leaving out the
 * posts counted late.  A post is late when it is older than the newest
 * post held before its night minus params.late: the posts it could pair
 * with may have left the index.  Cluster ids are the exception: a cluster
 * keeps the id it got the night it first qualified (the batch id of its
 * members then); when clusters merge, the one first seen earliest keeps
 * its id (ties: the one holding the earliest post) and the others are
 * recorded as merged into it.
 */
#ifndef CHORUS_WORKSPACE_H
#define CHORUS_WORKSPACE_H

#include <stddef.h>
#include <stdint.h>

#include "chorus/error.h"
#include "chorus/models.h"
#include "chorus/post.h"
#include "chorus/scan.h"

#define CHORUS_WS_SCHEMA 1          /* schema version (PRAGMA user_version) */
#define CHORUS_WS_FILE "workspace.sqlite"

/* Parameters fixed when the workspace is made. */
typedef struct chorus_ws_params {
	chorus_scan_params scan; /* threads and hooks are not stored */
	int64_t late;            /* ns: how much older than the newest post held a
				    new post may be and still be matched */
} chorus_ws_params;

/* Defaults: the scan's, and late = the window. */
void chorus_ws_params_init(chorus_ws_params *wp);

/*
 * Make the workspace dir (created when missing; an existing workspace file
 * is refused) with its parameters, the models version and the chorus
 * version recorded.  now: UTC ns, recorded as the creation time.  The file
 * is written under a temporary name and renamed, so a failed init leaves
 * nothing.  CHORUS_EUSAGE (bad params, already a workspace), CHORUS_EIO.
 */
int chorus_ws_init(const char *dir, const chorus_ws_params *wp, const char *models_version,
		   int64_t now, chorus_error *err);

typedef struct chorus_ws chorus_ws;

enum chorus_ws_mode {
	CHORUS_WS_READ = 0,  /* reports only */
	CHORUS_WS_WRITE = 1  /* a nightly run: takes the workspace lock */
};

/*
 * Open the workspace dir.  CHORUS_WS_WRITE takes the lock (flock on
 * dir/lock, holding the pid): a second writer gets CHORUS_ERR with
 * err->text "in use by another run (pid N)".  The stored parameters and
 * versions are read and checked (a damaged or foreign file is
 * CHORUS_EINPUT, a newer schema CHORUS_EUSAGE).  *out only on success.
 */
int chorus_ws_open(const char *dir, int mode, chorus_ws **out, chorus_error *err);
void chorus_ws_close(chorus_ws *ws); /* NULL-safe; releases the lock */

const chorus_ws_params *chorus_ws_get_params(const chorus_ws *ws);
const char *chorus_ws_models_version(const chorus_ws *ws);
const char *chorus_ws_chorus_version(const chorus_ws *ws);
const char *chorus_ws_dir(const chorus_ws *ws);

/*
 * CHORUS_EUSAGE, err saying which, when the models or the chorus version
 * differ from those the workspace was made with: signatures and links
 * depend on both, so a night with others would not match the posts held.
 */
int chorus_ws_check_versions(const chorus_ws *ws, const char *models_version,
			     chorus_error *err);

/* How a cluster changed in one night. */
enum chorus_ws_change_kind {
	CHORUS_WS_NEW = 1,   /* qualified for the first time: a new id */
	CHORUS_WS_GROWN,     /* an existing cluster gained posts (maybe by merging) */
	CHORUS_WS_WITHDRAWN  /* no longer qualifies (links replaced by late ones) */
};

typedef struct chorus_ws_change {
	char id[17];
	int kind;                /* enum chorus_ws_change_kind */
	uint64_t posts, posts_before, accounts, burst_accounts;
	double score;
	int64_t first_seen, last_seen;
	char (*merged)[17];      /* clusters merged into this one tonight */
	size_t nmerged;
	char split_from[17];     /* a cluster it was cut from, or "" */
} chorus_ws_change;

/* What one night did. */
typedef struct chorus_ws_night {
	int64_t run;             /* its number, 1, 2, ... */
	uint64_t read;           /* posts in the night's corpus */
	uint64_t added;          /* new posts stored */
	uint64_t known;          /* already held (same platform and id): ignored */
	uint64_t late;           /* stored, not matched (see the guarantee) */
	uint64_t matched, reposts, short_posts; /* of the added */
	uint64_t index_loaded;   /* indexed posts the night matched against */
	uint64_t rematched;      /* earlier posts whose pairs were found again
				    because new posts came before them in time */
	uint64_t candidates, links_added, links_removed;
	uint64_t evicted;        /* signatures that left the index */
	uint64_t indexed;        /* signatures held after the night */
	uint64_t posts_held;     /* posts in the workspace after the night */
	uint64_t clusters;       /* active clusters after the night */
	uint64_t merged;         /* cluster ids retired by merging */
	uint64_t unchanged;      /* active clusters the night did not touch */
	int64_t newest, horizon; /* newest post; index horizon (CHORUS_TIME_NONE) */
	chorus_ws_change *changes; /* by score, best first (ties: id) */
	size_t nchanges;
} chorus_ws_night;

/* Options of a night; zero-initialise. */
typedef struct chorus_ws_night_opts {
	int argc;                /* the command line, recorded in the run row */
	char *const *argv;
	int64_t run_time;        /* UTC ns, recorded */
	int threads;             /* 0 = OpenMP default; never changes the result */
	/* Progress: called when a step starts (done 0) and ends (done 1). */
	void (*on_stage)(void *ud, const char *stage, int done);
	void *ud;
	/* Testing only: after this many posts written, the process kills
	 * itself with SIGKILL inside the transaction (0 = never); a step name
	 * ("store", "sign", "write", "match", "links", "groups", "evict",
	 * "commit") kills it when that step starts. */
	unsigned long kill_after_posts;
	const char *kill_at;
} chorus_ws_night_opts;

/*
 * Run one night over the posts of night (its inputs are recorded with
 * their SHA-256) in one transaction.  ws must be open for writing and its
 * versions checked.  On failure nothing is kept.  CHORUS_ERR ("in use"),
 * CHORUS_EIO, CHORUS_EINPUT (damaged workspace), CHORUS_ENOMEM,
 * CHORUS_ELIMIT.  *out (free with chorus_ws_night_free) only on success.
 */
int chorus_ws_run_night(chorus_ws *ws, const chorus_corpus *night, const chorus_models *models,
			const chorus_ws_night_opts *o, chorus_ws_night **out, chorus_error *err);
void chorus_ws_night_free(chorus_ws_night *n);

/*
 * The clusters ids[0..nids) (every active cluster when ids is NULL) as a
 * scan for the report writers: their posts in a corpus whose inputs are
 * the nightly inputs they came from (path, SHA-256 and format as recorded
 * that night), clustered from the stored links (chorus_scan_from_links),
 * with the workspace's cluster ids.  CHORUS_EUSAGE (an id not active),
 * CHORUS_EINPUT, CHORUS_EIO, CHORUS_ENOMEM.
 */
int chorus_ws_load_clusters(chorus_ws *ws, const char (*ids)[17], size_t nids,
			    const chorus_models *models, int threads, chorus_corpus **corpus,
			    chorus_scan **scan, chorus_error *err);

#endif
