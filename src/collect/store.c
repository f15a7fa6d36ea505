/*
 * store.c - the append-only evidence store (see store.h for the layout and
 * the commit order that makes a kill at any moment recoverable).
 *
 * Opening reads the whole journal and checks every record: seq in order,
 * a body file of the recorded size and SHA-256 for every response.  Cost:
 * O(journal + bodies) once per open; records are kept in memory (a few
 * hundred bytes each).
 */
#define _GNU_SOURCE /* flock, dirfd */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chorus/alloc.h"
#include "chorus/sha256.h"
#include "store.h"

#define JOURNAL "journal.jsonl"
#define META "store.json"
#define CHECKPOINT "checkpoint.json"
#define MAX_LINE ((size_t)1 << 20) /* a journal line is metadata: 1 MiB is damage */

struct chorus_store {
	char *dir;
	int mode;
	int lock_fd;
	int journal_fd;
	off_t journal_end;   /* bytes of good records: an append that fails is cut back to it */
	json_t *meta;
	json_t *records; /* array */
	json_t *checkpoint;
	chorus_store_warn warn;
	void *ud;
};

static void warnf(chorus_store *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warnf(chorus_store *st, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!st->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	st->warn(st->ud, msg);
}

static int path_of(const chorus_store *st, const char *name, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s/%s", st->dir, name);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

void chorus_store_now(char out[32])
{
	struct timespec ts;
	struct tm tm;
	char t[96];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(t, sizeof t, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 ts.tv_nsec / 1000000);
	t[31] = 0; /* 24 characters for any year of four digits */
	memcpy(out, t, 32);
}

static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write bytes to dir/name through a synced temporary file and a rename. */
static int write_atomic(const char *dir, const char *name, const void *p, size_t n,
			chorus_error *err)
{
	char path[4096], tmp[4200];
	int fd, ok;

	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
		chorus_error_set(err, dir, 0, "path too long");
		return CHORUS_EIO;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		chorus_error_set(err, tmp, 0, "cannot create: %s", strerror(errno));
		return CHORUS_EIO;
	}
	ok = write_all(fd, p, n) == 0 && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		const int e = errno;
		unlink(tmp);
		chorus_error_set(err, path, 0, "cannot write: %s", strerror(e));
		return CHORUS_EIO;
	}
	if (sync_dir(dir) != 0) {
		chorus_error_set(err, dir, 0, "cannot sync the folder: %s", strerror(errno));
		return CHORUS_EIO;
	}
	return CHORUS_OK;
}

static json_t *load_json(const char *path, int *missing, chorus_error *err)
{
	json_error_t je;
	json_t *j;

	*missing = 0;
	if (access(path, F_OK) != 0) {
		*missing = 1;
		return NULL;
	}
	j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!j || !json_is_object(j)) {
		chorus_error_set(err, path, j ? 1 : (uint64_t)je.line, "damaged: %s",
				 j ? "not a JSON object" : je.text);
		json_decref(j);
	}
	return json_is_object(j) ? j : NULL;
}

static int take_lock(chorus_store *st, chorus_error *err)
{
	char path[4096], pid[32];
	int n;

	if (path_of(st, "lock", path, sizeof path))
		return CHORUS_EIO;
	st->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (st->lock_fd < 0) {
		chorus_error_set(err, path, 0, "cannot open: %s", strerror(errno));
		return CHORUS_EIO;
	}
	if (flock(st->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		char other[32] = "";
		ssize_t r = pread(st->lock_fd, other, sizeof other - 1, 0);
		other[r > 0 ? r : 0] = 0;
		other[strcspn(other, "\n")] = 0;
		chorus_error_set(err, st->dir, 0,
				 "in use: another chorus run (pid %s) is writing this store",
				 other[0] ? other : "?");
		close(st->lock_fd);
		st->lock_fd = -1;
		return CHORUS_ERR;
	}
	n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(st->lock_fd, 0) != 0 || pwrite(st->lock_fd, pid, (size_t)n, 0) != n) {
		chorus_error_set(err, path, 0, "cannot write: %s", strerror(errno));
		return CHORUS_EIO;
	}
	return CHORUS_OK;
}

