/*
 * ws_db.c - the workspace's SQLite adapter: the schema and every statement.
 * No other file includes sqlite3.h.
 *
 * Schema (version CHORUS_WS_SCHEMA, in PRAGMA user_version; application_id
 * 0x63687273 "chrs").  Times of posts and clusters are UTC nanoseconds
 * (INTEGER), run and creation times RFC 3339 text.
 *
 *   workspace       one row: schema_version, created_at, chorus_version,
 *                   models_version, the parameters (window_ns, late_ns,
 *                   threshold, min_accounts, shingle "word:K"/"char:K",
 *                   perms, bands, min_content, neighbours, include_reposts,
 *                   seed "0x...", norm_flags), newest_ns (newest post held),
 *                   horizon_ns (signatures older than this have left)
 *   runs            one row per night: run (1, 2, ...), started_at,
 *                   finished_at, chorus_version, command_line, and its
 *                   counts (posts_read, posts_added, posts_known,
 *                   posts_late, matched, reposts, short_posts, index_loaded,
 *                   rematched, candidate_pairs, links_added, links_removed,
 *                   evicted, indexed, posts_held, clusters, clusters_new,
 *                   clusters_grown, clusters_merged, newest_ns, horizon_ns)
 *   run_inputs      (run, input): path, format, sha256, bytes, records,
 *                   skipped, duplicates (within the night), known (already
 *                   held), ignored, reposts
 *   posts           post (arrival number, INTEGER PRIMARY KEY), platform
 *                   ('' when absent), id, author, text, created_at, url,
 *                   lang, repost_of, reply_to, author_handle,
 *                   author_created_at, server_time, source, source_line,
 *                   raw_sha256, run, input, line, status (0 matched,
 *                   1 repost, 2 short, 3 empty, 4 late);
 *                   UNIQUE (platform, id)
 *   signatures      the index: (created_at, post) PRIMARY KEY, sethash,
 *                   band_keys BLOB (bands x u32 LE), shingles BLOB (sorted
 *                   u32 LE); WITHOUT ROWID, so the window is one range scan
 *   links           verified pairs (b, a) PRIMARY KEY, a before b in (time,
 *                   arrival) order, sim, run; WITHOUT ROWID; b owns the link
 *   groups          grp, cluster (id once it qualified, UNIQUE), anchor
 *                   (earliest post), posts, first_run, last_run
 *   members         post PRIMARY KEY, grp (index members_grp)
 *   clusters        cluster PRIMARY KEY, first_run, last_run, status
 *                   ('active', 'merged', 'withdrawn'), merged_into, posts,
 *                   accounts, burst_accounts, score, first_seen, last_seen
 *   cluster_events  run, cluster, event ('new', 'grown', 'absorbed',
 *                   'merged', 'split', 'withdrawn'), other (the other
 *                   cluster of a merge or split), posts, accounts, score
 *
 * A file is trusted only after its schema (tables, indexes, their SQL) is
 * found identical to this one and SQLite's defensive mode is on, so a
 * hostile file cannot bring triggers or views into a run.  BLOBs are
 * decoded by ws_sig.c with every check; text read back must be valid UTF-8
 * without NUL.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "chorus/alloc.h"
#include "chorus/minhash.h"
#include "chorus/timeutil.h"
#include "chorus/utf8.h"
#include "ws_int.h"

#define APPLICATION_ID 0x63687273 /* "chrs" */
#define CACHE_KIB 131072          /* page cache: 128 MiB */

static const char schema_sql[] =
	"CREATE TABLE workspace(schema_version INTEGER NOT NULL, created_at TEXT NOT NULL,"
	" chorus_version TEXT NOT NULL, models_version TEXT NOT NULL,"
	" window_ns INTEGER NOT NULL, late_ns INTEGER NOT NULL, threshold REAL NOT NULL,"
	" min_accounts INTEGER NOT NULL, shingle TEXT NOT NULL, perms INTEGER NOT NULL,"
	" bands INTEGER NOT NULL, min_content INTEGER NOT NULL, neighbours INTEGER NOT NULL,"
	" include_reposts INTEGER NOT NULL, seed TEXT NOT NULL, norm_flags INTEGER NOT NULL,"
	" newest_ns INTEGER, horizon_ns INTEGER);"
	"CREATE TABLE runs(run INTEGER PRIMARY KEY, started_at TEXT NOT NULL,"
	" finished_at TEXT NOT NULL, chorus_version TEXT NOT NULL, command_line TEXT NOT NULL,"
	" posts_read INTEGER, posts_added INTEGER, posts_known INTEGER, posts_late INTEGER,"
	" matched INTEGER, reposts INTEGER, short_posts INTEGER, index_loaded INTEGER,"
	" rematched INTEGER, candidate_pairs INTEGER, links_added INTEGER,"
	" links_removed INTEGER, evicted INTEGER, indexed INTEGER, posts_held INTEGER,"
	" clusters INTEGER, clusters_new INTEGER, clusters_grown INTEGER,"
	" clusters_merged INTEGER, newest_ns INTEGER, horizon_ns INTEGER);"
	"CREATE TABLE run_inputs(run INTEGER NOT NULL, input INTEGER NOT NULL,"
	" path TEXT NOT NULL, format TEXT NOT NULL, sha256 TEXT NOT NULL,"
	" bytes INTEGER NOT NULL, records INTEGER NOT NULL, skipped INTEGER NOT NULL,"
	" duplicates INTEGER NOT NULL, known INTEGER NOT NULL, ignored INTEGER NOT NULL,"
	" reposts INTEGER NOT NULL, PRIMARY KEY(run, input));"
	"CREATE TABLE posts(post INTEGER PRIMARY KEY, platform TEXT NOT NULL, id TEXT NOT NULL,"
	" author TEXT NOT NULL, text TEXT NOT NULL, created_at INTEGER NOT NULL, url TEXT,"
	" lang TEXT, repost_of TEXT, reply_to TEXT, author_handle TEXT,"
	" author_created_at INTEGER, server_time INTEGER, source TEXT, source_line TEXT,"
	" raw_sha256 TEXT, run INTEGER NOT NULL, input INTEGER NOT NULL, line INTEGER NOT NULL,"
	" status INTEGER NOT NULL, UNIQUE(platform, id));"
	"CREATE TABLE signatures(created_at INTEGER NOT NULL, post INTEGER NOT NULL,"
	" sethash INTEGER NOT NULL, band_keys BLOB NOT NULL, shingles BLOB NOT NULL,"
	" PRIMARY KEY(created_at, post)) WITHOUT ROWID;"
	"CREATE TABLE links(b INTEGER NOT NULL, a INTEGER NOT NULL, sim REAL NOT NULL,"
	" run INTEGER NOT NULL, PRIMARY KEY(b, a)) WITHOUT ROWID;"
	"CREATE INDEX links_a ON links(a);"
	"CREATE TABLE groups(grp INTEGER PRIMARY KEY, cluster TEXT UNIQUE,"
	" anchor INTEGER NOT NULL, posts INTEGER NOT NULL, first_run INTEGER NOT NULL,"
	" last_run INTEGER NOT NULL);"
	"CREATE TABLE members(post INTEGER PRIMARY KEY, grp INTEGER NOT NULL);"
	"CREATE INDEX members_grp ON members(grp);"
	"CREATE TABLE clusters(cluster TEXT PRIMARY KEY, first_run INTEGER NOT NULL,"
	" last_run INTEGER NOT NULL, status TEXT NOT NULL, merged_into TEXT,"
	" posts INTEGER NOT NULL, accounts INTEGER NOT NULL, burst_accounts INTEGER NOT NULL,"
	" score REAL NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL);"
	"CREATE TABLE cluster_events(run INTEGER NOT NULL, cluster TEXT NOT NULL,"
	" event TEXT NOT NULL, other TEXT, posts INTEGER NOT NULL, accounts INTEGER NOT NULL,"
	" score REAL NOT NULL);"
	"CREATE INDEX cluster_events_cluster ON cluster_events(cluster, run);";

