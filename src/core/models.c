/*
 * models.c - loading the versioned data under models/ (format and versions
 * in models/README.md).
 *
 * Folder choice: an explicit dir; else $CHORUS_MODELS when set and not
 * empty (used as given, never second-guessed); else the first of the
 * source tree's models/ (compiled in) and <prefix>/share/chorus/models that
 * holds a VERSION file.
 *
 * The Kazakh suffixes are kept in one pool with an open-addressing set over
 * them (at most half full), so the stemmer's "is this a suffix?" is one
 * hash and usually one compare.  Loading also builds the process-wide
 * Unicode table (unicode_int.h), so a program that loads its models before
 * starting threads has done all global set-up there.
 * Everything is read-only after chorus_models_load: safe to share.
 * Cost: O(file sizes); the Unicode table takes ~10 ms once per process.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chorus/alloc.h"
#include "chorus/buf.h"
#include "chorus/hash.h"
#include "chorus/models.h"
#include "chorus/utf8.h"
#include "models_int.h"
#include "unicode_int.h"

#ifndef CHORUS_MODELS_DIR
#define CHORUS_MODELS_DIR "models"
#endif
#ifndef CHORUS_INSTALL_MODELS_DIR
#define CHORUS_INSTALL_MODELS_DIR "/usr/local/share/chorus/models"
#endif

#define VERSION_MAX 63
#define VERSION_FILE_MAX 4096
#define SUFFIX_FILE_MAX ((size_t)1 << 20)
#define PATH_MAX_LEN 4096

typedef struct suffix_set {
	char *pool;     /* suffixes back to back */
	uint32_t *slot; /* (offset << 8 | length) + 1, 0 = empty */
	size_t nslots;  /* power of two */
	size_t count;
	unsigned max_letters;
} suffix_set;

struct chorus_models {
	char *dir;
	char version[VERSION_MAX + 1];
	suffix_set kk;
};

/* ---- files ---- */

static int join(char *out, const char *dir, const char *rel, chorus_error *err)
{
	const int n = snprintf(out, PATH_MAX_LEN, "%s/%s", dir, rel);

	if (n < 0 || n >= PATH_MAX_LEN) {
		chorus_error_set(err, dir, 0, "models path too long");
		return CHORUS_EUSAGE;
	}
	return 0;
}

static int read_all(FILE *f, chorus_buf *b)
{
	char chunk[4096];
	size_t n;

	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		int rc = chorus_buf_append(b, chunk, n);
		if (rc)
			return rc;
	}
	return ferror(f) ? CHORUS_EIO : 0;
}

/* Whole file into b (NUL-terminated), at most max bytes. */
static int read_file(const char *path, size_t max, chorus_buf *b, chorus_error *err)
{
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f) {
		chorus_error_set(err, path, 0, "cannot open models file");
		return CHORUS_EIO;
	}
	chorus_buf_init(b, max);
	rc = read_all(f, b);
	fclose(f);
	if (rc == 0)
		rc = chorus_buf_putc(b, '\0');
	if (rc == CHORUS_ELIMIT)
		chorus_error_set(err, path, 0, "models file larger than %zu bytes", max);
	else if (rc)
		chorus_error_set(err, path, 0, "cannot read models file");
	if (rc)
		chorus_buf_dispose(b);
	else
		b->len--;
	return rc;
}

/* ---- VERSION ---- */

static int parse_version(chorus_models *m, const char *path, const chorus_buf *b,
			 chorus_error *err)
{
	size_t n = 0;

	while (n < b->len && b->data[n] != '\n' && b->data[n] != '\r')
		n++;
	while (n > 0 && isspace((unsigned char)b->data[n - 1]))
		n--;
	if (n == 0 || n > VERSION_MAX) {
		chorus_error_set(err, path, 1, "models version must be 1 to %d characters",
				 VERSION_MAX);
		return CHORUS_EINPUT;
	}
	for (size_t i = 0; i < n; i++) {
		if (!isgraph((unsigned char)b->data[i])) {
			chorus_error_set(err, path, 1, "models version has a non-printable character");
			return CHORUS_EINPUT;
		}
	}
	memcpy(m->version, b->data, n);
	m->version[n] = '\0';
	return 0;
}