static int check_body(const chorus_store *st, const json_t *rec, size_t lineno,
		      const char *jpath, chorus_error *err)
{
	const char *sha = json_string_value(json_object_get(rec, "sha256"));
	const json_t *bytes = json_object_get(rec, "bytes");
	char path[4096], got[CHORUS_SHA256_HEX], buf[65536];
	chorus_sha256 *h;
	uint64_t total = 0;
	FILE *f;
	size_t n;

	if (!sha || strlen(sha) != 64 || !json_is_integer(bytes) || json_integer_value(bytes) < 0 ||
	    chorus_store_body_path(st, rec, path, sizeof path)) {
		chorus_error_set(err, jpath, lineno, "damaged record: response without bytes, "
				 "sha256 or body");
		return CHORUS_EINPUT;
	}
	f = fopen(path, "rb");
	if (!f) {
		chorus_error_set(err, jpath, lineno, "body %s: %s", path, strerror(errno));
		return CHORUS_EINPUT;
	}
	h = chorus_sha256_new();
	if (!h) {
		fclose(f);
		return CHORUS_ENOMEM;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		chorus_sha256_update(h, buf, n);
		total += n;
	}
	fclose(f);
	chorus_sha256_final_hex(h, got);
	chorus_sha256_free(h);
	if (total != (uint64_t)json_integer_value(bytes) || strcmp(got, sha) != 0) {
		chorus_error_set(err, jpath, lineno, "body %s does not match its record (%llu bytes, "
				 "SHA-256 %.12s...; recorded %lld bytes, %.12s...)", path,
				 (unsigned long long)total, got,
				 (long long)json_integer_value(bytes), sha);
		return CHORUS_EINPUT;
	}
	return CHORUS_OK;
}

/* Read and check the journal; *good_end is the offset after the last good
 * line (where a writer cuts a torn record off). */
/* Read one line of at most cap bytes (its '\n' included) into buf;
 * returns its length (0 at the end), or cap + 1 for a longer line, whose
 * rest is skipped.  *complete: it ended with '\n'. */
static size_t read_line(FILE *f, char *buf, size_t cap, int *complete)
{
	size_t n = 0;
	int c;

	*complete = 0;
	while ((c = getc(f)) != EOF) {
		if (n < cap)
			buf[n] = (char)c;
		n++;
		if (c == '\n') {
			*complete = 1;
			break;
		}
	}
	return n > cap ? cap + 1 : n;
}