enum stmt_id {
	S_INFO_GET, S_INFO_PUT, S_HORIZON_SET,
	S_RUN_NEXT, S_RUN_PUT, S_RUN_INPUT_PUT, S_RUN_INPUT_GET,
	S_POST_KNOWN, S_POST_PUT, S_POST_MAX, S_POST_TIME, S_POST_GET,
	S_SIG_PUT, S_SIG_COUNT, S_SIG_EACH, S_SIG_EVICT,
	S_LINK_EACH, S_LINK_PUT, S_LINK_DEL,
	S_MEMBER_GROUP, S_MEMBER_EACH, S_MEMBER_SET, S_MEMBER_DEL,
	S_GROUP_GET, S_GROUP_INSERT, S_GROUP_UPDATE, S_GROUP_DEL,
	S_CLUSTER_GET, S_CLUSTER_PUT, S_EVENT_PUT, S_CLUSTER_GROUP, S_CLUSTER_ACTIVE,
	S_CLUSTER_COUNT,
	S_COUNT
};

#define POST_COLUMNS "platform, id, author, text, created_at, url, lang, repost_of, reply_to," \
	" author_handle, author_created_at, server_time, source, source_line, raw_sha256"

static const char *const stmt_sql[S_COUNT] = {
	[S_INFO_GET] = "SELECT schema_version, created_at, chorus_version, models_version,"
		" window_ns, late_ns, threshold, min_accounts, shingle, perms, bands, min_content,"
		" neighbours, include_reposts, seed, norm_flags, newest_ns, horizon_ns"
		" FROM workspace",
	[S_INFO_PUT] = "INSERT INTO workspace VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
		" ?11, ?12, ?13, ?14, ?15, ?16, NULL, NULL)",
	[S_HORIZON_SET] = "UPDATE workspace SET newest_ns = ?1, horizon_ns = ?2",
	[S_RUN_NEXT] = "SELECT coalesce(max(run), 0) + 1 FROM runs",
	[S_RUN_PUT] = "INSERT INTO runs VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
		" ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)",
	[S_RUN_INPUT_PUT] = "INSERT INTO run_inputs VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
		" ?10, ?11, ?12)",
	[S_RUN_INPUT_GET] = "SELECT path, format, sha256, bytes, records, skipped, duplicates,"
		" ignored, reposts FROM run_inputs WHERE run = ?1 AND input = ?2",
	[S_POST_KNOWN] = "SELECT 1 FROM posts WHERE platform = ?1 AND id = ?2",
	[S_POST_PUT] = "INSERT OR IGNORE INTO posts(" POST_COLUMNS ", run, input, line, status)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
		" ?17, ?18, ?19)",
	[S_POST_MAX] = "SELECT coalesce(max(post), 0) FROM posts",
	[S_POST_TIME] = "SELECT created_at FROM posts WHERE post = ?1",
	[S_POST_GET] = "SELECT " POST_COLUMNS ", run, input, line FROM posts WHERE post = ?1",
	[S_SIG_PUT] = "INSERT INTO signatures VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_SIG_COUNT] = "SELECT count(*) FROM signatures WHERE created_at >= ?1",
	[S_SIG_EACH] = "SELECT created_at, post, sethash, band_keys, shingles FROM signatures"
		" WHERE created_at >= ?1 ORDER BY created_at, post",
	[S_SIG_EVICT] = "DELETE FROM signatures WHERE created_at < ?1",
	[S_LINK_EACH] = "SELECT a, sim FROM links WHERE b = ?1 ORDER BY a",
	[S_LINK_PUT] = "INSERT INTO links VALUES(?1, ?2, ?3, ?4)",
	[S_LINK_DEL] = "DELETE FROM links WHERE b = ?1 AND a = ?2",
	[S_MEMBER_GROUP] = "SELECT grp FROM members WHERE post = ?1",
	[S_MEMBER_EACH] = "SELECT post FROM members WHERE grp = ?1 ORDER BY post",
	[S_MEMBER_SET] = "INSERT OR REPLACE INTO members VALUES(?1, ?2)",
	[S_MEMBER_DEL] = "DELETE FROM members WHERE post = ?1",
	[S_GROUP_GET] = "SELECT cluster, anchor, posts, first_run, last_run FROM groups"
		" WHERE grp = ?1",
	[S_GROUP_INSERT] = "INSERT INTO groups(cluster, anchor, posts, first_run, last_run)"
		" VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_GROUP_UPDATE] = "UPDATE groups SET cluster = ?1, anchor = ?2, posts = ?3,"
		" first_run = ?4, last_run = ?5 WHERE grp = ?6",
	[S_GROUP_DEL] = "DELETE FROM groups WHERE grp = ?1",
	[S_CLUSTER_GET] = "SELECT first_run, last_run, status, merged_into, posts, accounts,"
		" burst_accounts, score, first_seen, last_seen FROM clusters WHERE cluster = ?1",
	[S_CLUSTER_PUT] = "INSERT OR REPLACE INTO clusters VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7,"
		" ?8, ?9, ?10, ?11)",
	[S_EVENT_PUT] = "INSERT INTO cluster_events VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_CLUSTER_GROUP] = "SELECT grp FROM groups WHERE cluster = ?1",
	[S_CLUSTER_ACTIVE] = "SELECT cluster FROM clusters WHERE status = 'active'"
		" ORDER BY cluster",
	[S_CLUSTER_COUNT] = "SELECT count(*) FROM clusters WHERE status = 'active'",
};

static const char *const status_names[] = { "active", "merged", "withdrawn" };

struct ws_db {
	sqlite3 *h;
	char *path;
	sqlite3_stmt *st[S_COUNT];
	uint32_t *sigbuf;  /* decoded signature values (ws_sig_decode) */
	size_t sigcap;
};

/* ---- errors ---- */

static int code_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_NOMEM: return CHORUS_ENOMEM;
	case SQLITE_BUSY: case SQLITE_LOCKED: return CHORUS_ERR;
	case SQLITE_CORRUPT: case SQLITE_NOTADB: case SQLITE_CONSTRAINT: case SQLITE_MISMATCH:
	case SQLITE_SCHEMA: case SQLITE_FORMAT: case SQLITE_RANGE: case SQLITE_TOOBIG:
		return CHORUS_EINPUT;
	default: return CHORUS_EIO;
	}
}

static int fail(ws_db *db, int rc, chorus_error *err)
{
	const int code = code_of(rc);

	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		chorus_error_set(err, db->path, 0, "workspace in use by another run (the database is locked)");
	else
		chorus_error_set(err, db->path, 0, "%s", sqlite3_errmsg(db->h));
	return code;
}