static int load_version(chorus_models *m, chorus_error *err)
{
	char path[PATH_MAX_LEN];
	chorus_buf b;
	int rc = join(path, m->dir, "VERSION", err);

	if (rc || (rc = read_file(path, VERSION_FILE_MAX, &b, err)) != 0)
		return rc;
	rc = parse_version(m, path, &b, err);
	chorus_buf_dispose(&b);
	return rc;
}

/* ---- kk/suffixes.txt ---- */

static size_t set_home(const suffix_set *s, const char *p, size_t len)
{
	return (size_t)chorus_hash64(p, len, 0x6b6b) & (s->nslots - 1);
}

static int set_has(const suffix_set *s, const char *p, size_t len)
{
	for (size_t i = set_home(s, p, len); s->slot[i]; i = (i + 1) & (s->nslots - 1)) {
		const uint32_t v = s->slot[i] - 1;
		if ((v & 0xFF) == len && memcmp(s->pool + (v >> 8), p, len) == 0)
			return 1;
	}
	return 0;
}

static void set_add(suffix_set *s, uint32_t off, size_t len)
{
	const char *p = s->pool + off;
	size_t i = set_home(s, p, len);
	unsigned letters = 0;

	if (set_has(s, p, len))
		return;
	while (s->slot[i])
		i = (i + 1) & (s->nslots - 1);
	s->slot[i] = ((off << 8) | (uint32_t)len) + 1;
	s->count++;
	for (size_t k = 0; k < len; k++)
		letters += ((unsigned char)p[k] & 0xC0) != 0x80;
	if (letters > s->max_letters)
		s->max_letters = letters;
}

/* Trim the line s[0..*len) of its comment and surrounding blanks. */
static const char *trim_line(const char *s, size_t *len)
{
	const char *hash = memchr(s, '#', *len);
	size_t n = hash ? (size_t)(hash - s) : *len;

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	*len = n;
	return s;
}

static int check_suffix(const char *s, size_t n, const char *path, uint64_t line,
			chorus_error *err)
{
	if (n > CHORUS_KK_SUFFIX_MAX) {
		chorus_error_set(err, path, line, "suffix longer than %d bytes", CHORUS_KK_SUFFIX_MAX);
		return CHORUS_EINPUT;
	}
	if (!chorus_utf8_valid(s, n, NULL)) {
		chorus_error_set(err, path, line, "suffix is not valid UTF-8");
		return CHORUS_EINPUT;
	}
	for (size_t i = 0; i < n; i++) {
		if (isspace((unsigned char)s[i])) {
			chorus_error_set(err, path, line, "one suffix per line, without spaces");
			return CHORUS_EINPUT;
		}
	}
	return 0;
}

/* Move the suffixes to the front of b->data (in place: each line only
 * shrinks) and index them. */
static int index_suffixes(suffix_set *s, chorus_buf *b, const char *path, chorus_error *err)
{
	size_t pos = 0, out = 0;
	uint64_t line = 0;

	s->pool = b->data;
	while (pos < b->len) {
		const char *nl = memchr(b->data + pos, '\n', b->len - pos);
		size_t len = nl ? (size_t)(nl - (b->data + pos)) : b->len - pos;
		const char *p = trim_line(b->data + pos, &len);
		int rc;
		line++;
		pos += (nl ? (size_t)(nl - (b->data + pos)) + 1 : b->len - pos);
		if (len == 0)
			continue;
		if ((rc = check_suffix(p, len, path, line, err)) != 0)
			return rc;
		memmove(b->data + out, p, len);
		set_add(s, (uint32_t)out, len);
		out += len;
	}
	if (s->count == 0) {
		chorus_error_set(err, path, 0, "no suffixes");
		return CHORUS_EINPUT;
	}
	return 0;
}