static int load_journal(chorus_store *st, off_t *good_end, chorus_error *err)
{
	char jpath[4096];
	char *line;
	size_t lineno = 0;
	off_t off = 0;
	FILE *f;
	int rc = CHORUS_OK;

	*good_end = 0;
	if (path_of(st, JOURNAL, jpath, sizeof jpath))
		return CHORUS_EIO;
	f = fopen(jpath, "rb");
	if (!f)
		return errno == ENOENT ? CHORUS_OK : CHORUS_EIO;
	line = malloc(MAX_LINE + 1);
	if (!line) {
		fclose(f);
		return CHORUS_ENOMEM;
	}
	for (;;) {
		int complete, at_end;
		const size_t len = read_line(f, line, MAX_LINE, &complete);
		json_error_t je;
		json_t *rec = NULL;
		const char *why = NULL;

		if (len == 0)
			break;
		lineno++;
		at_end = (getc(f) == EOF);
		if (!at_end)
			fseeko(f, -1, SEEK_CUR);
		if (len > MAX_LINE)
			why = "line longer than 1 MiB";
		else if (!complete)
			why = "no end of line";
		else {
			rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
			if (!rec || !json_is_object(rec))
				why = "not a JSON object";
			else if (json_integer_value(json_object_get(rec, "seq")) !=
				 (json_int_t)json_array_size(st->records) + 1)
				why = "seq out of order";
			else if (!json_is_string(json_object_get(rec, "kind")))
				why = "no kind";
		}
		/* Only a last line cut short is a torn record: a line is written
		 * in one write(), so a complete line that is bad is damage. */
		if (why && at_end && !complete) {
			warnf(st, "%s:%zu: torn last record dropped (%s): the run writing it was cut off",
			      jpath, lineno, why);
			json_decref(rec);
			break;
		}
		if (why) {
			chorus_error_set(err, jpath, lineno, "damaged record: %s", why);
			json_decref(rec);
			rc = CHORUS_EINPUT;
			break;
		}
		if (!strcmp(json_string_value(json_object_get(rec, "kind")), "response")) {
			rc = check_body(st, rec, lineno, jpath, err);
			if (rc) {
				json_decref(rec);
				break;
			}
		}
		if (json_array_append_new(st->records, rec)) {
			rc = CHORUS_ENOMEM;
			break;
		}
		off += (off_t)len;
		*good_end = off;
	}
	free(line);
	fclose(f);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A name the store itself makes in bodies/: <64 hex>.raw, or its
 * temporary <64 hex>.raw.tmp.PID. */
static int store_name(const char *n)
{
	return strspn(n, "0123456789abcdef") == 64 && !strncmp(n + 64, ".raw", 4) &&
	       (!n[68] || !strncmp(n + 68, ".tmp.", 5));
}

/* Remove bodies no record names and temporary files of a killed run
 * (only names the store makes: nothing else in the folder is touched). */
static void drop_orphans(chorus_store *st)
{
	const size_t n = json_array_size(st->records);
	const char **named = malloc((n ? n : 1) * sizeof *named);
	char dir[4096], path[4400];
	size_t k = 0;
	struct dirent *e;
	DIR *d;

	if (!named || path_of(st, "bodies", dir, sizeof dir) || !(d = opendir(dir))) {
		free(named);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *b = json_string_value(json_object_get(json_array_get(st->records, i), "body"));
		if (b && !strncmp(b, "bodies/", 7))
			named[k++] = b + 7;
	}
	qsort(named, k, sizeof *named, cmp_str);
	while ((e = readdir(d)) != NULL) {
		const char *key = e->d_name;
		if (!store_name(key) || (k && bsearch(&key, named, k, sizeof *named, cmp_str)))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (unlink(path) == 0)
			warnf(st, "%s: removed: no journal record names it (a run was cut off before "
			      "recording it)", path);
	}
	closedir(d);
	free(named);
	/* and the temporary files of store.json and checkpoint.json */
	if ((d = opendir(st->dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strncmp(e->d_name, META ".tmp.", sizeof META + 4) != 0 &&
			    strncmp(e->d_name, CHECKPOINT ".tmp.", sizeof CHECKPOINT + 4) != 0)
				continue;
			snprintf(path, sizeof path, "%s/%s", st->dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
}

static int open_meta(chorus_store *st, const json_t *meta, chorus_error *err)
{
	char path[4096];
	int missing;

	if (path_of(st, META, path, sizeof path))
		return CHORUS_EIO;
	chorus_error_clear(err);
	st->meta = load_json(path, &missing, err);
	if (!st->meta && !missing)
		return CHORUS_EINPUT;
	if (st->meta) {
		if (st->mode == CHORUS_STORE_WRITE && meta &&
		    !json_equal(json_object_get(st->meta, "source"), json_object_get(meta, "source"))) {
			chorus_error_set(err, path, 0, "this store holds another collection (its source "
					 "differs from the one asked for)");
			return CHORUS_EUSAGE;
		}
		return CHORUS_OK;
	}
	if (st->mode != CHORUS_STORE_WRITE || !meta) {
		chorus_error_set(err, st->dir, 0, "not a chorus store (no %s)", META);
		return CHORUS_EINPUT;
	}
	{
		char *text = json_dumps(meta, JSON_INDENT(2));
		int rc;
		if (!text)
			return CHORUS_ENOMEM;
		rc = write_atomic(st->dir, META, text, strlen(text), err);
		free(text);
		if (rc)
			return rc;
	}
	st->meta = json_deep_copy(meta);
	return st->meta ? CHORUS_OK : CHORUS_ENOMEM;
}

int chorus_store_open(chorus_store **out, const char *dir, int mode, const json_t *meta,
		      chorus_store_warn warn, void *ud, chorus_error *err)
{
	chorus_store *st = chorus_calloc(1, sizeof *st);
	char path[4096];
	off_t good_end;
	int missing, rc;

	*out = NULL;
	if (!st)
		return CHORUS_ENOMEM;
	st->lock_fd = st->journal_fd = -1;
	st->mode = mode;
	st->warn = warn;
	st->ud = ud;
	st->dir = strdup(dir);
	st->records = json_array();
	if (!st->dir || !st->records) {
		chorus_store_close(st);
		return CHORUS_ENOMEM;
	}
	if (mode == CHORUS_STORE_WRITE) {
		/* the folders above it too, as mkdir -p */
		for (char *c = st->dir + 1; *c; c++) {
			if (*c != '/')
				continue;
			*c = 0;
			if (mkdir(st->dir, 0755) != 0 && errno != EEXIST) {
				chorus_error_set(err, st->dir, 0, "cannot create: %s", strerror(errno));
				*c = '/';
				chorus_store_close(st);
				return CHORUS_EIO;
			}
			*c = '/';
		}
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			chorus_error_set(err, dir, 0, "cannot create the store folder: %s", strerror(errno));
			chorus_store_close(st);
			return CHORUS_EIO;
		}
		path_of(st, "bodies", path, sizeof path);
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			chorus_error_set(err, path, 0, "cannot create: %s", strerror(errno));
			chorus_store_close(st);
			return CHORUS_EIO;
		}
		rc = take_lock(st, err);
		if (rc) {
			chorus_store_close(st);
			return rc;
		}
	}
	rc = open_meta(st, meta, err);
	if (!rc)
		rc = load_journal(st, &good_end, err);
	if (!rc) {
		path_of(st, CHECKPOINT, path, sizeof path);
		st->checkpoint = load_json(path, &missing, err);
		if (!st->checkpoint && !missing)
			rc = CHORUS_EINPUT;
	}
	if (!rc && mode == CHORUS_STORE_WRITE) {
		path_of(st, JOURNAL, path, sizeof path);
		st->journal_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (st->journal_fd < 0 || ftruncate(st->journal_fd, good_end) != 0 ||
		    fsync(st->journal_fd) != 0 || sync_dir(dir) != 0) {
			chorus_error_set(err, path, 0, "cannot open for writing: %s", strerror(errno));
			rc = CHORUS_EIO;
		} else {
			st->journal_end = good_end;
			drop_orphans(st);
		}
	}
	if (rc) {
		chorus_store_close(st);
		return rc;
	}
	*out = st;
	return CHORUS_OK;
}

void chorus_store_close(chorus_store *st)
{
	if (!st)
		return;
	if (st->journal_fd >= 0)
		close(st->journal_fd);
	if (st->lock_fd >= 0)
		close(st->lock_fd); /* releases the flock */
	json_decref(st->meta);
	json_decref(st->records);
	json_decref(st->checkpoint);
	free(st->dir);
	chorus_free(st);
}

const char *chorus_store_dir(const chorus_store *st) { return st->dir; }
const json_t *chorus_store_meta(const chorus_store *st) { return st->meta; }
size_t chorus_store_count(const chorus_store *st) { return json_array_size(st->records); }
const json_t *chorus_store_checkpoint_get(const chorus_store *st) { return st->checkpoint; }

const json_t *chorus_store_record(const chorus_store *st, size_t i)
{
	return json_array_get(st->records, i);
}

int chorus_store_body_path(const chorus_store *st, const json_t *rec, char *out, size_t cap)
{
	const char *b = json_string_value(json_object_get(rec, "body"));
	int n;

	/* Only bodies/<hex>.raw: a record cannot point outside the store. */
	if (!b || strncmp(b, "bodies/", 7) != 0 || strlen(b) != 7 + 64 + 4 ||
	    strspn(b + 7, "0123456789abcdef") != 64 || strcmp(b + 71, ".raw") != 0)
		return -1;
	n = snprintf(out, cap, "%s/%s", st->dir, b);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* seq first, then rec's own fields in their order. */
static json_t *with_seq(const chorus_store *st, json_t *rec)
{
	json_t *o = json_object();
	const char *k;
	json_t *v;

	if (!o || json_object_set_new(o, "seq", json_integer((json_int_t)json_array_size(st->records) + 1))) {
		json_decref(o);
		return NULL;
	}
	json_object_foreach(rec, k, v)
		if (strcmp(k, "seq") != 0 && json_object_set(o, k, v)) {
			json_decref(o);
			return NULL;
		}
	return o;
}

int chorus_store_add(chorus_store *st, json_t *rec, chorus_error *err)
{
	json_t *o;
	char *text;
	size_t n;
	int ok;

	if (st->journal_fd < 0) {
		chorus_error_set(err, st->dir, 0, "the store cannot be written (an earlier write failed)");
		return CHORUS_EIO;
	}
	o = with_seq(st, rec);
	text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (!text) {
		json_decref(o);
		return CHORUS_ENOMEM;
	}
	n = strlen(text);
	if (n + 1 > MAX_LINE) { /* the reader would take it for damage */
		chorus_error_set(err, st->dir, 0, "a journal record of %zu bytes (over 1 MiB) refused", n);
		free(text);
		json_decref(o);
		return CHORUS_ELIMIT;
	}
	text[n] = '\n'; /* json_dumps' NUL becomes the end of line ... */
	ok = write_all(st->journal_fd, text, n + 1) == 0 && fdatasync(st->journal_fd) == 0;
	free(text); /* ... and the buffer is never read as a string again */
	if (ok && json_array_append_new(st->records, o) != 0) {
		ok = 0;
		errno = ENOMEM;
		o = NULL;
	}
	if (!ok) {
		/* Cut a partly written line back off, and write no more: the next
		 * line must not land after a fragment. */
		const int e = errno;
		if (ftruncate(st->journal_fd, st->journal_end) == 0)
			fsync(st->journal_fd);
		close(st->journal_fd);
		st->journal_fd = -1;
		chorus_error_set(err, st->dir, 0, "cannot append to %s: %s", JOURNAL, strerror(e));
		json_decref(o);
		return CHORUS_EIO;
	}
	st->journal_end += (off_t)(n + 1);
	return CHORUS_OK;
}

static int commit_body(chorus_store *st, const char *sha, const void *body, size_t len,
		       chorus_error *err)
{
	char dir[4096], name[80];
	struct stat sb;

	if (path_of(st, "bodies", dir, sizeof dir))
		return CHORUS_EIO;
	snprintf(name, sizeof name, "%s.raw", sha);
	{
		char path[4200];
		snprintf(path, sizeof path, "%s/%s", dir, name);
		if (stat(path, &sb) == 0 && (size_t)sb.st_size == len)
			return CHORUS_OK; /* the same bytes are already kept */
	}
	return write_atomic(dir, name, body, len, err);
}

int chorus_store_add_response(chorus_store *st, json_t *rec, const void *body, size_t len,
			      chorus_error *err)
{
	char sha[CHORUS_SHA256_HEX], name[96];
	int rc;

	if (chorus_sha256_hex(body, len, sha))
		return CHORUS_ENOMEM;
	rc = commit_body(st, sha, body, len, err);
	if (rc)
		return rc;
	snprintf(name, sizeof name, "bodies/%s.raw", sha);
	if (json_object_set_new(rec, "bytes", json_integer((json_int_t)len)) ||
	    json_object_set_new(rec, "sha256", json_string(sha)) ||
	    json_object_set_new(rec, "body", json_string(name)))
		return CHORUS_ENOMEM;
	return chorus_store_add(st, rec, err);
}

int chorus_store_checkpoint(chorus_store *st, const json_t *state, chorus_error *err)
{
	json_t *cp = json_object();
	char now[32], *text;
	int rc;

	chorus_store_now(now);
	if (!cp || json_object_set_new(cp, "seq", json_integer((json_int_t)json_array_size(st->records))) ||
	    json_object_set(cp, "state", (json_t *)state) ||
	    json_object_set_new(cp, "written_at", json_string(now))) {
		json_decref(cp);
		return CHORUS_ENOMEM;
	}
	text = json_dumps(cp, JSON_INDENT(2));
	if (!text) {
		json_decref(cp);
		return CHORUS_ENOMEM;
	}
	rc = write_atomic(st->dir, CHECKPOINT, text, strlen(text), err);
	free(text);
	if (rc) {
		json_decref(cp);
		return rc;
	}
	json_decref(st->checkpoint);
	st->checkpoint = cp;
	return CHORUS_OK;
}