static int damaged(ws_db *db, chorus_error *err, const char *what)
{
	chorus_error_set(err, db->path, 0, "damaged: %s", what);
	return CHORUS_EINPUT;
}

/* ---- statements ---- */

/* Statement k, prepared once, reset and unbound. */
static sqlite3_stmt *stmt(ws_db *db, int k, int *rc, chorus_error *err)
{
	sqlite3_stmt *s = db->st[k];
	int r;

	if (!s) {
		r = sqlite3_prepare_v3(db->h, stmt_sql[k], -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
		if (r != SQLITE_OK) {
			*rc = fail(db, r, err);
			return NULL;
		}
		db->st[k] = s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

static int bind_i64(sqlite3_stmt *s, int k, int64_t v)
{
	return sqlite3_bind_int64(s, k, v);
}

/* A time, or NULL when none. */
static int bind_time(sqlite3_stmt *s, int k, int64_t t)
{
	return t == CHORUS_TIME_NONE ? sqlite3_bind_null(s, k) : sqlite3_bind_int64(s, k, t);
}

static int bind_str(sqlite3_stmt *s, int k, const chorus_str *v)
{
	if (!v || !v->p)
		return sqlite3_bind_null(s, k);
	return sqlite3_bind_text(s, k, v->p, (int)v->len, SQLITE_STATIC);
}

static int bind_cstr(sqlite3_stmt *s, int k, const char *v)
{
	return v ? sqlite3_bind_text(s, k, v, -1, SQLITE_STATIC) : sqlite3_bind_null(s, k);
}

static int bind_rfc3339(sqlite3_stmt *s, int k, int64_t t)
{
	char buf[CHORUS_TIME_STRLEN];

	chorus_time_format(t, buf);
	return sqlite3_bind_text(s, k, buf, -1, SQLITE_TRANSIENT);
}

/* Step a statement that returns no row. */
static int exec_done(ws_db *db, sqlite3_stmt *s, int brc, chorus_error *err)
{
	int r = brc ? brc : sqlite3_step(s);

	if (r != SQLITE_DONE)
		return fail(db, r, err);
	sqlite3_reset(s);
	return CHORUS_OK;
}

/* Step to the one row of a query: 1 row, 0 none, or a negative code. */
static int step_row(ws_db *db, sqlite3_stmt *s, int brc, chorus_error *err)
{
	int r = brc ? brc : sqlite3_step(s);

	if (r == SQLITE_ROW)
		return 1;
	if (r == SQLITE_DONE)
		return 0;
	return fail(db, r, err);
}

static int col_is_int(sqlite3_stmt *s, int k)
{
	return sqlite3_column_type(s, k) == SQLITE_INTEGER;
}

/* A text column as a string (NULL column: absent); -1 when it is not text,
 * not valid UTF-8 or holds a NUL. */
static int col_str(sqlite3_stmt *s, int k, chorus_str *out)
{
	const int type = sqlite3_column_type(s, k);
	const char *p;
	int n;
	size_t bad;

	out->p = NULL;
	out->len = 0;
	if (type == SQLITE_NULL)
		return 0;
	if (type != SQLITE_TEXT)
		return -1;
	p = (const char *)sqlite3_column_text(s, k);
	n = sqlite3_column_bytes(s, k);
	if (!p || n < 0 || memchr(p, 0, (size_t)n) || !chorus_utf8_valid(p, (size_t)n, &bad))
		return -1;
	out->p = p;
	out->len = (uint32_t)n;
	return 0;
}

/* A text column into out[cap] (at most cap - 1 bytes); -1 when absent,
 * not text or too long. */
static int col_copy(sqlite3_stmt *s, int k, char *out, size_t cap)
{
	chorus_str v;

	if (col_str(s, k, &v) || !v.p || v.len >= cap)
		return -1;
	memcpy(out, v.p, v.len);
	out[v.len] = '\0';
	return 0;
}

/* ---- open, create, transactions ---- */

static int exec_sql(ws_db *db, const char *sql, chorus_error *err)
{
	int r = sqlite3_exec(db->h, sql, NULL, NULL, NULL);

	return r == SQLITE_OK ? CHORUS_OK : fail(db, r, err);
}

/* The schema as "type name sql" lines in name order, in b (NUL-ended). */
static int schema_text(sqlite3 *h, char **out)
{
	sqlite3_stmt *s;
	sqlite3_str *b = sqlite3_str_new(h);
	int r = sqlite3_prepare_v2(h, "SELECT type, name, tbl_name, sql FROM sqlite_schema"
				      " WHERE name NOT LIKE 'sqlite_stat%' ORDER BY name", -1, &s, NULL);

	if (r != SQLITE_OK) {
		sqlite3_free(sqlite3_str_finish(b));
		return r;
	}
	while ((r = sqlite3_step(s)) == SQLITE_ROW)
		for (int k = 0; k < 4; k++)
			sqlite3_str_appendf(b, "%s%c", sqlite3_column_text(s, k) ?
					    (const char *)sqlite3_column_text(s, k) : "",
					    k == 3 ? '\n' : ' ');
	sqlite3_finalize(s);
	*out = sqlite3_str_finish(b);
	if (r != SQLITE_DONE) {
		sqlite3_free(*out);
		return r;
	}
	return *out ? SQLITE_OK : SQLITE_NOMEM;
}

/* The file's schema must be ours, exactly (no trigger or view added). */
static int check_schema(ws_db *db, chorus_error *err)
{
	sqlite3 *mem = NULL;
	char *want = NULL, *got = NULL;
	int r = sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE, NULL);
	int rc = CHORUS_OK;

	if (r == SQLITE_OK)
		r = sqlite3_exec(mem, schema_sql, NULL, NULL, NULL);
	if (r == SQLITE_OK)
		r = schema_text(mem, &want);
	sqlite3_close(mem);
	if (r != SQLITE_OK) {
		chorus_error_set(err, db->path, 0, "cannot build the schema: %s", sqlite3_errstr(r));
		return r == SQLITE_NOMEM ? CHORUS_ENOMEM : CHORUS_ERR;
	}
	r = schema_text(db->h, &got);
	if (r != SQLITE_OK)
		rc = fail(db, r, err);
	else if (strcmp(want, got) != 0)
		rc = damaged(db, err, "its tables are not those of a chorus workspace");
	sqlite3_free(want);
	sqlite3_free(got);
	return rc;
}

static int pragma_int(ws_db *db, const char *sql, int64_t *v, chorus_error *err)
{
	sqlite3_stmt *s;
	int r = sqlite3_prepare_v2(db->h, sql, -1, &s, NULL);

	if (r != SQLITE_OK)
		return fail(db, r, err);
	r = sqlite3_step(s);
	*v = r == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return r == SQLITE_ROW || r == SQLITE_DONE ? CHORUS_OK : fail(db, r, err);
}

static int db_new(const char *path, int flags, ws_db **out, chorus_error *err)
{
	ws_db *db = chorus_calloc(1, sizeof *db);
	int r;

	if (!db || !(db->path = chorus_malloc(strlen(path) + 1))) {
		chorus_free(db);
		return CHORUS_ENOMEM;
	}
	strcpy(db->path, path);
	r = sqlite3_open_v2(path, &db->h, flags, NULL);
	if (r != SQLITE_OK) {
		int rc = db->h ? fail(db, r, err) : CHORUS_ENOMEM;
		if (!db->h)
			chorus_error_set(err, path, 0, "out of memory");
		ws_db_close(db);
		return rc == CHORUS_EINPUT ? CHORUS_EINPUT : CHORUS_EIO;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_db_config(db->h, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db->h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(db->h, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(db->h, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	*out = db;
	return CHORUS_OK;
}

static int put_info(ws_db *db, const ws_info *in, chorus_error *err)
{
	const chorus_scan_params *p = &in->wp.scan;
	char shingle[32], seed[32];
	int rc = CHORUS_OK;
	sqlite3_stmt *s = stmt(db, S_INFO_PUT, &rc, err);

	if (!s)
		return rc;
	snprintf(shingle, sizeof shingle, "%s:%u",
		 p->shingle_kind == CHORUS_SHINGLE_CHAR ? "char" : "word", p->shingle_k);
	snprintf(seed, sizeof seed, "0x%016" PRIx64, p->seed);
	rc = bind_i64(s, 1, in->schema) || bind_rfc3339(s, 2, in->created_at) ||
	     bind_cstr(s, 3, in->chorus_version) || bind_cstr(s, 4, in->models_version) ||
	     bind_i64(s, 5, p->window) || bind_i64(s, 6, in->wp.late) ||
	     sqlite3_bind_double(s, 7, p->threshold) || bind_i64(s, 8, p->min_accounts) ||
	     bind_cstr(s, 9, shingle) || bind_i64(s, 10, p->perms) || bind_i64(s, 11, p->bands) ||
	     bind_i64(s, 12, p->min_content) || bind_i64(s, 13, p->max_neighbours) ||
	     bind_i64(s, 14, p->include_reposts) || bind_cstr(s, 15, seed) ||
	     bind_i64(s, 16, p->norm_flags);
	return exec_done(db, s, rc ? SQLITE_RANGE : 0, err);
}

int ws_db_create(const char *path, const ws_info *info, chorus_error *err)
{
	ws_db *db;
	char sql[128];
	int rc = db_new(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &db, err);

	if (rc)
		return rc;
	snprintf(sql, sizeof sql, "PRAGMA page_size = 8192; PRAGMA application_id = %d;"
		 " PRAGMA user_version = %d;", APPLICATION_ID, CHORUS_WS_SCHEMA);
	rc = exec_sql(db, sql, err);
	rc = rc ? rc : exec_sql(db, "BEGIN", err);
	rc = rc ? rc : exec_sql(db, schema_sql, err);
	rc = rc ? rc : put_info(db, info, err);
	rc = rc ? rc : exec_sql(db, "COMMIT", err);
	ws_db_close(db);
	return rc;
}

int ws_db_open(const char *path, int write, ws_db **out, chorus_error *err)
{
	ws_db *db;
	int64_t app = 0, version = 0;
	char sql[64];
	int rc = db_new(path, write ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY, &db, err);

	if (rc)
		return rc;
	rc = pragma_int(db, "PRAGMA application_id", &app, err);
	rc = rc ? rc : pragma_int(db, "PRAGMA user_version", &version, err);
	if (!rc && app != APPLICATION_ID)
		rc = damaged(db, err, "not a chorus workspace");
	if (!rc && version > CHORUS_WS_SCHEMA) {
		chorus_error_set(err, path, 0, "workspace schema %lld is newer than this chorus "
				 "reads (%d): use a newer chorus", (long long)version, CHORUS_WS_SCHEMA);
		rc = CHORUS_EUSAGE;
	} else if (!rc && version != CHORUS_WS_SCHEMA) {
		rc = damaged(db, err, "unknown schema version");
	}
	rc = rc ? rc : check_schema(db, err);
	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", CACHE_KIB);
	rc = rc ? rc : exec_sql(db, sql, err);
	/* a night is all or nothing: a rollback journal, synced at commit */
	if (write)
		rc = rc ? rc : exec_sql(db, "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL",
					err);
	if (rc) {
		ws_db_close(db);
		return rc;
	}
	*out = db;
	return CHORUS_OK;
}

void ws_db_close(ws_db *db)
{
	if (!db)
		return;
	for (int k = 0; k < S_COUNT; k++)
		sqlite3_finalize(db->st[k]);
	sqlite3_close(db->h);
	chorus_free(db->sigbuf);
	chorus_free(db->path);
	chorus_free(db);
}

int ws_db_begin(ws_db *db, chorus_error *err)
{
	int r;

	sqlite3_busy_timeout(db->h, 0);
	r = sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (r != SQLITE_OK)
		return fail(db, r, err);
	/* readers may hold the file briefly when the run commits: wait */
	sqlite3_busy_timeout(db->h, 60000);
	return CHORUS_OK;
}

int ws_db_commit(ws_db *db, chorus_error *err)
{
	return exec_sql(db, "COMMIT", err);
}

int ws_db_begin_read(ws_db *db, chorus_error *err)
{
	return exec_sql(db, "BEGIN", err);
}

void ws_db_rollback(ws_db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- the workspace row ---- */

static int parse_shingle(const char *v, chorus_scan_params *p)
{
	unsigned k;
	char kind[8], end;

	if (sscanf(v, "%4[a-z]:%u%c", kind, &k, &end) != 2 || k < 1 || k > 16)
		return -1;
	if (!strcmp(kind, "word"))
		p->shingle_kind = CHORUS_SHINGLE_WORD;
	else if (!strcmp(kind, "char"))
		p->shingle_kind = CHORUS_SHINGLE_CHAR;
	else
		return -1;
	p->shingle_k = k;
	return 0;
}

static int parse_seed(const char *v, uint64_t *seed)
{
	uint64_t x = 0;

	if (strncmp(v, "0x", 2) != 0 || strlen(v) != 18)
		return -1;
	for (v += 2; *v; v++) {
		const int d = (*v >= '0' && *v <= '9') ? *v - '0'
			    : (*v >= 'a' && *v <= 'f') ? *v - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		x = x << 4 | (uint64_t)d;
	}
	*seed = x;
	return 0;
}

/* Unsigned column k in [lo, hi], or -1. */
static int col_range(sqlite3_stmt *s, int k, int64_t lo, int64_t hi, int64_t *v)
{
	if (!col_is_int(s, k))
		return -1;
	*v = sqlite3_column_int64(s, k);
	return *v >= lo && *v <= hi ? 0 : -1;
}

static int read_info(sqlite3_stmt *s, ws_info *in)
{
	chorus_scan_params *p = &in->wp.scan;
	char text[64];
	int64_t v[10];
	chorus_error e;

	chorus_ws_params_init(&in->wp);
	if (col_range(s, 0, 1, INT32_MAX, &v[0]) || col_copy(s, 1, text, sizeof text) ||
	    chorus_time_parse_rfc3339(text, strlen(text), &in->created_at) ||
	    col_copy(s, 2, in->chorus_version, sizeof in->chorus_version) ||
	    col_copy(s, 3, in->models_version, sizeof in->models_version) ||
	    col_range(s, 4, 1, INT64_MAX, &p->window) || col_range(s, 5, 0, INT64_MAX, &in->wp.late) ||
	    sqlite3_column_type(s, 6) != SQLITE_FLOAT ||
	    col_range(s, 7, 1, UINT32_MAX, &v[1]) || col_copy(s, 8, text, sizeof text) ||
	    parse_shingle(text, p) || col_range(s, 9, 1, CHORUS_MAX_PERMS, &v[2]) ||
	    col_range(s, 10, 1, CHORUS_MAX_PERMS, &v[3]) || col_range(s, 11, 0, UINT32_MAX, &v[4]) ||
	    col_range(s, 12, 1, UINT32_MAX, &v[5]) || col_range(s, 13, 0, 1, &v[6]) ||
	    col_copy(s, 14, text, sizeof text) || parse_seed(text, &p->seed) ||
	    col_range(s, 15, 0, 3, &v[7]))
		return -1;
	in->schema = (int)v[0];
	p->threshold = sqlite3_column_double(s, 6);
	p->min_accounts = (unsigned)v[1];
	p->perms = (unsigned)v[2];
	p->bands = (unsigned)v[3];
	p->min_content = (unsigned)v[4];
	p->max_neighbours = (unsigned)v[5];
	p->include_reposts = (int)v[6];
	p->norm_flags = (unsigned)v[7];
	in->newest = col_is_int(s, 16) ? sqlite3_column_int64(s, 16) : CHORUS_TIME_NONE;
	in->horizon = col_is_int(s, 17) ? sqlite3_column_int64(s, 17) : CHORUS_TIME_NONE;
	if ((sqlite3_column_type(s, 16) != SQLITE_NULL && !col_is_int(s, 16)) ||
	    (sqlite3_column_type(s, 17) != SQLITE_NULL && !col_is_int(s, 17)))
		return -1;
	return chorus_scan_params_check(p, &e) == CHORUS_OK ? 0 : -1;
}

int ws_db_get_info(ws_db *db, ws_info *info, chorus_error *err)
{
	int rc = CHORUS_OK;
	sqlite3_stmt *s = stmt(db, S_INFO_GET, &rc, err);
	ws_info in;

	if (!s)
		return rc;
	memset(&in, 0, sizeof in);
	if ((rc = step_row(db, s, 0, err)) < 0)
		return rc;
	if (rc == 0 || read_info(s, &in) != 0 || step_row(db, s, 0, err) != 0)
		return damaged(db, err, "the workspace row is missing or malformed");
	*info = in;
	return CHORUS_OK;
}

int ws_db_set_horizon(ws_db *db, int64_t newest, int64_t horizon, chorus_error *err)
{
	int rc = CHORUS_OK;
	sqlite3_stmt *s = stmt(db, S_HORIZON_SET, &rc, err);

	if (!s)
		return rc;
	rc = bind_time(s, 1, newest) || bind_time(s, 2, horizon);
	return exec_done(db, s, rc ? SQLITE_RANGE : 0, err);
}

/* ---- runs ---- */

static int one_int(ws_db *db, int k, int64_t arg, int has_arg, int64_t *v, chorus_error *err)
{
	int rc = CHORUS_OK;
	sqlite3_stmt *s = stmt(db, k, &rc, err);

	if (!s)
		return rc;
	if ((rc = step_row(db, s, has_arg ? bind_i64(s, 1, arg) : 0, err)) < 0)
		return rc;
	if (rc == 0 || !col_is_int(s, 0))
		return damaged(db, err, "a count is not a number");
	*v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return CHORUS_OK;
}

int ws_db_next_run(ws_db *db, int64_t *run, chorus_error *err)
{
	return one_int(db, S_RUN_NEXT, 0, 0, run, err);
}

int ws_db_put_run(ws_db *db, const chorus_ws_night *n, int64_t started, int64_t finished,
		  const char *command_line, chorus_error *err)
{
	const uint64_t counts[] = { n->read, n->added, n->known, n->late, n->matched, n->reposts,
				    n->short_posts, n->index_loaded, n->rematched, n->candidates,
				    n->links_added, n->links_removed, n->evicted, n->indexed,
				    n->posts_held, n->clusters };
	uint64_t fresh = 0, grown = 0;
	int rc = CHORUS_OK, b;
	sqlite3_stmt *s = stmt(db, S_RUN_PUT, &rc, err);

	if (!s)
		return rc;
	for (size_t k = 0; k < n->nchanges; k++) {
		fresh += n->changes[k].kind == CHORUS_WS_NEW;
		grown += n->changes[k].kind == CHORUS_WS_GROWN;
	}
	b = bind_i64(s, 1, n->run) || bind_rfc3339(s, 2, started) || bind_rfc3339(s, 3, finished) ||
	    bind_cstr(s, 4, CHORUS_VERSION) || bind_cstr(s, 5, command_line);
	for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++)
		b = b || bind_i64(s, 6 + (int)k, (int64_t)counts[k]);
	b = b || bind_i64(s, 22, (int64_t)fresh) || bind_i64(s, 23, (int64_t)grown) ||
	    bind_i64(s, 24, (int64_t)n->merged) || bind_time(s, 25, n->newest) ||
	    bind_time(s, 26, n->horizon);
	return exec_done(db, s, b ? SQLITE_RANGE : 0, err);
}

int ws_db_put_run_input(ws_db *db, int64_t run, uint32_t input, const chorus_input_stats *st,
			uint64_t known, chorus_error *err)
{
	int rc = CHORUS_OK, b;
	sqlite3_stmt *s = stmt(db, S_RUN_INPUT_PUT, &rc, err);

	if (!s)
		return rc;
	b = bind_i64(s, 1, run) || bind_i64(s, 2, input) || bind_cstr(s, 3, st->path) ||
	    bind_cstr(s, 4, st->format ? st->format : "jsonl") || bind_cstr(s, 5, st->sha256) ||
	    bind_i64(s, 6, (int64_t)st->bytes) || bind_i64(s, 7, (int64_t)st->records) ||
	    bind_i64(s, 8, (int64_t)st->skipped) || bind_i64(s, 9, (int64_t)st->duplicates) ||
	    bind_i64(s, 10, (int64_t)known) || bind_i64(s, 11, (int64_t)st->ignored) ||
	    bind_i64(s, 12, (int64_t)st->reposts);
	return exec_done(db, s, b ? SQLITE_RANGE : 0, err);
}

int ws_db_get_run_input(ws_db *db, int64_t run, int64_t input, chorus_input_stats *st,
			char *path, size_t path_cap, char *format, size_t format_cap,
			chorus_error *err)
{
	int rc = CHORUS_OK;
	sqlite3_stmt *s = stmt(db, S_RUN_INPUT_GET, &rc, err);
	int64_t v[6];

	if (!s)
		return rc;
	if ((rc = step_row(db, s, bind_i64(s, 1, run) || bind_i64(s, 2, input), err)) < 0)
		return rc;
	memset(st, 0, sizeof *st);
	if (rc == 0 || col_copy(s, 0, path, path_cap) || col_copy(s, 1, format, format_cap) ||
	    col_copy(s, 2, st->sha256, sizeof st->sha256))
		return damaged(db, err, "a post names an input that is not recorded");
	for (int k = 0; k < 6; k++)
		if (col_range(s, 3 + k, 0, INT64_MAX, &v[k]))
			return damaged(db, err, "an input's counts are not numbers");
	st->path = path;
	st->format = format;
	st->bytes = (uint64_t)v[0];
	st->records = (uint64_t)v[1];
	st->skipped = (uint64_t)v[2];
	st->duplicates = (uint64_t)v[3];
	st->ignored = (uint64_t)v[4];
	st->reposts = (uint64_t)v[5];
	sqlite3_reset(s);
	return CHORUS_OK;
}

/* ---- posts ---- */

static const chorus_str empty_str = { "", 0 };

static const chorus_str *platform_of(const chorus_post *p)
{
	return p->extra && p->extra->platform.p ? &p->extra->platform : &empty_str;
}

int ws_db_post_known(ws_db *db, const chorus_post *p, int *known, chorus_error *err)
{
	int rc = CHORUS_OK;
	sqlite3_stmt *s = stmt(db, S_POST_KNOWN, &rc, err);

	if (!s)
		return rc;
	rc = step_row(db, s, bind_str(s, 1, platform_of(p)) || bind_str(s, 2, &p->id), err);
	if (rc < 0)
		return rc;
	*known = rc;
	sqlite3_reset(s);
	return CHORUS_OK;
}

int ws_db_put_post(ws_db *db, const chorus_post *p, int64_t run, int status, int64_t *seq,
		   chorus_error *err)
{
	const chorus_post_extra *x = p->extra;
	int rc = CHORUS_OK, b;
	sqlite3_stmt *s = stmt(db, S_POST_PUT, &rc, err);

	if (!s)
		return rc;
	b = bind_str(s, 1, platform_of(p)) || bind_str(s, 2, &p->id) ||
	    bind_str(s, 3, &p->author) || bind_str(s, 4, &p->text) ||
	    bind_i64(s, 5, p->created_at);
	if (x)
		b = b || bind_str(s, 6, &x->url) || bind_str(s, 7, &x->lang) ||
		    bind_str(s, 8, &x->repost_of) || bind_str(s, 9, &x->reply_to) ||
		    bind_str(s, 10, &x->author_handle) || bind_time(s, 11, x->author_created_at) ||
		    bind_time(s, 12, x->server_time) || bind_str(s, 13, &x->source) ||
		    bind_str(s, 14, &x->source_line) || bind_str(s, 15, &x->raw_sha256);
	b = b || bind_i64(s, 16, run) || bind_i64(s, 17, p->input) ||
	    bind_i64(s, 18, (int64_t)p->line) || bind_i64(s, 19, status);
	if ((rc = exec_done(db, s, b ? SQLITE_RANGE : 0, err)) != CHORUS_OK)
		return rc;
	/* 0: a post with this platform and id is held already */
	*seq = sqlite3_changes(db->h) ? sqlite3_last_insert_rowid(db->h) : 0;
	return CHORUS_OK;
}

int ws_db_max_post(ws_db *db, int64_t *seq, chorus_error *err)
{
	return one_int(db, S_POST_MAX, 0, 0, seq, err);
}

int ws_db_count_posts(ws_db *db, uint64_t *n, chorus_error *err)
{
	int64_t v = 0;
	int rc = ws_db_max_post(db, &v, err); /* posts are never deleted */

	if (!rc)
		*n = (uint64_t)v;
	return rc;
}

int ws_db_post_time(ws_db *db, int64_t seq, int64_t *t, chorus_error *err)
{
	return one_int(db, S_POST_TIME, seq, 1, t, err);
}

/* The post in the current row of S_POST_GET. */
static int read_post(sqlite3_stmt *s, chorus_post *p, chorus_post_extra *x, int64_t *run,
		     int64_t *input)
{
	chorus_str *const strs[] = { &x->platform, &p->id, &p->author, &p->text, NULL, &x->url,
				     &x->lang, &x->repost_of, &x->reply_to, &x->author_handle,
				     NULL, NULL, &x->source, &x->source_line, &x->raw_sha256 };
	int64_t line;

	memset(p, 0, sizeof *p);
	memset(x, 0, sizeof *x);
	for (int k = 0; k < 15; k++)
		if (strs[k] && col_str(s, k, strs[k]))
			return -1;
	if (!p->id.p || !p->author.p || !p->text.p || !x->platform.p || !col_is_int(s, 4) ||
	    col_range(s, 15, 1, INT64_MAX, run) || col_range(s, 16, 0, UINT32_MAX - 1, input) ||
	    col_range(s, 17, 0, INT64_MAX, &line))
		return -1;
	if (!x->platform.len)
		x->platform.p = NULL;
	p->created_at = sqlite3_column_int64(s, 4);
	x->author_created_at = col_is_int(s, 10) ? sqlite3_column_int64(s, 10) : CHORUS_TIME_NONE;
	x->server_time = col_is_int(s, 11) ? sqlite3_column_int64(s, 11) : CHORUS_TIME_NONE;
	p->line = (uint64_t)line;
	p->extra = x;
	return 0;
}

int ws_db_each_post(ws_db *db, const int64_t *seqs, size_t n, ws_post_fn fn, void *ud,
		    chorus_error *err)
{
	int rc = CHORUS_OK;
	sqlite3_stmt *s = stmt(db, S_POST_GET, &rc, err);

	if (!s)
		return rc;
	for (size_t k = 0; k < n; k++) {
		chorus_post p;
		chorus_post_extra x;
		int64_t run, input;
		sqlite3_reset(s);
		if ((rc = step_row(db, s, bind_i64(s, 1, seqs[k]), err)) < 0)
			return rc;
		if (rc == 0 || read_post(s, &p, &x, &run, &input) != 0)
			return damaged(db, err, "a post is missing or malformed");
		if ((rc = fn(ud, seqs[k], run, input, &p)) != CHORUS_OK)
			return rc;
	}
	sqlite3_reset(s);
	return CHORUS_OK;
}

/* ---- signatures ---- */

int ws_db_put_sig(ws_db *db, int64_t seq, int64_t t, const chorus_sig *sig, unsigned bands,
		  chorus_error *err)
{
	const size_t kb = (size_t)bands * 4, sb = (size_t)sig->nshingles * 4;
	int rc = CHORUS_OK, b;
	sqlite3_stmt *s = stmt(db, S_SIG_PUT, &rc, err);
	unsigned char *buf;

	if (!s)
		return rc;
	if (!(buf = chorus_malloc(kb + sb)))
		return CHORUS_ENOMEM;
	ws_sig_encode(sig->keys, bands, buf);
	ws_sig_encode(sig->shingles, sig->nshingles, buf + kb);
	b = bind_i64(s, 1, t) || bind_i64(s, 2, seq) || bind_i64(s, 3, (int64_t)sig->sethash) ||
	    sqlite3_bind_blob(s, 4, buf, (int)kb, SQLITE_STATIC) ||
	    sqlite3_bind_blob(s, 5, buf + kb, (int)sb, SQLITE_STATIC);
	rc = exec_done(db, s, b ? SQLITE_RANGE : 0, err);
	chorus_free(buf);
	return rc;
}

int ws_db_count_sigs(ws_db *db, int64_t from, uint64_t *n, chorus_error *err)
{
	int64_t v = 0;
	int rc = one_int(db, S_SIG_COUNT, from, 1, &v, err);

	if (!rc)
		*n = (uint64_t)v;
	return rc;
}

int ws_db_each_sig(ws_db *db, int64_t from, unsigned bands, uint64_t seed, ws_sig_fn fn,
		   void *ud, chorus_error *err)
{
	int rc = CHORUS_OK, r;
	sqlite3_stmt *s = stmt(db, S_SIG_EACH, &rc, err);

	if (!s)
		return rc;
	bind_i64(s, 1, from);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		chorus_sig sig;
		const void *k = sqlite3_column_blob(s, 3), *sh = sqlite3_column_blob(s, 4);
		if (!col_is_int(s, 0) || !col_is_int(s, 1) || !col_is_int(s, 2) ||
		    sqlite3_column_type(s, 3) != SQLITE_BLOB ||
		    sqlite3_column_type(s, 4) != SQLITE_BLOB) {
			sqlite3_reset(s);
			return damaged(db, err, "a signature row is malformed");
		}
		rc = ws_sig_decode(k, (size_t)sqlite3_column_bytes(s, 3), sh,
				   (size_t)sqlite3_column_bytes(s, 4), bands,
				   (uint64_t)sqlite3_column_int64(s, 2), seed, &db->sigbuf,
				   &db->sigcap, &sig, err);
		if (rc == CHORUS_EINPUT) {
			char what[CHORUS_ERROR_TEXT];
			snprintf(what, sizeof what, "signature of post %lld: %.160s",
				 (long long)sqlite3_column_int64(s, 1), err->text);
			rc = damaged(db, err, what);
		}
		if (!rc)
			rc = fn(ud, sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 0), &sig);
		if (rc) {
			sqlite3_reset(s);
			return rc;
		}
	}
	sqlite3_reset(s);
	return r == SQLITE_DONE ? CHORUS_OK : fail(db, r, err);
}

int ws_db_evict_sigs(ws_db *db, int64_t before, uint64_t *n, chorus_error *err)
{
	int rc = CHORUS_OK;
	sqlite3_stmt *s = stmt(db, S_SIG_EVICT, &rc, err);

	if (!s)
		return rc;
	if ((rc = exec_done(db, s, bind_i64(s, 1, before), err)) == CHORUS_OK)
		*n = (uint64_t)sqlite3_changes64(db->h);
	return rc;
}

/* ---- links ---- */

int ws_db_each_link_of(ws_db *db, int64_t b, ws_link_fn fn, void *ud, chorus_error *err)
{
	int rc = CHORUS_OK, r;
	sqlite3_stmt *s = stmt(db, S_LINK_EACH, &rc, err);

	if (!s)
		return rc;
	bind_i64(s, 1, b);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		const double sim = sqlite3_column_double(s, 1);
		if (!col_is_int(s, 0) || sqlite3_column_type(s, 1) != SQLITE_FLOAT ||
		    !(sim > 0.0 && sim <= 1.0) || sqlite3_column_int64(s, 0) == b) {
			sqlite3_reset(s);
			return damaged(db, err, "a link is malformed");
		}
		if ((rc = fn(ud, sqlite3_column_int64(s, 0), b, (float)sim)) != CHORUS_OK) {
			sqlite3_reset(s);
			return rc;
		}
	}
	sqlite3_reset(s);
	return r == SQLITE_DONE ? CHORUS_OK : fail(db, r, err);
}

int ws_db_put_link(ws_db *db, int64_t a, int64_t b, float sim, int64_t run, chorus_error *err)
{
	int rc = CHORUS_OK, x;
	sqlite3_stmt *s = stmt(db, S_LINK_PUT, &rc, err);

	if (!s)
		return rc;
	x = bind_i64(s, 1, b) || bind_i64(s, 2, a) || sqlite3_bind_double(s, 3, sim) ||
	    bind_i64(s, 4, run);
	return exec_done(db, s, x ? SQLITE_RANGE : 0, err);
}

int ws_db_del_link(ws_db *db, int64_t a, int64_t b, chorus_error *err)
{
	int rc = CHORUS_OK;
	sqlite3_stmt *s = stmt(db, S_LINK_DEL, &rc, err);

	if (!s)
		return rc;
	return exec_done(db, s, bind_i64(s, 1, b) || bind_i64(s, 2, a) ? SQLITE_RANGE : 0, err);
}

/* ---- members and groups ---- */

int ws_db_group_of(ws_db *db, int64_t seq, int64_t *grp, chorus_error *err)
{
	int rc = CHORUS_OK;
	sqlite3_stmt *s = stmt(db, S_MEMBER_GROUP, &rc, err);

	if (!s)
		return rc;
	if ((rc = step_row(db, s, bind_i64(s, 1, seq), err)) < 0)
		return rc;
	if (rc && (!col_is_int(s, 0) || sqlite3_column_int64(s, 0) <= 0))
		return damaged(db, err, "a member row is malformed");
	*grp = rc ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return CHORUS_OK;
}

int ws_db_each_member(ws_db *db, int64_t grp, ws_seq_fn fn, void *ud, chorus_error *err)
{
	int rc = CHORUS_OK, r;
	sqlite3_stmt *s = stmt(db, S_MEMBER_EACH, &rc, err);
	int64_t *seqs = NULL;
	size_t n = 0, cap = 0;

	if (!s)
		return rc;
	bind_i64(s, 1, grp);
	/* collected first: fn may write members */
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			int64_t *p = chorus_reallocarray(seqs, cap ? cap * 2 : 64, sizeof *p);
			if (!p) {
				chorus_free(seqs);
				sqlite3_reset(s);
				return CHORUS_ENOMEM;
			}
			seqs = p;
			cap = cap ? cap * 2 : 64;
		}
		seqs[n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	rc = r == SQLITE_DONE ? CHORUS_OK : fail(db, r, err);
	for (size_t k = 0; rc == CHORUS_OK && k < n; k++)
		rc = fn(ud, seqs[k]);
	chorus_free(seqs);
	return rc;
}

int ws_db_set_member(ws_db *db, int64_t seq, int64_t grp, chorus_error *err)
{
	int rc = CHORUS_OK;
	sqlite3_stmt *s = stmt(db, S_MEMBER_SET, &rc, err);

	if (!s)
		return rc;
	return exec_done(db, s, bind_i64(s, 1, seq) || bind_i64(s, 2, grp) ? SQLITE_RANGE : 0,
			 err);
}

int ws_db_del_member(ws_db *db, int64_t seq, chorus_error *err)
{
	int rc = CHORUS_OK;
	sqlite3_stmt *s = stmt(db, S_MEMBER_DEL, &rc, err);

	if (!s)
		return rc;
	return exec_done(db, s, bind_i64(s, 1, seq), err);
}

int ws_db_get_group(ws_db *db, int64_t grp, ws_group *g, chorus_error *err)
{
	int rc = CHORUS_OK;
	sqlite3_stmt *s = stmt(db, S_GROUP_GET, &rc, err);
	int64_t posts;

	if (!s)
		return rc;
	if ((rc = step_row(db, s, bind_i64(s, 1, grp), err)) < 0)
		return rc;
	memset(g, 0, sizeof *g);
	if (rc == 0 || (sqlite3_column_type(s, 0) != SQLITE_NULL &&
			(col_copy(s, 0, g->cluster, sizeof g->cluster) || strlen(g->cluster) != 16)) ||
	    !col_is_int(s, 1) || col_range(s, 2, 1, INT64_MAX, &posts) ||
	    col_range(s, 3, 1, INT64_MAX, &g->first_run) ||
	    col_range(s, 4, 1, INT64_MAX, &g->last_run))
		return damaged(db, err, "a group row is missing or malformed");
	g->grp = grp;
	g->anchor = sqlite3_column_int64(s, 1);
	g->posts = (uint64_t)posts;
	sqlite3_reset(s);
	return CHORUS_OK;
}

int ws_db_put_group(ws_db *db, ws_group *g, chorus_error *err)
{
	int rc = CHORUS_OK, b;
	sqlite3_stmt *s = stmt(db, g->grp ? S_GROUP_UPDATE : S_GROUP_INSERT, &rc, err);

	if (!s)
		return rc;
	b = bind_cstr(s, 1, g->cluster[0] ? g->cluster : NULL) || bind_i64(s, 2, g->anchor) ||
	    bind_i64(s, 3, (int64_t)g->posts) || bind_i64(s, 4, g->first_run) ||
	    bind_i64(s, 5, g->last_run) || (g->grp && bind_i64(s, 6, g->grp));
	if ((rc = exec_done(db, s, b ? SQLITE_RANGE : 0, err)) == CHORUS_OK && !g->grp)
		g->grp = sqlite3_last_insert_rowid(db->h);
	return rc;
}

int ws_db_del_group(ws_db *db, int64_t grp, chorus_error *err)
{
	int rc = CHORUS_OK;
	sqlite3_stmt *s = stmt(db, S_GROUP_DEL, &rc, err);

	if (!s)
		return rc;
	return exec_done(db, s, bind_i64(s, 1, grp), err);
}

/* ---- clusters ---- */

int ws_db_get_cluster(ws_db *db, const char *id, ws_cluster *c, int *found, chorus_error *err)
{
	int rc = CHORUS_OK;
	sqlite3_stmt *s = stmt(db, S_CLUSTER_GET, &rc, err);
	char status[16];
	int64_t v[5];

	if (!s)
		return rc;
	if ((rc = step_row(db, s, bind_cstr(s, 1, id), err)) < 0)
		return rc;
	*found = rc;
	if (!rc)
		return CHORUS_OK;
	memset(c, 0, sizeof *c);
	snprintf(c->id, sizeof c->id, "%s", id);
	if (col_range(s, 0, 1, INT64_MAX, &c->first_run) || col_range(s, 1, 1, INT64_MAX, &c->last_run) ||
	    col_copy(s, 2, status, sizeof status) ||
	    (sqlite3_column_type(s, 3) != SQLITE_NULL &&
	     col_copy(s, 3, c->merged_into, sizeof c->merged_into)) ||
	    col_range(s, 4, 0, INT64_MAX, &v[0]) || col_range(s, 5, 0, INT64_MAX, &v[1]) ||
	    col_range(s, 6, 0, INT64_MAX, &v[2]) || sqlite3_column_type(s, 7) != SQLITE_FLOAT ||
	    !col_is_int(s, 8) || !col_is_int(s, 9))
		return damaged(db, err, "a cluster row is malformed");
	c->status = -1;
	for (int k = 0; k < 3; k++)
		if (!strcmp(status, status_names[k]))
			c->status = k;
	if (c->status < 0)
		return damaged(db, err, "a cluster has an unknown status");
	c->posts = (uint64_t)v[0];
	c->accounts = (uint64_t)v[1];
	c->burst = (uint64_t)v[2];
	c->score = sqlite3_column_double(s, 7);
	c->first_seen = sqlite3_column_int64(s, 8);
	c->last_seen = sqlite3_column_int64(s, 9);
	sqlite3_reset(s);
	return CHORUS_OK;
}

int ws_db_put_cluster(ws_db *db, const ws_cluster *c, chorus_error *err)
{
	int rc = CHORUS_OK, b;
	sqlite3_stmt *s = stmt(db, S_CLUSTER_PUT, &rc, err);

	if (!s)
		return rc;
	assert(c->status >= 0 && c->status < 3);
	b = bind_cstr(s, 1, c->id) || bind_i64(s, 2, c->first_run) || bind_i64(s, 3, c->last_run) ||
	    bind_cstr(s, 4, status_names[c->status]) ||
	    bind_cstr(s, 5, c->merged_into[0] ? c->merged_into : NULL) ||
	    bind_i64(s, 6, (int64_t)c->posts) || bind_i64(s, 7, (int64_t)c->accounts) ||
	    bind_i64(s, 8, (int64_t)c->burst) || sqlite3_bind_double(s, 9, c->score) ||
	    bind_i64(s, 10, c->first_seen) || bind_i64(s, 11, c->last_seen);
	return exec_done(db, s, b ? SQLITE_RANGE : 0, err);
}

int ws_db_put_event(ws_db *db, int64_t run, const char *id, const char *event,
		    const char *other, const ws_cluster *fig, chorus_error *err)
{
	int rc = CHORUS_OK, b;
	sqlite3_stmt *s = stmt(db, S_EVENT_PUT, &rc, err);

	if (!s)
		return rc;
	b = bind_i64(s, 1, run) || bind_cstr(s, 2, id) || bind_cstr(s, 3, event) ||
	    bind_cstr(s, 4, other && other[0] ? other : NULL) ||
	    bind_i64(s, 5, (int64_t)fig->posts) || bind_i64(s, 6, (int64_t)fig->accounts) ||
	    sqlite3_bind_double(s, 7, fig->score);
	return exec_done(db, s, b ? SQLITE_RANGE : 0, err);
}

int ws_db_group_of_cluster(ws_db *db, const char *id, int64_t *grp, chorus_error *err)
{
	int rc = CHORUS_OK;
	sqlite3_stmt *s = stmt(db, S_CLUSTER_GROUP, &rc, err);

	if (!s)
		return rc;
	if ((rc = step_row(db, s, bind_cstr(s, 1, id), err)) < 0)
		return rc;
	if (rc && !col_is_int(s, 0))
		return damaged(db, err, "a group row is malformed");
	*grp = rc ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return CHORUS_OK;
}

int ws_db_each_active_cluster(ws_db *db, ws_id_fn fn, void *ud, chorus_error *err)
{
	int rc = CHORUS_OK, r;
	sqlite3_stmt *s = stmt(db, S_CLUSTER_ACTIVE, &rc, err);

	if (!s)
		return rc;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		char id[17];
		if (col_copy(s, 0, id, sizeof id) || strlen(id) != 16) {
			sqlite3_reset(s);
			return damaged(db, err, "a cluster id is malformed");
		}
		if ((rc = fn(ud, id)) != CHORUS_OK) {
			sqlite3_reset(s);
			return rc;
		}
	}
	sqlite3_reset(s);
	return r == SQLITE_DONE ? CHORUS_OK : fail(db, r, err);
}

int ws_db_count_active(ws_db *db, uint64_t *n, chorus_error *err)
{
	int64_t v = 0;
	int rc = one_int(db, S_CLUSTER_COUNT, 0, 0, &v, err);

	if (!rc)
		*n = (uint64_t)v;
	return rc;
}