static int parse_suffixes(suffix_set *s, chorus_buf *b, const char *path, chorus_error *err)
{
	size_t lines = 1;

	for (size_t i = 0; i < b->len; i++)
		lines += b->data[i] == '\n';
	s->nslots = 16;
	while (s->nslots < 2 * lines)
		s->nslots *= 2;
	s->slot = chorus_calloc(s->nslots, sizeof *s->slot);
	if (!s->slot) {
		chorus_error_set(err, path, 0, "out of memory");
		return CHORUS_ENOMEM;
	}
	return index_suffixes(s, b, path, err);
}

static int load_suffixes(chorus_models *m, chorus_error *err)
{
	char path[PATH_MAX_LEN];
	chorus_buf b;
	int rc = join(path, m->dir, "kk/suffixes.txt", err);

	if (rc || (rc = read_file(path, SUFFIX_FILE_MAX, &b, err)) != 0)
		return rc;
	rc = parse_suffixes(&m->kk, &b, path, err);
	if (rc) { /* the pool is b's memory: kept only on success */
		m->kk.pool = NULL;
		chorus_buf_dispose(&b);
	}
	return rc;
}

/* ---- folder choice and the public functions ---- */

static int has_version(const char *dir)
{
	char path[PATH_MAX_LEN];
	const int n = snprintf(path, sizeof path, "%s/VERSION", dir);

	return n > 0 && n < (int)sizeof path && access(path, R_OK) == 0;
}

static const char *choose_dir(const char *dir)
{
	const char *env = getenv("CHORUS_MODELS");

	if (dir)
		return dir;
	if (env && *env)
		return env;
	if (has_version(CHORUS_MODELS_DIR))
		return CHORUS_MODELS_DIR;
	if (has_version(CHORUS_INSTALL_MODELS_DIR))
		return CHORUS_INSTALL_MODELS_DIR;
	return NULL;
}

static char *dup_str(const char *s)
{
	const size_t n = strlen(s) + 1;
	char *p = chorus_malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

static int load_into(chorus_models *m, const char *dir, chorus_error *err)
{
	int rc;

	if (!chorus_utable_get() || !(m->dir = dup_str(dir))) {
		chorus_error_set(err, "", 0, "out of memory");
		return CHORUS_ENOMEM;
	}
	if ((rc = load_version(m, err)) != 0)
		return rc;
	return load_suffixes(m, err);
}

int chorus_models_load(chorus_models **out, const char *dir, chorus_error *err)
{
	const char *d = choose_dir(dir);
	chorus_models *m;
	int rc;

	if (!d) {
		chorus_error_set(err, "", 0, "no models folder (tried $CHORUS_MODELS, %s, %s)",
				 CHORUS_MODELS_DIR, CHORUS_INSTALL_MODELS_DIR);
		return CHORUS_EIO;
	}
	m = chorus_calloc(1, sizeof *m);
	if (!m) {
		chorus_error_set(err, "", 0, "out of memory");
		return CHORUS_ENOMEM;
	}
	rc = load_into(m, d, err);
	if (rc) {
		chorus_models_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

void chorus_models_free(chorus_models *m)
{
	if (!m)
		return;
	chorus_free(m->kk.pool);
	chorus_free(m->kk.slot);
	chorus_free(m->dir);
	chorus_free(m);
}

const char *chorus_models_dir(const chorus_models *m)
{
	return m->dir;
}

const char *chorus_models_version(const chorus_models *m)
{
	return m->version;
}

int chorus_models_kk_suffix(const chorus_models *m, const char *s, size_t len)
{
	return len <= CHORUS_KK_SUFFIX_MAX && set_has(&m->kk, s, len);
}

unsigned chorus_models_kk_max_letters(const chorus_models *m)
{
	return m->kk.max_letters;
}
